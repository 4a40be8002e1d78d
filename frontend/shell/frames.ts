// Module iframes: each Custom UI resource framed as Forge frames it (same
// sandbox flags, sized to its content), its bridge calls answered by one
// BridgeHost for the page.

import { BridgeHost, type FlagOptions, type FrameSpec } from '../bridge-emulation/host';
import type { HistoryLocation } from '../bridge-emulation/protocol';
import { h } from './dom';
import type { Flags } from './flags';
import { urlForTarget } from './routes';
import type { Site, UiModule } from './site';

/** The sandbox of Forge's Custom UI iframe. */
const SANDBOX = 'allow-downloads allow-forms allow-modals allow-pointer-lock allow-same-origin allow-scripts';

export interface MountOptions {
  /** For a global/admin page: the page's base path and the module's part of the URL. */
  history?: { base: string };
  /** For the request-create property panel: its `view.submit` form data. */
  onSubmit?: (payload: unknown) => void;
}

interface Framed {
  iframe: HTMLIFrameElement;
  spec: FrameSpec;
  options: MountOptions;
}

let frameCount = 0;

export class Frames {
  private readonly host: BridgeHost;
  private framed: Framed[] = [];

  constructor(
    private readonly site: Site,
    private readonly go: (url: string) => void,
    private readonly flags: Flags,
  ) {
    this.host = new BridgeHost({
      origin: window.location.origin,
      cloudId: site.info.cloudId,
      siteUrl: site.info.siteUrl || window.location.origin,
      viewer: () => site.viewer,
      colorMode: () => site.colorMode,
      fetch: (input, init) => window.fetch(input, init),
      submit: (spec, payload) => this.byId(spec)?.options.onSubmit?.(payload),
      navigate: (url, newTab) => {
        if (newTab) window.open(url, '_blank', 'noopener');
        else this.go(url);
      },
      urlFor: (loc) => urlForTarget(loc, (key) => this.moduleUrl(key)),
      showFlag: (_spec, flag: FlagOptions) => this.flags.show(flag),
      closeFlag: (id) => this.flags.close(id),
      resize: (spec, height) => {
        const f = this.byId(spec);
        if (f) f.iframe.height = String(Math.max(height, 24));
      },
      history: {
        get: (spec) => this.location(spec),
        push: (spec, l) => this.moveUrl(spec, l, false),
        replace: (spec, l) => this.moveUrl(spec, l, true),
        go: (_spec, delta) => window.history.go(delta),
      },
      reload: () => window.location.reload(),
    });
    window.addEventListener('message', (e) => {
      if (e.origin !== window.location.origin) return;
      void this.host.receive(e.source, e.data);
    });
  }

  /** The site URL of a global/admin page module. */
  moduleUrl(key: string): string | null {
    const m = this.site.module(key);
    if (m?.type === 'jira:globalPage') return `/jira/apps/aigis/${key}`;
    if (m?.type === 'jira:adminPage') return `/jira/settings/apps/aigis/${key}`;
    return null;
  }

  private byId(spec: FrameSpec): Framed | undefined {
    return this.framed.find((f) => f.spec.localId === spec.localId);
  }

  private location(spec: FrameSpec): HistoryLocation {
    const f = this.byId(spec);
    const base = f?.options.history?.base;
    if (!base) return { pathname: '/', search: '', hash: '' };
    const rest = window.location.pathname.slice(base.length);
    return { pathname: rest === '' ? '/' : rest, search: window.location.search, hash: window.location.hash };
  }

  private moveUrl(spec: FrameSpec, l: HistoryLocation, replace: boolean): void {
    const base = this.byId(spec)?.options.history?.base;
    if (!base) return;
    const path = l.pathname === '/' ? '' : l.pathname;
    const url = `${base}${path}${l.search ?? ''}${l.hash ?? ''}`;
    if (replace) window.history.replaceState({ aigis: true }, '', url);
    else window.history.pushState({ aigis: true }, '', url);
    window.dispatchEvent(new CustomEvent('aigis:location'));
  }

  /** The URL moved (back/forward or a sidebar link) within a framed global/admin page. */
  popped(): void {
    for (const f of this.framed) {
      if (f.options.history && f.iframe.contentWindow) this.host.historyPopped(f.iframe.contentWindow, this.location(f.spec));
    }
  }

  /** Forget every frame (the page is being replaced). */
  clear(): void {
    this.framed = [];
  }

  themeChanged(): void {
    this.host.themeChanged();
  }

  /** An iframe of `module`'s resource, framed as `moduleType` with `extension`. */
  mount(
    module: Pick<UiModule, 'key' | 'resource' | 'title'>,
    moduleType: string,
    extension: Record<string, unknown>,
    options: MountOptions = {},
  ): HTMLIFrameElement {
    frameCount += 1;
    const spec: FrameSpec = {
      moduleKey: module.key,
      moduleType,
      extension,
      localId: `${module.key}-${frameCount}`,
    };
    const iframe = h('iframe', {
      class: 'module-frame',
      title: module.title ?? module.key,
      sandbox: SANDBOX,
      'data-module-key': module.key,
      'data-local-id': spec.localId,
      height: '120',
    });
    this.framed.push({ iframe, spec, options });
    iframe.src = `/modules/${encodeURIComponent(module.resource)}/index.html`;
    // Attached as soon as the iframe is in the document (its WindowProxy
    // outlives the navigation), so the page's first bridge call is answered.
    this.attach(iframe, spec);
    return iframe;
  }

  private attach(iframe: HTMLIFrameElement, spec: FrameSpec): void {
    // contentWindow exists once the iframe is in the document; poll until then.
    const tryAttach = (): void => {
      const win = iframe.contentWindow;
      if (!win) {
        requestAnimationFrame(tryAttach);
        return;
      }
      this.host.attach(win, spec, (msg) => win.postMessage(msg, window.location.origin));
    };
    tryAttach();
  }
}
