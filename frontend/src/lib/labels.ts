// Pure formatting and validation helpers (unit-tested).

import type {
  Decision,
  DecisionSource,
  Entitlement,
  GovernancePatch,
  GrantStatus,
  IdpProvider,
  JobKind,
  JobMode,
  JobStatus,
  MaxDays,
  Policy,
  Risk,
  SearchArgs,
  ToolInput,
  ToolStatus,
  UnknownTools,
} from '../generated/api';

const DAY = 86_400_000;

/** "1 day", "30 days". */
export function days(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '—';
  return `${n} day${n === 1 ? '' : 's'}`;
}

/** A date and time such as "3 Mar 2025, 14:05" (in the given or the browser's zone). */
export function formatDateTime(ms: number | undefined | null, timeZone?: string): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '—';
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
    timeZone,
  }).format(new Date(ms));
}

/** A date such as "3 Mar 2025". */
export function formatDate(ms: number | undefined | null, timeZone?: string): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '—';
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone }).format(
    new Date(ms),
  );
}

const GRANT_STATUS: Record<GrantStatus, string> = {
  pendingProvision: 'Pending provisioning',
  active: 'Active',
  expired: 'Expired',
  revoked: 'Revoked',
};

const DECISION: Record<Decision, string> = { pending: 'Pending', approved: 'Approved', denied: 'Denied' };
const TOOL_STATUS: Record<ToolStatus, string> = { approved: 'Approved', blocked: 'Blocked', denied: 'Denied' };
const RISK: Record<Risk, string> = { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' };

const JOB_STATUS: Record<JobStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  retry: 'Will retry',
  deadLetter: 'Failed, needs attention',
  manualPending: 'Waiting for a person',
  completed: 'Completed',
};
const DECISION_SOURCE: Record<DecisionSource, string> = {
  manual: 'by an approver',
  bulk: 'by an approver, in a bulk decision',
  autoPolicy: 'by an auto-approval policy',
};

function humanize(s: string): string {
  const spaced = s.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[-_]/g, ' ').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

// Each label table covers its whole generated union (tsc checks it); a value
// from a newer backend than this bundle still reads, in words made from it.
export function grantStatusLabel(s: GrantStatus): string {
  return GRANT_STATUS[s] ?? humanize(s);
}
export function decisionLabel(s: Decision): string {
  return DECISION[s] ?? humanize(s);
}
export function toolStatusLabel(s: ToolStatus): string {
  return TOOL_STATUS[s] ?? humanize(s);
}
export function riskLabel(s: Risk): string {
  return RISK[s] ?? humanize(s);
}
export function jobStatusLabel(s: JobStatus): string {
  return JOB_STATUS[s] ?? humanize(s);
}
/** "by an approver", "by an auto-approval policy". */
export function decisionSourceLabel(s: DecisionSource): string {
  return DECISION_SOURCE[s] ?? humanize(s).toLowerCase();
}

/** Badge tone for a status word. */
export function tone(s: string): 'success' | 'danger' | 'warning' | 'neutral' | 'info' {
  switch (s) {
    case 'active':
    case 'approved':
    case 'low':
    case 'succeeded':
    case 'completed':
    case 'fulfilled':
    case 'ok':
      return 'success';
    case 'denied':
    case 'blocked':
    case 'revoked':
    case 'critical':
    case 'deadLetter':
    case 'broken':
      return 'danger';
    case 'pending':
    case 'pendingProvision':
    case 'high':
    case 'manualPending':
      return 'warning';
    case 'medium':
      return 'info';
    default:
      return 'neutral';
  }
}

/** The outcome and button label that completes a manual job of a kind. */
export function completionFor(kind: JobKind): { outcome: string; label: string } {
  switch (kind) {
    case 'provision':
      return { outcome: 'fulfilled', label: 'Mark fulfilled' };
    case 'deprovision':
      return { outcome: 'deprovisioned', label: 'Mark deprovisioned' };
    case 'check':
      return { outcome: 'verified', label: 'Mark verified' };
    default:
      return { outcome: 'fulfilled', label: 'Mark done' };
  }
}

export function jobKindLabel(kind: JobKind): string {
  switch (kind) {
    case 'provision':
      return 'Give access';
    case 'deprovision':
      return 'Remove access';
    case 'check':
      return 'Check access';
    default:
      return humanize(kind);
  }
}

