//! Writes the web verifier for the admin UI's bundle into a directory:
//! `aigis_verify_web.js` (the ES-module glue) and `aigis_verify_web_bg.wasm`
//! (the very module `verify.html` inlines). `frontend/build.mjs` runs it
//! (`cargo run -p aigis-verify-page --bin aigis-verify-pkg -- <dir>`).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: aigis-verify-pkg <directory>");
        return ExitCode::from(2);
    };
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        std::fs::write(
            dir.join("aigis_verify_web.js"),
            aigis_verify_page::VERIFY_GLUE_ESM,
        )?;
        std::fs::write(
            dir.join("aigis_verify_web_bg.wasm"),
            aigis_verify_page::VERIFY_WASM,
        )
    };
    match write() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("aigis-verify-pkg: {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
