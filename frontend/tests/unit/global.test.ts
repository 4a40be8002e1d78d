import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SOON_DAYS, expiryText, urgency } from '../../src/modules/global/access';
import { pathOfTab, tabOfPath, tabsFor } from '../../src/modules/global/tabs';

const DAY = 86_400_000;
const now = Date.UTC(2025, 5, 1, 12);

test('a stranger sees no approver screens; approvers and admins see Approvals, Manual tasks and Reviews', () => {
  const stranger = tabsFor({ isAdmin: false, isApprover: false }).map((t) => t.id);
  assert.deepEqual(stranger, ['access', 'tools', 'history']);
  for (const me of [
    { isAdmin: false, isApprover: true },
    { isAdmin: true, isApprover: false },
  ]) {
    assert.deepEqual(
      tabsFor(me).map((t) => t.id),
      ['access', 'tools', 'history', 'approvals', 'tasks', 'reviews'],
    );
  }
});

test('routes name tabs; a route to a screen the viewer lacks opens the first one', () => {
  const approver = tabsFor({ isAdmin: false, isApprover: true });
  const stranger = tabsFor({ isAdmin: false, isApprover: false });
  assert.equal(tabOfPath('/approvals', approver), 'approvals');
  assert.equal(tabOfPath('approvals/extra?x=1', approver), 'approvals');
  assert.equal(tabOfPath('/approvals', stranger), 'access');
  assert.equal(tabOfPath('/', stranger), 'access');
  assert.equal(tabOfPath('/nope', approver), 'access');
  assert.equal(tabOfPath(pathOfTab('reviews'), approver), 'reviews');
});

test('urgency: expired and expiring within a week are highlighted; pending and revoked are not', () => {
  const g = (status: 'active' | 'expired' | 'revoked' | 'pendingProvision', inDays: number) => ({
    status,
    expiresAt: now + inDays * DAY,
    activatedAt: now - DAY,
  });
  assert.equal(urgency(g('active', 30), now), null);
  assert.equal(urgency(g('active', SOON_DAYS), now), 'soon');
  assert.equal(urgency(g('active', SOON_DAYS + 0.01), now), null);
  assert.equal(urgency(g('active', 0.5), now), 'soon');
  assert.equal(urgency(g('active', 0), now), 'expired', 'past its end before the sweep marks it');
  assert.equal(urgency(g('expired', -3), now), 'expired');
  assert.equal(urgency(g('revoked', 2), now), null);
  assert.equal(urgency(g('pendingProvision', 2), now), null);
  assert.equal(expiryText({ expiryLabel: '3 days remaining', status: 'active' }), '3 days remaining');
  assert.equal(expiryText({ expiryLabel: null, status: 'revoked' }), 'revoked');
  assert.equal(expiryText({ expiryLabel: null, status: 'pendingProvision' }), 'starts once access is given');
});

test('names are asked for in bulk, each id once, in batches of at most 100, and shown by id until known', async () => {
  const { NameCache, displayName } = await import('../../src/modules/global/names');
  const calls: string[][] = [];
  const cache = new NameCache(async (ids) => {
    calls.push(ids);
    return { users: ids.filter((id) => id !== 'gone').map((accountId) => ({ accountId, known: true, displayName: `Name of ${accountId}`, active: accountId !== 'left' })) };
  });
  let heard = 0;
  const off = cache.subscribe(() => (heard += 1));
  assert.equal(cache.nameOf('a'), 'a');
  await cache.want(['a', 'b', 'a', 'app:job-runner', '']);
  assert.deepEqual(calls, [['a', 'b']]);
  assert.equal(cache.nameOf('a'), 'Name of a');
  assert.equal(cache.nameOf('app:job-runner'), 'Aigis · job-runner');
  await cache.want(['a', 'b']);
  assert.equal(calls.length, 1, 'cached: not asked again');
  const many = Array.from({ length: 230 }, (_, i) => `u${i}`);
  await cache.want(many);
  assert.deepEqual(calls.slice(1).map((c) => c.length), [100, 100, 30]);
  assert.equal(heard, 2);
  off();
  await cache.want(['left']);
  assert.equal(heard, 2);
  assert.equal(cache.nameOf('left'), 'Name of left (inactive)');
  assert.equal(displayName({ accountId: 'x', known: false, active: false }, 'x'), 'Unknown user (x)');
  const failing = new NameCache(async () => {
    throw new Error('down');
  });
  await failing.want(['z']);
  assert.equal(failing.nameOf('z'), 'z');
});

test('extendCheck: 1 to 180 whole days and a rationale, named by field', async () => {
  const { extendCheck } = await import('../../src/modules/global/access');
  assert.deepEqual(extendCheck(' 30 ', ' more time '), { days: 30, rationale: 'more time' });
  for (const bad of ['0', '181', '2.5', '', 'ten', '-3']) {
    const r = extendCheck(bad, 'x');
    assert.ok('error' in r && r.error.field === 'days' && /^Days to add/.test(r.error.message), bad);
  }
  const r = extendCheck('7', '  ');
  assert.ok('error' in r && r.error.field === 'rationale');
  assert.ok('days' in extendCheck('180', 'x'));
});
