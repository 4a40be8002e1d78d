// Catalog screen logic: the form of a tool, the patch of an edit (only what
// changed), retire checks, and the seed preview.

import { fieldLabel, toolInput, type FieldError, type ToolForm } from '../../lib/labels';
import type { Builtin, RetireArgs, Tool, ToolPatch } from '../../generated/api';

export const EMPTY_TOOL_FORM: ToolForm = {
  id: '',
  name: '',
  provider: '',
  status: 'approved',
  risk: 'medium',
  defaultDurationDays: '',
  maxDurationDays: '',
  guidance: '',
  fulfilmentNotes: '',
  riskRationale: '',
  entitlementProvider: '',
  groupId: '',
  groupName: '',
};

export function toolFormOf(t: Tool): ToolForm {
  return {
    id: t.id,
    name: t.name,
    provider: t.provider,
    status: t.status,
    risk: t.risk,
    defaultDurationDays: String(t.defaultDurationDays),
    maxDurationDays: String(t.maxDurationDays),
    guidance: t.guidance,
    fulfilmentNotes: t.fulfilmentNotes,
    riskRationale: t.riskRationale,
    entitlementProvider: t.entitlement?.provider ?? '',
    groupId: t.entitlement?.groupId ?? '',
    groupName: t.entitlement?.groupName ?? '',
  };
}

/** An error as the form shows it: the field's label, then the rule. */
export function labelled(e: FieldError): FieldError {
  const label = fieldLabel(e.field);
  // The server may start its message with the field's own name (`maxDurationDays: must be ...`).
  const raw = e.field && e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field.length + 2) : e.message;
  return { field: e.field, message: raw.startsWith(label) ? raw : `${label}: ${raw}` };
}

/**
 * The `catalog.update` patch of an edit: the form checked as for an add,
 * then only the fields that differ from the tool. Null when nothing changed.
 */
export function toolPatch(t: Tool, f: ToolForm): { payload: ToolPatch | null } | { error: FieldError } {
  const checked = toolInput({ ...f, id: t.id });
  if ('error' in checked) return { error: labelled(checked.error) };
  const p = checked.payload;
  const patch: ToolPatch = { id: t.id };
  let changed = false;
  const set = <K extends keyof ToolPatch>(k: K, v: ToolPatch[K], old: unknown): void => {
    if (v !== undefined && v !== old) {
      patch[k] = v;
      changed = true;
    }
  };
  set('name', p.name, t.name);
  set('provider', p.provider, t.provider);
  set('status', p.status, t.status);
  set('risk', p.risk, t.risk);
  set('defaultDurationDays', p.defaultDurationDays ?? undefined, t.defaultDurationDays);
  set('maxDurationDays', p.maxDurationDays ?? undefined, t.maxDurationDays);
  set('guidance', p.guidance, t.guidance);
  set('fulfilmentNotes', p.fulfilmentNotes, t.fulfilmentNotes);
  set('riskRationale', p.riskRationale, t.riskRationale);
  const e = p.entitlement;
  const o = t.entitlement;
  if (e && (e.provider !== o?.provider || (e.groupId ?? null) !== (o?.groupId ?? null) || (e.groupName ?? null) !== (o?.groupName ?? null))) {
    patch.entitlement = e;
    changed = true;
  }
  return { payload: changed ? patch : null };
}

/** The `catalog.retire` payload: blocked or denied, with a reason. */
export function retirePayload(id: string, status: string, reason: string): { payload: RetireArgs } | { error: FieldError } {
  if (status !== 'blocked' && status !== 'denied') return { error: { field: 'status', message: 'Status: choose blocked or denied.' } };
  const why = reason.trim();
  if (!why) return { error: { field: 'reason', message: 'Reason: say why the tool is retired; it is kept in its history.' } };
  if (why.length > 1000) return { error: { field: 'reason', message: 'Reason: at most 1000 characters.' } };
  return { payload: { id, status, reason: why } };
}

/** Which built-in tools a seed would add (those not in the catalog by id), and how many are there already. */
export function seedPreview(builtins: readonly Builtin[], tools: readonly Pick<Tool, 'id'>[]): { toAdd: Builtin[]; already: number } {
  const have = new Set(tools.map((t) => t.id));
  const toAdd = builtins.filter((b) => !have.has(b.id));
  return { toAdd, already: builtins.length - toAdd.length };
}
