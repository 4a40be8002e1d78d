// Builds the UI into dist/ (relative asset paths: Forge serves it from a sub-path)
// or, with --tests, the unit tests into .test-out/ for `node --test`.
import { build } from 'esbuild';
import { cp, mkdir, readdir, rm } from 'node:fs/promises';
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
