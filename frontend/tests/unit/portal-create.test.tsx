import assert from 'node:assert/strict';
import { test } from 'node:test';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { PortalForm } from '../../src/generated/api';
import {
  durationBounds,
  formData,
  initialState,
  isHttpsUrl,
  newToolId,
  snapshotOf,
  validate,
  type FormData,
  type FormState,
} from '../../src/modules/portal-create/form';
import { Panel } from '../../src/modules/portal-create/Panel';

const form: PortalForm = {
  governed: true,
  propertyKey: 'aigis.snapshot.v1',
  tools: [
    { id: 'claude', name: 'Claude', provider: 'Anthropic', guidance: 'No customer data.', risk: 'medium', maxDurationDays: 90, riskMaxDays: 60, defaultDurationDays: 30 },
    { id: 'copilot', name: 'Copilot', provider: 'GitHub', guidance: '', risk: 'low', maxDurationDays: 180, riskMaxDays: 365, defaultDurationDays: 200 },
  ],
  newToolAllowed: true,
  duration: { min: 1, max: 365 },
  purpose: { minChars: 10, maxChars: 2000 },
  governanceVersion: 3,
};

const valid = (over: Partial<FormState> = {}): FormState => ({ ...initialState(form), purpose: 'Drafting release notes', ...over });

test('duration is bounded by the tool and its risk; defaults clamp into the bounds', () => {
  assert.deepEqual(durationBounds(form, valid()), { min: 1, max: 60 }, 'claude: its risk allows 60 of its 90');
  assert.deepEqual(durationBounds(form, valid({ toolId: 'copilot' })), { min: 1, max: 180 });
  assert.deepEqual(durationBounds(form, valid({ mode: 'new' })), { min: 1, max: 365 });
  assert.equal(initialState(form).duration, '30');
  assert.equal(initialState({ ...form, tools: [form.tools[1]] }).duration, '180');
  assert.equal(initialState({ ...form, tools: [] }).mode, 'new');
});

test('validation names each field in plain words, as the user types', () => {
  assert.deepEqual(validate(form, valid()), {});
  assert.match(validate(form, valid({ purpose: 'short' })).purpose ?? '', /at least 10 characters \(5 so far\)/);
  assert.match(validate(form, valid({ purpose: '   padded   ' })).purpose ?? '', /\(6 so far\)/, 'trimmed as the backend trims');
  assert.match(validate(form, valid({ duration: '61' })).durationDays ?? '', /Claude may be granted for at most 60 days/);
  assert.ok(validate(form, valid({ duration: '0' })).durationDays);
  assert.ok(validate(form, valid({ duration: '2.5' })).durationDays);
  assert.ok(validate(form, valid({ duration: '' })).durationDays);
  assert.ok(validate(form, valid({ toolId: 'gone' })).toolId);
  const n = validate(form, valid({ mode: 'new', newName: 'x', newUrl: 'http://foo.ai' }));
  assert.ok(n['newTool.name']);
  assert.ok(n['newTool.url']);
  assert.ok(validate(form, valid({ mode: 'new', newName: '!!', newUrl: 'https://foo.ai' }))['newTool.name'], 'no letters or digits');
  assert.deepEqual(validate(form, valid({ mode: 'new', newName: 'Foo AI', newUrl: 'https://foo.ai/pro' })), {});
});

test('URLs and new-tool ids follow the backend rules', () => {
  assert.ok(isHttpsUrl('https://foo.ai/x?y#z'));
  assert.ok(isHttpsUrl('https://foo.ai:8443'));
  for (const bad of ['http://foo.ai', 'https://foo', 'https://.foo.ai', 'https://foo.ai./', 'https://fo o.ai', 'https://', `https://a.io/${'x'.repeat(500)}`]) {
    assert.equal(isHttpsUrl(bad), false, bad);
  }
  assert.equal(newToolId('Foo AI Pro!'), 'new-foo-ai-pro');
  assert.equal(newToolId('  Ünïcode  tool '), 'new-n-code-tool');
});

test('the snapshot is exactly what the backend ingests: toolId or newTool, purpose, durationDays', () => {
  assert.deepEqual(snapshotOf(form, valid({ purpose: '  Drafting release notes  ', duration: ' 14 ' })), {
    toolId: 'claude',
    purpose: 'Drafting release notes',
    durationDays: 14,
  });
  assert.deepEqual(snapshotOf(form, valid({ mode: 'new', newName: ' Foo AI ', newUrl: 'https://foo.ai ' })), {
    newTool: { name: 'Foo AI', url: 'https://foo.ai' },
    purpose: 'Drafting release notes',
    durationDays: 30,
  });
  assert.equal(snapshotOf(form, valid({ purpose: '' })), null);
});

