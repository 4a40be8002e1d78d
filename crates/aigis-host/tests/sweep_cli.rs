//! `aigis sweep --at` (issue 13, defect 3): a run at a later virtual time
//! first moves the site's clock there, so what it schedules (a notice's
//! retry, a job's backoff) is due from the site's own time afterwards; a run
//! in the site's past is refused.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn components_dir() -> PathBuf {
    std::env::var_os("AIGIS_COMPONENTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/wasm32-wasip2/wasm")
        })
}

fn aigis(state: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aigis"))
        .arg("--state-dir")
        .arg(state)
        .arg("--components-dir")
        .arg(components_dir())
        .arg("--manifest")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../manifest.yml"))
        .args(args)
        .env_remove("AIGIS_STATE_DIR")
        .env_remove("AIGIS_COMPONENTS_DIR")
        .output()
        .expect("run aigis")
}

fn now(state: &Path) -> i64 {
    let out = aigis(state, &["clock", "show"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["nowMillis"].as_i64().unwrap()
}

#[test]
fn a_sweep_at_a_later_time_moves_the_clock_and_one_in_the_past_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let start = now(&state);
    let later = "2031-01-01T00:00:00Z";
    let out = aigis(&state, &["sweep", "job-runner", "--at", later]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t = now(&state);
    assert!(t >= 1_924_992_000_000 && t > start, "clock at {t}");
    // The next plain run is at (or after) that time, not back at real now.
    let out = aigis(&state, &["sweep", "job-runner"]);
    assert!(out.status.success());
    // A run before the site's time is refused, and changes nothing.
    let out = aigis(
        &state,
        &["sweep", "job-runner", "--at", "2030-06-01T00:00:00Z"],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("before the site's virtual time"), "{err}");
    assert!(now(&state) >= t);
}
