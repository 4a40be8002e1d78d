// The Governance screen (admins only): the rules in force and their version
// history (old versions read-only), the edit form (`governance.set`), and the
// auto-approval policies (`policies.list`, `policies.save`, `policies.delete`).
// Every change, rules or policies, is a new governance version.

import { ApiError, invoke } from './api';
import { h, replace, uid } from './dom';
import {
  RISKS,
  UNKNOWN_TOOLS,
  actorLabel,
  days,
  formatDateTime,
  governancePatch,
  policyPayload,
  riskLabel,
  slugify,
  unknownToolsLabel,
} from './format';
import type { Governance, Me, Policy, PolicyId, Risk, Tool, VersionList } from './generated/api';
import { badge, busy, errorAlert, field, infoAlert, loading, messageArea, showFieldError, successAlert, table } from './ui';

type Cell = Parameters<typeof h>[2];

function td(...c: Cell[]): HTMLTableCellElement {
  return h('td', null, ...c);
}

function time(ms: number): HTMLElement {
  return ms ? h('time', { datetime: new Date(ms).toISOString() }, formatDateTime(ms)) : h('span', { class: 'muted' }, 'built in');
}

function facts(...pairs: [string, Cell][]): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    pairs.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
  );
}

/** A read-only view of one governance version. */
function governanceView(g: Governance, me: Me, current: number): HTMLElement {
  const reviewed = new Set(g.securityReviewRisks);
  return h(
    'div',
    { class: 'card result', 'data-testid': 'governance-view', 'data-version': g.version },
    h(
      'div',
      { class: 'card-head' },
      h('h4', null, `Version ${g.version}`),
      g.version === current ? badge('active', 'In force') : badge('neutral', 'Superseded'),
    ),
    facts(
      ['Created', time(g.createdAt)],
      ['By', g.createdBy ? h('span', { title: g.createdBy }, actorLabel(g.createdBy, me.accountId)) : '—'],
      ['Note', g.note || '—'],
      ['Unknown tools', unknownToolsLabel(g.unknownTools)],
      ['Critical grants per person', `at most ${g.maxCriticalPerPerson} open at a time`],
      ['Security reviewer group', g.securityReviewerGroup ? h('code', null, g.securityReviewerGroup) : 'Jira admins only'],
      ['Auto-approval policies', String(g.policies.length)],
    ),
    table(
      `Approval requirements and maximum duration by risk, version ${g.version}`,
      ['Risk', 'Approval required', 'Longest grant'],
      RISKS.map((r) =>
        h(
          'tr',
          { 'data-risk': r },
          td(badge(r, riskLabel(r))),
          td(reviewed.has(r) ? 'Two approvals, the second by a security reviewer' : 'One approver'),
          td(days(g.maxDays[r])),
        ),
      ),
    ),
  );
}

// ---------------------------------------------------------------------------
// Edit form

function editForm(g: Governance, onSaved: (g: Governance) => void, onCancel: () => void): HTMLElement {
  const messages = messageArea();
  const maxDays = Object.fromEntries(
    RISKS.map((r) => [r, h('input', { name: `maxDays.${r}`, type: 'number', min: 1, max: 365, value: g.maxDays[r] })]),
  ) as Record<Risk, HTMLInputElement>;
  const reviewBoxes = RISKS.map((r) =>
    h('input', { type: 'checkbox', name: 'securityReviewRisks', value: r, checked: g.securityReviewRisks.includes(r) }),
  );
  const reviewSet = h(
    'fieldset',
    { class: 'field checks' },
    h('legend', null, 'Risks needing security review (two approvals)'),
    RISKS.map((r, i) => h('label', { class: 'check' }, reviewBoxes[i], ` ${riskLabel(r)}`)),
  );
  const group = h('input', { name: 'securityReviewerGroup', value: g.securityReviewerGroup ?? '' });
  const unknown = h(
    'select',
    { name: 'unknownTools' },
    UNKNOWN_TOOLS.map((u) => h('option', { value: u, selected: g.unknownTools === u }, unknownToolsLabel(u))),
  );
  const maxCritical = h('input', { name: 'maxCriticalPerPerson', type: 'number', min: 1, max: 50, value: g.maxCriticalPerPerson });
  const note = h('textarea', { name: 'note', rows: 2, maxlength: 500 });
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Save as a new version');
  const cancel = h('button', { type: 'button', class: 'button subtle' }, 'Cancel');
  const form = h(
    'form',
    { class: 'form grid', novalidate: true, 'aria-label': 'Edit governance' },
    RISKS.map((r) => field(`Longest grant, ${riskLabel(r).toLowerCase()} risk (days)`, maxDays[r])),
    h('div', { class: 'span-all' }, reviewSet),
    field('Security reviewer group', group, 'Jira group whose members may give the second approval. Blank: Jira admins only.'),
    field('Unknown tools', unknown),
    field('Open critical-risk grants per person', maxCritical, '1 to 50.'),
    h('div', { class: 'span-all' }, field('Note', note, 'Why this change (recorded with the version).')),
    h('div', { class: 'actions span-all' }, submit, cancel),
  );
  cancel.addEventListener('click', onCancel);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const r = governancePatch({
      maxDays: { low: maxDays.low.value, medium: maxDays.medium.value, high: maxDays.high.value, critical: maxDays.critical.value },
      securityReviewRisks: reviewBoxes.filter((b) => b.checked).map((b) => b.value),
      securityReviewerGroup: group.value,
      unknownTools: unknown.value,
      maxCriticalPerPerson: maxCritical.value,
      note: note.value,
    });
    if ('error' in r) {
      showFieldError(form, r.error.field, r.error.message);
      messages.show(null);
      return;
    }
    showFieldError(form, undefined);
    void busy(submit, async () => {
      messages.show(null);
      try {
        const { governance } = await invoke('governance.set', r.payload);
        onSaved(governance);
      } catch (e) {
        const err = e instanceof ApiError ? e : null;
        if (!(err && showFieldError(form, err.field, err.message))) messages.show(errorAlert(e));
      }
    });
  });
  return h('div', { class: 'card result' }, h('h4', null, `Edit (based on version ${g.version})`), messages, form);
}

