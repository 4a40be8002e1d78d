import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  barPercent,
  formatMinutes,
  governancePatch,
  isMonth,
  monthLabel,
  policyPayload,
  riskMixEntries,
  slugify,
  topToolsAcross,
  unknownToolsLabel,
  validateMonthRange,
  type GovernanceForm,
  type PolicyForm,
} from '../../src/lib/labels';

const GOV: GovernanceForm = {
  maxDays: { low: '90', medium: '60', high: '30', critical: '14' },
  securityReviewRisks: ['critical', 'high'],
  securityReviewerGroup: '  security-team ',
  unknownTools: 'securityReview',
  maxCriticalPerPerson: '2',
  note: ' tighter ',
};

test('governancePatch builds the governance.set payload', () => {
  const r = governancePatch(GOV);
  assert.ok('payload' in r);
  assert.deepEqual(r.payload, {
    maxDays: { low: 90, medium: 60, high: 30, critical: 14 },
    securityReviewRisks: ['high', 'critical'],
    securityReviewerGroup: 'security-team',
    unknownTools: 'securityReview',
    maxCriticalPerPerson: 2,
    note: 'tighter',
  });
});

test('governancePatch names the field at fault as the server does', () => {
  const bad = (patch: Partial<GovernanceForm>): string | undefined => {
    const r = governancePatch({ ...GOV, ...patch });
    return 'error' in r ? r.error.field : undefined;
  };
  assert.equal(bad({ maxDays: { ...GOV.maxDays, critical: '0' } }), 'maxDays.critical');
  assert.equal(bad({ maxDays: { ...GOV.maxDays, low: '366' } }), 'maxDays.low');
  assert.equal(bad({ maxDays: { ...GOV.maxDays, medium: '2.5' } }), 'maxDays.medium');
  assert.equal(bad({ maxCriticalPerPerson: '51' }), 'maxCriticalPerPerson');
  assert.equal(bad({ maxCriticalPerPerson: '' }), 'maxCriticalPerPerson');
  assert.equal(bad({ unknownTools: 'allow' }), 'unknownTools');
  assert.equal(bad({ note: 'x'.repeat(501) }), 'note');
  assert.equal(bad({ securityReviewerGroup: '' }), undefined);
  assert.equal(bad({ securityReviewRisks: [] }), undefined);
});

const POLICY: PolicyForm = {
  id: 'air-low',
  name: ' AIR low risk ',
  projectKey: 'air',
  toolId: '',
  autoApprove: true,
  allowedGroups: 'ai-users, engineering\nai-users',
  maxDurationDays: '30',
};

test('policyPayload builds the policies.save payload (toolId only when chosen)', () => {
  const r = policyPayload(POLICY);
  assert.ok('payload' in r);
  assert.deepEqual(r.payload, {
    id: 'air-low',
    name: 'AIR low risk',
    projectKey: 'AIR',
    autoApprove: true,
    allowedGroups: ['ai-users', 'engineering'],
    maxDurationDays: 30,
  });
  const t = policyPayload({ ...POLICY, toolId: 'claude', autoApprove: false });
  assert.ok('payload' in t);
  assert.equal(t.payload.toolId, 'claude');
  assert.equal(t.payload.autoApprove, false);
});

test('policyPayload names the field at fault', () => {
  const bad = (patch: Partial<PolicyForm>): string | undefined => {
    const r = policyPayload({ ...POLICY, ...patch });
    return 'error' in r ? r.error.field : undefined;
  };
  assert.equal(bad({ id: '' }), 'id');
  assert.equal(bad({ id: '-x' }), 'id');
  assert.equal(bad({ id: 'Has Caps' }), 'id');
  assert.equal(bad({ name: '  ' }), 'name');
  assert.equal(bad({ projectKey: '1AB' }), 'projectKey');
  assert.equal(bad({ projectKey: 'ABCDEFGHIJK' }), 'projectKey');
  assert.equal(bad({ toolId: 'Bad Tool' }), 'toolId');
  assert.equal(bad({ allowedGroups: ' , ' }), 'allowedGroups');
  assert.equal(bad({ allowedGroups: Array.from({ length: 21 }, (_, i) => `g${i}`).join(',') }), 'allowedGroups');
  assert.equal(bad({ maxDurationDays: '0' }), 'maxDurationDays');
  assert.equal(bad({ maxDurationDays: '366' }), 'maxDurationDays');
});

test('slugify makes a policy id from a name', () => {
  assert.equal(slugify('AIR low risk'), 'air-low-risk');
  assert.equal(slugify('  --Claude / Copilot!! '), 'claude-copilot');
  assert.equal(slugify(''), '');
  assert.ok(slugify('a'.repeat(100)).length <= 64);
  assert.ok(!slugify(`${'a'.repeat(63)} b`).endsWith('-'));
});

test('months: isMonth, validateMonthRange, monthLabel', () => {
  assert.ok(isMonth('2025-03'));
  assert.ok(!isMonth('2025-13'));
  assert.ok(!isMonth('2025-3'));
  assert.equal(validateMonthRange('', ''), null);
  assert.equal(validateMonthRange('2025-01', '2025-03'), null);
  assert.equal(validateMonthRange('2025-1', '')?.field, 'from');
  assert.equal(validateMonthRange('', 'x')?.field, 'to');
  assert.equal(validateMonthRange('2025-04', '2025-03')?.field, 'from');
  assert.equal(monthLabel('2025-03'), 'Mar 2025');
  assert.equal(monthLabel('soon'), 'soon');
});

test('formatMinutes picks a readable unit', () => {
  assert.equal(formatMinutes(null), '—');
  assert.equal(formatMinutes(undefined), '—');
  assert.equal(formatMinutes(0), '0 min');
  assert.equal(formatMinutes(45.4), '45 min');
  assert.equal(formatMinutes(210), '3.5 h');
  assert.equal(formatMinutes(60 * 24 * 3), '3 days');
});

test('barPercent scales to the largest value', () => {
  assert.equal(barPercent(5, 10), 50);
  assert.equal(barPercent(10, 10), 100);
  assert.equal(barPercent(0, 10), 0);
  assert.equal(barPercent(3, 0), 0);
  assert.equal(barPercent(20, 10), 100);
});

test('riskMixEntries orders known risks first and drops zeros', () => {
  assert.deepEqual(riskMixEntries({ critical: 1, low: 4, medium: 0, other: 2 }), [
    ['low', 4],
    ['critical', 1],
    ['other', 2],
  ]);
  assert.deepEqual(riskMixEntries(undefined), []);
});

test('topToolsAcross sums months and sorts by requests then name', () => {
  const top = topToolsAcross([
    { topTools: [{ tool: 'claude', requests: 3 }, { tool: 'copilot', requests: 2 }] },
    { topTools: [{ tool: 'copilot', requests: 1 }, { tool: 'gemini', requests: 5 }] },
  ]);
  assert.deepEqual(top, [
    { tool: 'gemini', requests: 5 },
    { tool: 'claude', requests: 3 },
    { tool: 'copilot', requests: 3 },
  ]);
  assert.equal(topToolsAcross([{ topTools: [{ tool: 'a', requests: 1 }, { tool: 'b', requests: 1 }] }], 1).length, 1);
});

test('unknownToolsLabel', () => {
  assert.match(unknownToolsLabel('block'), /^Block/);
  assert.match(unknownToolsLabel('securityReview'), /^Security review/);
});
