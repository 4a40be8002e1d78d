// Which screens the global page shows to whom, and the route of each.

import type { Me } from '../../generated/api';

export type TabId = 'access' | 'tools' | 'history' | 'approvals' | 'tasks' | 'reviews';

export interface Tab {
  id: TabId;
  label: string;
}

const EVERYONE: Tab[] = [
  { id: 'access', label: 'My access' },
  { id: 'tools', label: 'Approved tools' },
  { id: 'history', label: 'Request history' },
];

const APPROVERS: Tab[] = [
  { id: 'approvals', label: 'Approvals' },
  { id: 'tasks', label: 'Manual tasks' },
  { id: 'reviews', label: 'Reviews' },
];

/** Everyone's screens; approvers (and admins, who always may approve) also get theirs. */
export function tabsFor(me: Pick<Me, 'isAdmin' | 'isApprover'>): Tab[] {
  return me.isApprover || me.isAdmin ? [...EVERYONE, ...APPROVERS] : [...EVERYONE];
}

/** The tab a route names (`/approvals`), or the first one the viewer has. */
export function tabOfPath(path: string, tabs: readonly Tab[]): TabId {
  const seg = path.replace(/^\/+/, '').split(/[/?#]/)[0] ?? '';
  return tabs.find((t) => t.id === seg)?.id ?? tabs[0]!.id;
}

export function pathOfTab(id: TabId): string {
  return `/${id}`;
}