// ---------------------------------------------------------------------------
// Rules in force and history

function rulesPanel(me: Me): { el: HTMLElement; reload: () => Promise<void> } {
  const messages = messageArea();
  const body = h('div', { 'aria-live': 'polite' }, loading());
  const editBtn = h('button', { type: 'button', class: 'button', 'aria-expanded': 'false' }, 'Edit rules');
  const editor = h('div');
  const history = h('div', null, loading());
  const viewer = h('div', { 'aria-live': 'polite' });
  let cur: Governance | null = null;

  function closeEditor(focus = true): void {
    replace(editor);
    editBtn.setAttribute('aria-expanded', 'false');
    if (focus) editBtn.focus();
  }

  async function reload(): Promise<void> {
    try {
      const r = await invoke('governance.get', {});
      cur = r.governance;
      replace(body, governanceView(r.governance, me, r.current));
    } catch (e) {
      replace(body, errorAlert(e));
    }
    try {
      const l = await invoke('governance.list', {});
      replace(history, historyTable(l));
    } catch (e) {
      replace(history, errorAlert(e));
    }
  }

  function historyTable(l: VersionList): HTMLElement {
    if (l.versions.length === 0) {
      return h('p', { class: 'empty' }, 'No version saved yet: the built-in defaults (version 0) are in force.');
    }
    return table(
      'Governance versions, newest first',
      ['Version', 'Created', 'By', 'Note', 'Policies', ''],
      l.versions.map((v) => {
        const view = h('button', { type: 'button', class: 'button small', 'aria-label': `View version ${v.version}` }, 'View');
        view.addEventListener('click', () =>
          void busy(view, async () => {
            try {
              const r = await invoke('governance.get', { version: v.version });
              const close = h('button', { type: 'button', class: 'button subtle small' }, 'Close');
              close.addEventListener('click', () => {
                replace(viewer);
                view.focus();
              });
              replace(viewer, h('div', { class: 'section-head' }, h('h4', null, `Version ${v.version} (read-only)`), close), governanceView(r.governance, me, r.current));
              close.focus();
            } catch (e) {
              replace(viewer, errorAlert(e));
            }
          }),
        );
        return h(
          'tr',
          { 'data-version': v.version },
          td(String(v.version), v.version === l.current ? [' ', badge('active', 'In force')] : null),
          td(time(v.createdAt)),
          td(h('span', { title: v.createdBy }, actorLabel(v.createdBy, me.accountId))),
          td(v.note || '—'),
          td(String(v.policies)),
          td(view),
        );
      }),
    );
  }

  editBtn.addEventListener('click', () => {
    if (editBtn.getAttribute('aria-expanded') === 'true' || !cur) {
      closeEditor();
      return;
    }
    messages.show(null);
    replace(
      editor,
      editForm(
        cur,
        (g) => {
          closeEditor(false);
          messages.show(successAlert(`Saved governance version ${g.version}.`));
          void reload();
        },
        () => closeEditor(),
      ),
    );
    editBtn.setAttribute('aria-expanded', 'true');
    editor.querySelector<HTMLElement>('input')?.focus();
  });

  void reload();
  const el = h(
    'section',
    { 'aria-labelledby': 'gov-rules-title' },
    h('div', { class: 'section-head' }, h('h3', { id: 'gov-rules-title' }, 'Rules in force'), editBtn),
    messages,
    body,
    editor,
    h('h3', { id: 'gov-history-title' }, 'Version history'),
    h('p', { class: 'lead' }, 'Newest first. Every change of rules or policies is a new version; decisions record the version in force.'),
    history,
    viewer,
  );
  return { el, reload };
}

