// The fake Forge runtime's limits, exercised through the real @forge/* SDKs
// (as the Forge build calls them): `node --test tests/forge-host/test/`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Platform } from '../platform.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const requireFromForge = createRequire(path.resolve(here, '../../../forge/package.json'));

const ENTITIES = [
  {
    name: 'grant',
    attributes: { status: { type: 'string' }, expiresAt: { type: 'integer' }, account: { type: 'string' } },
    indexes: [
      { name: 'by-status-expiry', range: ['expiresAt'], partition: ['status'] },
      { name: 'by-account', range: ['expiresAt'], partition: ['account'] },
    ],
  },
];

const platform = new Platform({ entities: ENTITIES, egressHosts: ['*.okta.com'] });
platform.install();
const { kvs, WhereConditions, FilterConditions, Filter, Sort } = requireFromForge('@forge/kvs');
const api = requireFromForge('@forge/api');
const { Queue } = requireFromForge('@forge/events');

const fresh = () => {
  platform.kvs = new Platform({ entities: ENTITIES }).kvs;
};

async function rejects(promise, code) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.code, code, `${e.name}: ${e.message}`);
    return true;
  });
}

test('calls return Promises, as on Forge', async () => {
  fresh();
  const p = kvs.set('a', 1);
  assert.ok(p instanceof Promise);
  await p;
  assert.equal(await kvs.get('a'), 1);
  assert.equal(await kvs.get('absent'), undefined);
  await kvs.delete('absent');
});

test('keys follow the documented rules', async () => {
  fresh();
  await kvs.set('grant:abc-1_2.3#x y', true);
  await rejects(kvs.set('a/b', 1), 'INVALID_KEY');
  await rejects(kvs.set('é', 1), 'INVALID_KEY');
  await rejects(kvs.set('   ', 1), 'INVALID_KEY');
  await rejects(kvs.set('', 1), 'KEY_TOO_SHORT');
  await kvs.set('k'.repeat(500), 1);
  await rejects(kvs.set('k'.repeat(501), 1), 'KEY_TOO_LONG');
  await rejects(kvs.entity('grant').set('a/b', { status: 'x' }), 'INVALID_KEY');
});

test('values are limited to 240 KiB and depth 32', async () => {
  fresh();
  await kvs.set('big', 'x'.repeat(240 * 1024 - 2));
  await rejects(kvs.set('big', 'x'.repeat(240 * 1024)), 'MAX_SIZE');
  let deep = 1;
  for (let i = 0; i < 33; i++) deep = { d: deep };
  await rejects(kvs.set('deep', deep), 'MAX_DEPTH');
  assert.equal((await kvs.get('big')).length, 240 * 1024 - 2);
});

test('FAIL_IF_EXISTS refuses a present key with 409', async () => {
  fresh();
  await kvs.set('once', 1, { keyPolicy: 'FAIL_IF_EXISTS' });
  await assert.rejects(kvs.set('once', 2, { keyPolicy: 'FAIL_IF_EXISTS' }), (e) => e.code === 'KEY_CONFLICT' && e.responseDetails.status === 409);
  assert.equal(await kvs.get('once'), 1);
});

test('transactions hold at most 25 operations, each key once', async () => {
  fresh();
  let t = kvs.transact();
  for (let i = 0; i < 25; i++) t = t.set(`k${i}`, i);
  await t.execute();
  assert.equal(await kvs.get('k24'), 24);
  t = kvs.transact();
  for (let i = 0; i < 26; i++) t = t.set(`n${i}`, i);
  await assert.rejects(t.execute(), (e) => e.responseDetails.status === 400);
  assert.equal(await kvs.get('n0'), undefined, 'nothing of a refused transaction is written');
  await assert.rejects(kvs.transact().set('d', 1).delete('d').execute(), (e) => e.responseDetails.status === 400);
});

test('transaction conditions: all or nothing, 409 when one fails', async () => {
  fresh();
  await kvs.entity('grant').set('g1', { status: 'active', expiresAt: 5, account: 'a' });
  const active = new Filter().and('status', FilterConditions.equalTo('active'));
  await kvs
    .transact()
    .set('g1', { status: 'expired', expiresAt: 5, account: 'a' }, { entityName: 'grant', conditions: active })
    .set('log', 1)
    .execute();
  assert.equal((await kvs.entity('grant').get('g1')).status, 'expired');
  await assert.rejects(
    kvs.transact().set('g1', { status: 'revoked', expiresAt: 5, account: 'a' }, { entityName: 'grant', conditions: active }).set('log', 2).execute(),
    (e) => e.code === 'CONDITIONAL_CHECK_FAILED' && e.responseDetails.status === 409,
  );
  assert.equal(await kvs.get('log'), 1);
  const absent = new Filter().and('status', FilterConditions.notExists());
  await kvs.transact().set('g2', { status: 'active', expiresAt: 9, account: 'b' }, { entityName: 'grant', conditions: absent }).execute();
  await assert.rejects(kvs.transact().check('g3', { entityName: 'grant', conditions: active }).set('x', 1).execute(), (e) => e.responseDetails.status === 409);
});

test('entity values are objects with declared attribute types; entities are declared', async () => {
  fresh();
  await rejects(kvs.entity('grant').set('g', { status: 7 }), 'INVALID_ENTITY_VALUE');
  await rejects(kvs.entity('grant').set('g', { expiresAt: 1.5 }), 'INVALID_ENTITY_VALUE');
  await assert.rejects(kvs.entity('nope').set('g', {}), (e) => e.responseDetails.status === 400);
});

