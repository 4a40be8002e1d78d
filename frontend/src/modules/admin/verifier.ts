// The evidence-pack verifier of `aigis verify`, compiled to wasm: loaded only
// when an administrator checks a pack (the glue is its own lazy chunk of the
// admin bundle and the wasm a file beside it, never part of a first screen).

import type { Verifier } from './verify-model';

type Glue = typeof import('aigis-verify-web/aigis_verify_web.js');

let ready: Promise<Glue> | null = null;

async function instantiate(): Promise<Glue> {
  const [glue, wasm] = await Promise.all([import('aigis-verify-web/aigis_verify_web.js'), import('aigis-verify-web/aigis_verify_web_bg.wasm')]);
  // The bytes, not a streamed response: a resource host need not serve
  // `application/wasm`. esbuild gives the file's path relative to its chunk.
  const res = await fetch(new URL(wasm.default, import.meta.url));
  if (!res.ok) throw new Error(`the verifier could not be loaded (HTTP ${res.status})`);
  await glue.default({ module_or_path: await res.arrayBuffer() });
  return glue;
}

/** Fetches and instantiates the wasm once; the verifier afterwards. */
export async function loadVerifier(): Promise<Verifier> {
  ready ??= instantiate().catch((e: unknown) => {
    ready = null;
    throw e;
  });
  const glue = await ready;
  return {
    version: glue.version(),
    verify: (pack, previous, options) => JSON.parse(glue.verify(pack, previous, JSON.stringify(options))),
  };
}