/** "a, b\nc" -> ["a", "b", "c"], trimmed, without blanks or repeats. */
export function parseList(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(/[,\n]/)) {
    const t = part.trim();
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

export interface FieldError {
  field: string;
  message: string;
}

/** Checks the request form before it is sent. */
export function validateRequestForm(
  input: { toolId: string; purpose: string; durationDays: string | number },
  maxDurationDays?: number,
): FieldError | null {
  if (!input.toolId) return { field: 'toolId', message: 'Choose a tool.' };
  if (input.purpose.trim().length < 3) return { field: 'purpose', message: 'Describe the purpose (at least 3 characters).' };
  const n = Number(input.durationDays);
  if (!Number.isInteger(n) || n < 1) return { field: 'durationDays', message: 'Duration must be a whole number of days, at least 1.' };
  if (maxDurationDays !== undefined && n > maxDurationDays) {
    return { field: 'durationDays', message: `Duration can be at most ${days(maxDurationDays)} for this tool.` };
  }
  return null;
}

/** Checks the add-tool form before it is sent. */
export function validateToolForm(input: {
  id: string;
  name: string;
  provider: string;
  defaultDurationDays: string;
  maxDurationDays: string;
}): FieldError | null {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(input.id)) {
    return { field: 'id', message: 'Id: lower-case letters, digits, ".", "_" or "-", starting with a letter or digit.' };
  }
  if (!input.name.trim()) return { field: 'name', message: 'Name is required.' };
  if (!input.provider.trim()) return { field: 'provider', message: 'Provider is required.' };
  for (const f of ['defaultDurationDays', 'maxDurationDays'] as const) {
    const v = input[f].trim();
    if (v && (!/^\d+$/.test(v) || Number(v) < 1)) return { field: f, message: 'Enter a whole number of days, at least 1.' };
  }
  if (input.defaultDurationDays.trim() && input.maxDurationDays.trim()) {
    if (Number(input.defaultDurationDays) > Number(input.maxDurationDays)) {
      return { field: 'defaultDurationDays', message: 'The default duration cannot exceed the maximum.' };
    }
  }
  return null;
}

export const TOOL_STATUSES: readonly ToolStatus[] = ['approved', 'blocked', 'denied'];
export const IDP_PROVIDERS: readonly IdpProvider[] = ['okta', 'entra'];

/** The add-tool form's controls, as text. */
export interface ToolForm {
  id: string;
  name: string;
  provider: string;
  status: string;
  risk: string;
  defaultDurationDays: string;
  maxDurationDays: string;
  guidance: string;
  fulfilmentNotes: string;
  riskRationale: string;
  /** '' for none. */
  entitlementProvider: string;
  groupId: string;
  groupName: string;
}

/** The `catalog.add` payload from the add-tool form, or the first field at fault. */
export function toolInput(f: ToolForm): { payload: ToolInput } | { error: FieldError } {
  const problem = validateToolForm({ ...f, id: f.id.trim() });
  if (problem) return { error: problem };
  const status = TOOL_STATUSES.find((s) => s === f.status);
  if (!status) return { error: { field: 'status', message: 'Choose a status.' } };
  const risk = RISKS.find((r) => r === f.risk);
  if (!risk) return { error: { field: 'risk', message: 'Choose a risk level.' } };
  const long: [keyof ToolForm, number, string][] = [
    ['guidance', 2000, 'Guidance'],
    ['fulfilmentNotes', 2000, 'Fulfilment notes'],
    ['riskRationale', 1000, 'Risk rationale'],
  ];
  for (const [k, max, label] of long) {
    if (f[k].trim().length > max) return { error: { field: k, message: `${label}: at most ${max} characters.` } };
  }
  let entitlement: Entitlement | null = null;
  if (f.entitlementProvider) {
    const provider = IDP_PROVIDERS.find((p) => p === f.entitlementProvider);
    if (!provider) return { error: { field: 'entitlement.provider', message: 'Choose Okta, Entra or none.' } };
    const groupId = f.groupId.trim();
    const groupName = f.groupName.trim();
    if (groupId.length > 128) return { error: { field: 'entitlement.groupId', message: 'Group id: at most 128 characters.' } };
    if (groupName.length > 255) return { error: { field: 'entitlement.groupName', message: 'Group name: at most 255 characters.' } };
    entitlement = { provider, groupId: groupId || null, groupName: groupName || null };
  }
  const n = (v: string): number | null => (v.trim() ? Number(v.trim()) : null);
  return {
    payload: {
      id: f.id.trim(),
      name: f.name.trim(),
      provider: f.provider.trim(),
      status,
      risk,
      defaultDurationDays: n(f.defaultDurationDays),
      maxDurationDays: n(f.maxDurationDays),
      guidance: f.guidance.trim(),
      fulfilmentNotes: f.fulfilmentNotes.trim(),
      riskRationale: f.riskRationale.trim(),
      entitlement,
    },
  };
}