// ---------------------------------------------------------------------------
// Policies

function policyRow(p: Policy, onEdit: (p: Policy) => void, onDeleted: (id: PolicyId) => void): HTMLTableRowElement {
  const edit = h('button', { type: 'button', class: 'button small', 'aria-label': `Edit policy ${p.name}` }, 'Edit');
  const del = h('button', { type: 'button', class: 'button small', 'aria-expanded': 'false', 'aria-label': `Delete policy ${p.name}` }, 'Delete');
  const confirmBox = h('div');
  const msg = messageArea();
  const confirmId = uid('del');
  del.setAttribute('aria-controls', confirmId);
  edit.addEventListener('click', () => onEdit(p));

  function close(focus = true): void {
    replace(confirmBox);
    del.setAttribute('aria-expanded', 'false');
    if (focus) del.focus();
  }

  del.addEventListener('click', () => {
    if (del.getAttribute('aria-expanded') === 'true') {
      close();
      return;
    }
    const yes = h('button', { type: 'button', class: 'button danger small' }, 'Delete policy');
    const no = h('button', { type: 'button', class: 'button subtle small' }, 'Cancel');
    const box = h(
      'div',
      { class: 'confirm', id: confirmId, role: 'group', 'aria-labelledby': `${confirmId}-title` },
      h('p', { id: `${confirmId}-title` }, h('strong', null, `Delete policy “${p.name}”?`)),
      h('p', null, 'Matching requests will wait for an approver again. This writes a new governance version.'),
      h('div', { class: 'actions' }, yes, no),
    );
    box.addEventListener('keydown', (ev) => {
      if ((ev as KeyboardEvent).key === 'Escape') {
        ev.preventDefault();
        close();
      }
    });
    no.addEventListener('click', () => close());
    yes.addEventListener('click', () =>
      void busy(yes, async () => {
        try {
          const r = await invoke('policies.delete', { id: p.id });
          onDeleted(r.deleted);
        } catch (e) {
          msg.show(errorAlert(e));
        }
      }),
    );
    replace(confirmBox, box);
    del.setAttribute('aria-expanded', 'true');
    no.focus();
  });

  return h(
    'tr',
    { 'data-policy': p.id },
    td(h('strong', null, p.name), h('span', { class: 'block muted' }, h('code', null, p.id))),
    td(h('code', null, p.projectKey)),
    td(p.toolId ? h('code', null, p.toolId) : 'Every tool'),
    td(p.autoApprove ? badge('approved', 'Auto-approve') : badge('neutral', 'Off')),
    td(p.allowedGroups.join(', ')),
    td(days(p.maxDurationDays)),
    td(h('div', { class: 'actions tight' }, edit, del), confirmBox, msg),
  );
}

