#!/usr/bin/env node
// The conformance scenarios (tests/scenarios/*.json) on the Forge build
// (dist/forge, `make forge`) under Node 24, with the real `@forge/*` SDKs on
// the in-memory Forge runtime of platform.mjs and the Rust Jira simulator of
// `aigis up --test-bridge`.
//
//   node tests/forge-host/run.mjs [--dist dist/forge] [--aigis target/debug/aigis]
//        [--components-dir target/wasm32-wasip2/wasm] [--out target/conformance]
//        [scenario.json ...]
//
// Per scenario: a fresh `aigis up --test-bridge --seed-jira --random-seed 1`
// on a temporary state dir (the Jira site; no app data), a fresh in-memory
// storage, `crypto.getRandomValues` restarted at seed 1 (the wasmtime host's
// seeded stream), the virtual clock at the scenario's `start`; writes the raw
// outcomes to `<out>/<name>.forge.raw.jsonl`. It judges nothing: the Rust side
// (crates/aigis-host/tests/scenarios/golden.rs) checks every `expect` and the
// transcript against tests/scenarios/<name>.expected.jsonl. Exits non-zero
// only when it cannot run.
//
// Time: the glue reads `Date.now()`. platform.mjs replaces `Date` with a
// virtual clock before the build is imported; a `sweep` step sets it (and, via
// the bridge, the simulator's clock) to the sweep's time for the run and back
// afterwards; a `clock` step moves both for good.

import { spawn } from 'node:child_process';
import { createRequire, registerHooks, register } from 'node:module';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { Platform, realFetch } from './platform.mjs';
import { resolveSync, loadSync } from './hooks.mjs';
import { interpolate, applySaves, parseAt, plainText } from './scenario.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

/** The seed of both hosts' randomness (golden::SEED in crates/aigis-host/tests/scenarios/golden.rs). */
const SEED = 1;

function args() {
  const a = process.argv.slice(2);
  const opts = {
    dist: path.join(repo, 'dist/forge'),
    aigis: path.join(repo, 'target/debug/aigis'),
    componentsDir: path.join(repo, 'target/wasm32-wasip2/wasm'),
    out: path.join(repo, 'target/conformance'),
    manifest: path.join(repo, 'manifest.yml'),
    files: [],
  };
  for (let i = 0; i < a.length; i++) {
    const flag = { '--dist': 'dist', '--aigis': 'aigis', '--components-dir': 'componentsDir', '--out': 'out', '--manifest': 'manifest' }[a[i]];
    if (flag) opts[flag] = path.resolve(a[++i]);
    else opts.files.push(path.resolve(a[i]));
  }
  if (opts.files.length === 0) {
    const dir = path.join(repo, 'tests/scenarios');
    opts.files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => path.join(dir, f));
  }
  return opts;
}

// ---- the manifest: which export serves what -----------------------------------

function loadManifest(file) {
  const requireFromForge = createRequire(path.join(repo, 'forge/package.json'));
  const YAML = requireFromForge('yaml');
  const m = YAML.parse(readFileSync(file, 'utf8'));
  const functions = Object.fromEntries((m.modules.function || []).map((f) => [f.key, f]));
  const handler = (fnKey) => {
    const f = functions[fnKey];
    if (!f) throw new Error(`manifest.yml: no function ${fnKey}`);
    const [component, exportName] = f.handler.split('.');
    return { component, exportName, timeoutMs: (f.timeoutSeconds || 25) * 1000 };
  };
  const uiModules = Object.entries(m.modules)
    .filter(([, list]) => Array.isArray(list))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) // as aigis_host::Manifest (BTreeMap)
    .flatMap(([type, list]) => list.filter((x) => x.resolver && x.resolver.function).map((x) => ({ type, ...x })));
  return {
    entities: (m.app && m.app.storage && m.app.storage.entities) || [],
    egressHosts: ((m.permissions && m.permissions.external && m.permissions.external.fetch && m.permissions.external.fetch.backend) || []).map((b) =>
      typeof b === 'string' ? b : b.address,
    ),
    resolverModule: uiModules[0],
    // As the wasmtime host picks it (Host::resolver_module_for): by key, else by the extension's type, else the first.
    resolverModuleFor: (key, extension) =>
      (key ? uiModules.find((u) => u.key === key) : extension && uiModules.find((u) => u.type === extension.type)) || uiModules[0],
    resolver: uiModules[0] && handler(uiModules[0].resolver.function),
    triggers: (event) => (m.modules.trigger || []).filter((t) => (t.events || []).includes(event)).map((t) => ({ key: t.key, ...handler(t.function) })),
    scheduled: (key) => {
      const s = (m.modules.scheduledTrigger || []).find((t) => t.key === key || t.function === key);
      if (!s) throw new Error(`manifest.yml: no scheduledTrigger ${key}`);
      return { key: s.key, ...handler(s.function) };
    },
  };
}

