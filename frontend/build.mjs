// Builds the UI into dist/ (relative asset paths: Forge serves each resource
// from a sub-path), or, with --tests, the unit tests into .test-out/ for
// `node --test`.
//
//   dist/modules/<resource>/   one Forge module each (src/modules/<resource>/index.tsx): index.html,
//                              index.js, index.css and its own chunks; a separate esbuild build per
//                              module, so no module loads another's screens
//   dist/modules/sizes.json    each module's bytes and gzipped bytes (make bench reads it)
//   dist/shell/, dist/bridge-emulation/, dist/modules/_probe/
//                              the local Jira-like site of `aigis up` (see buildSite below)
//
// `node build.mjs --only portal-create,issue-panel` builds only those modules (and not the site).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const tests = process.argv.includes('--tests');
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? new Set(process.argv[onlyArg + 1].split(',')) : null;

/**
 * The Forge modules: resource name (manifest.yml `resources`, folder under
 * src/modules/ and dist/modules/) and the page title.
 */
export const MODULES = [
  { resource: 'portal-create', title: 'AI tool access' },
  { resource: 'portal-detail', title: 'AI tool access' },
  { resource: 'issue-panel', title: 'AI access request' },
  { resource: 'global', title: 'AI Access' },
  { resource: 'admin', title: 'Aigis' },
];

/** Gzipped budgets (every file of the module): the portal create panel loads for every requester. */
const BUDGETS = { 'portal-create': 100 * 1024 };

/**
 * The web verifier (crates/aigis-verify-web: `aigis verify` compiled to wasm,
 * the module verify.html inlines) with its ES-module glue, imported by the
 * admin UI as `aigis-verify-web/...`: written into frontend/.verify-web by
 * `aigis-verify-pkg` (a cargo build of aigis-verify-page, cached), or taken
 * from AIGIS_VERIFY_PKG_DIR when that names a directory already holding them.
 */
