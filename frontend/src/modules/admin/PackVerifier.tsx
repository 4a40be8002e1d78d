// Verify a downloaded evidence pack in the browser, with the rules and
// messages of `aigis verify`: the core's verifier compiled to wasm (the one
// verify.html inlines), loaded on first use from its own lazy chunk.

import Button from '@atlaskit/button/new';
import Heading from '@atlaskit/heading';
import { Box, Inline, Stack, Text, xcss } from '@atlaskit/primitives';
import SectionMessage from '@atlaskit/section-message';
import React, { useId, useRef, useState } from 'react';
import { TextRow } from './fields';
import { failureWhere, reportNotes, verdictLine, type Verifier, type VerifyOutcome } from './verify-model';

const dropZone = xcss({
  borderWidth: 'border.width',
  borderStyle: 'dashed',
  borderColor: 'color.border',
  borderRadius: 'radius.medium',
  padding: 'space.200',
});
const dropZoneOver = xcss({ borderColor: 'color.border.focused', backgroundColor: 'color.background.selected' });

type State =
  | { kind: 'idle' }
  | { kind: 'running'; name: string }
  | { kind: 'done'; name: string; outcome: VerifyOutcome; version: string }
  | { kind: 'error'; name: string; message: string };

const defaultLoad = (): Promise<Verifier> => import('./verifier').then((m) => m.loadVerifier());

async function bytesOf(f: File): Promise<Uint8Array> {
  return new Uint8Array(await f.arrayBuffer());
}

function words(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  // Bad options come back as the app's `{code, message, field}` JSON.
  try {
    const j = JSON.parse(raw) as { message?: unknown };
    if (typeof j.message === 'string') return j.message;
  } catch {
    // Not JSON: the message as it is.
  }
  return raw;
}

/** The drop zone, the options of `aigis verify` and the outcome. */
export function PackVerifier({ load = defaultLoad }: { load?: () => Promise<Verifier> }): React.JSX.Element {
  const ids = useId();
  const [pack, setPack] = useState<File | null>(null);
  const [previous, setPrevious] = useState<File | null>(null);
  const [trusted, setTrusted] = useState('');
  const [over, setOver] = useState(false);
  const [state, setState] = useState<State>({ kind: 'idle' });
  const runId = useRef(0);

  const run = async (p: File | null, prev: File | null, key: string): Promise<void> => {
    if (!p) return;
    const mine = ++runId.current;
    setState({ kind: 'running', name: p.name });
    try {
      const [v, packBytes, prevBytes] = await Promise.all([load(), bytesOf(p), prev ? bytesOf(prev) : Promise.resolve(undefined)]);
      const outcome = v.verify(packBytes, prevBytes, key.trim() ? { trustedKey: key.trim() } : {});
      if (mine === runId.current) setState({ kind: 'done', name: p.name, outcome, version: v.version });
    } catch (e) {
      if (mine === runId.current) setState({ kind: 'error', name: p.name, message: words(e) });
    }
  };
  const choose = (f: File | null): void => {
    setPack(f);
    void run(f, previous, trusted);
  };

  return (
    <Stack space="space.150">
      <Heading size="small" as="h2">
        Verify an evidence pack
      </Heading>
      <Text>
        Checks a downloaded pack here in the browser, offline, with the rules and messages of <code>aigis verify</code>: every digest and signature, the log&apos;s
        hash chain and checkpoints, and that each table row is proven by the log.
      </Text>
      <Box
        xcss={[dropZone, over && dropZoneOver]}
        testId="verify-drop"
        onDragOver={(e: React.DragEvent) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e: React.DragEvent) => {
          e.preventDefault();
          setOver(false);
          const f = e.dataTransfer.files[0];
          if (f) choose(f);
        }}
      >
        <Stack space="space.100">
          <label htmlFor={`${ids}-pack`}>
            <Text weight="medium">Evidence pack (.zip): drop it here or choose it</Text>
          </label>
          <input id={`${ids}-pack`} name="verifyPack" type="file" accept=".zip,application/zip" data-testid="verify-pack-input" onChange={(e) => choose(e.target.files?.[0] ?? null)} />
          <label htmlFor={`${ids}-previous`}>
            <Text weight="medium">Older pack it must extend (optional, as --previous)</Text>
          </label>
          <input
            id={`${ids}-previous`}
            name="verifyPrevious"
            type="file"
            accept=".zip,application/zip"
            onChange={(e) => {
              const f = e.target.files?.[0] ?? null;
              setPrevious(f);
              void run(pack, f, trusted);
            }}
          />
        </Stack>
      </Box>
      <Inline space="space.150" alignBlock="end" shouldWrap>
        <TextRow
          name="trustedKey"
          label="Trusted verifier key (optional, as --trusted-key)"
          value={trusted}
          onChange={setTrusted}
          help="The verifier key you keep, e.g. from Signing key or an earlier pack's keys.json."
        />
        <Button onClick={() => void run(pack, previous, trusted)} isDisabled={!pack || state.kind === 'running'}>
          Verify again
        </Button>
      </Inline>
      <Outcome state={state} />
    </Stack>
  );
}

function Outcome({ state }: { state: State }): React.JSX.Element | null {
  if (state.kind === 'idle') return null;
  if (state.kind === 'running') return <Text testId="verify-running">Verifying {state.name}…</Text>;
  if (state.kind === 'error')
    return (
      <SectionMessage appearance="error" title="The verifier could not run" testId="verify-result">
        <Text>
          {state.name}: {state.message}
        </Text>
      </SectionMessage>
    );
  const { report: r, text } = state.outcome;
  const f = r.failure;
  return (
    <SectionMessage
      appearance={r.ok ? 'success' : 'error'}
      title={r.ok ? 'OK: the evidence pack verifies' : 'FAILED: the evidence pack does not verify'}
      testId="verify-result"
    >
      <Stack space="space.100">
        <Text>
          {state.name}: {verdictLine(state.outcome)}
        </Text>
        {f && (
          <table data-testid="verify-failure">
            <caption>The first check that failed</caption>
            <tbody>
              <tr>
                <th scope="row">Rule</th>
                <td>
                  <code>{f.rule}</code>
                </td>
              </tr>
              <tr>
                <th scope="row">Where</th>
                <td>{failureWhere(f)}</td>
              </tr>
              <tr>
                <th scope="row">What</th>
                <td>{f.message}</td>
              </tr>
            </tbody>
          </table>
        )}
        <Text testId="verify-key">
          {r.keyId === undefined
            ? 'No signing key was read.'
            : r.keyPinned
              ? `Signing key ${r.keyId}: pinned (the trusted key or the older pack).`
              : `Signing key ${r.keyId}: not pinned (taken from the pack itself).`}
        </Text>
        {reportNotes(r).map((n) => (
          <Text key={n}>{n}</Text>
        ))}
        <details>
          <summary>What aigis verify prints ({state.version})</summary>
          <pre data-testid="verify-text">{text}</pre>
        </details>
      </Stack>
    </SectionMessage>
  );
}
