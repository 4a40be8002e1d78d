import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { fakeForge, setBridge } from './bridge';
import type { ConnectorOut, ConnectorRecord, Tool, ToolDrift } from '../../src/generated/api';
import {
  EMPTY_CONNECTOR_FORM,
  bindPayload,
  bindRefusalWords,
  connectorFormOf,
  connectorInput,
  connectorPatch,
  credentialStatus,
  deleteConnectorConfirmation,
  driftRunWords,
  driftStatusWords,
  identityPayload,
  lastTestWords,
  visibleFields,
} from '../../src/modules/admin/connector-form';
import { Connectors } from '../../src/modules/admin/Connectors';
import { ConnectorBinding } from '../../src/modules/admin/ConnectorBinding';
import { Drift } from '../../src/modules/admin/Drift';
import { NamesProvider } from '../../src/modules/global/ui';

afterEach(() => cleanup());

const AT = Date.UTC(2026, 11, 7, 12, 30);
const PEM = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----';

const KEY_BODY = 'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg';

const okta: ConnectorRecord = {
  id: 'okta',
  name: 'Okta',
  type: 'okta-group',
  enabled: true,
  enforce: false,
  orgUrl: 'https://aigis-demo.okta.com',
  auth: 'private_key_jwt',
  clientId: '0oa1',
  keyId: 'k1',
  credentialSetAt: AT,
  credentialVersion: 1,
  createdAt: AT,
  updatedAt: AT,
};
const out = (over: Partial<ConnectorOut> = {}): ConnectorOut => ({ connector: okta, credentialSet: true, tools: [], bindings: [], ...over });

test('each type and sign-in method shows its own fields; the credential is never prefilled', () => {
  assert.deepEqual(visibleFields({ type: 'okta-group', auth: 'private_key_jwt' }), ['orgUrl', 'auth', 'clientId', 'keyId', 'credential']);
  assert.deepEqual(visibleFields({ type: 'okta-group', auth: 'ssws' }), ['orgUrl', 'auth', 'credential']);
  assert.deepEqual(visibleFields({ type: 'entra-group', auth: 'ssws' }), ['tenantId', 'clientId', 'credential']);
  assert.equal(connectorFormOf(okta).credential, '');
  assert.equal(connectorFormOf(okta).clientId, '0oa1');
});

test('a new connector sends only the settings of its type, trimmed; missing ones are named by label', () => {
  const entra = { ...EMPTY_CONNECTOR_FORM, id: 'entra', name: ' Entra ', type: 'entra-group' as const, tenantId: ' t.onmicrosoft.com ', clientId: 'app', keyId: 'stale', orgUrl: 'stale', credential: ' s3cret ' };
  assert.deepEqual(connectorInput(entra), {
    payload: { id: 'entra', name: 'Entra', type: 'entra-group', tenantId: 't.onmicrosoft.com', clientId: 'app', credential: 's3cret' },
  });
  const ssws = connectorInput({ ...EMPTY_CONNECTOR_FORM, id: 'o', name: 'O', auth: 'ssws', orgUrl: 'https://x.okta.com', clientId: 'ignored', credential: 'tok' });
  assert.ok('payload' in ssws);
  assert.deepEqual(ssws.payload, { id: 'o', name: 'O', type: 'okta-group', orgUrl: 'https://x.okta.com', auth: 'ssws', credential: 'tok' });
  const noKey = connectorInput({ ...EMPTY_CONNECTOR_FORM, id: 'o', name: 'O', orgUrl: 'https://x.okta.com', clientId: 'c', keyId: 'k' });
  assert.ok('error' in noKey);
  assert.deepEqual(noKey.error, { field: 'credential', message: 'Private key (PEM): is required' });
  const badId = connectorInput({ ...EMPTY_CONNECTOR_FORM, id: 'Okta Prod' });
  assert.ok('error' in badId && badId.error.field === 'id' && /^Id: /.test(badId.error.message));
});

test('an edit sends only what changed; a blank credential keeps the stored one; a new method needs a new credential', () => {
  const f = connectorFormOf(okta);
  assert.deepEqual(connectorPatch(okta, f), { payload: null });
  assert.deepEqual(connectorPatch(okta, { ...f, name: 'Okta prod ' }), { payload: { id: 'okta', name: 'Okta prod' } });
  assert.deepEqual(connectorPatch(okta, { ...f, credential: PEM }), { payload: { id: 'okta', credential: PEM } });
  const sw = connectorPatch(okta, { ...f, auth: 'ssws' });
  assert.ok('error' in sw && sw.error.field === 'credential' && /^API token: a new one is needed/.test(sw.error.message));
  assert.deepEqual(connectorPatch(okta, { ...f, auth: 'ssws', credential: 'tok' }), { payload: { id: 'okta', auth: 'ssws', credential: 'tok' } });
  assert.deepEqual(connectorPatch(okta, { ...f, enforce: true }), { payload: { id: 'okta', enforce: true } });
  const cleared = connectorPatch(okta, { ...f, keyId: ' ' });
  assert.ok('error' in cleared && cleared.error.field === 'keyId');
});

