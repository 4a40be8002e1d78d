// A grant's life after approval, in the browser: the issue panel extends a
// grant and then revokes it (each confirmation says what will happen); the
// Reviews screen answers one recertification review keep and another
// revoke; a deny without a rationale is refused with the field named and
// accepted with one; an admin delegates an approver's approvals with an end
// date in Intake & Approvals, and the delegate then approves. Each checks
// what the user sees after and the stored effect through the resolvers.
// Every dialog's confirm button must be in the shell's viewport as drawn.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, moduleFrame, openPage, startSite } from '../lib/harness.mjs';
import { activate, call, checkScreen, clickInDialog, eventually, fileRequest, flagShown, inViewport, invoke, noProblems } from '../lib/flows.mjs';

const DAY = 86_400_000;

let site;
let browser;
/** The requests: `extendable` (active, 30 days), `kept` and `reviewRevoked` (active, 5 days: inside the review window), `denied` and `delegated` (pending). */
const r = {};

before(async () => {
  site = await startSite();
  browser = await launch();
  const rita = site.user('requester', 0);
  const sam = site.user('requester', 1);
  r.extendable = await fileRequest(site, rita, { tool: 'github-copilot', days: 30 });
  r.kept = await fileRequest(site, rita, { tool: 'gemini', days: 5 });
  r.reviewRevoked = await fileRequest(site, sam, { tool: 'chatgpt-enterprise', days: 5 });
  r.denied = await fileRequest(site, sam, { tool: 'github-copilot', days: 30 });
  r.delegated = await fileRequest(site, rita, { tool: 'chatgpt-enterprise', days: 20 });
  await activate(site, site.user('approver'), [r.extendable, r.kept, r.reviewRevoked]);
  // The recertification sweep opens a review for each grant ending within the window.
  await site.sweep('recertification');
});
after(async () => {
  await browser?.close();
  await site?.stop();
});

const home = (tab) => `/jira/apps/aigis/aigis-home/${tab}`;

/** The text of the open confirmation dialog (title, body and items). */
async function dialogText(frame) {
  return (await frame.getByTestId('confirm-modal').innerText()).replace(/\s+/g, ' ');
}

test('the issue panel extends a grant and then revokes it, each confirmation saying what will happen', async () => {
  const arlo = site.user('approver');
  const { issueKey, grantId } = r.extendable;
  const before = (await call(site, arlo, 'requests.byIssue', { issueKey })).grant.grant;
  const page = await openPage(browser, site, `/browse/${issueKey}`, { user: arlo });
  const frame = await moduleFrame(page, 'aigis-issue-panel');

  // Extend by 10 days: the confirmation names the grant and its new end.
  await frame.getByRole('button', { name: 'Extend', exact: true }).click();
  const modal = frame.getByTestId('confirm-modal');
  await modal.getByText('Extend access?').waitFor();
  await modal.getByLabel('Days to add').fill('10');
  await modal.getByLabel('Rationale', { exact: true }).fill('The migration runs two more weeks.');
  const text = await dialogText(frame);
  assert.match(text, new RegExp(`GitHub Copilot for .+ \\(${issueKey}\\)`), text);
  const end = /extended by 10 days, to end (\d{1,2} \w+ \d{4})/.exec(text);
  assert.ok(end, text);
  await checkScreen(page, frame, 'issue-panel-extend-confirm');
  await clickInDialog(page, frame.getByTestId('confirm-button'));
  await modal.waitFor({ state: 'detached' });
  await flagShown(page, 'Access extended.');
  const extended = (await call(site, arlo, 'requests.byIssue', { issueKey })).grant.grant;
  assert.equal(extended.id, grantId);
  assert.equal(extended.expiresAt, before.expiresAt + 10 * DAY);
  // The panel reloaded with the new end, the date the confirmation named.
  await frame.locator('dd', { hasText: end[1] }).waitFor();

  // Revoke, from the page scrolled down to the button (the frame's top, where
  // its dialogs are drawn, out of view): nothing is sent without a rationale;
  // the confirmation says access ends now.
  // A laptop's short viewport, shorter than the dialog's room in the frame.
  await page.setViewportSize({ width: 1280, height: 640 });
  const revokeButton = frame.getByRole('button', { name: 'Revoke', exact: true });
  const buttonAt = (await revokeButton.boundingBox()).y;
  // The button near the viewport's top: the frame's top well above it.
  await page.evaluate((dy) => window.scrollBy(0, dy), buttonAt - 80);
  const frameTop = (await page.locator('iframe[data-module-key="aigis-issue-panel"]').boundingBox()).y;
  assert.ok(frameTop < -100, `the frame's top is above the viewport (${frameTop})`);
  await revokeButton.click();
  await modal.getByText('Revoke 1 grant?').waitFor();
  // The whole dialog is in view: its title as well as its buttons.
  await inViewport(page, modal.getByText('Revoke 1 grant?'));
  await inViewport(page, frame.getByTestId('confirm-button'));
  assert.equal(await frame.getByTestId('confirm-button').isDisabled(), true);
  await modal.getByLabel('Rationale', { exact: true }).fill('Moved to another team.');
  const revokeText = await dialogText(frame);
  assert.match(revokeText, /Access ends now for this grant, and a task to remove it from the tool is queued\./, revokeText);
  assert.match(revokeText, /"Moved to another team\."/, revokeText);
  await clickInDialog(page, frame.getByTestId('confirm-button'));
  await modal.waitFor({ state: 'detached' });
  await flagShown(page, 'Access revoked: removal is queued.');
  const revoked = await call(site, arlo, 'requests.byIssue', { issueKey });
  assert.equal(revoked.grant.grant.status, 'revoked');
  assert.ok(
    revoked.jobs.some((j) => j.kind === 'deprovision'),
    `a deprovision job after the revoke: ${JSON.stringify(revoked.jobs)}`,
  );
  // The panel shows it: no more Extend or Revoke, the grant marked revoked.
  await frame.getByRole('button', { name: 'Extend', exact: true }).waitFor({ state: 'detached' });
  await frame.locator('#grant-h').locator('xpath=..').getByText('Revoked', { exact: true }).waitFor();
  noProblems(page);
  await page.context().close();
});

