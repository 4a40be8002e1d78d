// A fake Forge Node.js runtime under the real `@forge/*` SDKs.
//
// The Forge build's glue imports `@forge/kvs`, `@forge/api`, `@forge/events`
// and `@forge/resolver` and calls them exactly as on Forge. Those packages,
// unchanged, reach the platform through two globals the Forge runtime
// provides: `__forge_fetch__(target, path, init)` (the egress proxy every
// product, storage and queue call goes through) and `__forge_runtime__`
// (app context, metrics, remaining time). This module provides both, in
// memory and on 127.0.0.1:
//
// - storage: `{ type: 'kvs' }` calls go to KvsBackend (kvs-backend.mjs), which
//   enforces Forge's documented key rules and value, page and transaction limits;
// - Jira: `{ type: 'fpp', remote: 'jira' }` (requestJira as app or user) is
//   forwarded to the Rust Jira simulator of `aigis up --test-bridge`
//   (`POST /api/host/bridge/jira`); there is no Jira simulator in JavaScript;
// - queues: `/webhook/queue/publish/...` (`new Queue().push`) is recorded in
//   `platform.queue` and answered 201 (accepted whole);
// - egress (`fetch` of @forge/api is the global fetch): refused unless the host
//   is in manifest.yml's egress list, and even then answered with a network
//   error, as the local host does without a route;
// - time: `Date` is replaced by a virtual clock (`platform.clock.set(ms)`):
//   `Date.now()` and `new Date()` read it, so the glue's `now-millis` and the
//   SDKs see the scenario's time. Real time is `platform.realNow()`;
// - randomness: with a `seed`, `crypto.getRandomValues` (what the build's
//   `wasi:random` draws from) is the seeded ChaCha20 stream of chacha20.mjs,
//   the same bytes as the wasmtime host's `Host::open_seeded`; `reseed(n)`
//   restarts it. Without a seed it stays the OS's.
//
// Every call returns a Promise, as on Forge.

import { KvsBackend } from './kvs-backend.mjs';
import { SeededRandom } from './chacha20.mjs';

const RealDate = globalThis.Date;
/** The real fetch, for the runner's own calls to 127.0.0.1 (the global one is the fake egress). */
export const realFetch = globalThis.fetch;

/** The virtual clock behind `Date`. */
export class VirtualClock {
  constructor(ms = RealDate.now()) {
    this.ms = ms;
  }
  now() {
    return this.ms;
  }
  set(ms) {
    this.ms = ms;
  }
}

function installDate(clock) {
  class VirtualDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(clock.now());
      else super(...args);
    }
    static now() {
      return clock.now();
    }
  }
  globalThis.Date = VirtualDate;
}

const NO_BODY = new Set([101, 204, 205, 304]);

function response(status, body, headers = {}) {
  const text = body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body);
  return new Response(NO_BODY.has(status) ? null : text, {
    status,
    headers: text !== null && typeof body !== 'string' ? { 'content-type': 'application/json', ...headers } : headers,
  });
}

function headerPairs(h) {
  if (!h) return [];
  if (typeof h.forEach === 'function' && !Array.isArray(h)) {
    const out = [];
    h.forEach((v, k) => out.push([k, String(v)]));
    return out;
  }
  if (Array.isArray(h)) return h.map(([k, v]) => [String(k), String(v)]);
  return Object.entries(h).map(([k, v]) => [k, String(v)]);
}

export class Platform {
  /**
   * `entities`: manifest.yml `app.storage.entities`; `egressHosts`: its
   * `permissions.external.fetch.backend` addresses; `bridge`: `{ url, token }`
   * of `aigis up --test-bridge`; `cloudId`: the site's; `seed`: the seed of
   * `crypto.getRandomValues` once installed (none: the OS's).
   */
  constructor({ entities = [], egressHosts = [], bridge, cloudId = 'conformance', appId = 'aigis', seed } = {}) {
    this.kvs = new KvsBackend(entities);
    this.egressHosts = egressHosts;
    this.bridge = bridge;
    this.cloudId = cloudId;
    this.appId = appId;
    this.clock = new VirtualClock();
    this.queue = [];
    this.random = seed === undefined ? null : new SeededRandom(seed);
    this.jiraCalls = 0;
    /** The running invocation: `{ accountId, startedAt, timeoutMs }`. */
    this.current = null;
  }

  /** Restarts the seeded stream of `crypto.getRandomValues` at `seed`. */
  reseed(seed) {
    this.random = new SeededRandom(seed);
  }

  realNow() {
    return RealDate.now();
  }

