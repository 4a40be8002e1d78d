// The Admin screen: the tool catalog, the add-tool form and the intake
// configuration (`config.getIntake`, `config.setIntake`).

import { ApiError, invoke } from './api';
import { h, replace, type Child } from './dom';
import { IDP_PROVIDERS, RISKS, TOOL_STATUSES, days, formatDate, riskLabel, toolInput, toolStatusLabel } from './format';
import type { Intake, Tool } from './generated/api';
import { blankRow, intakeFormOf, intakePatch, type DelegationRow, type RoleRow } from './intake';
import { badge, busy, errorAlert, field, infoAlert, loading, markInvalid, messageArea, successAlert, table } from './ui';

function td(...c: Child[]): HTMLTableCellElement {
  return h('td', null, ...c);
}

/** Shows an error in `messages` (the alert names the field) and marks its control. */
function report(form: HTMLElement, messages: ReturnType<typeof messageArea>, e: unknown): void {
  messages.show(errorAlert(e));
  markInvalid(form, e instanceof ApiError ? e.field : undefined);
}

// ---------------------------------------------------------------------------
// Catalog

function catalogTable(tools: Tool[]): HTMLElement {
  if (tools.length === 0) return h('p', { class: 'empty' }, 'The catalog is empty. Add a tool below.');
  return table(
    'Tool catalog',
    ['Id', 'Name', 'Provider', 'Status', 'Risk', 'Default', 'Maximum', 'Guidance', 'Updated'],
    tools.map((t) =>
      h(
        'tr',
        { 'data-tool': t.id },
        td(h('code', null, t.id), t.requestedUrl ? h('small', { class: 'muted block', title: t.requestedUrl }, 'requested, awaiting review') : null),
        td(t.name),
        td(t.provider, t.entitlement ? h('small', { class: 'muted block' }, `${t.entitlement.provider}: ${t.entitlement.groupName ?? t.entitlement.groupId ?? 'group not set'}`) : null),
        td(badge(t.status, toolStatusLabel(t.status))),
        td(badge(t.risk, riskLabel(t.risk)), t.riskRationale ? h('small', { class: 'muted block' }, t.riskRationale) : null),
        td(days(t.defaultDurationDays)),
        td(days(t.maxDurationDays)),
        td(t.guidance),
        td(formatDate(t.updatedAt)),
      ),
    ),
  );
}

