// The iframe's side of the bridge emulation: what Forge's host provides to a
// Custom UI iframe, so the unmodified `@forge/bridge` package works.
//
// `@forge/bridge` calls `window.__bridge.callBridge(name, payload)` and awaits
// its answer. Calls go to the parent shell over `postMessage` (`host.ts`
// answers them), except what lives in the iframe itself on Forge too:
// - `createHistory`: a history (v4 API: push, replace, go, listen, ...) over
//   the part of the page's URL that belongs to the module; the shell moves
//   its own URL with it and reports back/forward;
// - `enableTheming`: sets `data-color-mode` and `data-theme` on the iframe's
//   `<html>` as Forge does, loads the design-token themes, and follows the
//   shell's light/dark switch from then on;
// - resizing: the content's height is reported whenever it changes, and the
//   shell sizes the iframe to it (Forge's iframe-resizer does the same).

import {
  TAG,
  THEME_SHEETS,
  dataThemeAttribute,
  isToFrame,
  type HistoryLocation,
  type ThemeState,
  type ToFrame,
  type ToShell,
} from './protocol';

/** What the bridge needs from the iframe's window (tests pass a fake one). */
export interface FrameEnv {
  /** Sends to the parent shell. */
  post(msg: ToShell): void;
  /** Calls `fn` with each message the parent shell sends. */
  subscribe(fn: (data: unknown) => void): void;
  /** The iframe's document, for theming and resizing (absent in unit tests). */
  document?: Document;
  /** Where the theme style sheets are served. */
  themeBase?: string;
}

type Listener = (location: HistoryLocation, action: string) => void;

/** A `history` v4 object as Forge's `view.createHistory()` resolves to. */
export interface FrameHistory {
  length: number;
  action: string;
  location: HistoryLocation;
  push(path: string | Partial<HistoryLocation>, state?: unknown): void;
  replace(path: string | Partial<HistoryLocation>, state?: unknown): void;
  go(n: number): void;
  goBack(): void;
  goForward(): void;
  back(): void;
  forward(): void;
  listen(listener: Listener): () => void;
  block(): () => void;
  createHref(location: string | Partial<HistoryLocation>): string;
}

export interface Bridge {
  callBridge(method: string, payload?: unknown): Promise<unknown>;
}

let keys = 0;

/** `to` resolved against `from` (a relative path is relative to `from`'s directory). */
export function resolveLocation(
  to: string | Partial<HistoryLocation>,
  state: unknown,
  from: HistoryLocation,
): HistoryLocation {
  keys += 1;
  const key = `k${keys.toString(36)}`;
  if (typeof to !== 'string') {
    return {
      pathname: to.pathname ?? from.pathname,
      search: to.search ?? '',
      hash: to.hash ?? '',
      state: to.state ?? state,
      key,
    };
  }
  const u = new URL(to, `http://module${from.pathname}`);
  return { pathname: u.pathname, search: u.search, hash: u.hash, state, key };
}

function hrefOf(l: string | Partial<HistoryLocation>): string {
  return typeof l === 'string' ? l : `${l.pathname ?? ''}${l.search ?? ''}${l.hash ?? ''}`;
}

/** Installs the bridge over `env`; returns it (the caller sets `window.__bridge`). */
export function installBridge(env: FrameEnv): Bridge {
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const histories: { h: FrameHistory; listeners: Set<Listener> }[] = [];
  let theming = false;
  let sheetsAdded = false;

  const send = (method: string, payload?: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      next += 1;
      pending.set(next, { resolve, reject });
      env.post({ [TAG]: 1, kind: 'call', id: next, method, payload });
    });

  const applyTheme = (t: ThemeState): void => {
    const doc = env.document;
    if (!doc) return;
    if (!sheetsAdded && env.themeBase !== undefined) {
      sheetsAdded = true;
      for (const name of THEME_SHEETS) {
        const link = doc.createElement('link');
        link.rel = 'stylesheet';
        link.href = `${env.themeBase}${name}.css`;
        link.setAttribute('data-aigis-theme', name);
        doc.head.appendChild(link);
      }
    }
    doc.documentElement.setAttribute('data-color-mode', t.colorMode);
    doc.documentElement.setAttribute('data-theme', dataThemeAttribute(t));
  };

  env.subscribe((data) => {
    if (!isToFrame(data)) return;
    const msg: ToFrame = data;
    if (msg.kind === 'reply') {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else {
        const e = new Error(msg.error.message);
        e.name = msg.error.name;
        p.reject(e);
      }
    } else if (msg.kind === 'theme') {
      if (theming) applyTheme(msg.theme);
    } else {
      for (const { h, listeners } of histories) {
        h.location = msg.location;
        h.action = msg.action;
        for (const l of [...listeners]) l(msg.location, msg.action);
      }
    }
  });

  const createHistory = async (): Promise<FrameHistory> => {
    const initial = (await send('history.get')) as HistoryLocation;
    const listeners = new Set<Listener>();
    const emit = (l: HistoryLocation, action: string): void => {
      for (const fn of [...listeners]) fn(l, action);
    };
    const move = (action: 'PUSH' | 'REPLACE', to: string | Partial<HistoryLocation>, state?: unknown): void => {
      const l = resolveLocation(to, state, h.location);
      h.location = l;
      h.action = action;
      if (action === 'PUSH') h.length += 1;
      void send(action === 'PUSH' ? 'history.push' : 'history.replace', l);
      emit(l, action);
    };
    const go = (n: number): void => {
      void send('history.go', n);
    };
    const h: FrameHistory = {
      length: 1,
      action: 'POP',
      location: initial,
      push: (to, state) => move('PUSH', to, state),
      replace: (to, state) => move('REPLACE', to, state),
      go,
      goBack: () => go(-1),
      goForward: () => go(1),
      back: () => go(-1),
      forward: () => go(1),
      listen: (fn) => {
        listeners.add(fn);
        return () => {
          listeners.delete(fn);
        };
      },
      block: () => () => undefined,
      createHref: hrefOf,
    };
    histories.push({ h, listeners });
    return h;
  };

  const callBridge = async (method: string, payload?: unknown): Promise<unknown> => {
    switch (method) {
      case 'createHistory':
        return createHistory();
      case 'enableTheming': {
        const t = (await send('enableTheming')) as ThemeState;
        theming = true;
        applyTheme(t);
        return undefined;
      }
      default:
        return send(method, payload);
    }
  };

  const doc = env.document;
  if (doc && typeof ResizeObserver !== 'undefined') {
    let last = -1;
    const report = (): void => {
      const height = Math.ceil(doc.documentElement.getBoundingClientRect().height);
      if (height !== last) {
        last = height;
        env.post({ [TAG]: 1, kind: 'resize', height });
      }
    };
    const observe = (): void => {
      const ro = new ResizeObserver(report);
      ro.observe(doc.documentElement);
      if (doc.body) ro.observe(doc.body);
      report();
    };
    if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', observe);
    else observe();
  }

  return { callBridge };
}
