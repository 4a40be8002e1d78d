// Shared building blocks: alerts, badges, form fields, tables, paginated lists.

import { ApiError, defaultMessage, type ErrorCode } from './api';
import { h, replace, uid, type Child } from './dom';
import { fieldLabel, tone } from './format';

const CODE_TITLES: Record<ErrorCode, string> = {
  invalid: 'Not valid',
  unauthenticated: 'Not signed in',
  forbidden: 'Not allowed',
  'not-found': 'Not found',
  'method-not-allowed': 'Not allowed here',
  conflict: 'Conflict',
  'too-large': 'Too large',
  'rate-limited': 'Too many requests',
  unavailable: 'Unavailable',
  internal: 'Server error',
};

export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError('internal', e instanceof Error ? e.message : String(e) || defaultMessage('internal'));
}

/** A visible error alert: title from the code, the server's message verbatim, and the field. */
export function errorAlert(e: unknown): HTMLElement {
  const err = toApiError(e);
  return h(
    'div',
    { class: 'alert alert-error', role: 'alert', 'data-code': err.code, 'data-field': err.field },
    h('strong', { class: 'alert-title' }, CODE_TITLES[err.code]),
    h('span', { class: 'alert-message' }, err.message),
    err.field ? h('span', { class: 'alert-field' }, `Field: ${fieldLabel(err.field)} (${err.field})`) : null,
  );
}

export function successAlert(text: string): HTMLElement {
  return h('div', { class: 'alert alert-success', role: 'status' }, text);
}

export function infoAlert(...children: Child[]): HTMLElement {
  return h('div', { class: 'alert alert-info', role: 'note' }, ...children);
}

export function badge(value: string, label: string): HTMLElement {
  return h('span', { class: `badge badge-${tone(value)}`, 'data-value': value }, label);
}

export function loading(text = 'Loading…'): HTMLElement {
  return h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' }, text);
}

/** A message area that shows one alert at a time. */
export function messageArea(): HTMLElement & { show(node: Node | null): void } {
  const el = h('div', { class: 'messages', 'aria-live': 'polite' }) as unknown as HTMLElement & { show(node: Node | null): void };
  el.show = (node) => replace(el, node);
  return el;
}

/** A labelled form control; the control gets `name` so errors can point at it. */
export function field(
  label: string,
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  help?: string,
): HTMLElement {
  const id = control.id || uid('f');
  control.id = id;
  const helpId = help ? `${id}-help` : undefined;
  if (helpId) control.setAttribute('aria-describedby', helpId);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    control,
    help ? h('small', { id: helpId, class: 'help' }, help) : null,
  );
}

/**
 * The control of `fieldName` in `form`: the one of that name, else (for an item
 * of a list, `requestTypeIds[3]`) the control of the whole list.
 */
