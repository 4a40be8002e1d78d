// The JSM portal: a requester (and a portal-only customer) files through the
// request form's create panel; the issue is ingested with exactly the
// snapshot the panel submitted; a request type the intake does not govern
// shows only the panel's note.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { lastPanelSubmit, launch, moduleFrame, openPage, startSite } from '../lib/harness.mjs';
import { call, checkScreen, demoPortal, eventually, fileThroughPortal, ingested, jira, noProblems } from '../lib/flows.mjs';

let site;
let browser;
before(async () => {
  site = await startSite();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await site?.stop();
});

test('a requester files through the create panel and the issue carries the panel snapshot', async () => {
  const rita = site.user('requester');
  const purpose = 'Summarise our incident reviews for the quarterly report.';
  const { page, frame, issueKey } = await fileThroughPortal(
    browser,
    site,
    rita,
    { toolName: 'Claude', purpose, durationDays: 14 },
    {
      beforeCreate: async (p, f) => {
        // The tool card shows the chosen tool's guidance and risk.
        await f.getByText('Use the company organisation; code and documents only.').waitFor();
        await f.getByText('High risk').waitFor();
        await checkScreen(p, f, 'portal-create');
      },
    },
  );
  assert.ok(frame);
  const ir = await ingested(site, rita, issueKey);
  assert.equal(ir.request.issueKey, issueKey);
  assert.equal(ir.request.requester, rita.accountId);
  assert.equal(ir.request.tool, 'claude');
  assert.equal(ir.request.purpose, purpose);
  assert.equal(ir.request.durationDays, 14);
  // The issue's property is the panel's snapshot, nothing more.
  const props = (await jira(site, site.user('admin'), 'GET', `/rest/api/3/issue/${issueKey}/properties`)).body;
  const keys = (props.keys ?? []).map((k) => k.key);
  const form = await call(site, rita, 'portal.form', {}, { extension: await createExtension() });
  assert.ok(keys.includes(form.propertyKey), `properties of ${issueKey}: ${keys.join(', ')}`);
  const prop = (await jira(site, site.user('admin'), 'GET', `/rest/api/3/issue/${issueKey}/properties/${form.propertyKey}`)).body;
  assert.deepEqual(prop.value, { toolId: 'claude', purpose, durationDays: 14 });
  // The request's page shows the detail panel.
  const detail = await moduleFrame(page, 'aigis-portal-detail');
  await detail.getByText('Claude', { exact: false }).first().waitFor();
  await checkScreen(page, detail, 'portal-detail-pending');
  noProblems(page);
  await page.context().close();
});

async function createExtension() {
  const { portalId, typeId } = await demoPortal(site);
  return { type: 'jiraServiceManagement:portalRequestCreatePropertyPanel', portal: { id: Number(portalId) }, request: { typeId: Number(typeId) } };
}

test('a portal-only customer files through the create panel too', async () => {
  const cora = site.user('customer');
  const purpose = 'Draft replies to customer emails in the company workspace.';
  const { page, issueKey } = await fileThroughPortal(browser, site, cora, { toolName: 'ChatGPT Enterprise', purpose, durationDays: 30 });
  const ir = await ingested(site, site.user('admin'), issueKey);
  assert.equal(ir.request.requester, cora.accountId);
  assert.equal(ir.request.tool, 'chatgpt-enterprise');
  assert.equal(ir.request.purpose, purpose);
  assert.equal(ir.request.durationDays, 30);
  noProblems(page);
  await page.context().close();
});

test('the panel blocks Create until the purpose is long enough', async () => {
  const rita = site.user('requester');
  const { portalId, typeId } = await demoPortal(site);
  const page = await openPage(browser, site, `/servicedesk/customer/portal/${portalId}/create/${typeId}`, { user: rita });
  const frame = await moduleFrame(page, 'aigis-portal-create');
  await frame.getByLabel('Purpose', { exact: true }).fill('x');
  await frame.getByRole('alert').first().waitFor();
  // The panel has told the shell its form is not valid (Create files its last submission).
  await eventually(async () => (await lastPanelSubmit(page))?.isValid === false, { what: 'the panel submitted its invalid form' });
  await page.locator('#summary').fill('Too short');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await page.locator('.form-status').filter({ hasText: /\S/ }).waitFor();
  assert.match(page.url(), /\/create\//);
  await page.context().close();
});

test('on a request type the intake does not govern the panel shows only its note', async () => {
  const ada = site.user('admin');
  const { portalId, typeId } = await demoPortal(site);
  // Govern only another (unknown) request type: the demo one falls outside the gate.
  const other = String(Number(typeId) + 1000);
  await call(site, ada, 'config.setIntake', { requestTypeIds: [other] });
  try {
    const page = await openPage(browser, site, `/servicedesk/customer/portal/${portalId}/create/${typeId}`, { user: site.user('requester') });
    const frame = await moduleFrame(page, 'aigis-portal-create');
    await frame.getByText('This request type is not an AI tool access request.').waitFor();
    assert.equal(await frame.locator('form, select, textarea, input').count(), 0);
    await checkScreen(page, frame, 'portal-create-not-governed');
    // Create works without the panel's data.
    await page.locator('#summary').fill('A laptop charger');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.waitForURL(new RegExp(`/portal/${portalId}/[A-Z]+-\\d+$`));
    noProblems(page);
    await page.context().close();
  } finally {
    await call(site, ada, 'config.setIntake', { requestTypeIds: [] });
  }
});
