import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  completionFor,
  days,
  decisionLabel,
  decisionSourceLabel,
  fieldLabel,
  formatDate,
  formatDateTime,
  grantStatusLabel,
  jobStatusLabel,
  modeLabel,
  parseList,
  tone,
  toolInput,
  validateRequestForm,
  validateToolForm,
  type ToolForm,
} from '../../src/lib/labels';
import type { GrantStatus } from '../../src/generated/api';

const DAY = 86_400_000;
const noon = Date.UTC(2025, 2, 3, 12, 0, 0);

test('days pluralises and tolerates missing values', () => {
  assert.equal(days(1), '1 day');
  assert.equal(days(30), '30 days');
  assert.equal(days(undefined), '—');
});

test('formatDate and formatDateTime render in a given zone', () => {
  assert.equal(formatDate(noon, 'UTC'), '3 Mar 2025');
  assert.equal(formatDateTime(noon, 'UTC'), '3 Mar 2025, 12:00');
  assert.equal(formatDate(undefined), '—');
});

test('labels and tones', () => {
  assert.equal(grantStatusLabel('pendingProvision'), 'Pending provisioning');
  // A status from a backend newer than the bundle still reads.
  assert.equal(grantStatusLabel('somethingNew' as GrantStatus), 'Something new');
  assert.equal(jobStatusLabel('manualPending'), 'Waiting for a person');
  assert.equal(jobStatusLabel('deadLetter'), 'Failed, needs attention');
  assert.equal(decisionSourceLabel('autoPolicy'), 'by an auto-approval policy');
  assert.equal(decisionLabel('denied'), 'Denied');
  assert.equal(tone('active'), 'success');
  assert.equal(tone('denied'), 'danger');
  assert.equal(tone('pending'), 'warning');
  assert.equal(tone('whatever'), 'neutral');
});

test('completionFor maps job kinds to outcomes and button labels', () => {
  assert.deepEqual(completionFor('provision'), { outcome: 'fulfilled', label: 'Mark fulfilled' });
  assert.deepEqual(completionFor('deprovision'), { outcome: 'deprovisioned', label: 'Mark deprovisioned' });
  assert.deepEqual(completionFor('check'), { outcome: 'verified', label: 'Mark verified' });
});

test('parseList splits on commas and newlines, trims and dedupes', () => {
  assert.deepEqual(parseList(' aigis-approvers, jira-admins\n\naigis-approvers ,'), ['aigis-approvers', 'jira-admins']);
  assert.deepEqual(parseList(''), []);
});

test('validateRequestForm names the field at fault', () => {
  assert.equal(validateRequestForm({ toolId: '', purpose: 'x', durationDays: 1 })?.field, 'toolId');
  assert.equal(validateRequestForm({ toolId: 'a', purpose: ' ', durationDays: 1 })?.field, 'purpose');
  assert.equal(validateRequestForm({ toolId: 'a', purpose: 'drafting', durationDays: '0' })?.field, 'durationDays');
  assert.equal(validateRequestForm({ toolId: 'a', purpose: 'drafting', durationDays: '1.5' })?.field, 'durationDays');
  assert.equal(validateRequestForm({ toolId: 'a', purpose: 'drafting', durationDays: 91 }, 90)?.field, 'durationDays');
  assert.equal(validateRequestForm({ toolId: 'a', purpose: 'drafting', durationDays: 90 }, 90), null);
});

test('validateToolForm checks id, names and durations', () => {
  const ok = { id: 'chatgpt', name: 'ChatGPT', provider: 'OpenAI', defaultDurationDays: '30', maxDurationDays: '90' };
  assert.equal(validateToolForm(ok), null);
  assert.equal(validateToolForm({ ...ok, id: 'Chat GPT' })?.field, 'id');
  assert.equal(validateToolForm({ ...ok, name: ' ' })?.field, 'name');
  assert.equal(validateToolForm({ ...ok, provider: '' })?.field, 'provider');
  assert.equal(validateToolForm({ ...ok, maxDurationDays: 'x' })?.field, 'maxDurationDays');
  assert.equal(validateToolForm({ ...ok, defaultDurationDays: '120' })?.field, 'defaultDurationDays');
  assert.equal(validateToolForm({ ...ok, defaultDurationDays: '', maxDurationDays: '' }), null);
});

test('modeLabel reads the job mode', () => {
  assert.equal(modeLabel({ type: 'manual' }), 'By hand');
  assert.equal(modeLabel({ type: 'connector', connector: 'okta' }), 'Connector okta');
});

const TOOL: ToolForm = {
  id: ' chatgpt ',
  name: ' ChatGPT ',
  provider: 'OpenAI',
  status: 'approved',
  risk: 'low',
  defaultDurationDays: '30',
  maxDurationDays: '',
  guidance: ' No customer data. ',
  fulfilmentNotes: '',
  riskRationale: 'Public data only',
  entitlementProvider: '',
  groupId: '',
  groupName: '',
};

test('toolInput builds the whole catalog.add payload, blanks as null or empty', () => {
  const r = toolInput(TOOL);
  assert.ok('payload' in r);
  assert.deepEqual(r.payload, {
    id: 'chatgpt',
    name: 'ChatGPT',
    provider: 'OpenAI',
    status: 'approved',
    risk: 'low',
    defaultDurationDays: 30,
    maxDurationDays: null,
    guidance: 'No customer data.',
    fulfilmentNotes: '',
    riskRationale: 'Public data only',
    entitlement: null,
  });
  const okta = toolInput({ ...TOOL, entitlementProvider: 'okta', groupName: ' ai-chatgpt ' });
  assert.ok('payload' in okta);
  assert.deepEqual(okta.payload.entitlement, { provider: 'okta', groupId: null, groupName: 'ai-chatgpt' });
});

test('toolInput names the field at fault as the server does', () => {
  const field = (f: Partial<ToolForm>): string | undefined => {
    const r = toolInput({ ...TOOL, ...f });
    return 'error' in r ? r.error.field : undefined;
  };
  assert.equal(field({ id: 'Chat GPT' }), 'id');
  assert.equal(field({ status: 'maybe' }), 'status');
  assert.equal(field({ risk: 'extreme' }), 'risk');
  assert.equal(field({ riskRationale: 'x'.repeat(1001) }), 'riskRationale');
  assert.equal(field({ entitlementProvider: 'ldap' }), 'entitlement.provider');
  assert.equal(field({ entitlementProvider: 'entra', groupId: 'g'.repeat(129) }), 'entitlement.groupId');
  assert.equal(field({}), undefined);
});

test('fieldLabel names list items by their place', () => {
  assert.equal(fieldLabel('delegations[2].until'), 'Delegation 3, until');
  assert.equal(fieldLabel('approverRoles[0].roleId'), 'Approver role 1, role id');
  assert.equal(fieldLabel('requestTypeIds[4]'), 'Request type 5');
  assert.equal(fieldLabel('approvalSlaHours'), 'Approval SLA (hours)');
  assert.equal(fieldLabel('entitlement.groupId'), 'Group id');
  assert.equal(fieldLabel('rationale'), 'Rationale');
});