test('a recertification review answered keep and another answered revoke', async () => {
  const arlo = site.user('approver');
  const pending = (await call(site, arlo, 'reviews.pending', {})).reviews;
  for (const x of [r.kept, r.reviewRevoked]) assert.ok(pending.some((p) => p.grantId === x.grantId), `${x.grantId} up for review: ${JSON.stringify(pending)}`);
  const page = await openPage(browser, site, home('reviews'), { user: arlo });
  const frame = await moduleFrame(page, 'aigis-home');
  await frame.getByTestId(`keep-${r.kept.grantId}`).waitFor();
  await checkScreen(page, frame, 'global-reviews');

  await frame.getByTestId(`keep-${r.kept.grantId}`).click();
  const modal = frame.getByTestId('confirm-modal');
  await modal.getByText('Keep this access?').waitFor();
  assert.match(await dialogText(frame), new RegExp(`Gemini for Workspace for .+ \\(${r.kept.issueKey}\\)`));
  assert.equal(await frame.getByTestId('confirm-button').isDisabled(), true, 'no answer without a rationale');
  await modal.getByLabel('Rationale (required)').fill('Still needed for the sales decks.');
  await clickInDialog(page, frame.getByTestId('confirm-button'));
  await modal.waitFor({ state: 'detached' });
  await flagShown(page, 'Access kept');
  await frame.getByTestId(`keep-${r.kept.grantId}`).waitFor({ state: 'detached' });

  await frame.getByTestId(`revoke-${r.reviewRevoked.grantId}`).click();
  await modal.getByText('Revoke this access?').waitFor();
  assert.match(await dialogText(frame), /Access ends now and a task to remove it from the tool is queued/);
  await modal.getByLabel('Rationale (required)').fill('The knowledge base is finished.');
  await checkScreen(page, frame, 'global-reviews-revoke-confirm');
  await clickInDialog(page, frame.getByTestId('confirm-button'));
  await modal.waitFor({ state: 'detached' });
  await flagShown(page, 'Access revoked');
  await frame.getByTestId(`revoke-${r.reviewRevoked.grantId}`).waitFor({ state: 'detached' });
  await frame.getByText('No grants are up for review.').waitFor();

  const left = (await call(site, arlo, 'reviews.pending', {})).reviews;
  assert.deepEqual(left.filter((p) => p.grantId === r.kept.grantId || p.grantId === r.reviewRevoked.grantId), []);
  const kept = await call(site, arlo, 'requests.byIssue', { issueKey: r.kept.issueKey });
  assert.equal(kept.grant.grant.status, 'active');
  const gone = await call(site, arlo, 'requests.byIssue', { issueKey: r.reviewRevoked.issueKey });
  assert.equal(gone.grant.grant.status, 'revoked');
  noProblems(page);
  await page.context().close();
});

