import Button from '@atlaskit/button/new';
import Modal, { ModalBody, ModalFooter, ModalHeader, ModalTitle, ModalTransition } from '@atlaskit/modal-dialog';
import { Inline, Stack, Text } from '@atlaskit/primitives';
import SectionMessage from '@atlaskit/section-message';
import React, { useState } from 'react';
import { IDP_PROVIDERS, RISKS, TOOL_STATUSES, days, fieldLabel, formatDateTime, riskLabel, toolInput, toolStatusLabel, type FieldError, type ToolForm } from '../../lib/labels';
import type { Builtin, ConnectorOut, Tool, ToolEvent } from '../../generated/api';
import { ConfirmModal, DialogRoom } from '../../lib/confirm/ConfirmModal';
import { retireConfirmation, seedConfirmation } from '../../lib/confirm/text';
import { DataTable, type Column } from '../../lib/table/DataTable';
import { ApiError, call } from '../global/rpc';
import { Person, Status, flag, useWantNames } from '../global/ui';
import { EMPTY_TOOL_FORM, labelled, retirePayload, seedPreview, toolFormOf, toolPatch } from './tool-form';
import { AreaRow, SelectRow, TextRow, errorFor } from './fields';
import { ConnectorBinding, bindingOf } from './ConnectorBinding';

const STATUS_OPTIONS = TOOL_STATUSES.map((s) => ({ value: s, label: toolStatusLabel(s) }));
const RISK_OPTIONS = RISKS.map((r) => ({ value: r, label: riskLabel(r) }));
const IDP_OPTIONS = [{ value: '', label: 'None' }, ...IDP_PROVIDERS.map((p) => ({ value: p, label: p === 'okta' ? 'Okta' : 'Microsoft Entra' }))];

/** How a tool's grants are fulfilled: through its connector's group, or by hand. */
function fulfilled(connectors: readonly ConnectorOut[], tool: string): string {
  const b = bindingOf(connectors, tool);
  if (!b) return 'By hand';
  return `${b.connector.connector.name}: ${b.binding.groupName || b.binding.groupId}${b.connector.connector.enabled ? '' : ' (disabled)'}`;
}

function asFieldError(e: unknown): FieldError {
  if (e instanceof ApiError) return labelled({ field: e.field ?? '', message: e.message });
  return { field: '', message: e instanceof Error ? e.message : 'Something went wrong.' };
}

/** Add or edit a tool: the whole ToolInput, checked as typed and by the server. */
function ToolModal({ tool, onClose, onSaved, timeZone }: { tool: Tool | null; onClose: () => void; onSaved: () => void; timeZone?: string }): React.JSX.Element {
  const [form, setForm] = useState<ToolForm>(tool ? toolFormOf(tool) : EMPTY_TOOL_FORM);
  const [error, setError] = useState<FieldError | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof ToolForm) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const save = async (): Promise<void> => {
    setBusy(true);
    try {
      if (tool) {
        const r = toolPatch(tool, form);
        if ('error' in r) return setError(r.error);
        if (!r.payload) {
          flag('info', 'Nothing changed');
          return onClose();
        }
        await call('catalog.update', r.payload);
        flag('success', `${form.name.trim()} saved`);
      } else {
        const r = toolInput(form);
        if ('error' in r) return setError(labelled(r.error));
        await call('catalog.add', r.payload);
        flag('success', `${r.payload.name} added`);
      }
      onSaved();
      onClose();
    } catch (e) {
      setError(asFieldError(e));
    } finally {
      setBusy(false);
    }
  };
  const row = (k: keyof ToolForm, label: string, extra: Partial<React.ComponentProps<typeof TextRow>> = {}): React.JSX.Element => (
    <TextRow name={k} label={label} value={form[k]} onChange={set(k)} error={errorFor(error, k)} {...extra} />
  );
  const unplaced = error && !['id', 'name', 'provider', 'status', 'risk', 'defaultDurationDays', 'maxDurationDays', 'guidance', 'fulfilmentNotes', 'riskRationale', 'entitlement'].some((k) => errorFor(error, k));
  return (
    <Modal onClose={onClose} width="large" testId="tool-modal">
      <ModalHeader>
        <ModalTitle>{tool ? `Edit ${tool.name}` : 'Add a tool'}</ModalTitle>
      </ModalHeader>
      <ModalBody>
        <Stack space="space.150">
          {row('id', 'Id', { isRequired: true, isDisabled: !!tool, help: 'Lower-case letters, digits, ".", "_" or "-". It cannot change later.' })}
          {row('name', 'Name', { isRequired: true })}
          {row('provider', 'Provider', { isRequired: true })}
          <SelectRow name="status" label="Status" value={form.status} options={STATUS_OPTIONS} onChange={set('status')} error={errorFor(error, 'status')} />
          <SelectRow name="risk" label="Risk" value={form.risk} options={RISK_OPTIONS} onChange={set('risk')} error={errorFor(error, 'risk')} />
          {row('defaultDurationDays', fieldLabel('defaultDurationDays') + ' (days)', { type: 'number', help: 'Blank: the risk level’s maximum.' })}
          {row('maxDurationDays', fieldLabel('maxDurationDays') + ' (days)', { type: 'number', help: 'Never more than the governance maximum for the risk.' })}
          <AreaRow name="guidance" label="Guidance for requesters" value={form.guidance} onChange={set('guidance')} error={errorFor(error, 'guidance')} />
          <AreaRow name="fulfilmentNotes" label="Fulfilment notes" value={form.fulfilmentNotes} onChange={set('fulfilmentNotes')} error={errorFor(error, 'fulfilmentNotes')} help="Shown to whoever gives access by hand." />
          <AreaRow name="riskRationale" label="Risk rationale" value={form.riskRationale} onChange={set('riskRationale')} error={errorFor(error, 'riskRationale')} />
          <SelectRow name="entitlement.provider" label="Identity service group" value={form.entitlementProvider} options={IDP_OPTIONS} onChange={set('entitlementProvider')} error={errorFor(error, 'entitlement.provider')} />
          {form.entitlementProvider && row('groupId', 'Group id')}
          {form.entitlementProvider && row('groupName', 'Group name')}
          {unplaced && (
            <SectionMessage appearance="error" title="Not saved">
              <Text>{error!.message}</Text>
            </SectionMessage>
          )}
          {tool && <ConnectorBinding tool={tool} onChanged={onSaved} timeZone={timeZone} />}
        </Stack>
      </ModalBody>
      <ModalFooter>
        <Button appearance="subtle" onClick={onClose}>
          Cancel
        </Button>
        <Button appearance="primary" onClick={() => void save()} isLoading={busy} testId="tool-save">
          {tool ? 'Save changes' : 'Add tool'}
        </Button>
      </ModalFooter>
    </Modal>
  );
}

