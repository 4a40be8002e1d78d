// The intake form's pure half (unit-tested): the form's text from an `Intake`,
// and the `config.setIntake` patch from the form's text, checked field by field
// with the rules and field names the server uses (`delegations[2].until`).
//
// The form shows every field, so the patch sets every field: a blank clears it
// (`null`, back to its default), which is what the admin sees.

import type { ApproverRole, Delegation, Intake, IntakePatch } from '../generated/api';
import { parseList, type FieldError } from './labels';

export interface RoleRow {
  projectKey: string;
  roleId: string;
}

/** `until` is a `datetime-local` value: the admin's wall-clock time. */
export interface DelegationRow {
  delegator: string;
  delegate: string;
  until: string;
}

/** The intake form's controls, as text. */
export interface IntakeForm {
  projectKey: string;
  serviceDeskId: string;
  requestTypeIds: string;
  approverGroups: string;
  approverRoles: RoleRow[];
  delegations: DelegationRow[];
  escalationAccounts: string;
  escalationGroup: string;
  approvalSlaHours: string;
  reviewIssueType: string;
  reviewWindowDays: string;
  auditRetentionDays: string;
}

/** Minutes east of UTC of the admin's zone at an instant (the browser's by default). */
export type OffsetAt = (ms: number) => number;

export const browserOffset: OffsetAt = (ms) => -new Date(ms).getTimezoneOffset();

export const INTAKE_LIMITS = {
  requestTypeIds: 50,
  approverGroups: 20,
  approverRoles: 10,
  delegations: 50,
  escalationAccounts: 20,
  approvalSlaHours: [1, 720],
  reviewWindowDays: [1, 90],
  auditRetentionDays: [90, 3650],
} as const;

const PROJECT_KEY = /^[A-Z][A-Z0-9]{0,9}$/;
const JIRA_ID = /^\d{1,18}$/;
const ACCOUNT_ID = /^[A-Za-z0-9:_-]{1,128}$/;
const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** An RFC 3339 instant as a `datetime-local` value in the admin's zone, or '' if it is not one. */
export function isoToLocalInput(iso: string, offsetAt: OffsetAt = browserOffset): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms + offsetAt(ms) * 60_000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** A `datetime-local` value in the admin's zone as an RFC 3339 UTC instant, or null if it is not one. */
export function localInputToIso(value: string, offsetAt: OffsetAt = browserOffset): string | null {
  const m = LOCAL_INPUT.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(wall);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59) return null;
  // The offset is that of the instant itself: guess with the wall time's, then correct once (DST).
  const guess = wall - offsetAt(wall) * 60_000;
  const ms = wall - offsetAt(guess) * 60_000;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The form's text for a stored intake (or an empty form when there is none). */
export function intakeFormOf(i: Intake | null, offsetAt: OffsetAt = browserOffset): IntakeForm {
  const num = (n: number | null | undefined): string => (n === null || n === undefined ? '' : String(n));
  return {
    projectKey: i?.projectKey ?? '',
    serviceDeskId: i?.serviceDeskId ?? '',
    requestTypeIds: (i?.requestTypeIds ?? []).join(', '),
    approverGroups: (i?.approverGroups ?? []).join(', '),
    approverRoles: (i?.approverRoles ?? []).map((r) => ({ projectKey: r.projectKey, roleId: r.roleId })),
    delegations: (i?.delegations ?? []).map((d) => ({
      delegator: d.delegator,
      delegate: d.delegate,
      until: isoToLocalInput(d.until, offsetAt),
    })),
    escalationAccounts: (i?.escalationAccounts ?? []).join(', '),
    escalationGroup: i?.escalationGroup ?? '',
    approvalSlaHours: num(i?.approvalSlaHours),
    reviewIssueType: i?.reviewIssueType ?? '',
    reviewWindowDays: num(i?.reviewWindowDays),
    auditRetentionDays: num(i?.auditRetentionDays),
  };
}

/** Whether a row of a list editor has nothing typed in it (such rows are dropped). */
export function blankRow(row: RoleRow | DelegationRow): boolean {
  return Object.values(row).every((v) => v.trim() === '');
}

type Checked<T> = { value: T } | { error: FieldError };

function err(field: string, message: string): { error: FieldError } {
  return { error: { field, message } };
}

function text(v: string, field: string, label: string): Checked<string | null> {
  const t = v.trim();
  if (!t) return { value: null };
  return t.length > 255 ? err(field, `${label}: at most 255 characters.`) : { value: t };
}

function whole(v: string, field: string, [min, max]: readonly [number, number], unit: string): Checked<number | null> {
  const t = v.trim();
  if (!t) return { value: null };
  const n = Number(t);
  if (!/^\d+$/.test(t) || n < min || n > max) return err(field, `Enter a whole number of ${unit}, ${min} to ${max}.`);
  return { value: n };
}

function list(v: string, field: string, max: number, what: string, ok: (s: string) => boolean, rule: string): Checked<string[]> {
  const items = parseList(v);
  if (items.length > max) return err(field, `At most ${max} ${what}.`);
  const bad = items.findIndex((x) => !ok(x));
  return bad >= 0 ? err(`${field}[${bad}]`, `“${items[bad]}” ${rule}`) : { value: items };
}

