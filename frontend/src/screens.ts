// The screens behind each tab.

import { ApiError, buildRequestIssue, invoke, localJira } from './api';
import { h, replace } from './dom';
import {
  completionFor,
  days,
  decisionLabel,
  decisionSourceLabel,
  formatDateTime,
  grantStatusLabel,
  jobKindLabel,
  jobStatusLabel,
  modeLabel,
  riskLabel,
  validateRequestForm,
} from './format';
import type { Decided, HeldGrant, Job, Me, Request as AccessRequest, Tool } from './generated/api';
import { badge, busy, errorAlert, field, infoAlert, loading, markInvalid, messageArea, pagedTable, successAlert } from './ui';

const PAGE = 25;

function td(...c: Parameters<typeof h>[2][]): HTMLTableCellElement {
  return h('td', null, ...c);
}

// ---------------------------------------------------------------------------
// My Access

/** The expiry column: the server's label (in the holder's zone); none before access is in place. */
function expiryText(g: HeldGrant): string {
  if (g.expiryLabel) return g.expiryLabel;
  return g.status === 'revoked' ? 'revoked' : 'starts once access is given';
}

export function myAccess(): HTMLElement {
  const zone = h('p', { class: 'muted', 'data-testid': 'time-zone' });
  // Times are shown in the holder's Jira time zone, as the expiry labels are.
  let timeZone: string | undefined;
  return h(
    'section',
    null,
    h('h2', null, 'My access'),
    h('p', { class: 'lead' }, 'AI tools you have been given access to, and when that access ends.'),
    pagedTable<HeldGrant>({
      caption: 'My access grants',
      headers: ['Tool', 'Status', 'Expiry', 'Expires on', 'Duration', 'Issue'],
      load: async (cursor) => {
        const r = await invoke('grants.mine', { cursor, limit: PAGE });
        timeZone = r.timeZone;
        if (r.grants.length) zone.textContent = `Times in ${r.timeZone}.`;
        return { items: r.grants, nextCursor: r.nextCursor };
      },
      row: (g) =>
        h(
          'tr',
          { 'data-grant': g.id },
          td(h('strong', null, g.tool)),
          td(badge(g.status, grantStatusLabel(g.status))),
          td(expiryText(g)),
          td(h('time', { datetime: g.expiresAtText }, formatDateTime(g.expiresAt, timeZone))),
          td(days(g.durationDays)),
          td(g.issueKey),
        ),
      empty: 'You have no AI tool access yet.',
    }),
    zone,
  );
}

// ---------------------------------------------------------------------------
// Request History

function requestRow(r: AccessRequest): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-request': r.id, 'data-issue': r.issueKey },
    td(r.issueKey),
    td(h('strong', null, r.toolName || r.tool)),
    td(h('span', { class: 'purpose' }, r.purpose)),
    td(days(r.durationDays)),
    td(
      badge(r.decision, decisionLabel(r.decision)),
      r.decisionSource && r.decision !== 'pending' ? h('small', { class: 'muted block' }, decisionSourceLabel(r.decisionSource)) : null,
      r.decision === 'pending' && r.securityReview ? h('small', { class: 'muted block' }, 'awaiting security review') : null,
    ),
    td(r.rationale ?? ''),
    td(formatDateTime(r.createdAt)),
  );
}

export function requestHistory(): HTMLElement {
  return h(
    'section',
    null,
    h('h2', null, 'Request history'),
    h('p', { class: 'lead' }, 'Every access request you have made, newest first.'),
    pagedTable<AccessRequest>({
      caption: 'My requests',
      headers: ['Issue', 'Tool', 'Purpose', 'Duration', 'Decision', 'Rationale', 'Requested'],
      load: async (cursor) => {
        const r = await invoke('requests.mine', { cursor, limit: PAGE });
        return { items: r.requests, nextCursor: r.nextCursor };
      },
      row: requestRow,
      empty: 'You have not requested any AI tool yet.',
    }),
  );
}

// ---------------------------------------------------------------------------
// Approved Tools

