// The Insights screen (admins only): monthly rollups kept by the daily
// analytics sweep (`insights` {from?, to?}), a month table with bars, the
// top tools and the risk mix over the months shown.

import { ApiError, invoke } from './api';
import { h, replace } from './dom';
import { barPercent, formatMinutes, isRisk, monthLabel, riskLabel, riskMixEntries, topToolsAcross, validateMonthRange } from './format';
import type { InsightsArgs, MonthView } from './generated/api';
import { badge, busy, errorAlert, field, loading, messageArea, showFieldError, table } from './ui';

type Cell = Parameters<typeof h>[2];

function td(...c: Cell[]): HTMLTableCellElement {
  return h('td', null, ...c);
}

/** A number with a bar scaled to `max` (the bar is decoration: the number is the text). */
function bar(value: number, max: number, label: string): HTMLElement {
  return h(
    'span',
    { class: 'bar-cell' },
    h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span', { class: 'bar-fill', style: `width: ${barPercent(value, max)}%` })),
    h('span', { class: 'bar-value', 'aria-label': `${value} ${label}` }, String(value)),
  );
}

function monthTable(months: MonthView[]): HTMLElement {
  const maxRequests = Math.max(0, ...months.map((m) => m.requests));
  return table(
    'Monthly requests, decisions and grants',
    ['Month', 'Requests', 'Approved', 'Auto-approved', 'Denied', 'Grants started', 'Grants ended', 'Active at month end', 'Median to decision', 'Mean to decision'],
    months.map((m) =>
      h(
        'tr',
        { 'data-month': m.month },
        td(h('span', { title: m.month }, monthLabel(m.month))),
        td(bar(m.requests, maxRequests, 'requests')),
        td(String(m.approvals)),
        td(String(m.autoApprovals)),
        td(String(m.denials)),
        td(String(m.grantsActivated)),
        td(String(m.grantsEnded)),
        td(String(m.activeGrants)),
        td(formatMinutes(m.medianMinutesToDecision)),
        td(formatMinutes(m.meanMinutesToDecision)),
      ),
    ),
  );
}

function topToolsView(months: MonthView[]): HTMLElement {
  const top = topToolsAcross(months);
  if (top.length === 0) return h('p', { class: 'muted' }, 'No requests in these months.');
  const max = top[0].requests;
  return table(
    'Most requested tools over the months shown',
    ['Tool', 'Requests'],
    top.map((t) => h('tr', { 'data-tool': t.tool }, td(h('code', null, t.tool)), td(bar(t.requests, max, 'requests')))),
  );
}

function riskMixView(months: MonthView[]): HTMLElement {
  const total: Record<string, number> = {};
  for (const m of months) for (const [k, n] of Object.entries(m.riskMix)) total[k] = (total[k] ?? 0) + n;
  const entries = riskMixEntries(total);
  if (entries.length === 0) return h('p', { class: 'muted' }, 'No requests in these months.');
  const max = Math.max(...entries.map(([, n]) => n));
  return table(
    'Requests by risk over the months shown',
    ['Risk', 'Requests'],
    entries.map(([r, n]) => h('tr', { 'data-risk': r }, td(badge(r, isRisk(r) ? riskLabel(r) : r)), td(bar(n, max, 'requests')))),
  );
}

export function insights(): HTMLElement {
  const messages = messageArea();
  const result = h('div', { 'aria-live': 'polite' }, loading());
  const from = h('input', { name: 'from', type: 'month', placeholder: 'YYYY-MM', pattern: '\\d{4}-\\d{2}' });
  const to = h('input', { name: 'to', type: 'month', placeholder: 'YYYY-MM', pattern: '\\d{4}-\\d{2}' });
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Show');
  const form = h(
    'form',
    { class: 'form inline-dates', novalidate: true, 'aria-label': 'Insights months' },
    field('From month', from, 'YYYY-MM. Blank: the first month kept.'),
    field('To month', to, 'YYYY-MM, included. Blank: the latest.'),
    h('div', { class: 'actions span-all' }, submit),
  );

  async function load(): Promise<void> {
    messages.show(null);
    const payload: InsightsArgs = {};
    if (from.value) payload.from = from.value;
    if (to.value) payload.to = to.value;
    try {
      const r = await invoke('insights', payload);
      if (r.months.length === 0) {
        replace(
          result,
          h(
            'p',
            { class: 'empty', 'data-testid': 'insights-empty' },
            payload.from || payload.to
              ? 'No insights for these months.'
              : 'No insights yet: the daily analytics sweep has not rolled up any activity.',
          ),
        );
        return;
      }
      replace(
        result,
        h('p', { class: 'muted' }, `Rolled up through audit event ${r.throughSeq}.`),
        monthTable(r.months),
        h(
          'div',
          { class: 'audit-grid' },
          h('section', { class: 'card', 'aria-labelledby': 'ins-top-title' }, h('h3', { id: 'ins-top-title' }, 'Top tools'), topToolsView(r.months)),
          h('section', { class: 'card', 'aria-labelledby': 'ins-risk-title' }, h('h3', { id: 'ins-risk-title' }, 'Risk mix'), riskMixView(r.months)),
        ),
      );
    } catch (e) {
      replace(result);
      const err = e instanceof ApiError ? e : null;
      if (!(err && showFieldError(form, err.field, err.message))) messages.show(errorAlert(e));
    }
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const problem = validateMonthRange(from.value, to.value);
    if (problem) {
      showFieldError(form, problem.field, problem.message);
      messages.show(null);
      return;
    }
    showFieldError(form, undefined);
    void busy(submit, load);
  });
  void load();

  return h(
    'section',
    { class: 'insights' },
    h('h2', null, 'Insights'),
    h(
      'p',
      { class: 'lead' },
      'Monthly requests, decisions and grants, rolled up from the audit log by the daily analytics sweep (so up to a day behind).',
    ),
    messages,
    form,
    result,
  );
}
