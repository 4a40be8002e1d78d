//! Builds `verify.html` (see `src/lib.rs`). Runs cargo for
//! `wasm32-unknown-unknown` in `target/verify-web` (its own lock and
//! cache: rebuilt only when the verifier's sources change), then
//! wasm-bindgen as a library.

use base64::Engine;
use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const WASM_TARGET: &str = "wasm32-unknown-unknown";

fn main() {
    if let Err(e) = run() {
        // A build script reports by failing the build with the reason.
        eprintln!("aigis-verify-page: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let here = PathBuf::from(env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let ws = here
        .parent()
        .and_then(Path::parent)
        .ok_or("the crate is not at crates/<name> of the workspace")?
        .to_path_buf();
    let out = PathBuf::from(env::var("OUT_DIR").map_err(|e| e.to_string())?);
    for p in [
        ws.join("Cargo.lock"),
        ws.join("crates/aigis-core/Cargo.toml"),
        ws.join("crates/aigis-core/src"),
        ws.join("crates/aigis-verify-web/Cargo.toml"),
        ws.join("crates/aigis-verify-web/src"),
        here.join("page"),
    ] {
        println!("cargo:rerun-if-changed={}", p.display());
    }
    println!("cargo:rerun-if-env-changed=AIGIS_VERIFY_WEB_TARGET_DIR");

    let target_dir = match env::var_os("AIGIS_VERIFY_WEB_TARGET_DIR") {
        Some(d) => PathBuf::from(d),
        None => ws.join("target").join("verify-web"),
    };
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&ws).args([
        "build",
        "--locked",
        "-p",
        "aigis-verify-web",
        "--lib",
        "--target",
        WASM_TARGET,
        "--profile",
        "wasm",
    ]);
    // A clean environment for the inner cargo: nothing of the outer build
    // (its target, flags, profile overrides, clippy's wrapper) leaks in;
    // the jobserver (CARGO_MAKEFLAGS) is kept so both share the cores.
    for (k, _) in env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        let keep = k == "CARGO_HOME" || k == "CARGO_MAKEFLAGS" || k == "CARGO_NET_OFFLINE";
        if !keep
            && (k.starts_with("CARGO_")
                || k.starts_with("RUSTC")
                || k.starts_with("RUSTDOC")
                || k == "RUSTFLAGS"
                || k == "TARGET"
                || k == "HOST"
                || k == "OUT_DIR"
                || k == "PROFILE"
                || k == "OPT_LEVEL"
                || k == "DEBUG"
                || k == "NUM_JOBS")
        {
            cmd.env_remove(&k);
        }
    }
    // Same bytes on every machine: no absolute path of this checkout or of
    // the cargo home in the wasm (panic locations).
    let cargo_home = env::var("CARGO_HOME")
        .ok()
        .or_else(|| env::var("HOME").ok().map(|h| format!("{h}/.cargo")))
        .unwrap_or_default();
    let mut flags = vec![format!("--remap-path-prefix={}=/aigis", ws.display())];
    if !cargo_home.is_empty() {
        flags.push(format!("--remap-path-prefix={cargo_home}=/cargo"));
    }
    cmd.env("CARGO_TARGET_DIR", &target_dir)
        .env("CARGO_ENCODED_RUSTFLAGS", flags.join("\x1f"));
    let status = cmd
        .status()
        .map_err(|e| format!("running cargo for {WASM_TARGET}: {e}"))?;
    if !status.success() {
        return Err(format!(
            "cargo build -p aigis-verify-web --target {WASM_TARGET} failed ({status}); \
             is the target installed? `rustup target add {WASM_TARGET}`"
        ));
    }
    let wasm = target_dir
        .join(WASM_TARGET)
        .join("wasm")
        .join("aigis_verify_web.wasm");

    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    bindgen
        .input_path(&wasm)
        .no_modules(true)
        .map_err(|e| e.to_string())?
        .typescript(false);
    let mut output = bindgen
        .generate_output()
        .map_err(|e| format!("wasm-bindgen: {e}"))?;
    let glue = output.js().to_owned();
    let module = output.wasm_mut().emit_wasm();
    std::fs::write(out.join("aigis_verify_web_bg.wasm"), &module).map_err(|e| e.to_string())?;
    std::fs::write(out.join("aigis_verify_web.js"), &glue).map_err(|e| e.to_string())?;

    // The same module as an ES module (`--target web`) for the admin UI's
    // bundle, which instantiates the wasm it is given (no default path: the
    // bundle fetches the wasm file it ships beside its chunks).
    let mut web = wasm_bindgen_cli_support::Bindgen::new();
    web.input_path(&wasm)
        .web(true)
        .map_err(|e| e.to_string())?
        .typescript(false)
        .omit_default_module_path(true);
    let web_output = web
        .generate_output()
        .map_err(|e| format!("wasm-bindgen (web): {e}"))?;
    std::fs::write(out.join("aigis_verify_web.mjs"), web_output.js()).map_err(|e| e.to_string())?;

    let template = std::fs::read_to_string(here.join("page/verify.html"))
        .map_err(|e| format!("page/verify.html: {e}"))?;
    let script = std::fs::read_to_string(here.join("page/verify.js"))
        .map_err(|e| format!("page/verify.js: {e}"))?;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&module);
    // `</script` cannot occur in the glue or in base64; refuse it anyway.
    if glue.contains("</script") || script.contains("</script") {
        return Err("a script contains </script".into());
    }
    let page = template
        .replace("/*@GLUE@*/", &glue)
        .replace("/*@PAGE@*/", &script)
        .replace("@WASM_BASE64@", &b64);
    std::fs::write(out.join("verify.html"), page).map_err(|e| e.to_string())?;
    Ok(())
}
