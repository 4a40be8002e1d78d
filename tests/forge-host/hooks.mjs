// Module resolution for the conformance runner: the Forge build's bare
// `@forge/*` imports (and any other bare import its glue makes) resolve to
// the packages the build itself pins in forge/node_modules, so the real SDKs
// run on the fake runtime of platform.mjs. Installed by run.mjs with
// `module.registerHooks` (in-thread, covers import and require) where Node
// has it, else `module.register`.

import { pathToFileURL } from 'node:url';
import path from 'node:path';

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
    try {
      return nextResolve(specifier, ctx);
    } catch (e) {
      last = e;
    }
  }
  throw last;
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
