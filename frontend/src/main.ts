// Aigis Custom UI: the app shell (sign-in under the local host, tabs by role).

import './styles.css';
import { ApiError, detectHost, getCredentials, invoke, setCredentials, type HostKind } from './api';
import { h, replace } from './dom';
import { audit } from './audit';
import { governance } from './governance';
import { insights } from './insights';
import { admin } from './admin';
import type { Me } from './generated/api';
import { approvals, approvedTools, manualTasks, myAccess, requestHistory, requestTool } from './screens';
import { busy, errorAlert, field, loading, markInvalid, messageArea } from './ui';

interface Tab {
  id: string;
  label: string;
  visible: (me: Me, host: HostKind) => boolean;
  render: (me: Me) => HTMLElement;
}

const TABS: Tab[] = [
  { id: 'access', label: 'My Access', visible: () => true, render: () => myAccess() },
  { id: 'history', label: 'Request History', visible: () => true, render: () => requestHistory() },
  { id: 'tools', label: 'Approved Tools', visible: () => true, render: () => approvedTools() },
  { id: 'request', label: 'Request a tool', visible: (_me, host) => host === 'local', render: () => requestTool() },
  { id: 'approvals', label: 'Approvals', visible: (me) => me.isApprover || me.isAdmin, render: (me) => approvals(me) },
  { id: 'tasks', label: 'Manual tasks', visible: (me) => me.isApprover || me.isAdmin, render: () => manualTasks() },
  { id: 'admin', label: 'Admin', visible: (me) => me.isAdmin, render: () => admin() },
  { id: 'audit', label: 'Audit', visible: (me) => me.isAdmin, render: (me) => audit(me) },
  { id: 'governance', label: 'Governance', visible: (me) => me.isAdmin, render: (me) => governance(me) },
  { id: 'insights', label: 'Insights', visible: (me) => me.isAdmin, render: () => insights() },
];

const DEMO_ACCOUNTS = [
  { email: 'ada@aigis.example', token: 'demo-ada-token', role: 'admin' },
  { email: 'arlo@aigis.example', token: 'demo-arlo-token', role: 'approver' },
  { email: 'bea@aigis.example', token: 'demo-bea-token', role: 'approver' },
  { email: 'rita@aigis.example', token: 'demo-rita-token', role: 'requester' },
  { email: 'sam@aigis.example', token: 'demo-sam-token', role: 'requester' },
];

const host = detectHost();
const root = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));

function header(me: Me | null): HTMLElement {
  const creds = getCredentials();
  const signOut = h('button', { type: 'button', class: 'button subtle' }, 'Sign out');
  signOut.addEventListener('click', () => {
    setCredentials(null);
    void start();
  });
  const roles = me ? [me.isAdmin ? 'Admin' : null, me.isApprover ? 'Approver' : null].filter(Boolean).join(', ') : '';
  return h(
    'header',
    { class: 'topbar' },
    h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, 'A'), h('h1', null, 'AI tool access')),
    host === 'local' && creds
      ? h(
          'div',
          { class: 'who' },
          h('span', { 'data-testid': 'signed-in-as' }, `Signed in as ${creds.email}`),
          roles ? h('span', { class: 'muted' }, ` · ${roles}`) : null,
          signOut,
        )
      : null,
  );
}