function controlFor(form: HTMLElement, fieldName: string): HTMLElement | null {
  const exact = form.querySelector<HTMLElement>(`[name="${CSS.escape(fieldName)}"]`);
  if (exact) return exact;
  const list = /^([^[.]+)\[/.exec(fieldName);
  return list ? form.querySelector<HTMLElement>(`[name="${CSS.escape(list[1])}"]`) : null;
}

/** Marks the control named `fieldName` in a form as invalid (clearing the others). */
export function markInvalid(form: HTMLElement, fieldName?: string): void {
  for (const el of Array.from(form.querySelectorAll('[aria-invalid]'))) el.removeAttribute('aria-invalid');
  if (!fieldName) return;
  const el = controlFor(form, fieldName);
  if (el) {
    el.setAttribute('aria-invalid', 'true');
    el.focus();
  }
}

/**
 * Shows `message` beside the control named `fieldName` in `form` (and marks it invalid);
 * without a field name, or when no control has it, only clears the previous ones.
 * Returns whether a control was found.
 */
export function showFieldError(form: HTMLElement, fieldName: string | undefined, message?: string): boolean {
  for (const el of Array.from(form.querySelectorAll('.field-error'))) {
    const control = el.parentElement?.querySelector<HTMLElement>('[aria-describedby]');
    if (control) {
      const rest = (control.getAttribute('aria-describedby') ?? '').split(' ').filter((x) => x && x !== el.id);
      if (rest.length) control.setAttribute('aria-describedby', rest.join(' '));
      else control.removeAttribute('aria-describedby');
    }
    el.remove();
  }
  markInvalid(form, fieldName);
  if (!fieldName || !message) return false;
  const control = controlFor(form, fieldName);
  const box = control?.closest('.field');
  if (!control || !box) return false;
  const id = `${control.id || uid('f')}-error`;
  box.appendChild(h('small', { class: 'field-error', id, 'data-field': fieldName }, message));
  const described = (control.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  control.setAttribute('aria-describedby', [...described, id].join(' '));
  return true;
}

/** Saves `blob` as `fileName` through a temporary `<a download>`; returns its object URL (revoke it when done). */
export function downloadBlob(blob: Blob, fileName: string): string {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: fileName, class: 'sr-only' });
  document.body.appendChild(a);
  a.click();
  a.remove();
  return url;
}

/** A button that copies `text` to the clipboard and says so (falls back to selecting `target`). */
export function copyButton(text: string, label: string, target?: HTMLElement): HTMLButtonElement {
  const btn = h('button', { type: 'button', class: 'button small', 'aria-label': label }, 'Copy');
  const status = (word: string): void => {
    btn.textContent = word;
    setTimeout(() => {
      btn.textContent = 'Copy';
    }, 2000);
  };
  btn.addEventListener('click', () => {
    const fallback = (): void => {
      if (target) {
        const range = document.createRange();
        range.selectNodeContents(target);
        const sel = getSelection();
        sel?.removeAllRanges();
        sel?.addRange(range);
        status('Selected');
      } else {
        status('Copy failed');
      }
    };
    if (navigator.clipboard?.writeText) {
      navigator.clipboard.writeText(text).then(() => status('Copied'), fallback);
    } else {
      fallback();
    }
  });
  return btn;
}

export function table(caption: string, headers: string[], rows: HTMLTableRowElement[]): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      null,
      h('caption', { class: 'sr-only' }, caption),
      h('thead', null, h('tr', null, headers.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows),
    ),
  );
}

/** Runs an async action from a button: disables it meanwhile, reports errors to `messages`. */
export async function busy<T>(button: HTMLButtonElement, action: () => Promise<T>): Promise<T | undefined> {
  const text = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await action();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = text;
  }
}

/**
 * A list loaded page by page with `nextCursor`: renders rows into a table and
 * offers "Load more" while there is a next page.
 */
export function pagedTable<T>(opts: {
  caption: string;
  headers: string[];
  load: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string | null }>;
  row: (item: T) => HTMLTableRowElement;
  empty: string;
  /** The label of the next-page button ("Load more" by default). */
  moreLabel?: string;
  /** Told about every failed page load (after the alert is shown). */
  onError?: (e: unknown) => void;
}): HTMLElement {
  const root = h('div', { class: 'paged' });
  const tbody = h('tbody');
  const messages = messageArea();
  const more = h('button', { type: 'button', class: 'button' }, opts.moreLabel ?? 'Load more');
  let cursor: string | undefined;
  let count = 0;

  const tableEl = h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      null,
      h('caption', { class: 'sr-only' }, opts.caption),
      h('thead', null, h('tr', null, opts.headers.map((t) => h('th', { scope: 'col' }, t)))),
      tbody,
    ),
  );

  async function next(): Promise<void> {
    try {
      const page = await opts.load(cursor);
      for (const item of page.items) tbody.appendChild(opts.row(item));
      count += page.items.length;
      cursor = page.nextCursor ?? undefined;
      messages.show(null);
      render();
    } catch (e) {
      messages.show(errorAlert(e));
      if (count === 0) replace(root, messages);
      opts.onError?.(e);
    }
  }

  function render(): void {
    if (count === 0) {
      replace(root, messages, h('p', { class: 'empty' }, opts.empty));
      return;
    }
    replace(root, messages, tableEl, cursor ? h('div', { class: 'actions' }, more) : null);
  }

  more.addEventListener('click', () => void busy(more, next));
  replace(root, loading());
  void next();
  return root;
}
