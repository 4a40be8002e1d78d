// Connected mode in the admin page: an admin creates an Okta connector with
// the demo credentials (aigis up --demo writes them to the state dir), tests
// it, binds a catalog tool to an Okta group (a group membership writes cannot
// govern is refused in plain words), sees the binding in Catalog and checks
// its drift; an Entra connector with a wrong secret fails its test in plain
// words. The secrets never appear in the page once saved. Every new screen:
// axe 0 serious/critical in light and dark, screenshots at 400 px.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launch, moduleFrame, openPage, startSite } from '../lib/harness.mjs';
import { call, checkScreen, clickInDialog, noProblems } from '../lib/flows.mjs';

let site;
let browser;
let creds;
before(async () => {
  site = await startSite();
  browser = await launch();
  creds = JSON.parse(await readFile(join(site.state, 'demo-idp-credentials.json'), 'utf8'));
});
after(async () => {
  await browser?.close();
  await site?.stop();
});

const admin = (route) => `/jira/settings/apps/aigis/aigis-admin/${route}`;

async function open(route) {
  const page = await openPage(browser, site, admin(route), { user: site.user('admin') });
  const frame = await moduleFrame(page, 'aigis-admin');
  return { page, frame };
}

/** A group in the demo Okta org, made through the simulator's control endpoint: its id. */
async function oktaGroup(name, type) {
  const res = await fetch(`${site.url}/__sim/okta/groups`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name, type }) });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).id;
}

/** Clicks a button of the connector form's dialog, scrolled into its scrolling body's view first. */
async function clickInView(page, locator) {
  await locator.scrollIntoViewIfNeeded();
  await locator.click();
}

/** Clicks a button inside a dialog's scrolling body: scrolled into the dialog's view, then into the shell's. */
async function press(page, locator) {
  await clickInView(page, locator);
}

/** The text a frame shows and holds in its fields (where a leaked secret would be). */
async function everythingShown(frame) {
  return frame.evaluate(() => [document.documentElement.outerHTML, ...[...document.querySelectorAll('input, textarea')].map((e) => e.value)].join('\n'));
}

/** A line of the PEM body (not its header): what must never be shown again. */
function keyLine(pem) {
  return pem.split('\n').find((l) => l && !l.startsWith('-----'));
}

test('an admin creates an Okta connector with the demo credentials and tests it; the key is never shown again', async () => {
  const { page, frame } = await open('connectors');
  await frame.getByTestId('connector-add').waitFor();
  await frame.getByText(/No connector yet/).waitFor();
  await checkScreen(page, frame, 'admin-connectors-empty');
  await frame.getByTestId('connector-add').click();
  const modal = frame.getByTestId('connector-modal');
  await modal.waitFor();
  const o = creds.okta;
  await modal.getByLabel('Id (required)', { exact: true }).fill('okta');
  await modal.getByLabel('Name (required)', { exact: true }).fill('Okta demo');
  await modal.getByLabel('Okta org URL (required)', { exact: true }).fill(o.orgUrl);
  await modal.getByLabel('Client id (required)', { exact: true }).fill(o.clientId);
  await modal.getByLabel('Key id (kid) (required)', { exact: true }).fill(o.keyId);
  await modal.getByLabel('Private key (PEM) (required)', { exact: true }).fill(o.privateKeyPem);
  await checkScreen(page, frame, 'admin-connectors-create');
  await clickInView(page, frame.getByTestId('connector-save'));
  await modal.waitFor({ state: 'detached' });
  const table = frame.getByTestId('connectors');
  await table.getByText('Okta demo').waitFor();
  await table.getByText(/^Set on /).waitFor();
  await table.getByText('Never tested').waitFor();

  await frame.getByTestId('test-okta').click();
  const result = frame.getByTestId('test-result');
  await result.getByText('Okta demo works').waitFor();
  await result.getByText(/a token was issued and a directory read worked/).waitFor();
  await table.getByText(/^Worked on /).waitFor();
  await checkScreen(page, frame, 'admin-connectors-list');

  // Editing: the key field starts blank; saving a rename keeps the stored key.
  await frame.getByTestId('edit-okta').click();
  await modal.waitFor();
  assert.equal(await modal.getByLabel('Private key (PEM)', { exact: true }).inputValue(), '');
  await modal.getByText(/Leave blank to keep it/).waitFor();
  await modal.getByLabel('Name (required)', { exact: true }).fill('Okta (demo org)');
  await clickInView(page, frame.getByTestId('connector-save'));
  await modal.waitFor({ state: 'detached' });
  await table.getByText('Okta (demo org)').waitFor();
  await frame.getByTestId('test-okta').click();
  await frame.getByTestId('test-result').getByText('Okta (demo org) works').waitFor();

  const shown = await everythingShown(frame);
  assert.ok(!shown.includes(keyLine(o.privateKeyPem)), 'the private key is in the page');
  assert.ok(!shown.includes('PRIVATE KEY'), 'a PEM header is in the page');
  const listed = await call(site, site.user('admin'), 'connectors.list', {});
  assert.equal(listed.connectors[0].credentialSet, true);
  assert.ok(!JSON.stringify(listed).includes(keyLine(o.privateKeyPem)));

  // The identity mappings of the connector.
  await frame.getByTestId('identities-okta').click();
  await frame.getByTestId('identities').getByText(/No explicit mapping/).waitFor();
  await checkScreen(page, frame, 'admin-connectors-identities');
  noProblems(page);
  await page.context().close();
});

