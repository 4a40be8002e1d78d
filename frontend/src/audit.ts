// The Audit screen (admins only): the log's signing keys, verification,
// evidence-pack export, event search and inclusion proofs.

import { ApiError, invoke } from './api';
import { h, replace, uid } from './dom';
import {
  AUDIT_EVENT_TYPES,
  MAX_EXPORT_DAYS,
  actorLabel,
  auditSearchPayload,
  base64ToBytes,
  defaultExportWindow,
  formatBytes,
  formatDateTime,
  shortHash,
  validateDateRange,
  type AuditFilter,
} from './format';
import type { AuditEvent, Exported, KeysOut, Me, PublicKeyRecord, Rotated, StoredCheckpoint, Verified } from './generated/api';
import {
  badge,
  busy,
  copyButton,
  downloadBlob,
  errorAlert,
  field,
  infoAlert,
  loading,
  messageArea,
  pagedTable,
  showFieldError,
  successAlert,
  table,
} from './ui';

const PAGE_SIZES = [10, 25, 50, 100];
const DEFAULT_PAGE = 25;

function td(...c: Parameters<typeof h>[2][]): HTMLTableCellElement {
  return h('td', null, ...c);
}

function time(ms: number): HTMLElement {
  return h('time', { datetime: new Date(ms).toISOString() }, formatDateTime(ms));
}

/** A hash shortened for reading, the full value in its title. */
function hash(value: string, n = 12): HTMLElement {
  return h('code', { class: 'hash', title: value }, shortHash(value, n));
}

function facts(...pairs: [string, Parameters<typeof h>[2]][]): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    pairs.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
  );
}

