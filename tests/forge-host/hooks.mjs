// Module resolution for the conformance runner: the Forge build's bare
// `@forge/*` imports (and any other bare import its glue makes) resolve to
// the packages the build itself pins in forge/node_modules, so the real SDKs
// run on the fake runtime of platform.mjs. Installed by run.mjs with
// `module.registerHooks` (in-thread, covers import and require) where Node
// has it, else `module.register` (resolution only).
//
// An ES `import` of a `@forge/*` package (CommonJS, `__esModule`) gets the
// interop Forge's bundler gives it: the default export is `exports.default`
// (`import Resolver from '@forge/resolver'` is the class), the named exports
// are the package's exports. Plain Node would make the default export the
// whole `module.exports` object.

import { createRequire } from 'node:module';
import { pathToFileURL, fileURLToPath } from 'node:url';
import path from 'node:path';

const INTEROP = 'aigis-interop:';
const IDENT = /^[A-Za-z_$][\w$]*$/;

const here = path.dirname(new URL(import.meta.url).pathname);
const PACKAGE_DIRS = [path.resolve(here, '../../forge'), here];

const isBare = (s) => !/^(\.|\/|[a-z][a-z0-9+.-]*:)/i.test(s);

function candidates(specifier, context) {
  const own = { ...context };
  const alt = PACKAGE_DIRS.map((d) => ({ ...context, parentURL: pathToFileURL(path.join(d, 'package.json')).href }));
  return specifier.startsWith('@forge/') ? [...alt, own] : [own, ...alt];
}

/** Synchronous hook (module.registerHooks). */
export function resolveSync(specifier, context, nextResolve) {
  if (!isBare(specifier) || specifier.startsWith('node:')) return nextResolve(specifier, context);
  let last;
  for (const ctx of candidates(specifier, context)) {
    let r;
    try {
      r = nextResolve(specifier, ctx);
    } catch (e) {
      last = e;
      continue;
    }
    const esImport = (context.conditions || []).includes('import');
    if (esImport && specifier.startsWith('@forge/') && r.url.startsWith('file:') && !r.url.endsWith('.mjs')) {
      return { url: `${INTEROP}${r.url}`, format: 'module', shortCircuit: true };
    }
    return r;
  }
  throw last;
}

/** Synchronous load hook: the bundler-style ES facade of a CommonJS `@forge/*` package. */
export function loadSync(url, context, nextLoad) {
  if (!url.startsWith(INTEROP)) return nextLoad(url, context);
  const file = url.slice(INTEROP.length);
  const m = createRequire(file)(fileURLToPath(file));
  const names = Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule' && IDENT.test(k));
  const source = [
    `import { createRequire } from 'node:module';`,
    `const cjs$ = createRequire(${JSON.stringify(file)})(${JSON.stringify(fileURLToPath(file))});`,
    `export default (cjs$ && cjs$.__esModule && 'default' in cjs$) ? cjs$.default : cjs$;`,
    ...names.filter((n) => n !== 'cjs$' && n !== 'createRequire').map((n) => `export const ${n} = cjs$[${JSON.stringify(n)}];`),
  ].join('\n');
  return { format: 'module', source, shortCircuit: true };
}

/** Asynchronous hook (module.register). */
export async function resolve(specifier, context, nextResolve) {
  if (!isBare(specifier) || specifier.startsWith('node:')) return nextResolve(specifier, context);
  let last;
  for (const ctx of candidates(specifier, context)) {
    try {
      return await nextResolve(specifier, ctx);
    } catch (e) {
      last = e;
    }
  }
  throw last;
}