function HistoryModal({ tool, onClose }: { tool: Tool; onClose: () => void }): React.JSX.Element {
  const wantNames = useWantNames<ToolEvent>((e) => [e.actor]);
  const columns: Column<ToolEvent>[] = [
    { key: 'at', header: 'When', cell: (e) => formatDateTime(e.at) },
    { key: 'actor', header: 'Who', cell: (e) => <Person accountId={e.actor} /> },
    { key: 'action', header: 'What', cell: (e) => e.action },
    { key: 'data', header: 'Details', cell: (e) => <code>{JSON.stringify(e.data)}</code> },
  ];
  return (
    <Modal onClose={onClose} width="x-large">
      <ModalHeader>
        <ModalTitle>History of {tool.name}</ModalTitle>
      </ModalHeader>
      <ModalBody>
        <DataTable
          caption={`Changes to ${tool.name}`}
          onRows={wantNames}
          columns={columns}
          rowId={(e) => String(e.seq)}
          load={async () => ({ items: (await call('catalog.history', { id: tool.id })).history, nextCursor: null })}
          empty="No changes recorded."
        />
      </ModalBody>
      <ModalFooter>
        <Button onClick={onClose}>Close</Button>
      </ModalFooter>
    </Modal>
  );
}

/** The catalog: add, edit, retire, history, and seeding from the built-in list with a preview. */
export function Catalog({ timeZone }: { timeZone?: string } = {}): React.JSX.Element {
  const [reload, setReload] = useState(0);
  const [editing, setEditing] = useState<Tool | 'new' | null>(null);
  const [history, setHistory] = useState<Tool | null>(null);
  const [retiring, setRetiring] = useState<Tool | null>(null);
  const [retire, setRetire] = useState({ status: 'blocked', reason: '' });
  const [seed, setSeed] = useState<{ toAdd: Builtin[]; already: number } | null>(null);
  const [tools, setTools] = useState<Tool[]>([]);
  const [connectors, setConnectors] = useState<ConnectorOut[]>([]);
  const refresh = (): void => setReload((n) => n + 1);

  const columns: Column<Tool>[] = [
    { key: 'name', header: 'Tool', cell: (t) => <Text weight="bold">{t.name}</Text>, csv: (t) => t.name },
    { key: 'id', header: 'Id', cell: (t) => <code>{t.id}</code>, csv: (t) => t.id },
    { key: 'provider', header: 'Provider', cell: (t) => t.provider, csv: (t) => t.provider },
    { key: 'status', header: 'Status', cell: (t) => <Status value={t.status} label={toolStatusLabel(t.status)} />, csv: (t) => t.status },
    { key: 'risk', header: 'Risk', cell: (t) => <Status value={t.risk} label={riskLabel(t.risk)} />, csv: (t) => t.risk },
    { key: 'max', header: 'Longest grant', cell: (t) => days(t.maxDurationDays), csv: (t) => t.maxDurationDays },
    { key: 'connector', header: 'Fulfilled', cell: (t) => fulfilled(connectors, t.id), csv: (t) => fulfilled(connectors, t.id) },
    {
      key: 'actions',
      header: 'Actions',
      cell: (t) => (
        <Inline space="space.050">
          <Button spacing="compact" onClick={() => setEditing(t)} testId={`edit-${t.id}`}>
            Edit
          </Button>
          <Button spacing="compact" onClick={() => setHistory(t)}>
            History
          </Button>
          {t.status === 'approved' && (
            <Button spacing="compact" appearance="danger" onClick={() => setRetiring(t)} testId={`retire-${t.id}`}>
              Retire
            </Button>
          )}
        </Inline>
      ),
    },
  ];
  const retireCheck = retiring ? retirePayload(retiring.id, retire.status, retire.reason) : null;
  const previewSeed = async (): Promise<void> => {
    try {
      const [{ builtins }, all] = await Promise.all([call('catalog.builtins', {}), call('catalog.list', { all: true })]);
      setSeed(seedPreview(builtins, all.tools));
    } catch (e) {
      flag('error', 'The built-in list could not be loaded', asFieldError(e).message);
    }
  };
  return (
    <Stack space="space.200">
      <Text as="p">The tools people may request, with their risk, longest grant and guidance. Retired tools stay listed with their history.</Text>
      <DataTable
        caption="Catalog"
        columns={columns}
        rowId={(t) => t.id}
        reloadKey={reload}
        onRows={setTools}
        load={async () => {
          const [list, conn] = await Promise.all([call('catalog.list', { all: true }), call('connectors.list', {}).catch(() => ({ connectors: [] }))]);
          setConnectors(conn.connectors);
          return { items: list.tools, nextCursor: null };
        }}
        empty="The catalog is empty: add a tool or start from the built-in list."
        csvName="catalog"
        toolbar={
          <>
            <Button appearance="primary" onClick={() => setEditing('new')} testId="tool-add">
              Add a tool
            </Button>
            <Button onClick={() => void previewSeed()} testId="seed-preview">
              Add built-in tools…
            </Button>
          </>
        }
        testId="catalog"
      />
      {(editing || history) && <DialogRoom />}
      <ModalTransition>
        {editing && <ToolModal tool={editing === 'new' ? null : editing} timeZone={timeZone} onClose={() => setEditing(null)} onSaved={refresh} />}
        {history && <HistoryModal tool={history} onClose={() => setHistory(null)} />}
      </ModalTransition>
      <ConfirmModal
        confirmation={retiring ? retireConfirmation(retiring.name, retire.status === 'denied' ? 'denied' : 'blocked', retire.reason) : null}
        isConfirmDisabled={!retireCheck || 'error' in retireCheck}
        onClose={() => {
          setRetiring(null);
          setRetire({ status: 'blocked', reason: '' });
        }}
        onConfirm={async () => {
          if (!retireCheck || 'error' in retireCheck) return;
          await call('catalog.retire', retireCheck.payload);
          flag('success', `${retiring!.name} retired`);
          refresh();
        }}
      >
        <SelectRow
          name="status"
          label="Retire as"
          value={retire.status}
          options={[
            { value: 'blocked', label: 'Blocked' },
            { value: 'denied', label: 'Denied' },
          ]}
          onChange={(v) => setRetire((r) => ({ ...r, status: v }))}
        />
        <AreaRow
          name="reason"
          label="Reason"
          isRequired
          value={retire.reason}
          onChange={(v) => setRetire((r) => ({ ...r, reason: v }))}
          error={retireCheck && 'error' in retireCheck && retire.reason.length > 1000 ? retireCheck.error.message : null}
        />
      </ConfirmModal>
      <ConfirmModal
        confirmation={seed ? seedConfirmation(seed.toAdd.map((b) => `${b.name} (${b.provider}, ${riskLabel(b.risk)} risk)`), seed.already) : null}
        isConfirmDisabled={!seed || seed.toAdd.length === 0}
        onClose={() => setSeed(null)}
        onConfirm={async () => {
          const r = await call('catalog.seed', {});
          flag('success', `${r.added.length} built-in tools added`);
          refresh();
        }}
      />
      <Text color="color.text.subtle">{tools.length} tools in the catalog.</Text>
    </Stack>
  );
}
