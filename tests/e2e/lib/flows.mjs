// Helpers the flows share: REST and resolver calls as a demo user (the same
// HTTP Basic the shell uses), polling, the demo portal, filing a request
// through the portal page's create panel, and the per-screen checks (axe-core
// on the shell and the module frame, screenshots light/dark/400 px).
import assert from 'node:assert/strict';
import { moduleFrame, openPage, panelSubmitted, screenshots, seriousViolations } from './harness.mjs';

function basic(user) {
  return `Basic ${Buffer.from(`${user.email}:${user.apiToken}`).toString('base64')}`;
}

/** Jira REST on the site as `user`: `{status, body}`. */
export async function jira(site, user, method, path, body) {
  const res = await fetch(`${site.url}${path}`, {
    method,
    headers: { Authorization: basic(user), Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

/**
 * Resolver `fn` as `user` (with an optional `context.extension`): the parsed
 * answer `{ok, value | error}` (the host's invoke envelope, whatever its shape).
 */
export async function invoke(site, user, fn, payload = {}, { moduleKey, extension } = {}) {
  const q = moduleKey ? `?moduleKey=${encodeURIComponent(moduleKey)}` : '';
  const res = await fetch(`${site.url}/api/invoke/${fn}${q}`, {
    method: 'POST',
    headers: {
      Authorization: basic(user),
      'Content-Type': 'application/json',
      ...(extension ? { 'X-Aigis-Extension': JSON.stringify(extension) } : {}),
    },
    body: JSON.stringify(payload),
  });
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  if (res.ok) return { ok: true, status: res.status, value: body };
  return { ok: false, status: res.status, error: body };
}

/** `invoke` that must succeed: its value. */
export async function call(site, user, fn, payload = {}, opts = {}) {
  const r = await invoke(site, user, fn, payload, opts);
  assert.ok(r.ok, `${fn} as ${user.email}: ${r.status} ${JSON.stringify(r.error)}`);
  return r.value;
}

/** Polls `probe` (async, truthy when done) for up to `ms`; its last value. */
export async function eventually(probe, { ms = 20_000, every = 200, what = 'condition' } = {}) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`${what} not reached within ${ms} ms (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** The demo help center: `{portalId, serviceDeskId, typeId}` of its AI tool access request type. */
export async function demoPortal(site) {
  const ada = site.user('admin');
  const desks = (await jira(site, ada, 'GET', '/rest/servicedeskapi/servicedesk')).body.values;
  for (const d of desks) {
    const types = (await jira(site, ada, 'GET', `/rest/servicedeskapi/servicedesk/${d.id}/requesttype`)).body.values;
    const t = types.find((x) => x.name === 'AI tool access');
    if (t) return { portalId: String(t.portalId ?? d.id), serviceDeskId: String(d.id), typeId: String(t.id) };
  }
  throw new Error('the demo site has no AI tool access request type');
}

/**
 * Files a request as `user` on the portal create page, through the create
 * panel: `{page, frame, issueKey}` (the page is left on the request's page).
 */
export async function fileThroughPortal(browser, site, user, { toolName, purpose, durationDays, summary }, opts = {}) {
  const { portalId, typeId } = await demoPortal(site);
  const page = await openPage(browser, site, `/servicedesk/customer/portal/${portalId}/create/${typeId}`, { user, ...opts });
  const frame = await moduleFrame(page, 'aigis-portal-create');
  await frame.getByLabel('AI tool', { exact: true }).waitFor();
  await frame.getByLabel('AI tool', { exact: true }).selectOption({ label: toolName });
  await frame.getByLabel('Purpose', { exact: true }).fill(purpose);
  await frame.getByLabel('Duration (days)', { exact: true }).fill(String(durationDays));
  await page.locator('#summary').fill(summary ?? `${toolName} access`);
  // Create files what the panel submitted last: wait until that is the form as filled.
  await panelSubmitted(page, { purpose, durationDays: Number(durationDays) });
  if (opts.beforeCreate) await opts.beforeCreate(page, frame);
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await page.waitForURL(new RegExp(`/servicedesk/customer/portal/${portalId}/[A-Z][A-Z0-9_]*-\\d+$`));
  const issueKey = page.url().split('/').pop();
  return { page, frame, issueKey, portalId, typeId };
}

/** `requests.byIssue` for `issueKey` as `user`, once the request is ingested. */
export function ingested(site, user, issueKey, { ms = 30_000 } = {}) {
  return eventually(
    async () => {
      const r = await invoke(site, user, 'requests.byIssue', { issueKey });
      return r.ok ? r.value : null;
    },
    { ms, what: `${issueKey} ingested` },
  );
}

/** The screens checked so far (name -> violations), for the final summary. */
export const checked = new Map();

/**
 * The checks every screen gets: 0 serious/critical axe violations on the
 * shell page and on each given module frame, in light and in dark, and its
 * screenshots (light, dark, 400 px).
 */
export async function checkScreen(page, frames, name) {
  const list = Array.isArray(frames) ? frames : frames ? [frames] : [];
  // Let transitions (a dialog fading in) end first: axe measures colours as drawn.
  await settle([page, ...list]);
  const found = [];
  for (const v of await seriousViolations(page)) found.push({ where: 'shell', ...v });
  for (const f of list) for (const v of await seriousViolations(f)) found.push({ where: 'module', ...v });
  // And in the other colour mode: the shell's switch reaches every module frame.
  const mode = await page.evaluate(() => document.documentElement.getAttribute('data-color-mode'));
  const other = mode === 'dark' ? 'light' : 'dark';
  await page.locator('#theme-switch').click();
  for (const f of list) await f.waitForFunction((m) => document.documentElement.getAttribute('data-color-mode') === m, other);
  // Colours change through CSS transitions (a field's background): let them end too.
  await settle([page, ...list]);
  for (const v of await seriousViolations(page)) found.push({ where: `shell (${other})`, ...v });
  for (const f of list) for (const v of await seriousViolations(f)) found.push({ where: `module (${other})`, ...v });
  await page.locator('#theme-switch').click();
  for (const f of list) await f.waitForFunction((m) => document.documentElement.getAttribute('data-color-mode') === m, mode);
  await settle([page, ...list]);
  checked.set(name, found);
  assert.deepEqual(found, [], `${name}: axe-core serious/critical violations:\n${JSON.stringify(found, null, 2)}`);
  await screenshots(page, name);
}

/** Waits until the finite animations and transitions of each page or frame have ended. */
async function settle(targets) {
  for (const t of targets) {
    await t.evaluate(() =>
      Promise.all(
        document
          .getAnimations()
          // Not the endless ones (a spinner): they never finish.
          .filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime ?? Infinity))
          .map((a) => a.finished.catch(() => undefined)),
      ),
    );
  }
  await targets[0].waitForTimeout(50);
}

/** No page error or CSP refusal happened on `page`. */
export function noProblems(page) {
  assert.deepEqual(page.problems, [], page.problems.join('\n'));
}

/**
 * Waits until `locator` (in a module frame, e.g. a dialog's confirm button)
 * lies wholly inside the shell page's viewport, as the user sees it, with no
 * scrolling by the test: a dialog in a frame sized to its content makes room
 * and brings itself into view (lib/confirm/ConfirmModal.tsx). Its box.
 */
export async function inViewport(page, locator, { ms = 5_000 } = {}) {
  await locator.waitFor();
  const { height, width } = page.viewportSize();
  return eventually(
    async () => {
      const box = await locator.boundingBox();
      if (!box) return null;
      return box.y >= 0 && box.x >= 0 && box.y + box.height <= height && box.x + box.width <= width ? box : null;
    },
    { ms, every: 50, what: `${locator} inside the ${width}x${height} viewport` },
  );
}

/** Clicks a dialog's button once it is in the viewport (`inViewport`). */
export async function clickInDialog(page, locator) {
  await inViewport(page, locator);
  await locator.click();
}

/**
 * Files a request as `user` the way the shell's portal form files one (the
 * request with the create panel's property): its issue key, once ingested.
 */
export async function fileRequest(site, user, { tool, days, purpose, summary }) {
  const { serviceDeskId, typeId, portalId } = await demoPortal(site);
  const ext = { type: 'jiraServiceManagement:portalRequestCreatePropertyPanel', portal: { id: Number(portalId) }, request: { typeId: Number(typeId) } };
  const { propertyKey } = await call(site, user, 'portal.form', {}, { extension: ext });
  const r = await jira(site, user, 'POST', '/rest/servicedeskapi/request', {
    serviceDeskId,
    requestTypeId: typeId,
    requestFieldValues: { summary: summary ?? `${tool} please` },
    properties: [{ key: propertyKey, value: { toolId: tool, purpose: purpose ?? `Daily work with ${tool} on company material.`, durationDays: days } }],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const ir = await ingested(site, user, r.body.issueKey);
  return { issueKey: r.body.issueKey, id: ir.request.id, tool, requester: user };
}

/**
 * Approves each request as `approver`, runs the job runner and marks each
 * manual provisioning task done: the grants are active afterwards.
 */
export async function activate(site, approver, requests) {
  for (const r of requests) await call(site, approver, 'requests.approve', { requestId: r.id });
  await site.sweep('job-runner');
  for (const r of requests) {
    const ir = await eventually(
      async () => {
        const v = await call(site, approver, 'requests.byIssue', { issueKey: r.issueKey });
        return v.jobs.some((j) => j.status === 'manualPending') ? v : null;
      },
      { what: `${r.issueKey}'s manual provisioning task` },
    );
    for (const j of ir.jobs.filter((x) => x.status === 'manualPending')) {
      await call(site, approver, 'jobs.complete', { jobId: j.id, outcome: 'fulfilled' });
    }
    const after = await call(site, approver, 'requests.byIssue', { issueKey: r.issueKey });
    assert.equal(after.grant?.grant.status, 'active', `${r.issueKey}: ${JSON.stringify(after.grant)}`);
    r.grantId = after.grant.grant.id;
  }
}

/** The shell's flag with `text`, once shown. */
export function flagShown(page, text) {
  return page.locator('.flag', { hasText: text }).first().waitFor();
}