const FIELD_LABELS: Record<string, string> = {
  toolId: 'Tool',
  durationDays: 'Duration',
  defaultDurationDays: 'Default duration',
  maxDurationDays: 'Maximum duration',
  fulfilmentNotes: 'Fulfilment notes',
  riskRationale: 'Risk rationale',
  'entitlement.provider': 'Identity service',
  'entitlement.groupId': 'Group id',
  'entitlement.groupName': 'Group name',
  projectKey: 'Project key',
  serviceDeskId: 'Service desk id',
  requestTypeIds: 'Request types',
  approverGroups: 'Approver groups',
  approverRoles: 'Approver roles',
  roleId: 'Role id',
  delegations: 'Delegations',
  escalationAccounts: 'Escalation accounts',
  escalationGroup: 'Escalation group',
  approvalSlaHours: 'Approval SLA (hours)',
  reviewIssueType: 'Review issue type',
  reviewWindowDays: 'Review window (days)',
  auditRetentionDays: 'Audit retention (days)',
  requestId: 'Request',
  jobId: 'Task',
  seq: 'Event number',
};

const ITEM_LABELS: Record<string, string> = {
  requestTypeIds: 'Request type',
  approverRoles: 'Approver role',
  delegations: 'Delegation',
  escalationAccounts: 'Escalation account',
};

/**
 * Human name of a form field, for error alerts; an item of a list is named
 * by its place: `delegations[2].until` is "Delegation 3, until".
 */
export function fieldLabel(field: string): string {
  const item = /^([A-Za-z]+)\[(\d+)\](?:\.([A-Za-z]+))?$/.exec(field);
  if (item) {
    const [, list, index, part] = item;
    const name = `${ITEM_LABELS[list] ?? fieldLabel(list)} ${Number(index) + 1}`;
    return part ? `${name}, ${fieldLabel(part).toLowerCase()}` : name;
  }
  return FIELD_LABELS[field] ?? humanize(field);
}

/** "By hand", "Connector okta" for a job's mode. */
export function modeLabel(mode: JobMode): string {
  return mode.type === 'connector' ? `Connector ${mode.connector}` : 'By hand';
}

// ---------------------------------------------------------------------------
// Audit helpers

/** Longest evidence-pack window the server accepts, in calendar days (both ends included). */
export const MAX_EXPORT_DAYS = 365;
/** The export window when the admin changes nothing. */
export const DEFAULT_EXPORT_DAYS = 90;

/** "2025-03-03": the UTC calendar date of an instant (the server reads dates as UTC days). */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Unix milliseconds of midnight UTC of a "YYYY-MM-DD" date, or null if it is not a real date. */
export function parseIsoDate(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return isoDate(ms) === s ? ms : null;
}

/** The default export window: the last 90 days up to today (UTC). */
export function defaultExportWindow(now: number): { from: string; to: string } {
  return { from: isoDate(now - DEFAULT_EXPORT_DAYS * DAY), to: isoDate(now) };
}

/**
 * Checks a from/to pair of "YYYY-MM-DD" dates (blank means "not given").
 * With `maxDays`, the window from the start of `from` to the end of `to` is at most that long.
 */
export function validateDateRange(from: string, to: string, maxDays?: number): FieldError | null {
  const f = from.trim() ? parseIsoDate(from.trim()) : undefined;
  const t = to.trim() ? parseIsoDate(to.trim()) : undefined;
  if (f === null) return { field: 'from', message: 'From must be a date (YYYY-MM-DD).' };
  if (t === null) return { field: 'to', message: 'To must be a date (YYYY-MM-DD).' };
  if (f !== undefined && t !== undefined) {
    if (f > t) return { field: 'from', message: 'From must not be after To.' };
    if (maxDays !== undefined && (t - f) / DAY + 1 > maxDays) {
      return { field: 'from', message: `The window is at most ${days(maxDays)}.` };
    }
  }
  return null;
}

export interface AuditFilter {
  from: string;
  to: string;
  actor: string;
  type: string;
  subject: string;
}

/** The `audit.search` payload for a filter: blanks left out, text trimmed. */
export function auditSearchPayload(filter: AuditFilter, limit: number, cursor?: string): SearchArgs {
  const out: SearchArgs = {};
  for (const k of ['from', 'to', 'actor', 'type', 'subject'] as const) {
    const v = filter[k].trim();
    if (v) out[k] = v;
  }
  out.limit = limit;
  if (cursor) out.cursor = cursor;
  return out;
}

