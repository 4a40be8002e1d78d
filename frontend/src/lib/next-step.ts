// What a request waits for, in one sentence (the portal detail panel and the issue panel).

import type { IssueRequest } from '../generated/api';

/** What the requester and approvers are waiting for, in one sentence. */
export function nextStep(ir: IssueRequest): string {
  const r = ir.request;
  if (r.decision === 'denied') return 'The request was denied; no access is given. Raise a new request if things change.';
  if (r.decision === 'pending') {
    return r.securityReview
      ? 'The tool is not in the catalog yet: it waits for a security review, then an approver decides.'
      : 'Waiting for an approver to decide.';
  }
  const g = ir.grant?.grant;
  if (!g) return 'Approved: access is being set up.';
  switch (g.status) {
    case 'pendingProvision':
      return 'Approved: access is being set up. The grant starts once the tool has given access.';
    case 'active':
      return 'Access is in place until it expires; ask for an extension before then if you still need it.';
    case 'expired':
      return 'Access has expired and is being removed. Raise a new request to use the tool again.';
    case 'revoked':
      return 'Access was revoked and is being removed.';
    default:
      return 'Approved.';
  }
}
