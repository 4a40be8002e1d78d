//! Secrets on disk are the owner's alone: the state dir is 0700 and every
//! file the host writes there 0600, also when they existed with looser modes.
#![cfg(unix)]

mod common;

use aigis_host::{ClockConfig, Host};
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn set_mode(p: &Path, m: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
}

/// Every file under `dir` 0600 and every directory 0700; returns the files.
fn assert_private(dir: &Path) -> Vec<String> {
    assert_eq!(mode(dir), 0o700, "{}", dir.display());
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            files.extend(assert_private(&p));
        } else {
            assert_eq!(mode(&p), 0o600, "{}", p.display());
            files.push(p.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    files
}

fn use_host(root: &Path, state: &Path) {
    let h = Host::open(common::config(
        root,
        Some(state.to_path_buf()),
        ClockConfig::Persisted,
    ))
    .unwrap();
    // A KVS and a secret write, a queue push, a compiled-cache entry.
    let out = h
        .invoke_resolver("k", &json!("kv hello"), "acc", None)
        .unwrap();
    assert_eq!(out.result.unwrap(), json!("hello"));
    h.invoke_resolver("k", &json!("queue work"), "acc", None)
        .unwrap()
        .result
        .unwrap();
    h.clock().advance(1_000).unwrap();
}

#[test]
fn a_new_state_dir_is_private() {
    let dir = common::fixture();
    let state = dir.path().join("new/state");
    use_host(dir.path(), &state);
    let files = assert_private(&state);
    for f in ["forge.db", "jira.db", "host.db"] {
        assert!(files.iter().any(|x| x == f), "{f} in {files:?}");
    }
    assert!(files.iter().any(|f| f.ends_with(".cwasm")), "{files:?}");
}

#[test]
fn an_existing_loose_state_dir_is_tightened() {
    let dir = common::fixture();
    let state = dir.path().join("state");
    // A first run, then everything loosened as an old host or a umask left it.
    use_host(dir.path(), &state);
    std::fs::write(state.join("bridge.token"), "token").unwrap();
    for entry in std::fs::read_dir(&state).unwrap() {
        let p = entry.unwrap().path();
        set_mode(&p, if p.is_dir() { 0o755 } else { 0o644 });
    }
    for entry in std::fs::read_dir(state.join("cache")).unwrap() {
        set_mode(&entry.unwrap().path(), 0o644);
    }
    set_mode(&state, 0o777);
    use_host(dir.path(), &state);
    let files = assert_private(&state);
    assert!(files.iter().any(|f| f == "bridge.token"), "{files:?}");
}
