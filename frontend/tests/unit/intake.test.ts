import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Intake } from '../../src/generated/api';
import { intakeFormOf, intakePatch, isoToLocalInput, localInputToIso, type IntakeForm, type OffsetAt } from '../../src/lib/intake';

const UTC: OffsetAt = () => 0;
const PARIS: OffsetAt = (ms) => (ms >= Date.UTC(2026, 2, 29, 1) && ms < Date.UTC(2026, 9, 25, 1) ? 120 : 60);

const FULL: Intake = {
  projectKey: 'AIR',
  serviceDeskId: '3',
  requestTypeIds: ['10', '11'],
  approverGroups: ['aigis-approvers'],
  approverRoles: [{ projectKey: 'AIR', roleId: '10002' }],
  delegations: [{ delegator: 'acc-arlo', delegate: 'acc-bea', until: '2026-12-31T17:00:00Z' }],
  escalationAccounts: ['acc-ada'],
  escalationGroup: 'aigis-leads',
  approvalSlaHours: 24,
  reviewIssueType: 'Task',
  reviewWindowDays: 7,
  auditRetentionDays: 400,
};

test('datetime-local values convert in the admin zone, DST included', () => {
  assert.equal(isoToLocalInput('2026-12-31T17:00:00Z', UTC), '2026-12-31T17:00');
  assert.equal(isoToLocalInput('2026-12-31T17:00:00Z', PARIS), '2026-12-31T18:00');
  assert.equal(isoToLocalInput('2026-07-01T08:30:00+02:00', PARIS), '2026-07-01T08:30');
  assert.equal(isoToLocalInput('next tuesday', UTC), '');
  assert.equal(localInputToIso('2026-12-31T18:00', PARIS), '2026-12-31T17:00:00Z');
  assert.equal(localInputToIso('2026-07-01T08:30', PARIS), '2026-07-01T06:30:00Z');
  assert.equal(localInputToIso('2026-07-01T08:30:15', UTC), '2026-07-01T08:30:15Z');
  assert.equal(localInputToIso('2026-02-30T08:30', UTC), null);
  assert.equal(localInputToIso('2026-07-01T25:00', UTC), null);
  assert.equal(localInputToIso('', UTC), null);
});

test('a stored intake round-trips through the form to the same patch', () => {
  const form = intakeFormOf(FULL, PARIS);
  assert.equal(form.requestTypeIds, '10, 11');
  assert.equal(form.delegations[0].until, '2026-12-31T18:00');
  assert.equal(form.approvalSlaHours, '24');
  const r = intakePatch(form, PARIS);
  assert.ok('payload' in r, JSON.stringify(r));
  assert.deepEqual(r.payload, FULL);
});

test('an empty form needs only the project key; blanks clear (null) and empty lists are sent', () => {
  const form: IntakeForm = { ...intakeFormOf(null, UTC), projectKey: ' air ' };
  const r = intakePatch(form, UTC);
  assert.ok('payload' in r);
  assert.deepEqual(r.payload, {
    projectKey: 'AIR',
    serviceDeskId: null,
    requestTypeIds: [],
    approverGroups: [],
    approverRoles: [],
    delegations: [],
    escalationAccounts: [],
    escalationGroup: null,
    approvalSlaHours: null,
    reviewIssueType: null,
    reviewWindowDays: null,
    auditRetentionDays: null,
  });
});

test('wholly blank rows are dropped; half-filled ones are refused by their place', () => {
  const base = intakeFormOf(FULL, UTC);
  const blank = intakePatch({ ...base, approverRoles: [{ projectKey: ' ', roleId: '' }, ...base.approverRoles] }, UTC);
  assert.ok('payload' in blank);
  assert.deepEqual(blank.payload.approverRoles, FULL.approverRoles);
  const half = intakePatch({ ...base, delegations: [...base.delegations, { delegator: 'acc-x', delegate: '', until: '' }] }, UTC);
  assert.ok('error' in half);
  assert.equal(half.error.field, 'delegations[1].delegate');
});

test('intakePatch names the field at fault with the server field path', () => {
  const base = intakeFormOf(FULL, UTC);
  const fieldOf = (f: Partial<IntakeForm>): string | undefined => {
    const r = intakePatch({ ...base, ...f }, UTC);
    return 'error' in r ? r.error.field : undefined;
  };
  assert.equal(fieldOf({ projectKey: '' }), 'projectKey');
  assert.equal(fieldOf({ projectKey: '1AIR' }), 'projectKey');
  assert.equal(fieldOf({ serviceDeskId: 'desk' }), 'serviceDeskId');
  assert.equal(fieldOf({ requestTypeIds: '10, eleven' }), 'requestTypeIds[1]');
  assert.equal(fieldOf({ requestTypeIds: Array.from({ length: 51 }, (_, i) => i).join(',') }), 'requestTypeIds');
  assert.equal(fieldOf({ approverGroups: Array.from({ length: 21 }, (_, i) => `g${i}`).join(',') }), 'approverGroups');
  assert.equal(fieldOf({ approverRoles: [{ projectKey: 'AIR', roleId: 'admins' }] }), 'approverRoles[0].roleId');
  assert.equal(fieldOf({ approverRoles: [{ projectKey: 'air', roleId: '1' }, { projectKey: 'AIR', roleId: '1' }] }), 'approverRoles[1]');
  assert.equal(fieldOf({ delegations: [{ delegator: 'acc-a', delegate: 'acc-a', until: '2026-01-01T00:00' }] }), 'delegations[0].delegate');
  assert.equal(fieldOf({ delegations: [{ delegator: 'acc a', delegate: 'acc-b', until: '2026-01-01T00:00' }] }), 'delegations[0].delegator');
  assert.equal(fieldOf({ delegations: [{ delegator: 'acc-a', delegate: 'acc-b', until: '' }] }), 'delegations[0].until');
  assert.equal(fieldOf({ escalationAccounts: 'acc-ada, ada@example.com' }), 'escalationAccounts[1]');
  assert.equal(fieldOf({ escalationGroup: 'g'.repeat(256) }), 'escalationGroup');
  assert.equal(fieldOf({ approvalSlaHours: '0' }), 'approvalSlaHours');
  assert.equal(fieldOf({ approvalSlaHours: '721' }), 'approvalSlaHours');
  assert.equal(fieldOf({ approvalSlaHours: '1.5' }), 'approvalSlaHours');
  assert.equal(fieldOf({ reviewWindowDays: '91' }), 'reviewWindowDays');
  assert.equal(fieldOf({ auditRetentionDays: '89' }), 'auditRetentionDays');
  assert.equal(fieldOf({ auditRetentionDays: '3650' }), undefined);
});
