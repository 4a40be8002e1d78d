//! Evidence packs: a good pack verifies, builds are deterministic, and the
//! report carries what an auditor needs.

// Compiled for wasm32-unknown-unknown, each `#[test]` is a wasm-bindgen
// test (Node and headless Chromium: `make test-verifier-web`).
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[path = "pack_common/fixture.rs"]
mod fixture;

use aigis_core::pack::{self, SiteKey, VerifyOptions};
use fixture::*;

#[test]
fn a_good_pack_verifies_with_and_without_the_site_key() {
    let h = History::new(12, 1, false);
    let zip = h.pack(0, h.last_commit(), None);
    let r = pack::verify(&zip, &VerifyOptions::default());
    assert!(r.ok, "{r}");
    assert_eq!(r.events_checked, h.events.len() as u64);
    assert_eq!(r.macs_checked, 0);
    assert_eq!(r.checkpoint_size, Some(h.events.len() as u64));
    assert_eq!(r.first_seq, Some(1));
    assert_eq!(r.records["requests.csv"], 12);
    assert_eq!(r.records["decisions.csv"], 12);
    assert_eq!(r.records["grants.csv"], 8);
    let opts = VerifyOptions {
        site_key: Some(SiteKey {
            key_id: Some("site-k1".into()),
            key: SITE_KEY.to_vec(),
        }),
        trusted_key: Some(h.signer_at(1).verifier_key()),
        previous: None,
    };
    let r = pack::verify(&zip, &opts);
    assert!(r.ok, "{r}");
    assert_eq!(r.macs_checked, h.events.len() as u64);
    let wrong = VerifyOptions {
        site_key: Some(SiteKey {
            key_id: None,
            key: b"other".to_vec(),
        }),
        ..VerifyOptions::default()
    };
    let r = pack::verify(&zip, &wrong);
    let f = r.failure.expect("wrong site key");
    assert_eq!(
        (f.file.as_str(), f.rule.as_str(), f.seq),
        ("audit.jsonl", "audit.mac", Some(1))
    );
}

#[test]
fn building_twice_gives_identical_bytes() {
    let h = History::new(9, 2, false);
    let a = h.pack(0, h.last_commit(), None);
    let b = h.pack(0, h.last_commit(), None);
    assert_eq!(a, b);
    let h2 = History::new(9, 2, false);
    assert_eq!(a, h2.pack(0, h2.last_commit(), None));
}

#[test]
fn a_window_after_pruning_is_anchored_and_links_to_the_previous_export() {
    let h = History::new(12, 3, false);
    // Commit 9 is the first state event (before request 4): a window from
    // commit 12 is proven from it.
    let mid = h.commit_ends[14];
    let zip = h.pack(12, h.last_commit(), Some(mid));
    let r = pack::verify(&zip, &VerifyOptions::default());
    assert!(r.ok, "{r}");
    assert!(r.first_seq.unwrap() > 1);
    let anchor = r.anchor.expect("anchor");
    assert!(anchor.contains("verified from index"), "{anchor}");
    let proven = r.proven_from.expect("proven from");
    assert!(
        proven.contains(&format!("audit.state event at seq {}", h.states[0])),
        "{proven}"
    );
    assert!(r.events_folded > 0);
}

#[test]
fn the_manifest_lists_every_field_and_file() {
    let h = History::new(4, 4, false);
    let zip = h.pack(0, h.last_commit(), None);
    let entries = pack::read_entries(&zip).unwrap();
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, pack::ALL_FILES);
    let m: serde_json::Value = serde_json::from_slice(&entries[0].1).unwrap();
    for k in [
        "format",
        "scope",
        "window",
        "query",
        "generatedAt",
        "generatedAtMs",
        "generator",
        "requestedBy",
        "records",
        "firstSeq",
        "lastSeq",
        "files",
        "checkpoint",
        "previous",
        "keys",
        "prefix",
        "prune",
        "provenFrom",
    ] {
        assert!(m.get(k).is_some(), "manifest lacks {k}");
    }
    let listed: Vec<&str> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(listed, pack::DATA_FILES);
    assert!(
        listed.contains(&"verify.html"),
        "the page is under the digests"
    );
    let env: serde_json::Value = serde_json::from_slice(&entries[1].1).unwrap();
    assert_eq!(env["payloadType"], "application/vnd.in-toto+json");
    let decisions = String::from_utf8(entries[6].1.clone()).unwrap();
    assert!(decisions.starts_with(
        "requestId,issueKey,decision,decidedBy,decidedAt,source,batch,policy,rationale,governanceVersion,seq"
    ));
    assert!(decisions.contains(",auto-policy,,p1,"), "{decisions}");
}

#[test]
fn plain_verify_says_the_signing_key_is_not_pinned_and_how_to_pin_it() {
    let h = History::new(4, 4, false);
    let zip = h.pack(0, h.last_commit(), None);
    let r = pack::verify(&zip, &VerifyOptions::default());
    assert!(r.ok, "{r}");
    assert!(!r.key_pinned);
    let key = h.signer_at(1_000);
    let note = r.unpinned.clone().expect("an unpinned note");
    assert!(note.contains("not pinned"), "{note}");
    assert!(note.contains(&key.key_id()), "{note}");
    assert!(
        note.contains(&format!("--trusted-key {}", key.verifier_key())),
        "{note}"
    );
    assert!(r.to_string().contains(&note), "{r}");
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["keyPinned"], false);
    assert_eq!(json["unpinned"], note.as_str());
    // Pinned: no note.
    let pinned = pack::verify(
        &zip,
        &VerifyOptions {
            trusted_key: Some(key.verifier_key()),
            ..VerifyOptions::default()
        },
    );
    assert!(
        pinned.ok && pinned.key_pinned && pinned.unpinned.is_none(),
        "{pinned}"
    );
}