export function approvedTools(): HTMLElement {
  const body = h('div', null, loading());
  void (async () => {
    try {
      const { tools } = await invoke('catalog.list', {});
      const approved = tools.filter((t) => t.status === 'approved');
      if (approved.length === 0) {
        replace(body, h('p', { class: 'empty' }, 'No AI tools are approved yet.'));
        return;
      }
      replace(
        body,
        h(
          'ul',
          { class: 'cards', 'aria-label': 'Approved AI tools' },
          approved.map((t) =>
            h(
              'li',
              { class: 'card', 'data-tool': t.id },
              h('div', { class: 'card-head' }, h('h3', null, t.name), badge(t.risk, `${riskLabel(t.risk)} risk`)),
              h('p', { class: 'muted' }, t.provider),
              h(
                'dl',
                { class: 'facts' },
                h('dt', null, 'Default duration'),
                h('dd', null, days(t.defaultDurationDays)),
                h('dt', null, 'Maximum duration'),
                h('dd', null, days(t.maxDurationDays)),
              ),
              t.guidance ? h('p', { class: 'guidance' }, h('span', { class: 'sr-only' }, 'Guidance: '), t.guidance) : null,
            ),
          ),
        ),
      );
    } catch (e) {
      replace(body, errorAlert(e));
    }
  })();
  return h(
    'section',
    null,
    h('h2', null, 'Approved tools'),
    h('p', { class: 'lead' }, 'AI tools you may request, with how long access can last and how to use them.'),
    body,
  );
}

// ---------------------------------------------------------------------------
// Request a tool (local host only; inside Jira the portal panel does this)

export function requestTool(onCreated?: () => void): HTMLElement {
  const messages = messageArea();
  const holder = h('div', null, loading());
  void (async () => {
    let tools: Tool[];
    try {
      tools = (await invoke('catalog.list', {})).tools.filter((t) => t.status === 'approved');
    } catch (e) {
      replace(holder, errorAlert(e));
      return;
    }
    if (tools.length === 0) {
      replace(holder, h('p', { class: 'empty' }, 'No AI tools are approved yet, so there is nothing to request.'));
      return;
    }
    const toolSel = h(
      'select',
      { name: 'toolId', required: true },
      h('option', { value: '' }, 'Choose a tool…'),
      tools.map((t) => h('option', { value: t.id }, `${t.name} (${t.provider})`)),
    );
    const purpose = h('textarea', { name: 'purpose', rows: 3, required: true, maxlength: 2000 });
    const duration = h('input', { name: 'durationDays', type: 'number', min: 1, step: 1, required: true, value: 30 });
    const project = h('input', { name: 'projectKey', type: 'text', value: 'AIR', required: true, autocomplete: 'off' });
    const hint = h('small', { class: 'help', id: 'duration-hint' }, 'Choose a tool to see its limit.');
    duration.setAttribute('aria-describedby', 'duration-hint');
    const submit = h('button', { type: 'submit', class: 'button primary' }, 'Submit request');

    toolSel.addEventListener('change', () => {
      const t = tools.find((x) => x.id === toolSel.value);
      if (!t) return;
      duration.value = String(t.defaultDurationDays);
      duration.max = String(t.maxDurationDays);
      hint.textContent = `At most ${days(t.maxDurationDays)}.`;
    });

    const form = h(
      'form',
      { class: 'form', novalidate: true, 'aria-label': 'Request an AI tool' },
      field('Tool', toolSel),
      field('Purpose', purpose, 'What you will use it for; approvers read this.'),
      h('div', { class: 'field' }, h('label', { for: 'req-duration' }, 'Duration (days)'), duration, hint),
      field('Portal project key', project, 'The Jira Service Management project that takes AI tool requests.'),
      h('div', { class: 'actions' }, submit),
    );
    duration.id = 'req-duration';

    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const tool = tools.find((t) => t.id === toolSel.value);
      const problem = validateRequestForm(
        { toolId: toolSel.value, purpose: purpose.value, durationDays: duration.value },
        tool?.maxDurationDays,
      );
      if (problem) {
        messages.show(errorAlert(new ApiError('invalid', problem.message, problem.field)));
        markInvalid(form, problem.field);
        return;
      }
      markInvalid(form);
      void busy(submit, async () => {
        try {
          const body = buildRequestIssue(project.value.trim() || 'AIR', tool?.name ?? toolSel.value, {
            toolId: toolSel.value,
            purpose: purpose.value.trim(),
            durationDays: Number(duration.value),
          });
          const created = await localJira<{ id: string; key: string }>('POST', '/rest/api/3/issue', body);
          messages.show(
            successAlert(`Request ${created.key} was created. It appears in Request history once Aigis has picked it up.`),
          );
          purpose.value = '';
          onCreated?.();
        } catch (e) {
          messages.show(errorAlert(e));
          if (e instanceof ApiError) markInvalid(form, e.field);
        }
      });
    });
    replace(holder, form);
  })();

  return h(
    'section',
    null,
    h('h2', null, 'Request a tool'),
    h(
      'p',
      { class: 'lead' },
      'Ask for one approved AI tool, for a stated purpose and a limited time. In Jira this form is the portal request panel.',
    ),
    messages,
    holder,
  );
}

