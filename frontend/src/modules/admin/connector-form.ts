// Connectors screen logic, apart from React: the form of a connector and
// the payloads it sends (`connectors.create`, the `connectors.update` patch
// of only what changed), the write-only credential (never prefilled; blank
// keeps the stored one), how a connector's state, last test and refusals
// are said, what deleting does, and the bind / identity payloads.

import type { Confirmation } from '../../lib/confirm/text';
import { plural } from '../../lib/confirm/text';
import type { BindArgs, ConnectorInput, ConnectorOut, ConnectorPatch, ConnectorRecord, ConnectorType, DriftKind, DriftRun, FindingStep, IdentitySetArgs, OktaAuth, ToolDrift } from '../../generated/api';
import type { FieldError } from '../../lib/labels';
import { formatDateTime } from '../../lib/labels';

export interface ConnectorForm {
  id: string;
  name: string;
  type: ConnectorType;
  orgUrl: string;
  auth: OktaAuth;
  clientId: string;
  keyId: string;
  tenantId: string;
  /** Write-only: always starts blank. */
  credential: string;
  /** Fix drift through tasks, or only report it. */
  enforce: boolean;
}

export const CONNECTOR_TYPES: readonly { value: ConnectorType; label: string }[] = [
  { value: 'okta-group', label: 'Okta groups' },
  { value: 'entra-group', label: 'Microsoft Entra ID groups' },
];

export const OKTA_AUTHS: readonly { value: OktaAuth; label: string }[] = [
  { value: 'private_key_jwt', label: 'OAuth service app (private key JWT)' },
  { value: 'ssws', label: 'API token (SSWS, legacy)' },
];

export function typeLabel(t: ConnectorType): string {
  return CONNECTOR_TYPES.find((x) => x.value === t)?.label ?? t;
}

/** The provider a connector type governs groups of (the catalog's entitlement provider). */
export function providerOf(t: ConnectorType): 'okta' | 'entra' {
  return t === 'okta-group' ? 'okta' : 'entra';
}

export const EMPTY_CONNECTOR_FORM: ConnectorForm = {
  id: '',
  name: '',
  type: 'okta-group',
  orgUrl: '',
  auth: 'private_key_jwt',
  clientId: '',
  keyId: '',
  tenantId: '',
  credential: '',
  enforce: false,
};

/** The form of a stored connector: its settings; the credential blank (it is never answered). */
export function connectorFormOf(r: ConnectorRecord): ConnectorForm {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    orgUrl: r.orgUrl ?? '',
    auth: r.auth ?? 'private_key_jwt',
    clientId: r.clientId ?? '',
    keyId: r.keyId ?? '',
    tenantId: r.tenantId ?? '',
    credential: '',
    enforce: r.enforce,
  };
}

/** The labels of the connector form's fields (server errors name these fields). */
export function connectorLabels(f: Pick<ConnectorForm, 'type' | 'auth'>): Record<string, string> {
  return {
    id: 'Id',
    name: 'Name',
    type: 'Type',
    orgUrl: 'Okta org URL',
    auth: 'Sign-in method',
    clientId: f.type === 'okta-group' ? 'Client id' : 'Application (client) id',
    keyId: 'Key id (kid)',
    tenantId: 'Directory (tenant) id',
    credential: credentialLabel(f),
  };
}

/** What the write-only credential is, by type and sign-in method. */
export function credentialLabel(f: Pick<ConnectorForm, 'type' | 'auth'>): string {
  if (f.type === 'entra-group') return 'Client secret';
  return f.auth === 'ssws' ? 'API token' : 'Private key (PEM)';
}

/** The text settings of the form (what `required` can check). */
export type TextField = 'id' | 'name' | 'orgUrl' | 'clientId' | 'keyId' | 'tenantId' | 'credential';

/** The fields a connector of the form's type and method shows, in order. */
export function visibleFields(f: Pick<ConnectorForm, 'type' | 'auth'>): (TextField | 'auth')[] {
  if (f.type === 'entra-group') return ['tenantId', 'clientId', 'credential'];
  return f.auth === 'ssws' ? ['orgUrl', 'auth', 'credential'] : ['orgUrl', 'auth', 'clientId', 'keyId', 'credential'];
}

