//! `aigis verify` and `aigis verify-proof`, run as the real binary in an
//! empty directory (no state dir, no components).

#[path = "../../aigis-core/tests/pack_common/fixture.rs"]
mod fixture;

use aigis_core::tlog;
use fixture::*;
use std::process::{Command, Output};

fn aigis(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aigis"))
        .args(args)
        .current_dir(dir)
        .env_remove("AIGIS_STATE_DIR")
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

/// Flips a byte inside the compressed data of `entry` (just after its
/// local header), so the entry no longer reads back as it was.
fn corrupt_entry(zip: &[u8], entry: &str) -> Vec<u8> {
    let mut z = zip.to_vec();
    let name = entry.as_bytes();
    let at = z
        .windows(name.len())
        .position(|w| w == name)
        .expect("entry name in the archive");
    let i = at + name.len() + 20;
    z[i] ^= 0x55;
    z
}

#[test]
fn verify_accepts_a_good_pack_and_names_the_tampered_file() {
    let dir = tempfile::tempdir().unwrap();
    let h = History::new(6, 21, false);
    let zip = h.pack(0, h.last_commit(), None);
    std::fs::write(dir.path().join("pack.zip"), &zip).unwrap();
    std::fs::write(dir.path().join("site.key"), SITE_KEY).unwrap();
    let vkey = h.signer_at(1).verifier_key();
    let out = aigis(
        dir.path(),
        &[
            "verify",
            "pack.zip",
            "--key",
            "site.key",
            "--trusted-key",
            &vkey,
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("OK"), "{}", text(&out));
    assert!(
        !dir.path().join(".aigis").exists(),
        "verify made a state dir"
    );

    let old = h.pack(0, 3, None);
    std::fs::write(dir.path().join("old.zip"), &old).unwrap();
    let out = aigis(dir.path(), &["verify", "pack.zip", "--previous", "old.zip"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = aigis(dir.path(), &["verify", "old.zip", "--previous", "pack.zip"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("link.rollback"), "{}", text(&out));

    std::fs::write(
        dir.path().join("bad.zip"),
        corrupt_entry(&zip, "requests.csv"),
    )
    .unwrap();
    let out = aigis(dir.path(), &["verify", "bad.zip"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("requests.csv"), "{}", text(&out));
}

#[test]
fn verify_proof_checks_inclusion_and_the_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let h = History::new(4, 22, false);
    let size = h.events.len() as u64;
    let seq = 3u64;
    let proof = tlog::inclusion_proof(&h, seq - 1, size).unwrap();
    let cp = h.checkpoint(size);
    let body = serde_json::json!({
        "seq": seq,
        "leafHash": h.events[(seq - 1) as usize].entry_hash,
        "treeSize": size,
        "rootHash": cp.root,
        "proof": proof.iter().map(tlog::hex).collect::<Vec<_>>(),
        "checkpoint": cp.note,
        "verifierKey": h.signer_at(1).verifier_key(),
    });
    std::fs::write(dir.path().join("proof.json"), body.to_string()).unwrap();
    let out = aigis(dir.path(), &["verify-proof", "proof.json"]);
    assert!(out.status.success(), "{}", text(&out));
    let mut bad = body.clone();
    bad["leafHash"] = serde_json::json!(h.events[0].entry_hash);
    std::fs::write(dir.path().join("bad.json"), bad.to_string()).unwrap();
    let out = aigis(dir.path(), &["verify-proof", "bad.json"]);
    assert!(!out.status.success(), "{}", text(&out));
}
