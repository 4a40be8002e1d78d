// The local Jira-like site: a top bar (app links, user switcher over the demo
// users, light/dark switch) and the page at Jira's path, with the app's
// modules framed through the bridge emulation.

import { h, link } from './dom';
import { Flags } from './flags';
import { Frames } from './frames';
import { render, type Ctx } from './pages';
import { parsePage } from './routes';
import { Site } from './site';

const site = new Site();
const flags = new Flags();
const main = h('main', { id: 'main', class: 'content' });
let frames: Frames;
let current = '';

function go(url: string): void {
  const u = new URL(url, window.location.origin);
  if (u.origin !== window.location.origin) {
    window.open(u.toString(), '_blank', 'noopener');
    return;
  }
  window.history.pushState({}, '', u.pathname + u.search + u.hash);
  void route();
}

/** Renders the page at the current URL; within the same app page only the module's location moves. */
async function route(): Promise<void> {
  const page = parsePage(window.location.pathname, window.location.search);
  const key = page.kind === 'app' ? page.base : window.location.pathname + window.location.search;
  markSidebar();
  if (page.kind === 'app' && key === current) {
    frames.popped();
    return;
  }
  current = key;
  frames.clear();
  const ctx: Ctx = { site, frames, flags, go };
  const content = await render(ctx, page);
  main.replaceChildren(content);
  markSidebar();
  const title = content.querySelector('h1')?.textContent;
  document.title = title ? `${title} - Jira` : 'Jira';
}

function markSidebar(): void {
  for (const a of document.querySelectorAll<HTMLAnchorElement>('.sidebar a')) {
    const here = new URL(a.href).pathname === window.location.pathname;
    if (here) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function applyTheme(): void {
  document.documentElement.setAttribute('data-color-mode', site.colorMode);
  document.documentElement.setAttribute(
    'data-theme',
    'dark:dark light:light shape:shape spacing:spacing typography:typography',
  );
}

function topBar(): HTMLElement {
  const theme = h('button', { type: 'button', class: 'button-subtle', id: 'theme-switch', 'aria-pressed': String(site.colorMode === 'dark') }, 'Dark theme');
  theme.addEventListener('click', () => {
    site.setColorMode(site.colorMode === 'dark' ? 'light' : 'dark');
    theme.setAttribute('aria-pressed', String(site.colorMode === 'dark'));
    applyTheme();
    frames.themeChanged();
  });
  const users = h(
    'select',
    { id: 'user-switcher', 'aria-label': 'Signed in as' },
    ...site.users.map((u) =>
      h('option', { value: u.email, selected: u.email === site.viewer.credentials?.email }, `${u.displayName} (${u.role})`),
    ),
  );
  users.addEventListener('change', () => {
    const u = site.users.find((x) => x.email === users.value);
    if (!u) return;
    void site
      .signIn({ email: u.email, token: u.apiToken })
      .then(() => {
        current = '';
        return route();
      })
      .catch((e: unknown) => flags.error('Could not switch user', e instanceof Error ? e.message : String(e)));
  });
  const apps = site.info.modules.filter((m) => m.type === 'jira:globalPage');
  const admin = site.info.modules.filter((m) => m.type === 'jira:adminPage');
  return h(
    'header',
    { class: 'top-bar' },
    link('/jira', 'Jira', { class: 'brand' }),
    h(
      'nav',
      { class: 'top-nav', 'aria-label': 'Jira' },
      ...apps.map((m) => link(`/jira/apps/aigis/${m.key}`, m.title ?? m.key)),
      link('/servicedesk/customer/portal/1', 'Help center'),
      ...admin.map((m) => link(`/jira/settings/apps/aigis/${m.key}`, `Settings: ${m.title ?? m.key}`)),
    ),
    h('div', { class: 'top-tools' }, theme, site.users.length > 0 ? users : h('span', { class: 'subtle' }, 'Not signed in')),
  );
}

async function boot(): Promise<void> {
  await site.load();
  applyTheme();
  frames = new Frames(site, go, flags);
  document.body.replaceChildren(
    h('a', { href: '#main', class: 'skip-link' }, 'Skip to content'),
    topBar(),
    main,
    flags.element,
  );
  document.addEventListener('click', (e) => {
    const a = (e.target as Element | null)?.closest?.('a[data-shell-link]') as HTMLAnchorElement | null;
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    go(a.href);
  });
  window.addEventListener('popstate', () => void route());
  window.addEventListener('aigis:location', markSidebar);
  await route();
}

void boot().catch((e: unknown) => {
  document.body.replaceChildren(h('p', { class: 'error', role: 'alert' }, `The site could not start: ${e instanceof Error ? e.message : String(e)}`));
});