function addToolForm(onAdded: () => void): HTMLElement {
  const messages = messageArea();
  const id = h('input', { name: 'id', type: 'text', required: true, autocomplete: 'off', placeholder: 'e.g. chatgpt-enterprise' });
  const name = h('input', { name: 'name', type: 'text', required: true, autocomplete: 'off' });
  const provider = h('input', { name: 'provider', type: 'text', required: true, autocomplete: 'off' });
  const status = h('select', { name: 'status' }, TOOL_STATUSES.map((s) => h('option', { value: s }, toolStatusLabel(s))));
  const risk = h('select', { name: 'risk' }, RISKS.map((s) => h('option', { value: s, selected: s === 'medium' }, riskLabel(s))));
  const def = h('input', { name: 'defaultDurationDays', type: 'number', min: 1, step: 1 });
  const max = h('input', { name: 'maxDurationDays', type: 'number', min: 1, step: 1 });
  const guidance = h('textarea', { name: 'guidance', rows: 2, maxlength: 2000 });
  const riskRationale = h('textarea', { name: 'riskRationale', rows: 2, maxlength: 1000 });
  const fulfilmentNotes = h('textarea', { name: 'fulfilmentNotes', rows: 2, maxlength: 2000 });
  const idp = h(
    'select',
    { name: 'entitlement.provider' },
    h('option', { value: '' }, 'None'),
    IDP_PROVIDERS.map((p) => h('option', { value: p }, p === 'okta' ? 'Okta' : 'Microsoft Entra')),
  );
  const groupName = h('input', { name: 'entitlement.groupName', type: 'text', autocomplete: 'off', maxlength: 255 });
  const groupId = h('input', { name: 'entitlement.groupId', type: 'text', autocomplete: 'off', maxlength: 128 });
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Add tool');
  const form = h(
    'form',
    { class: 'form grid', novalidate: true, 'aria-label': 'Add a tool to the catalog' },
    field('Id', id),
    field('Name', name),
    field('Provider', provider),
    field('Status', status),
    field('Risk', risk),
    field('Default duration (days)', def, 'Blank: the default for the risk level.'),
    field('Maximum duration (days)', max, 'Blank: the maximum for the risk level.'),
    h('div', { class: 'span-all' }, field('Guidance for requesters', guidance)),
    h('div', { class: 'span-all' }, field('Why this risk level', riskRationale, 'Shown to admins beside the risk.')),
    h('div', { class: 'span-all' }, field('Fulfilment notes', fulfilmentNotes, 'For whoever gives access by hand.')),
    field('Identity service', idp, 'Where a connector manages the tool’s access group (Okta or Entra), if anywhere.'),
    field('Group name', groupName),
    field('Group id', groupId),
    h('div', { class: 'actions span-all' }, submit),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const r = toolInput({
      id: id.value,
      name: name.value,
      provider: provider.value,
      status: status.value,
      risk: risk.value,
      defaultDurationDays: def.value,
      maxDurationDays: max.value,
      guidance: guidance.value,
      fulfilmentNotes: fulfilmentNotes.value,
      riskRationale: riskRationale.value,
      entitlementProvider: idp.value,
      groupId: groupId.value,
      groupName: groupName.value,
    });
    if ('error' in r) {
      report(form, messages, new ApiError('invalid', r.error.message, r.error.field));
      return;
    }
    markInvalid(form);
    void busy(submit, async () => {
      try {
        const res = await invoke('catalog.add', r.payload);
        messages.show(successAlert(`${res.tool.name} was added to the catalog.`));
        form.reset();
        onAdded();
      } catch (e) {
        report(form, messages, e);
      }
    });
  });
  return h('div', null, messages, form);
}

// ---------------------------------------------------------------------------
// Intake

/**
 * An editable list of rows (approver roles, delegations): each control is named
 * `${list}[i].${key}`, the name the server gives a field at fault.
 */
function rowEditor<R extends RoleRow | DelegationRow>(opts: {
  list: 'approverRoles' | 'delegations';
  legend: string;
  help: string;
  add: string;
  empty: () => R;
  columns: { key: keyof R & string; label: string; type?: string; placeholder?: string }[];
  rows: R[];
}): { el: HTMLElement; read: () => R[]; compact: () => void } {
  const body = h('div', { class: 'rows' });
  const addBtn = h('button', { type: 'button', class: 'button subtle small' }, opts.add);
  const controls: HTMLInputElement[][] = [];

  function rename(): void {
    controls.forEach((inputs, i) =>
      inputs.forEach((input, c) => {
        input.name = `${opts.list}[${i}].${opts.columns[c].key}`;
        input.setAttribute('aria-label', `${opts.columns[c].label}, row ${i + 1}`);
      }),
    );
  }

  function addRow(row: R): void {
    const inputs = opts.columns.map((c) =>
      h('input', { type: c.type ?? 'text', value: String(row[c.key]), placeholder: c.placeholder, autocomplete: 'off' }),
    );
    const remove = h('button', { type: 'button', class: 'button subtle small' }, 'Remove');
    const line = h('div', { class: 'row-line' }, inputs.map((i) => h('span', { class: 'field' }, i)), remove);
    controls.push(inputs);
    remove.addEventListener('click', () => {
      const at = controls.indexOf(inputs);
      if (at >= 0) controls.splice(at, 1);
      line.remove();
      rename();
      showHead();
      addBtn.focus();
    });
    body.appendChild(line);
    rename();
  }

  function read(): R[] {
    return controls.map((inputs) => {
      const row = opts.empty();
      opts.columns.forEach((c, i) => Object.assign(row, { [c.key]: inputs[i].value }));
      return row;
    });
  }

  /** Drops rows with nothing typed, so row numbers are the payload's. */
  function compact(): void {
    const rows = read();
    for (let at = rows.length - 1; at >= 0; at -= 1) {
      if (!blankRow(rows[at])) continue;
      controls[at][0].closest('.row-line')?.remove();
      controls.splice(at, 1);
    }
    rename();
    showHead();
  }

  // Column names for sighted users; each control has its own accessible name.
  const head = h('div', { class: 'row-head', 'aria-hidden': 'true' }, opts.columns.map((c) => h('span', null, c.label)));
  const showHead = (): void => {
    head.hidden = controls.length === 0;
  };
  addBtn.addEventListener('click', () => {
    addRow(opts.empty());
    showHead();
    controls[controls.length - 1][0].focus();
  });
  for (const r of opts.rows) addRow(r);
  showHead();
  const el = h(
    'fieldset',
    { class: 'field rows-editor span-all', 'data-list': opts.list, style: `--cols: ${opts.columns.length}` },
    h('legend', null, opts.legend),
    h('small', { class: 'help' }, opts.help),
    head,
    body,
    h('div', { class: 'actions' }, addBtn),
  );
  return { el, read, compact };
}

