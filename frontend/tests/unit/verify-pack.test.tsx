import assert from 'node:assert/strict';
import { test } from 'node:test';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { VerifyReport } from '../../src/generated/api';
import { PackVerifier } from '../../src/modules/admin/PackVerifier';
import { failureWhere, reportNotes, verdictLine, type Verifier, type VerifyOptions } from '../../src/modules/admin/verify-model';

const base: VerifyReport = {
  ok: true,
  filesChecked: 9,
  eventsChecked: 12,
  macsChecked: 0,
  checkpointsChecked: 2,
  records: { 'grants.csv': 1 },
  keyPinned: false,
  eventsFolded: 12,
  keyId: 'a1b2c3d4',
  provenFrom: 'tables proven by the fold from the empty state at seq 1',
  unpinned: 'the signing key a1b2c3d4 was taken from the pack itself: pin it with --trusted-key',
};

/** A verifier that records what it was given and answers `answer(bytes)`. */
function fake(answer: (pack: Uint8Array, opts: VerifyOptions, previous?: Uint8Array) => VerifyReport) {
  const seen: { pack: string; options: VerifyOptions; previous?: string }[] = [];
  let loads = 0;
  const v: Verifier = {
    version: 'aigis 0.0.0-test',
    verify: (pack, previous, options) => {
      seen.push({ pack: new TextDecoder().decode(pack), options, previous: previous && new TextDecoder().decode(previous) });
      const report = answer(pack, options, previous);
      const head = report.failure
        ? `FAILED: ${report.failure.file} line ${report.failure.line} field ${report.failure.field} [${report.failure.rule}]: ${report.failure.message}`
        : 'OK: the evidence pack verifies';
      return { report, text: `${head}\nsigning key id:    ${report.keyId}\n` };
    },
  };
  return {
    seen,
    loads: () => loads,
    load: async () => {
      loads += 1;
      return v;
    },
  };
}

const file = (name: string, text: string): File => new File([text], name, { type: 'application/zip' });

test('the verifier is loaded only once a pack is chosen, and an OK pack shows its unpinned key and notes', async () => {
  const f = fake(() => base);
  render(<PackVerifier load={f.load} />);
  assert.equal(f.loads(), 0, 'nothing loaded before a pack is chosen');
  assert.equal(screen.queryByTestId('verify-result'), null);
  const input = screen.getByLabelText(/Evidence pack \(\.zip\)/);
  await act(async () => void fireEvent.change(input, { target: { files: [file('good.zip', 'PK-good')] } }));
  await waitFor(() => assert.ok(screen.getByTestId('verify-result')));
  const result = screen.getByTestId('verify-result').textContent ?? '';
  assert.match(result, /OK: the evidence pack verifies/);
  assert.match(result, /good\.zip/);
  assert.match(screen.getByTestId('verify-key').textContent ?? '', /a1b2c3d4: not pinned/);
  assert.match(result, /proven by the fold/);
  assert.match(result, /--trusted-key/);
  assert.equal(screen.getByTestId('verify-text').textContent, 'OK: the evidence pack verifies\nsigning key id:    a1b2c3d4\n');
  assert.equal(screen.queryByTestId('verify-failure'), null);
  assert.deepEqual(f.seen, [{ pack: 'PK-good', options: {}, previous: undefined }]);
  cleanup();
});

test('a failed pack names rule, file, line and field; the trusted key and older pack are passed as aigis verify takes them', async () => {
  const f = fake((_, opts, previous) =>
    opts.trustedKey && previous
      ? { ...base, keyPinned: true, unpinned: undefined }
      : { ...base, ok: false, failure: { file: 'grants.csv', line: 2, field: 'expiresAt', rule: 'fold.field', message: 'expiresAt is not what the log proves' } },
  );
  render(<PackVerifier load={f.load} />);
  await act(async () => void fireEvent.change(screen.getByLabelText(/Evidence pack \(\.zip\)/), { target: { files: [file('bad.zip', 'PK-bad')] } }));
  await waitFor(() => assert.ok(screen.getByTestId('verify-failure')));
  const failure = screen.getByTestId('verify-failure').textContent ?? '';
  assert.match(failure, /fold\.field/);
  assert.match(failure, /grants\.csv, line 2, field expiresAt/);
  assert.match(failure, /not what the log proves/);
  assert.match(screen.getByTestId('verify-result').textContent ?? '', /FAILED: the evidence pack does not verify/);

  // A trusted key (surrounding white space dropped) and the older pack: verified again, pinned.
  await act(async () => void fireEvent.change(screen.getByLabelText(/Trusted verifier key/), { target: { value: '  aigis+a1b2c3d4+AAAA \n' } }));
  await act(async () => void fireEvent.change(screen.getByLabelText(/Older pack/), { target: { files: [file('old.zip', 'PK-old')] } }));
  await waitFor(() => assert.match(screen.getByTestId('verify-key').textContent ?? '', /a1b2c3d4: pinned/));
  assert.equal(screen.queryByTestId('verify-failure'), null);
  assert.deepEqual(f.seen.at(-1), { pack: 'PK-bad', options: { trustedKey: 'aigis+a1b2c3d4+AAAA' }, previous: 'PK-old' });
  cleanup();
});

test('a verifier that cannot load or rejects the options says so in words', async () => {
  render(
    <PackVerifier
      load={async () => {
        throw new Error(JSON.stringify({ code: 'invalid_options', message: 'options: unknown field `x`', field: 'x' }));
      }}
    />,
  );
  await act(async () => void fireEvent.change(screen.getByLabelText(/Evidence pack \(\.zip\)/), { target: { files: [file('p.zip', 'PK')] } }));
  await waitFor(() => assert.ok(screen.getByTestId('verify-result')));
  const text = screen.getByTestId('verify-result').textContent ?? '';
  assert.match(text, /The verifier could not run/);
  assert.match(text, /p\.zip: options: unknown field `x`/);
  cleanup();
});

test('the words of a report: verdict line, where a failure is, notes in the order aigis verify prints them', () => {
  assert.equal(verdictLine({ report: base, text: 'OK: the evidence pack verifies\nmore\n' }), 'OK: the evidence pack verifies');
  assert.equal(failureWhere({ file: 'manifest.json', rule: 'key.untrusted', message: 'm' }), 'manifest.json');
  assert.equal(failureWhere({ file: 'audit.jsonl', line: 3, seq: 7, rule: 'audit.entry-hash', message: 'm' }), 'audit.jsonl, line 3, seq 7');
  assert.deepEqual(reportNotes({ ...base, anchor: 'anchored', previous: 'extends' }), [base.provenFrom, 'anchored', 'extends', base.unpinned]);
  assert.deepEqual(reportNotes({ ...base, provenFrom: undefined, unpinned: undefined }), []);
});
