// The bridge emulation against the documented @forge/bridge contract: the
// real package (node_modules/@forge/bridge, unmodified) runs over
// `installBridge` (the iframe's side), whose messages reach `BridgeHost` (the
// shell's side) asynchronously, as postMessage delivers them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installBridge } from '../../bridge-emulation/child';
import {
  BridgeHost,
  propertiesFromSubmission,
  type FlagOptions,
  type FrameSpec,
  type NavigationLocation,
  type ShellServices,
} from '../../bridge-emulation/host';
import type { HistoryLocation, ToFrame } from '../../bridge-emulation/protocol';

interface Recorded {
  fetches: { url: string; init: RequestInit }[];
  submits: unknown[];
  navigations: [string, boolean][];
  flags: FlagOptions[];
  closed: (string | number)[];
  pushes: HistoryLocation[];
  colorMode: 'light' | 'dark';
  answer: { status: number; body: string };
}

function services(rec: Recorded): ShellServices {
  return {
    origin: 'http://127.0.0.1:9',
    cloudId: 'cloud-1',
    siteUrl: 'http://127.0.0.1:9',
    viewer: () => ({
      accountId: 'acc-rita',
      credentials: { email: 'rita@aigis.example', token: 'demo-rita-token' },
      timezone: 'Europe/Berlin',
      locale: 'en-US',
    }),
    colorMode: () => rec.colorMode,
    fetch: (async (url: string, init: RequestInit) => {
      rec.fetches.push({ url, init });
      return new Response(rec.answer.body, { status: rec.answer.status });
    }) as unknown as typeof fetch,
    submit: (_f, p) => rec.submits.push(p),
    navigate: (url, newTab) => rec.navigations.push([url, newTab]),
    urlFor: (l: NavigationLocation) => (l.target === 'issue' ? `/browse/${String(l.issueKey)}` : null),
    showFlag: (_f, flag) => rec.flags.push(flag),
    closeFlag: (id) => rec.closed.push(id),
    resize: () => undefined,
    history: {
      get: () => ({ pathname: '/requests', search: '', hash: '' }),
      push: (_f, l) => rec.pushes.push(l),
      replace: () => undefined,
      go: () => undefined,
    },
    reload: () => undefined,
  };
}

class FakeElement {
  attrs = new Map<string, string>();
  children: FakeElement[] = [];
  rel = '';
  href = '';
  setAttribute(k: string, v: string): void {
    this.attrs.set(k, v);
  }
  appendChild(c: FakeElement): void {
    this.children.push(c);
  }
}

// @forge/bridge takes `window.__bridge.callBridge` once, when it loads, as
// in a real iframe: one iframe side for the whole file, whose messages go to
// the shell side of the test running now.
const doc = { documentElement: new FakeElement(), head: new FakeElement(), createElement: () => new FakeElement() };
const frameWindow = {};
let current: { host: BridgeHost; sent: ToFrame[] } | null = null;
let deliver: (data: unknown) => void = () => undefined;
// The fake document has no layout: hide the DOM's ResizeObserver (npm test
// preloads happy-dom) while the iframe side is installed, so it does not
// observe it; resizing is driven by the tests below.
const realResizeObserver = (globalThis as { ResizeObserver?: unknown }).ResizeObserver;
delete (globalThis as { ResizeObserver?: unknown }).ResizeObserver;
(globalThis as { __bridge?: unknown }).__bridge = installBridge({
  post: (msg) => setTimeout(() => void current?.host.receive(frameWindow, structuredClone(msg)), 0),
  subscribe: (fn) => {
    deliver = fn;
  },
  document: doc as unknown as Document,
  themeBase: '/bridge-emulation/themes/',
});
(globalThis as { ResizeObserver?: unknown }).ResizeObserver = realResizeObserver;

/** The real @forge/bridge wired to a fresh BridgeHost for `spec`. */
async function mount(spec: FrameSpec) {
  const rec: Recorded = {
    fetches: [],
    submits: [],
    navigations: [],
    flags: [],
    closed: [],
    pushes: [],
    colorMode: 'light',
    answer: { status: 200, body: '{"ok":true}' },
  };
  const host = new BridgeHost(services(rec));
  const sent: ToFrame[] = [];
  current = { host, sent };
  host.attach(frameWindow, spec, (msg: ToFrame) => {
    sent.push(msg);
    setTimeout(() => deliver(structuredClone(msg)), 0);
  });
  const mod = (await import('@forge/bridge')) as unknown as Record<string, unknown>;
  const forge = (mod.view ? mod : mod.default) as typeof import('@forge/bridge');
  return { rec, host, sent, forge };
}

