// Light and dark through the Atlassian design tokens: `view.theme.enable()`
// asks the host (Jira, or the local site) to theme this iframe, and the token
// themes are loaded for the mode in force. The host marks the mode on <html>
// (`data-color-mode`); a change there (the viewer switched Jira's theme) loads
// the other theme. Components style themselves with `token(...)` only.

import { view } from '@forge/bridge';
import { setGlobalTheme } from '@atlaskit/tokens/set-global-theme';
import type { ColorMode, ModuleContext } from './context';
import { colorModeOf } from './context';
import './base.css';

function modeOnPage(): ColorMode | null {
  if (typeof document === 'undefined') return null;
  const m = document.documentElement.getAttribute('data-color-mode');
  return m === 'dark' || m === 'light' ? m : null;
}

let applied: ColorMode | null = null;

async function apply(mode: ColorMode): Promise<void> {
  if (applied === mode) return;
  applied = mode;
  await setGlobalTheme({ colorMode: mode, light: 'light', dark: 'dark' });
}

/**
 * Enables theming for this module: the host's theme when it sets one, the
 * context's color mode otherwise. Never throws: an unthemed panel still works.
 */
export async function enableTheme(ctx: ModuleContext): Promise<ColorMode> {
  try {
    await view.theme.enable();
  } catch {
    /* a host without theming: the context's mode below */
  }
  const mode = modeOnPage() ?? colorModeOf(ctx);
  try {
    await apply(mode);
  } catch {
    /* the token CSS could not load: components fall back to their defaults */
  }
  if (typeof MutationObserver !== 'undefined' && typeof document !== 'undefined') {
    new MutationObserver(() => {
      const next = modeOnPage();
      if (next) void apply(next).catch(() => undefined);
    }).observe(document.documentElement, { attributes: true, attributeFilter: ['data-color-mode'] });
  }
  return mode;
}
