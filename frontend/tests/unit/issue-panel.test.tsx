import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { act, cleanup, render, screen } from '@testing-library/react';
import type { IssueRequest, Job } from '../../src/generated/api';
import { nextStep } from '../../src/lib/next-step';
import { checkProof, checkpointHead, rootFromInclusion } from '../../src/lib/proof';
import { EnvProvider, type ModuleEnv } from '../../src/lib/mount';
import { createNameBook } from '../../src/lib/names';
import type { Invoke } from '../../src/lib/invoker';
import { actionCall, availableActions, extendDaysError, inputsError, rationaleError } from '../../src/modules/issue-panel/rules';
import { DetailPanel, grantExpiry } from '../../src/modules/portal-detail/DetailPanel';
import { IssuePanel } from '../../src/modules/issue-panel/IssuePanel';

const noCan = { approve: false, deny: false, extend: false, revoke: false, answerReview: false, completeJob: false };
const job = (over: Partial<Job> = {}): Job => ({
  id: 'j-7', kind: 'provision', grant: 'g-1', mode: { type: 'manual' }, status: 'manualPending', attempts: 1, dueAt: 0, createdAt: 0, updatedAt: 0, ...over,
});

function ir(over: Partial<IssueRequest> = {}, req: Partial<IssueRequest['request']> = {}): IssueRequest {
  return {
    request: {
      id: '10001', issueKey: 'AI-1', projectKey: 'AI', requester: 'acc-req', tool: 'claude', toolName: 'Claude', purpose: 'Drafting release notes',
      durationDays: 30, summary: 's', decision: 'pending', ...req,
    } as IssueRequest['request'],
    decision: { decision: req.decision ?? 'pending' },
    jobs: [],
    trail: [],
    can: noCan,
    ...over,
  };
}

const grant = (status: 'active' | 'pendingProvision' | 'expired' | 'revoked', expiresAt = 1_000_000) => ({
  grant: { id: 'g-1', request: '10001', issueKey: 'AI-1', account: 'acc-req', tool: 'claude', status, durationDays: 30, createdAt: 0, expiresAt } as never,
  expiresAtText: '',
});

test('actions follow what the viewer may do and the state of the request and grant', () => {
  assert.deepEqual(availableActions(ir()), [], 'a viewer who may do nothing sees no action');
  assert.deepEqual(availableActions(ir({ can: { ...noCan, approve: true, deny: true } })).map((a) => a.kind), ['approve', 'deny']);
  assert.deepEqual(availableActions(ir({ can: { ...noCan, approve: true, deny: true } }, { decision: 'approved' })).map((a) => a.kind), [], 'decided');
  const live = ir({ grant: grant('active'), can: { ...noCan, extend: true, revoke: true, answerReview: true } }, { decision: 'approved' });
  assert.deepEqual(availableActions(live).map((a) => a.kind), ['keep', 'reviewRevoke', 'extend', 'revoke']);
  const ended = ir({ grant: grant('revoked'), can: { ...noCan, extend: true, revoke: true } }, { decision: 'approved' });
  assert.deepEqual(availableActions(ended), [], 'nothing to extend or revoke on an ended grant');
  const tasks = ir({ jobs: [job(), job({ id: 'j-8', status: 'completed' })], can: { ...noCan, completeJob: true } }, { decision: 'approved' });
  assert.deepEqual(availableActions(tasks).map((a) => a.job?.id), ['j-7'], 'only the manual job still waiting');
});

test('inputs are checked before sending; the calls carry the seen expiry and the right answer', () => {
  assert.ok(rationaleError('deny', '  '));
  assert.equal(rationaleError('approve', ''), null, 'approval needs no rationale');
  assert.ok(rationaleError('approve', 'x'.repeat(2001)));
  assert.ok(extendDaysError('0'));
  assert.ok(extendDaysError('181'));
  assert.ok(extendDaysError('1.5'));
  assert.equal(extendDaysError('30'), null);
  assert.ok(inputsError('extend', { rationale: 'more', days: '500', note: '' })?.includes('1 to 180'));
  const live = ir({ grant: grant('active', 123456) }, { decision: 'approved' });
  const inputs = { rationale: ' still needed ', days: ' 14 ', note: '' };
  assert.deepEqual(actionCall(live, { kind: 'extend', label: '' }, inputs, () => ''), {
    key: 'grants.extend',
    args: { grantId: 'g-1', days: 14, rationale: 'still needed', expectedExpiresAt: 123456 },
  });
  assert.deepEqual(actionCall(live, { kind: 'reviewRevoke', label: '' }, inputs, () => ''), {
    key: 'reviews.answer',
    args: { grantId: 'g-1', answer: 'revoke', rationale: 'still needed' },
  });
  assert.deepEqual(actionCall(ir(), { kind: 'approve', label: '' }, { rationale: '', days: '', note: '' }, () => ''), {
    key: 'requests.approve',
    args: { requestId: '10001' },
  });
  assert.deepEqual(actionCall(live, { kind: 'complete', label: '', job: job() }, { rationale: '', days: '', note: ' seat 4 ' }, () => 'fulfilled'), {
    key: 'jobs.complete',
    args: { jobId: 'j-7', outcome: 'fulfilled', note: 'seat 4' },
  });
});

