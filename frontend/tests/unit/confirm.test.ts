import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bulkDecisionConfirmation,
  extendConfirmation,
  plural,
  retireConfirmation,
  reviewConfirmation,
  revokeConfirmation,
  seedConfirmation,
} from '../../src/lib/confirm/text';
import { bulkPayload, describeOutcome, outcomeSummary } from '../../src/modules/global/decide';

const three = [
  { issueKey: 'AI-1', tool: 'ChatGPT', person: 'Ada Lovelace', durationDays: 30 },
  { issueKey: 'AI-2', tool: 'Claude', person: 'Alan Turing', durationDays: 1 },
  { issueKey: 'AI-3', tool: 'Copilot', person: 'Grace Hopper', durationDays: 7 },
];

test('the bulk approve confirmation counts and names every request and says what happens', () => {
  const c = bulkDecisionConfirmation('approve', three, '  quarterly batch ');
  assert.equal(c.title, 'Approve 3 requests?');
  assert.equal(c.confirmLabel, 'Approve 3 requests');
  assert.equal(c.appearance, 'primary');
  assert.deepEqual(c.items, ['AI-1: ChatGPT for Ada Lovelace, 30 days', 'AI-2: Claude for Alan Turing, 1 day', 'AI-3: Copilot for Grace Hopper, 7 days']);
  assert.match(c.body.join(' '), /approve these 3 requests and queue access/);
  assert.match(c.body.join(' '), /"quarterly batch"/);
  assert.match(c.body.join(' '), /left as it is/);
  const none = bulkDecisionConfirmation('approve', three.slice(0, 1), '');
  assert.equal(none.title, 'Approve 1 request?');
  assert.match(none.body.join(' '), /this request/);
  assert.match(none.body.join(' '), /No rationale/);
});

test('the bulk deny confirmation is a danger that quotes the rationale the requesters will see', () => {
  const c = bulkDecisionConfirmation('deny', three.slice(0, 2), 'not for client data');
  assert.equal(c.title, 'Deny 2 requests?');
  assert.equal(c.appearance, 'danger');
  assert.match(c.body.join(' '), /no access is given/);
  assert.match(c.body.join(' '), /"not for client data"/);
});

test('bulkPayload: 1 to 50 requests, a rationale to deny, rationale trimmed and bounded', () => {
  const none = bulkPayload('approve', [], '');
  assert.ok('error' in none && none.error.field === 'requestIds');
  const many = bulkPayload('approve', Array.from({ length: 51 }, (_, i) => String(i)), '');
  assert.ok('error' in many && many.error.field === 'requestIds' && /at most 50/.test(many.error.message) && /51 selected/.test(many.error.message));
  const fifty = bulkPayload('approve', Array.from({ length: 50 }, (_, i) => String(i)), ' ');
  assert.ok('payload' in fifty);
  assert.equal(fifty.payload.requestIds.length, 50);
  assert.equal(fifty.payload.rationale, undefined);
  const deny = bulkPayload('deny', ['1'], '   ');
  assert.ok('error' in deny && deny.error.field === 'rationale' && /^Rationale:/.test(deny.error.message));
  const ok = bulkPayload('deny', ['1', '2'], ' why ');
  assert.ok('payload' in ok);
  assert.deepEqual(ok.payload, { requestIds: ['1', '2'], decision: 'deny', rationale: 'why' });
  const long = bulkPayload('approve', ['1'], 'x'.repeat(2001));
  assert.ok('error' in long && long.error.field === 'rationale');
});

test('per-item results are named by issue key and tell done, already done and refused apart', () => {
  const byId = new Map([
    ['10001', { issueKey: 'AI-1' }],
    ['10002', { issueKey: 'AI-2' }],
  ]);
  const outcome = {
    succeeded: 2,
    failed: 1,
    results: [
      { requestId: '10001', ok: true, decision: 'approved' as const, changed: true },
      { requestId: '10002', ok: true, decision: 'denied' as const, changed: false },
      { requestId: '10003', ok: false, error: { code: 'forbidden' as const, message: 'nobody approves their own request' } },
    ],
  };
  assert.deepEqual(
    describeOutcome(outcome, byId).map((r) => [r.ok, r.text]),
    [
      [true, 'AI-1: approved'],
      [true, 'AI-2: already denied'],
      [false, '10003: not done: nobody approves their own request'],
    ],
  );
  assert.equal(outcomeSummary('approve', outcome), '2 approved, 1 not done');
  assert.equal(outcomeSummary('deny', { succeeded: 3, failed: 0, results: [] }), '3 denied');
});

test('other confirmations say what ends, what stays and what is recorded', () => {
  const g = { tool: 'ChatGPT', person: 'Ada Lovelace', issueKey: 'AI-1' };
  const rv = revokeConfirmation([g], 'left the team');
  assert.equal(rv.title, 'Revoke 1 grant?');
  assert.equal(rv.appearance, 'danger');
  assert.deepEqual(rv.items, ['ChatGPT for Ada Lovelace (AI-1)']);
  assert.match(rv.body.join(' '), /cannot be restored/);
  assert.match(extendConfirmation(g, 14, '3 Apr 2025').body[0]!, /14 days, to end 3 Apr 2025/);
  assert.equal(reviewConfirmation('keep', g).appearance, 'primary');
  assert.equal(reviewConfirmation('revoke', g).appearance, 'danger');
  assert.match(retireConfirmation('Foo', 'blocked', 'leaks').body.join(' '), /blocked.*stays until it expires.*"leaks"/);
  const s = seedConfirmation(['ChatGPT', 'Claude'], 1);
  assert.equal(s.title, 'Add 2 built-in tools?');
  assert.match(s.body.join(' '), /1 tool already in the catalog is left as it is/);
  assert.equal(seedConfirmation([], 5).confirmLabel, 'Nothing to add');
  assert.equal(plural(1, 'day'), '1 day');
  assert.equal(plural(2, 'day'), '2 days');
});
