// make bench-ui: each module's bundle (bytes and gzipped, from
// dist/modules/sizes.json, written by `npm run build`) and its time to first
// content in Debian's chromium under 4x CPU throttling (CDP
// Emulation.setCPUThrottlingRate). Each module page is served from
// dist/modules/<resource>/ on loopback, with a stand-in for what Forge's host
// gives a Custom UI iframe (window.__bridge): getContext answers the module's
// context, invoke answers the fixtures below (any other resolver: not found),
// everything else succeeds. "First content" is the moment #root holds text
// and no loading status: the module has read its context, called its
// resolver and rendered the answer.
//
//   node tests/bench.mjs [--runs N]      writes dist/modules/bench.json
import { createServer } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('..', import.meta.url));
const dist = join(here, 'dist', 'modules');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.txt': 'text/plain' };

const NOW = Date.parse('2026-11-23T12:00:00Z');
const request = {
  id: '10001', issueKey: 'AI-1', projectKey: 'AI', requester: 'acc-1', tool: 'claude', toolName: 'Claude',
  purpose: 'Drafting release notes', durationDays: 30, summary: 'Access to Claude for 30 days', decision: 'approved',
};
const FIXTURES = {
  whoami: { accountId: 'acc-1', isAdmin: true, isApprover: true },
  'portal.form': {
    governed: true, propertyKey: 'aigis.snapshot.v1', newToolAllowed: true, duration: { min: 1, max: 365 },
    purpose: { minChars: 10, maxChars: 2000 }, governanceVersion: 1,
    tools: ['Claude', 'ChatGPT Enterprise', 'GitHub Copilot'].map((name, i) => ({
      id: `t${i}`, name, provider: 'Vendor', guidance: 'No customer data.', risk: 'medium', maxDurationDays: 90, riskMaxDays: 90, defaultDurationDays: 30,
    })),
  },
  'requests.byIssue': {
    request,
    decision: { decision: 'approved', by: 'acc-2', at: NOW - 86_400_000, source: 'manual', governanceVersion: 1 },
    grant: {
      grant: { id: 'g-1', request: '10001', issueKey: 'AI-1', account: 'acc-1', tool: 'claude', status: 'active', durationDays: 30, createdAt: NOW - 86_400_000, expiresAt: NOW + 29 * 86_400_000 },
      expiresAtText: '', expiryLabel: '29 days remaining',
    },
    jobs: [], trail: [], can: { approve: false, deny: false, extend: true, revoke: true, answerReview: false, completeJob: false },
  },
  'directory.users': null,
};

const EXTENSIONS = {
  'portal-create': { type: 'jiraServiceManagement:portalRequestCreatePropertyPanel', portal: { id: 1 }, request: { typeId: 2 } },
  'portal-detail': { type: 'jiraServiceManagement:portalRequestDetailPanel', portal: { id: 1 }, request: { key: 'AI-1', typeId: 2 } },
  'issue-panel': { type: 'jira:issuePanel', issue: { key: 'AI-1', id: '10001', type: 'Task' }, project: { key: 'AI', id: '10000' } },
  global: { type: 'jira:globalPage' },
  admin: { type: 'jira:adminPage' },
};

function bridgeScript(resource) {
  const context = {
    accountId: 'acc-1', cloudId: 'bench', moduleKey: `aigis-${resource}`, localId: 'bench', siteUrl: 'http://127.0.0.1',
    timezone: 'UTC', locale: 'en-US', theme: { colorMode: 'light' }, extension: EXTENSIONS[resource],
  };
  return `(() => {
    const fixtures = ${JSON.stringify(FIXTURES)};
    const context = ${JSON.stringify(context)};
    window.__bridge = { callBridge: async (name, payload) => {
      if (name === 'getContext') return context;
      if (name === 'invoke') {
        const key = payload.functionKey;
        if (key === 'directory.users') return { users: payload.payload.accountIds.map((id) => ({ accountId: id, known: true, active: true, displayName: 'Person ' + id })) };
        if (key in fixtures) return fixtures[key];
        throw new Error(JSON.stringify({ code: 'not-found', message: 'not in the bench fixtures' }));
      }
      if (name === 'createHistory') return undefined;
      return true;
    } };
  })();`;
}

function serve() {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^\/+/, '');
    const file = join(dist, path.endsWith('/') || path === '' ? join(path, 'index.html') : path);
    if (!file.startsWith(dist)) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const sizes = JSON.parse(await readFile(join(dist, 'sizes.json'), 'utf8'));
const server = await serve();
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const results = {};
try {
  for (const resource of Object.keys(EXTENSIONS)) {
    if (!sizes[resource]) continue;
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
      const page = await context.newPage();
      await page.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
      await page.addInitScript(bridgeScript(resource));
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      await page.goto(`${base}/${resource}/`, { waitUntil: 'commit' });
      const handle = await page.waitForFunction(
        () => {
          const root = document.getElementById('root');
          const ready = root && root.textContent.trim() !== '' && !root.querySelector('[role=status]');
          return ready ? performance.now() : false;
        },
        undefined,
        { polling: 'raf', timeout: 30_000 },
      );
      times.push(await handle.jsonValue());
      await context.close();
    }
    results[resource] = { ...sizes[resource], firstContentMs: Math.round(median(times)), runs: RUNS };
  }
} finally {
  await browser.close();
  server.close();
}

await writeFile(join(dist, 'bench.json'), JSON.stringify(results, null, 2) + '\n');
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log('| module | bundle | gzipped | first content, 4x CPU throttling (median) |');
console.log('|---|---:|---:|---:|');
for (const [r, v] of Object.entries(results)) console.log(`| ${r} | ${kb(v.bytes)} | ${kb(v.gzip)} | ${v.firstContentMs} ms |`);
console.log('');
console.log('What a first screen downloads (gzipped, file by file): the entry with its static imports and CSS; per lazy screen (an admin sub-page), that plus its chunk.');
console.log('');
console.log('| module | screen | downloaded, gzipped |');
console.log('|---|---|---:|');
for (const [r, v] of Object.entries(sizes)) {
  if (v.initialLoadGzip === undefined) continue;
  console.log(`| ${r} | first screen | ${kb(v.initialLoadGzip)} |`);
  for (const [screen, n] of Object.entries(v.lazy ?? {})) console.log(`| ${r} | ${screen} | ${kb(n)} |`);
}
const panel = results['portal-create'];
if (panel && panel.gzip > 100 * 1024) {
  console.error(`the portal create panel is ${kb(panel.gzip)} gzipped: over the 100 KB budget`);
  process.exit(1);
}