  /** Runs `fn` as one invocation (as `accountId` for resolvers): asUser() acts for it. */
  async invocation({ accountId, timeoutMs = 25_000, moduleKey } = {}, fn) {
    const prev = this.current;
    this.current = { accountId, timeoutMs, moduleKey, startedAt: this.realNow() };
    try {
      return await fn();
    } finally {
      this.current = prev;
    }
  }

  /** Calls the bridge of `aigis up --test-bridge` (real fetch, 127.0.0.1 only). */
  async callBridge(name, body) {
    if (!this.bridge) throw new Error('no test bridge configured');
    const res = await realFetch(`${this.bridge.url}/api/host/bridge/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-aigis-bridge-token': this.bridge.token },
      body: JSON.stringify(body ?? {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`bridge ${name}: HTTP ${res.status}: ${text}`);
    return JSON.parse(text);
  }

  /** Jira through the Rust simulator: `as` null for the app, else an account id. */
  async jira(as, method, path, headers = [], body) {
    this.jiraCalls += 1;
    return this.callBridge('jira', { as: as ?? null, method, path, headers, body: body ?? null });
  }

  async forgeFetch(target, path, init = {}) {
    const body = init.body === undefined || init.body === null ? undefined : String(init.body);
    if (target && target.type === 'kvs') {
      const out = this.kvs.handle(path, body === undefined ? {} : JSON.parse(body));
      return response(out.status, out.body);
    }
    if (target && target.type === 'fpp' && target.remote === 'jira') {
      let as = null;
      if (target.provider === 'user') {
        as = target.accountId ?? (this.current && this.current.accountId);
        if (!as) {
          return response(401, { message: 'asUser() outside a user invocation' }, { 'forge-proxy-error': 'NEEDS_AUTHENTICATION_ERR' });
        }
      }
      const r = await this.jira(as, (init.method || 'GET').toUpperCase(), path, headerPairs(init.headers), body);
      return response(r.status, r.body, Object.fromEntries(r.headers.filter(([k]) => k.toLowerCase() !== 'content-length')));
    }
    if (target && target.type === 'fpp' && typeof path === 'string' && path.startsWith('/webhook/queue/publish/')) {
      const req = JSON.parse(body);
      this.queue.push({ queueName: req.queueName, jobId: req.jobId, events: req.payload, time: req.time });
      return response(201, {});
    }
    return response(403, { message: `the conformance runtime does not serve ${JSON.stringify(target)} ${path}` }, { 'forge-proxy-error': 'NOT_ALLOWED' });
  }

  async egressFetch(url, init) {
    const u = new URL(typeof url === 'string' ? url : url.url ?? String(url));
    const allowed = this.egressHosts.some((a) => {
      const host = a.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
      return host.startsWith('*.') ? u.hostname.endsWith(host.slice(1)) : u.hostname === host;
    });
    if (!allowed) throw Object.assign(new Error(`URL not included in the external fetch backend permissions: ${u.hostname}`), { name: 'ExternalEndpointNotAllowedError' });
    void init;
    throw new TypeError(`fetch failed: no route to ${u.hostname} in the conformance runtime`);
  }

  /** Installs the runtime's globals. Call before the SDKs are first imported. */
  install() {
    installDate(this.clock);
    if (this.random) {
      // `globalThis.crypto` is node:crypto's `webcrypto`, which the build's wasi.js imports.
      const osRandom = globalThis.crypto.getRandomValues.bind(globalThis.crypto);
      Object.defineProperty(globalThis.crypto, 'getRandomValues', {
        configurable: true,
        writable: true,
        value: (array) => (this.random ? this.random.getRandomValues(array) : osRandom(array)),
      });
    }
    globalThis.fetch = (url, init) => this.egressFetch(url, init);
    globalThis.__forge_fetch__ = (target, path, init) => this.forgeFetch(target, path, init);
    const noop = () => ({ incr() {}, measure: () => ({ stop() {} }) });
    const self = this;
    globalThis.__forge_runtime__ = {
      appContext: {
        appId: this.appId,
        appVersion: '0.1.0',
        environmentId: 'conformance',
        environmentType: 'DEVELOPMENT',
        get invocationId() {
          return `inv-${self.kvs.calls}`;
        },
        installationId: 'conformance',
        get moduleKey() {
          return self.current && self.current.moduleKey;
        },
        permissions: { scopes: [], external: {} },
      },
      lambdaContext: {
        getRemainingTimeInMillis: () =>
          this.current ? Math.max(0, this.current.startedAt + this.current.timeoutMs - this.realNow()) : 25_000,
      },
      metrics: { counter: noop, timing: noop, gauge: noop },
      tracing: { traceId: 'conformance', spanId: 'conformance' },
      proxy: { token: 'conformance' },
    };
  }
}
