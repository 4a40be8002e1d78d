// An approver bulk-approves three requests in the global page's Approvals
// (the confirmation names each, the result says what happened to each) and
// marks fulfilment from Manual tasks; then the requester sees the grant and
// its expiry label in My Access and on the portal detail panel, and the issue
// panel shows the request's audit trail with every proof checked.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, moduleFrame, openPage, startSite } from '../lib/harness.mjs';
import { call, checkScreen, clickInDialog, demoPortal, eventually, ingested, jira, noProblems } from '../lib/flows.mjs';

let site;
let browser;
/** The three requests: `{issueKey, id, tool, requester}`. */
const filed = [];

before(async () => {
  site = await startSite();
  browser = await launch();
  const { serviceDeskId, typeId, portalId } = await demoPortal(site);
  const ext = { type: 'jiraServiceManagement:portalRequestCreatePropertyPanel', portal: { id: Number(portalId) }, request: { typeId: Number(typeId) } };
  const rita = site.user('requester', 0);
  const sam = site.user('requester', 1);
  const { propertyKey } = await call(site, rita, 'portal.form', {}, { extension: ext });
  // Filed as the shell files them: the request with the panel's property.
  for (const [user, tool, days] of [
    [rita, 'github-copilot', 30],
    [rita, 'gemini', 60],
    [sam, 'chatgpt-enterprise', 20],
  ]) {
    const r = await jira(site, user, 'POST', '/rest/servicedeskapi/request', {
      serviceDeskId,
      requestTypeId: typeId,
      requestFieldValues: { summary: `${tool} please` },
      properties: [{ key: propertyKey, value: { toolId: tool, purpose: `Daily work with ${tool} on company code.`, durationDays: days } }],
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const ir = await ingested(site, user, r.body.issueKey);
    filed.push({ issueKey: r.body.issueKey, id: ir.request.id, tool, requester: user });
  }
});
after(async () => {
  await browser?.close();
  await site?.stop();
});

const home = (tab) => `/jira/apps/aigis/aigis-home/${tab}`;

test('an approver bulk-approves three requests and marks fulfilment from Manual tasks', async () => {
  const arlo = site.user('approver');
  const page = await openPage(browser, site, home('approvals'), { user: arlo });
  const frame = await moduleFrame(page, 'aigis-home');
  const table = frame.getByTestId('approvals');
  for (const r of filed) await table.getByText(r.issueKey, { exact: true }).waitFor();
  await checkScreen(page, frame, 'global-approvals');
  for (const r of filed) await frame.getByLabel(`Select ${r.id}`, { exact: true }).check();
  await frame.getByText('3 of at most').waitFor();
  await frame.getByTestId('bulk-approve').click();
  const modal = frame.getByTestId('confirm-modal');
  await modal.waitFor();
  await modal.getByText('Approve 3 requests?').waitFor();
  const items = await modal.getByRole('list', { name: 'Items this acts on' }).getByRole('listitem').allTextContents();
  assert.equal(items.length, 3, items.join('\n'));
  for (const r of filed) assert.ok(items.some((i) => i.startsWith(`${r.issueKey}: `)), `${r.issueKey} in ${items.join(' | ')}`);
  await checkScreen(page, frame, 'global-approvals-confirm');
  await clickInDialog(page, frame.getByTestId('confirm-button'));
  const results = frame.getByTestId('bulk-results');
  await results.waitFor();
  const lines = await results.getByRole('listitem').allTextContents();
  assert.equal(lines.length, 3, lines.join('\n'));
  for (const r of filed) assert.ok(lines.some((l) => l.includes(r.issueKey)), `${r.issueKey} in ${lines.join(' | ')}`);
  await frame.getByText('No requests are waiting for a decision.').waitFor();
  for (const r of filed) {
    const ir = await call(site, arlo, 'requests.byIssue', { issueKey: r.issueKey });
    assert.equal(ir.request.decision, 'approved', `${r.issueKey}: ${ir.request.decision}`);
    assert.equal(ir.request.decidedBy, arlo.accountId);
  }
  noProblems(page);
  await page.context().close();

  // Manual tasks: the job runner queues the grants' jobs for a person (the
  // demo tools have no connector); each is completed from its button.
  const sweep = await site.sweep('job-runner');
  assert.ok(sweep.jobsAdvanced >= 3, JSON.stringify(sweep));
  const jobs = await eventually(
    async () => {
      const all = [];
      for (const r of filed) {
        const ir = await call(site, arlo, 'requests.byIssue', { issueKey: r.issueKey });
        const j = ir.jobs.find((x) => x.status === 'manualPending');
        if (!j) return null;
        all.push({ ...r, jobId: j.id });
      }
      return all;
    },
    { what: 'manual jobs of the approved requests' },
  );
  const tasks = await openPage(browser, site, home('tasks'), { user: arlo });
  const tf = await moduleFrame(tasks, 'aigis-home');
  for (const j of jobs) await tf.getByTestId(`complete-${j.jobId}`).waitFor();
  await checkScreen(tasks, tf, 'global-tasks');
  for (const j of jobs) {
    await tf.getByTestId(`complete-${j.jobId}`).click();
    const m = tf.getByTestId('confirm-modal');
    await m.waitFor();
    await m.getByText(j.issueKey, { exact: false }).first().waitFor();
    await tf.getByLabel('Fulfilment note (optional)').fill(`Seat given for ${j.issueKey}`);
    await clickInDialog(tasks, tf.getByTestId('confirm-button'));
    await m.waitFor({ state: 'detached' });
    await tf.getByTestId(`complete-${j.jobId}`).waitFor({ state: 'detached' });
  }
  for (const j of jobs) {
    const ir = await call(site, arlo, 'requests.byIssue', { issueKey: j.issueKey });
    assert.equal(ir.jobs.find((x) => x.id === j.jobId)?.status, 'completed', JSON.stringify(ir.jobs));
    assert.equal(ir.grant?.grant.status, 'active', JSON.stringify(ir.grant));
  }
  noProblems(tasks);
  await tasks.context().close();
});

test('the requester sees the grant and its label in My Access and on the portal detail panel', async () => {
  const rita = site.user('requester', 0);
  const mine = filed.filter((r) => r.requester === rita);
  const page = await openPage(browser, site, home('access'), { user: rita });
  const frame = await moduleFrame(page, 'aigis-home');
  const table = frame.getByTestId('my-access');
  for (const r of mine) await table.getByText(r.issueKey, { exact: true }).waitFor();
  await table.getByText('GitHub Copilot').waitFor();
  await table.getByText('Gemini for Workspace').waitFor();
  const text = await table.innerText();
  assert.match(text, /Active/i, text);
  assert.match(text, /30 days/, text);
  assert.match(text, /60 days/, text);
  await checkScreen(page, frame, 'global-my-access');
  noProblems(page);
  await page.context().close();

  const r = mine[0];
  const ir = await call(site, rita, 'requests.byIssue', { issueKey: r.issueKey });
  const { portalId } = await demoPortal(site);
  const detailPage = await openPage(browser, site, `/servicedesk/customer/portal/${portalId}/${r.issueKey}`, { user: rita });
  const detail = await moduleFrame(detailPage, 'aigis-portal-detail');
  await detail.getByText('GitHub Copilot').first().waitFor();
  await detail.getByText('Expires', { exact: true }).waitFor();
  const panel = await detail.locator('.detail').innerText();
  if (ir.grant?.expiryLabel) assert.ok(panel.includes(ir.grant.expiryLabel), `${ir.grant.expiryLabel} in ${panel}`);
  assert.match(panel, /Access/, panel);
  await checkScreen(detailPage, detail, 'portal-detail-granted');
  noProblems(detailPage);
  await detailPage.context().close();
});

test('the issue panel shows the trail with every proof checked', async () => {
  const arlo = site.user('approver');
  const r = filed[0];
  const ir = await call(site, arlo, 'requests.byIssue', { issueKey: r.issueKey });
  assert.ok(ir.trail.length >= 3, `trail of ${ir.trail.length}`);
  const page = await openPage(browser, site, `/browse/${r.issueKey}`, { user: arlo });
  const frame = await moduleFrame(page, 'aigis-issue-panel');
  const trail = frame.getByRole('list', { name: 'Audit trail' });
  await trail.waitFor();
  await eventually(async () => (await trail.getByText('Proof checked').count()) === ir.trail.length, { what: 'every proof checked' });
  assert.equal(await trail.getByRole('listitem').count(), ir.trail.length);
  assert.equal(await trail.getByText('Proof failed').count(), 0);
  await checkScreen(page, frame, 'issue-panel-trail');
  noProblems(page);
  await page.context().close();
});

test('the home at / links the recent issues; a link opens the issue page', async () => {
  const arlo = site.user('approver');
  const page = await openPage(browser, site, '/', { user: arlo });
  const recent = page.getByRole('list', { name: 'Recent issues' });
  for (const r of filed) await recent.getByRole('link', { name: new RegExp(`^${r.issueKey} `) }).waitFor();
  await checkScreen(page, [], 'home');
  await recent.getByRole('link', { name: new RegExp(`^${filed[0].issueKey} `) }).click();
  await page.waitForURL(new RegExp(`/browse/${filed[0].issueKey}$`));
  await moduleFrame(page, 'aigis-issue-panel');
  noProblems(page);
  await page.context().close();
});
