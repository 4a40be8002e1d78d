//! The evidence-pack verifier of `aigis-core` for browsers.
//!
//! [`verify`] is `aigis verify` without a file system: the pack's bytes,
//! optionally an older pack's bytes (`--previous`) and options as JSON
//! (`--trusted-key`, `--key`/`--key-id`). It answers the very
//! [`pack::VerifyReport`] that `aigis verify --json` prints, beside the text
//! `aigis verify` prints, so the offline page (`verify.html`, shipped in
//! every pack) and the Governance Logs screen word every finding exactly
//! as the command line does. No clock, no randomness, no I/O.

use aigis_core::pack::{self, SiteKey, VerifyOptions, VerifyReport};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// The options of [`verify`], as JSON (every field optional).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebOptions {
    /// `--trusted-key`: the verifier key (`name+keyid+base64`) the pack
    /// must be signed with; surrounding white space is ignored, as when
    /// the command line reads it from a file.
    #[serde(default)]
    pub trusted_key: Option<String>,
    /// `--key`: the site's HMAC key (the text of the secret), to check
    /// every event's `entryMac`.
    #[serde(default)]
    pub site_key: Option<String>,
    /// `--key-id`: the key id the site key applies to.
    #[serde(default)]
    pub key_id: Option<String>,
}

/// What [`verify`] answers.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// Exactly what `aigis verify --json` prints.
    pub report: VerifyReport,
    /// Exactly what `aigis verify` prints on stdout.
    pub text: String,
}

/// Options that could not be read: `{code, message, field}` as the app
/// answers bad input.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct BadOptions {
    pub code: &'static str,
    pub message: String,
    pub field: String,
}

/// Parses `options_json` (empty: no options) into the verifier's options.
pub fn options(options_json: &str, previous: Option<Vec<u8>>) -> Result<VerifyOptions, BadOptions> {
    let o: WebOptions = if options_json.trim().is_empty() {
        WebOptions::default()
    } else {
        serde_json::from_str(options_json).map_err(|e| {
            let msg = e.to_string();
            // serde names the unknown field in backticks.
            let field = msg
                .split('`')
                .nth(1)
                .filter(|_| msg.starts_with("unknown field"))
                .unwrap_or("options")
                .to_owned();
            BadOptions {
                code: "invalid_options",
                message: format!("options: {msg}"),
                field,
            }
        })?
    };
    let nonempty = |s: Option<String>| s.map(|k| k.trim().to_owned()).filter(|k| !k.is_empty());
    Ok(VerifyOptions {
        site_key: nonempty(o.site_key).map(|k| SiteKey {
            key_id: nonempty(o.key_id),
            key: k.into_bytes(),
        }),
        previous,
        trusted_key: nonempty(o.trusted_key),
    })
}

/// Verifies `pack` (the zip's bytes) as `aigis verify` does.
pub fn run(
    pack_zip: &[u8],
    previous: Option<Vec<u8>>,
    options_json: &str,
) -> Result<Outcome, BadOptions> {
    let opts = options(options_json, previous)?;
    let report = pack::verify(pack_zip, &opts);
    let text = report.to_string();
    Ok(Outcome { report, text })
}

/// The browser entry point: `verify(pack, previous | undefined, optionsJson)`
/// returns the [`Outcome`] as JSON, or throws the [`BadOptions`] JSON.
#[wasm_bindgen]
pub fn verify(
    pack_zip: &[u8],
    previous: Option<Vec<u8>>,
    options_json: &str,
) -> Result<String, JsError> {
    match run(pack_zip, previous, options_json) {
        Ok(o) => serde_json::to_string(&o).map_err(|e| JsError::new(&e.to_string())),
        Err(b) => Err(JsError::new(
            &serde_json::to_string(&b).unwrap_or_else(|_| b.message.clone()),
        )),
    }
}

/// The version of the verifier (the crate's), shown by the page.
#[wasm_bindgen]
pub fn version() -> String {
    format!("aigis {}", env!("CARGO_PKG_VERSION"))
}