// ---------------------------------------------------------------------------
// Approvals

function approvalItem(r: AccessRequest, me: Me): HTMLElement {
  const messages = messageArea();
  const rationale = h('textarea', { name: 'rationale', rows: 2, maxlength: 2000 });
  const approve = h('button', { type: 'button', class: 'button primary', 'aria-label': `Approve ${r.issueKey}` }, 'Approve');
  const deny = h('button', { type: 'button', class: 'button danger', 'aria-label': `Deny ${r.issueKey}` }, 'Deny');
  const own = r.requester === me.accountId;
  const item = h(
    'li',
    { class: 'card approval', 'data-request': r.id, 'data-issue': r.issueKey },
    h(
      'div',
      { class: 'card-head' },
      h('h3', null, `${r.issueKey} · ${r.toolName || r.tool}`),
      badge(r.decision, decisionLabel(r.decision)),
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'Requester'),
      h('dd', null, own ? `${r.requester} (you)` : r.requester),
      h('dt', null, 'Purpose'),
      h('dd', { class: 'purpose' }, r.purpose),
      h('dt', null, 'Duration'),
      h('dd', null, days(r.durationDays)),
      h('dt', null, 'Requested'),
      h('dd', null, formatDateTime(r.createdAt)),
      r.description ? [h('dt', null, 'Description'), h('dd', { class: 'purpose' }, r.description)] : null,
    ),
    r.securityReview
      ? infoAlert(
          'This tool is not in the catalog: the request needs a security review.',
          r.firstApproval ? ` First approval by ${r.firstApproval.by}, ${formatDateTime(r.firstApproval.at)}.` : null,
        )
      : r.firstApproval
        ? infoAlert(`First approval by ${r.firstApproval.by}, ${formatDateTime(r.firstApproval.at)}; a security reviewer gives the second.`)
        : null,
    field('Rationale', rationale, 'Optional when approving, required when denying.'),
    h('div', { class: 'actions' }, approve, deny),
    messages,
  );

  function done(kind: 'approved' | 'denied', res: Decided): void {
    const text = !res.changed
      ? `${r.issueKey} was already ${decisionLabel(res.request.decision).toLowerCase()}; nothing changed.`
      : kind === 'approved' && res.request.decision === 'pending'
        ? `${r.issueKey}: first approval recorded; a security reviewer gives the second.`
        : `${r.issueKey} ${kind}.`;
    replace(
      item,
      h(
        'div',
        { class: 'card-head' },
        h('h3', null, `${r.issueKey} · ${r.toolName || r.tool}`),
        badge(res.request.decision, decisionLabel(res.request.decision)),
      ),
      h('p', { class: 'purpose muted' }, r.purpose),
      successAlert(text),
    );
    item.classList.add('decided');
  }

  approve.addEventListener('click', () =>
    void busy(approve, async () => {
      try {
        const why = rationale.value.trim();
        done('approved', await invoke('requests.approve', why ? { requestId: r.id, rationale: why } : { requestId: r.id }));
      } catch (e) {
        messages.show(errorAlert(e));
        if (e instanceof ApiError) markInvalid(item, e.field);
      }
    }),
  );
  deny.addEventListener('click', () => {
    if (!rationale.value.trim()) {
      messages.show(errorAlert(new ApiError('invalid', 'Give a rationale to deny a request.', 'rationale')));
      markInvalid(item, 'rationale');
      return;
    }
    void busy(deny, async () => {
      try {
        done('denied', await invoke('requests.deny', { requestId: r.id, rationale: rationale.value.trim() }));
      } catch (e) {
        messages.show(errorAlert(e));
        if (e instanceof ApiError) markInvalid(item, e.field);
      }
    });
  });
  return item;
}

