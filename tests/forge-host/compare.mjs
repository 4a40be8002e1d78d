#!/usr/bin/env node
// Compares the two transcripts of every scenario (target/conformance/
// <name>.wasmtime.jsonl and <name>.forge.jsonl): prints the first lines that
// differ and "conformance: N passed, M failed" (scenarios), and exits non-zero
// unless every pair is byte-identical.
//
//   node tests/forge-host/compare.mjs [--out target/conformance]

import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const i = process.argv.indexOf('--out');
const out = i > 0 ? path.resolve(process.argv[i + 1]) : path.join(repo, 'target/conformance');
const names = readdirSync(path.join(repo, 'tests/scenarios'))
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => f.slice(0, -'.json'.length));

let passed = 0;
let failed = 0;
for (const name of names) {
  const files = ['wasmtime', 'forge'].map((h) => path.join(out, `${name}.${h}.jsonl`));
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) {
    console.error(`${name}: missing ${missing.join(', ')}`);
    failed += 1;
    continue;
  }
  const [a, b] = files.map((f) => readFileSync(f, 'utf8'));
  if (a === b) {
    passed += 1;
    continue;
  }
  failed += 1;
  const la = a.split('\n');
  const lb = b.split('\n');
  let shown = 0;
  for (let n = 0; n < Math.max(la.length, lb.length) && shown < 5; n++) {
    if (la[n] !== lb[n]) {
      console.error(`${name}: line ${n + 1} differs\n  wasmtime: ${la[n] ?? '<none>'}\n  forge:    ${lb[n] ?? '<none>'}`);
      shown += 1;
    }
  }
}
console.log(`conformance: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