/** Asks the browser to save a JSON value as a file. */
function saveJson(value: unknown, fileName: string): void {
  const url = downloadBlob(new Blob([JSON.stringify(value, null, 2) + '\n'], { type: 'application/json' }), fileName);
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// ---------------------------------------------------------------------------
// Keys, checkpoint, last export, rotation

function checkpointFacts(cp: StoredCheckpoint): HTMLElement {
  return h(
    'div',
    null,
    facts(
      ['Tree size', `${cp.size} events`],
      ['Root', hash(cp.root, 16)],
      ['Signed', time(cp.at)],
      ['Signed by key', h('code', null, cp.keyId)],
    ),
    cp.note ? h('details', null, h('summary', null, 'Signed note'), h('pre', { class: 'json' }, cp.note)) : null,
  );
}

function keysView(k: KeysOut, me: Me): HTMLElement {
  const current = k.keys.find((x) => x.current);
  const older = k.keys.filter((x) => !x.current).sort((a, b) => b.introducedAtSeq - a.introducedAtSeq);
  const vkey = current ? h('code', { class: 'wrap', 'data-testid': 'verifier-key' }, current.verifierKey) : null;
  return h(
    'div',
    null,
    h(
      'div',
      { class: 'audit-grid' },
      h(
        'section',
        { class: 'card', 'aria-label': 'Current public key' },
        h('h3', null, 'Current public key'),
        current && vkey
          ? [
              facts(
                ['Key id', h('code', { 'data-testid': 'current-key-id' }, current.keyId)],
                ['Created', time(current.createdAt)],
                ['Introduced at', `event ${current.introducedAtSeq}`],
              ),
              h('p', { class: 'help' }, 'Verifier key (give this to auditors; packs and proofs are checked against it):'),
              h('div', { class: 'key' }, vkey, copyButton(current.verifierKey, 'Copy the verifier key', vkey)),
            ]
          : infoAlert('No key is marked current.'),
      ),
      h(
        'section',
        { class: 'card', 'aria-label': 'The log' },
        h('h3', null, 'The log'),
        facts(['Origin', h('code', { class: 'wrap', 'data-testid': 'log-origin' }, k.origin)]),
        h('h4', null, 'Latest checkpoint'),
        k.latestCheckpoint ? checkpointFacts(k.latestCheckpoint) : h('p', { class: 'muted' }, 'No checkpoint signed yet.'),
        h('h4', null, 'Last export'),
        k.lastExport
          ? facts(
              ['Exported', time(k.lastExport.at)],
              ['By', h('span', { title: k.lastExport.by }, actorLabel(k.lastExport.by, me.accountId))],
              ['Checkpoint', `${k.lastExport.checkpoint.size} events, key ${k.lastExport.checkpoint.keyId}`],
            )
          : h('p', { class: 'muted' }, 'No evidence pack exported yet.'),
      ),
    ),
    h('h4', null, 'Older keys'),
    older.length === 0
      ? h('p', { class: 'muted' }, 'None: the first key still signs.')
      : table(
          'Older signing keys',
          ['Key id', 'Verifier key', 'Created', 'Introduced at event'],
          older.map((x: PublicKeyRecord) =>
            h(
              'tr',
              { 'data-key': x.keyId },
              td(h('code', null, x.keyId)),
              td(h('code', { class: 'wrap' }, x.verifierKey)),
              td(time(x.createdAt)),
              td(String(x.introducedAtSeq)),
            ),
          ),
        ),
  );
}

function rotateControl(onRotated: (r: Rotated) => void): HTMLElement {
  const messages = messageArea();
  const start = h('button', { type: 'button', class: 'button', 'aria-expanded': 'false' }, 'Rotate signing key');
  const holder = h('div');
  const confirmId = uid('rotate');
  start.setAttribute('aria-controls', confirmId);

  function close(focus = true): void {
    replace(holder);
    start.setAttribute('aria-expanded', 'false');
    if (focus) start.focus();
  }

  start.addEventListener('click', () => {
    if (start.getAttribute('aria-expanded') === 'true') {
      close();
      return;
    }
    messages.show(null);
    const yes = h('button', { type: 'button', class: 'button danger' }, 'Rotate key');
    const no = h('button', { type: 'button', class: 'button subtle' }, 'Cancel');
    const box = h(
      'div',
      { class: 'confirm', id: confirmId, role: 'group', 'aria-labelledby': `${confirmId}-title` },
      h('p', { id: `${confirmId}-title` }, h('strong', null, 'Rotate the log signing key?')),
      h(
        'p',
        null,
        'The current key signs a last checkpoint, then a new key signs from now on. Old packs stay valid: the old ' +
          'public key is kept and listed. Give auditors the new verifier key.',
      ),
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
          const r = await invoke('audit.rotateKey', {});
          close(false);
          messages.show(
            successAlert(
              `Key ${r.key.keyId} now signs. The previous key signed checkpoint ${r.checkpointBefore.size} (root ${shortHash(r.checkpointBefore.root, 16)}) before the rotation.`,
            ),
          );
          onRotated(r);
        } catch (e) {
          messages.show(errorAlert(e));
        }
      }),
    );
    replace(holder, box);
    start.setAttribute('aria-expanded', 'true');
    no.focus();
  });

  return h('div', null, h('div', { class: 'actions' }, start), holder, messages);
}

function keysPanel(me: Me): { el: HTMLElement; reload: () => Promise<void> } {
  const body = h('div', null, loading());
  const refresh = h('button', { type: 'button', class: 'button subtle small' }, 'Refresh');
  const reload = async (): Promise<void> => {
    try {
      replace(body, keysView(await invoke('audit.keys', {}), me));
    } catch (e) {
      replace(body, errorAlert(e));
    }
  };
  refresh.addEventListener('click', () => void busy(refresh, reload));
  void reload();
  const el = h(
    'section',
    { 'aria-labelledby': 'audit-keys-title' },
    h('div', { class: 'section-head' }, h('h3', { id: 'audit-keys-title' }, 'Log and signing keys'), refresh),
    h(
      'p',
      { class: 'lead' },
      'Every audit event is hash-chained into a Merkle tree; checkpoints of the tree are signed with the key below.',
    ),
    body,
    rotateControl(() => void reload()),
  );
  return { el, reload };
}

// ---------------------------------------------------------------------------
// Verify

