// Flags drawn by the shell for `showFlag`, as Jira draws them (bottom left).

import type { FlagOptions } from '../bridge-emulation/host';
import { h } from './dom';

const AUTO_DISMISS_MS = 8000;

export class Flags {
  readonly element = h('div', { class: 'flags', role: 'region', 'aria-label': 'Notifications' });

  show(flag: FlagOptions): void {
    this.close(flag.id);
    const type = flag.type ?? 'info';
    const el = h(
      'div',
      { class: `flag flag-${type}`, role: type === 'error' || type === 'warning' ? 'alert' : 'status', 'data-flag-id': String(flag.id) },
      h('div', { class: 'flag-title' }, flag.title ?? ''),
      flag.description ? h('div', { class: 'flag-description' }, flag.description) : null,
      h('button', { type: 'button', class: 'flag-close', 'aria-label': 'Dismiss' }, '×'),
    );
    el.querySelector('button')?.addEventListener('click', () => el.remove());
    this.element.append(el);
    if (flag.isAutoDismiss) setTimeout(() => el.remove(), AUTO_DISMISS_MS);
  }

  close(id: string | number): void {
    for (const el of this.element.querySelectorAll<HTMLElement>('[data-flag-id]')) {
      if (el.dataset.flagId === String(id)) el.remove();
    }
  }

  /** A flag of the shell's own. */
  error(title: string, description?: string): void {
    this.show({ id: `shell-${Date.now()}`, title, description, type: 'error' });
  }
}
