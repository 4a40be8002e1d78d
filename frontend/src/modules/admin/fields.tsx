// Labelled form controls of the admin screens: each shows its label and,
// when the last check or the server named it, the error in plain words.

import { Stack, Text } from '@atlaskit/primitives';
import Select from '@atlaskit/select';
import TextArea from '@atlaskit/textarea';
import TextField from '@atlaskit/textfield';
import React from 'react';

export interface FieldProps {
  name: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  /** The error message when this field is at fault. */
  error?: string | null;
  help?: string;
  isRequired?: boolean;
  isDisabled?: boolean;
}

function Label({ id, label, isRequired }: { id: string; label: string; isRequired?: boolean }): React.JSX.Element {
  return (
    <label htmlFor={id}>
      <Text weight="medium">
        {label}
        {isRequired ? ' (required)' : ''}
      </Text>
    </label>
  );
}

function Foot({ id, error, help }: { id: string; error?: string | null; help?: string }): React.JSX.Element | null {
  if (error)
    return (
      <Text id={`${id}-error`} color="color.text.danger" size="small">
        {error}
      </Text>
    );
  if (help)
    return (
      <Text id={`${id}-help`} color="color.text.subtle" size="small">
        {help}
      </Text>
    );
  return null;
}

export function TextRow(p: FieldProps & { type?: 'text' | 'number' | 'datetime-local' | 'date' | 'url' | 'password'; placeholder?: string }): React.JSX.Element {
  const id = `f-${p.name}`;
  return (
    <Stack space="space.050">
      <Label id={id} label={p.label} isRequired={p.isRequired} />
      <TextField
        id={id}
        name={p.name}
        type={p.type ?? 'text'}
        value={p.value}
        placeholder={p.placeholder}
        autoComplete={p.type === 'password' ? 'new-password' : undefined}
        isInvalid={!!p.error}
        isDisabled={p.isDisabled}
        aria-describedby={p.error ? `${id}-error` : p.help ? `${id}-help` : undefined}
        onChange={(e) => p.onChange((e.target as HTMLInputElement).value)}
      />
      <Foot id={id} error={p.error} help={p.help} />
    </Stack>
  );
}

export function AreaRow(p: FieldProps & { placeholder?: string; spellCheck?: boolean }): React.JSX.Element {
  const id = `f-${p.name}`;
  return (
    <Stack space="space.050">
      <Label id={id} label={p.label} isRequired={p.isRequired} />
      <TextArea
        id={id}
        name={p.name}
        value={p.value}
        placeholder={p.placeholder}
        spellCheck={p.spellCheck}
        isInvalid={!!p.error}
        isDisabled={p.isDisabled}
        aria-describedby={p.error ? `${id}-error` : p.help ? `${id}-help` : undefined}
        onChange={(e) => p.onChange(e.currentTarget.value)}
      />
      <Foot id={id} error={p.error} help={p.help} />
    </Stack>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function SelectRow(p: FieldProps & { options: readonly Option[] }): React.JSX.Element {
  const id = `f-${p.name}`;
  const current = p.options.find((o) => o.value === p.value) ?? null;
  return (
    <Stack space="space.050">
      <Label id={id} label={p.label} isRequired={p.isRequired} />
      <Select<Option>
        inputId={id}
        name={p.name}
        options={[...p.options]}
        value={current}
        isInvalid={!!p.error}
        isDisabled={p.isDisabled}
        onChange={(o) => p.onChange(o?.value ?? '')}
      />
      <Foot id={id} error={p.error} help={p.help} />
    </Stack>
  );
}

/** The error for `name` when `error` names it (or an item or part of it). */
export function errorFor(error: { field: string; message: string } | null, name: string): string | null {
  if (!error) return null;
  return error.field === name || error.field.startsWith(`${name}.`) || error.field.startsWith(`${name}[`) ? error.message : null;
}
