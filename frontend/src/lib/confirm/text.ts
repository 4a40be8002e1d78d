// What each confirmation says will happen, apart from React: the modal
// (`ConfirmModal`) only shows a `Confirmation`. Every text names how many
// items and which, and what Aigis will do to them, so nobody confirms blind.

export interface Confirmation {
  title: string;
  /** Sentences: what happens, then what does not. */
  body: string[];
  /** The items it acts on, one line each (shown as a list). */
  items: string[];
  confirmLabel: string;
  /** `danger` for what takes access away or cannot be undone. */
  appearance: 'primary' | 'danger' | 'warning';
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** How a request is named in a list: `AI-12: ChatGPT for Ada Lovelace, 30 days`. */
export interface RequestLine {
  issueKey: string;
  tool: string;
  person: string;
  durationDays: number;
}

export function requestLine(r: RequestLine): string {
  return `${r.issueKey}: ${r.tool} for ${r.person}, ${plural(r.durationDays, 'day')}`;
}

/** Bulk approve or deny of the selected requests (`requests.decide`). */
export function bulkDecisionConfirmation(decision: 'approve' | 'deny', requests: readonly RequestLine[], rationale: string): Confirmation {
  const n = requests.length;
  const what = plural(n, 'request');
  const why = rationale.trim();
  if (decision === 'approve') {
    return {
      title: `Approve ${what}?`,
      body: [
        `Aigis will approve ${n === 1 ? 'this request' : `these ${what}`} and queue access for each requester, for the duration they asked for.`,
        why ? `Your rationale is recorded on each: "${why}".` : 'No rationale will be recorded.',
        'Each request is decided on its own: one that someone else decided meanwhile, or that you may not approve, is reported and left as it is.',
      ],
      items: requests.map(requestLine),
      confirmLabel: `Approve ${what}`,
      appearance: 'primary',
    };
  }
  return {
    title: `Deny ${what}?`,
    body: [
      `Aigis will deny ${n === 1 ? 'this request' : `these ${what}`}; no access is given.`,
      `Each requester sees your rationale: "${why}".`,
      'Each request is decided on its own: one that someone else decided meanwhile, or that you may not deny, is reported and left as it is.',
    ],
    items: requests.map(requestLine),
    confirmLabel: `Deny ${what}`,
    appearance: 'danger',
  };
}

/** A grant named in a list: `ChatGPT for Ada Lovelace (AI-12)`. */
export interface GrantLine {
  tool: string;
  person: string;
  issueKey: string;
}

export function grantLine(g: GrantLine): string {
  return `${g.tool} for ${g.person} (${g.issueKey})`;
}

export function revokeConfirmation(grants: readonly GrantLine[], rationale: string): Confirmation {
  const what = plural(grants.length, 'grant');
  return {
    title: `Revoke ${what}?`,
    body: [
      `Access ends now for ${grants.length === 1 ? 'this grant' : `these ${what}`}, and a task to remove it from the tool is queued.`,
      `Your rationale is recorded: "${rationale.trim()}".`,
      'A revoked grant cannot be restored: the person has to request access again.',
    ],
    items: grants.map(grantLine),
    confirmLabel: `Revoke ${what}`,
    appearance: 'danger',
  };
}

export function extendConfirmation(grant: GrantLine, days: number, newExpiry: string): Confirmation {
  return {
    title: 'Extend access?',
    body: [
      `Access is extended by ${plural(days, 'day')}, to end ${newExpiry}.`,
      'A new review is opened before the new end, as for any grant.',
    ],
    items: [grantLine(grant)],
    confirmLabel: `Extend by ${plural(days, 'day')}`,
    appearance: 'primary',
  };
}

export function reviewConfirmation(answer: 'keep' | 'revoke', grant: GrantLine): Confirmation {
  if (answer === 'keep') {
    return {
      title: 'Keep this access?',
      body: ['The grant stays until it expires as planned; this review is closed with your answer.'],
      items: [grantLine(grant)],
      confirmLabel: 'Keep access',
      appearance: 'primary',
    };
  }
  return {
    title: 'Revoke this access?',
    body: ['Access ends now and a task to remove it from the tool is queued; this review is closed with your answer.'],
    items: [grantLine(grant)],
    confirmLabel: 'Revoke access',
    appearance: 'danger',
  };
}

export function completeConfirmation(taskLabel: string, who: string, tool: string, issueKey: string): Confirmation {
  return {
    title: `${taskLabel}?`,
    body: [
      `Confirm you have done this by hand in ${tool}: the grant moves on as soon as you do, and your note is kept on the record.`,
    ],
    items: [`${taskLabel}: ${tool} for ${who} (${issueKey})`],
    confirmLabel: taskLabel,
    appearance: 'primary',
  };
}

export function retireConfirmation(toolName: string, status: 'blocked' | 'denied', reason: string): Confirmation {
  return {
    title: `Retire ${toolName}?`,
    body: [
      status === 'blocked'
        ? `${toolName} is marked blocked: nobody can request it, and requests for it are refused.`
        : `${toolName} is marked denied: nobody can request it.`,
      'Access already given stays until it expires or is revoked.',
      `Your reason is recorded in its history: "${reason.trim()}".`,
    ],
    items: [toolName],
    confirmLabel: `Retire ${toolName}`,
    appearance: 'danger',
  };
}

export function seedConfirmation(toAdd: readonly string[], alreadyThere: number): Confirmation {
  return {
    title: `Add ${plural(toAdd.length, 'built-in tool')}?`,
    body: [
      toAdd.length
        ? `These tools are added to the catalog with their default risk and status; you can edit each afterwards.`
        : 'Every built-in tool is in the catalog already: nothing will change.',
      alreadyThere ? `${plural(alreadyThere, 'tool')} already in the catalog ${alreadyThere === 1 ? 'is' : 'are'} left as ${alreadyThere === 1 ? 'it is' : 'they are'}.` : '',
    ].filter(Boolean),
    items: [...toAdd],
    confirmLabel: toAdd.length ? `Add ${plural(toAdd.length, 'tool')}` : 'Nothing to add',
    appearance: 'primary',
  };
}

export function deletePolicyConfirmation(name: string): Confirmation {
  return {
    title: `Delete policy ${name}?`,
    body: ['Requests it would have approved wait for a person instead. A new governance version is saved; old versions keep it.'],
    items: [name],
    confirmLabel: 'Delete policy',
    appearance: 'danger',
  };
}

export function rotateKeyConfirmation(): Confirmation {
  return {
    title: 'Rotate the log signing key?',
    body: [
      'A new key signs from now on; the old key signs one last checkpoint first, so the whole log stays verifiable.',
      'Verifiers need the new public key: it is in every evidence pack from now on.',
    ],
    items: [],
    confirmLabel: 'Rotate key',
    appearance: 'warning',
  };
}
