import assert from 'node:assert/strict';
import { test } from 'node:test';
import { act, render, screen } from '@testing-library/react';
import { bridgeCalls, fakeForge, setBridge } from './bridge';
import { getContext, issueKeyOf, portalOf, readContext, resetContextCache, colorModeOf } from '../../src/lib/context';
import { describeError, ApiError } from '../../src/lib/errors';
import { fieldLabel } from '../../src/lib/labels';
import { expiryLabel, expiryTone, relativeTime, safeZone, viewerTime } from '../../src/lib/format';
import { invoke } from '../../src/lib/invoke';
import { createNameBook, fallbackName } from '../../src/lib/names';
import { EnvProvider, type ModuleEnv } from '../../src/lib/mount';
import { UserName } from '../../src/lib/components/UserName';
import { stateLook } from '../../src/lib/components/StateLozenge';
import type { Invoke } from '../../src/lib/invoker';

const at = (s: string) => Date.parse(s);

test('expiryLabel counts calendar days in the viewer zone, as the backend does', () => {
  const exp = at('2026-11-24T02:00:00Z');
  const now = at('2026-11-23T22:30:00Z');
  assert.equal(expiryLabel(exp, now, 'UTC'), 'expires tomorrow');
  assert.equal(expiryLabel(exp, now, 'Asia/Tokyo'), 'expires today');
  assert.equal(expiryLabel(exp, now, 'America/Los_Angeles'), 'expires today');
  assert.equal(expiryLabel(exp, now, 'Europe/Paris'), 'expires tomorrow');
  assert.equal(expiryLabel(now, now, 'UTC'), 'expired');
  const t0 = at('2026-11-23T12:00:00Z');
  assert.equal(expiryLabel(at('2026-11-26T00:01:00Z'), t0, 'America/New_York'), '2 days remaining');
  assert.equal(expiryLabel(exp, now, 'Not/AZone'), 'expires tomorrow', 'unknown zone is UTC');
  assert.equal(safeZone('Not/AZone'), 'UTC');
  assert.equal(expiryTone(t0 + 3 * 86_400_000, t0), 'soon');
  assert.equal(expiryTone(t0 + 30 * 86_400_000, t0), 'later');
  assert.equal(expiryTone(t0 - 1, t0), 'expired');
});

test('viewerTime shows the instant in the viewer zone; relativeTime both ways', () => {
  const t = at('2026-03-03T13:05:00Z');
  assert.equal(viewerTime(t, 'Europe/Berlin'), '3 Mar 2026, 14:05');
  assert.equal(viewerTime(t, 'UTC'), '3 Mar 2026, 13:05');
  assert.equal(relativeTime(t + 3 * 86_400_000 + 5, t), 'in 3 days');
  assert.equal(relativeTime(t - 2 * 3_600_000, t), '2 hours ago');
  assert.equal(relativeTime(t, t), 'just now');
});

test('context readers: issue key, portal ids, color mode', () => {
  const issue = readContext({
    accountId: 'u1',
    moduleKey: 'aigis-issue-panel',
    timezone: 'Europe/Berlin',
    theme: { colorMode: 'dark' },
    extension: { type: 'jira:issuePanel', issue: { key: 'AI-1', id: '10001' }, project: { key: 'AI', id: '10000' } },
  });
  assert.equal(issueKeyOf(issue), 'AI-1');
  assert.equal(portalOf(issue), null);
  assert.equal(colorModeOf(issue), 'dark');
  const detail = readContext({
    moduleKey: 'aigis-portal-detail',
    extension: { type: 'jiraServiceManagement:portalRequestDetailPanel', portal: { id: 1 }, request: { key: 'AI-7', typeId: 2 } },
  });
  assert.equal(issueKeyOf(detail), 'AI-7');
  assert.deepEqual(portalOf(detail), { portalId: '1', requestTypeId: '2' });
  const create = readContext({
    moduleKey: 'aigis-portal-create',
    extension: { type: 'jiraServiceManagement:portalRequestCreatePropertyPanel', portal: { id: 1 }, request: { typeId: 2 } },
  });
  assert.equal(issueKeyOf(create), null);
  assert.deepEqual(portalOf(create), { portalId: '1', requestTypeId: '2' });
  assert.equal(colorModeOf(create), 'light');
  assert.deepEqual(readContext(null), { moduleKey: '', extension: {} });
});

