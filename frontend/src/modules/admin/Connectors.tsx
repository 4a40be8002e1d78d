// Admin › Connectors: the Okta and Entra connectors (list, create and edit
// with a write-only credential, test, enable and disable, delete behind a
// confirmation), and per connector its identity mappings.

import Button from '@atlaskit/button/new';
import Lozenge from '@atlaskit/lozenge';
import Modal, { ModalBody, ModalFooter, ModalHeader, ModalTitle, ModalTransition } from '@atlaskit/modal-dialog';
import { Inline, Stack, Text } from '@atlaskit/primitives';
import SectionMessage from '@atlaskit/section-message';
import React, { useState } from 'react';
import type { ConnectorOut, ConnectorType, OktaAuth } from '../../generated/api';
import { ConfirmModal, DialogRoom } from '../../lib/confirm/ConfirmModal';
import type { FieldError } from '../../lib/labels';
import { DataTable, type Column } from '../../lib/table/DataTable';
import { ApiError, call } from '../global/rpc';
import { flag, useToolNames } from '../global/ui';
import {
  CONNECTOR_TYPES,
  EMPTY_CONNECTOR_FORM,
  ENFORCE_OPTIONS,
  OKTA_AUTHS,
  connectorError,
  connectorFormOf,
  connectorInput,
  connectorLabels,
  connectorPatch,
  credentialHelp,
  credentialLabel,
  credentialStatus,
  deleteConnectorConfirmation,
  lastTestWords,
  typeLabel,
  visibleFields,
  whereLabel,
  type ConnectorForm,
  type TextField,
} from './connector-form';
import { AreaRow, SelectRow, TextRow, errorFor } from './fields';
import { Identities } from './Identities';

function asFieldError(e: unknown, f: Pick<ConnectorForm, 'type' | 'auth'>): FieldError {
  if (e instanceof ApiError) return connectorError({ field: e.field ?? '', message: e.message }, f);
  return { field: '', message: e instanceof Error ? e.message : 'Something went wrong.' };
}

const HELP: Partial<Record<keyof ConnectorForm, string>> = {
  orgUrl: 'Your Okta org, e.g. https://example.okta.com (okta.com, oktapreview.com or okta-emea.com).',
  auth: 'A service app with scopes okta.groups.manage and okta.users.read (DPoP is used when the app requires it).',
  keyId: 'The kid of the public key registered on the service app.',
  tenantId: 'The directory (tenant) id, or a verified domain. The app needs GroupMember.ReadWrite.All and User.Read.All.',
};