test('next step and expiry words for the requester', () => {
  assert.match(nextStep(ir()), /Waiting for an approver/);
  assert.match(nextStep(ir({}, { securityReview: true })), /security review/);
  assert.match(nextStep(ir({}, { decision: 'denied' })), /denied/);
  assert.match(nextStep(ir({ grant: grant('active') }, { decision: 'approved' })), /in place/);
  assert.equal(grantExpiry(ir(), 0), null);
  assert.equal(grantExpiry(ir({ grant: { ...grant('active', Date.parse('2026-11-24T02:00:00Z')) } }), Date.parse('2026-11-23T22:30:00Z'), 'Asia/Tokyo'), 'expires today');
  assert.equal(grantExpiry(ir({ grant: { ...grant('active'), expiryLabel: '3 days remaining' } }), 0), '3 days remaining', 'the backend label wins');
});

const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const leaf = (s: string) => sha(Buffer.from([0]), Buffer.from(s));
const node = (l: Buffer, r: Buffer) => sha(Buffer.from([1]), l, r);

test('inclusion proofs are checked here: path to root, root and size in the checkpoint', async () => {
  // A tree of 5 leaves: root = node(node(node(a,b), node(c,d)), e).
  const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map(leaf);
  const root = node(node(node(a, b), node(c, d)), e);
  const hex = (x: Buffer) => x.toString('hex');
  assert.equal(await rootFromInclusion(hex(c), 2, 5, [hex(d), hex(node(a, b)), hex(e)]), hex(root));
  assert.equal(await rootFromInclusion(hex(e), 4, 5, [hex(node(node(a, b), node(c, d)))]), hex(root));
  assert.equal(await rootFromInclusion(hex(c), 2, 5, [hex(d), hex(node(a, b))]), null, 'too short');
  assert.equal(await rootFromInclusion(hex(c), 5, 5, []), null, 'index outside the tree');
  const checkpoint = `aigis.example/log\n5\n${root.toString('base64')}\n\n— aigis abc=\n`;
  assert.deepEqual(checkpointHead(checkpoint), { size: 5, root: hex(root) });
  const proof = { seq: 3, leafIndex: 2, leafHash: hex(c), treeSize: 5, rootHash: hex(root), proof: [hex(d), hex(node(a, b)), hex(e)], checkpoint, verifierKey: 'k' };
  assert.deepEqual(await checkProof(proof, hex(c)), { ok: true });
  assert.equal((await checkProof(proof, hex(d))).ok, false, 'another event');
  assert.equal((await checkProof({ ...proof, proof: [hex(c), hex(node(a, b)), hex(e)] })).ok, false, 'tampered path');
  assert.equal((await checkProof({ ...proof, checkpoint: checkpoint.replace('\n5\n', '\n6\n') })).ok, false, 'checkpoint of another size');
});

function env(): ModuleEnv {
  const fake = (async (_k: string, args: { accountIds: string[] }) => ({
    users: args.accountIds.map((id) => ({ accountId: id, known: true, active: true, displayName: id === 'acc-req' ? 'Rita Requester' : 'Abe Approver' })),
  })) as unknown as Invoke;
  return { context: { moduleKey: 'aigis-issue-panel', accountId: 'acc-appr', timezone: 'UTC', extension: {} }, names: createNameBook(fake), now: () => 0 };
}

test('the issue panel shows the request by names, its decision and only the actions allowed', async () => {
  cleanup();
  const data = ir({ can: { ...noCan, approve: true, deny: true } });
  await act(async () => {
    render(
      <EnvProvider env={env()}>
        <IssuePanel issueKey="AI-1" load={async () => data} send={async () => undefined} />
      </EnvProvider>,
    );
  });
  assert.ok(screen.getByText('Rita Requester'));
  assert.ok(screen.getByText('Claude'));
  assert.ok(screen.getByRole('button', { name: 'Approve' }));
  assert.ok(screen.getByRole('button', { name: 'Deny' }));
  assert.equal(screen.queryByRole('button', { name: 'Revoke' }), null);
  assert.equal(screen.queryByText(/acc-req/), null, 'no raw account id');
  cleanup();
});

test('an issue that is not a request, and the portal detail panel', async () => {
  cleanup();
  await act(async () => {
    render(
      <EnvProvider env={env()}>
        <IssuePanel issueKey="AI-9" load={() => Promise.reject(new Error('{"code":"not-found","message":"no request"}'))} send={async () => undefined} />
      </EnvProvider>,
    );
  });
  assert.ok(screen.getByText('No AI access request'));
  cleanup();
  const approved = ir({ grant: { ...grant('active'), expiryLabel: '12 days remaining' } }, { decision: 'approved' });
  approved.decision = { decision: 'approved', rationale: 'Fits the policy', at: Date.parse('2026-03-03T10:00:00Z') };
  await act(async () => {
    render(
      <EnvProvider env={env()}>
        <DetailPanel issueKey="AI-1" load={async () => approved} />
      </EnvProvider>,
    );
  });
  assert.ok(screen.getByText('12 days remaining'));
  assert.ok(screen.getByText('Fits the policy'));
  assert.ok(screen.getByText(/Access is in place/));
  cleanup();
});
