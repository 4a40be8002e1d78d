// The admin's governance screens on the site `make run` opens
// (`--demo-activity`, so the log has a history): a rule changed on
// Governance is saved as a new version, shown in force and in the
// versions; an auto-approval policy added and deleted, each a version of its
// own; Governance Logs searches the log by subject and rotates the signing
// key behind a confirmation; the searched event's inclusion proof is shown
// (and checked) in its request's audit trail on the issue page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, moduleFrame, openPage, startSite } from '../lib/harness.mjs';
import { call, checkScreen, clickInDialog, eventually, flagShown, noProblems } from '../lib/flows.mjs';

let site;
let browser;
before(async () => {
  site = await startSite({ activity: true });
  browser = await launch();
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

test('a governance rule changed on Governance is saved as a new version, in force and listed', async () => {
  const ada = site.user('admin');
  const before = (await call(site, ada, 'governance.get', {})).governance;
  const high = before.maxDays.high === 45 ? 44 : 45;
  const { page, frame } = await open('governance');
  await frame.getByRole('heading', { name: `Rules in force (version ${before.version})` }).waitFor();
  await frame.getByLabel('Longest grant, high risk (days)', { exact: true }).fill(String(high));
  await frame.getByLabel('Note for this version', { exact: true }).fill('High-risk tools: shorter grants.');
  await frame.getByTestId('governance-save').click();
  const next = before.version + 1;
  await flagShown(page, `Governance version ${next} saved`);
  await frame.getByRole('heading', { name: `Rules in force (version ${next})` }).waitFor();
  const versions = frame.getByRole('table', { name: 'Governance versions' });
  const row = versions.getByRole('row').filter({ hasText: 'High-risk tools: shorter grants.' });
  await row.waitFor();
  assert.match(await row.innerText(), new RegExp(`^\\s*${next}\\b`));
  const after = (await call(site, ada, 'governance.get', {})).governance;
  assert.equal(after.version, next);
  assert.equal(after.maxDays.high, high);
  assert.equal(after.maxDays.low, before.maxDays.low, 'the other rules are unchanged');
  await checkScreen(page, frame, 'admin-governance-saved');

  // A policy added is a version of its own; deleting it (behind a confirmation) another.
  const { intake } = await call(site, ada, 'config.getIntake', {});
  await frame.getByLabel('Policy name', { exact: true }).fill('Copilot for approvers');
  await frame.getByLabel('Project key', { exact: true }).fill(intake.projectKey);
  await frame.getByLabel('Tool id (blank: every tool)', { exact: true }).fill('github-copilot');
  await frame.getByLabel('Requester groups', { exact: true }).fill('aigis-approvers');
  await frame.getByLabel('Longest duration (days)', { exact: true }).fill('14');
  await frame.getByRole('button', { name: 'Save policy' }).click();
  await flagShown(page, `Policy Copilot for approvers saved (governance version ${next + 1})`);
  await frame.getByRole('heading', { name: `Rules in force (version ${next + 1})` }).waitFor();
  const policies = frame.getByRole('table', { name: 'Auto-approval policies' });
  await policies.getByText('Copilot for approvers').waitFor();
  const saved = (await call(site, ada, 'policies.list', {})).policies.find((p) => p.name === 'Copilot for approvers');
  assert.ok(saved, 'the policy is stored');
  assert.equal(saved.maxDurationDays, 14);
  assert.deepEqual(saved.allowedGroups, ['aigis-approvers']);

  await policies.getByRole('row').filter({ hasText: 'Copilot for approvers' }).getByRole('button', { name: 'Delete' }).click();
  const modal = frame.getByTestId('confirm-modal');
  await modal.getByText('Delete policy Copilot for approvers?').waitFor();
  await clickInDialog(page, frame.getByTestId('confirm-button'));
  await modal.waitFor({ state: 'detached' });
  await flagShown(page, 'Policy Copilot for approvers deleted');
  await policies.getByText('Copilot for approvers').waitFor({ state: 'detached' });
  await frame.getByRole('heading', { name: `Rules in force (version ${next + 2})` }).waitFor();
  assert.equal((await call(site, ada, 'policies.list', {})).policies.some((p) => p.name === 'Copilot for approvers'), false);
  noProblems(page);
  await page.context().close();
});

test('Governance Logs searches by subject and rotates the signing key; the event proof shows on its issue', async () => {
  const ada = site.user('admin');
  const approved = (await call(site, ada, 'audit.search', { type: 'request.approved', limit: 100 })).events[0];
  assert.ok(approved, 'an approval in the history');
  const subject = approved.subject;
  const expected = (await call(site, ada, 'audit.search', { subject, limit: 100 })).events.map((e) => String(e.seq));
  assert.ok(expected.length >= 2, `${subject}: ${expected.join(', ')}`);

  const { page, frame } = await open('logs');
  await frame.getByTestId('audit-verified').getByText('The log is intact').waitFor();
  const events = frame.getByTestId('audit-events');
  await events.getByRole('row').nth(1).waitFor();
  await frame.getByLabel('Subject, e.g. grant:g-10000', { exact: true }).fill(subject);
  await frame.getByRole('button', { name: 'Search', exact: true }).click();
  // Only that subject's events remain, all of them.
  const seqs = await eventually(
    async () => {
      const body = (await events.getByRole('row').allInnerTexts()).slice(1);
      return body.length > 0 && body.every((t) => t.includes(subject)) ? body.map((t) => t.trim().split(/\s+/)[0]) : null;
    },
    { what: `only ${subject}'s events listed` },
  );
  assert.deepEqual([...seqs].sort(), [...expected].sort());
  await checkScreen(page, frame, 'admin-logs-search');

  // Rotate the signing key: the confirmation says what happens; the new key is in force.
  const keysBefore = (await call(site, ada, 'audit.keys', {})).keys.map((k) => k.keyId);
  await frame.getByRole('button', { name: 'Rotate the signing key…' }).click();
  const modal = frame.getByTestId('confirm-modal');
  await modal.getByText('Rotate the log signing key?').waitFor();
  await checkScreen(page, frame, 'admin-logs-rotate-confirm');
  await clickInDialog(page, frame.getByTestId('confirm-button'));
  await modal.waitFor({ state: 'detached' });
  const flagText = await page.locator('.flag', { hasText: 'New signing key' }).first().innerText();
  const keysAfter = (await call(site, ada, 'audit.keys', {})).keys.map((k) => k.keyId);
  const added = keysAfter.filter((k) => !keysBefore.includes(k));
  assert.equal(added.length, 1, JSON.stringify({ keysBefore, keysAfter }));
  assert.ok(flagText.includes(added[0]), `${added[0]} in the flag: ${flagText}`);
  await frame.getByTestId('audit-verified').getByText('The log is intact').waitFor();
  noProblems(page);
  await page.context().close();

  // The approval's inclusion proof, in its request's audit trail.
  const requestId = subject.replace(/^request:/, '');
  const { request } = await call(site, ada, 'requests.get', { requestId });
  const issuePage = await openPage(browser, site, `/browse/${request.issueKey}`, { user: ada });
  const panel = await moduleFrame(issuePage, 'aigis-issue-panel');
  const entry = panel.getByRole('list', { name: 'Audit trail' }).getByRole('listitem').filter({ hasText: `Event ${approved.seq} ` });
  await entry.getByText('Proof checked').waitFor();
  assert.match(await entry.innerText(), /in the log of \d+ events \(root [0-9a-f]+/);
  noProblems(issuePage);
  await issuePage.context().close();
});
