import assert from 'node:assert/strict';
import { test } from 'node:test';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { bridgeCalls, fakeForge, setBridge } from './bridge';
import type { Request as AccessRequest } from '../../src/generated/api';
import { Approvals } from '../../src/modules/global/Approvals';
import { GlobalPage } from '../../src/modules/global/GlobalPage';
import { NamesProvider } from '../../src/modules/global/ui';

const req = (id: string, issueKey: string, requester: string, toolName: string): AccessRequest => ({
  id,
  issueKey,
  projectKey: 'AIR',
  requester,
  tool: toolName.toLowerCase(),
  toolName,
  purpose: 'Drafting release notes',
  durationDays: 14,
  summary: '',
  decision: 'pending',
  createdAt: Date.UTC(2026, 10, 1),
});

const PEOPLE: Record<string, string> = { rita: 'Rita Requester', sam: 'Sam Requester', bea: 'Bea Approver' };

function forge(decided: unknown[]) {
  return fakeForge({
    resolvers: {
      'requests.pending': () => ({
        requests: [req('1', 'AIR-1', 'rita', 'Claude'), req('2', 'AIR-2', 'sam', 'Gemini'), req('3', 'AIR-3', 'bea', 'Copilot')],
        nextCursor: null,
      }),
      'directory.users': (p) => ({
        users: (p.accountIds as string[]).map((accountId) => ({ accountId, known: true, active: true, displayName: PEOPLE[accountId] })),
      }),
      'requests.decide': (p) => {
        decided.push(p);
        return {
          succeeded: 1,
          failed: 1,
          results: [
            { requestId: '1', ok: true, decision: 'approved', changed: true },
            { requestId: '2', ok: false, error: { code: 'conflict', message: 'the requester already has an open grant for Gemini' } },
          ],
        };
      },
    },
  });
}

test('Approvals: own requests cannot be selected; bulk approve confirms by name, sends the ids, and reports each item', async () => {
  const decided: unknown[] = [];
  setBridge(forge(decided));
  await act(async () => {
    render(
      <NamesProvider>
        <Approvals me="bea" />
      </NamesProvider>,
    );
  });
  await screen.findByText('AIR-1');
  await waitFor(() => assert.ok(screen.getAllByText('Rita Requester').length > 0), { timeout: 2000 });
  assert.equal(screen.queryByLabelText('Select 3'), null, 'the approver’s own request has no checkbox');
  await act(async () => void fireEvent.click(screen.getByLabelText('Select 1')));
  await act(async () => void fireEvent.click(screen.getByLabelText('Select 2')));
  assert.ok(screen.getByText('2 of at most 50 selected'));
  await act(async () => void fireEvent.click(screen.getByTestId('bulk-approve')));
  await screen.findByText('Approve 2 requests?');
  assert.ok(screen.getByText('AIR-1: Claude for Rita Requester, 14 days'));
  assert.ok(screen.getByText('AIR-2: Gemini for Sam Requester, 14 days'));
  await act(async () => void fireEvent.change(screen.getByLabelText(/Rationale/), { target: { value: ' batch ' } }));
  await act(async () => void fireEvent.click(screen.getByTestId('confirm-button')));
  await screen.findByText('What happened to each request');
  assert.deepEqual(decided, [{ requestIds: ['1', '2'], decision: 'approve', rationale: 'batch' }]);
  assert.ok(screen.getByText('AIR-1: approved'));
  assert.ok(screen.getByText('AIR-2: not done: the requester already has an open grant for Gemini'));
  const flags = bridgeCalls().filter((c) => c.name === 'showFlag');
  assert.equal(flags.length, 1);
  assert.match(JSON.stringify(flags[0]!.payload), /1 approved, 1 not done/);
  cleanup();
});

test('deny needs a rationale before it can be confirmed', async () => {
  const decided: unknown[] = [];
  setBridge(forge(decided));
  await act(async () => {
    render(
      <NamesProvider>
        <Approvals me="bea" />
      </NamesProvider>,
    );
  });
  await screen.findByText('AIR-1');
  await act(async () => void fireEvent.click(screen.getByLabelText('Select 1')));
  await act(async () => void fireEvent.click(screen.getByTestId('bulk-deny')));
  await screen.findByText('Deny 1 request?');
  assert.ok(screen.getByText(/Rationale: give a reason to deny/));
  assert.equal((screen.getByTestId('confirm-button') as HTMLButtonElement).disabled, true);
  await act(async () => void fireEvent.change(screen.getByLabelText(/Rationale/), { target: { value: 'no client data' } }));
  assert.equal((screen.getByTestId('confirm-button') as HTMLButtonElement).disabled, false);
  assert.equal(decided.length, 0);
  cleanup();
});

test('a stranger sees no Approvals, Manual tasks or Reviews tab; an approver does', async () => {
  setBridge(fakeForge({ resolvers: { 'grants.mine': () => ({ grants: [], timeZone: 'UTC', nextCursor: null }) } }));
  await act(async () => {
    render(<GlobalPage me={{ accountId: 'sam', isAdmin: false, isApprover: false }} tab="access" onTab={() => undefined} />);
  });
  assert.ok(screen.getByText('My access'));
  for (const t of ['Approvals', 'Manual tasks', 'Reviews']) assert.equal(screen.queryByText(t), null, t);
  cleanup();
  await act(async () => {
    render(<GlobalPage me={{ accountId: 'bea', isAdmin: false, isApprover: true }} tab="access" onTab={() => undefined} />);
  });
  for (const t of ['Approvals', 'Manual tasks', 'Reviews']) assert.ok(screen.getByText(t), t);
  cleanup();
});