function verifyView(v: Verified): HTMLElement {
  const cp = v.checkpoint;
  return h(
    'div',
    { class: 'card result', 'data-testid': 'verify-result', 'data-ok': String(v.ok) },
    h(
      'div',
      { class: 'card-head' },
      h('h4', null, v.ok ? 'The audit log verifies' : 'The audit log does not verify'),
      badge(v.ok ? 'ok' : 'broken', v.ok ? 'OK' : 'Broken'),
    ),
    h('p', { 'data-testid': 'verify-statement' }, v.statement),
    facts(
      ['Chain', v.intact ? `intact: ${v.checked} events checked, head at event ${v.headSeq}` : `broken (${v.checked} events checked, head at event ${v.headSeq})`],
      ['Starts at', `event ${v.fromSeq}`],
      [
        'Latest checkpoint',
        cp
          ? h(
              'span',
              null,
              `${cp.size} events, key ${cp.keyId}: `,
              badge(cp.valid ? 'ok' : 'broken', cp.valid ? 'valid' : 'invalid'),
              cp.problem ? h('span', { class: 'block' }, cp.problem) : null,
            )
          : 'none signed yet',
      ],
    ),
    v.firstBreak
      ? h(
          'div',
          { class: 'alert alert-error', role: 'alert', 'data-testid': 'first-break' },
          h('strong', { class: 'alert-title' }, `First break at event ${v.firstBreak.seq}`),
          h('span', { class: 'alert-message' }, v.firstBreak.reason),
        )
      : null,
  );
}

function verifyPanel(): HTMLElement {
  const messages = messageArea();
  const result = h('div', { 'aria-live': 'polite' });
  const run = h('button', { type: 'button', class: 'button primary' }, 'Verify the log');
  run.addEventListener('click', () =>
    void busy(run, async () => {
      messages.show(null);
      try {
        replace(result, verifyView(await invoke('audit.verify', {})));
      } catch (e) {
        messages.show(errorAlert(e));
      }
    }),
  );
  return h(
    'section',
    { 'aria-labelledby': 'audit-verify-title' },
    h('h3', { id: 'audit-verify-title' }, 'Verify'),
    h(
      'p',
      { class: 'lead' },
      'Re-checks every retained event’s hash and MAC against the chain and the latest signed checkpoint. ' +
        'Verifying, exporting and rotating the key count towards a limit of 5 sensitive operations a minute.',
    ),
    h('div', { class: 'actions' }, run),
    messages,
    result,
  );
}

// ---------------------------------------------------------------------------
// Export

/** "12 events, 3 requests, 2 grants, 1 job". */
function countsText(c: Exported['counts']): string {
  const part = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;
  return [part(c.events, 'event'), part(c.requests, 'request'), part(c.grants, 'grant'), part(c.jobs, 'job')].join(', ');
}

function exportView(x: Exported, url: string): HTMLElement {
  const sha = h('code', { class: 'wrap', 'data-testid': 'export-sha256' }, x.sha256);
  return h(
    'div',
    { class: 'card result', 'data-testid': 'export-result' },
    h('h4', null, 'Evidence pack ready'),
    facts(
      ['File', h('a', { href: url, download: x.fileName }, x.fileName)],
      ['Size', formatBytes(x.bytes)],
      ['SHA-256', h('span', { class: 'key' }, sha, copyButton(x.sha256, 'Copy the SHA-256', sha))],
      ['Checkpoint', h('span', null, `${x.checkpoint.size} events, key ${x.checkpoint.keyId}, root `, hash(x.checkpoint.root, 16))],
      ['Contents', countsText(x.counts)],
    ),
    h('p', { class: 'help' }, 'Check it with ', h('code', null, `aigis verify ${x.fileName}`), ' (or give it to an auditor with the verifier key).'),
  );
}

