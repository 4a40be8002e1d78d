// The admin page: a readiness card on Overview leads to its fix; a tool is
// edited and another retired in Catalog; Requests exports a CSV and
// Governance Logs an evidence pack (both real browser downloads).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { launch, moduleFrame, openPage, startSite } from '../lib/harness.mjs';
import { call, checkScreen, clickInDialog, demoPortal, ingested, jira, noProblems } from '../lib/flows.mjs';

let site;
let browser;
let issueKey;
before(async () => {
  site = await startSite();
  browser = await launch();
  const { serviceDeskId, typeId, portalId } = await demoPortal(site);
  const rita = site.user('requester');
  const ext = { type: 'jiraServiceManagement:portalRequestCreatePropertyPanel', portal: { id: Number(portalId) }, request: { typeId: Number(typeId) } };
  const { propertyKey } = await call(site, rita, 'portal.form', {}, { extension: ext });
  const r = await jira(site, rita, 'POST', '/rest/servicedeskapi/request', {
    serviceDeskId,
    requestTypeId: typeId,
    requestFieldValues: { summary: 'Copilot for the billing service' },
    properties: [{ key: propertyKey, value: { toolId: 'github-copilot', purpose: 'Pair programming on the billing service.', durationDays: 30 } }],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  issueKey = r.body.issueKey;
  await ingested(site, rita, issueKey);
});
after(async () => {
  await browser?.close();
  await site?.stop();
});

const admin = (route) => `/jira/settings/apps/aigis/aigis-admin/${route}`;

/** The admin page framed at `route`, as Ada. */
async function open(route) {
  const page = await openPage(browser, site, admin(route), { user: site.user('admin') });
  const frame = await moduleFrame(page, 'aigis-admin');
  return { page, frame };
}

test('a readiness card on Overview leads to where it is fixed, and fixing it turns it green', async () => {
  const ada = site.user('admin');
  const before = await call(site, ada, 'readiness', {});
  const { page, frame } = await open('overview');
  const cards = frame.getByTestId('readiness-cards');
  await cards.waitFor();
  await checkScreen(page, frame, 'admin-overview');
  const open_ = before.checks.filter((c) => c.status !== 'ok').map((c) => c.check);
  assert.ok(open_.length > 0, `a demo site has something to fix: ${JSON.stringify(before.checks)}`);
  // The portal card: choose the demo portal in Intake.
  assert.ok(open_.includes('portal'), `open checks: ${open_.join(', ')}`);
  await cards.getByRole('button', { name: 'Choose the portal in Intake' }).click();
  await page.waitForURL(/\/aigis-admin\/intake$/);
  const { serviceDeskId } = await demoPortal(site);
  const portal = frame.getByLabel('Portal', { exact: true });
  await portal.waitFor();
  await portal.click();
  await frame.getByRole('option').first().click();
  await frame.getByTestId('intake-save').click();
  await page.locator('.flag', { hasText: 'Intake saved' }).waitFor();
  const intake = await call(site, ada, 'config.getIntake', {});
  assert.equal(intake.intake.serviceDeskId, serviceDeskId);
  await checkScreen(page, frame, 'admin-intake');
  const after = await call(site, ada, 'readiness', {});
  assert.equal(after.checks.find((c) => c.check === 'portal')?.status, 'ok', JSON.stringify(after.checks));
  // Back on Overview the card has no fix left to offer.
  await page.goto(`${site.url}${admin('overview')}`);
  const f2 = await moduleFrame(page, 'aigis-admin');
  await f2.getByTestId('readiness-cards').waitFor();
  assert.equal(await f2.getByRole('button', { name: 'Choose the portal in Intake' }).count(), 0);
  noProblems(page);
  await page.context().close();
});

test('an admin edits a tool and retires another in Catalog', async () => {
  const ada = site.user('admin');
  const { page, frame } = await open('catalog');
  const table = frame.getByTestId('catalog');
  await frame.getByTestId('edit-claude').waitFor();
  await checkScreen(page, frame, 'admin-catalog');
  await frame.getByTestId('edit-claude').click();
  const modal = frame.getByTestId('tool-modal');
  await modal.waitFor();
  await modal.getByLabel('Guidance for requesters').fill('Company organisation only; never paste customer data.');
  await modal.getByLabel('Name (required)', { exact: true }).fill('Claude for Work');
  await checkScreen(page, frame, 'admin-catalog-edit');
  await clickInDialog(page, frame.getByTestId('tool-save'));
  await modal.waitFor({ state: 'detached' });
  await table.getByText('Claude for Work').waitFor();
  const claude = (await call(site, ada, 'catalog.list', { all: true })).tools.find((t) => t.id === 'claude');
  assert.equal(claude.name, 'Claude for Work');
  assert.equal(claude.guidance, 'Company organisation only; never paste customer data.');

  await frame.getByTestId('retire-gemini').click();
  const confirm = frame.getByTestId('confirm-modal');
  await confirm.waitFor();
  await confirm.getByLabel('Reason (required)', { exact: true }).fill('Replaced by the company Claude workspace.');
  await checkScreen(page, frame, 'admin-catalog-retire');
  await clickInDialog(page, frame.getByTestId('confirm-button'));
  await confirm.waitFor({ state: 'detached' });
  await frame.getByTestId('retire-gemini').waitFor({ state: 'detached' });
  const gemini = (await call(site, ada, 'catalog.list', { all: true })).tools.find((t) => t.id === 'gemini');
  assert.equal(gemini.status, 'blocked');
  // Retired: no longer requestable on the portal.
  const { portalId, typeId } = await demoPortal(site);
  const ext = { type: 'jiraServiceManagement:portalRequestCreatePropertyPanel', portal: { id: Number(portalId) }, request: { typeId: Number(typeId) } };
  const form = await call(site, site.user('requester'), 'portal.form', {}, { extension: ext });
  assert.ok(!form.tools.some((t) => t.id === 'gemini'));
  assert.ok(form.tools.some((t) => t.name === 'Claude for Work'));
  noProblems(page);
  await page.context().close();
});

test('Requests exports a CSV of the requests', async () => {
  const { page, frame } = await open('requests');
  const table = frame.getByTestId('admin-requests');
  await table.getByText(issueKey, { exact: true }).waitFor();
  await checkScreen(page, frame, 'admin-requests');
  const [download] = await Promise.all([page.waitForEvent('download'), table.getByRole('button', { name: 'Download CSV' }).click()]);
  assert.match(download.suggestedFilename(), /requests.*\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  const lines = csv.trim().split(/\r?\n/);
  assert.ok(lines.length >= 2, csv);
  assert.ok(csv.includes(issueKey), csv);
  noProblems(page);
  await page.context().close();
});

test('Governance Logs exports an evidence pack', async () => {
  const { page, frame } = await open('logs');
  await frame.getByTestId('export-pack').waitFor();
  await checkScreen(page, frame, 'admin-logs');
  const [download] = await Promise.all([page.waitForEvent('download'), frame.getByTestId('export-pack').click()]);
  assert.match(download.suggestedFilename(), /\.zip$/);
  const bytes = await readFile(await download.path());
  assert.ok(bytes.length > 100, `${bytes.length} bytes`);
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK');
  await page.locator('.flag', { hasText: 'Evidence pack saved' }).waitFor();
  noProblems(page);
  await page.context().close();
});