/** Create or edit a connector. The credential is never prefilled: blank keeps the stored one. */
function ConnectorModal({ current, onClose, onSaved, timeZone }: { current: ConnectorOut | null; onClose: () => void; onSaved: () => void; timeZone?: string }): React.JSX.Element {
  const [form, setForm] = useState<ConnectorForm>(current ? connectorFormOf(current.connector) : EMPTY_CONNECTOR_FORM);
  const [error, setError] = useState<FieldError | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof ConnectorForm) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const labels = connectorLabels(form);
  const save = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      if (current) {
        const r = connectorPatch(current.connector, form);
        if ('error' in r) return setError(r.error);
        if (!r.payload) {
          flag('info', 'Nothing changed');
          return onClose();
        }
        await call('connectors.update', r.payload);
        flag('success', `${form.name.trim()} saved`);
      } else {
        const r = connectorInput(form);
        if ('error' in r) return setError(r.error);
        await call('connectors.create', r.payload);
        flag('success', `${r.payload.name} added`, 'Test it to check the credential and the permissions.');
      }
      // The secret leaves the page as soon as it is stored.
      setForm((f) => ({ ...f, credential: '' }));
      onSaved();
      onClose();
    } catch (e) {
      setError(asFieldError(e, form));
    } finally {
      setBusy(false);
    }
  };
  const fields = visibleFields(form);
  const placed = ['id', 'name', 'type', 'enforce', ...fields];
  const unplaced = error && !placed.some((k) => errorFor(error, k));
  const text = (k: TextField, extra: Partial<React.ComponentProps<typeof TextRow>> = {}): React.JSX.Element => (
    <TextRow key={k} name={k} label={labels[k] ?? k} value={form[k]} onChange={set(k)} error={errorFor(error, k)} help={HELP[k]} isRequired {...extra} />
  );
  const credentialRow = (): React.JSX.Element => {
    const help = credentialHelp(current, timeZone);
    const common = { name: 'credential', label: credentialLabel(form), value: form.credential, onChange: set('credential'), error: errorFor(error, 'credential'), help, isRequired: !current };
    return form.type === 'okta-group' && form.auth === 'private_key_jwt' ? (
      <AreaRow key="credential" {...common} spellCheck={false} placeholder={current ? 'Leave blank to keep the stored key' : 'Paste the PEM private key of the service app'} />
    ) : (
      <TextRow key="credential" {...common} type="password" placeholder={current ? 'Leave blank to keep it' : undefined} />
    );
  };
  return (
    <Modal onClose={onClose} width="large" testId="connector-modal">
      <ModalHeader>
        <ModalTitle>{current ? `Edit ${current.connector.name}` : 'Add a connector'}</ModalTitle>
      </ModalHeader>
      <ModalBody>
        <Stack space="space.150">
          {text('id', { isDisabled: !!current, help: 'Lower-case letters, digits or "-". It cannot change later.' })}
          {text('name')}
          <SelectRow
            name="type"
            label="Type"
            value={form.type}
            options={CONNECTOR_TYPES}
            isDisabled={!!current}
            onChange={(v) => setForm((f) => ({ ...f, type: v as ConnectorType, credential: '' }))}
            error={errorFor(error, 'type')}
            help={current ? 'The type cannot change.' : undefined}
          />
          {fields.map((k) => {
            if (k === 'credential') return credentialRow();
            if (k === 'auth')
              return (
                <SelectRow
                  key="auth"
                  name="auth"
                  label={labels.auth!}
                  value={form.auth}
                  options={OKTA_AUTHS}
                  onChange={(v) => setForm((f) => ({ ...f, auth: v as OktaAuth }))}
                  error={errorFor(error, 'auth')}
                  help={HELP.auth}
                />
              );
            return text(k, k === 'orgUrl' ? { type: 'url' } : {});
          })}
          <SelectRow
            name="enforce"
            label="When drift is found"
            value={form.enforce ? 'enforce' : 'report'}
            options={ENFORCE_OPTIONS}
            onChange={(v) => setForm((f) => ({ ...f, enforce: v === 'enforce' }))}
            error={errorFor(error, 'enforce')}
            help="Drift: people in a tool's group without a grant, or with a grant but not in the group. Nothing is changed unless you choose to fix."
          />
          {unplaced && (
            <SectionMessage appearance="error" title="Not saved">
              <Text>{error!.message}</Text>
            </SectionMessage>
          )}
        </Stack>
      </ModalBody>
      <ModalFooter>
        <Button appearance="subtle" onClick={onClose}>
          Cancel
        </Button>
        <Button appearance="primary" onClick={() => void save()} isLoading={busy} testId="connector-save">
          {current ? 'Save changes' : 'Add connector'}
        </Button>
      </ModalFooter>
    </Modal>
  );
}

