// The messages between a module's iframe and the shell window that frames it.
//
// Forge's host gives every Custom UI iframe a `window.__bridge.callBridge(name,
// payload)` that `@forge/bridge` calls (invoke, getContext, submit, navigate,
// showFlag, ...); here the iframe's side (`child.ts`) forwards each call to the
// parent over `postMessage` and the shell (`host.ts`) answers it. Every
// message carries `aigisBridge: 1` so neither side mistakes another script's
// messages for its own.

export const TAG = 'aigisBridge' as const;

/** A location as `history` (v4) knows it. */
export interface HistoryLocation {
  pathname: string;
  search: string;
  hash: string;
  state?: unknown;
  key?: string;
}

export type ColorMode = 'light' | 'dark';

/** The theme the shell shows, as Forge's `context.theme` (`ThemeState` of @atlaskit/tokens). */
export interface ThemeState {
  colorMode: ColorMode;
  dark: 'dark';
  light: 'light';
  spacing: 'spacing';
  shape: 'shape';
  typography: 'typography';
  contrastMode: 'no-preference';
}

/** Iframe → shell: one bridge call awaiting its answer. */
export interface CallMessage {
  [TAG]: 1;
  kind: 'call';
  id: number;
  method: string;
  payload?: unknown;
}

/** Iframe → shell: the content's height changed. */
export interface ResizeMessage {
  [TAG]: 1;
  kind: 'resize';
  height: number;
}

/** Shell → iframe: the answer to call `id`. */
export type ReplyMessage =
  | { [TAG]: 1; kind: 'reply'; id: number; ok: true; value: unknown }
  | { [TAG]: 1; kind: 'reply'; id: number; ok: false; error: { name: string; message: string } };

/** Shell → iframe: the shell's theme changed. */
export interface ThemeMessage {
  [TAG]: 1;
  kind: 'theme';
  theme: ThemeState;
}

/** Shell → iframe: the page's location moved (back/forward), relative to the module. */
export interface HistoryMessage {
  [TAG]: 1;
  kind: 'history';
  action: 'POP' | 'PUSH' | 'REPLACE';
  location: HistoryLocation;
}

export type ToShell = CallMessage | ResizeMessage;
export type ToFrame = ReplyMessage | ThemeMessage | HistoryMessage;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** `data` is a message of this protocol (sent to the shell). */
export function isToShell(data: unknown): data is ToShell {
  if (!isRecord(data) || data[TAG] !== 1) return false;
  if (data.kind === 'call') return typeof data.id === 'number' && typeof data.method === 'string';
  return data.kind === 'resize' && typeof data.height === 'number';
}

/** `data` is a message of this protocol (sent to a frame). */
export function isToFrame(data: unknown): data is ToFrame {
  return isRecord(data) && data[TAG] === 1 && (data.kind === 'reply' || data.kind === 'theme' || data.kind === 'history');
}

/** The theme state for a color mode. */
export function themeState(colorMode: ColorMode): ThemeState {
  return {
    colorMode,
    dark: 'dark',
    light: 'light',
    spacing: 'spacing',
    shape: 'shape',
    typography: 'typography',
    contrastMode: 'no-preference',
  };
}

/** The `data-theme` attribute @atlaskit/tokens' theme CSS selects on. */
export function dataThemeAttribute(t: ThemeState): string {
  return `dark:${t.dark} light:${t.light} shape:${t.shape} spacing:${t.spacing} typography:${t.typography}`;
}

/** The theme style sheets the emulation serves (built from @atlaskit/tokens). */
export const THEME_SHEETS = [
  'atlassian-light',
  'atlassian-dark',
  'atlassian-spacing',
  'atlassian-shape',
  'atlassian-typography',
] as const;