test('credential and last test in words; delete says what happens, and refuses while tools are bound', () => {
  assert.match(credentialStatus(out(), 'UTC'), /^Set on 7 Dec 2026/);
  assert.equal(credentialStatus(out({ credentialSet: false })), 'Not set');
  assert.deepEqual(lastTestWords(out()), { ok: null, text: 'Never tested' });
  const failed = lastTestWords(out({ lastTest: { at: AT, ok: false, message: 'Okta refused the client credentials' } }), 'UTC');
  assert.equal(failed.ok, false);
  assert.match(failed.text, /^Failed on 7 Dec 2026.*: Okta refused the client credentials$/);
  const free = deleteConnectorConfirmation(out(), (id) => id);
  assert.equal(free.title, 'Delete Okta?');
  assert.ok(free.body.some((b) => /No tool is bound/.test(b)));
  assert.ok(free.body.some((b) => /Nothing changes in the identity provider/.test(b)));
  const bound = deleteConnectorConfirmation(
    out({ tools: ['claude'], bindings: [{ tool: 'claude', connector: 'okta', groupId: '00g1', groupName: 'AI - Claude', created: false, boundAt: AT }] }),
    (id) => (id === 'claude' ? 'Claude' : id),
  );
  assert.deepEqual(bound.items, ['Claude: group AI - Claude']);
  assert.match(bound.body[0]!, /Unbind this tool in the Catalog first/);
});

test('bind payloads and refusals in plain words; identity mappings are checked before sending', () => {
  assert.deepEqual(bindPayload('claude', 'okta', 'existing', ' 00g1 ', ''), { payload: { tool: 'claude', connector: 'okta', groupId: '00g1' } });
  assert.deepEqual(bindPayload('claude', 'okta', 'create', '', 'AI - {tool}'), { payload: { tool: 'claude', connector: 'okta', groupName: 'AI - {tool}' } });
  const noGroup = bindPayload('claude', 'okta', 'existing', ' ', '');
  assert.ok('error' in noGroup && noGroup.error.field === 'groupId');
  const noConn = bindPayload('claude', '', 'existing', '00g1', '');
  assert.ok('error' in noConn && noConn.error.field === 'connector');
  assert.equal(
    bindRefusalWords('groupId: cannot be governed by Aigis: the group has dynamic membership: a rule decides its members (groupTypes)'),
    'Aigis cannot manage this group’s members: the group has dynamic membership: a rule decides its members. Choose an ordinary group, or let Aigis create one.',
  );
  assert.equal(bindRefusalWords('names no group of this connector\'s provider'), 'names no group of this connector\'s provider');
  assert.deepEqual(identityPayload('okta', 'acc-1', ' 00u9 '), { payload: { connector: 'okta', account: 'acc-1', externalId: '00u9' } });
  const spaced = identityPayload('okta', 'acc-1', '00u 9');
  assert.ok('error' in spaced && spaced.error.field === 'externalId');
  const nobody = identityPayload('okta', '', '00u9');
  assert.ok('error' in nobody && nobody.error.field === 'account');
});

const tool: Tool = {
  id: 'claude', name: 'Claude', provider: 'Anthropic', status: 'approved', risk: 'medium', defaultDurationDays: 30, maxDurationDays: 90,
  guidance: '', fulfilmentNotes: '', riskRationale: '', entitlement: null, createdAt: 1, updatedAt: 2,
};