export function approvals(me: Me): HTMLElement {
  const list = h('div');
  const refresh = h('button', { type: 'button', class: 'button' }, 'Refresh');
  let cursor: string | undefined;

  async function load(reset: boolean): Promise<void> {
    if (reset) {
      cursor = undefined;
      replace(list, loading());
    }
    try {
      const r = await invoke('requests.pending', { cursor, limit: PAGE });
      cursor = r.nextCursor ?? undefined;
      let ul = list.querySelector('ul.cards');
      if (reset || !ul) {
        if (r.requests.length === 0) {
          replace(list, h('p', { class: 'empty' }, 'No requests are waiting for a decision.'));
          return;
        }
        ul = h('ul', { class: 'cards wide', 'aria-label': 'Requests waiting for a decision' });
        replace(list, ul);
      }
      for (const req of r.requests) ul.appendChild(approvalItem(req, me));
      list.querySelector('.more')?.remove();
      if (cursor) {
        const more = h('button', { type: 'button', class: 'button' }, 'Load more');
        more.addEventListener('click', () => void busy(more, () => load(false)));
        list.appendChild(h('div', { class: 'actions more' }, more));
      }
    } catch (e) {
      replace(list, errorAlert(e));
    }
  }
  refresh.addEventListener('click', () => void busy(refresh, () => load(true)));
  void load(true);
  return h(
    'section',
    null,
    h('div', { class: 'section-head' }, h('h2', null, 'Approvals'), refresh),
    h('p', { class: 'lead' }, 'Requests waiting for a decision. Nobody may decide on their own request.'),
    list,
  );
}

// ---------------------------------------------------------------------------
// Manual tasks

export function manualTasks(): HTMLElement {
  const refresh = h('button', { type: 'button', class: 'button' }, 'Refresh');
  const holder = h('div');
  const mount = (): void =>
    replace(
      holder,
      pagedTable<Job>({
        caption: 'Manual fulfilment tasks',
        headers: ['Task', 'Grant', 'Status', 'Attempts', 'Due', 'Note', 'Action'],
        load: async (cursor) => {
          const r = await invoke('jobs.manual', { cursor, limit: PAGE });
          return { items: r.jobs, nextCursor: r.nextCursor };
        },
        row: (j) => {
          const c = completionFor(j.kind);
          const note = h('input', { type: 'text', name: 'note', 'aria-label': `Note for task ${j.id}`, placeholder: 'Optional note' });
          const btn = h('button', { type: 'button', class: 'button primary', 'aria-label': `${c.label}: ${jobKindLabel(j.kind)} for grant ${j.grant}` }, c.label);
          const status = td(badge(j.status, jobStatusLabel(j.status)));
          const action = td(btn);
          const tr = h(
            'tr',
            { 'data-job': j.id },
            td(h('strong', null, jobKindLabel(j.kind)), h('small', { class: 'muted block' }, modeLabel(j.mode))),
            td(j.grant),
            status,
            td(String(j.attempts)),
            td(formatDateTime(j.dueAt)),
            td(note),
            action,
          );
          btn.addEventListener('click', () =>
            void busy(btn, async () => {
              try {
                const text = note.value.trim();
                const res = await invoke('jobs.complete', { jobId: j.id, outcome: c.outcome, ...(text ? { note: text } : {}) });
                replace(status, badge(res.job.status, jobStatusLabel(res.job.status)));
                replace(action, successAlert(res.changed ? 'Done.' : 'Already completed.'));
                note.disabled = true;
              } catch (e) {
                action.appendChild(errorAlert(e));
              }
            }),
          );
          return tr;
        },
        empty: 'No manual tasks are waiting.',
      }),
    );
  refresh.addEventListener('click', mount);
  mount();
  return h(
    'section',
    null,
    h('div', { class: 'section-head' }, h('h2', null, 'Manual tasks'), refresh),
    h(
      'p',
      { class: 'lead' },
      'Give or remove access by hand in the tool itself, then mark the task done here so the grant moves on.',
    ),
    holder,
  );
}