test('form data: the property and isValid; nothing asked (and valid) where not governed', () => {
  assert.deepEqual(formData(form, valid()), {
    fields: [{ key: 'aigis.snapshot.v1', value: { toolId: 'claude', purpose: 'Drafting release notes', durationDays: 30 } }],
    isValid: true,
  });
  assert.deepEqual(formData(form, valid({ purpose: 'no' })), { fields: [], isValid: false });
  assert.deepEqual(formData({ ...form, governed: false }, null), { fields: [], isValid: true });
  assert.deepEqual(formData(null, null), { fields: [], isValid: true });
});

async function renderPanel(f: PortalForm) {
  const submitted: FormData[] = [];
  await act(async () => {
    render(<Panel load={() => Promise.resolve(f)} submit={async (d) => void submitted.push(d)} />);
  });
  return submitted;
}

test('the panel submits on every change and shows errors only for fields the user touched', async () => {
  cleanup();
  const submitted = await renderPanel(form);
  assert.deepEqual(submitted.at(-1), { fields: [], isValid: false }, 'the empty purpose is not valid yet');
  assert.equal(screen.queryByRole('alert'), null, 'no error before typing');
  assert.ok(screen.getByText('No customer data.'), 'the tool guidance');
  assert.ok(screen.getByText('Medium risk'));
  const purpose = screen.getByLabelText('Purpose');
  await act(async () => void fireEvent.change(purpose, { target: { value: 'short' } }));
  assert.match(screen.getByRole('alert').textContent ?? '', /at least 10 characters/);
  assert.equal(purpose.getAttribute('aria-invalid'), 'true');
  await act(async () => void fireEvent.change(purpose, { target: { value: 'Drafting release notes' } }));
  assert.equal(screen.queryByRole('alert'), null);
  assert.deepEqual(submitted.at(-1), {
    fields: [{ key: 'aigis.snapshot.v1', value: { toolId: 'claude', purpose: 'Drafting release notes', durationDays: 30 } }],
    isValid: true,
  });
  await act(async () => void fireEvent.change(screen.getByLabelText('AI tool'), { target: { value: 'copilot' } }));
  assert.equal((submitted.at(-1)?.fields[0]?.value as { durationDays: number }).durationDays, 180, 'the new tool default');
  await act(async () => void fireEvent.change(screen.getByLabelText('Duration (days)'), { target: { value: '181' } }));
  assert.equal(submitted.at(-1)?.isValid, false);
  assert.match(screen.getByRole('alert').textContent ?? '', /at most 180 days/);
  await act(async () => void fireEvent.click(screen.getByLabelText('Request a new tool')));
  await act(async () => void fireEvent.change(screen.getByLabelText('Duration (days)'), { target: { value: '20' } }));
  await act(async () => void fireEvent.change(screen.getByLabelText('Tool name'), { target: { value: 'Foo AI' } }));
  await act(async () => void fireEvent.change(screen.getByLabelText('Tool website'), { target: { value: 'https://foo.ai' } }));
  assert.deepEqual(submitted.at(-1), {
    fields: [{ key: 'aigis.snapshot.v1', value: { newTool: { name: 'Foo AI', url: 'https://foo.ai' }, purpose: 'Drafting release notes', durationDays: 20 } }],
    isValid: true,
  });
  cleanup();
});

test('outside the governed portal and request types: only the note, and a valid empty submission', async () => {
  cleanup();
  const submitted = await renderPanel({ ...form, governed: false, tools: [], note: 'Only the AI access request type asks about AI tools.' });
  assert.ok(screen.getByText('Only the AI access request type asks about AI tools.'));
  assert.equal(screen.queryByLabelText('Purpose'), null);
  assert.deepEqual(submitted, [{ fields: [], isValid: true }]);
  cleanup();
});

test('no tools and no new-tool requests: says so; a load failure reads in plain words', async () => {
  cleanup();
  await renderPanel({ ...form, tools: [], newToolAllowed: false });
  assert.ok(screen.getByText(/No AI tools can be requested yet/));
  cleanup();
  await act(async () => {
    render(<Panel load={() => Promise.reject(new Error('{"code":"unauthenticated","message":"Sign in to request access."}'))} submit={async () => undefined} />);
  });
  assert.equal(screen.getByRole('alert').textContent, 'Not signed in: Sign in to request access.');
  cleanup();
});

test('the new-tool choice is not offered when the portal does not allow it', async () => {
  cleanup();
  await renderPanel({ ...form, newToolAllowed: false });
  assert.equal(screen.queryByLabelText('Request a new tool'), null);
  cleanup();
});
