// Governance Logs verifies a downloaded evidence pack in the browser with the
// core's verifier compiled to wasm, under the CSP Forge would apply: the pack
// the screen just exported verifies (OK, its key not pinned), and the same
// pack with one byte of grants.csv changed fails naming the rule; both word
// for word what `aigis verify` prints for the same file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import { ROOT, launch, moduleFrame, openPage, startSite } from '../lib/harness.mjs';
import { call, checkScreen, demoPortal, ingested, jira, noProblems } from '../lib/flows.mjs';

let site;
let browser;
let dir;
before(async () => {
  site = await startSite();
  browser = await launch();
  dir = await mkdtemp(join(tmpdir(), 'aigis-e2e-verify-'));
  // A request filed through the portal and approved: the pack has a grant row.
  const { serviceDeskId, typeId, portalId } = await demoPortal(site);
  const rita = site.user('requester');
  const ext = { type: 'jiraServiceManagement:portalRequestCreatePropertyPanel', portal: { id: Number(portalId) }, request: { typeId: Number(typeId) } };
  const { propertyKey } = await call(site, rita, 'portal.form', {}, { extension: ext });
  const r = await jira(site, rita, 'POST', '/rest/servicedeskapi/request', {
    serviceDeskId,
    requestTypeId: typeId,
    requestFieldValues: { summary: 'Claude for release notes' },
    properties: [{ key: propertyKey, value: { toolId: 'github-copilot', purpose: 'Pair programming on the billing service.', durationDays: 30 } }],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const ir = await ingested(site, rita, r.body.issueKey);
  await call(site, site.user('approver'), 'requests.approve', { requestId: ir.request.id });
});
after(async () => {
  await browser?.close();
  await site?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What `aigis verify <zip>` prints (it exits 1 on a failed pack). */
function cliVerify(zip) {
  const bin = process.env.AIGIS_BIN ?? join(ROOT, 'target', 'debug', 'aigis');
  try {
    return execFileSync(bin, ['verify', zip], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (e) {
    return e.stdout;
  }
}

/** The entries of a zip (stored or deflated), in order. */
function unzip(zip) {
  const out = [];
  let p = 0;
  while (zip.readUInt32LE(p) === 0x04034b50) {
    const method = zip.readUInt16LE(p + 8);
    const csize = zip.readUInt32LE(p + 18);
    const nlen = zip.readUInt16LE(p + 26);
    const xlen = zip.readUInt16LE(p + 28);
    const name = zip.subarray(p + 30, p + 30 + nlen).toString();
    const raw = zip.subarray(p + 30 + nlen + xlen, p + 30 + nlen + xlen + csize);
    out.push([name, method === 8 ? zlib.inflateRawSync(raw) : Buffer.from(raw)]);
    p += 30 + nlen + xlen + csize;
  }
  return out;
}

/** A stored zip of `files`. */
function storedZip(files) {
  const locals = [];
  const centrals = [];
  let off = 0;
  for (const [name, data] of files) {
    const n = Buffer.from(name);
    const crc = zlib.crc32(data);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt32LE(crc, 14);
    h.writeUInt32LE(data.length, 18);
    h.writeUInt32LE(data.length, 22);
    h.writeUInt16LE(n.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(data.length, 20);
    c.writeUInt32LE(data.length, 24);
    c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE(off, 42);
    locals.push(h, n, data);
    centrals.push(c, n);
    off += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(off, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** The pack with one byte of grants.csv changed (a byte of its first data row). */
function tamperOneByte(zip) {
  const files = unzip(zip);
  const grants = files.find(([n]) => n === 'grants.csv');
  assert.ok(grants, `the pack has grants.csv: ${files.map(([n]) => n).join(', ')}`);
  const data = Buffer.from(grants[1]);
  const row = data.indexOf(0x0a) + 1;
  assert.ok(row > 0 && row < data.length - 1, `grants.csv has a data row:\n${data}`);
  // The first character of the row's grant id: `g` becomes `h`.
  data[row] = data[row] ^ 0x0f;
  grants[1] = data;
  return storedZip(files);
}

test('Governance Logs verifies the pack it exported (OK) and refuses one byte changed in grants.csv, as aigis verify does', async () => {
  const page = await openPage(browser, site, '/jira/settings/apps/aigis/aigis-admin/logs', { user: site.user('admin') });
  const frame = await moduleFrame(page, 'aigis-admin');
  await frame.getByTestId('export-pack').waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), frame.getByTestId('export-pack').click()]);
  const good = join(dir, download.suggestedFilename());
  await download.saveAs(good);
  const bytes = await readFile(good);
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK');

  const input = frame.getByTestId('verify-pack-input');
  const result = frame.getByTestId('verify-result');
  await input.setInputFiles(good);
  await result.waitFor();
  await frame.getByTestId('verify-text').waitFor({ state: 'attached' });
  assert.match(await result.textContent(), /OK: the evidence pack verifies/);
  const cliGood = cliVerify(good);
  assert.ok(cliGood.startsWith('OK: the evidence pack verifies\n'), cliGood);
  assert.equal(await frame.getByTestId('verify-text').textContent(), cliGood, 'word for word what aigis verify prints');
  const keyId = /signing key id:\s+(\S+)/.exec(cliGood)?.[1];
  assert.ok(keyId, cliGood);
  const key = await frame.getByTestId('verify-key').textContent();
  assert.ok(key.includes(keyId) && key.includes('not pinned'), key);
  await checkScreen(page, frame, 'admin-logs-verified');

  const tampered = join(dir, 'tampered.zip');
  await writeFile(tampered, tamperOneByte(bytes));
  await input.setInputFiles(tampered);
  await frame.getByText(/FAILED: the evidence pack does not verify/).first().waitFor();
  const cliBad = cliVerify(tampered);
  const rule = /^FAILED: grants\.csv .*\[([a-z.]+)\]/.exec(cliBad)?.[1];
  assert.ok(rule, `the command line names grants.csv and a rule:\n${cliBad}`);
  const failure = frame.getByTestId('verify-failure');
  assert.ok((await failure.textContent()).includes(rule), await failure.textContent());
  assert.ok((await failure.textContent()).includes('grants.csv'), await failure.textContent());
  assert.equal(await frame.getByTestId('verify-text').textContent(), cliBad);
  await checkScreen(page, frame, 'admin-logs-tampered');
  noProblems(page);
  await page.context().close();
});