function signIn(error?: unknown): void {
  const messages = messageArea();
  const email = h('input', { name: 'email', type: 'email', required: true, autocomplete: 'username' });
  const token = h('input', { name: 'token', type: 'password', required: true, autocomplete: 'current-password' });
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'form', novalidate: true, 'aria-label': 'Sign in' },
    field('E-mail', email),
    field('API token', token, 'The API token of your user on this local Jira site. Kept for this browser tab only.'),
    h('div', { class: 'actions' }, submit),
  );
  if (error) messages.show(errorAlert(error));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!email.value.trim()) {
      messages.show(errorAlert(new ApiError('invalid', 'Enter your e-mail address.', 'email')));
      markInvalid(form, 'email');
      return;
    }
    if (!token.value) {
      messages.show(errorAlert(new ApiError('invalid', 'Enter your API token.', 'token')));
      markInvalid(form, 'token');
      return;
    }
    void busy(submit, async () => {
      setCredentials({ email: email.value.trim(), token: token.value });
      try {
        const me = await invoke('whoami', {});
        shell(me);
      } catch (e) {
        setCredentials(null);
        messages.show(errorAlert(e));
      }
    });
  });
  const demo = h(
    'aside',
    { class: 'card hint', 'aria-label': 'Demo accounts' },
    h('h2', null, 'Demo accounts'),
    h('p', { class: 'muted' }, 'With `aigis up --demo`, these users exist on the local site:'),
    h(
      'ul',
      { class: 'plain' },
      DEMO_ACCOUNTS.map((a) => {
        const use = h('button', { type: 'button', class: 'button subtle small', 'aria-label': `Use ${a.email}` }, 'Use');
        use.addEventListener('click', () => {
          email.value = a.email;
          token.value = a.token;
          submit.focus();
        });
        return h('li', null, h('code', null, a.email), ' ', h('span', { class: 'muted' }, `(${a.role}) token `), h('code', null, a.token), ' ', use);
      }),
    ),
  );
  replace(
    root,
    header(null),
    h(
      'main',
      { class: 'signin' },
      h('section', { class: 'card' }, h('h2', null, 'Sign in'), h('p', { class: 'lead' }, 'Sign in with a user of the local Jira site.'), messages, form),
      demo,
    ),
  );
  email.focus();
}

function shell(me: Me): void {
  const tabs = TABS.filter((t) => t.visible(me, host));
  const wanted = location.hash.replace(/^#/, '');
  let active = tabs.find((t) => t.id === wanted) ?? tabs[0];
  const panel = h('div', { class: 'panel', role: 'tabpanel', tabindex: '0' });
  const buttons = tabs.map((t) =>
    h(
      'button',
      { type: 'button', role: 'tab', id: `tab-${t.id}`, 'aria-controls': 'panel', 'data-tab': t.id, class: 'tab' },
      t.label,
    ),
  );
  panel.id = 'panel';

  function select(t: Tab, focus = false): void {
    active = t;
    for (const b of buttons) {
      const on = b.dataset.tab === t.id;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
      if (on && focus) b.focus();
    }
    panel.setAttribute('aria-labelledby', `tab-${t.id}`);
    if (location.hash !== `#${t.id}`) history.replaceState(null, '', `#${t.id}`);
    replace(panel, t.render(me));
  }

  buttons.forEach((b, i) => {
    b.addEventListener('click', () => select(tabs[i]));
    b.addEventListener('keydown', (ev) => {
      const k = (ev as KeyboardEvent).key;
      let j = -1;
      if (k === 'ArrowRight') j = (i + 1) % tabs.length;
      else if (k === 'ArrowLeft') j = (i - 1 + tabs.length) % tabs.length;
      else if (k === 'Home') j = 0;
      else if (k === 'End') j = tabs.length - 1;
      if (j >= 0) {
        ev.preventDefault();
        select(tabs[j], true);
      }
    });
  });

  replace(
    root,
    header(me),
    h('nav', { class: 'tabs', role: 'tablist', 'aria-label': 'Aigis sections' }, buttons),
    h('main', null, panel),
  );
  select(active);
}

async function start(): Promise<void> {
  if (host === 'local' && !getCredentials()) {
    signIn();
    return;
  }
  replace(root, header(null), h('main', null, loading()));
  try {
    shell(await invoke('whoami', {}));
  } catch (e) {
    if (host === 'local' && e instanceof ApiError && (e.code === 'unauthenticated' || e.code === 'forbidden')) {
      setCredentials(null);
      signIn(e);
      return;
    }
    replace(root, header(null), h('main', null, errorAlert(e)));
  }
}

void start();