function roles(rows: RoleRow[]): Checked<ApproverRole[]> {
  const out: ApproverRole[] = [];
  if (rows.length > INTAKE_LIMITS.approverRoles) return err('approverRoles', `At most ${INTAKE_LIMITS.approverRoles} roles.`);
  for (const [i, row] of rows.entries()) {
    const projectKey = row.projectKey.trim().toUpperCase();
    const roleId = row.roleId.trim();
    if (!PROJECT_KEY.test(projectKey)) {
      return err(`approverRoles[${i}].projectKey`, 'A Jira project key: 1-10 of A-Z and 0-9, starting with a letter.');
    }
    if (!JIRA_ID.test(roleId)) return err(`approverRoles[${i}].roleId`, 'The numeric id of a project role, e.g. 10002.');
    if (out.some((r) => r.projectKey === projectKey && r.roleId === roleId)) return err(`approverRoles[${i}]`, 'This role is listed twice.');
    out.push({ projectKey, roleId });
  }
  return { value: out };
}

function delegations(rows: DelegationRow[], offsetAt: OffsetAt): Checked<Delegation[]> {
  const out: Delegation[] = [];
  if (rows.length > INTAKE_LIMITS.delegations) return err('delegations', `At most ${INTAKE_LIMITS.delegations} delegations.`);
  for (const [i, row] of rows.entries()) {
    const delegator = row.delegator.trim();
    const delegate = row.delegate.trim();
    if (!ACCOUNT_ID.test(delegator)) return err(`delegations[${i}].delegator`, 'The accountId of the approver who delegates.');
    if (!ACCOUNT_ID.test(delegate)) return err(`delegations[${i}].delegate`, 'The accountId of the person who approves meanwhile.');
    if (delegate === delegator) return err(`delegations[${i}].delegate`, 'The delegate must differ from the delegator.');
    const until = localInputToIso(row.until, offsetAt);
    if (!until) return err(`delegations[${i}].until`, 'Choose the date and time the delegation ends.');
    out.push({ delegator, delegate, until });
  }
  return { value: out };
}

/**
 * The `config.setIntake` patch from the form (rows wholly blank dropped first,
 * so row numbers are the payload's), or the first field at fault.
 */
export function intakePatch(f: IntakeForm, offsetAt: OffsetAt = browserOffset): { payload: IntakePatch } | { error: FieldError } {
  const projectKey = f.projectKey.trim().toUpperCase();
  if (!PROJECT_KEY.test(projectKey)) {
    return err('projectKey', 'Enter the portal project key: 1-10 of A-Z and 0-9, starting with a letter.');
  }
  const serviceDesk = f.serviceDeskId.trim();
  if (serviceDesk && !JIRA_ID.test(serviceDesk)) return err('serviceDeskId', 'The numeric id of the service desk, or blank.');
  const numeric = 'is not a numeric Jira id.';
  const account = 'is not a Jira accountId (letters, digits, “:”, “-”, “_”).';
  const requestTypeIds = list(f.requestTypeIds, 'requestTypeIds', INTAKE_LIMITS.requestTypeIds, 'request types', (x) => JIRA_ID.test(x), numeric);
  if ('error' in requestTypeIds) return requestTypeIds;
  const approverGroups = list(f.approverGroups, 'approverGroups', INTAKE_LIMITS.approverGroups, 'groups', (x) => x.length <= 255, 'is longer than 255 characters.');
  if ('error' in approverGroups) return approverGroups;
  const approverRoles = roles(f.approverRoles.filter((r) => !blankRow(r)));
  if ('error' in approverRoles) return approverRoles;
  const delegated = delegations(f.delegations.filter((d) => !blankRow(d)), offsetAt);
  if ('error' in delegated) return delegated;
  const escalationAccounts = list(f.escalationAccounts, 'escalationAccounts', INTAKE_LIMITS.escalationAccounts, 'accounts', (x) => ACCOUNT_ID.test(x), account);
  if ('error' in escalationAccounts) return escalationAccounts;
  const escalationGroup = text(f.escalationGroup, 'escalationGroup', 'Escalation group');
  if ('error' in escalationGroup) return escalationGroup;
  const approvalSlaHours = whole(f.approvalSlaHours, 'approvalSlaHours', INTAKE_LIMITS.approvalSlaHours, 'hours');
  if ('error' in approvalSlaHours) return approvalSlaHours;
  const reviewIssueType = text(f.reviewIssueType, 'reviewIssueType', 'Review issue type');
  if ('error' in reviewIssueType) return reviewIssueType;
  const reviewWindowDays = whole(f.reviewWindowDays, 'reviewWindowDays', INTAKE_LIMITS.reviewWindowDays, 'days');
  if ('error' in reviewWindowDays) return reviewWindowDays;
  const auditRetentionDays = whole(f.auditRetentionDays, 'auditRetentionDays', INTAKE_LIMITS.auditRetentionDays, 'days');
  if ('error' in auditRetentionDays) return auditRetentionDays;
  return {
    payload: {
      projectKey,
      serviceDeskId: serviceDesk || null,
      requestTypeIds: requestTypeIds.value,
      approverGroups: approverGroups.value,
      approverRoles: approverRoles.value,
      delegations: delegated.value,
      escalationAccounts: escalationAccounts.value,
      escalationGroup: escalationGroup.value,
      approvalSlaHours: approvalSlaHours.value,
      reviewIssueType: reviewIssueType.value,
      reviewWindowDays: reviewWindowDays.value,
      auditRetentionDays: auditRetentionDays.value,
    },
  };
}
