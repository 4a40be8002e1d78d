// Every screen on the site `make run` opens (`aigis up --demo-activity`: an
// expired grant, an open review, a provisioning task waiting, a denied and
// pending requests...): the global page's tabs, every admin sub-page reached
// through the settings sidebar (each a lazy chunk loaded on the way), and
// the issue and portal pages of the requests in each state. axe-core 0
// serious/critical in light and dark, and screenshots light, dark and at
// 400 px (target/e2e-screenshots/).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, moduleFrame, openPage, startSite } from '../lib/harness.mjs';
import { call, checkScreen, demoPortal, noProblems } from '../lib/flows.mjs';

let site;
let browser;
/** Issue keys of the history's requests, by what became of them. */
const issue = {};
before(async () => {
  site = await startSite({ activity: true });
  browser = await launch();
  const ada = site.user('admin');
  const grants = (await call(site, ada, 'grants.list', { limit: 50 })).grants;
  const requests = (await call(site, ada, 'requests.list', { limit: 50 })).requests;
  issue.expired = grants.find((g) => g.status === 'expired')?.issueKey;
  const reviews = (await call(site, ada, 'reviews.pending', {})).reviews;
  issue.review = reviews[0]?.issueKey;
  const waiting = (await call(site, ada, 'jobs.manual', { limit: 50 })).jobs ?? [];
  issue.waiting = grants.find((g) => g.status === 'pendingProvision')?.issueKey;
  issue.denied = requests.find((r) => r.decision === 'denied')?.issueKey;
  issue.pending = requests.find((r) => r.decision === 'pending')?.issueKey;
  // What the history promises (crates/aigis-host/src/demo/activity.rs).
  for (const [k, v] of Object.entries(issue)) assert.ok(v, `the demo-activity site has a request ${k}: ${JSON.stringify({ grants, requests, reviews })}`);
  assert.ok(waiting.length > 0, 'a manual task waits');
});
after(async () => {
  await browser?.close();
  await site?.stop();
});

/** Each screen and what shows once it has loaded (with data: the history fills each). */
const GLOBAL = {
  access: (f) => f.getByTestId('my-access'),
  tools: (f) => f.getByTestId('approved-tools'),
  history: (f) => f.getByTestId('request-history'),
  approvals: (f) => f.getByTestId('approvals').getByRole('checkbox').first(),
  tasks: (f) => f.getByTestId('manual-tasks').getByRole('button').first(),
  reviews: (f) => f.getByTestId('reviews').getByRole('button', { name: 'Keep' }).first(),
};
const ADMIN = {
  'Intake & Approvals': (f) => f.getByTestId('intake-save'),
  Catalog: (f) => f.getByTestId('edit-claude'),
  Connectors: (f) => f.getByTestId('connector-add'),
  Governance: (f) => f.getByTestId('governance-save'),
  Requests: (f) => f.getByTestId('admin-requests').getByRole('row').nth(1),
  Insights: (f) => f.getByTestId('insights-charts'),
  'Governance Logs': (f) => f.getByTestId('audit-events').getByRole('row').nth(1),
  Overview: (f) => f.getByTestId('readiness-cards'),
};

for (const [tab, ready] of Object.entries(GLOBAL)) {
  test(`global page: ${tab}`, async () => {
    // Rita for her own screens (she holds grants); Arlo for the approver's.
    const user = ['access', 'tools', 'history'].includes(tab) ? site.user('requester') : site.user('approver');
    const page = await openPage(browser, site, `/jira/apps/aigis/aigis-home/${tab}`, { user });
    const frame = await moduleFrame(page, 'aigis-home');
    await ready(frame).waitFor();
    await frame.locator('[aria-busy="true"]').waitFor({ state: 'detached' }).catch(() => undefined);
    await checkScreen(page, frame, `screen-global-${tab}`);
    noProblems(page);
    await page.context().close();
  });
}

test('My Access highlights the expired grant', async () => {
  const page = await openPage(browser, site, '/jira/apps/aigis/aigis-home/access', { user: site.user('requester') });
  const frame = await moduleFrame(page, 'aigis-home');
  const table = frame.getByTestId('my-access');
  await table.getByText(issue.expired, { exact: true }).waitFor();
  const row = table.getByRole('row').filter({ hasText: issue.expired });
  assert.match(await row.innerText(), /Expired/i);
  await page.context().close();
});

test('admin page: every sidebar entry, each sub-page loaded as the sidebar opens it', async () => {
  const page = await openPage(browser, site, '/jira/settings/apps/aigis/aigis-admin/overview', { user: site.user('admin') });
  const frame = await moduleFrame(page, 'aigis-admin');
  await ADMIN.Overview(frame).waitFor();
  const sidebar = page.getByRole('navigation', { name: 'Aigis' });
  const entries = await sidebar.getByRole('link').allTextContents();
  assert.deepEqual([...entries].sort(), Object.keys(ADMIN).sort(), 'one check per sidebar entry');
  for (const [title, ready] of Object.entries(ADMIN)) {
    await sidebar.getByRole('link', { name: title, exact: true }).click();
    // The same frame moves to the sub-page (createHistory), no reload.
    await ready(frame).waitFor();
    await frame.locator('[aria-busy="true"]').waitFor({ state: 'detached' }).catch(() => undefined);
    const route = new URL(page.url()).pathname.split('/').pop();
    await checkScreen(page, frame, `screen-admin-${route}`);
  }
  noProblems(page);
  await page.context().close();
});

for (const [state, role] of [
  ['expired', 'approver'],
  ['review', 'approver'],
  ['waiting', 'approver'],
  ['denied', 'approver'],
  ['pending', 'approver'],
]) {
  test(`issue page: the ${state} request`, async () => {
    const key = issue[state];
    const page = await openPage(browser, site, `/browse/${key}`, { user: site.user(role) });
    const frame = await moduleFrame(page, 'aigis-issue-panel');
    const trail = frame.getByRole('list', { name: 'Audit trail' });
    await trail.waitFor();
    await trail.getByText('Checking proof').first().waitFor({ state: 'detached' });
    assert.equal(await trail.getByText('Proof failed').count(), 0);
    await checkScreen(page, frame, `screen-issue-${state}`);
    noProblems(page);
    await page.context().close();
  });
}

test('portal detail panel: the expired grant, as its requester', async () => {
  const { portalId } = await demoPortal(site);
  const page = await openPage(browser, site, `/servicedesk/customer/portal/${portalId}/${issue.expired}`, { user: site.user('requester') });
  const frame = await moduleFrame(page, 'aigis-portal-detail');
  await frame.locator('.detail').waitFor();
  assert.match(await frame.locator('.detail').innerText(), /expired/i);
  await checkScreen(page, frame, 'screen-portal-detail-expired');
  noProblems(page);
  await page.context().close();
});
