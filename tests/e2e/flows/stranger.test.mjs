// A stranger to approving (a requester, and a user in no group at all) sees
// the global page without its approver tabs, even when the URL names one,
// and the approvers' resolvers refuse them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, moduleFrame, openPage, startSite } from '../lib/harness.mjs';
import { checkScreen, invoke, noProblems } from '../lib/flows.mjs';

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

for (const role of ['requester', 'unlicensed']) {
  test(`a ${role} sees no Approvals tab, even at its URL`, async () => {
    const user = site.user(role);
    assert.ok(user, `the demo site has a ${role}`);
    const page = await openPage(browser, site, '/jira/apps/aigis/aigis-home/approvals', { user });
    const frame = await moduleFrame(page, 'aigis-home');
    await frame.getByTestId('tab-access').waitFor();
    assert.equal(await frame.getByTestId('tab-approvals').count(), 0);
    assert.equal(await frame.getByTestId('tab-tasks').count(), 0);
    assert.equal(await frame.getByTestId('tab-reviews').count(), 0);
    assert.equal(await frame.getByRole('tab', { name: 'Approvals' }).count(), 0);
    // The approvals path falls back to the viewer's first screen.
    await frame.getByTestId('my-access').waitFor();
    assert.equal(await frame.getByTestId('approvals').count(), 0);
    if (role === 'requester') await checkScreen(page, frame, 'global-stranger');
    const pending = await invoke(site, user, 'requests.pending', { limit: 10 });
    assert.equal(pending.ok, false);
    assert.equal(pending.error.code, 'forbidden', JSON.stringify(pending.error));
    noProblems(page);
    await page.context().close();
  });
}

test('an approver does see the Approvals tab', async () => {
  const page = await openPage(browser, site, '/jira/apps/aigis/aigis-home/approvals', { user: site.user('approver') });
  const frame = await moduleFrame(page, 'aigis-home');
  await frame.getByTestId('tab-approvals').waitFor();
  await frame.getByTestId('approvals').waitFor();
  await page.context().close();
});
