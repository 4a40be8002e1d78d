// Builds the UI into dist/ (relative asset paths: Forge serves it from a sub-path)
// or, with --tests, the unit tests into .test-out/ for `node --test`.
import { build } from 'esbuild';
import { cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tests = process.argv.includes('--tests');

if (tests) {
  const out = join(here, '.test-out');
  await rm(out, { recursive: true, force: true });
  const dir = join(here, 'tests', 'unit');
  const entryPoints = (await readdir(dir)).filter((f) => f.endsWith('.test.ts')).map((f) => join(dir, f));
  await build({
    entryPoints,
    outdir: out,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
} else {
  const out = join(here, 'dist');
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await build({
    entryPoints: [join(here, 'src', 'main.ts')],
    outdir: out,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    sourcemap: true,
    chunkNames: 'chunks/[name]-[hash]',
    legalComments: 'linked',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  await cp(join(here, 'index.html'), join(out, 'index.html'));
  console.log('built dist/');
}

// The local Jira-like site (aigis up): the shell, the bridge emulation the
// host injects into each module page, the design-token themes it loads, and
// the probe module of the browser tests (dist/modules/_probe).
async function buildSite() {
  const out = join(here, 'dist');
  const common = { bundle: true, platform: 'browser', target: ['es2020'], minify: true, logLevel: 'warning', legalComments: 'none' };
  await build({ ...common, entryPoints: [join(here, 'bridge-emulation', 'entry.ts')], outfile: join(out, 'bridge-emulation', 'bridge.js'), format: 'iife' });
  await build({ ...common, entryPoints: [join(here, 'shell', 'main.ts')], outfile: join(out, 'shell', 'main.js'), format: 'esm' });
  await cp(join(here, 'shell', 'index.html'), join(out, 'shell', 'index.html'));
  await cp(join(here, 'shell', 'shell.css'), join(out, 'shell', 'shell.css'));
  const themes = join(out, 'bridge-emulation', 'themes');
  await mkdir(themes, { recursive: true });
  for (const name of ['atlassian-light', 'atlassian-dark', 'atlassian-spacing', 'atlassian-shape', 'atlassian-typography-refreshed']) {
    const css = (await import(`@atlaskit/tokens/dist/esm/artifacts/themes/${name}.js`)).default;
    await writeFile(join(themes, `${name}.css`), css);
  }
  const probe = join(here, 'shell', 'fixtures', 'probe');
  const probeOut = join(out, 'modules', '_probe');
  await build({ ...common, entryPoints: [join(probe, 'probe.ts')], outfile: join(probeOut, 'probe.js'), format: 'esm' });
  await cp(join(probe, 'index.html'), join(probeOut, 'index.html'));
  await cp(join(probe, 'probe.css'), join(probeOut, 'probe.css'));
  console.log('built dist/shell, dist/bridge-emulation, dist/modules/_probe');
}
if (!tests) await buildSite();
