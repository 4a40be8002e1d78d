//! The acceptance path, with the real binary: a site with history
//! exports evidence packs with `aigis export`; in another, empty directory
//! (no state dir, no components) `aigis verify` accepts them, `--previous`
//! links them, a tampered copy is refused, and an `aigis audit prove`
//! proof passes `aigis verify-proof`.

use aigis_host::{ClockConfig, Host, HostConfig};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn components_dir() -> PathBuf {
    let dir = std::env::var_os("AIGIS_COMPONENTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/wasm32-wasip2/wasm")
        });
    assert!(
        dir.join("aigis_resolvers.wasm").is_file(),
        "components missing in {}: run `make components`",
        dir.display()
    );
    dir
}

fn manifest() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../manifest.yml")
}

fn aigis(dir: &Path, state: Option<&Path>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aigis"));
    if let Some(s) = state {
        c.arg("--state-dir")
            .arg(s)
            .arg("--components-dir")
            .arg(components_dir())
            .arg("--manifest")
            .arg(manifest());
    }
    c.args(args)
        .current_dir(dir)
        .env_remove("AIGIS_STATE_DIR")
        .env_remove("AIGIS_COMPONENTS_DIR")
        .output()
        .expect("run aigis")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn packs_exported_by_aigis_export_verify_elsewhere_with_no_state() {
    let site = tempfile::tempdir().unwrap();
    let state = site.path().join("state");
    {
        // The demo site: users, catalog, intake and a little history.
        let host = Host::open(HostConfig {
            state_dir: Some(state.clone()),
            components_dir: components_dir(),
            manifest_path: manifest(),
            clock: ClockConfig::Persisted,
        })
        .expect("host opens");
        let demo = host.sim().seed_demo().expect("demo site");
        aigis_host::demo::seed_app(&host, &demo).expect("demo data");
        let ada = demo.users.iter().find(|u| u.role == "admin").unwrap();
        let out = host
            .invoke_resolver("catalog.list", &json!({}), &ada.account_id, None)
            .unwrap();
        assert!(out.result.is_ok());
    }
    let ada = "ada@aigis.example";
    let export = |name: &str| -> Value {
        let o = aigis(
            site.path(),
            Some(&state),
            &["export", "--as", ada, "-o", name],
        );
        assert!(o.status.success(), "{}", text(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let first = export("pack1.zip");
    assert!(first["bytes"].as_u64().unwrap() > 0, "{first}");
    // Some more history: another checkpoint-worthy change.
    let o = aigis(
        site.path(),
        Some(&state),
        &["invoke", "audit.rotateKey", "--as", ada],
    );
    assert!(o.status.success(), "{}", text(&o));
    export("pack2.zip");

    // Elsewhere: an auditor's empty directory.
    let auditor = tempfile::tempdir().unwrap();
    for f in ["pack1.zip", "pack2.zip"] {
        std::fs::copy(site.path().join(f), auditor.path().join(f)).unwrap();
    }
    let o = aigis(auditor.path(), None, &["verify", "pack1.zip"]);
    assert!(o.status.success(), "{}", text(&o));
    // Whoever holds the site key also checks every entryMac.
    let o = aigis(
        site.path(),
        Some(&state),
        &["audit", "site-key", "-o", "site.key"],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(!text(&o).contains(&std::fs::read_to_string(site.path().join("site.key")).unwrap()));
    std::fs::copy(
        site.path().join("site.key"),
        auditor.path().join("site.key"),
    )
    .unwrap();
    let o = aigis(
        auditor.path(),
        None,
        &["verify", "--json", "--key", "site.key", "pack1.zip"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(report["macsChecked"].as_u64().unwrap() > 0, "{report}");
    std::fs::write(auditor.path().join("wrong.key"), "00112233").unwrap();
    let o = aigis(
        auditor.path(),
        None,
        &["verify", "--key", "wrong.key", "pack1.zip"],
    );
    assert!(!o.status.success(), "{}", text(&o));
    let o = aigis(
        auditor.path(),
        None,
        &["verify", "--previous", "pack1.zip", "pack2.zip"],
    );
    assert!(o.status.success(), "{}", text(&o));
    // Swapped: the older pack does not extend the newer.
    let o = aigis(
        auditor.path(),
        None,
        &["verify", "--previous", "pack2.zip", "pack1.zip"],
    );
    assert!(!o.status.success(), "{}", text(&o));
    // A tampered copy names what broke.
    let mut bad = std::fs::read(auditor.path().join("pack2.zip")).unwrap();
    let at = bad
        .windows(b"audit.jsonl".len())
        .position(|w| w == b"audit.jsonl")
        .unwrap();
    bad[at + 40] ^= 0x20;
    std::fs::write(auditor.path().join("bad.zip"), bad).unwrap();
    let o = aigis(auditor.path(), None, &["verify", "bad.zip"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("FAILED"), "{}", text(&o));
    // No state dir was created where the auditor worked.
    assert!(!auditor.path().join(".aigis").exists());

    // An inclusion proof, checked offline.
    let o = aigis(
        site.path(),
        Some(&state),
        &["audit", "prove", "3", "--as", ada],
    );
    assert!(o.status.success(), "{}", text(&o));
    std::fs::write(auditor.path().join("proof.json"), &o.stdout).unwrap();
    let o = aigis(auditor.path(), None, &["verify-proof", "proof.json"]);
    assert!(o.status.success(), "{}", text(&o));
    let mut proof: Value =
        serde_json::from_slice(&std::fs::read(auditor.path().join("proof.json")).unwrap()).unwrap();
    proof["seq"] = json!(4);
    proof["leafIndex"] = json!(3);
    std::fs::write(auditor.path().join("wrong.json"), proof.to_string()).unwrap();
    let o = aigis(auditor.path(), None, &["verify-proof", "wrong.json"]);
    assert!(!o.status.success(), "{}", text(&o));
}
