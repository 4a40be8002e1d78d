//! Shared test setup: builds the test guest (tests/guest) once and lays out a
//! components dir and a manifest for it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub const MANIFEST: &str = r#"
modules:
  jira:adminPage:
    - key: admin
      resolver:
        function: resolver
  jira:globalPage:
    - key: slow
      resolver:
        function: slow-resolver
  trigger:
    - key: issue-created
      function: on-issue-created
      events: [avi:jira:created:issue]
  scheduledTrigger:
    - key: hourly
      function: hourly-sweep
      interval: hour
    - key: daily
      function: daily-sweep
      interval: day
  consumer:
    - key: work-consumer
      queue: work
      function: on-work
  function:
    - key: resolver
      handler: resolvers.run
    - key: slow-resolver
      handler: resolvers.run
      timeoutSeconds: 1
    - key: on-issue-created
      handler: triggers.onIssueCreated
    - key: hourly-sweep
      handler: sweeps.hourly
      timeoutSeconds: 900
    - key: daily-sweep
      handler: sweeps.daily
    - key: on-work
      handler: consumers.onWork
app:
  id: ari:cloud:ecosystem::app/test
  storage:
    entities:
      - name: thing
        attributes:
          status: { type: string }
        indexes:
          - name: by-status
            range: [status]
permissions:
  external:
    fetch:
      backend:
        - address: "*.okta.com"
        - address: graph.microsoft.com
"#;

fn guest_wasm() -> &'static Path {
    static WASM: OnceLock<PathBuf> = OnceLock::new();
    WASM.get_or_init(|| {
        let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let guest = manifest_dir.join("tests/guest");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| manifest_dir.join("../../target"))
            .join("aigis-host-test-guest");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "--release",
                "--target",
                "wasm32-wasip2",
                "--manifest-path",
            ])
            .arg(guest.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .status()
            .expect("running cargo to build the test guest");
        assert!(
            status.success(),
            "building the test guest failed (needs `rustup target add wasm32-wasip2`)"
        );
        target.join("wasm32-wasip2/release/aigis_host_test_guest.wasm")
    })
}

/// A temp dir with `manifest.yml` and `components/aigis_{resolvers,triggers,sweeps,consumers}.wasm`
/// (all the same test guest).
pub fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("manifest.yml"), MANIFEST).unwrap();
    let comp = dir.path().join("components");
    std::fs::create_dir_all(&comp).unwrap();
    for name in ["resolvers", "triggers", "sweeps", "consumers"] {
        std::fs::copy(guest_wasm(), comp.join(format!("aigis_{name}.wasm"))).unwrap();
    }
    dir
}

pub fn config(
    dir: &Path,
    state: Option<PathBuf>,
    clock: aigis_host::ClockConfig,
) -> aigis_host::HostConfig {
    aigis_host::HostConfig {
        state_dir: state,
        components_dir: dir.join("components"),
        manifest_path: dir.join("manifest.yml"),
        clock,
    }
}
