// The browser harness of the local Jira-like site: a fresh `aigis up --demo`
// on a free loopback port, Debian's chromium through playwright-core, and
// helpers to sign in as a demo user, open a shell page, reach into a module
// iframe, check accessibility with axe-core and take screenshots (light,
// dark, 400 px wide) into target/e2e-screenshots/.
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '../../..');
const require = createRequire(import.meta.url);
const AXE_SOURCE = readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
export const SCREENSHOTS = join(ROOT, 'target', 'e2e-screenshots');

/**
 * Starts a fresh demo site (`aigis up --demo`, or with `activity` the
 * `--demo-activity` site `make run` opens: a history where every screen has
 * something to show); resolves to `{url, users, stop}`.
 */
export async function startSite({ activity = false } = {}) {
  const state = await mkdtemp(join(tmpdir(), 'aigis-e2e-'));
  // Each site is fresh, but the components compiled for one serve the next:
  // the host's compiled-component cache (<state>/cache/<wasm sha256>.cwasm,
  // checked against the engine on load) is seeded from, and saved back to,
  // target/e2e-cwasm/.
  await copyCwasm(CWASM, join(state, 'cache'));
  const bin = process.env.AIGIS_BIN ?? join(ROOT, 'target', 'debug', 'aigis');
  const components = process.env.AIGIS_COMPONENTS_DIR ?? join(ROOT, 'target', 'wasm32-wasip2', 'wasm');
  const child = spawn(
    bin,
    ['--manifest', join(ROOT, 'manifest.yml'), '--state-dir', state, '--components-dir', components, 'up', activity ? '--demo-activity' : '--demo', '--port', '0'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`aigis did not start within 120 s:\n${log}`)), 120_000);
    const onData = (d) => {
      log += d;
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(log);
      if (m) {
        clearTimeout(timer);
        ok(m[0]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => fail(new Error(`aigis exited (${code}):\n${log}`)));
  });
  const users = (await (await fetch(`${url}/api/host/demo-users`)).json()).users;
  // Warm up: the first invocation compiles the components.
  const ada = users.find((u) => u.role === 'admin');
  await fetch(`${url}/api/invoke/whoami`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`${ada.email}:${ada.apiToken}`).toString('base64')}` },
    body: '{}',
  });
  return {
    url,
    users,
    /** The site's state dir (the demo identity-provider credentials are in it). */
    state,
    user: (role, n = 0) => users.filter((u) => u.role === role)[n],
    log: () => log,
    /** Runs scheduled trigger `name` once (`aigis sweep`) on this site's state: its JSON summary. */
    sweep(name) {
      return new Promise((ok, fail) => {
        const args = ['--manifest', join(ROOT, 'manifest.yml'), '--state-dir', state, '--components-dir', components, 'sweep', name];
        const p = spawn(bin, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (err += d));
        p.on('error', fail);
        p.on('exit', (code) => {
          if (code !== 0) return fail(new Error(`aigis sweep ${name} exited ${code}: ${err}`));
          try {
            ok(JSON.parse(out.trim().split('\n')[0]));
          } catch (e) {
            fail(new Error(`aigis sweep ${name}: ${e.message}: ${out}`));
          }
        });
      });
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      await copyCwasm(join(state, 'cache'), CWASM);
      await rm(state, { recursive: true, force: true });
    },
  };
}

const CWASM = join(ROOT, 'target', 'e2e-cwasm');

/** Copies the `.cwasm` files of `from` missing in `to` (a missing `from` is no files). */
async function copyCwasm(from, to) {
  let names;
  try {
    names = (await readdir(from)).filter((n) => /^[0-9a-f]{64}\.cwasm$/.test(n));
  } catch {
    return;
  }
  await mkdir(to, { recursive: true, mode: 0o700 });
  const have = new Set(await readdir(to));
  for (const n of names) if (!have.has(n)) await copyFile(join(from, n), join(to, n));
}

/** Debian's chromium, headless. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * A page of the site signed in as `user` (a demo user), in `colorMode`, at
 * `width` px; fails the test on any page error or CSP violation.
 */
export async function openPage(browser, site, path, { user, colorMode = 'light', width = 1280 } = {}) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  await context.addInitScript(
    ([email, mode]) => {
      if (window.top === window) {
        if (email) localStorage.setItem('aigis.shell.user', email);
        localStorage.setItem('aigis.shell.colorMode', mode);
        // The form data each module frame hands the shell through `view.submit`
        // (the bridge's `submit` call), in order: what the shell's Create
        // would use is the last one (see `panelSubmitted`).
        window.__aigisSubmits = [];
        window.addEventListener('message', (e) => {
          const d = e.data;
          if (d && d.aigisBridge === 1 && d.kind === 'call' && d.method === 'submit') window.__aigisSubmits.push(d.payload);
        });
      }
    },
    [user?.email ?? '', colorMode],
  );
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  await page.goto(`${site.url}${path}`);
  await page.locator('header.top-bar').waitFor();
  page.problems = problems;
  return page;
}

/**
 * Waits until the last form data a module frame submitted to the shell on
 * `page` (`view.submit`) is valid and has a field whose value includes each
 * of `values`: the state Create files from, so a test never races the
 * panel's last change.
 */
export async function panelSubmitted(page, values) {
  await page.waitForFunction((want) => {
    const all = window.__aigisSubmits ?? [];
    const last = all[all.length - 1];
    if (!last || last.isValid !== true || !Array.isArray(last.fields)) return false;
    return last.fields.some((f) => f && f.value && typeof f.value === 'object' && Object.entries(want).every(([k, v]) => f.value[k] === v));
  }, values);
}

/** The frame of module `moduleKey` on `page`, once its document has loaded. */
export async function moduleFrame(page, moduleKey) {
  const el = page.locator(`iframe[data-module-key="${moduleKey}"]`);
  await el.waitFor();
  const handle = await el.elementHandle();
  const frame = await handle.contentFrame();
  await frame.waitForLoadState('domcontentloaded');
  return frame;
}

/** axe-core on `target` (a page or frame): the serious and critical violations. */
export async function seriousViolations(target) {
  await target.evaluate(await AXE_SOURCE);
  const result = await target.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Screenshots of `page` as `name`: light and dark at its width, and light at 400 px. */
export async function screenshots(page, name) {
  await mkdir(SCREENSHOTS, { recursive: true });
  const shot = (suffix) => page.screenshot({ path: join(SCREENSHOTS, `${name}-${suffix}.png`), fullPage: true });
  const original = page.viewportSize();
  const mode = await page.evaluate(() => document.documentElement.getAttribute('data-color-mode'));
  await shot(mode);
  await page.locator('#theme-switch').click();
  await page.waitForTimeout(100);
  await shot(mode === 'dark' ? 'light' : 'dark');
  await page.locator('#theme-switch').click();
  await page.setViewportSize({ width: 400, height: original.height });
  await page.waitForTimeout(100);
  await shot('400px');
  await page.setViewportSize(original);
}

/** Switches the shell's user to `user` and waits for the page to render again. */
export async function switchUser(page, user) {
  await page.locator('#user-switcher').selectOption(user.email);
  await page.waitForFunction((email) => localStorage.getItem('aigis.shell.user') === email, user.email);
}

/** The last form data a module frame submitted to the shell on `page` (`view.submit`), or null. */
export function lastPanelSubmit(page) {
  return page.evaluate(() => {
    const all = window.__aigisSubmits ?? [];
    return all.length > 0 ? all[all.length - 1] : null;
  });
}