test('Connectors: creating sends the typed credential once, and the page never shows it afterwards; a server error lands on its field', async () => {
  const created: unknown[] = [];
  let list: ConnectorOut[] = [];
  setBridge(
    fakeForge({
      resolvers: {
        'connectors.list': () => ({ connectors: list }),
        'catalog.list': () => ({ tools: [tool] }),
        'connectors.create': (p) => {
          created.push(p);
          if (created.length === 1) throw { code: 'invalid', message: 'orgUrl: must be your Okta org\'s https URL on okta.com, oktapreview.com or okta-emea.com', field: 'orgUrl' };
          list = [out({ connector: { ...okta, id: p.id as string, name: p.name as string } })];
          return list[0];
        },
      },
    }),
  );
  await act(async () => {
    render(
      <NamesProvider>
        <Connectors timeZone="UTC" />
      </NamesProvider>,
    );
  });
  await screen.findByText(/No connector yet/);
  await act(async () => void fireEvent.click(screen.getByTestId('connector-add')));
  const type = (label: RegExp, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });
  await act(async () => {
    type(/^Id/, 'okta');
    type(/^Name/, 'Okta');
    type(/^Okta org URL/, 'https://evil.example');
    type(/^Client id/, '0oa1');
    type(/^Key id/, 'k1');
    type(/^Private key/, PEM);
  });
  await act(async () => void fireEvent.click(screen.getByTestId('connector-save')));
  await screen.findByText(/^Okta org URL: must be your Okta org/);
  await act(async () => type(/^Okta org URL/, 'https://aigis-demo.okta.com'));
  await act(async () => void fireEvent.click(screen.getByTestId('connector-save')));
  await waitFor(() => assert.ok(created.length === 2));
  assert.equal((created[1] as { credential: string }).credential, PEM);
  await screen.findByText(/^Set on 7 Dec 2026/);
  const values = [...document.querySelectorAll('input, textarea')].map((e) => (e as HTMLInputElement).value);
  assert.ok(!values.some((v) => v.includes(KEY_BODY)), 'no field holds the key after saving');
  assert.ok(!document.body.innerHTML.includes(KEY_BODY) && !document.body.innerHTML.includes('BEGIN PRIVATE KEY'), 'the key left the page');
  // Editing: the credential field starts blank and says it is set.
  await act(async () => void fireEvent.click(screen.getByTestId('edit-okta')));
  assert.equal((screen.getByLabelText(/^Private key/) as HTMLTextAreaElement).value, '');
  assert.ok(screen.getByText(/Leave blank to keep it/));
  cleanup();
});

test('Connectors: Test shows the plain-words result; delete with a bound tool cannot be confirmed', async () => {
  const bound = out({ tools: ['claude'], bindings: [{ tool: 'claude', connector: 'okta', groupId: '00g1', groupName: 'AI - Claude', created: false, boundAt: AT }] });
  setBridge(
    fakeForge({
      resolvers: {
        'connectors.list': () => ({ connectors: [bound] }),
        'catalog.list': () => ({ tools: [tool] }),
        'connectors.test': () => ({ ok: false, message: 'Okta refused the client credentials: check the client id and key' }),
      },
    }),
  );
  await act(async () => {
    render(
      <NamesProvider>
        <Connectors timeZone="UTC" />
      </NamesProvider>,
    );
  });
  await screen.findByTestId('test-okta');
  assert.ok(screen.getAllByText('Never tested').length > 0);
  await act(async () => void fireEvent.click(screen.getByTestId('test-okta')));
  await screen.findByText('Okta does not work');
  assert.ok(screen.getByText('Okta refused the client credentials: check the client id and key'));
  await act(async () => void fireEvent.click(screen.getByTestId('delete-okta')));
  await screen.findByText('Okta still governs 1 tool');
  assert.equal((screen.getByTestId('confirm-button') as HTMLButtonElement).disabled, true);
  cleanup();
});

test('Catalog binding: a refused group is explained on the group field; a bound tool shows its group and can be unbound', async () => {
  let bindings: ConnectorOut['bindings'] = [];
  const unbound: unknown[] = [];
  setBridge(
    fakeForge({
      resolvers: {
        'connectors.list': () => ({ connectors: [out({ bindings })] }),
        'connectors.bind': (p) => {
          if (p.groupId === '00grule')
            throw { code: 'invalid', field: 'groupId', message: 'groupId: cannot be governed by Aigis: the active group rule "Engineering" assigns this group\'s members (groupRule)' };
          bindings = [{ tool: 'claude', connector: 'okta', groupId: p.groupId as string, groupName: 'AI - Claude', created: false, boundAt: AT }];
          return { binding: bindings[0] };
        },
        'connectors.unbind': (p) => {
          unbound.push(p);
          bindings = [];
          return { tool: 'claude', unbound: true };
        },
      },
    }),
  );
  await act(async () => void render(<ConnectorBinding tool={tool} timeZone="UTC" />));
  await screen.findByText(/Not bound/);
  await act(async () => void fireEvent.change(screen.getByLabelText(/^Group id/), { target: { value: '00grule' } }));
  await act(async () => void fireEvent.click(screen.getByTestId('bind')));
  await screen.findByText(/^Aigis cannot manage this group’s members: the active group rule "Engineering" assigns/);
  await act(async () => void fireEvent.change(screen.getByLabelText(/^Group id/), { target: { value: '00g1' } }));
  await act(async () => void fireEvent.click(screen.getByTestId('bind')));
  const summary = await screen.findByTestId('binding-summary');
  assert.match(summary.textContent ?? '', /AI - Claude \(id 00g1\), an existing group/);
  await act(async () => void fireEvent.click(screen.getByTestId('unbind')));
  await act(async () => void fireEvent.click(screen.getByTestId('unbind-confirm')));
  await screen.findByText(/Not bound/);
  assert.deepEqual(unbound, [{ tool: 'claude' }]);
  cleanup();
});

