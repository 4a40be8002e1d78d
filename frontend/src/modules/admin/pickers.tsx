// Pickers of the intake form over the directory resolvers: projects,
// portals, request types and project roles from lists; groups and people
// searched as the admin types. Values stay the ids the intake stores.

import { Stack, Text } from '@atlaskit/primitives';
import Select, { AsyncSelect } from '@atlaskit/select';
import React, { useEffect, useState } from 'react';
import { parseList } from '../../lib/labels';
import { call } from '../global/rpc';
import { useNameOf } from '../global/ui';
import type { Option } from './fields';

interface PickerProps {
  name: string;
  label: string;
  error?: string | null;
  help?: string;
}

function Frame({ name, label, error, help, children }: PickerProps & { children: React.ReactNode }): React.JSX.Element {
  return (
    <Stack space="space.050">
      <label htmlFor={`f-${name}`}>
        <Text weight="medium">{label}</Text>
      </label>
      {children}
      {error ? (
        <Text color="color.text.danger" size="small">
          {error}
        </Text>
      ) : help ? (
        <Text color="color.text.subtle" size="small">
          {help}
        </Text>
      ) : null}
    </Stack>
  );
}

/** Options loaded once from a directory list; while it fails the current value still shows. */
function useOptions(load: () => Promise<Option[]>, deps: unknown[]): { options: Option[]; failed: boolean } {
  const [options, setOptions] = useState<Option[]>([]);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    load().then(
      (o) => live && (setOptions(o), setFailed(false)),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return { options, failed };
}

function withCurrent(options: Option[], values: string[]): Option[] {
  const known = new Set(options.map((o) => o.value));
  return [...options, ...values.filter((v) => v && !known.has(v)).map((v) => ({ value: v, label: v }))];
}

/** One value from a list. */
function ListPicker(p: PickerProps & { value: string; onChange: (v: string) => void; options: Option[]; failed: boolean; clearable?: boolean }): React.JSX.Element {
  const options = withCurrent(p.options, [p.value]);
  return (
    <Frame {...p} help={p.failed ? 'The list could not be loaded; the saved value is kept.' : p.help}>
      <Select<Option>
        inputId={`f-${p.name}`}
        name={p.name}
        options={options}
        value={options.find((o) => o.value === p.value) ?? null}
        isClearable={p.clearable}
        isInvalid={!!p.error}
        onChange={(o) => p.onChange(o?.value ?? '')}
      />
    </Frame>
  );
}

export function ProjectPicker(p: PickerProps & { value: string; onChange: (v: string) => void }): React.JSX.Element {
  const o = useOptions(async () => (await call('directory.projects', {})).projects.map((x) => ({ value: x.key, label: `${x.name} (${x.key})` })), []);
  return <ListPicker {...p} {...o} />;
}

export function PortalPicker(p: PickerProps & { value: string; onChange: (v: string) => void; projectKey: string }): React.JSX.Element {
  const o = useOptions(
    async () =>
      (await call('directory.portals', {})).portals
        .filter((x) => !p.projectKey || x.projectKey === p.projectKey)
        .map((x) => ({ value: x.id, label: `${x.projectName} portal (${x.id})` })),
    [p.projectKey],
  );
  return <ListPicker {...p} {...o} clearable />;
}

export function RolePicker(p: PickerProps & { value: string; onChange: (v: string) => void; projectKey: string }): React.JSX.Element {
  const o = useOptions(
    async () => (/^[A-Z][A-Z0-9]{0,9}$/.test(p.projectKey) ? (await call('directory.roles', { projectKey: p.projectKey })).roles.map((r) => ({ value: r.id, label: `${r.name} (${r.id})` })) : []),
    [p.projectKey],
  );
  return <ListPicker {...p} {...o} />;
}

/** Several values as the form's comma-separated text. */
function MultiList(p: PickerProps & { value: string; onChange: (v: string) => void; options: Option[]; failed: boolean }): React.JSX.Element {
  const values = parseList(p.value);
  const options = withCurrent(p.options, values);
  return (
    <Frame {...p} help={p.failed ? 'The list could not be loaded; the saved values are kept.' : p.help}>
      <Select<Option, true>
        inputId={`f-${p.name}`}
        name={p.name}
        isMulti
        options={options}
        value={options.filter((o) => values.includes(o.value))}
        isInvalid={!!p.error}
        onChange={(v) => p.onChange(v.map((o) => o.value).join(', '))}
      />
    </Frame>
  );
}

export function RequestTypesPicker(p: PickerProps & { value: string; onChange: (v: string) => void; portalId: string }): React.JSX.Element {
  const o = useOptions(
    async () => (/^\d{1,18}$/.test(p.portalId) ? (await call('directory.requestTypes', { portalId: p.portalId })).requestTypes.map((r) => ({ value: r.id, label: `${r.name} (${r.id})` })) : []),
    [p.portalId],
  );
  return <MultiList {...p} {...o} />;
}

/** Groups searched by name; the form keeps group names. */
export function GroupsPicker(p: PickerProps & { value: string; onChange: (v: string) => void; isMulti?: boolean }): React.JSX.Element {
  const values = parseList(p.value);
  const load = async (query: string): Promise<Option[]> => (await call('directory.groups', { query })).groups.map((g) => ({ value: g.name, label: g.name }));
  const current = values.map((v) => ({ value: v, label: v }));
  return (
    <Frame {...p}>
      {p.isMulti === false ? (
        <AsyncSelect<Option>
          inputId={`f-${p.name}`}
          name={p.name}
          defaultOptions
          cacheOptions
          isClearable
          loadOptions={load}
          value={current[0] ?? null}
          isInvalid={!!p.error}
          onChange={(o) => p.onChange(o?.value ?? '')}
        />
      ) : (
        <AsyncSelect<Option, true>
          inputId={`f-${p.name}`}
          name={p.name}
          isMulti
          defaultOptions
          cacheOptions
          loadOptions={load}
          value={current}
          isInvalid={!!p.error}
          onChange={(v) => p.onChange(v.map((o) => o.value).join(', '))}
        />
      )}
    </Frame>
  );
}

/** People searched by name or email; the form keeps account ids, shown by display name. */
export function UsersPicker(p: PickerProps & { value: string; onChange: (v: string) => void; isMulti?: boolean }): React.JSX.Element {
  const nameOf = useNameOf();
  const values = parseList(p.value);
  const load = async (query: string): Promise<Option[]> =>
    query.trim() ? (await call('directory.searchUsers', { query: query.trim() })).users.map((u) => ({ value: u.accountId, label: u.displayName ?? u.accountId })) : [];
  const current = values.map((v) => ({ value: v, label: nameOf(v) }));
  return (
    <Frame {...p}>
      {p.isMulti === false ? (
        <AsyncSelect<Option>
          inputId={`f-${p.name}`}
          name={p.name}
          cacheOptions
          isClearable
          loadOptions={load}
          placeholder="Type a name or email"
          value={current[0] ?? null}
          isInvalid={!!p.error}
          onChange={(o) => p.onChange(o?.value ?? '')}
        />
      ) : (
        <AsyncSelect<Option, true>
          inputId={`f-${p.name}`}
          name={p.name}
          isMulti
          cacheOptions
          loadOptions={load}
          placeholder="Type a name or email"
          value={current}
          isInvalid={!!p.error}
          onChange={(v) => p.onChange(v.map((o) => o.value).join(', '))}
        />
      )}
    </Frame>
  );
}