const verifyPkg = process.env.AIGIS_VERIFY_PKG_DIR ?? join(here, '.verify-web');
function writeVerifyPkg() {
  if (process.env.AIGIS_VERIFY_PKG_DIR) return;
  execFileSync('cargo', ['run', '--quiet', '--locked', '-p', 'aigis-verify-page', '--bin', 'aigis-verify-pkg', '--', verifyPkg], {
    cwd: join(here, '..'),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

const common = {
  bundle: true,
  alias: { 'aigis-verify-web': verifyPkg },
  // The verifier's wasm: a file of the resource beside the chunks, fetched when first used.
  loader: { '.wasm': 'file' },
  assetNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'browser',
  target: ['es2020'],
  minify: true,
  jsx: 'automatic',
  logLevel: 'warning',
  legalComments: 'linked',
  define: { 'process.env.NODE_ENV': '"production"' },
};

async function exists(p) {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

async function filesUnder(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

function pageHtml(title, hasCss) {
  // No inline script or style: the page passes a CSP of script-src 'self'.
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
${hasCss ? '    <link rel="stylesheet" href="./index.css" />\n' : ''}  </head>
  <body>
    <div id="root"></div>
    <noscript>This panel needs JavaScript.</noscript>
    <script type="module" src="./index.js"></script>
  </body>
</html>
`;
}

/**
 * esbuild writes a lazy chunk's CSS beside it but loads only the entry's
 * (index.css, linked by index.html): each lazy chunk with CSS gets a line that
 * links its own stylesheet when the chunk loads (a <link> to a file of the
 * resource: allowed by Forge's style-src 'self'; no inline style).
 */
async function linkChunkCss(metafile) {
  for (const [file, o] of Object.entries(metafile.outputs)) {
    // The entry's own CSS is index.css, linked by index.html.
    if (!o.cssBundle || !file.endsWith('.js') || !file.includes('/chunks/')) continue;
    const js = join(process.cwd(), file);
    const css = relative(dirname(js), join(process.cwd(), o.cssBundle));
    const code = await readFile(js, 'utf8');
    const loader = `(()=>{const l=document.createElement("link");l.rel="stylesheet";l.href=new URL(${JSON.stringify('./' + css)},import.meta.url).href;document.head.appendChild(l)})();\n`;
    // Before the source map comment, so the mapped lines above stay where they are.
    const at = code.lastIndexOf('//# sourceMappingURL=');
    await writeFile(js, at >= 0 ? code.slice(0, at) + loader + code.slice(at) : code + '\n' + loader);
  }
}

/** One module: its own esbuild build (with its own lazy chunks) into dist/modules/<resource>/. */
async function buildModule({ resource, title }) {
  const entry = join(here, 'src', 'modules', resource, 'index.tsx');
  if (!(await exists(entry))) return null;
  const out = join(here, 'dist', 'modules', resource);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const { metafile } = await build({
    ...common,
    entryPoints: { index: entry },
    outdir: out,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: true,
    metafile: true,
  });
  await linkChunkCss(metafile);
  await writeFile(join(out, 'index.html'), pageHtml(title, await exists(join(out, 'index.css'))));
  const loads = await loadSizes(metafile, out);
  // The size a browser downloads: every js/css/html file, gzipped one by one.
  let bytes = 0;
  let gzip = 0;
  let initialGzip = 0;
  for (const f of await filesUnder(out)) {
    if (!/\.(js|css|html)$/.test(f)) continue;
    const data = await readFile(f);
    const gz = gzipSync(data, { level: 9 }).length;
    bytes += data.length;
    gzip += gz;
    if (!relative(out, f).startsWith('chunks')) initialGzip += gz;
  }
  return { resource, bytes, gzip, initialGzip, ...loads };
}

/**
 * What a browser downloads for the module's first screen (the entry, its
 * static imports and their CSS: `initialLoadGzip`) and, per lazy screen
 * (`lazy: {Catalog: ...}`), that plus the screen's chunk with its static
 * imports and CSS, gzipped file by file.
 */
async function loadSizes(metafile, out) {
  const outputs = metafile.outputs;
  const gz = new Map();
  const gzOf = async (file) => {
    if (!gz.has(file)) gz.set(file, gzipSync(await readFile(join(process.cwd(), file)), { level: 9 }).length);
    return gz.get(file);
  };
  const closure = (start, seen = new Set()) => {
    const stack = [start];
    while (stack.length) {
      const f = stack.pop();
      if (seen.has(f) || !outputs[f]) continue;
      seen.add(f);
      if (outputs[f].cssBundle) seen.add(outputs[f].cssBundle);
      for (const i of outputs[f].imports) if (i.kind === 'import-statement') stack.push(i.path);
    }
    return seen;
  };
  const sum = async (files) => {
    let n = 0;
    for (const f of files) n += await gzOf(f);
    return n;
  };
  const entry = Object.keys(outputs).find((f) => f.endsWith('.js') && !f.includes('/chunks/'));
  if (!entry) return {};
  const initial = closure(entry);
  initial.add(relative(process.cwd(), join(out, 'index.html')));
  const lazy = {};
  for (const [f, o] of Object.entries(outputs)) {
    // A screen: a chunk esbuild made for a dynamic import() of a file of src/modules/.
    if (!f.includes('/chunks/') || !f.endsWith('.js') || !o.entryPoint?.includes('src/modules/')) continue;
    const name = o.entryPoint.split('/').pop().replace(/\.tsx?$/, '');
    lazy[name] = await sum(closure(f, new Set(initial)));
  }
  return { initialLoadGzip: await sum(initial), lazy };
}

if (tests) {
  const out = join(here, '.test-out');
  await rm(out, { recursive: true, force: true });
  const dir = join(here, 'tests', 'unit');
  const entryPoints = (await readdir(dir)).filter((f) => /\.test\.tsx?$/.test(f)).map((f) => join(dir, f));
  await build({
    entryPoints,
    outdir: out,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    jsx: 'automatic',
    // Everything bundled (one React for the app, Atlaskit and Testing Library;
    // Node cannot resolve Atlaskit's directory sub-paths); Atlaskit's compiled
    // CSS is not needed to test behaviour.
    loader: { '.css': 'empty' },
    // Atlaskit's ESM builds, as in the browser bundles (their CJS default exports do not interoperate).
    mainFields: ['module', 'main'],
    // The wasm verifier is loaded by the browser only; component tests give a fake one.
    external: ['happy-dom', '@happy-dom/*', 'aigis-verify-web/*'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"test"' },
  });
} else {
  if (!only) {
    // A full build starts from an empty dist/ (no file of an older build survives).
    await rm(join(here, 'dist'), { recursive: true, force: true });
  }
  if (!only || only.has('admin')) writeVerifyPkg();
  const sizes = [];
  for (const m of MODULES) {
    if (only && !only.has(m.resource)) continue;
    const s = await buildModule(m);
    if (s) sizes.push(s);
  }
  if (sizes.length) {
    const sizesFile = join(here, 'dist', 'modules', 'sizes.json');
    const previous = (await exists(sizesFile)) ? JSON.parse(await readFile(sizesFile, 'utf8')) : {};
    const next = { ...previous };
    for (const s of sizes) next[s.resource] = s;
    await writeFile(sizesFile, JSON.stringify(next, null, 2) + '\n');
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
    for (const s of sizes) {
      console.log(`built dist/modules/${s.resource}/: ${kb(s.bytes)}, ${kb(s.gzip)} gzipped (${kb(s.initialGzip)} before lazy chunks)`);
    }
    const over = sizes.filter((s) => BUDGETS[s.resource] !== undefined && s.gzip > BUDGETS[s.resource]);
    for (const s of over) console.error(`dist/modules/${s.resource}/ is ${kb(s.gzip)} gzipped: over its ${kb(BUDGETS[s.resource])} budget`);
    if (over.length) process.exit(1);
  }
}

// The local Jira-like site (aigis up): the shell, the bridge emulation the
// host injects into each module page, the design-token themes it loads, and
// the probe module of the browser tests (dist/modules/_probe).
async function buildSite() {
  const out = join(here, 'dist');
  const site = { bundle: true, platform: 'browser', target: ['es2020'], minify: true, logLevel: 'warning', legalComments: 'none' };
  await build({ ...site, entryPoints: [join(here, 'bridge-emulation', 'entry.ts')], outfile: join(out, 'bridge-emulation', 'bridge.js'), format: 'iife' });
  await build({ ...site, entryPoints: [join(here, 'shell', 'main.ts')], outfile: join(out, 'shell', 'main.js'), format: 'esm' });
  await cp(join(here, 'shell', 'index.html'), join(out, 'shell', 'index.html'));
  await cp(join(here, 'shell', 'shell.css'), join(out, 'shell', 'shell.css'));
  const themes = join(out, 'bridge-emulation', 'themes');
  await mkdir(themes, { recursive: true });
  for (const name of ['atlassian-light', 'atlassian-dark', 'atlassian-spacing', 'atlassian-shape', 'atlassian-typography']) {
    const css = (await import(`@atlaskit/tokens/dist/esm/artifacts/themes/${name}.js`)).default;
    await writeFile(join(themes, `${name}.css`), css);
  }
  const probe = join(here, 'shell', 'fixtures', 'probe');
  const probeOut = join(out, 'modules', '_probe');
  await build({ ...site, entryPoints: [join(probe, 'probe.ts')], outfile: join(probeOut, 'probe.js'), format: 'esm' });
  await cp(join(probe, 'index.html'), join(probeOut, 'index.html'));
  await cp(join(probe, 'probe.css'), join(probeOut, 'probe.css'));
  console.log('built dist/shell, dist/bridge-emulation, dist/modules/_probe');
}
if (!tests && !only) await buildSite();