const panel: FrameSpec = {
  moduleKey: 'aigis-issue-panel',
  moduleType: 'jira:issuePanel',
  extension: { issue: { key: 'AIR-1', id: '10001', type: 'Task' }, project: { key: 'AIR', id: '10000' } },
  localId: 'aigis-issue-panel-1',
};
const createPanel: FrameSpec = {
  moduleKey: 'aigis-portal-create',
  moduleType: 'jiraServiceManagement:portalRequestCreatePropertyPanel',
  extension: { portal: { id: 1 }, request: { typeId: 2 } },
  localId: 'aigis-portal-create-1',
};

test('invoke posts to the resolver as the shell user, with moduleKey and the extension header', async () => {
  const { rec, forge } = await mount(panel);
  rec.answer = { status: 200, body: '{"request":{"issueKey":"AIR-1"}}' };
  const out = await forge.invoke('requests.byIssue', { issueKey: 'AIR-1' });
  assert.deepEqual(out, { request: { issueKey: 'AIR-1' } });
  assert.equal(rec.fetches.length, 1);
  const { url, init } = rec.fetches[0];
  assert.equal(url, 'http://127.0.0.1:9/api/invoke/requests.byIssue?moduleKey=aigis-issue-panel');
  assert.equal(init.method, 'POST');
  assert.equal(init.body, '{"issueKey":"AIR-1"}');
  const h = init.headers as Record<string, string>;
  assert.equal(h.Authorization, 'Basic ' + Buffer.from('rita@aigis.example:demo-rita-token').toString('base64'));
  assert.deepEqual(JSON.parse(h['X-Aigis-Extension']), { ...panel.extension, type: 'jira:issuePanel' });
});

test('a resolver error rejects invoke with the error JSON in the message', async () => {
  const { rec, forge } = await mount(panel);
  rec.answer = { status: 403, body: '{"code":"forbidden","message":"Only approvers may do this."}' };
  await assert.rejects(forge.invoke('requests.approve', { requestId: 'r-1' }), (e: Error) => {
    assert.match(e.message, /error invoking the function/);
    assert.match(e.message, /"code":"forbidden"/);
    return true;
  });
});

test('the extension header is ASCII even for non-ASCII context values', async () => {
  const { rec, forge } = await mount({ ...panel, extension: { issue: { key: 'AIR-1', summary: 'Zoë’s request' } } });
  await forge.invoke('whoami', {});
  const h = rec.fetches[0].init.headers as Record<string, string>;
  assert.match(h['X-Aigis-Extension'], /^[\x20-\x7e]*$/);
  assert.equal(JSON.parse(h['X-Aigis-Extension']).issue.summary, 'Zoë’s request');
});

test('view.getContext answers Forge’s full context', async () => {
  const { forge } = await mount(panel);
  const ctx = await forge.view.getContext();
  assert.equal(ctx.accountId, 'acc-rita');
  assert.equal(ctx.cloudId, 'cloud-1');
  assert.equal(ctx.moduleKey, 'aigis-issue-panel');
  assert.equal(ctx.localId, 'aigis-issue-panel-1');
  assert.equal(ctx.timezone, 'Europe/Berlin');
  assert.equal(ctx.locale, 'en-US');
  assert.equal(ctx.siteUrl, 'http://127.0.0.1:9');
  assert.equal(ctx.theme?.colorMode, 'light');
  assert.deepEqual(ctx.extension, { ...panel.extension, type: 'jira:issuePanel' });
});

test('view.submit reaches the shell from the create panel and is refused elsewhere', async () => {
  const form = { fields: [{ key: 'aigis.snapshot.v1', value: { tool: 'claude' } }], isValid: true };
  const create = await mount(createPanel);
  await create.forge.view.submit(form);
  assert.deepEqual(create.rec.submits, [form]);

  const issue = await mount(panel);
  await assert.rejects(issue.forge.view.submit(form), /not submittable/);
  assert.deepEqual(issue.rec.submits, []);
});

