// What the issue panel offers the viewer, apart from React: the actions the
// backend says they may take now (`can`), narrowed by the state of the
// request and grant, and the checks each action's inputs must pass before it
// is sent (the same rules the resolvers apply, so errors show as one types).

import type { Can, IssueRequest, Job } from '../../generated/api';

export type ActionKind = 'approve' | 'deny' | 'extend' | 'revoke' | 'keep' | 'reviewRevoke' | 'complete';

export interface Action {
  kind: ActionKind;
  label: string;
  /** For `complete`: the job to complete. */
  job?: Job;
}

/** The most days one extension may add (grants.extend). */
export const EXTEND_MAX_DAYS = 180;
/** A rationale is at most this long. */
export const RATIONALE_MAX = 2000;

/** The actions open to the viewer on this request, in the order the panel shows them. */
export function availableActions(ir: IssueRequest): Action[] {
  const can: Can = ir.can;
  const out: Action[] = [];
  const pending = ir.request.decision === 'pending';
  if (pending && can.approve) out.push({ kind: 'approve', label: 'Approve' });
  if (pending && can.deny) out.push({ kind: 'deny', label: 'Deny' });
  const status = ir.grant?.grant.status;
  const live = status === 'active' || status === 'pendingProvision';
  if (live && can.answerReview) {
    out.push({ kind: 'keep', label: 'Keep access' }, { kind: 'reviewRevoke', label: 'Revoke in review' });
  }
  if (live && can.extend) out.push({ kind: 'extend', label: 'Extend' });
  if (live && can.revoke) out.push({ kind: 'revoke', label: 'Revoke' });
  if (can.completeJob) {
    for (const job of ir.jobs) {
      if (job.status === 'manualPending') out.push({ kind: 'complete', label: 'Mark done', job });
    }
  }
  return out;
}

/** Whether an action needs a rationale (deny, extend, revoke and review answers do). */
export function needsRationale(kind: ActionKind): boolean {
  return kind !== 'approve' && kind !== 'complete';
}

/** The rationale's error, or null. */
export function rationaleError(kind: ActionKind, rationale: string): string | null {
  const n = Array.from(rationale.trim()).length;
  if (needsRationale(kind) && n === 0) return 'Say why: the rationale is recorded and shown to the requester.';
  if (n > RATIONALE_MAX) return `Keep the rationale to ${RATIONALE_MAX} characters (${n} now).`;
  return null;
}

/** The extension's error, or null. */
export function extendDaysError(text: string): string | null {
  const t = text.trim();
  const n = /^\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > EXTEND_MAX_DAYS) return `Choose a whole number of days from 1 to ${EXTEND_MAX_DAYS}.`;
  return null;
}

/** What the viewer typed for an action. */
export interface ActionInputs {
  rationale: string;
  /** For `extend`, as typed. */
  days: string;
  /** For `complete`: fulfilment notes. */
  note: string;
}

/** The first error in the inputs of an action, or null. */
export function inputsError(kind: ActionKind, inputs: ActionInputs): string | null {
  if (kind === 'extend') {
    const d = extendDaysError(inputs.days);
    if (d) return d;
  }
  if (kind === 'complete') return inputs.note.length > RATIONALE_MAX ? `Keep the notes to ${RATIONALE_MAX} characters.` : null;
  return rationaleError(kind, inputs.rationale);
}

/** A resolver call the action makes: key and args, typed by the generated table. */
export type ActionCall =
  | { key: 'requests.approve' | 'requests.deny'; args: { requestId: string; rationale?: string } }
  | { key: 'grants.extend'; args: { grantId: string; days: number; rationale: string; expectedExpiresAt: number } }
  | { key: 'grants.revoke'; args: { grantId: string; rationale: string } }
  | { key: 'reviews.answer'; args: { grantId: string; answer: 'keep' | 'revoke'; rationale: string } }
  | { key: 'jobs.complete'; args: { jobId: string; outcome: string; note?: string } };

/** The one resolver call an action makes (inputs already checked). */
export function actionCall(ir: IssueRequest, action: Action, inputs: ActionInputs, outcomeOf: (job: Job) => string): ActionCall {
  const rationale = inputs.rationale.trim();
  const g = ir.grant?.grant;
  switch (action.kind) {
    case 'approve':
      return { key: 'requests.approve', args: rationale ? { requestId: ir.request.id, rationale } : { requestId: ir.request.id } };
    case 'deny':
      return { key: 'requests.deny', args: { requestId: ir.request.id, rationale } };
    case 'extend':
      return { key: 'grants.extend', args: { grantId: g?.id ?? '', days: Number(inputs.days.trim()), rationale, expectedExpiresAt: g?.expiresAt ?? 0 } };
    case 'revoke':
      return { key: 'grants.revoke', args: { grantId: g?.id ?? '', rationale } };
    case 'keep':
    case 'reviewRevoke':
      return { key: 'reviews.answer', args: { grantId: g?.id ?? '', answer: action.kind === 'keep' ? 'keep' : 'revoke', rationale } };
    case 'complete': {
      const job = action.job as Job;
      const note = inputs.note.trim();
      return { key: 'jobs.complete', args: note ? { jobId: job.id, outcome: outcomeOf(job), note } : { jobId: job.id, outcome: outcomeOf(job) } };
    }
  }
}

/** The flag shown once an action is done. */
export function doneMessage(kind: ActionKind): string {
  switch (kind) {
    case 'approve':
      return 'Request approved: access is being set up.';
    case 'deny':
      return 'Request denied.';
    case 'extend':
      return 'Access extended.';
    case 'revoke':
    case 'reviewRevoke':
      return 'Access revoked: removal is queued.';
    case 'keep':
      return 'Review answered: access kept.';
    case 'complete':
      return 'Task marked done.';
  }
}