/** The first `n` hex digits of a hash, for tables (the full hash goes in a title). */
export function shortHash(hash: string | undefined | null, n = 12): string {
  if (!hash) return '—';
  return hash.length > n ? `${hash.slice(0, n)}…` : hash;
}

/** "812 bytes", "14.2 KB", "3.1 MB". */
export function formatBytes(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n) || n < 0) return '—';
  if (n < 1024) return `${n} byte${n === 1 ? '' : 's'}`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/**
 * Who an audit actor is, for people: "You" for the signed-in account, "Aigis · job runner"
 * for the app's own processes (`app:job-runner`), otherwise the Atlassian account id.
 */
export function actorLabel(actor: string, myAccountId?: string): string {
  if (myAccountId && actor === myAccountId) return 'You';
  if (actor.startsWith('app:')) {
    const what = actor.slice(4);
    return what ? `Aigis · ${humanize(what).toLowerCase()}` : 'Aigis';
  }
  return actor;
}

/** The bytes of a base64 string (standard alphabet, padding optional). */
export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64.replace(/\s+/g, ''));
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i += 1) out[i] = bin.charCodeAt(i);
  return out;
}

/** Audit event types the log writes, offered as suggestions in the search form. */
export const AUDIT_EVENT_TYPES = [
  'request.created',
  'request.approved',
  'request.firstApproval',
  'request.denied',
  'request.rejected',
  'request.escalated',
  'grant.created',
  'grant.activated',
  'grant.extended',
  'grant.revoked',
  'grant.expired',
  'grant.review.opened',
  'job.queued',
  'job.running',
  'job.manualPending',
  'job.completed',
  'job.succeeded',
  'job.retry',
  'job.deadLetter',
  'job.cancelled',
  'tool.added',
  'tool.updated',
  'tool.retired',
  'policy.saved',
  'policy.deleted',
  'governance.updated',
  'config.intake.updated',
  'audit.key.created',
  'audit.key.rotated',
  'audit.verified',
  'audit.exported',
  'audit.pruned',
] as const;

// ---------------------------------------------------------------------------
// Governance, policies and insights helpers

export const RISKS: readonly Risk[] = ['low', 'medium', 'high', 'critical'];
export const UNKNOWN_TOOLS: readonly UnknownTools[] = ['block', 'securityReview'];

export function isRisk(s: string): s is Risk {
  return (RISKS as readonly string[]).includes(s);
}

/** "Block" / "Security review" for governance's unknown-tool handling. */
export function unknownToolsLabel(s: UnknownTools): string {
  if (s === 'block') return 'Block (refused with a comment)';
  if (s === 'securityReview') return 'Security review (pending, tool added as denied)';
  return humanize(s);
}

/** A whole number in [min, max], or null. */
function wholeIn(v: string, min: number, max: number): number | null {
  const t = v.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= min && n <= max ? n : null;
}

export interface GovernanceForm {
  maxDays: Record<Risk, string>;
  securityReviewRisks: string[];
  securityReviewerGroup: string;
  unknownTools: string;
  maxCriticalPerPerson: string;
  note: string;
}

/**
 * The `governance.set` payload from the edit form, or the first field at fault
 * (named as the server names it: `maxDays.low`, `maxCriticalPerPerson`, ...).
 */
export function governancePatch(f: GovernanceForm): { payload: GovernancePatch } | { error: FieldError } {
  const maxDays: MaxDays = { low: 0, medium: 0, high: 0, critical: 0 };
  for (const r of RISKS) {
    const n = wholeIn(f.maxDays[r], 1, 365);
    if (n === null) return { error: { field: `maxDays.${r}`, message: 'Enter a whole number of days, 1 to 365.' } };
    maxDays[r] = n;
  }
  const max = wholeIn(f.maxCriticalPerPerson, 1, 50);
  if (max === null) return { error: { field: 'maxCriticalPerPerson', message: 'Enter a whole number, 1 to 50.' } };
  const unknownTools = UNKNOWN_TOOLS.find((u) => u === f.unknownTools);
  if (!unknownTools) return { error: { field: 'unknownTools', message: 'Choose how unknown tools are handled.' } };
  const group = f.securityReviewerGroup.trim();
  if (group.length > 255) return { error: { field: 'securityReviewerGroup', message: 'At most 255 characters.' } };
  const note = f.note.trim();
  if (note.length > 500) return { error: { field: 'note', message: 'At most 500 characters.' } };
  return {
    payload: {
      maxDays,
      securityReviewRisks: RISKS.filter((r) => f.securityReviewRisks.includes(r)),
      securityReviewerGroup: group,
      unknownTools,
      maxCriticalPerPerson: max,
      note,
    },
  };
}