test('view.theme.enable sets data-color-mode on the frame and follows the shell’s switch', async () => {
  const { rec, host, forge } = await mount(panel);
  await forge.view.theme.enable();
  const html = doc.documentElement;
  assert.equal(html.attrs.get('data-color-mode'), 'light');
  assert.match(html.attrs.get('data-theme') ?? '', /\blight:light\b.*\bspacing:spacing\b/);
  assert.deepEqual(
    doc.head.children.map((l) => l.href),
    ['light', 'dark', 'spacing', 'shape', 'typography'].map((n) => `/bridge-emulation/themes/atlassian-${n}.css`),
  );
  rec.colorMode = 'dark';
  host.themeChanged();
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(html.attrs.get('data-color-mode'), 'dark');
  assert.equal(doc.head.children.length, 5, 'the sheets are added once');
});

test('a frame that did not enable theming is left alone', async () => {
  const { rec, host, sent } = await mount(panel);
  rec.colorMode = 'dark';
  host.themeChanged();
  assert.deepEqual(sent, []);
});

test('router.navigate and router.open go through the shell, by URL or Forge target', async () => {
  const { rec, forge } = await mount(panel);
  await forge.router.navigate('/browse/AIR-2');
  await forge.router.open({ target: 'issue', issueKey: 'AIR-3' } as Parameters<typeof forge.router.open>[0]);
  assert.deepEqual(rec.navigations, [
    ['/browse/AIR-2', false],
    ['/browse/AIR-3', true],
  ]);
  await assert.rejects(forge.router.navigate({ target: 'dashboard', dashboardId: '1' } as Parameters<typeof forge.router.navigate>[0]), /no page/);
});

test('showFlag is drawn by the shell and closed by id', async () => {
  const { rec, forge } = await mount(panel);
  const flag = forge.showFlag({ id: 'saved', title: 'Saved', type: 'success', isAutoDismiss: true });
  await flag.close();
  assert.equal(rec.flags.length, 1);
  assert.equal(rec.flags[0].title, 'Saved');
  assert.equal(rec.flags[0].type, 'success');
  assert.deepEqual(rec.closed, ['saved']);
});

test('view.createHistory: the module’s location, push through the shell, back/forward from it', async () => {
  const { rec, host, forge } = await mount(panel);
  const history = await forge.view.createHistory();
  assert.equal(history.location.pathname, '/requests');
  const seen: string[] = [];
  history.listen((location) => seen.push(location.pathname + location.search));
  history.push('/grants?status=active');
  assert.equal(history.location.pathname, '/grants');
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(rec.pushes.length, 1);
  assert.equal(rec.pushes[0].pathname, '/grants');
  assert.equal(rec.pushes[0].search, '?status=active');
  host.historyPopped(frameWindow, { pathname: '/requests', search: '', hash: '' });
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(seen, ['/grants?status=active', '/requests']);
  assert.equal(history.location.pathname, '/requests');
});

test('messages from a window that is not an attached frame are ignored', async () => {
  const { rec, host } = await mount(panel);
  await host.receive({}, { aigisBridge: 1, kind: 'call', id: 1, method: 'invoke', payload: { functionKey: 'whoami' } });
  assert.equal(rec.fetches.length, 0);
});

test('JSM keeps the panel’s properties only from valid form data', () => {
  assert.deepEqual(propertiesFromSubmission(undefined), { ok: true, properties: [] });
  assert.deepEqual(
    propertiesFromSubmission({ fields: [{ key: 'aigis.snapshot.v1', value: { a: 1 } }], isValid: true }),
    { ok: true, properties: [{ key: 'aigis.snapshot.v1', value: { a: 1 } }] },
  );
  const invalid = propertiesFromSubmission({ fields: [{ key: 'k', value: 1 }], isValid: false });
  assert.equal(invalid.ok, false);
  for (const bad of [{ isValid: true }, { fields: [{ value: 1 }], isValid: true }, 'x', { fields: [], isValid: 'yes' }]) {
    assert.equal(propertiesFromSubmission(bad).ok, false, JSON.stringify(bad));
  }
});
