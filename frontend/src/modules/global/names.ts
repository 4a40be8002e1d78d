// Display names of accounts, resolved in bulk (`directory.users`, 1 to 100
// ids a call) and cached for the page's life: a table asks for the ids it
// shows, each id is asked for once, and listeners hear when names arrive.

import type { People, Person } from '../../generated/api';

export const MAX_IDS_PER_CALL = 100;

export type FetchPeople = (accountIds: string[]) => Promise<People>;

/** The name to show: the display name, or for an unknown or nameless account a short form of its id. */
export function displayName(p: Person | undefined, accountId: string): string {
  if (p?.displayName) return p.active ? p.displayName : `${p.displayName} (inactive)`;
  if (accountId.startsWith('app:')) return `Aigis · ${accountId.slice(4)}`;
  return p && !p.known ? `Unknown user (${accountId})` : accountId;
}

export class NameCache {
  private readonly people = new Map<string, Person>();
  private readonly asked = new Set<string>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly fetch: FetchPeople) {}

  nameOf = (accountId: string): string => displayName(this.people.get(accountId), accountId);

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Asks for the ids not yet known or asked for, in batches of at most 100; failures leave the ids shown as they are. */
  async want(ids: Iterable<string>): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => id && !id.startsWith('app:') && !this.asked.has(id));
    if (missing.length === 0) return;
    for (const id of missing) this.asked.add(id);
    const batches: string[][] = [];
    for (let i = 0; i < missing.length; i += MAX_IDS_PER_CALL) batches.push(missing.slice(i, i + MAX_IDS_PER_CALL));
    await Promise.all(
      batches.map(async (b) => {
        try {
          const r = await this.fetch(b);
          for (const p of r.users) this.people.set(p.accountId, p);
        } catch {
          // Shown by id; asked again only after a reload of the page.
        }
      }),
    );
    for (const fn of this.listeners) fn();
  }
}
