// The shell's side of the bridge emulation: answers each module iframe's
// bridge calls as Forge's host answers a Custom UI iframe.
//
// - `invoke`: `POST /api/invoke/{functionKey}?moduleKey=` as the shell's
//   current user (HTTP Basic), with the module's `context.extension` in the
//   `X-Aigis-Extension` header; a resolver error rejects the call with the
//   error's JSON in the message, as Forge's "There was an error invoking the
//   function" does;
// - `getContext`: `{accountId, cloudId, moduleKey, localId, siteUrl,
//   timezone, locale, theme, extension, ...}` (Forge's `FullContext`);
// - `submit`: handed to the shell for the modules Forge lets submit (the JSM
//   request-create property panel); elsewhere `false` ("not submittable");
// - `navigate` / `getUrl` / `reload`: URLs and Forge navigation targets;
// - `showFlag` / `closeFlag`: drawn by the shell;
// - `enableTheming`: the shell's theme (and its changes, pushed later);
// - `history.*`: the module's part of the page URL (see `child.ts`).

import {
  TAG,
  isToShell,
  themeState,
  type ColorMode,
  type HistoryLocation,
  type ThemeState,
  type ToFrame,
} from './protocol';

export interface Credentials {
  email: string;
  token: string;
}

/** The user the shell shows the site as. */
export interface Viewer {
  accountId?: string;
  credentials: Credentials | null;
  timezone: string;
  locale: string;
}

/** One framed module. */
export interface FrameSpec {
  moduleKey: string;
  /** The Forge module type, e.g. `jira:issuePanel`. */
  moduleType: string;
  /** `context.extension` without `type` (added from `moduleType`). */
  extension: Record<string, unknown>;
  localId: string;
}

/** A Forge navigation location (`router.navigate`/`open`/`getUrl`). */
export interface NavigationLocation {
  url?: string;
  target?: string;
  type?: 'same-tab' | 'new-tab';
  [k: string]: unknown;
}

export interface FlagOptions {
  id: string | number;
  title?: string;
  description?: string;
  type?: 'info' | 'success' | 'warning' | 'error';
  appearance?: string;
  isAutoDismiss?: boolean;
  actions?: { text: string; onClick?: unknown }[];
}

/** What the shell gives the bridge host. */
export interface ShellServices {
  origin: string;
  cloudId: string;
  siteUrl: string;
  viewer(): Viewer;
  colorMode(): ColorMode;
  fetch: typeof fetch;
  /** A submission of a submittable module. */
  submit(frame: FrameSpec, payload: unknown): void;
  /** Go to `url` (a path of this site or an outside URL). */
  navigate(url: string, newTab: boolean): void;
  /** The URL of a Forge navigation target, when the site has one. */
  urlFor(location: NavigationLocation): string | null;
  showFlag(frame: FrameSpec, flag: FlagOptions): void;
  closeFlag(id: string | number): void;
  resize(frame: FrameSpec, height: number): void;
  history: {
    get(frame: FrameSpec): HistoryLocation;
    push(frame: FrameSpec, location: HistoryLocation): void;
    replace(frame: FrameSpec, location: HistoryLocation): void;
    go(frame: FrameSpec, delta: number): void;
  };
  reload(): void;
}

/** The module types whose view Forge lets `view.submit`. */
export const SUBMITTABLE = new Set(['jiraServiceManagement:portalRequestCreatePropertyPanel']);

/** The HTTP Basic `Authorization` value (UTF-8 safe). */
export function basicAuth(c: Credentials): string {
  const bytes = new TextEncoder().encode(`${c.email}:${c.token}`);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}

