import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tool } from '../../src/generated/api';
import { columnBars, niceMax, rowBars } from '../../src/modules/admin/chart';
import { EMPTY_TOOL_FORM, labelled, retirePayload, seedPreview, toolFormOf, toolPatch } from '../../src/modules/admin/tool-form';

const tool: Tool = {
  id: 'chatgpt',
  name: 'ChatGPT',
  provider: 'OpenAI',
  status: 'approved',
  risk: 'medium',
  defaultDurationDays: 30,
  maxDurationDays: 90,
  guidance: 'No client data.',
  fulfilmentNotes: 'Invite in the admin console.',
  riskRationale: '',
  entitlement: null,
  createdAt: 1,
  updatedAt: 2,
};

test('an unchanged edit sends nothing; a change sends only the fields that differ', () => {
  assert.deepEqual(toolPatch(tool, toolFormOf(tool)), { payload: null });
  const r = toolPatch(tool, { ...toolFormOf(tool), risk: 'high', guidance: '  Ask first. ', maxDurationDays: '60' });
  assert.ok('payload' in r);
  assert.deepEqual(r.payload, { id: 'chatgpt', risk: 'high', guidance: 'Ask first.', maxDurationDays: 60 });
  const ent = toolPatch(tool, { ...toolFormOf(tool), entitlementProvider: 'okta', groupName: 'AI users' });
  assert.ok('payload' in ent);
  assert.deepEqual(ent.payload?.entitlement, { provider: 'okta', groupId: null, groupName: 'AI users' });
});

test('tool form errors name the field by its label', () => {
  const r = toolPatch(tool, { ...toolFormOf(tool), defaultDurationDays: '120' });
  assert.ok('error' in r);
  assert.equal(r.error.field, 'defaultDurationDays');
  assert.match(r.error.message, /^Default duration/);
  const n = toolPatch(tool, { ...toolFormOf(tool), name: '  ' });
  assert.ok('error' in n && n.error.field === 'name' && /^Name/.test(n.error.message));
  const d = toolPatch(tool, { ...toolFormOf(tool), maxDurationDays: 'ten' });
  assert.ok('error' in d && d.error.field === 'maxDurationDays' && /^Maximum duration: Enter a whole number/.test(d.error.message));
  assert.equal(EMPTY_TOOL_FORM.status, 'approved');
});

test('retiring needs blocked or denied and a reason of at most 1000 characters', () => {
  assert.deepEqual(retirePayload('x', 'blocked', ' leaks data '), { payload: { id: 'x', status: 'blocked', reason: 'leaks data' } });
  const a = retirePayload('x', 'approved', 'r');
  assert.ok('error' in a && a.error.field === 'status');
  const b = retirePayload('x', 'denied', '   ');
  assert.ok('error' in b && b.error.field === 'reason' && /^Reason:/.test(b.error.message));
  const c = retirePayload('x', 'denied', 'y'.repeat(1001));
  assert.ok('error' in c && c.error.field === 'reason');
});

test('the seed preview lists the built-ins not yet in the catalog and counts the rest', () => {
  const b = (id: string) => ({ id, name: id.toUpperCase(), provider: 'p', risk: 'low' as const, status: 'approved' as const, riskRationale: '' });
  const p = seedPreview([b('chatgpt'), b('claude'), b('copilot')], [{ id: 'chatgpt' }, { id: 'own-tool' }]);
  assert.deepEqual(p.toAdd.map((t) => t.id), ['claude', 'copilot']);
  assert.equal(p.already, 1);
});

test('intake errors are told by the field label, list items by their place', () => {
  assert.equal(labelled({ field: 'delegations[2].until', message: 'must be in the future' }).message, 'Delegation 3, until: must be in the future');
  assert.equal(labelled({ field: 'approvalSlaHours', message: 'Enter 1 to 720.' }).message, 'Approval SLA (hours): Enter 1 to 720.');
  assert.equal(labelled({ field: 'maxDurationDays', message: 'maxDurationDays: must be 1..=30 for high risk' }).message, 'Maximum duration: must be 1..=30 for high risk');
});

test('chart scales: a nice axis top, bars proportional to it, nothing negative or NaN drawn', () => {
  assert.equal(niceMax([]), 1);
  assert.equal(niceMax([0.3]), 1);
  assert.equal(niceMax([7]), 10);
  assert.equal(niceMax([13]), 20);
  assert.equal(niceMax([42]), 50);
  assert.equal(niceMax([100]), 100);
  const bars = columnBars(
    [
      { label: 'Jan', value: 10 },
      { label: 'Feb', value: 5 },
      { label: 'Mar', value: -2 },
      { label: 'Apr', value: NaN },
    ],
    100,
    50,
    4,
  );
  assert.equal(bars[0]!.height, 50);
  assert.equal(bars[0]!.y, 0);
  assert.equal(bars[1]!.height, 25);
  assert.equal(bars[1]!.y, 25);
  assert.equal(bars[2]!.height, 0);
  assert.equal(bars[3]!.value, 0);
  assert.equal(bars[1]!.x, 26);
  assert.equal(bars[0]!.width, 22);
  assert.deepEqual(columnBars([], 100, 50), []);
  const rows = rowBars([{ label: 'a', value: 3 }, { label: 'b', value: 6 }], 200, 10, 5);
  assert.equal(rows[1]!.width, 120);
  assert.equal(rows[0]!.width, 60);
  assert.equal(rows[1]!.y, 15);
});
