// A just-created portal request is ingested by the issue-created trigger,
// which runs after JSM has already shown the request's page: until then
// `requests.byIssue` answers not-found. The panel keeps asking while the
// request's type is one Aigis governs (`portal.form` says so for the
// panel's portal and request type), backing off, for a bounded time; on any
// other request type not-found is the answer at once.

import { toApiError } from '../../lib/errors';

/** How long a governed request may take to be ingested before the panel gives up (ms). */
export const INGEST_BUDGET_MS = 60_000;
const FIRST_WAIT_MS = 500;
const LONGEST_WAIT_MS = 4_000;

export interface IngestWait {
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  budgetMs?: number;
}

/** The wait after `prev` ms (0: the first): 0.5 s, doubling, at most 4 s. */
export function nextWait(prev: number): number {
  return prev === 0 ? FIRST_WAIT_MS : Math.min(prev * 2, LONGEST_WAIT_MS);
}

/**
 * `fetch`'s answer once it has one. A not-found is asked again while
 * `governed()` (asked once) is true and the budget lasts; any other error,
 * or a not-found on a request type Aigis does not govern, is thrown.
 */
export async function loadOnceIngested<T>(fetch: () => Promise<T>, governed: () => Promise<boolean>, wait: IngestWait): Promise<T> {
  const until = wait.now() + (wait.budgetMs ?? INGEST_BUDGET_MS);
  let asked: boolean | null = null;
  let pause = 0;
  for (;;) {
    try {
      return await fetch();
    } catch (e) {
      if (toApiError(e).code !== 'not-found') throw e;
      if (asked === null) asked = await governed().catch(() => false);
      pause = nextWait(pause);
      if (!asked || wait.now() + pause > until) throw e;
      await wait.sleep(pause);
    }
  }
}
