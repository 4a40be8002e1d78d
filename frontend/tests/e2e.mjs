// Browser end-to-end test of the Aigis UI against a running local host.
//
//   AIGIS_URL=http://127.0.0.1:8080 node tests/e2e.mjs
//
// Admin: sign in, every tab renders, intake (every field, a list item named at
// fault, a delegation saved and removed) and the add-tool form work, Approved
// Tools is not empty. Audit: the current key id shows, search by type pages with
// "More", an event's proof opens, an evidence pack downloads (a zip whose SHA-256
// is the one shown), Verify says OK, the key rotates after a confirm step, and
// Verify is refused once 5 sensitive operations were made in a minute. Governance:
// the version in force shows, an edit names the field at fault and saves a new
// version, an old version opens read-only, a policy is saved, listed and deleted
// after a confirm step; Insights shows its months or its empty state. Requester: files a request through the form and sees it in
// Request History. Approver: finds it in Approvals, is refused a deny without a
// rationale, approves it. Prints "N passed, M failed"; exits 1 on any failure.
import { chromium } from 'playwright-core';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BASE = (process.env.AIGIS_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '') + '/';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results');
const TIMEOUT = 15_000;
const stamp = Date.now().toString(36);
const TOOL_ID = `e2e-tool-${stamp}`;
const TOOL_NAME = `E2E Tool ${stamp}`;
const PURPOSE = `E2E purpose ${stamp}: summarising release notes`;
const POLICY_NAME = `E2E policy ${stamp}`;
const POLICY_ID = `e2e-policy-${stamp}`;

const ADMIN = { email: 'ada@aigis.example', token: 'demo-ada-token' };
const REQUESTER = { email: 'rita@aigis.example', token: 'demo-rita-token' };
const APPROVER = { email: 'arlo@aigis.example', token: 'demo-arlo-token' };
const ALL_TABS = ['My Access', 'Request History', 'Approved Tools', 'Request a tool', 'Approvals', 'Manual tasks', 'Admin', 'Audit', 'Governance', 'Insights'];
const AUDIT_PAGE = 10;

let passed = 0;
let failed = 0;
let shot = 0;

async function check(page, name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok   - ${name}`);
    return true;
  } catch (e) {
    failed += 1;
    console.log(`FAIL - ${name}\n       ${String(e && e.message ? e.message : e).split('\n').slice(0, 4).join('\n       ')}`);
    try {
      mkdirSync(SHOTS, { recursive: true });
      shot += 1;
      const file = join(SHOTS, `failure-${shot}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`       screenshot: ${file}`);
    } catch {
      /* no screenshot */
    }
    return false;
  }
}

