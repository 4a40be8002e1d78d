// Catalog › a tool's "Connector" section: the group of a connector whose
// membership Aigis governs for this tool. Bind an existing group by its id,
// or let Aigis create one from a name template; unbind. Groups membership
// writes cannot govern are refused by the server; the refusal is shown in
// plain words on the group field.

import Button from '@atlaskit/button/new';
import Heading from '@atlaskit/heading';
import { Inline, Stack, Text } from '@atlaskit/primitives';
import SectionMessage from '@atlaskit/section-message';
import React, { useState } from 'react';
import type { Binding, ConnectorOut, Tool } from '../../generated/api';
import { useAsync } from '../../lib/hooks';
import { formatDateTime, type FieldError } from '../../lib/labels';
import { ApiError, call } from '../global/rpc';
import { flag } from '../global/ui';
import { DEFAULT_GROUP_TEMPLATE, bindPayload, bindRefusalWords, groupNameFor, typeLabel, type BindMode } from './connector-form';
import { Drift } from './Drift';
import { SelectRow, TextRow, errorFor } from './fields';

/** The binding of `tool` among the connectors' answers, with its connector. */
export function bindingOf(connectors: readonly ConnectorOut[], tool: string): { binding: Binding; connector: ConnectorOut } | null {
  for (const c of connectors) {
    const b = c.bindings.find((x) => x.tool === tool);
    if (b) return { binding: b, connector: c };
  }
  return null;
}

function bindError(e: unknown): FieldError {
  if (!(e instanceof ApiError)) return { field: '', message: e instanceof Error ? e.message : 'Not bound.' };
  if (e.field === 'groupId') return { field: 'groupId', message: bindRefusalWords(e.message) };
  if (e.field === 'groupName') return { field: 'groupName', message: `Group name: ${e.message.replace(/^groupName: /, '')}` };
  return { field: e.field ?? '', message: e.message };
}