/** An error in the form's words: the field's label, then the rule (the server may prefix its own field name). */
export function connectorError(e: FieldError, f: Pick<ConnectorForm, 'type' | 'auth'>): FieldError {
  const label = connectorLabels(f)[e.field];
  if (!label) return e;
  const raw = e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field.length + 2) : e.message;
  return { field: e.field, message: raw.startsWith(label) ? raw : `${label}: ${raw}` };
}

/** Whether drift is fixed or only reported, in words. */
export const ENFORCE_OPTIONS = [
  { value: 'report', label: 'Report differences only' },
  { value: 'enforce', label: 'Fix differences through tasks (audited)' },
];

const ID_RULE = /^[a-z0-9][a-z0-9-]{0,63}$/;

function required(f: ConnectorForm, field: TextField): FieldError | null {
  return f[field].trim() ? null : connectorError({ field, message: 'is required' }, f);
}

/** The `connectors.create` payload, or the first field at fault. */
export function connectorInput(f: ConnectorForm): { payload: ConnectorInput } | { error: FieldError } {
  const id = f.id.trim();
  if (!ID_RULE.test(id)) return { error: connectorError({ field: 'id', message: 'use 1 to 64 lower-case letters, digits or "-", not starting with "-"' }, f) };
  const nameErr = required(f, 'name');
  if (nameErr) return { error: nameErr };
  for (const field of visibleFields(f)) {
    if (field === 'auth') continue;
    const err = required(f, field);
    if (err) return { error: err };
  }
  const payload: ConnectorInput = { id, name: f.name.trim(), type: f.type, credential: f.credential.trim() };
  if (f.enforce) payload.enforce = true;
  if (f.type === 'okta-group') {
    payload.orgUrl = f.orgUrl.trim();
    payload.auth = f.auth;
    if (f.auth === 'private_key_jwt') {
      payload.clientId = f.clientId.trim();
      payload.keyId = f.keyId.trim();
    }
  } else {
    payload.tenantId = f.tenantId.trim();
    payload.clientId = f.clientId.trim();
  }
  return { payload };
}

/**
 * The `connectors.update` patch of an edit: only the settings that differ;
 * the credential only when one was typed (blank keeps the stored one, except
 * when the sign-in method changes: then a new one is needed). Null when
 * nothing changed.
 */
export function connectorPatch(r: ConnectorRecord, f: ConnectorForm): { payload: ConnectorPatch | null } | { error: FieldError } {
  const g = { ...f, type: r.type };
  const nameErr = required(g, 'name');
  if (nameErr) return { error: nameErr };
  for (const field of visibleFields(g)) {
    if (field === 'auth' || field === 'credential') continue;
    const err = required(g, field);
    if (err) return { error: err };
  }
  const patch: ConnectorPatch = { id: r.id };
  let changed = false;
  const set = <K extends 'name' | 'orgUrl' | 'clientId' | 'keyId' | 'tenantId'>(k: K, v: string): void => {
    const t = v.trim();
    if (t !== (r[k] ?? '')) {
      patch[k] = t;
      changed = true;
    }
  };
  set('name', g.name);
  if (r.type === 'okta-group') {
    set('orgUrl', g.orgUrl);
    if (g.auth !== (r.auth ?? 'private_key_jwt')) {
      patch.auth = g.auth;
      changed = true;
      if (!g.credential.trim()) return { error: connectorError({ field: 'credential', message: 'a new one is needed when the sign-in method changes' }, g) };
    }
    if (g.auth === 'private_key_jwt') {
      set('clientId', g.clientId);
      set('keyId', g.keyId);
    }
  } else {
    set('tenantId', g.tenantId);
    set('clientId', g.clientId);
  }
  if (g.enforce !== r.enforce) {
    patch.enforce = g.enforce;
    changed = true;
  }
  if (g.credential.trim()) {
    patch.credential = g.credential.trim();
    changed = true;
  }
  return { payload: changed ? patch : null };
}

