// Every screen of the global and admin pages (as the admin, who sees them
// all) and the issue page: axe-core 0 serious/critical in light and dark,
// and screenshots light, dark and at 400 px (target/e2e-screenshots/).
import { after, before, test } from 'node:test';
import { launch, moduleFrame, openPage, startSite } from '../lib/harness.mjs';
import { call, checkScreen, demoPortal, ingested, jira, noProblems } from '../lib/flows.mjs';

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
    requestFieldValues: { summary: 'Gemini for the sales decks' },
    properties: [{ key: propertyKey, value: { toolId: 'gemini', purpose: 'Drafting the quarterly sales decks.', durationDays: 30 } }],
  });
  issueKey = r.body.issueKey;
  await ingested(site, rita, issueKey);
});
after(async () => {
  await browser?.close();
  await site?.stop();
});

/** Each screen and what shows once it has loaded. */
const GLOBAL = {
  access: (f) => f.getByTestId('my-access'),
  tools: (f) => f.getByTestId('approved-tools'),
  history: (f) => f.getByTestId('request-history'),
  approvals: (f) => f.getByTestId('approvals'),
  tasks: (f) => f.getByTestId('manual-tasks'),
  reviews: (f) => f.getByTestId('reviews'),
};
const ADMIN = {
  overview: (f) => f.getByTestId('readiness-cards'),
  intake: (f) => f.getByText('aigis-approvers').first(),
  catalog: (f) => f.getByTestId('edit-claude'),
  connectors: (f) => f.getByTestId('connector-add'),
  governance: (f) => f.getByTestId('governance-save'),
  requests: (f) => f.getByTestId('admin-requests').getByText(issueKey, { exact: true }),
  insights: (f) => f.getByTestId('insights-charts'),
  logs: (f) => f.getByTestId('audit-events').getByRole('row').nth(1),
};

for (const [tab, ready] of Object.entries(GLOBAL)) {
  test(`global page: ${tab}`, async () => {
    const page = await openPage(browser, site, `/jira/apps/aigis/aigis-home/${tab}`, { user: site.user('admin') });
    const frame = await moduleFrame(page, 'aigis-home');
    await ready(frame).waitFor();
    await frame.locator('[aria-busy="true"]').waitFor({ state: 'detached' }).catch(() => undefined);
    await checkScreen(page, frame, `screen-global-${tab}`);
    noProblems(page);
    await page.context().close();
  });
}

for (const [route, ready] of Object.entries(ADMIN)) {
  test(`admin page: ${route}`, async () => {
    const page = await openPage(browser, site, `/jira/settings/apps/aigis/aigis-admin/${route}`, { user: site.user('admin') });
    const frame = await moduleFrame(page, 'aigis-admin');
    await ready(frame).waitFor();
    await checkScreen(page, frame, `screen-admin-${route}`);
    noProblems(page);
    await page.context().close();
  });
}

test('issue page with the issue panel (pending request, as an approver)', async () => {
  const page = await openPage(browser, site, `/browse/${issueKey}`, { user: site.user('approver') });
  const frame = await moduleFrame(page, 'aigis-issue-panel');
  await frame.getByRole('list', { name: 'Audit trail' }).getByText('Proof checked').first().waitFor();
  await checkScreen(page, frame, 'screen-issue-panel-pending');
  noProblems(page);
  await page.context().close();
});