function policyForm(tools: Tool[], onSaved: (p: Policy, version: number) => void): { el: HTMLElement; load: (p: Policy | null) => void } {
  const messages = messageArea();
  const id = h('input', { name: 'id', autocomplete: 'off' });
  const name = h('input', { name: 'name', maxlength: 120 });
  const projectKey = h('input', { name: 'projectKey', autocomplete: 'off' });
  const tool = h(
    'select',
    { name: 'toolId' },
    h('option', { value: '' }, 'Every tool'),
    tools.map((t) => h('option', { value: t.id }, `${t.name} (${t.id})`)),
  );
  const autoApprove = h('input', { name: 'autoApprove', type: 'checkbox', checked: true });
  const groups = h('textarea', { name: 'allowedGroups', rows: 2 });
  const maxDuration = h('input', { name: 'maxDurationDays', type: 'number', min: 1, max: 365, value: 30 });
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Save policy');
  const clear = h('button', { type: 'button', class: 'button subtle' }, 'New policy');
  const title = h('h4', null, 'Add a policy');
  let idTouched = false;
  id.addEventListener('input', () => {
    idTouched = true;
  });
  name.addEventListener('input', () => {
    if (!idTouched && !id.readOnly) id.value = slugify(name.value);
  });
  const form = h(
    'form',
    { class: 'form grid', novalidate: true, 'aria-label': 'Auto-approval policy' },
    field('Name', name),
    field('Policy id', id, "a-z, 0-9 and '-'. Saving an existing id replaces that policy."),
    field('Project key', projectKey, 'The Jira project the policy covers, e.g. AIR.'),
    field('Tool', tool),
    field('Allowed groups', groups, 'Jira groups, comma or line separated (1 to 20); the requester must be in one.'),
    field('Longest duration (days)', maxDuration, '1 to 365.'),
    h('div', { class: 'field span-all' }, h('label', { class: 'check' }, autoApprove, ' Approve matching requests automatically')),
    h('div', { class: 'actions span-all' }, submit, clear),
  );

  function load(p: Policy | null): void {
    showFieldError(form, undefined);
    messages.show(null);
    idTouched = Boolean(p);
    id.readOnly = Boolean(p);
    id.value = p?.id ?? '';
    name.value = p?.name ?? '';
    projectKey.value = p?.projectKey ?? '';
    if (p?.toolId && !Array.from(tool.options).some((o) => o.value === p.toolId)) {
      tool.appendChild(h('option', { value: p.toolId }, p.toolId));
    }
    tool.value = p?.toolId ?? '';
    autoApprove.checked = p ? p.autoApprove : true;
    groups.value = p ? p.allowedGroups.join(', ') : '';
    maxDuration.value = String(p?.maxDurationDays ?? 30);
    title.textContent = p ? `Edit policy ${p.id}` : 'Add a policy';
    submit.textContent = 'Save policy';
  }

  clear.addEventListener('click', () => {
    load(null);
    name.focus();
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const r = policyPayload({
      id: id.value,
      name: name.value,
      projectKey: projectKey.value,
      toolId: tool.value,
      autoApprove: autoApprove.checked,
      allowedGroups: groups.value,
      maxDurationDays: maxDuration.value,
    });
    if ('error' in r) {
      showFieldError(form, r.error.field, r.error.message);
      messages.show(null);
      return;
    }
    showFieldError(form, undefined);
    void busy(submit, async () => {
      messages.show(null);
      try {
        const saved = await invoke('policies.save', r.payload);
        load(null);
        messages.show(successAlert(`Saved policy ${saved.policy.id} (governance version ${saved.governanceVersion}).`));
        onSaved(saved.policy, saved.governanceVersion);
      } catch (e) {
        const err = e instanceof ApiError ? e : null;
        if (!(err && showFieldError(form, err.field, err.message))) messages.show(errorAlert(e));
      }
    });
  });
  return { el: h('div', { class: 'card result' }, title, messages, form), load };
}

function policiesPanel(onChanged: () => void): HTMLElement {
  const messages = messageArea();
  const list = h('div', { 'aria-live': 'polite' }, loading());
  const formHolder = h('div', null, loading('Loading the catalog…'));
  let form: ReturnType<typeof policyForm> | null = null;

  async function reload(): Promise<void> {
    try {
      const r = await invoke('policies.list', {});
      if (r.policies.length === 0) {
        replace(list, h('p', { class: 'empty' }, 'No auto-approval policies: every request waits for an approver.'));
        return;
      }
      replace(
        list,
        table(
          `Auto-approval policies of governance version ${r.governanceVersion}`,
          ['Policy', 'Project', 'Tool', 'Auto-approve', 'Allowed groups', 'Longest grant', ''],
          r.policies.map((p) =>
            policyRow(
              p,
              (x) => {
                form?.load(x);
                formHolder.querySelector<HTMLElement>('[name="name"]')?.focus();
              },
              (deleted) => {
                messages.show(successAlert(`Deleted policy ${deleted}.`));
                void reload();
                onChanged();
              },
            ),
          ),
        ),
      );
    } catch (e) {
      replace(list, errorAlert(e));
    }
  }

  void (async () => {
    let tools: Tool[] = [];
    try {
      tools = (await invoke('catalog.list', { all: true })).tools;
    } catch {
      /* the tool list is a convenience: "Every tool" still works */
    }
    form = policyForm(tools, () => {
      messages.show(null);
      void reload();
      onChanged();
    });
    replace(formHolder, form.el);
  })();
  void reload();

  return h(
    'section',
    { 'aria-labelledby': 'gov-policies-title' },
    h('h3', { id: 'gov-policies-title' }, 'Auto-approval policies'),
    h(
      'p',
      { class: 'lead' },
      'A request in the policy’s project, for its tool, from a member of an allowed group, no longer than its longest duration, is approved at ingestion with the evidence commented on the issue.',
    ),
    messages,
    list,
    formHolder,
  );
}

// ---------------------------------------------------------------------------

export function governance(me: Me): HTMLElement {
  const rules = rulesPanel(me);
  return h(
    'section',
    { class: 'governance' },
    h('h2', null, 'Governance'),
    h(
      'p',
      { class: 'lead' },
      'The rules on top of the catalog: who must approve each risk level, the longest grant, what happens to tools not in the catalog, and auto-approval policies.',
    ),
    infoAlert('Changes apply to decisions made from now on; earlier decisions keep the version they were made under.'),
    rules.el,
    policiesPanel(() => void rules.reload()),
  );
}