/** "Set on 7 Dec 2026, 23:40", or "Not set": never the credential. */
export function credentialStatus(c: ConnectorOut, timeZone?: string): string {
  if (!c.credentialSet) return 'Not set';
  return c.connector.credentialSetAt ? `Set on ${formatDateTime(c.connector.credentialSetAt, timeZone)}` : 'Set';
}

/** The help under the credential field: write-only, blank keeps it. */
export function credentialHelp(c: ConnectorOut | null, timeZone?: string): string {
  if (!c) return 'Stored in Forge secret storage; it is never shown again after saving.';
  return `${credentialStatus(c, timeZone)}. Leave blank to keep it; what you type replaces it. It is never shown.`;
}

/** The last test in words: "Never tested", "Worked on …", "Failed on …: why". */
export function lastTestWords(c: ConnectorOut, timeZone?: string): { ok: boolean | null; text: string } {
  const t = c.lastTest;
  if (!t) return { ok: null, text: 'Never tested' };
  const when = formatDateTime(t.at, timeZone);
  return t.ok ? { ok: true, text: `Worked on ${when}` } : { ok: false, text: `Failed on ${when}: ${t.message}` };
}

/** Where a connector points: its Okta org, or its Entra tenant. */
export function whereLabel(r: ConnectorRecord): string {
  if (r.type === 'okta-group') return r.orgUrl ? r.orgUrl.replace(/^https:\/\//, '') : '—';
  return r.tenantId ? `Tenant ${r.tenantId}` : '—';
}

/** What deleting a connector does; with tools bound it cannot be deleted (the server refuses too). */
export function deleteConnectorConfirmation(c: ConnectorOut, toolName: (id: string) => string): Confirmation {
  const name = c.connector.name;
  const bound = c.bindings.map((b) => `${toolName(b.tool)}: group ${b.groupName || b.groupId}`);
  if (bound.length) {
    return {
      title: `${name} still governs ${plural(bound.length, 'tool')}`,
      body: [
        `Unbind ${bound.length === 1 ? 'this tool' : 'these tools'} in the Catalog first: their grants are provisioned through ${name}, and their tasks would lose their way.`,
        'Unbinding leaves each group and its members as they are; new approvals are then fulfilled by hand.',
      ],
      items: bound,
      confirmLabel: 'Delete connector',
      appearance: 'danger',
    };
  }
  return {
    title: `Delete ${name}?`,
    body: [
      `The connector and its stored credential are deleted from Aigis. No tool is bound to it, so no grant or task changes.`,
      'Nothing changes in the identity provider: its groups and members stay as they are. Explicit identity mappings of this connector are kept until the audit retention removes them.',
    ],
    items: [`${name} (${typeLabel(c.connector.type)}, ${whereLabel(c.connector)})`],
    confirmLabel: `Delete ${name}`,
    appearance: 'danger',
  };
}

/** Bind an existing group by id, or create one from a name template. */
export type BindMode = 'existing' | 'create';

export const DEFAULT_GROUP_TEMPLATE = 'AI - {tool}';

/** The `connectors.bind` payload, or the field at fault. */
export function bindPayload(tool: string, connector: string, mode: BindMode, groupId: string, template: string): { payload: BindArgs } | { error: FieldError } {
  if (!connector) return { error: { field: 'connector', message: 'Connector: choose one.' } };
  if (mode === 'existing') {
    const id = groupId.trim();
    if (!id) return { error: { field: 'groupId', message: 'Group id: enter the id of the group in the identity provider.' } };
    return { payload: { tool, connector, groupId: id } };
  }
  const name = template.trim();
  if (!name) return { error: { field: 'groupName', message: 'Group name: enter a name; {tool} is replaced by the tool’s id.' } };
  if (name.replace('{tool}', tool).length > 200) return { error: { field: 'groupName', message: 'Group name: at most 200 characters.' } };
  return { payload: { tool, connector, groupName: name } };
}

/** The group a template makes for a tool (as the server names it). */
export function groupNameFor(template: string, tool: string): string {
  return template.trim().replace('{tool}', tool);
}

/**
 * A bind refusal in plain words: the server says why a group cannot be
 * governed and names the provider field that decides it in brackets; the
 * bracket is dropped, and the sentence starts "Aigis cannot manage this group".
 */
export function bindRefusalWords(message: string): string {
  const m = /cannot be governed by Aigis: (.*?)(?: \(([A-Za-z]+)\))?$/.exec(message);
  if (!m) return message.replace(/^groupId: /, '');
  const why = m[1]!;
  return `Aigis cannot manage this group’s members: ${why}. Choose an ordinary group, or let Aigis create one.`;
}

/** The `identities.set` payload, or the field at fault. */
export function identityPayload(connector: string, account: string, externalId: string): { payload: IdentitySetArgs } | { error: FieldError } {
  if (!account) return { error: { field: 'account', message: 'Jira user: choose the person.' } };
  const ext = externalId.trim();
  if (!ext) return { error: { field: 'externalId', message: 'User id at the provider: enter the provider’s id of this person.' } };
  if (ext.length > 200 || !/^[\x21-\x7e]+$/.test(ext)) return { error: { field: 'externalId', message: 'User id at the provider: 1 to 200 visible characters, no spaces.' } };
  return { payload: { connector, account, externalId: ext } };
}

// ---------------------------------------------------------------------------
// Drift

/** A kind of difference between the group and the open grants, in words. */
export function driftKindWords(kind: DriftKind): string {
  switch (kind) {
    case 'extra':
      return 'In the group without a grant';
    case 'missing':
      return 'Has a grant but is not in the group';
    case 'inactive':
      return 'Has a grant but is deactivated at the provider';
    case 'nonUser':
      return 'A member that is not a user';
    case 'groupMissing':
      return 'The group no longer exists';
  }
}

export function findingChangeWords(s: FindingStep, timeZone?: string): string {
  const when = formatDateTime(s.at, timeZone);
  switch (s.change) {
    case 'found':
      return `${when}: found`;
    case 'resolved':
      return `${when}: resolved`;
    case 'fixQueued':
      return `${when}: fix queued${s.job ? ` (task ${s.job})` : ''}`;
  }
}

/** The last drift run of a tool in words: never, complete (when) or incomplete (why). */
export function driftStatusWords(d: ToolDrift, timeZone?: string): { state: 'never' | 'complete' | 'incomplete'; text: string } {
  const s = d.status;
  if (!s || !s.lastRunAt) return { state: 'never', text: 'Never checked: the daily check or “Check now” reads the whole group.' };
  const last = formatDateTime(s.lastRunAt, timeZone);
  if (s.complete) return { state: 'complete', text: `Last run ${last}: complete, ${plural(s.members, 'member')} on ${plural(s.pages, 'page')} read and compared.` };
  const lastComplete = s.lastCompleteAt ? ` The last complete run was ${formatDateTime(s.lastCompleteAt, timeZone)}.` : ' No run has been complete yet.';
  const why = s.reason ? ` ${s.reason.replace(/\.?$/, '.')}` : '';
  const resumes = s.resumes ? ` It resumes where it stopped (${plural(s.pages, 'page')} read so far).` : '';
  return { state: 'incomplete', text: `Last run ${last}: incomplete, so nothing is reported as drift and nothing is removed.${why}${resumes}${lastComplete}` };
}

/** What one "check now" did, in a sentence. */
export function driftRunWords(r: DriftRun): string {
  if (r.skipped) return 'Not checked: another check of this tool is running, or its connector is disabled.';
  if (!r.complete) return `The check read ${plural(r.pagesRead, 'page')} but could not finish: nothing is reported until a complete run.`;
  const parts = [`${plural(r.found, 'new difference')}`, `${r.resolved} resolved`];
  if (r.fixesQueued) parts.push(`${plural(r.fixesQueued, 'fix', 'fixes')} queued`);
  return `Complete: ${parts.join(', ')}.`;
}