test('getContext asks the bridge once per page load', async () => {
  resetContextCache();
  setBridge(fakeForge({ context: { moduleKey: 'aigis-home', accountId: 'u1', extension: { type: 'jira:globalPage' } } }));
  const a = await getContext();
  const b = await getContext();
  assert.equal(a.accountId, 'u1');
  assert.equal(a, b);
  assert.equal(bridgeCalls().filter((c) => c.name === 'getContext').length, 1);
});

test('invoke goes through @forge/bridge and turns a resolver error into an ApiError', async () => {
  setBridge(
    fakeForge({
      resolvers: {
        whoami: () => ({ accountId: 'u1' }),
        'requests.approve': () => {
          throw new Error('{"code":"invalid","message":"rationale must not be empty","field":"rationale"}');
        },
      },
    }),
  );
  const me = await invoke('whoami', {});
  assert.equal((me as { accountId: string }).accountId, 'u1');
  assert.deepEqual(bridgeCalls()[0], { name: 'invoke', payload: { functionKey: 'whoami', payload: {}, metadata: undefined } });
  await assert.rejects(invoke('requests.approve', { requestId: '1', rationale: '' }), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 'invalid');
    assert.equal(e.field, 'rationale');
    return true;
  });
});

test('describeError names the field by the form label, or the shared label', () => {
  const err = new ApiError('invalid', 'must be at most 90', 'durationDays');
  assert.deepEqual(describeError(err, { durationDays: 'How long' }, fieldLabel), {
    code: 'invalid',
    title: 'Not valid',
    message: 'must be at most 90',
    field: 'durationDays',
    fieldLabel: 'How long',
  });
  assert.equal(describeError(err, {}, fieldLabel).fieldLabel, fieldLabel('durationDays'));
  assert.equal(describeError(new Error('boom')).code, 'internal');
});

test('names: all ids asked in one tick go in one directory.users call; answers are cached', async () => {
  const asked: string[][] = [];
  const fake = (async (key: string, args: { accountIds: string[] }) => {
    assert.equal(key, 'directory.users');
    asked.push(args.accountIds);
    return { users: args.accountIds.filter((id) => id !== 'gone').map((id) => ({ accountId: id, known: true, active: true, displayName: `Name ${id}` })) };
  }) as unknown as Invoke;
  const book = createNameBook(fake);
  const [a, b, c, gone] = await Promise.all([book.name('a'), book.name('b'), book.name('a'), book.person('gone')]);
  assert.deepEqual([a, b, c], ['Name a', 'Name b', 'Name a']);
  assert.equal(fallbackName(gone), 'Unknown user');
  assert.deepEqual(asked, [['a', 'b', 'gone']]);
  assert.equal(await book.name('b'), 'Name b');
  assert.equal(asked.length, 1, 'cached');
  const many = Array.from({ length: 150 }, (_, i) => `id${i}`);
  await Promise.all(many.map((id) => book.person(id)));
  assert.deepEqual(asked.slice(1).map((x) => x.length), [100, 50]);
});

test('UserName renders the display name, never the account id', async () => {
  const fake = (async (_k: string, args: { accountIds: string[] }) => ({
    users: args.accountIds.map((id) => ({ accountId: id, known: true, active: true, displayName: 'Ada Lovelace' })),
  })) as unknown as Invoke;
  const env: ModuleEnv = { context: { moduleKey: 'm', accountId: 'acc-1', extension: {} }, names: createNameBook(fake), now: () => 0 };
  await act(async () => {
    render(
      <EnvProvider env={env}>
        <UserName accountId="acc-1" />
      </EnvProvider>,
    );
  });
  assert.ok(screen.getByText('Ada Lovelace (you)'));
  assert.equal(screen.queryByText(/acc-1/), null);
});

test('state lozenges: each state has a look and words', () => {
  assert.deepEqual(stateLook({ kind: 'grant', value: 'active' }), { appearance: 'success', label: 'Active' });
  assert.deepEqual(stateLook({ kind: 'decision', value: 'denied' }), { appearance: 'removed', label: 'Denied' });
  assert.equal(stateLook({ kind: 'job', value: 'manualPending' }).appearance, 'moved');
  assert.equal(stateLook({ kind: 'risk', value: 'high' }).label, 'High risk');
});