test('a deny without a rationale is refused with the field named; with one it is accepted', async () => {
  const arlo = site.user('approver');
  const { issueKey, id } = r.denied;
  // The resolver refuses it too, naming the field.
  const bare = await invoke(site, arlo, 'requests.deny', { requestId: id });
  assert.equal(bare.ok, false);
  assert.equal(bare.status, 400, JSON.stringify(bare.error));
  assert.equal(bare.error.field, 'rationale', JSON.stringify(bare.error));

  const page = await openPage(browser, site, home('approvals'), { user: arlo });
  const frame = await moduleFrame(page, 'aigis-home');
  await frame.getByTestId('approvals').getByText(issueKey, { exact: true }).waitFor();
  await frame.getByLabel(`Select ${id}`, { exact: true }).check();
  await frame.getByTestId('bulk-deny').click();
  const modal = frame.getByTestId('confirm-modal');
  await modal.getByText('Deny 1 request?').waitFor();
  const confirm = frame.getByTestId('confirm-button');
  await inViewport(page, confirm);
  assert.equal(await confirm.isDisabled(), true, 'Deny is not offered without a rationale');
  await modal.getByText('Rationale: give a reason to deny; each requester sees it.').waitFor();
  await checkScreen(page, frame, 'global-approvals-deny-refused');
  // Spaces only are no rationale either.
  await modal.getByLabel(/^Rationale/).fill('   ');
  assert.equal(await confirm.isDisabled(), true);
  await modal.getByLabel(/^Rationale/).fill('Copilot is licensed per team; ask your lead first.');
  await modal.getByText('Rationale: give a reason to deny; each requester sees it.').waitFor({ state: 'detached' });
  await clickInDialog(page, confirm);
  const results = frame.getByTestId('bulk-results');
  await results.getByText(`${issueKey}: denied`).waitFor();
  const ir = await call(site, arlo, 'requests.byIssue', { issueKey });
  assert.equal(ir.request.decision, 'denied');
  assert.equal(ir.decision.rationale, 'Copilot is licensed per team; ask your lead first.');
  assert.equal(ir.decision.by, arlo.accountId);
  noProblems(page);
  await page.context().close();
});

/** `datetime-local` text of `ms` in the browser's zone (what the field shows and reads). */
function localInput(frame, ms) {
  return frame.evaluate((t) => {
    const d = new Date(t);
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  }, ms);
}

test('a delegation with an end date in Intake & Approvals lets the delegate approve', async () => {
  const ada = site.user('admin');
  const arlo = site.user('approver');
  const sam = site.user('requester', 1);
  const { issueKey, id } = r.delegated;
  const refused = await invoke(site, sam, 'requests.pending', { limit: 10 });
  assert.equal(refused.ok, false, 'no approvals before the delegation');

  const page = await openPage(browser, site, '/jira/settings/apps/aigis/aigis-admin/intake', { user: ada });
  const frame = await moduleFrame(page, 'aigis-admin');
  await frame.getByRole('button', { name: 'Add a delegation' }).click();
  const pick = async (label, user) => {
    const input = frame.getByLabel(label, { exact: true });
    await input.fill(user.displayName.split(' ')[0]);
    await frame.getByRole('option', { name: user.displayName }).click();
  };
  await pick('Delegation 1: approver', arlo);
  await pick('Delegation 1: stands in', sam);
  // A week from now, to the minute.
  const until = Math.floor((Date.now() + 7 * DAY) / 60_000) * 60_000;
  await frame.getByLabel('Delegation 1: ends', { exact: true }).fill(await localInput(frame, until));
  await checkScreen(page, frame, 'admin-intake-delegation');
  await frame.getByTestId('intake-save').click();
  await flagShown(page, 'Intake saved');
  const { intake } = await call(site, ada, 'config.getIntake', {});
  assert.equal(intake.delegations.length, 1, JSON.stringify(intake.delegations));
  const d = intake.delegations[0];
  assert.equal(d.delegator, arlo.accountId);
  assert.equal(d.delegate, sam.accountId);
  assert.equal(Date.parse(d.until), until, `${d.until} is ${new Date(until).toISOString()}`);
  noProblems(page);
  await page.context().close();

  // The delegate now has Approvals and approves there.
  const sp = await openPage(browser, site, home('approvals'), { user: sam });
  const sf = await moduleFrame(sp, 'aigis-home');
  await sf.getByTestId('tab-approvals').waitFor();
  await sf.getByTestId('approvals').getByText(issueKey, { exact: true }).waitFor();
  await sf.getByLabel(`Select ${id}`, { exact: true }).check();
  await sf.getByTestId('bulk-approve').click();
  await sf.getByTestId('confirm-modal').getByText('Approve 1 request?').waitFor();
  await clickInDialog(sp, sf.getByTestId('confirm-button'));
  await sf.getByTestId('bulk-results').getByText(`${issueKey}: approved`).waitFor();
  const ir = await eventually(async () => {
    const v = await call(site, sam, 'requests.byIssue', { issueKey });
    return v.request.decision === 'approved' ? v : null;
  });
  assert.equal(ir.request.decidedBy, sam.accountId);
  noProblems(sp);
  await sp.context().close();
});
