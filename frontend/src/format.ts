// Pure formatting and validation helpers (unit-tested).

import type { Decision, GrantStatus, JobKind, Risk, ToolStatus } from './types';

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

/** Calendar days between two instants, for a zone offset in minutes east of UTC. */
export function calendarDaysBetween(fromMs: number, toMs: number, offsetMinutes = 0): number {
  const shift = offsetMinutes * 60_000;
  return Math.floor((toMs + shift) / DAY) - Math.floor((fromMs + shift) / DAY);
}

/** expired / expires today / expires tomorrow / N days remaining. */
export function expiryLabel(expiresAt: number, now: number, offsetMinutes = 0): string {
  if (expiresAt <= now) return 'expired';
  const d = calendarDaysBetween(now, expiresAt, offsetMinutes);
  if (d <= 0) return 'expires today';
  if (d === 1) return 'expires tomorrow';
  return `${d} days remaining`;
}

/** The browser's offset east of UTC, in minutes, at an instant. */
export function localOffsetMinutes(at: number): number {
  return -new Date(at).getTimezoneOffset();
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

function humanize(s: string): string {
  const spaced = s.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[-_]/g, ' ').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

export function grantStatusLabel(s: string): string {
  return (GRANT_STATUS as Record<string, string>)[s] ?? humanize(s);
}
export function decisionLabel(s: string): string {
  return (DECISION as Record<string, string>)[s] ?? humanize(s);
}
export function toolStatusLabel(s: string): string {
  return (TOOL_STATUS as Record<string, string>)[s] ?? humanize(s);
}
export function riskLabel(s: string): string {
  return (RISK as Record<string, string>)[s] ?? humanize(s);
}
export function jobStatusLabel(s: string): string {
  return humanize(s);
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
      return 'success';
    case 'denied':
    case 'blocked':
    case 'revoked':
    case 'critical':
    case 'deadLetter':
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
export function completionFor(kind: JobKind | string): { outcome: string; label: string } {
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

export function jobKindLabel(kind: string): string {
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

/** Human name of a form field, for error alerts. */
export function fieldLabel(field: string): string {
  const known: Record<string, string> = {
    toolId: 'Tool',
    durationDays: 'Duration',
    defaultDurationDays: 'Default duration',
    maxDurationDays: 'Maximum duration',
    projectKey: 'Project key',
    approverGroups: 'Approver groups',
    requestId: 'Request',
    jobId: 'Task',
  };
  return known[field] ?? humanize(field);
}

/** "Manual", "Okta group", ... from a job mode given as a string or as {type}. */
export function modeLabel(mode: unknown): string {
  const t = typeof mode === 'string' ? mode : mode && typeof mode === 'object' && typeof (mode as { type?: unknown }).type === 'string' ? (mode as { type: string }).type : '';
  if (!t) return '';
  return humanize(t);
}