test('KVS queries page at most 100 items with a cursor', async () => {
  fresh();
  for (let i = 0; i < 250; i++) await kvs.set(`item:${String(i).padStart(3, '0')}`, i);
  await kvs.set('other', 0);
  await rejects(kvs.query().where('key', WhereConditions.beginsWith('item:')).limit(101).getMany(), 'COMPLEX_QUERY_PAGE_LIMIT_NOT_IN_RANGE');
  const first = await kvs.query().where('key', WhereConditions.beginsWith('item:')).getMany();
  assert.equal(first.results.length, 10, 'the default page');
  const seen = [];
  let cursor;
  let pages = 0;
  do {
    let q = kvs.query().where('key', WhereConditions.beginsWith('item:')).limit(100);
    if (cursor) q = q.cursor(cursor);
    const page = await q.getMany();
    assert.ok(page.results.length <= 100);
    seen.push(...page.results.map((r) => r.value));
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor);
  assert.equal(pages, 3);
  assert.deepEqual(seen, [...Array(250).keys()]);
  await assert.rejects(kvs.query().cursor('zz').limit(5).getMany(), (e) => e.responseDetails.status === 400);
});

test('entity queries: partition, range, filters, order and cursors', async () => {
  fresh();
  for (let i = 0; i < 120; i++) {
    await kvs.entity('grant').set(`g${i}`, { status: i % 2 ? 'active' : 'expired', expiresAt: 1000 - i, account: i < 5 ? 'a' : 'b' });
  }
  const q = () => kvs.entity('grant').query().index('by-status-expiry', { partition: ['active'] });
  const all = [];
  let cursor;
  do {
    let b = q().where(WhereConditions.lessThan(1000)).sort(Sort.DESC).limit(25);
    if (cursor) b = b.cursor(cursor);
    const page = await b.getMany();
    all.push(...page.results);
    cursor = page.nextCursor;
  } while (cursor);
  assert.equal(all.length, 60);
  const times = all.map((r) => r.value.expiresAt);
  assert.deepEqual(times, [...times].sort((x, y) => y - x));
  const filtered = await q()
    .filters(new Filter().and('account', FilterConditions.equalTo('a')))
    .limit(100)
    .getMany();
  assert.deepEqual(filtered.results.map((r) => r.key).sort(), ['g1', 'g3']);
  await rejects(q().limit(0).getMany(), 'COMPLEX_QUERY_PAGE_LIMIT_NOT_IN_RANGE');
  await rejects(kvs.entity('grant').query().index('nope').limit(1).getMany(), 'INVALID_ENTITY_INDEX');
});

test('secrets are kept apart from storage', async () => {
  fresh();
  await kvs.setSecret('mac', 'k3y');
  assert.equal(await kvs.getSecret('mac'), 'k3y');
  assert.equal(await kvs.get('mac'), undefined);
  assert.deepEqual((await kvs.query().limit(100).getMany()).results, []);
  await kvs.deleteSecret('mac');
  assert.equal(await kvs.getSecret('mac'), undefined);
});

test('the virtual clock drives Date', () => {
  platform.clock.set(Date.UTC(2026, 10, 23, 8));
  assert.equal(Date.now(), Date.UTC(2026, 10, 23, 8));
  assert.equal(new Date().toISOString(), '2026-11-23T08:00:00.000Z');
  assert.equal(new Date(0).getTime(), 0);
});

test('queue pushes are recorded; the SDK validates them', async () => {
  const { jobId } = await new Queue({ key: 'provisioning' }).push([{ body: { job: 'j-1' } }]);
  assert.ok(jobId);
  assert.equal(platform.queue.at(-1).queueName, 'provisioning');
  assert.deepEqual(platform.queue.at(-1).events[0].body, { job: 'j-1' });
  await assert.rejects(new Queue({ key: 'provisioning' }).push(Array.from({ length: 51 }, () => ({ body: {} }))));
});

test('requestJira goes to the bridge as the app or the invoking user', async () => {
  const seen = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ url: req.url, token: req.headers['x-aigis-bridge-token'], body: JSON.parse(body) });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 200, headers: [['content-type', 'application/json']], body: '{"ok":true}' }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  platform.bridge = { url: `http://127.0.0.1:${server.address().port}`, token: 't0k' };
  try {
    const r = await api.asApp().requestJira(api.route`/rest/api/3/issue/${'AIR-1'}`);
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { ok: true });
    await platform.invocation({ accountId: 'acc-1' }, () => api.asUser().requestJira(api.route`/rest/api/3/myself`));
    assert.deepEqual(
      seen.map((s) => [s.url, s.token, s.body.as, s.body.method, s.body.path]),
      [
        ['/api/host/bridge/jira', 't0k', null, 'GET', '/rest/api/3/issue/AIR-1'],
        ['/api/host/bridge/jira', 't0k', 'acc-1', 'GET', '/rest/api/3/myself'],
      ],
    );
    await assert.rejects(api.asUser().requestJira(api.route`/rest/api/3/myself`), /Authentication/i);
  } finally {
    server.close();
  }
});

test('egress: only manifest hosts, and no route to them here', async () => {
  await assert.rejects(api.fetch('https://example.com/'), /not included/);
  await assert.rejects(api.fetch('https://acme.okta.com/api/v1/groups'), /no route/);
});
