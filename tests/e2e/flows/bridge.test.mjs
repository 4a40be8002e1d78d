// The bridge emulation in a real browser: the probe module (the unmodified
// @forge/bridge, built into dist/modules/_probe) framed by the shell under
// the module CSP, as a demo user.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, moduleFrame, switchUser, openPage, screenshots, seriousViolations, startSite } from '../lib/harness.mjs';

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

const extension = { issue: { key: 'AIR-1', id: '10001', type: 'Task' }, project: { key: 'AIR', id: '10000' } };
const probePath = `/jira/_aigis/frame/_probe?type=jira:issuePanel&key=aigis-issue-panel&extension=${encodeURIComponent(JSON.stringify(extension))}`;

test('the probe module talks to the shell through the unmodified @forge/bridge', async () => {
  const rita = site.user('requester');
  const page = await openPage(browser, site, probePath, { user: rita });
  const frame = await moduleFrame(page, 'aigis-issue-panel');
  const context = frame.locator('#context');
  await assert.doesNotReject(frame.waitForFunction(() => document.getElementById('whoami')?.textContent !== '…'));
  const ctx = JSON.parse(await context.textContent());
  assert.equal(ctx.moduleKey, 'aigis-issue-panel');
  assert.equal(ctx.accountId, rita.accountId);
  assert.deepEqual(ctx.extension, { ...extension, type: 'jira:issuePanel' });
  assert.equal(ctx.colorMode, 'light');
  const whoami = await frame.locator('#whoami').textContent();
  assert.match(whoami, new RegExp(rita.accountId), whoami);
  // A requester may not read the intake: the resolver's error reaches the module.
  await frame.waitForFunction(() => document.getElementById('denied')?.textContent !== '…');
  assert.match(await frame.locator('#denied').textContent(), /error: .*"code":"forbidden"/);
  // The module page is under the module CSP: no inline style unless the manifest allows it.
  const csp = (await page.request.get(`${site.url}/modules/_probe/index.html`)).headers()['content-security-policy'];
  const inlineAllowed = /style-src [^;]*'unsafe-inline'/.test(csp);
  assert.equal(await frame.locator('#inline').textContent(), String(inlineAllowed));
  // Theming: the shell's switch reaches the frame's <html>.
  assert.equal(await frame.evaluate(() => document.documentElement.getAttribute('data-color-mode')), 'light');
  await page.locator('#theme-switch').click();
  await frame.waitForFunction(() => document.documentElement.getAttribute('data-color-mode') === 'dark');
  await page.locator('#theme-switch').click();
  // Resize: the iframe follows its content.
  const before = Number(await page.locator('iframe[data-module-key="aigis-issue-panel"]').getAttribute('height'));
  await frame.locator('#grow').click();
  await page.waitForFunction(
    (h) => Number(document.querySelector('iframe[data-module-key="aigis-issue-panel"]')?.getAttribute('height')) > h + 500,
    before,
  );
  // showFlag: drawn by the shell.
  await frame.locator('#flag').click();
  await page.locator('.flag', { hasText: 'Probe flag' }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(await seriousViolations(frame), []);
  await screenshots(page, 'bridge-probe');
  // router.navigate to an issue target: the shell opens the issue page.
  await frame.locator('#navigate').click();
  await page.waitForURL(/\/browse\/AIR-1$/);
  // The probe's own inline style is the one thing the CSP refused (when the manifest does not allow it).
  const inlineRefusals = page.problems.filter((p) => p.includes('Applying inline style'));
  assert.equal(inlineRefusals.length, inlineAllowed ? 0 : 1, page.problems.join('\n'));
  assert.deepEqual(page.problems.filter((p) => !p.includes('Applying inline style')), []);
  await page.context().close();
});

test('view.submit is refused outside a submittable module', async () => {
  const page = await openPage(browser, site, probePath, { user: site.user('requester') });
  const frame = await moduleFrame(page, 'aigis-issue-panel');
  await frame.waitForFunction(() => document.getElementById('whoami')?.textContent !== '…');
  // The bridge answers false; @forge/bridge turns that into "not submittable".
  assert.equal(await frame.evaluate(() => window.__bridge.callBridge('submit', { fields: [], isValid: true })), false);
  await page.context().close();
});

test('the demo users are offered by the switcher and switching re-renders as that user', async () => {
  const rita = site.user('requester');
  const ada = site.user('admin');
  const page = await openPage(browser, site, probePath, { user: rita });
  const options = await page.locator('#user-switcher option').allTextContents();
  assert.equal(options.length, site.users.length);
  assert.ok(options.some((o) => o.includes(ada.displayName)));
  await switchUser(page, ada);
  await page.waitForTimeout(300);
  const frame = await moduleFrame(page, 'aigis-issue-panel');
  await frame.waitForFunction((id) => document.getElementById('whoami')?.textContent?.includes(id), ada.accountId);
  // The admin may read the intake.
  await frame.waitForFunction(() => document.getElementById('denied')?.textContent === 'allowed');
  await page.context().close();
});

test('/ is the shell: a home linking the apps and the help center, with the user switcher', async () => {
  const rita = site.user('requester');
  const page = await openPage(browser, site, '/', { user: rita });
  await page.getByRole('heading', { name: 'Your work' }).waitFor();
  assert.ok((await page.locator('#user-switcher option').count()) >= 2);
  const apps = page.getByRole('list', { name: 'Apps and the help center' });
  await apps.getByRole('link', { name: 'AI Access', exact: true }).waitFor();
  await apps.getByRole('link', { name: /Help center/ }).waitFor();
  // A fresh demo site has no issues yet.
  await page.getByText('No issues you can see yet').waitFor();
  await apps.getByRole('link', { name: /Help center/ }).click();
  await page.waitForURL(/\/servicedesk\/customer\/portal\/1$/);
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