function intakeFormView(intake: Intake | null, messages: ReturnType<typeof messageArea>): HTMLElement {
  const v = intakeFormOf(intake);
  const input = (name: string, value: string, extra: Record<string, unknown> = {}): HTMLInputElement =>
    h('input', { name, type: 'text', value, autocomplete: 'off', ...extra });
  const area = (name: string, value: string): HTMLTextAreaElement => {
    const t = h('textarea', { name, rows: 2 });
    t.value = value;
    return t;
  };
  const projectKey = input('projectKey', v.projectKey, { required: true });
  const serviceDeskId = input('serviceDeskId', v.serviceDeskId, { inputmode: 'numeric' });
  const requestTypeIds = area('requestTypeIds', v.requestTypeIds);
  const approverGroups = area('approverGroups', v.approverGroups);
  const roles = rowEditor<RoleRow>({
    list: 'approverRoles',
    legend: 'Approver roles',
    help: 'Jira project roles whose members may approve (at most 10).',
    add: 'Add a role',
    empty: () => ({ projectKey: '', roleId: '' }),
    columns: [
      { key: 'projectKey', label: 'Role project', placeholder: 'AIR' },
      { key: 'roleId', label: 'Role id', placeholder: '10002' },
    ],
    rows: v.approverRoles,
  });
  const delegations = rowEditor<DelegationRow>({
    list: 'delegations',
    legend: 'Delegations',
    help: 'An approver lets someone else approve in their place until a time (your local time).',
    add: 'Add a delegation',
    empty: () => ({ delegator: '', delegate: '', until: '' }),
    columns: [
      { key: 'delegator', label: 'Approver (accountId)' },
      { key: 'delegate', label: 'Delegate (accountId)' },
      { key: 'until', label: 'Until', type: 'datetime-local' },
    ],
    rows: v.delegations,
  });
  const escalationAccounts = area('escalationAccounts', v.escalationAccounts);
  const escalationGroup = input('escalationGroup', v.escalationGroup);
  const approvalSlaHours = input('approvalSlaHours', v.approvalSlaHours, { type: 'number', min: 1, max: 720, step: 1 });
  const reviewIssueType = input('reviewIssueType', v.reviewIssueType);
  const reviewWindowDays = input('reviewWindowDays', v.reviewWindowDays, { type: 'number', min: 1, max: 90, step: 1 });
  const auditRetentionDays = input('auditRetentionDays', v.auditRetentionDays, { type: 'number', min: 90, max: 3650, step: 1 });
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Save intake');
  const form = h(
    'form',
    { class: 'form grid', novalidate: true, 'aria-label': 'Intake configuration' },
    field('Portal project key', projectKey, 'Only issues in this Jira Service Management project are taken in.'),
    field('Service desk id', serviceDeskId, 'Numeric. When set, only this portal’s request types count. Blank: any.'),
    field('Request type ids', requestTypeIds, 'Numeric ids, separated by commas (at most 50). Blank: every request type.'),
    field('Approver groups', approverGroups, 'Jira groups whose members may approve, separated by commas. Jira admins can always approve.'),
    roles.el,
    delegations.el,
    field('Approval SLA (hours)', approvalSlaHours, '1 to 720. A request waiting longer is escalated. Blank: no SLA.'),
    field('Escalation group', escalationGroup, 'A Jira group told when the SLA is breached.'),
    field('Escalation accounts', escalationAccounts, 'AccountIds told when the SLA is breached, separated by commas (at most 20).'),
    field('Review issue type', reviewIssueType, 'Issue type of review-before-expiry issues. Blank: the default.'),
    field('Review window (days)', reviewWindowDays, '1 to 90 days before expiry a grant is put up for review. Blank: the default.'),
    field('Audit retention (days)', auditRetentionDays, '90 to 3650. Blank: 365.'),
    h('div', { class: 'actions span-all' }, submit),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    roles.compact();
    delegations.compact();
    const r = intakePatch({
      projectKey: projectKey.value,
      serviceDeskId: serviceDeskId.value,
      requestTypeIds: requestTypeIds.value,
      approverGroups: approverGroups.value,
      approverRoles: roles.read(),
      delegations: delegations.read(),
      escalationAccounts: escalationAccounts.value,
      escalationGroup: escalationGroup.value,
      approvalSlaHours: approvalSlaHours.value,
      reviewIssueType: reviewIssueType.value,
      reviewWindowDays: reviewWindowDays.value,
      auditRetentionDays: auditRetentionDays.value,
    });
    if ('error' in r) {
      report(form, messages, new ApiError('invalid', r.error.message, r.error.field));
      return;
    }
    markInvalid(form);
    void busy(submit, async () => {
      try {
        const res = await invoke('config.setIntake', r.payload);
        // Redraw from what was stored (normalised by the server).
        form.replaceWith(intakeFormView(res.intake, messages));
        messages.show(successAlert(res.changed ? 'Intake saved.' : 'Intake unchanged.'));
      } catch (e) {
        report(form, messages, e);
      }
    });
  });
  return form;
}

function intakePanel(): HTMLElement {
  const messages = messageArea();
  const holder = h('div', null, loading());
  void (async () => {
    try {
      const { intake } = await invoke('config.getIntake', {});
      if (!intake) messages.show(infoAlert('Intake is not configured yet: no requests are taken in until it is.'));
      replace(holder, intakeFormView(intake, messages));
    } catch (e) {
      replace(holder, errorAlert(e));
    }
  })();
  return h('div', null, messages, holder);
}

export function admin(): HTMLElement {
  const catalog = h('div', null, loading());
  const reload = async (): Promise<void> => {
    try {
      const { tools } = await invoke('catalog.list', { all: true });
      replace(catalog, catalogTable(tools));
    } catch (e) {
      replace(catalog, errorAlert(e));
    }
  };
  void reload();
  return h(
    'section',
    null,
    h('h2', null, 'Admin'),
    h('h3', null, 'Tool catalog'),
    h('p', { class: 'lead' }, 'Every governed tool. Only approved tools can be requested; blocked and denied ones stay on record.'),
    catalog,
    h('h3', null, 'Add a tool'),
    addToolForm(() => void reload()),
    h('h3', null, 'Intake'),
    intakePanel(),
  );
}
