import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  calendarDaysBetween,
  completionFor,
  days,
  decisionLabel,
  expiryLabel,
  formatDate,
  formatDateTime,
  grantStatusLabel,
  modeLabel,
  parseList,
  tone,
  validateRequestForm,
  validateToolForm,
} from '../../src/format';

const DAY = 86_400_000;
const noon = Date.UTC(2025, 2, 3, 12, 0, 0);

test('days pluralises and tolerates missing values', () => {
  assert.equal(days(1), '1 day');
  assert.equal(days(30), '30 days');
  assert.equal(days(undefined), '—');
});

test('expiryLabel: expired / today / tomorrow / N days remaining', () => {
  assert.equal(expiryLabel(noon - 1, noon), 'expired');
  assert.equal(expiryLabel(noon, noon), 'expired');
  assert.equal(expiryLabel(noon + 6 * 3600_000, noon), 'expires today');
  assert.equal(expiryLabel(noon + DAY, noon), 'expires tomorrow');
  assert.equal(expiryLabel(noon + 14 * DAY, noon), '14 days remaining');
});

test('expiryLabel counts calendar days in the given zone', () => {
  // 23:00 UTC today to 01:00 UTC: tomorrow in UTC, the same day at UTC-3.
  const late = Date.UTC(2025, 2, 3, 23, 0, 0);
  const soon = late + 2 * 3600_000;
  assert.equal(expiryLabel(soon, late, 0), 'expires tomorrow');
  assert.equal(expiryLabel(soon, late, -180), 'expires today');
  assert.equal(calendarDaysBetween(late, soon, 60), 0);
});

test('formatDate and formatDateTime render in a given zone', () => {
  assert.equal(formatDate(noon, 'UTC'), '3 Mar 2025');
  assert.equal(formatDateTime(noon, 'UTC'), '3 Mar 2025, 12:00');
  assert.equal(formatDate(undefined), '—');
});

test('labels and tones', () => {
  assert.equal(grantStatusLabel('pendingProvision'), 'Pending provisioning');
  assert.equal(grantStatusLabel('somethingNew'), 'Something new');
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

test('modeLabel reads a string or a {type} object', () => {
  assert.equal(modeLabel({ type: 'manual' }), 'Manual');
  assert.equal(modeLabel('oktaGroup'), 'Okta group');
  assert.equal(modeLabel(undefined), '');
});
