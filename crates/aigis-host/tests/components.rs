//! The real components (`make components`) under the host, with the
//! repository's manifest.yml.

use aigis_host::{ClockConfig, Host, HostConfig, HostError};
use serde_json::json;
use std::path::{Path, PathBuf};

fn components_dir() -> PathBuf {
    let dir = std::env::var_os("AIGIS_COMPONENTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/wasm32-wasip2/wasm")
        });
    for f in [
        "aigis_resolvers.wasm",
        "aigis_triggers.wasm",
        "aigis_sweeps.wasm",
    ] {
        assert!(
            dir.join(f).is_file(),
            "component {} is missing: run `make components` first (or set AIGIS_COMPONENTS_DIR)",
            dir.join(f).display()
        );
    }
    dir
}

fn host() -> Host {
    Host::open(HostConfig {
        state_dir: None,
        components_dir: components_dir(),
        manifest_path: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../manifest.yml"),
        clock: ClockConfig::Fixed(1_767_323_045_000),
    })
    .unwrap()
}

#[test]
fn every_manifest_function_instantiates_and_answers() {
    let h = host();
    // A resolver answers with JSON (a result or a JSON error), never a host failure.
    let out = h
        .invoke_resolver("no-such-resolver-key", &json!({}), "acc-test", None)
        .unwrap();
    assert!(out.result.is_err(), "{:?}", out.result);
    assert!(out.result.unwrap_err().get("code").is_some());

    for s in h.manifest().scheduled.clone() {
        match h.run_scheduled(&s.key, None) {
            Ok(out) => assert!(!out.summary.is_null(), "{}", s.key),
            Err(HostError::Failed { .. }) => {}
            Err(e) => panic!("scheduled {}: {e}", s.key),
        }
    }
    for t in h.manifest().triggers.clone() {
        for ev in &t.events {
            let outs = h.deliver_event(ev, &json!({})).unwrap();
            assert_eq!(outs.len(), 1);
        }
    }
}