function Bound({ tool, bound, onChanged, timeZone }: { tool: Tool; bound: { binding: Binding; connector: ConnectorOut }; onChanged: () => void; timeZone?: string }): React.JSX.Element {
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const { binding: b, connector: c } = bound;
  const unbind = async (): Promise<void> => {
    setBusy(true);
    try {
      await call('connectors.unbind', { tool: tool.id });
      flag('success', `${tool.name} unbound`, 'New approvals are fulfilled by hand.');
      setConfirming(false);
      onChanged();
    } catch (e) {
      flag('error', 'Not unbound', e instanceof Error ? e.message : undefined);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack space="space.100">
      <Text as="p" testId="binding-summary">
        Governed by {c.connector.name} ({typeLabel(c.connector.type)}): members of the group <Text weight="bold">{b.groupName || b.groupId}</Text> (id{' '}
        <code>{b.groupId}</code>), {b.created ? 'created by Aigis' : 'an existing group'}, bound on {formatDateTime(b.boundAt, timeZone)}.
        {c.connector.enabled ? ' Approved grants are added to it and removed when they end.' : ' The connector is disabled: new approvals are fulfilled by hand.'}
      </Text>
      {confirming ? (
        <SectionMessage appearance="warning" title={`Unbind ${tool.name}?`}>
          <Stack space="space.100">
            <Text as="p">
              New approvals of {tool.name} are fulfilled by hand again. The group and its members stay as they are in the identity provider: remove people
              there yourself if they should lose access.
            </Text>
            <Inline space="space.100">
              <Button appearance="warning" onClick={() => void unbind()} isLoading={busy} testId="unbind-confirm">
                Unbind
              </Button>
              <Button appearance="subtle" onClick={() => setConfirming(false)}>
                Keep it
              </Button>
            </Inline>
          </Stack>
        </SectionMessage>
      ) : (
        <Inline>
          <Button onClick={() => setConfirming(true)} testId="unbind">
            Unbind
          </Button>
        </Inline>
      )}
      <Drift tool={tool.id} timeZone={timeZone} />
    </Stack>
  );
}

function Unbound({ tool, connectors, onChanged }: { tool: Tool; connectors: ConnectorOut[]; onChanged: () => void }): React.JSX.Element {
  const [connector, setConnector] = useState(connectors[0]?.connector.id ?? '');
  const [mode, setMode] = useState<BindMode>('existing');
  const [groupId, setGroupId] = useState('');
  const [template, setTemplate] = useState(DEFAULT_GROUP_TEMPLATE);
  const [error, setError] = useState<FieldError | null>(null);
  const [busy, setBusy] = useState(false);
  if (connectors.length === 0) return <Text as="p">No connector is set up: add one under Connectors to govern this tool’s group.</Text>;
  const bind = async (): Promise<void> => {
    const r = bindPayload(tool.id, connector, mode, groupId, template);
    if ('error' in r) return setError(r.error);
    setBusy(true);
    setError(null);
    try {
      const done = await call('connectors.bind', r.payload);
      flag('success', `${tool.name} bound`, `Group ${done.binding.groupName || done.binding.groupId}${done.binding.created ? ' was created' : ''}.`);
      onChanged();
    } catch (e) {
      setError(bindError(e));
    } finally {
      setBusy(false);
    }
  };
  const unplaced = error && !['connector', 'groupId', 'groupName'].some((k) => errorFor(error, k));
  return (
    <Stack space="space.100">
      <Text as="p">Not bound: grants of {tool.name} are fulfilled by hand. Bind it to a group and Aigis adds and removes its members.</Text>
      <SelectRow
        name="bindConnector"
        label="Connector"
        value={connector}
        options={connectors.map((c) => ({ value: c.connector.id, label: `${c.connector.name} (${typeLabel(c.connector.type)})${c.connector.enabled ? '' : ', disabled'}` }))}
        onChange={setConnector}
        error={errorFor(error, 'connector')}
      />
      <SelectRow
        name="bindMode"
        label="Group"
        value={mode}
        options={[
          { value: 'existing', label: 'An existing group' },
          { value: 'create', label: 'Create a new group' },
        ]}
        onChange={(v) => setMode(v === 'create' ? 'create' : 'existing')}
      />
      {mode === 'existing' ? (
        <TextRow
          name="bindGroupId"
          label="Group id"
          value={groupId}
          onChange={setGroupId}
          error={errorFor(error, 'groupId')}
          help="The group's id in the identity provider (Okta 00g…, Entra object id). Only ordinary groups whose members are set by hand can be governed."
        />
      ) : (
        <TextRow
          name="bindGroupName"
          label="Group name"
          value={template}
          onChange={setTemplate}
          error={errorFor(error, 'groupName')}
          help={`{tool} becomes the tool's id: "${groupNameFor(template, tool.id)}".`}
        />
      )}
      {unplaced && (
        <SectionMessage appearance="error" title="Not bound">
          <Text>{error!.message}</Text>
        </SectionMessage>
      )}
      <Inline>
        <Button appearance="primary" onClick={() => void bind()} isLoading={busy} testId="bind">
          {mode === 'create' ? 'Create group and bind' : 'Bind group'}
        </Button>
      </Inline>
    </Stack>
  );
}

/** The "Connector" section of a tool's edit view. */
export function ConnectorBinding({ tool, onChanged, timeZone }: { tool: Tool; onChanged?: () => void; timeZone?: string }): React.JSX.Element {
  const [list, reload] = useAsync(() => call('connectors.list', {}), []);
  const changed = (): void => {
    reload();
    onChanged?.();
  };
  return (
    <Stack space="space.100" testId="connector-binding">
      <Heading size="xsmall" as="h3">
        Connector
      </Heading>
      {list.state === 'loading' && <Text>Loading connectors…</Text>}
      {list.state === 'failed' && <Text color="color.text.danger">The connectors could not be loaded: {list.error instanceof Error ? list.error.message : 'try again'}.</Text>}
      {list.state === 'ready' &&
        (() => {
          const bound = bindingOf(list.value.connectors, tool.id);
          return bound ? <Bound tool={tool} bound={bound} onChanged={changed} timeZone={timeZone} /> : <Unbound tool={tool} connectors={list.value.connectors} onChanged={changed} />;
        })()}
    </Stack>
  );
}
