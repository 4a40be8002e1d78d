// Light and dark through the Atlassian design tokens. `view.theme.enable()`
// asks the host to theme this iframe: Forge's host (and the local site's
// bridge emulation, which does what it does) marks the mode on <html>
// (`data-color-mode`, `data-theme`) and supplies the token themes, following
// the viewer's Jira theme. Components style themselves with tokens only
// (`var(--ds-…)` in CSS, Atlaskit components); nothing here loads a theme of
// its own, which keeps the bundles small.

import { view } from '@forge/bridge';
import type { ColorMode, ModuleContext } from './context';
import { colorModeOf } from './context';
import './base.css';

/** The mode the host put on the page, if any. */
export function modeOnPage(): ColorMode | null {
  if (typeof document === 'undefined') return null;
  const m = document.documentElement.getAttribute('data-color-mode');
  return m === 'dark' || m === 'light' ? m : null;
}

/**
 * Enables theming for this module and answers the mode in force: the host's
 * when it set one, the context's otherwise. Never throws: an unthemed panel
 * still works (its CSS has light fallbacks).
 */
export async function enableTheme(ctx: ModuleContext): Promise<ColorMode> {
  try {
    await view.theme.enable();
  } catch {
    /* a host without theming: the context's mode below */
  }
  return modeOnPage() ?? colorModeOf(ctx);
}