function note(text) {
  console.log(`note - ${text}`);
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function signIn(page, who) {
  await page.goto(BASE, { waitUntil: 'domcontentloaded' });
  const signOut = page.getByRole('button', { name: 'Sign out' });
  if (await signOut.isVisible().catch(() => false)) await signOut.click();
  await page.getByLabel('E-mail').fill(who.email);
  await page.getByLabel('API token').fill(who.token);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('signed-in-as').filter({ hasText: who.email }).waitFor({ timeout: TIMEOUT });
  await page.getByRole('tablist').waitFor({ timeout: TIMEOUT });
}

async function openTab(page, label) {
  await page.getByRole('tab', { name: label, exact: true }).click();
  await page.locator('#panel h2').first().waitFor({ timeout: TIMEOUT });
}

/** Waits until no "Loading…" status is left in the panel. */
async function settled(page) {
  await page.waitForFunction(
    () => !Array.from(document.querySelectorAll('#panel [role="status"]')).some((e) => e.textContent.startsWith('Loading')),
    null,
    { timeout: TIMEOUT },
  );
}

async function visibleTabs(page) {
  return (await page.getByRole('tab').allTextContents()).map((t) => t.trim());
}

async function noErrors(page, where) {
  const errors = await page.locator('#panel .alert-error').allTextContents();
  assert(errors.length === 0, `${where} shows an error: ${errors.join(' | ')}`);
}

/** One resolver call as `who`, outside the browser (test set-up only). */
async function api(who, key, payload) {
  const res = await fetch(new URL(`api/invoke/${key}`, BASE), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: 'Basic ' + Buffer.from(`${who.email}:${who.token}`).toString('base64'),
    },
    body: JSON.stringify(payload),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${key}: HTTP ${res.status} ${text}`);
  return JSON.parse(text);
}

async function auditRows(page) {
  return page.locator('#panel tr[data-seq]').evaluateAll((rows) =>
    rows.map((r) => ({ seq: Number(r.getAttribute('data-seq')), type: r.getAttribute('data-type') })),
  );
}

async function retry(fn, { tries = 20, delayMs = 1000 } = {}) {
  let last;
  for (let i = 0; i < tries; i += 1) {
    try {
      return await fn();
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
  throw last;
}

async function main() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  // No request may leave the machine.
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return route.continue();
    consoleErrors.push(`blocked external request: ${url.href}`);
    return route.abort();
  });

  console.log(`Aigis UI end-to-end against ${BASE}`);

  // ---- sign-in form ---------------------------------------------------------
  await check(page, 'sign-in form shows with the demo accounts hint', async () => {
    await page.goto(BASE, { waitUntil: 'domcontentloaded' });
    await page.getByRole('form', { name: 'Sign in' }).waitFor({ timeout: TIMEOUT });
    const hint = await page.getByRole('complementary', { name: 'Demo accounts' }).textContent();
    assert(hint.includes('ada@aigis.example') && hint.includes('rita@aigis.example'), 'demo accounts are not listed');
  });

  await check(page, 'a wrong API token is refused with a visible alert', async () => {
    await page.getByLabel('E-mail').fill(ADMIN.email);
    await page.getByLabel('API token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const alert = page.locator('.alert-error');
    await alert.waitFor({ timeout: TIMEOUT });
    assert((await alert.getAttribute('data-code')) === 'unauthenticated', `code was ${await alert.getAttribute('data-code')}`);
  });

  // ---- admin ------------------------------------------------------------------
  const adminOk = await check(page, 'admin signs in and sees every tab', async () => {
    await signIn(page, ADMIN);
    const tabs = await visibleTabs(page);
    assert(JSON.stringify(tabs) === JSON.stringify(ALL_TABS), `tabs were ${tabs.join(', ')}`);
  });

  if (adminOk) {
    for (const label of ALL_TABS) {
      await check(page, `admin: tab "${label}" renders without errors`, async () => {
        await openTab(page, label);
        await settled(page);
        await noErrors(page, label);
      });
    }

    await check(page, 'admin: intake is configured (set through the form when empty)', async () => {
      await openTab(page, 'Admin');
      const key = page.getByLabel('Portal project key');
      await key.waitFor({ timeout: TIMEOUT });
      if ((await key.inputValue()).trim() === '') {
        note('intake was empty: setting AIR / aigis-approvers through the form');
        await key.fill('AIR');
        await page.getByLabel('Approver groups').fill('aigis-approvers');
        await page.getByRole('button', { name: 'Save intake' }).click();
        await page.getByRole('status').filter({ hasText: /Intake (saved|unchanged)/ }).waitFor({ timeout: TIMEOUT });
      }
      assert((await key.inputValue()).trim() !== '', 'no intake project key');
    });

    await check(page, 'admin: the intake form shows every intake field and names a list item at fault', async () => {
      const form = page.getByRole('form', { name: 'Intake configuration' });
      for (const label of ['Service desk id', 'Request type ids', 'Approval SLA (hours)', 'Escalation group', 'Escalation accounts', 'Review issue type', 'Review window (days)', 'Audit retention (days)']) {
        await form.getByLabel(label, { exact: true }).waitFor({ timeout: TIMEOUT });
      }
      await form.getByRole('group', { name: 'Approver roles' }).waitFor({ timeout: TIMEOUT });
      await form.getByRole('group', { name: 'Delegations' }).waitFor({ timeout: TIMEOUT });
      const types = form.getByLabel('Request type ids', { exact: true });
      const before = await types.inputValue();
      await types.fill('10, eleven');
      await form.getByRole('button', { name: 'Save intake' }).click();
      const alert = page.locator('#panel .alert-error[data-field="requestTypeIds[1]"]');
      await alert.waitFor({ timeout: TIMEOUT });
      assert((await alert.textContent()).includes('Request type 2'), `alert: ${await alert.textContent()}`);
      assert((await types.getAttribute('aria-invalid')) === 'true', 'the list is not marked invalid');
      await types.fill(before);
    });

    await check(page, 'admin: a delegation saved through the intake form is stored as an RFC 3339 instant, and removed', async () => {
      let form = page.getByRole('form', { name: 'Intake configuration' });
      const group = form.getByRole('group', { name: 'Delegations' });
      const rows = await group.locator('.row-line').count();
      await group.getByRole('button', { name: 'Add a delegation' }).click();
      await group.getByLabel(`Approver (accountId), row ${rows + 1}`).fill('e2e-delegator');
      await group.getByLabel(`Delegate (accountId), row ${rows + 1}`).fill('e2e-delegate');
      await group.getByLabel(`Until, row ${rows + 1}`).fill('2030-01-01T12:00');
      await form.getByRole('button', { name: 'Save intake' }).click();
      await page.getByRole('status').filter({ hasText: 'Intake saved.' }).waitFor({ timeout: TIMEOUT });
      const want = await page.evaluate(() => new Date('2030-01-01T12:00').toISOString().replace('.000Z', 'Z'));
      const stored = (await api(ADMIN, 'config.getIntake', {})).intake.delegations;
      const mine = stored.find((d) => d.delegator === 'e2e-delegator');
      assert(mine && mine.delegate === 'e2e-delegate' && mine.until === want, `stored: ${JSON.stringify(stored)}`);
      form = page.getByRole('form', { name: 'Intake configuration' });
      // The form is redrawn from what was stored: its rows are the stored list's.
      const row = form.getByRole('group', { name: 'Delegations' }).locator('.row-line').nth(stored.indexOf(mine));
      assert((await row.getByRole('textbox').first().inputValue()) === 'e2e-delegator', 'the rows are not the stored ones');
      await row.getByRole('button', { name: 'Remove' }).click();
      await form.getByRole('button', { name: 'Save intake' }).click();
      await page.getByRole('status').filter({ hasText: 'Intake saved.' }).waitFor({ timeout: TIMEOUT });
      const after = (await api(ADMIN, 'config.getIntake', {})).intake.delegations;
      assert(!after.some((d) => d.delegator === 'e2e-delegator'), `not removed: ${JSON.stringify(after)}`);
    });

    await check(page, 'admin: add-tool form names the field at fault', async () => {
      await openTab(page, 'Admin');
      await page.getByRole('button', { name: 'Add tool' }).click();
      const alert = page.locator('.alert-error[data-field="id"]');
      await alert.waitFor({ timeout: TIMEOUT });
      assert((await alert.textContent()).includes('Field: Id (id)'), 'field is not named');
    });

    await check(page, 'admin: adds an approved tool through the form', async () => {
      const form = page.getByRole('form', { name: 'Add a tool to the catalog' });
      await form.getByLabel('Id', { exact: true }).fill(TOOL_ID);
      await form.getByLabel('Name', { exact: true }).fill(TOOL_NAME);
      await form.getByLabel('Provider', { exact: true }).fill('E2E Labs');
      await form.getByLabel('Status', { exact: true }).selectOption('approved');
      await form.getByLabel('Risk', { exact: true }).selectOption('low');
      await form.getByLabel('Why this risk level').fill('Public data only.');
      await form.getByLabel('Default duration (days)').fill('14');
      await form.getByLabel('Maximum duration (days)').fill('30');
      await form.getByLabel('Guidance for requesters').fill('No customer data in prompts.');
      await form.getByRole('button', { name: 'Add tool' }).click();
      await page.getByRole('status').filter({ hasText: `${TOOL_NAME} was added` }).waitFor({ timeout: TIMEOUT });
      const row = page.locator(`tr[data-tool="${TOOL_ID}"]`);
      await row.waitFor({ timeout: TIMEOUT });
      assert((await row.textContent()).includes('Public data only.'), 'the risk rationale is not listed');
    });

    await check(page, 'admin: Approved Tools is not empty and shows guidance and maximum duration', async () => {
      await openTab(page, 'Approved Tools');
      await settled(page);
      const cards = page.locator('#panel li.card');
      await cards.first().waitFor({ timeout: TIMEOUT });
      assert((await cards.count()) > 0, 'no approved tools');
      const mine = page.locator(`#panel li.card[data-tool="${TOOL_ID}"]`);
      const text = await mine.textContent();
      assert(text.includes('30 days') && text.includes('No customer data'), `card text: ${text}`);
    });

    // ---- admin: Governance and Insights ---------------------------------------------
    let govVersion = -1;
    const govOk = await check(page, 'admin: Governance shows the version in force', async () => {
      govVersion = (await api(ADMIN, 'governance.get', {})).current;
      await openTab(page, 'Governance');
      await settled(page);
      await noErrors(page, 'Governance');
      const view = page.locator(`#panel [data-testid="governance-view"][data-version="${govVersion}"]`);
      await view.waitFor({ timeout: TIMEOUT });
      const text = await view.textContent();
      assert(text.includes(`Version ${govVersion}`) && text.includes('In force'), `view: ${text}`);
      assert(text.includes('Unknown tools') && text.includes('Critical'), `view lacks the rules: ${text}`);
    });

    if (govOk) {
      await check(page, 'admin: the governance edit names the field at fault, beside it', async () => {
        await page.getByRole('button', { name: 'Edit rules' }).click();
        const form = page.getByRole('form', { name: 'Edit governance' });
        await form.waitFor({ timeout: TIMEOUT });
        await form.getByLabel('Longest grant, critical risk (days)').fill('0');
        await form.getByRole('button', { name: 'Save as a new version' }).click();
        const err = form.locator('.field-error[data-field="maxDays.critical"]');
        await err.waitFor({ timeout: TIMEOUT });
        assert((await form.locator('[name="maxDays.critical"]').getAttribute('aria-invalid')) === 'true', 'field not marked invalid');
      });

      await check(page, 'admin: saves the governance as a new version', async () => {
        const form = page.getByRole('form', { name: 'Edit governance' });
        await form.getByLabel('Longest grant, critical risk (days)').fill('14');
        await form.getByLabel('Open critical-risk grants per person').fill('3');
        await form.getByLabel('Note').fill(`e2e ${stamp}`);
        await form.getByRole('button', { name: 'Save as a new version' }).click();
        await page.locator('#panel .alert-success').filter({ hasText: `Saved governance version ${govVersion + 1}` }).waitFor({ timeout: TIMEOUT });
        await page.locator(`#panel [data-testid="governance-view"][data-version="${govVersion + 1}"]`).waitFor({ timeout: TIMEOUT });
        const row = page.locator(`#panel tr[data-version="${govVersion + 1}"]`);
        await row.waitFor({ timeout: TIMEOUT });
        assert((await row.textContent()).includes(`e2e ${stamp}`), 'the note is not in the history');
        govVersion += 1;
      });

      await check(page, 'admin: the policy form names the field at fault', async () => {
        const form = page.getByRole('form', { name: 'Auto-approval policy' });
        await form.waitFor({ timeout: TIMEOUT });
        await form.getByLabel('Name').fill(POLICY_NAME);
        await form.getByLabel('Project key').fill('E2EX');
        await form.getByLabel('Allowed groups').fill('');
        await form.getByRole('button', { name: 'Save policy' }).click();
        await form.locator('.field-error[data-field="allowedGroups"]').waitFor({ timeout: TIMEOUT });
      });

      await check(page, 'admin: saves an auto-approval policy and sees it listed', async () => {
        const form = page.getByRole('form', { name: 'Auto-approval policy' });
        await form.getByLabel('Policy id').fill(POLICY_ID);
        await form.getByLabel('Allowed groups').fill('e2e-nobody');
        await form.getByLabel('Longest duration (days)').fill('7');
        await form.getByRole('button', { name: 'Save policy' }).click();
        await page.locator('#panel .alert-success').filter({ hasText: `Saved policy ${POLICY_ID}` }).waitFor({ timeout: TIMEOUT });
        const row = page.locator(`#panel tr[data-policy="${POLICY_ID}"]`);
        await row.waitFor({ timeout: TIMEOUT });
        const text = await row.textContent();
        assert(text.includes(POLICY_NAME) && text.includes('E2EX') && text.includes('7 days'), `row: ${text}`);
      });

      await check(page, 'admin: deletes the policy after a confirm step', async () => {
        const row = page.locator(`#panel tr[data-policy="${POLICY_ID}"]`);
        await row.getByRole('button', { name: `Delete policy ${POLICY_NAME}` }).click();
        const confirm = row.getByRole('group', { name: `Delete policy “${POLICY_NAME}”?` });
        await confirm.waitFor({ timeout: TIMEOUT });
        await confirm.getByRole('button', { name: 'Delete policy', exact: true }).click();
        await page.locator('#panel .alert-success').filter({ hasText: `Deleted policy ${POLICY_ID}` }).waitFor({ timeout: TIMEOUT });
        await page.locator(`#panel tr[data-policy="${POLICY_ID}"]`).waitFor({ state: 'detached', timeout: TIMEOUT });
        const left = (await api(ADMIN, 'policies.list', {})).policies.map((p) => p.id);
        assert(!left.includes(POLICY_ID), 'the policy is still stored');
      });

      await check(page, 'admin: an old governance version opens read-only', async () => {
        // The policy save and delete each wrote a version after the rules'.
        await page.locator(`#panel tr[data-version="${govVersion + 2}"]`).waitFor({ timeout: TIMEOUT });
        const oldest = await page.locator('#panel tr[data-version]').last().getAttribute('data-version');
        assert(Number(oldest) < govVersion + 2, `only version ${oldest} is listed`);
        await page.getByRole('button', { name: `View version ${oldest}`, exact: true }).click();
        await page.getByRole('heading', { name: `Version ${oldest} (read-only)` }).waitFor({ timeout: TIMEOUT });
        const views = page.locator(`#panel [data-testid="governance-view"][data-version="${oldest}"]`);
        assert((await views.count()) >= 1, 'old version not shown');
        assert((await views.last().textContent()).includes('Superseded'), 'the old version is not marked superseded');
        assert((await views.last().locator('input, select, textarea').count()) === 0, 'the old version is editable');
      });
    }

    await check(page, 'admin: Insights shows its months, or says there are none yet', async () => {
      const data = await api(ADMIN, 'insights', {});
      await openTab(page, 'Insights');
      await settled(page);
      await noErrors(page, 'Insights');
      if (data.months.length === 0) {
        const empty = page.getByTestId('insights-empty');
        await empty.waitFor({ timeout: TIMEOUT });
        assert((await empty.textContent()).includes('No insights yet'), 'empty state text');
      } else {
        await page.locator(`#panel tr[data-month="${data.months[0].month}"]`).waitFor({ timeout: TIMEOUT });
      }
      const form = page.getByRole('form', { name: 'Insights months' });
      await form.getByLabel('From month').evaluate((el) => {
        el.type = 'text';
        el.value = '2025-13';
      });
      await form.getByRole('button', { name: 'Show' }).click();
      await form.locator('.field-error[data-field="from"]').waitFor({ timeout: TIMEOUT });
    });

    // ---- admin: Audit ------------------------------------------------------------
    let keyId = '';
    const auditOk = await check(page, 'admin: Audit shows the log origin and the current key id', async () => {
      await openTab(page, 'Audit');
      await settled(page);
      const id = page.getByTestId('current-key-id');
      await id.waitFor({ timeout: TIMEOUT });
      keyId = (await id.textContent()).trim();
      assert(/^[0-9a-f]{8}$/.test(keyId), `key id was "${keyId}"`);
      assert((await page.getByTestId('log-origin').textContent()).startsWith('aigis.app/log/'), 'no log origin');
      assert((await page.getByTestId('verifier-key').textContent()).includes(`+${keyId}+`), 'verifier key does not name the key id');
      await noErrors(page, 'Audit');
    });

    if (auditOk) {
      await check(page, `admin: Audit search by type shows ${AUDIT_PAGE} events a page and "More" loads older ones`, async () => {
        // More tool.added events than one page holds.
        for (let i = 0; i < AUDIT_PAGE; i += 1) {
          await api(ADMIN, 'catalog.add', { id: `${TOOL_ID}-p${i}`, name: `${TOOL_NAME} p${i}`, provider: 'E2E Labs', status: 'blocked', risk: 'low' });
        }
        const form = page.getByRole('form', { name: 'Search audit events' });
        await form.getByLabel('Type').fill('tool.added');
        await form.getByLabel('Per page').selectOption(String(AUDIT_PAGE));
        await form.getByRole('button', { name: 'Search' }).click();
        await settled(page);
        await page.waitForFunction((n) => document.querySelectorAll('#panel tr[data-seq]').length === n, AUDIT_PAGE, { timeout: TIMEOUT });
        const first = await auditRows(page);
        assert(first.every((r) => r.type === 'tool.added'), `types: ${first.map((r) => r.type).join(', ')}`);
        await page.getByRole('button', { name: 'More', exact: true }).click();
        await page.waitForFunction((n) => document.querySelectorAll('#panel tr[data-seq]').length > n, AUDIT_PAGE, { timeout: TIMEOUT });
        const all = await auditRows(page);
        assert(all.every((r) => r.type === 'tool.added'), 'a row of another type');
        assert(all.every((r, i) => i === 0 || r.seq < all[i - 1].seq), `not newest first: ${all.map((r) => r.seq).join(', ')}`);
        await noErrors(page, 'Audit search');
      });

      await check(page, 'admin: an event\'s Proof shows its inclusion proof', async () => {
        const row = page.locator('#panel tr[data-seq]').first();
        const seq = Number(await row.getAttribute('data-seq'));
        await row.getByRole('button', { name: `Proof of event ${seq}` }).click();
        const pre = page.getByTestId('proof-json');
        await pre.waitFor({ timeout: TIMEOUT });
        const proof = JSON.parse(await pre.textContent());
        assert(proof.seq === seq && typeof proof.leafHash === 'string' && Array.isArray(proof.proof), `proof: ${JSON.stringify(proof).slice(0, 200)}`);
        await page.getByRole('button', { name: 'Close', exact: true }).click();
        assert((await pre.count()) === 0, 'proof did not close');
      });

      await check(page, 'admin: the export form refuses a window over 365 days, beside the field', async () => {
        const form = page.getByRole('form', { name: 'Export an evidence pack' });
        const from = form.getByLabel('From');
        const before = await from.inputValue();
        assert(/^\d{4}-\d{2}-\d{2}$/.test(before), `no default From: "${before}"`);
        await from.fill('2020-01-01');
        await form.getByRole('button', { name: 'Export' }).click();
        const err = form.locator('.field-error[data-field="from"]');
        await err.waitFor({ timeout: TIMEOUT });
        assert((await err.textContent()).includes('365'), `message: ${await err.textContent()}`);
        assert((await from.getAttribute('aria-invalid')) === 'true', 'From is not marked invalid');
        await from.fill(before);
      });

      await check(page, 'admin: exports an evidence pack; the download is a zip with the SHA-256 shown', async () => {
        const form = page.getByRole('form', { name: 'Export an evidence pack' });
        const downloading = page.waitForEvent('download', { timeout: 60_000 });
        await form.getByRole('button', { name: 'Export' }).click();
        const refused = page.locator('#panel section[aria-labelledby="audit-export-title"] .alert-error');
        const first = await Promise.race([
          downloading.then((d) => ({ download: d })),
          refused.first().waitFor({ timeout: 60_000 }).then(() => ({ download: null })),
        ]);
        if (!first.download) {
          downloading.catch(() => {});
          throw new Error(`export refused: ${await refused.first().textContent()}`);
        }
        const { download } = first;
        assert(/^aigis-evidence-.*\.zip$/.test(download.suggestedFilename()), `file name ${download.suggestedFilename()}`);
        const bytes = readFileSync(await download.path());
        assert(bytes.subarray(0, 2).toString('latin1') === 'PK', 'the file does not start with PK');
        const result = page.getByTestId('export-result');
        await result.waitFor({ timeout: TIMEOUT });
        const shown = (await page.getByTestId('export-sha256').textContent()).trim();
        assert(shown === createHash('sha256').update(bytes).digest('hex'), 'the SHA-256 shown is not the file\'s');
        assert((await result.textContent()).includes(`aigis verify ${download.suggestedFilename()}`), 'no verify hint');
      });

      await check(page, 'admin: Verify says the log is OK, with its statement', async () => {
        await page.getByRole('button', { name: 'Verify the log' }).click();
        const result = page.getByTestId('verify-result');
        await result.waitFor({ timeout: TIMEOUT });
        assert((await result.getAttribute('data-ok')) === 'true', `verify: ${await result.textContent()}`);
        assert((await page.getByTestId('verify-statement').textContent()).startsWith('verified from index'), 'no statement');
      });

      await check(page, 'admin: rotates the signing key after a confirm step', async () => {
        const rotate = page.getByRole('button', { name: 'Rotate signing key' });
        await rotate.click();
        await page.getByRole('button', { name: 'Cancel', exact: true }).click();
        assert((await page.getByRole('button', { name: 'Rotate key', exact: true }).count()) === 0, 'confirm did not close');
        await rotate.click();
        await page.getByRole('button', { name: 'Rotate key', exact: true }).click();
        await page.locator('#panel .alert-success', { hasText: 'now signs' }).waitFor({ timeout: TIMEOUT });
        await page.waitForFunction(
          (old) => {
            const el = document.querySelector('[data-testid="current-key-id"]');
            return el && el.textContent.trim() !== old;
          },
          keyId,
          { timeout: TIMEOUT },
        );
        await page.locator(`#panel tr[data-key="${keyId}"]`).waitFor({ timeout: TIMEOUT });
      });

      await check(page, 'admin: Verify is refused, clearly, past 5 sensitive operations a minute', async () => {
        const verify = page.getByRole('button', { name: 'Verify the log' });
        const limited = page.locator('#panel .alert-error[data-code="rate-limited"]');
        for (let i = 0; i < 8 && (await limited.count()) === 0; i += 1) {
          await verify.click();
          await page.locator('#panel [data-testid="verify-result"], #panel .alert-error').first().waitFor({ timeout: TIMEOUT });
          await page.waitForFunction(() => !document.querySelector('#panel button[aria-busy]'), null, { timeout: TIMEOUT });
        }
        assert((await limited.count()) === 1, 'never rate-limited');
        const text = await limited.textContent();
        assert(text.includes('Too many requests') && /try again/.test(text), `alert: ${text}`);
      });
    }
  }

  // ---- requester ------------------------------------------------------------
  let issueKey = '';
  const ritaOk = await check(page, 'requester signs in and sees only requester tabs', async () => {
    await signIn(page, REQUESTER);
    const tabs = await visibleTabs(page);
    const want = ['My Access', 'Request History', 'Approved Tools', 'Request a tool'];
    assert(JSON.stringify(tabs) === JSON.stringify(want), `tabs were ${tabs.join(', ')}`);
  });

  if (ritaOk) {
    await check(page, 'requester: no Audit tab, even when asked for by #audit', async () => {
      await page.goto(`${BASE}#audit`, { waitUntil: 'domcontentloaded' });
      await page.reload({ waitUntil: 'domcontentloaded' });
      await page.getByRole('tablist').waitFor({ timeout: TIMEOUT });
      assert((await page.getByRole('tab', { name: 'Audit' }).count()) === 0, 'Audit tab is shown');
      assert((await page.getByRole('tab', { selected: true }).textContent()).trim() === 'My Access', 'another tab opened');
      assert((await page.getByRole('form', { name: 'Export an evidence pack' }).count()) === 0, 'audit screen rendered');
    });

    await check(page, 'requester: no Governance or Insights tab, even when asked for by #governance', async () => {
      await page.goto(`${BASE}#governance`, { waitUntil: 'domcontentloaded' });
      await page.reload({ waitUntil: 'domcontentloaded' });
      await page.getByRole('tablist').waitFor({ timeout: TIMEOUT });
      assert((await page.getByRole('tab', { name: 'Governance' }).count()) === 0, 'Governance tab is shown');
      assert((await page.getByRole('tab', { name: 'Insights' }).count()) === 0, 'Insights tab is shown');
      assert((await page.getByRole('tab', { selected: true }).textContent()).trim() === 'My Access', 'another tab opened');
      assert((await page.getByRole('form', { name: 'Auto-approval policy' }).count()) === 0, 'governance screen rendered');
    });
  }

  if (ritaOk) {
    await check(page, 'requester: request form refuses a missing purpose, naming the field', async () => {
      await openTab(page, 'Request a tool');
      const form = page.getByRole('form', { name: 'Request an AI tool' });
      await form.waitFor({ timeout: TIMEOUT });
      await form.getByLabel('Tool').selectOption(TOOL_ID).catch(async () => {
        await form.getByLabel('Tool').selectOption({ index: 1 });
      });
      await form.getByLabel('Purpose').fill('');
      await form.getByRole('button', { name: 'Submit request' }).click();
      await page.locator('.alert-error[data-field="purpose"]').waitFor({ timeout: TIMEOUT });
    });

    await check(page, 'requester: creates a request through the form', async () => {
      const form = page.getByRole('form', { name: 'Request an AI tool' });
      await form.getByLabel('Purpose').fill(PURPOSE);
      await form.getByLabel('Duration (days)').fill('7');
      await form.getByRole('button', { name: 'Submit request' }).click();
      const ok = page.locator('#panel .alert-success');
      await ok.waitFor({ timeout: TIMEOUT });
      const m = /Request ([A-Z][A-Z0-9]*-\d+)/.exec(await ok.textContent());
      assert(m, `no issue key in: ${await ok.textContent()}`);
      issueKey = m[1];
    });

    await check(page, 'requester: the request shows in Request History as pending', async () => {
      await retry(async () => {
        await openTab(page, 'Request History');
        await settled(page);
        const row = page.locator('#panel tr', { hasText: PURPOSE });
        assert((await row.count()) === 1, 'not there yet');
        assert((await row.locator('.badge').first().getAttribute('data-value')) === 'pending', 'not pending');
      });
    });
  }

  // ---- approver --------------------------------------------------------------
  const arloOk = await check(page, 'approver signs in and sees Approvals and Manual tasks, not Admin', async () => {
    await signIn(page, APPROVER);
    const tabs = await visibleTabs(page);
    assert(
      tabs.includes('Approvals') && tabs.includes('Manual tasks') && !tabs.includes('Admin') && !tabs.includes('Audit') && !tabs.includes('Governance') && !tabs.includes('Insights'),
      `tabs were ${tabs.join(', ')}`,
    );
  });

  if (arloOk) {
    let card = page.locator('#panel li.approval', { hasText: PURPOSE });
    const seen = await check(page, 'approver: the new request waits in Approvals', async () => {
      await openTab(page, 'Approvals');
      await retry(async () => {
        await settled(page);
        if ((await card.count()) === 0) {
          await page.getByRole('button', { name: 'Refresh' }).click();
          throw new Error(`request ${issueKey || PURPOSE} is not in Approvals`);
        }
      });
      // Pin the card by its request id: its text changes once decided.
      card = page.locator(`#panel li.approval[data-request="${await card.getAttribute('data-request')}"]`);
    });

    if (seen) {
      await check(page, 'approver: deny without a rationale is refused, naming the field', async () => {
        await card.getByRole('button', { name: /^Deny / }).click();
        const alert = card.locator('.alert-error[data-field="rationale"]');
        await alert.waitFor({ timeout: TIMEOUT });
        assert((await alert.textContent()).includes('Rationale'), 'field not named');
      });

      await check(page, 'approver: approves the request', async () => {
        await card.getByLabel('Rationale').fill('Low-risk tool, purpose fits.');
        await card.getByRole('button', { name: /^Approve / }).click();
        await card.locator('.alert-success').waitFor({ timeout: TIMEOUT });
        assert((await card.locator('.badge').first().getAttribute('data-value')) === 'approved', 'badge is not approved');
      });

      await check(page, 'approver: Manual tasks renders without errors', async () => {
        await openTab(page, 'Manual tasks');
        await settled(page);
        await noErrors(page, 'Manual tasks');
      });

      // A manual provisioning task appears once the job runner has handled the job
      // (hourly); complete one if it is already there.
      const open = page.locator('#panel tr[data-job]').filter({ has: page.getByRole('button', { name: /^Mark / }) }).first();
      if ((await open.count()) > 0) {
        await check(page, 'approver: completes a manual task', async () => {
          // Pinned by id: the button is replaced once the task is done.
          const task = page.locator(`#panel tr[data-job="${await open.getAttribute('data-job')}"]`);
          await task.getByRole('textbox').fill('Done by hand (e2e).');
          await task.getByRole('button', { name: /^Mark / }).click();
          await task.locator('.alert-success, .alert-error').first().waitFor({ timeout: TIMEOUT });
          await noErrors(page, 'Manual tasks');
        });
      } else {
        note('no manual task is waiting yet (the job runner has not run since the approval)');
      }
    }
  }

  // ---- requester sees the result ------------------------------------------------
  if (ritaOk && arloOk) {
    await check(page, 'requester: the request is approved in Request History and a grant is listed in My Access', async () => {
      await signIn(page, REQUESTER);
      await retry(async () => {
        await openTab(page, 'Request History');
        await settled(page);
        const row = page.locator('#panel tr', { hasText: PURPOSE });
        assert((await row.locator('.badge').first().getAttribute('data-value')) === 'approved', 'not approved yet');
      }, { tries: 10 });
      await openTab(page, 'My Access');
      await settled(page);
      await noErrors(page, 'My Access');
      const rows = page.locator('#panel tr[data-grant]', { hasText: TOOL_ID });
      assert((await rows.count()) >= 1, 'no grant for the tool');
    });
  }

  await check(page, 'no page errors and no request left the machine', async () => {
    assert(consoleErrors.length === 0, consoleErrors.join('\n'));
  });

  await browser.close();
}

try {
  await main();
} catch (e) {
  failed += 1;
  console.log(`FAIL - the run stopped: ${e && e.stack ? e.stack : e}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
