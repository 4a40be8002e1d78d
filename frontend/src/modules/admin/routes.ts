// The admin page's sub-pages: the routes manifest.yml declares under
// `jira:adminPage` (Jira draws them in its settings sidebar; the app picks
// the page from view.createHistory's location), and where each readiness
// check is fixed.

export type AdminRoute = 'overview' | 'intake' | 'catalog' | 'connectors' | 'governance' | 'requests' | 'insights' | 'logs';

export interface AdminPage {
  route: AdminRoute;
  title: string;
  section: 'Set up' | 'Operate';
}

/** In sidebar order; must equal the manifest's `sections` (a unit test compares them). */
export const ADMIN_PAGES: readonly AdminPage[] = [
  { route: 'overview', title: 'Overview', section: 'Set up' },
  { route: 'intake', title: 'Intake & Approvals', section: 'Set up' },
  { route: 'catalog', title: 'Catalog', section: 'Set up' },
  { route: 'connectors', title: 'Connectors', section: 'Set up' },
  { route: 'governance', title: 'Governance', section: 'Set up' },
  { route: 'requests', title: 'Requests', section: 'Operate' },
  { route: 'insights', title: 'Insights', section: 'Operate' },
  { route: 'logs', title: 'Governance Logs', section: 'Operate' },
];

/** The page a location names (`/catalog`, `catalog/x`); Overview otherwise. */
export function routeOfPath(path: string): AdminRoute {
  const seg = path.replace(/^\/+/, '').split(/[/?#]/)[0] ?? '';
  return ADMIN_PAGES.find((p) => p.route === seg)?.route ?? 'overview';
}

/** Where a readiness check is fixed: the page, and the field to look at. */
const FIX: Record<string, { route: AdminRoute; what: string }> = {
  intakeProject: { route: 'intake', what: 'Set the Jira project' },
  portal: { route: 'intake', what: 'Choose the portal' },
  requestTypes: { route: 'intake', what: 'Choose the request types' },
  approvers: { route: 'intake', what: 'Name the approvers' },
  catalog: { route: 'catalog', what: 'Add tools to the catalog' },
  governance: { route: 'governance', what: 'Review the governance rules' },
  connectors: { route: 'connectors', what: 'See the connectors' },
};

export function fixFor(check: string): { route: AdminRoute; what: string; title: string } {
  const f = FIX[check] ?? { route: 'overview' as const, what: 'Review' };
  return { ...f, title: ADMIN_PAGES.find((p) => p.route === f.route)!.title };
}

/** Readiness check names in words. */
export function checkTitle(check: string): string {
  const t: Record<string, string> = {
    intakeProject: 'Intake project',
    portal: 'Portal',
    requestTypes: 'Request types',
    approvers: 'Approvers',
    catalog: 'Catalog',
    governance: 'Governance',
    connectors: 'Connectors',
  };
  return t[check] ?? check;
}
