// Injected by the local host into every module page, before the module's
// own scripts: sets `window.__bridge` as Forge's host does for a Custom UI
// iframe, talking to the shell window that frames the page.
import { installBridge, type Bridge } from './child';

const shell = window.parent;
const origin = window.location.origin;
if (shell === window) {
  console.warn('Aigis bridge emulation: this page is not framed by the local site, so bridge calls will not be answered.');
}
(globalThis as { __bridge?: Bridge }).__bridge = installBridge({
  post: (msg) => shell.postMessage(msg, origin),
  subscribe: (fn) =>
    window.addEventListener('message', (e) => {
      if (e.source === shell && e.origin === origin) fn(e.data);
    }),
  document,
  themeBase: '/bridge-emulation/themes/',
});
