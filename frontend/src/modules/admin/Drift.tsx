// Catalog › a connected tool › Drift: the last check of the tool's group
// against its open grants (when, complete or not, and why not), each
// difference with its history, and "Check now". An incomplete run reports
// nothing: only complete runs find or resolve differences.

import Button from '@atlaskit/button/new';
import Heading from '@atlaskit/heading';
import Lozenge from '@atlaskit/lozenge';
import { Inline, Stack, Text } from '@atlaskit/primitives';
import SectionMessage from '@atlaskit/section-message';
import React, { useState } from 'react';
import type { Reconciliation, ToolDrift } from '../../generated/api';
import { useAsync } from '../../lib/hooks';
import { formatDateTime } from '../../lib/labels';
import { DataTable, type Column } from '../../lib/table/DataTable';
import { call } from '../global/rpc';
import { Person, useWantNames } from '../global/ui';
import { driftKindWords, driftRunWords, driftStatusWords, findingChangeWords } from './connector-form';

function Findings({ drift, timeZone }: { drift: ToolDrift; timeZone?: string }): React.JSX.Element {
  const wantNames = useWantNames<Reconciliation>((f) => [f.account]);
  const columns: Column<Reconciliation>[] = [
    { key: 'kind', header: 'Difference', cell: (f) => driftKindWords(f.kind) },
    {
      key: 'who',
      header: 'Who',
      cell: (f) => (
        <Stack space="space.025">
          {f.account ? <Person accountId={f.account} /> : <Text>Unknown to Jira</Text>}
          <Text size="small" color="color.text.subtle">
            {f.memberType ? `${f.memberType} ` : ''}
            {f.member}
          </Text>
        </Stack>
      ),
    },
    {
      key: 'status',
      header: 'Status',
      cell: (f) => (f.status === 'open' ? <Lozenge appearance="moved">Open</Lozenge> : <Lozenge appearance="success">Resolved</Lozenge>),
    },
    {
      key: 'seen',
      header: 'Seen',
      cell: (f) => (
        <Text size="small">
          First {formatDateTime(f.firstSeenAt, timeZone)}
          {f.status === 'open' ? `, last ${formatDateTime(f.lastSeenAt, timeZone)}` : f.resolvedAt ? `, resolved ${formatDateTime(f.resolvedAt, timeZone)}` : ''}
        </Text>
      ),
    },
    {
      key: 'history',
      header: 'History',
      cell: (f) => (
        <ul aria-label={`History of ${driftKindWords(f.kind)}: ${f.member}`}>
          {f.history.map((h, i) => (
            <li key={`${h.at}-${i}`}>
              <Text size="small">{findingChangeWords(h, timeZone)}</Text>
            </li>
          ))}
        </ul>
      ),
    },
  ];
  return (
    <DataTable
      caption={`Drift of the group ${drift.groupName || drift.groupId}`}
      columns={columns}
      rowId={(f) => f.id}
      reloadKey={drift}
      onRows={wantNames}
      load={async () => ({ items: drift.findings, nextCursor: null })}
      empty="No difference found: the group's members are exactly the holders of open grants."
      testId="drift-findings"
    />
  );
}

/** The drift view of one connected tool. */
export function Drift({ tool, timeZone }: { tool: string; timeZone?: string }): React.JSX.Element {
  const [report, reload] = useAsync(() => call('connectors.drift', { tool }), [tool]);
  const [busy, setBusy] = useState(false);
  const [ran, setRan] = useState<string | null>(null);
  const check = async (): Promise<void> => {
    setBusy(true);
    try {
      const r = await call('connectors.checkDrift', { tool });
      setRan(driftRunWords(r.run));
    } catch (e) {
      setRan(`The check could not run: ${e instanceof Error ? e.message : 'try again'}.`);
    } finally {
      setBusy(false);
      reload();
    }
  };
  const drift = report.state === 'ready' ? (report.value.tools.find((t) => t.tool === tool) ?? null) : null;
  const words = drift ? driftStatusWords(drift, timeZone) : null;
  const open = drift ? drift.findings.filter((f) => f.status === 'open').length : 0;
  return (
    <Stack space="space.100" testId="drift">
      <Inline spread="space-between" alignBlock="center" shouldWrap>
        <Heading size="xxsmall" as="h4">
          Drift
        </Heading>
        <Button spacing="compact" onClick={() => void check()} isLoading={busy} testId="drift-check">
          Check now
        </Button>
      </Inline>
      {report.state === 'loading' && <Text>Loading drift…</Text>}
      {report.state === 'failed' && <Text color="color.text.danger">Drift could not be loaded: {report.error instanceof Error ? report.error.message : 'try again'}.</Text>}
      {ran && (
        <Text as="p" testId="drift-ran">
          {ran}
        </Text>
      )}
      {report.state === 'ready' && !drift && <Text as="p">This tool is not connected: nothing to compare.</Text>}
      {drift && words && (
        <>
          <SectionMessage
            appearance={words.state === 'incomplete' ? 'warning' : open > 0 ? 'warning' : 'information'}
            title={words.state === 'never' ? 'Not checked yet' : words.state === 'incomplete' ? 'Last check incomplete' : open > 0 ? `${open} open ${open === 1 ? 'difference' : 'differences'}` : 'In step'}
            testId="drift-status"
          >
            <Stack space="space.050">
              <Text as="p">{words.text}</Text>
              <Text as="p">
                {drift.enforce
                  ? 'This connector fixes differences through tasks, each audited.'
                  : 'Differences are reported only: change the connector to have them fixed.'}
              </Text>
            </Stack>
          </SectionMessage>
          <Findings drift={drift} timeZone={timeZone} />
        </>
      )}
    </Stack>
  );
}