const drift = (over: Partial<ToolDrift> = {}): ToolDrift => ({ tool: 'claude', connector: 'okta', groupId: '00g1', groupName: 'AI - Claude', enforce: false, findings: [], ...over });

test('drift status and runs in words: an incomplete run reports nothing and says why', () => {
  assert.equal(driftStatusWords(drift()).state, 'never');
  const done = driftStatusWords(drift({ status: { tool: 'claude', connector: 'okta', groupId: '00g1', lastRunAt: AT, lastCompleteAt: AT, complete: true, pages: 3, members: 250, resumes: false } }), 'UTC');
  assert.equal(done.state, 'complete');
  assert.match(done.text, /complete, 250 members on 3 pages read and compared/);
  const cut = driftStatusWords(
    drift({ status: { tool: 'claude', connector: 'okta', groupId: '00g1', lastRunAt: AT, complete: false, reason: 'page 2 failed: Okta answered 500', pages: 1, members: 200, resumes: false } }),
    'UTC',
  );
  assert.equal(cut.state, 'incomplete');
  assert.match(cut.text, /nothing is reported as drift and nothing is removed\. page 2 failed: Okta answered 500\. No run has been complete yet\./);
  assert.equal(driftRunWords({ tool: 'claude', complete: true, pagesRead: 2, found: 1, resolved: 0, fixesQueued: 0, skipped: false }), 'Complete: 1 new difference, 0 resolved.');
  assert.match(driftRunWords({ tool: 'claude', complete: false, pagesRead: 1, found: 0, resolved: 0, fixesQueued: 0, skipped: false }), /could not finish/);
  assert.match(driftRunWords({ tool: 'claude', complete: true, pagesRead: 1, found: 0, resolved: 0, fixesQueued: 0, skipped: true }), /^Not checked/);
});

test('Drift: each difference with who and its history; Check now runs a check and shows what it did', async () => {
  let findings: ToolDrift['findings'] = [];
  const checks: unknown[] = [];
  const status = { tool: 'claude', connector: 'okta', groupId: '00g1', lastRunAt: AT, lastCompleteAt: AT, complete: true, pages: 1, members: 2, resumes: false };
  setBridge(
    fakeForge({
      resolvers: {
        'connectors.drift': () => ({ tools: [drift({ status, findings })] }),
        'directory.users': (p) => ({ users: (p.accountIds as string[]).map((accountId) => ({ accountId, known: true, active: true, displayName: 'Rita Requester' })) }),
        'connectors.checkDrift': (p) => {
          checks.push(p);
          findings = [
            { id: 'claude:extra:00u7', tool: 'claude', connector: 'okta', groupId: '00g1', kind: 'extra', member: '00u7', account: 'rita', status: 'open', firstSeenAt: AT, lastSeenAt: AT, history: [{ at: AT, change: 'found' }] },
          ];
          return { run: { tool: 'claude', complete: true, pagesRead: 1, found: 1, resolved: 0, fixesQueued: 0, skipped: false }, drift: drift({ status, findings }) };
        },
      },
    }),
  );
  await act(async () => {
    render(
      <NamesProvider>
        <Drift tool="claude" timeZone="UTC" />
      </NamesProvider>,
    );
  });
  await screen.findByText('In step');
  await act(async () => void fireEvent.click(screen.getByTestId('drift-check')));
  await screen.findByText('Complete: 1 new difference, 0 resolved.');
  await screen.findByText('1 open difference');
  assert.ok(screen.getByText('In the group without a grant'));
  assert.match(screen.getByLabelText(/^History of In the group without a grant/).textContent ?? '', /7 Dec 2026.*found/);
  await waitFor(() => assert.ok(screen.queryAllByText('Rita Requester').length > 0));
  assert.deepEqual(checks, [{ tool: 'claude' }]);
});
