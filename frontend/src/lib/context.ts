// The invocation context of a module (`view.getContext()`), typed for the
// modules Aigis declares, and helpers to read what each module is about.

import { view } from '@forge/bridge';

export interface IssueRef {
  key: string;
  id: string;
  type?: string;
}

export interface ProjectRef {
  key: string;
  id: string;
}

export interface IssuePanelExtension {
  type: 'jira:issuePanel';
  issue: IssueRef;
  project: ProjectRef;
}

export interface PortalCreateExtension {
  type: 'jiraServiceManagement:portalRequestCreatePropertyPanel';
  portal: { id: number | string };
  request: { typeId: number | string };
}

export interface PortalDetailExtension {
  type: 'jiraServiceManagement:portalRequestDetailPanel';
  portal: { id: number | string };
  request: { key: string; typeId: number | string };
}

export interface PageExtension {
  type: 'jira:globalPage' | 'jira:adminPage';
}

export type Extension = IssuePanelExtension | PortalCreateExtension | PortalDetailExtension | PageExtension;

export type ColorMode = 'light' | 'dark';

/** What Forge documents `view.getContext()` to answer (the parts Aigis reads). */
export interface ModuleContext {
  accountId?: string;
  cloudId?: string;
  moduleKey: string;
  localId?: string;
  siteUrl?: string;
  /** The viewer's Jira time zone, e.g. `Europe/Berlin`. */
  timezone?: string;
  locale?: string;
  theme?: { colorMode?: ColorMode | string };
  extension: Extension | { type?: string };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a raw context (whatever the bridge answered) into a ModuleContext. */
export function readContext(raw: unknown): ModuleContext {
  const c = isRecord(raw) ? raw : {};
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const theme = isRecord(c.theme) ? { colorMode: str(c.theme.colorMode) } : undefined;
  const out: ModuleContext = {
    moduleKey: str(c.moduleKey) ?? '',
    extension: (isRecord(c.extension) ? c.extension : {}) as ModuleContext['extension'],
  };
  const accountId = str(c.accountId);
  if (accountId) out.accountId = accountId;
  for (const k of ['cloudId', 'localId', 'siteUrl', 'timezone', 'locale'] as const) {
    const v = str(c[k]);
    if (v) out[k] = v;
  }
  if (theme) out.theme = theme;
  return out;
}

let cached: Promise<ModuleContext> | null = null;

/** The module's context, asked of the bridge once per page load. */
export function getContext(): Promise<ModuleContext> {
  if (!cached) cached = view.getContext().then(readContext);
  return cached;
}

/** Forgets the cached context (tests). */
export function resetContextCache(): void {
  cached = null;
}

/** The issue a module is about: the issue panel's issue, the portal detail panel's request. */
export function issueKeyOf(ctx: ModuleContext): string | null {
  const ext = ctx.extension as Record<string, unknown>;
  if (ext.type === 'jira:issuePanel' && isRecord(ext.issue) && typeof ext.issue.key === 'string') return ext.issue.key;
  if (ext.type === 'jiraServiceManagement:portalRequestDetailPanel' && isRecord(ext.request) && typeof ext.request.key === 'string') {
    return ext.request.key;
  }
  return null;
}

/** The portal and request type of a portal module, as strings; null elsewhere. */
export function portalOf(ctx: ModuleContext): { portalId: string; requestTypeId: string } | null {
  const ext = ctx.extension as Record<string, unknown>;
  if (!isRecord(ext.portal) || !isRecord(ext.request)) return null;
  const id = ext.portal.id;
  const typeId = ext.request.typeId;
  const ok = (v: unknown) => (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v !== '');
  if (!ok(id) || !ok(typeId)) return null;
  return { portalId: String(id), requestTypeId: String(typeId) };
}

/** The viewer's color mode from the context: dark only when it says so. */
export function colorModeOf(ctx: ModuleContext): ColorMode {
  return ctx.theme?.colorMode === 'dark' ? 'dark' : 'light';
}