test('an admin binds claude to an Okta group in Catalog; a group Aigis cannot govern is refused in plain words; drift is checked', async () => {
  const governed = await oktaGroup('AI - Claude (e2e)', 'OKTA_GROUP');
  const appGroup = await oktaGroup('Workday - AI (e2e)', 'APP_GROUP');
  const { page, frame } = await open('catalog');
  await frame.getByTestId('edit-claude').waitFor();
  await frame.getByTestId('edit-claude').click();
  const modal = frame.getByTestId('tool-modal');
  const section = modal.getByTestId('connector-binding');
  await section.getByText(/Not bound/).waitFor();
  await section.getByLabel('Group id', { exact: true }).fill(appGroup);
  await press(page, section.getByTestId('bind'));
  await section.getByText(/Aigis cannot manage this group’s members: the group's type is APP_GROUP/).waitFor();
  await checkScreen(page, frame, 'admin-catalog-bind-refused');

  await section.getByLabel('Group id', { exact: true }).fill(governed);
  await press(page, section.getByTestId('bind'));
  const summary = section.getByTestId('binding-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Okta \(demo org\).*AI - Claude \(e2e\).*an existing group/s);
  const binding = (await call(site, site.user('admin'), 'connectors.list', {})).connectors[0].bindings[0];
  assert.deepEqual([binding.tool, binding.groupId], ['claude', governed]);

  // Drift: check now reads the group and compares it with the open grants.
  await press(page, section.getByTestId('drift-check'));
  await section.getByTestId('drift-ran').waitFor();
  assert.match(await section.getByTestId('drift-ran').innerText(), /^(Complete|Not checked|The check)/);
  await section.getByTestId('drift-status').waitFor();
  await checkScreen(page, frame, 'admin-catalog-connector');
  await clickInView(page, modal.getByRole('button', { name: 'Cancel', exact: true }));
  await modal.waitFor({ state: 'detached' });

  // The Catalog says how each tool is fulfilled.
  const row = frame.getByTestId('catalog').getByRole('row').filter({ hasText: 'Claude' }).first();
  await row.getByText('Okta (demo org): AI - Claude (e2e)').waitFor();
  noProblems(page);
  await page.context().close();
});

test('an Entra connector with a wrong client secret fails its test in plain words; deleting it says what happens', async () => {
  const { page, frame } = await open('connectors');
  await frame.getByTestId('connector-add').click();
  const modal = frame.getByTestId('connector-modal');
  await modal.waitFor();
  await modal.getByLabel('Id (required)', { exact: true }).fill('entra');
  await modal.getByLabel('Name (required)', { exact: true }).fill('Entra demo');
  await modal.getByLabel('Type', { exact: true }).click();
  await frame.getByRole('option', { name: 'Microsoft Entra ID groups' }).click();
  await modal.getByLabel('Directory (tenant) id (required)', { exact: true }).fill(creds.entra.tenantId);
  await modal.getByLabel('Application (client) id (required)', { exact: true }).fill(creds.entra.clientId);
  const wrong = 'aigis~this-is-not-the-demo-secret-0123456789';
  await modal.getByLabel('Client secret (required)', { exact: true }).fill(wrong);
  await clickInView(page, frame.getByTestId('connector-save'));
  await modal.waitFor({ state: 'detached' });
  await frame.getByTestId('connectors').getByText('Entra demo').waitFor();
  await frame.getByTestId('test-entra').click();
  const result = frame.getByTestId('test-result');
  await result.getByText('Entra demo does not work').waitFor();
  await result.getByText(/Entra refused the client secret: it is wrong or expired/).waitFor();
  await frame.getByTestId('connectors').getByText(/^Failed on .*Entra refused the client secret/).waitFor();
  await checkScreen(page, frame, 'admin-connectors-test-failed');
  const shown = await everythingShown(frame);
  assert.ok(!shown.includes(wrong), 'the client secret is in the page');
  assert.ok(!shown.includes(creds.entra.clientSecret));

  // Delete: with no tool bound, the confirmation says nothing else changes.
  await frame.getByTestId('delete-entra').click();
  const confirm = frame.getByTestId('confirm-modal');
  await confirm.getByText('Delete Entra demo?').waitFor();
  await confirm.getByText(/No tool is bound to it/).waitFor();
  await checkScreen(page, frame, 'admin-connectors-delete');
  await clickInDialog(page, frame.getByTestId('confirm-button'));
  await confirm.waitFor({ state: 'detached' });
  await frame.getByTestId('test-entra').waitFor({ state: 'detached' });
  // The Okta connector governs claude: its delete cannot be confirmed.
  await frame.getByTestId('delete-okta').click();
  await confirm.getByText(/still governs 1 tool/).waitFor();
  assert.equal(await frame.getByTestId('confirm-button').isDisabled(), true);
  noProblems(page);
  await page.context().close();
});
