// Bulk approve/deny of the selected requests: the checks before the
// confirmation, the payload of `requests.decide`, and its per-item results
// told in plain words.

import type { BulkArgs, BulkOutcome, Request as AccessRequest } from '../../generated/api';
import { MAX_BULK } from '../../lib/table/model';

export interface FieldProblem {
  field: string;
  message: string;
}

/** The payload of `requests.decide`, or what is wrong with the selection or rationale. */
export function bulkPayload(
  decision: 'approve' | 'deny',
  requestIds: readonly string[],
  rationale: string,
): { payload: BulkArgs } | { error: FieldProblem } {
  if (requestIds.length === 0) return { error: { field: 'requestIds', message: 'Select at least one request.' } };
  if (requestIds.length > MAX_BULK) {
    return { error: { field: 'requestIds', message: `Select at most ${MAX_BULK} requests at a time (${requestIds.length} selected).` } };
  }
  const why = rationale.trim();
  if (decision === 'deny' && !why) return { error: { field: 'rationale', message: 'Rationale: give a reason to deny; each requester sees it.' } };
  if (why.length > 2000) return { error: { field: 'rationale', message: 'Rationale: at most 2000 characters.' } };
  const payload: BulkArgs = { requestIds: [...requestIds], decision };
  if (why) payload.rationale = why;
  return { payload };
}

export interface ItemResult {
  requestId: string;
  issueKey: string;
  ok: boolean;
  /** `AI-12: approved`, `AI-13: already denied`, `AI-14: not done: <why>`. */
  text: string;
}

/** One line per request of a bulk outcome, named by issue key where known. */
export function describeOutcome(outcome: BulkOutcome, byId: ReadonlyMap<string, Pick<AccessRequest, 'issueKey'>>): ItemResult[] {
  return outcome.results.map((r) => {
    const issueKey = byId.get(r.requestId)?.issueKey ?? r.requestId;
    if (r.ok) {
      const d = r.decision ?? 'decided';
      return { requestId: r.requestId, issueKey, ok: true, text: r.changed === false ? `${issueKey}: already ${d}` : `${issueKey}: ${d}` };
    }
    return { requestId: r.requestId, issueKey, ok: false, text: `${issueKey}: not done: ${r.error?.message ?? 'unknown error'}` };
  });
}

/** The flag's title after a bulk decision: `3 approved, 1 not done`. */
export function outcomeSummary(decision: 'approve' | 'deny', outcome: BulkOutcome): string {
  const verb = decision === 'approve' ? 'approved' : 'denied';
  const parts = [`${outcome.succeeded} ${verb}`];
  if (outcome.failed) parts.push(`${outcome.failed} not done`);
  return parts.join(', ');
}
