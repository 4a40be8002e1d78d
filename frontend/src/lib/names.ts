// Display names instead of account ids: every name asked for during one tick
// is fetched in one `directory.users` call (at most 100 ids a call), and each
// answer is kept for the rest of the page load.

import type { Person } from '../generated/api';
import type { Invoke } from './invoker';

/** The most ids `directory.users` takes at once. */
export const MAX_IDS_PER_CALL = 100;

export interface NameBook {
  /** The person behind an account id (one bulk call per tick for all asked together). */
  person(accountId: string): Promise<Person>;
  /** The display name, or a stand-in that never shows the raw id for an unknown account. */
  name(accountId: string): Promise<string>;
  /** A name already fetched, without asking. */
  cached(accountId: string): Person | undefined;
}

/** How an account reads when Jira has no name for it. */
export function fallbackName(p: Pick<Person, 'known' | 'displayName'> | undefined): string {
  if (p?.displayName) return p.displayName;
  return p && !p.known ? 'Unknown user' : 'Someone';
}

export function createNameBook(invoke: Invoke, schedule: (f: () => void) => void = (f) => queueMicrotask(f)): NameBook {
  const known = new Map<string, Person>();
  const inflight = new Map<string, Promise<Person>>();
  let pending: Map<string, { resolve: (p: Person) => void; reject: (e: unknown) => void }[]> | null = null;

  async function flush(batch: NonNullable<typeof pending>) {
    const ids = [...batch.keys()];
    for (let i = 0; i < ids.length; i += MAX_IDS_PER_CALL) {
      const chunk = ids.slice(i, i + MAX_IDS_PER_CALL);
      try {
        const { users } = await invoke('directory.users', { accountIds: chunk });
        const byId = new Map(users.map((u) => [u.accountId, u]));
        for (const id of chunk) {
          const p = byId.get(id) ?? { accountId: id, known: false, active: false };
          known.set(id, p);
          inflight.delete(id);
          for (const w of batch.get(id) ?? []) w.resolve(p);
        }
      } catch (e) {
        for (const id of chunk) {
          inflight.delete(id);
          for (const w of batch.get(id) ?? []) w.reject(e);
        }
      }
    }
  }

  function person(accountId: string): Promise<Person> {
    const have = known.get(accountId);
    if (have) return Promise.resolve(have);
    const going = inflight.get(accountId);
    if (going) return going;
    const p = new Promise<Person>((resolve, reject) => {
      if (!pending) {
        pending = new Map();
        schedule(() => {
          const batch = pending;
          pending = null;
          if (batch) void flush(batch);
        });
      }
      const waiters = pending.get(accountId) ?? [];
      waiters.push({ resolve, reject });
      pending.set(accountId, waiters);
    });
    inflight.set(accountId, p);
    return p;
  }

  return {
    person,
    async name(accountId) {
      try {
        return fallbackName(await person(accountId));
      } catch {
        return 'Someone';
      }
    },
    cached: (id) => known.get(id),
  };
}