function exportPanel(onExported: () => void): HTMLElement {
  const messages = messageArea();
  const result = h('div', { 'aria-live': 'polite' });
  const win = defaultExportWindow(Date.now());
  const from = h('input', { name: 'from', type: 'date', value: win.from });
  const to = h('input', { name: 'to', type: 'date', value: win.to });
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Export');
  let lastUrl: string | null = null;
  const form = h(
    'form',
    { class: 'form inline-dates', novalidate: true, 'aria-label': 'Export an evidence pack' },
    field('From', from, 'First day (UTC). Blank: 90 days before To.'),
    field('To', to, 'Last day (UTC), included. Blank: now.'),
    h('div', { class: 'actions span-all' }, submit),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const problem = validateDateRange(from.value, to.value, MAX_EXPORT_DAYS);
    if (problem) {
      showFieldError(form, problem.field, problem.message);
      messages.show(null);
      return;
    }
    showFieldError(form, undefined);
    void busy(submit, async () => {
      messages.show(null);
      try {
        const x = await invoke('audit.export', {
          ...(from.value ? { from: from.value } : {}),
          ...(to.value ? { to: to.value } : {}),
        });
        if (lastUrl) URL.revokeObjectURL(lastUrl);
        const blob = new Blob([base64ToBytes(x.contentBase64)], { type: 'application/zip' });
        lastUrl = downloadBlob(blob, x.fileName);
        replace(result, exportView(x, lastUrl));
        messages.show(successAlert(`Exported ${x.fileName} (${formatBytes(x.bytes)}).`));
        onExported();
      } catch (e) {
        const err = e instanceof ApiError ? e : null;
        if (!(err && showFieldError(form, err.field, err.message))) messages.show(errorAlert(e));
      }
    });
  });
  return h(
    'section',
    { 'aria-labelledby': 'audit-export-title' },
    h('h3', { id: 'audit-export-title' }, 'Export an evidence pack'),
    h(
      'p',
      { class: 'lead' },
      `A signed zip of the requests, grants, jobs and audit events of a window of at most ${MAX_EXPORT_DAYS} days ` +
        '(the last 90 by default), with a checkpoint and proofs an auditor can check offline.',
    ),
    messages,
    form,
    result,
  );
}

// ---------------------------------------------------------------------------
// Search and proofs

function eventRow(e: AuditEvent, me: Me): HTMLTableRowElement {
  const proofBtn = h(
    'button',
    { type: 'button', class: 'button small', 'aria-expanded': 'false', 'aria-label': `Proof of event ${e.seq}` },
    'Proof',
  );
  const dataText = e.data === null ? '' : JSON.stringify(e.data, null, 2);
  const tr = h(
    'tr',
    { 'data-seq': e.seq, 'data-type': e.action },
    td(String(e.seq)),
    td(time(e.at)),
    td(h('span', { title: e.actor }, actorLabel(e.actor, me.accountId))),
    td(h('code', null, e.action)),
    td(
      h('span', { class: 'wrap' }, e.subject),
      dataText && dataText !== '{}' ? h('details', null, h('summary', null, 'Data'), h('pre', { class: 'json' }, dataText)) : null,
    ),
    td(e.govVersion === null ? '—' : String(e.govVersion)),
    td(hash(e.entryHash)),
    td(proofBtn),
  );
  let open: HTMLTableRowElement | null = null;
  const proofId = uid('proof');
  proofBtn.setAttribute('aria-controls', proofId);
  const close = (): void => {
    open?.remove();
    open = null;
    proofBtn.setAttribute('aria-expanded', 'false');
  };
  proofBtn.addEventListener('click', () => {
    if (open) {
      close();
      return;
    }
    void busy(proofBtn, async () => {
      let body: HTMLElement;
      try {
        const proof = await invoke('audit.prove', { seq: e.seq });
        const fileName = `aigis-proof-${e.seq}.json`;
        const save = h('button', { type: 'button', class: 'button small' }, 'Download JSON');
        save.addEventListener('click', () => saveJson(proof, fileName));
        const hide = h('button', { type: 'button', class: 'button subtle small' }, 'Close');
        hide.addEventListener('click', () => {
          close();
          proofBtn.focus();
        });
        body = h(
          'div',
          null,
          h('strong', null, `Inclusion proof of event ${e.seq}`),
          h('p', { class: 'help' }, 'Check it offline with ', h('code', null, `aigis verify-proof ${fileName}`), '.'),
          h('pre', { class: 'json', 'data-testid': 'proof-json', tabindex: '0' }, JSON.stringify(proof, null, 2)),
          h('div', { class: 'actions' }, save, hide),
        );
      } catch (err) {
        body = errorAlert(err);
      }
      open = h('tr', { class: 'proof-row', id: proofId }, h('td', { colspan: '8' }, body));
      tr.after(open);
      proofBtn.setAttribute('aria-expanded', 'true');
    });
  });
  return tr;
}

