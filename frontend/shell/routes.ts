// The shell's pages, by Jira's own paths (pure: unit-tested).

export type Page =
  | { kind: 'home' }
  | { kind: 'portal'; portalId: string }
  | { kind: 'create'; portalId: string; typeId: string }
  | { kind: 'request'; portalId: string; issueKey: string }
  | { kind: 'issue'; issueKey: string }
  /** A Forge global page (`/jira/apps/...`) or admin page (`/jira/settings/apps/...`). */
  | { kind: 'app'; moduleType: 'jira:globalPage' | 'jira:adminPage'; moduleKey: string; base: string; sub: string }
  /** Test fixture: any built resource framed as a module of `moduleType` (tests/e2e). */
  | { kind: 'frame'; resource: string; moduleType: string; moduleKey: string; extension: Record<string, unknown> }
  | { kind: 'unknown'; path: string };

/** The app's segment in Jira's app URLs (`/jira/apps/{app}/{moduleKey}`). */
export const APP_SEGMENT = 'aigis';

const ISSUE_KEY = /^[A-Z][A-Z0-9_]*-[1-9][0-9]*$/;
const ID = /^[0-9]+$/;

function seg(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The page at `pathname` (with `search` for the fixture frame). */
export function parsePage(pathname: string, search = ''): Page {
  const parts = pathname.split('/').filter((p) => p !== '').map(seg);
  const [a, b, c, d, e, f] = parts;
  if (parts.length === 0 || (a === 'jira' && parts.length === 1)) return { kind: 'home' };
  if (a === 'servicedesk' && b === 'customer' && c === 'portal' && d !== undefined && ID.test(d)) {
    if (parts.length === 4) return { kind: 'portal', portalId: d };
    if (e === 'create' && f !== undefined && ID.test(f) && parts.length === 6) return { kind: 'create', portalId: d, typeId: f };
    if (e !== undefined && ISSUE_KEY.test(e) && parts.length === 5) return { kind: 'request', portalId: d, issueKey: e };
  }
  if (a === 'browse' && b !== undefined && ISSUE_KEY.test(b) && parts.length === 2) return { kind: 'issue', issueKey: b };
  if (a === 'jira' && b === 'apps' && c === APP_SEGMENT && d !== undefined) {
    const base = `/jira/apps/${APP_SEGMENT}/${d}`;
    return { kind: 'app', moduleType: 'jira:globalPage', moduleKey: d, base, sub: subPath(parts.slice(4)) };
  }
  if (a === 'jira' && b === 'settings' && c === 'apps' && d === APP_SEGMENT && e !== undefined) {
    const base = `/jira/settings/apps/${APP_SEGMENT}/${e}`;
    return { kind: 'app', moduleType: 'jira:adminPage', moduleKey: e, base, sub: subPath(parts.slice(5)) };
  }
  if (a === 'jira' && b === '_aigis' && c === 'frame' && d !== undefined && parts.length === 4) {
    const q = new URLSearchParams(search);
    let extension: Record<string, unknown> = {};
    try {
      const v: unknown = JSON.parse(q.get('extension') ?? '{}');
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) extension = v as Record<string, unknown>;
    } catch {
      /* an empty extension */
    }
    return {
      kind: 'frame',
      resource: d,
      moduleType: q.get('type') ?? 'jira:globalPage',
      moduleKey: q.get('key') ?? d,
      extension,
    };
  }
  return { kind: 'unknown', path: pathname };
}

function subPath(rest: string[]): string {
  return rest.length === 0 ? '/' : `/${rest.map(encodeURIComponent).join('/')}`;
}

/** A manifest page of a global/admin page module. */
export interface ModulePage {
  title: string;
  route: string;
}

/** The sidebar of a global/admin page: its `pages` and the pages of its `sections`. */
export function sidebarPages(module: { pages?: unknown; sections?: unknown }): { header?: string; pages: ModulePage[] }[] {
  const pagesOf = (v: unknown): ModulePage[] =>
    Array.isArray(v)
      ? v.flatMap((p) => {
          const o = p as { title?: unknown; route?: unknown };
          return typeof o?.title === 'string' && typeof o.route === 'string' ? [{ title: o.title, route: o.route }] : [];
        })
      : [];
  const out: { header?: string; pages: ModulePage[] }[] = [];
  const top = pagesOf(module.pages);
  if (top.length > 0) out.push({ pages: top });
  if (Array.isArray(module.sections)) {
    for (const s of module.sections) {
      const o = s as { header?: unknown; pages?: unknown };
      const pages = pagesOf(o?.pages);
      if (pages.length > 0) out.push({ header: typeof o.header === 'string' ? o.header : undefined, pages });
    }
  }
  return out;
}

/** The URL of a Forge navigation target on this site, if it has one. */
export function urlForTarget(
  loc: { target?: unknown; [k: string]: unknown },
  moduleBase: (moduleKey: string) => string | null,
): string | null {
  switch (loc.target) {
    case 'issue':
      return typeof loc.issueKey === 'string' && ISSUE_KEY.test(loc.issueKey) ? `/browse/${loc.issueKey}` : null;
    case 'module':
      return typeof loc.moduleKey === 'string' ? moduleBase(loc.moduleKey) : null;
    default:
      return null;
  }
}