// ---- the local host (Jira simulator behind the bridge) -------------------------

async function startHost(opts) {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'aigis-conformance-'));
  const child = spawn(
    opts.aigis,
    ['--state-dir', stateDir, '--components-dir', opts.componentsDir, '--manifest', opts.manifest, 'up', '--port', '0', '--test-bridge', '--seed-jira', '--random-seed', String(SEED)],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' } },
  );
  // Never leave a host behind, whatever ends this process.
  const reap = () => child.exitCode === null && child.kill('SIGKILL');
  process.once('exit', reap);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`aigis up did not start in 60 s:\n${stderr}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /Aigis is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`aigis up exited with ${code}:\n${stderr}`));
    });
  });
  const token = readFileSync(path.join(stateDir, 'bridge.token'), 'utf8').trim();
  const health = await (await realFetch(`${url}/api/host/health`)).json();
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    process.removeListener('exit', reap);
    rmSync(stateDir, { recursive: true, force: true });
  };
  return { url, token, cloudId: health.cloudId, stop };
}

// ---- one scenario ---------------------------------------------------------------

class Run {
  constructor({ platform, build, manifest, site, start }) {
    this.platform = platform;
    this.build = build;
    this.manifest = manifest;
    this.site = site;
    this.start = start;
    this.now = start;
    this.vars = {};
    this.accounts = new Map();
  }

  async account(who) {
    const email = who.includes('@') ? who : `${who}@aigis.example`;
    if (!this.accounts.has(email)) {
      const r = await this.platform.jira(null, 'GET', `/rest/api/3/user/search?query=${encodeURIComponent(email)}`);
      const found = (JSON.parse(r.body) || []).find((u) => (u.emailAddress || '').toLowerCase() === email.toLowerCase());
      if (!found) throw new Error(`no simulator user ${email}`);
      this.accounts.set(email, found.accountId);
    }
    return this.accounts.get(email);
  }

  async setClock(ms) {
    this.platform.clock.set(ms);
    await this.platform.callBridge('clock', { at: ms });
  }

  async jira(as, method, p, body) {
    const r = await this.platform.jira(as, method, p, [['Content-Type', 'application/json']], body === undefined ? undefined : JSON.stringify(body));
    let parsed;
    try {
      parsed = JSON.parse(r.body);
    } catch {
      parsed = r.body;
    }
    return { status: r.status, body: parsed };
  }

  exportOf(h) {
    const mod = this.build[h.component];
    const fn = mod && mod[h.exportName];
    if (typeof fn !== 'function') throw new Error(`dist/forge/src/${h.component}.js has no export ${h.exportName}`);
    return fn;
  }

  async step(step) {
    const s = (k) => (typeof step[k] === 'string' ? step[k] : '');
    switch (step.do) {
      case 'invoke': {
        const accountId = await this.account(s('as'));
        const mod = this.manifest.resolverModuleFor(step.module, step.extension);
        const h = this.manifest.resolver;
        const context = {
          accountId,
          cloudId: this.platform.cloudId,
          localId: `${mod.key}-local`,
          moduleKey: mod.key,
          siteUrl: this.site,
          extension: { ...(step.extension ?? {}), type: mod.type },
        };
        const call = { functionKey: s('key'), payload: step.payload ?? {} };
        const runtimePayload = { principal: { accountId }, installContext: `ari:cloud:jira::site/${this.platform.cloudId}` };
        try {
          const out = await this.platform.invocation({ accountId, timeoutMs: h.timeoutMs, moduleKey: mod.key }, () =>
            this.exportOf(h)({ call, context }, runtimePayload),
          );
          if (out && typeof out === 'object' && out.error && typeof out.error === 'object' && 'code' in out.error) return [false, out.error];
          return [true, out ?? null];
        } catch (e) {
          return [false, errorOf(e)];
        }
      }
      case 'fileRequest': {
        const tool = s('tool');
        const body = {
          fields: { project: { key: step.project ?? 'AIR' }, issuetype: { name: 'Service Request' }, summary: `${tool} please` },
          properties: [{ key: 'aigis.snapshot.v1', value: { toolId: tool, purpose: step.purpose ?? 'Drafting customer replies', durationDays: step.days ?? 30 } }],
        };
        const r = await this.jira(await this.account(s('as')), 'POST', '/rest/api/3/issue', body);
        const out = { status: r.status, id: r.body.id ?? null, key: r.body.key ?? null };
        if (typeof step.save === 'string') {
          this.vars[step.save] = out.id;
          this.vars[`${step.save}.key`] = out.key;
        }
        return [r.status === 201, out];
      }
      case 'deliverEvents': {
        const times = step.twice === true ? 2 : 1;
        const { events } = await this.platform.callBridge('events');
        let delivered = 0;
        let failed = 0;
        for (const ev of events) {
          const triggers = this.manifest.triggers(ev.eventType);
          let allOk = triggers.length > 0;
          for (let n = 0; n < times; n++) {
            for (const t of triggers) {
              const context = { cloudId: this.platform.cloudId, moduleKey: t.key, installContext: `ari:cloud:jira::site/${this.platform.cloudId}` };
              try {
                await this.platform.invocation({ timeoutMs: t.timeoutMs, moduleKey: t.key }, () => this.exportOf(t)(structuredClone(ev.payload), context));
              } catch (e) {
                allOk = false;
                process.stderr.write(`trigger ${t.key} failed: ${e && e.message}\n`);
              }
            }
          }
          if (allOk) delivered += 1;
          else failed += 1;
        }
        return [failed === 0, { delivered, failed }];
      }
      case 'sweep': {
        const at = typeof step.at === 'string' ? parseAt(step.at, this.now) : this.now;
        const h = this.manifest.scheduled(s('key'));
        const context = { cloudId: this.platform.cloudId, moduleKey: h.key };
        await this.setClock(at);
        try {
          const out = await this.platform.invocation({ timeoutMs: h.timeoutMs, moduleKey: h.key }, () => this.exportOf(h)({ context }, context));
          return [true, typeof out === 'string' ? JSON.parse(out) : (out ?? null)];
        } catch (e) {
          return [false, { error: e && e.message ? e.message : String(e) }];
        } finally {
          await this.setClock(this.now);
        }
      }
      case 'clock': {
        this.now = parseAt(s('at'), this.now);
        await this.setClock(this.now);
        return [true, { now: this.now }];
      }
      case 'jira': {
        const as = typeof step.as === 'string' ? await this.account(step.as) : null;
        const r = await this.jira(as, s('method'), s('path'), step.body);
        return [r.status >= 200 && r.status < 300, { status: r.status, body: r.body }];
      }
      case 'comments': {
        const r = await this.jira(null, 'GET', `/rest/api/3/issue/${s('issue')}/comment`);
        const texts = ((r.body && r.body.comments) || []).map((c) => plainText(c.body));
        return [r.status === 200, { count: texts.length, texts }];
      }
      case 'count': {
        const where = step.where || {};
        const n = this.platform.kvs
          .entityValues(s('entity'))
          .filter((v) => Object.entries(where).every(([k, want]) => JSON.stringify(v[k]) === JSON.stringify(want))).length;
        return [true, n];
      }
      default:
        throw new Error(`unknown step kind ${JSON.stringify(step.do)}`);
    }
  }
}

/** A resolver's error as thrown by the glue (`err.aigis`) or embedded in a message. */
function errorOf(e) {
  if (e && e.aigis && typeof e.aigis === 'object') return e.aigis;
  const text = e && e.message ? String(e.message) : String(e);
  try {
    const v = JSON.parse(text);
    if (v && typeof v === 'object' && 'code' in v) return v;
  } catch {
    const a = text.indexOf('{');
    const b = text.lastIndexOf('}');
    if (a >= 0 && b > a) {
      try {
        const v = JSON.parse(text.slice(a, b + 1));
        if (v && typeof v === 'object' && 'code' in v) return v;
      } catch {
        // not JSON
      }
    }
  }
  return { code: 'internal', message: text };
}

async function runScenario(file, opts, manifest, platform, build) {
  const scenario = JSON.parse(readFileSync(file, 'utf8'));
  const start = Date.parse(scenario.start ?? '2026-11-23T08:00:00Z');
  const host = await startHost(opts);
  const lines = [JSON.stringify({ host: 'forge', scenario: path.basename(file, '.json'), site: host.url })];
  let errors = 0;
  try {
    platform.reset({ bridge: { url: host.url, token: host.token }, cloudId: host.cloudId });
    const run = new Run({ platform, build, manifest, site: host.url, start });
    await run.setClock(start);
    for (const [i, raw] of (scenario.steps || []).entries()) {
      if (!('do' in raw)) continue;
      const step = interpolate(raw, run.vars);
      let ok;
      let out;
      try {
        [ok, out] = await run.step(step);
      } catch (e) {
        errors += 1;
        [ok, out] = [false, { error: `runner: ${e && e.stack ? e.stack : e}` }];
        process.stderr.write(`${path.basename(file)} step ${i}: runner: ${e && e.stack ? e.stack : e}\n`);
      }
      // A value that cannot be kept fails the step when judged.
      applySaves(step, out, run.vars);
      lines.push(JSON.stringify({ step: i, do: step.do, ok, out: out ?? null }));
    }
  } finally {
    await host.stop();
  }
  return { lines, steps: lines.length - 1, errors };
}

async function main() {
  const opts = args();
  // JSPI: on by default in the pinned Node 24.22; the build's own
  // src/jspi.js checks for it at start-up, as it does on Forge.
  for (const f of ['resolvers.js', 'triggers.js', 'sweeps.js']) {
    if (!existsSync(path.join(opts.dist, 'src', f))) {
      console.error(`forge: ${path.join(opts.dist, 'src', f)} is missing: run \`make forge\``);
      process.exit(2);
    }
  }
  if (!existsSync(opts.aigis)) {
    console.error(`forge: ${opts.aigis} is missing: run \`make host\``);
    process.exit(2);
  }
  const manifest = loadManifest(opts.manifest);
  const platform = new Platform({ entities: manifest.entities, egressHosts: manifest.egressHosts, seed: SEED });
  platform.reset = function reset({ bridge, cloudId }) {
    const fresh = new Platform({ entities: manifest.entities, egressHosts: manifest.egressHosts, bridge, cloudId });
    this.kvs = fresh.kvs;
    this.queue = [];
    this.bridge = bridge;
    this.cloudId = cloudId;
    this.current = null;
    this.reseed(SEED);
  };
  platform.install();
  if (typeof registerHooks === 'function') registerHooks({ resolve: resolveSync, load: loadSync });
  else register(pathToFileURL(path.join(here, 'hooks.mjs')));
  const build = {};
  for (const c of ['resolvers', 'triggers', 'sweeps']) build[c] = await import(pathToFileURL(path.join(opts.dist, 'src', `${c}.js`)).href);

  mkdirSync(opts.out, { recursive: true });
  let steps = 0;
  let errors = 0;
  for (const file of opts.files) {
    const name = path.basename(file, '.json');
    const r = await runScenario(file, opts, manifest, platform, build);
    writeFileSync(path.join(opts.out, `${name}.forge.raw.jsonl`), `${r.lines.join('\n')}\n`);
    steps += r.steps;
    errors += r.errors;
  }
  console.log(`forge: ${steps} steps run in ${opts.files.length} scenarios (${errors} runner errors); outcomes in ${opts.out}`);
  process.exit(0);
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
