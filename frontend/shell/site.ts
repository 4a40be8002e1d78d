// The shell's state: the site (from /api/host/ui), the demo users, who is
// signed in, the theme, and Jira REST calls as that user.

import { basicAuth, type Credentials, type Viewer } from '../bridge-emulation/host';
import type { ColorMode } from '../bridge-emulation/protocol';

export interface UiModule {
  type: string;
  key: string;
  resource: string;
  title?: string;
  pages?: unknown;
  sections?: unknown;
}

export interface DemoUser {
  role: string;
  email: string;
  displayName: string;
  accountId: string;
  apiToken: string;
}

export interface SiteInfo {
  cloudId: string;
  siteUrl: string;
  modules: UiModule[];
  demo: boolean;
}

const USER_KEY = 'aigis.shell.user';
const THEME_KEY = 'aigis.shell.colorMode';

function store(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export class Site {
  info: SiteInfo = { cloudId: '', siteUrl: '', modules: [], demo: false };
  users: DemoUser[] = [];
  viewer: Viewer = { credentials: null, timezone: 'UTC', locale: 'en-US' };
  displayName = '';
  colorMode: ColorMode = 'light';

  async load(): Promise<void> {
    this.info = (await (await fetch('/api/host/ui')).json()) as SiteInfo;
    if (this.info.demo) {
      const r = await fetch('/api/host/demo-users');
      if (r.ok) this.users = ((await r.json()) as { users: DemoUser[] }).users;
    }
    const saved = store()?.getItem(THEME_KEY);
    this.colorMode = saved === 'dark' ? 'dark' : 'light';
    const email = store()?.getItem(USER_KEY);
    const user = this.users.find((u) => u.email === email) ?? this.users.find((u) => u.role === 'requester') ?? this.users[0];
    if (user) await this.signIn({ email: user.email, token: user.apiToken });
  }

  /** Signs in as `creds`: the viewer's account, time zone and locale from Jira. */
  async signIn(creds: Credentials | null): Promise<void> {
    if (!creds) {
      this.viewer = { credentials: null, timezone: 'UTC', locale: 'en-US' };
      this.displayName = '';
      store()?.removeItem(USER_KEY);
      return;
    }
    const me = (await this.jira('GET', '/rest/api/3/myself', undefined, creds)) as {
      accountId?: string;
      displayName?: string;
      timeZone?: string;
      locale?: string;
    };
    this.viewer = {
      credentials: creds,
      accountId: me.accountId,
      timezone: me.timeZone ?? 'UTC',
      locale: (me.locale ?? 'en_US').replace('_', '-'),
    };
    this.displayName = me.displayName ?? creds.email;
    store()?.setItem(USER_KEY, creds.email);
  }

  setColorMode(mode: ColorMode): void {
    this.colorMode = mode;
    store()?.setItem(THEME_KEY, mode);
  }

  modulesOfType(type: string): UiModule[] {
    return this.info.modules.filter((m) => m.type === type);
  }

  module(key: string): UiModule | undefined {
    return this.info.modules.find((m) => m.key === key);
  }

  /** A Jira REST call as the viewer (or `creds`); a failure throws its Jira message. */
  async jira(method: string, path: string, body?: unknown, creds = this.viewer.credentials): Promise<unknown> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (creds) headers.Authorization = basicAuth(creds);
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    const json: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const j = (json ?? {}) as { errorMessage?: string; errorMessages?: string[]; errors?: Record<string, string> };
      const msg = j.errorMessage ?? j.errorMessages?.[0] ?? Object.values(j.errors ?? {})[0] ?? `Jira answered ${res.status}.`;
      throw new Error(msg);
    }
    return json;
  }
}
