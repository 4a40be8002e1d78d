//! `verify.html`, the offline verifier every evidence pack carries.
//!
//! The build script (`build.rs`) compiles `aigis-verify-web` (the core's
//! pack verifier behind wasm-bindgen) for `wasm32-unknown-unknown` in its
//! own target directory (`target/verify-web`), generates the JavaScript
//! glue with `wasm-bindgen-cli-support` used as a library, and inlines the
//! wasm (base64) and the glue into `page/verify.html`. The page loads
//! nothing: it works from `file://` with the network off. The same sources
//! give the same bytes (paths are remapped, nothing is dated).

/// The page, as shipped in every pack (`verify.html`).
pub const VERIFY_HTML: &str = include_str!(concat!(env!("OUT_DIR"), "/verify.html"));

/// The wasm module alone (what the page inlines), for the admin UI.
pub const VERIFY_WASM: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/aigis_verify_web_bg.wasm"));

/// The wasm-bindgen glue (`--target no-modules`: defines `wasm_bindgen`).
pub const VERIFY_GLUE_JS: &str = include_str!(concat!(env!("OUT_DIR"), "/aigis_verify_web.js"));

/// The wasm-bindgen glue as an ES module (`--target web`: `export default
/// init`, `export function verify`), for the admin UI, which instantiates
/// [`VERIFY_WASM`] with it.
pub const VERIFY_GLUE_ESM: &str = include_str!(concat!(env!("OUT_DIR"), "/aigis_verify_web.mjs"));
