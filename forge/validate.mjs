// make validate-manifest: validates the Forge build (dist/forge) offline with
// Atlassian's own packages, as `forge lint` would but without a login:
//   - @forge/manifest: the processor with FULL and PRODUCT_TRIGGER validation
//     (schema, modules, resources, permissions, storage entities, runtime,
//     and the scopes each product trigger's events need);
//   - @forge/lint in client-side mode over every source file, with the Jira
//     platform OpenAPI document as its local swagger (USE_LOCAL_SWAGGER), so
//     each requestJira call site is checked against manifest.yml's scopes.
// Any error or warning fails the run.
//
// Usage: node validate.mjs [dist-dir]   (default ../dist/forge)
// Env:   AIGIS_JIRA_SPEC overrides ../shared/specs/jira-platform-openapi-v3.json
//        (relative to the repository root).

import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const dist = resolve(process.argv[2] || join(repo, 'dist', 'forge'));
const spec = resolve(process.env.AIGIS_JIRA_SPEC || join(repo, '..', 'shared', 'specs', 'jira-platform-openapi-v3.json'));

function fail(msg) {
  console.error(`validate-manifest: ${msg}`);
  process.exit(1);
}
if (!existsSync(join(dist, 'manifest.yml'))) fail(`${dist}/manifest.yml is missing: run make forge`);
if (!existsSync(spec)) fail(`Jira OpenAPI document not found at ${spec} (set AIGIS_JIRA_SPEC)`);

// The lint packages keep a cache and read local swagger files through the
// environment: give them a private config directory, and an empty paths
// document for each product the app does not call (Jira Service Management,
// Jira Software, Confluence, Bitbucket), so nothing is fetched.
const scratch = mkdtempSync(join(tmpdir(), 'aigis-forge-validate-'));
const empty = join(scratch, 'no-paths.json');
writeFileSync(empty, JSON.stringify({ openapi: '3.0.1', paths: {} }));
Object.assign(process.env, {
  XDG_CONFIG_HOME: scratch,
  USE_LOCAL_SWAGGER: 'true',
  LOCAL_JIRA_SWAGGER: spec,
  LOCAL_JSM_SWAGGER: empty,
  LOCAL_JSW_SWAGGER: empty,
  LOCAL_CONF_SWAGGER: empty,
  LOCAL_CONF_V2_SWAGGER: empty,
  LOCAL_BB_SWAGGER: empty,
});

const require = createRequire(import.meta.url);
const { ProcessorBuilder, ValidationTypes } = require('@forge/manifest');
const { lint, problemCount } = require('@forge/lint');

// Runtimes Forge has deprecated (what Atlassian's feature-flag service would answer).
const statsig = { getDeprecatedRuntimes: async () => ['nodejs18.x', 'nodejs20.x', 'nodejs22.x'] };

process.chdir(dist);
const findings = [];
const report = (source, file, f) => {
  const level = f.level || f.class || 'error';
  findings.push(`${source}: ${level} ${file}:${f.line ?? 0}:${f.column ?? 0} ${f.message}${f.reference ? ` (${f.reference})` : ''}`);
};

let manifest;
for (const type of [ValidationTypes.FULL, ValidationTypes.PRODUCT_TRIGGER]) {
  const result = await ProcessorBuilder.instance()
    .withValidation(type)
    .withOptions({ deprecatedRuntimes: await statsig.getDeprecatedRuntimes() })
    .build()
    .process();
  for (const e of result.errors || []) report(`@forge/manifest ${type}`, 'manifest.yml', e);
  if (!result.success && !(result.errors || []).length) findings.push(`@forge/manifest ${type}: failed without a message`);
  if (type === ValidationTypes.FULL) manifest = result.manifestObject?.typedContent ?? result.manifestObject?.yamlContent;
}
if (!manifest) fail(`${findings.join('\n')}\nmanifest.yml could not be read`);

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.(js|mjs|cjs|jsx|ts|tsx)$/.test(name)) files.push(relative(dist, p));
  }
};
walk(join(dist, 'src'));

const quiet = { info() {}, debug() {}, warn: (m) => console.warn(m), error: (m) => console.error(m), trace() {} };
const results = await lint(files, manifest, 'development', quiet, statsig, { linter: { mode: 'client-side' } });
for (const r of results) {
  for (const f of [...r.errors, ...r.warnings, ...r.approvals]) report('@forge/lint', r.file || 'manifest.yml', f);
}
const counts = problemCount(results);
rmSync(scratch, { recursive: true, force: true });

console.log(`validate-manifest: ${relative(repo, dist)} — @forge/manifest full + product-trigger, @forge/lint client-side over ${files.length} files (Jira spec ${spec})`);
if (findings.length) {
  for (const f of findings) console.log(f);
  console.log(`validate-manifest: ${findings.length} findings (lint: ${counts.errors} errors, ${counts.warnings} warnings, ${counts.approvals} approvals)`);
  process.exit(1);
}
console.log('validate-manifest: 0 errors, 0 warnings');