/** JSON with every non-ASCII character escaped, so it fits in an HTTP header. */
export function asciiJson(v: unknown): string {
  return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Forge's `context.extension` of a frame. */
export function extensionOf(frame: FrameSpec): Record<string, unknown> {
  return { ...frame.extension, type: frame.moduleType };
}

/** The error a failed invocation rejects with, as Forge words it. */
export class InvokeError extends Error {
  readonly status: number;
  constructor(status: number, body: string) {
    super(`There was an error invoking the function - ${body}`);
    this.name = 'Error';
    this.status = status;
  }
}

interface Mounted {
  spec: FrameSpec;
  send: (msg: ToFrame) => void;
  themed: boolean;
}

/** The parent side: attach each module iframe, feed it the window's messages. */
export class BridgeHost {
  private readonly frames = new Map<unknown, Mounted>();

  constructor(private readonly services: ShellServices) {}

  /** Answers messages from `source` (an iframe's window) as module `spec`. */
  attach(source: unknown, spec: FrameSpec, send: (msg: ToFrame) => void): () => void {
    this.frames.set(source, { spec, send, themed: false });
    return () => {
      this.frames.delete(source);
    };
  }

  /** One message from a window; anything not from an attached frame is ignored. */
  async receive(source: unknown, data: unknown): Promise<void> {
    const m = this.frames.get(source);
    if (!m || !isToShell(data)) return;
    if (data.kind === 'resize') {
      this.services.resize(m.spec, data.height);
      return;
    }
    try {
      const value = await this.answer(m, data.method, data.payload);
      m.send({ [TAG]: 1, kind: 'reply', id: data.id, ok: true, value });
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      m.send({ [TAG]: 1, kind: 'reply', id: data.id, ok: false, error: { name: err.name, message: err.message } });
    }
  }

  /** The shell's theme changed: tell every frame that enabled theming. */
  themeChanged(): void {
    const theme = this.theme();
    for (const m of this.frames.values()) {
      if (m.themed) m.send({ [TAG]: 1, kind: 'theme', theme });
    }
  }

  /** The page went back or forward to `location` (relative to the frame's module). */
  historyPopped(source: unknown, location: HistoryLocation): void {
    this.frames.get(source)?.send({ [TAG]: 1, kind: 'history', action: 'POP', location });
  }

  private theme(): ThemeState {
    return themeState(this.services.colorMode());
  }

  /** The full context Forge gives `view.getContext()`. */
  context(spec: FrameSpec): Record<string, unknown> {
    const v = this.services.viewer();
    return {
      accountId: v.accountId,
      cloudId: this.services.cloudId,
      siteUrl: this.services.siteUrl,
      moduleKey: spec.moduleKey,
      localId: spec.localId,
      timezone: v.timezone,
      locale: v.locale,
      theme: this.theme(),
      extension: extensionOf(spec),
      environmentId: 'local',
      environmentType: 'DEVELOPMENT',
    };
  }

  private async invoke(spec: FrameSpec, payload: unknown): Promise<unknown> {
    const p = (payload ?? {}) as { functionKey?: unknown; payload?: unknown; metadata?: unknown };
    if (typeof p.functionKey !== 'string') throw new Error('functionKey must be a string!');
    const creds = this.services.viewer().credentials;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'X-Aigis-Extension': asciiJson(extensionOf(spec)),
    };
    if (creds) headers.Authorization = basicAuth(creds);
    const url =
      `${this.services.origin}/api/invoke/${encodeURIComponent(p.functionKey)}` +
      `?moduleKey=${encodeURIComponent(spec.moduleKey)}`;
    const res = await this.services.fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(p.payload ?? {}),
    });
    const text = await res.text();
    if (!res.ok) throw new InvokeError(res.status, text);
    const body: unknown = text.trim() === '' ? undefined : JSON.parse(text);
    return p.metadata ? { body, metadata: {} } : body;
  }

  private navigation(payload: unknown): { url: string; newTab: boolean } {
    const loc = (payload ?? {}) as NavigationLocation;
    const newTab = loc.type === 'new-tab';
    if (typeof loc.url === 'string') return { url: loc.url, newTab };
    const url = this.services.urlFor(loc);
    if (!url) throw new Error(`the local site has no page for navigation target "${String(loc.target)}"`);
    return { url, newTab };
  }

  private async answer(m: Mounted, method: string, payload: unknown): Promise<unknown> {
    const s = this.services;
    switch (method) {
      case 'invoke':
        return this.invoke(m.spec, payload);
      case 'getContext':
        return this.context(m.spec);
      case 'submit':
        if (!SUBMITTABLE.has(m.spec.moduleType)) return false;
        s.submit(m.spec, payload);
        return true;
      case 'enableTheming':
        m.themed = true;
        return this.theme();
      case 'navigate': {
        const { url, newTab } = this.navigation(payload);
        s.navigate(url, newTab);
        return undefined;
      }
      case 'getUrl':
        return new URL(this.navigation(payload).url, s.origin).toString();
      case 'reload':
        s.reload();
        return undefined;
      case 'showFlag': {
        const flag = payload as FlagOptions;
        if (!flag || (typeof flag.id !== 'string' && typeof flag.id !== 'number')) throw new Error('"id" must be defined in flag options');
        s.showFlag(m.spec, flag);
        return undefined;
      }
      case 'closeFlag':
        s.closeFlag((payload as { id: string | number }).id);
        return undefined;
      case 'history.get':
        return s.history.get(m.spec);
      case 'history.push':
        s.history.push(m.spec, payload as HistoryLocation);
        return undefined;
      case 'history.replace':
        s.history.replace(m.spec, payload as HistoryLocation);
        return undefined;
      case 'history.go':
        s.history.go(m.spec, Number(payload) || 0);
        return undefined;
      case 'changeWindowTitle':
        return undefined;
      case 'close':
      case 'refresh':
      case 'open':
      case 'onClose':
        // Not a modal or macro: Forge answers that the view cannot.
        return false;
      default:
        throw new Error(`${method} is not available in the local site's bridge`);
    }
  }
}

/** A JSM request property (`POST /rest/servicedeskapi/request` `properties[]`). */
export interface RequestProperty {
  key: string;
  value: unknown;
}

/**
 * What JSM saves from a request-create property panel's last `view.submit`:
 * its form data `{fields: [{key, value}], isValid}` becomes issue properties
 * when `isValid` is true; otherwise the request cannot be created.
 */
export function propertiesFromSubmission(
  submission: unknown,
): { ok: true; properties: RequestProperty[] } | { ok: false; reason: string } {
  if (submission === undefined) return { ok: true, properties: [] };
  const s = submission as { fields?: unknown; isValid?: unknown };
  if (typeof s !== 'object' || s === null || !Array.isArray(s.fields) || typeof s.isValid !== 'boolean') {
    return { ok: false, reason: 'The app panel sent form data of the wrong shape.' };
  }
  if (!s.isValid) return { ok: false, reason: 'Fix the highlighted fields of the app panel first.' };
  const properties: RequestProperty[] = [];
  for (const f of s.fields as unknown[]) {
    const field = f as { key?: unknown; value?: unknown };
    if (typeof field !== 'object' || field === null || typeof field.key !== 'string' || field.key === '') {
      return { ok: false, reason: 'The app panel sent a field without a key.' };
    }
    properties.push({ key: field.key, value: field.value });
  }
  return { ok: true, properties };
}