export interface PolicyForm {
  id: string;
  name: string;
  projectKey: string;
  toolId: string;
  autoApprove: boolean;
  allowedGroups: string;
  maxDurationDays: string;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** A policy id from its name: "AIR low risk" -> "air-low-risk". */
export function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

/** The `policies.save` payload from the policy form, or the first field at fault. */
export function policyPayload(f: PolicyForm): { payload: Policy } | { error: FieldError } {
  const id = f.id.trim();
  if (!SLUG.test(id)) return { error: { field: 'id', message: "Id: 1-64 of a-z, 0-9 and '-', not starting with '-'." } };
  const name = f.name.trim();
  if (!name || name.length > 120) return { error: { field: 'name', message: 'Name is required (at most 120 characters).' } };
  const projectKey = f.projectKey.trim().toUpperCase();
  if (!/^[A-Z][A-Z0-9]{0,9}$/.test(projectKey)) {
    return { error: { field: 'projectKey', message: 'A Jira project key: 1-10 of A-Z and 0-9, starting with a letter.' } };
  }
  const toolId = f.toolId.trim();
  if (toolId && !SLUG.test(toolId)) return { error: { field: 'toolId', message: 'Choose a catalog tool, or every tool.' } };
  const groups = parseList(f.allowedGroups);
  if (groups.length < 1 || groups.length > 20) return { error: { field: 'allowedGroups', message: 'List 1 to 20 Jira groups.' } };
  const n = wholeIn(f.maxDurationDays, 1, 365);
  if (n === null) return { error: { field: 'maxDurationDays', message: 'Enter a whole number of days, 1 to 365.' } };
  const payload: Policy = {
    id,
    name,
    projectKey,
    autoApprove: f.autoApprove,
    allowedGroups: groups,
    maxDurationDays: n,
  };
  if (toolId) payload.toolId = toolId;
  return { payload };
}

/** Whether `s` is a month "YYYY-MM" (01-12). */
export function isMonth(s: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(s);
}

/** Checks an insights month range (either end may be blank). */
export function validateMonthRange(from: string, to: string): FieldError | null {
  if (from && !isMonth(from)) return { field: 'from', message: 'Enter a month as YYYY-MM.' };
  if (to && !isMonth(to)) return { field: 'to', message: 'Enter a month as YYYY-MM.' };
  if (from && to && from > to) return { field: 'from', message: 'From must not be after To.' };
  return null;
}

/** "—", "45 min", "3.5 h", "2.1 days" for minutes to a decision. */
export function formatMinutes(m: number | null | undefined): string {
  if (m === null || m === undefined || !Number.isFinite(m)) return '—';
  if (m < 90) return `${Math.round(m)} min`;
  const hours = m / 60;
  if (hours < 48) return `${Math.round(hours * 10) / 10} h`;
  return `${Math.round((hours / 24) * 10) / 10} days`;
}

/** "Mar 2025" from "2025-03" (the input when it is not a month). */
export function monthLabel(month: string): string {
  if (!isMonth(month)) return month;
  const [y, m] = month.split('-').map(Number);
  return new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, 1));
}

/** A bar's width in percent of the largest value (0-100, whole). */
export function barPercent(value: number, max: number): number {
  if (!(max > 0) || !(value > 0)) return 0;
  return Math.min(100, Math.round((value / max) * 100));
}

/** A risk mix as [risk, count] pairs: known risks in order, then the rest by name; zeros dropped. */
export function riskMixEntries(mix: Record<string, number> | null | undefined): [string, number][] {
  const m = mix ?? {};
  const known = RISKS.filter((r) => (m[r] ?? 0) > 0).map((r): [string, number] => [r, m[r]]);
  const rest = Object.keys(m)
    .filter((k) => !(RISKS as readonly string[]).includes(k) && m[k] > 0)
    .sort()
    .map((k): [string, number] => [k, m[k]]);
  return [...known, ...rest];
}

/** Top tools summed across months, most requested first (ties by name), at most `n`. */
export function topToolsAcross(months: { topTools: { tool: string; requests: number }[] }[], n = 10): { tool: string; requests: number }[] {
  const sum = new Map<string, number>();
  for (const m of months) for (const t of m.topTools ?? []) sum.set(t.tool, (sum.get(t.tool) ?? 0) + t.requests);
  return [...sum.entries()]
    .map(([tool, requests]) => ({ tool, requests }))
    .sort((a, b) => b.requests - a.requests || a.tool.localeCompare(b.tool))
    .slice(0, n);
}