/** Admin › Connectors. */
export function Connectors({ timeZone }: { timeZone?: string }): React.JSX.Element {
  const [reload, setReload] = useState(0);
  const [editing, setEditing] = useState<ConnectorOut | 'new' | null>(null);
  const [deleting, setDeleting] = useState<ConnectorOut | null>(null);
  const [testing, setTesting] = useState<string | null>(null);
  const [tested, setTested] = useState<{ name: string; ok: boolean; message: string } | null>(null);
  const [rows, setRows] = useState<ConnectorOut[]>([]);
  const [mapping, setMapping] = useState<string>('');
  const toolName = useToolNames(true);
  const refresh = (): void => setReload((n) => n + 1);

  const test = async (c: ConnectorOut): Promise<void> => {
    setTesting(c.connector.id);
    try {
      const r = await call('connectors.test', { id: c.connector.id });
      setTested({ name: c.connector.name, ok: r.ok, message: r.message });
    } catch (e) {
      setTested({ name: c.connector.name, ok: false, message: e instanceof Error ? e.message : 'The test could not run.' });
    } finally {
      setTesting(null);
      refresh();
    }
  };
  const toggle = async (c: ConnectorOut): Promise<void> => {
    try {
      if (c.connector.enabled) {
        await call('connectors.disable', { id: c.connector.id });
        flag('success', `${c.connector.name} disabled`, 'New approvals of its tools are fulfilled by hand.');
      } else {
        await call('connectors.enable', { id: c.connector.id });
        flag('success', `${c.connector.name} enabled`, 'New approvals of its tools are provisioned through it.');
      }
      refresh();
    } catch (e) {
      flag('error', 'Not changed', e instanceof Error ? e.message : undefined);
    }
  };

  const columns: Column<ConnectorOut>[] = [
    {
      key: 'name',
      header: 'Connector',
      cell: (c) => (
        <Stack space="space.025">
          <Text weight="bold">{c.connector.name}</Text>
          <code>{c.connector.id}</code>
        </Stack>
      ),
    },
    { key: 'type', header: 'Type', cell: (c) => typeLabel(c.connector.type) },
    { key: 'where', header: 'Org or tenant', cell: (c) => whereLabel(c.connector) },
    {
      key: 'state',
      header: 'State',
      cell: (c) => (
        <Stack space="space.025">
          {c.connector.enabled ? <Lozenge appearance="success">Enabled</Lozenge> : <Lozenge>Disabled</Lozenge>}
          <Text size="small" color="color.text.subtle">
            {c.connector.enforce ? 'Fixes drift' : 'Reports drift'}
          </Text>
        </Stack>
      ),
    },
    { key: 'credential', header: 'Credential', cell: (c) => credentialStatus(c, timeZone) },
    {
      key: 'test',
      header: 'Last test',
      cell: (c) => {
        const t = lastTestWords(c, timeZone);
        return (
          <Stack space="space.025">
            {t.ok === null ? <Lozenge>Not tested</Lozenge> : t.ok ? <Lozenge appearance="success">Worked</Lozenge> : <Lozenge appearance="removed">Failed</Lozenge>}
            <Text size="small" color="color.text.subtle">
              {t.text}
            </Text>
          </Stack>
        );
      },
    },
    { key: 'tools', header: 'Tools', cell: (c) => (c.bindings.length ? c.bindings.map((b) => toolName(b.tool)).join(', ') : 'None bound') },
    {
      key: 'actions',
      header: 'Actions',
      cell: (c) => (
        <Inline space="space.050" shouldWrap>
          <Button spacing="compact" onClick={() => void test(c)} isLoading={testing === c.connector.id} testId={`test-${c.connector.id}`}>
            Test
          </Button>
          <Button spacing="compact" onClick={() => setEditing(c)} testId={`edit-${c.connector.id}`}>
            Edit
          </Button>
          <Button spacing="compact" onClick={() => void toggle(c)} testId={`toggle-${c.connector.id}`}>
            {c.connector.enabled ? 'Disable' : 'Enable'}
          </Button>
          <Button spacing="compact" onClick={() => setMapping(c.connector.id)} testId={`identities-${c.connector.id}`}>
            Identities
          </Button>
          <Button spacing="compact" appearance="danger" onClick={() => setDeleting(c)} testId={`delete-${c.connector.id}`}>
            Delete
          </Button>
        </Inline>
      ),
    },
  ];
  const mapped = rows.find((r) => r.connector.id === mapping) ?? null;
  return (
    <Stack space="space.200">
      <Text as="p">
        A connector lets Aigis add people to, and remove them from, the group of a tool in Okta or Microsoft Entra ID when access is granted and when it
        ends. Tools without a connector are fulfilled by hand from Manual tasks. Bind a tool to a group in the Catalog.
      </Text>
      {tested && (
        <SectionMessage appearance={tested.ok ? 'success' : 'error'} title={tested.ok ? `${tested.name} works` : `${tested.name} does not work`} testId="test-result">
          <Text as="p">{tested.message}</Text>
        </SectionMessage>
      )}
      <DataTable
        caption="Connectors"
        columns={columns}
        rowId={(c) => c.connector.id}
        reloadKey={reload}
        onRows={setRows}
        load={async () => ({ items: (await call('connectors.list', {})).connectors, nextCursor: null })}
        empty="No connector yet: every grant is fulfilled by hand. Add an Okta or Entra connector to provision groups."
        toolbar={
          <Button appearance="primary" onClick={() => setEditing('new')} testId="connector-add">
            Add a connector
          </Button>
        }
        testId="connectors"
      />
      {mapped && <Identities connector={mapped} timeZone={timeZone} onClose={() => setMapping('')} />}
      {editing && <DialogRoom />}
      <ModalTransition>
        {editing && <ConnectorModal current={editing === 'new' ? null : editing} timeZone={timeZone} onClose={() => setEditing(null)} onSaved={refresh} />}
      </ModalTransition>
      <ConfirmModal
        confirmation={deleting ? deleteConnectorConfirmation(deleting, toolName) : null}
        isConfirmDisabled={!!deleting && deleting.bindings.length > 0}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          const d = deleting!;
          await call('connectors.delete', { id: d.connector.id });
          flag('success', `${d.connector.name} deleted`);
          if (mapping === d.connector.id) setMapping('');
          refresh();
        }}
      />
    </Stack>
  );
}
