// The web verifier the frontend build bundles (crates/aigis-verify-web behind
// wasm-bindgen `--target web`, written by `aigis-verify-pkg` into
// frontend/.verify-web/, which build.mjs aliases as `aigis-verify-web`).

declare module 'aigis-verify-web/aigis_verify_web.js' {
  /** Instantiates the module from its bytes. */
  export default function init(options: { module_or_path: BufferSource }): Promise<unknown>;
  /** `aigis verify` on a pack's bytes: the `{report, text}` JSON; throws `{code, message, field}` JSON on bad options. */
  export function verify(pack: Uint8Array, previous: Uint8Array | undefined, optionsJson: string): string;
  export function version(): string;
}

declare module 'aigis-verify-web/aigis_verify_web_bg.wasm' {
  /** The wasm file's path relative to the importing chunk (esbuild's `file` loader). */
  const path: string;
  export default path;
}