function searchPanel(me: Me): HTMLElement {
  const messages = messageArea();
  const results = h('div');
  const typesId = uid('types');
  const from = h('input', { name: 'from', type: 'date' });
  const to = h('input', { name: 'to', type: 'date' });
  const actor = h('input', { name: 'actor', type: 'text', autocomplete: 'off', maxlength: 200, placeholder: 'Account id or app:job-runner' });
  const type = h('input', { name: 'type', type: 'text', autocomplete: 'off', maxlength: 200, list: typesId, placeholder: 'e.g. request.approved' });
  const subject = h('input', { name: 'subject', type: 'text', autocomplete: 'off', maxlength: 200, placeholder: 'e.g. grant:g-10000' });
  const perPage = h(
    'select',
    { name: 'limit' },
    PAGE_SIZES.map((n) => h('option', { value: n, selected: n === DEFAULT_PAGE }, String(n))),
  );
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Search');
  const clear = h('button', { type: 'reset', class: 'button subtle' }, 'Clear');
  const form = h(
    'form',
    { class: 'form grid', novalidate: true, 'aria-label': 'Search audit events' },
    field('From', from, 'First day (UTC).'),
    field('To', to, 'Last day (UTC), included.'),
    field('Actor', actor, 'Exact account id.'),
    field('Type', type, 'Exact event type.'),
    field('Subject', subject, 'Exact subject.'),
    field('Per page', perPage),
    h('datalist', { id: typesId }, AUDIT_EVENT_TYPES.map((t) => h('option', { value: t }))),
    h('div', { class: 'actions span-all' }, submit, clear),
  );

  function run(): void {
    const filter: AuditFilter = { from: from.value, to: to.value, actor: actor.value, type: type.value, subject: subject.value };
    const problem = validateDateRange(filter.from, filter.to);
    if (problem) {
      showFieldError(form, problem.field, problem.message);
      return;
    }
    showFieldError(form, undefined);
    messages.show(null);
    const limit = Number(perPage.value) || DEFAULT_PAGE;
    const filtered = Object.values(filter).some((v) => v.trim() !== '');
    replace(
      results,
      pagedTable<AuditEvent>({
        caption: 'Audit events, newest first',
        headers: ['Event', 'Time', 'Actor', 'Type', 'Subject', 'Governance version', 'Hash', 'Proof'],
        load: async (cursor) => {
          const r = await invoke('audit.search', auditSearchPayload(filter, limit, cursor));
          return { items: r.events, nextCursor: r.nextCursor };
        },
        row: (e) => eventRow(e, me),
        empty: filtered ? 'No audit events match these filters.' : 'The audit log has no events yet.',
        moreLabel: 'More',
        onError: (e) => {
          if (e instanceof ApiError && e.field) showFieldError(form, e.field, e.message);
        },
      }),
    );
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    run();
  });
  form.addEventListener('reset', () => {
    // After the browser has cleared the controls.
    setTimeout(() => {
      perPage.value = String(DEFAULT_PAGE);
      run();
    }, 0);
  });
  run();
  return h(
    'section',
    { 'aria-labelledby': 'audit-search-title' },
    h('h3', { id: 'audit-search-title' }, 'Search events'),
    h('p', { class: 'lead' }, 'Newest first. “Proof” gives an event’s inclusion proof in the latest signed checkpoint.'),
    messages,
    form,
    results,
  );
}

// ---------------------------------------------------------------------------

export function audit(me: Me): HTMLElement {
  const keys = keysPanel(me);
  return h(
    'section',
    { class: 'audit' },
    h('h2', null, 'Audit'),
    h(
      'p',
      { class: 'lead' },
      'The tamper-evident record of every request, decision, grant and change: check it, export it for auditors, search it.',
    ),
    keys.el,
    verifyPanel(),
    exportPanel(() => void keys.reload()),
    searchPanel(me),
  );
}
