//! Signed checkpoints, inclusion and consistency proofs from stored nodes,
//! log-key rotation, audit search, and the cost of an append.

mod common;

use aigis_app::audit::{checkpoints, proofs};
use aigis_core::tlog;
use common::*;
use serde_json::{Value, json};

/// Appends `n` audit events through the commit protocol.
fn append(w: &World, n: usize, action: &str, actor: &str) {
    w.with_platform(|p| {
        for i in 0..n {
            aigis_app::repo::commit(&p, |_| {
                let mut c = aigis_app::repo::Change::new();
                c.event(aigis_core::audit::NewEvent::new(
                    actor,
                    action,
                    &format!("thing:{}", i % 3),
                    json!({"i": i}),
                ));
                Ok(((), c))
            })
            .unwrap();
        }
    });
}

fn head(w: &World) -> u64 {
    w.with_platform(|p| aigis_app::repo::read_head(&p).unwrap().unwrap().seq)
}

#[test]
fn a_checkpoint_signs_the_stored_tree_and_is_made_once_per_size() {
    let w = World::configured();
    append(&w, 37, "test.event", "acct-1");
    let cp = w.with_platform(|p| checkpoints::checkpoint_now(&p).unwrap());
    // Creating the key was itself logged, so the tree is larger than 37.
    assert_eq!(cp.size, head(&w));
    let keys = w.with_platform(|p| checkpoints::log_keys(&p).unwrap().unwrap());
    let vkey = &keys.current().unwrap().verifier_key;
    let opened = tlog::open_checkpoint(&cp.note, vkey, Some(&keys.origin)).unwrap();
    assert_eq!(opened.size, cp.size);
    assert_eq!(tlog::hex(&opened.root), cp.root);
    let stored_root = w.with_platform(|p| {
        tlog::root_at(&aigis_app::audit::store::StoredNodes(p.storage), cp.size).unwrap()
    });
    assert_eq!(stored_root, opened.root);
    // Again at the same size: the same note, nothing new stored.
    let again = w.with_platform(|p| checkpoints::checkpoint_now(&p).unwrap());
    assert_eq!(again, cp);
    assert_eq!(w.entities("checkpoint").len(), 1);
    // The public key never reveals the seed; the secret is only in secrets.
    assert!(!serde_json::to_string(&keys).unwrap().contains("PRIVATE"));
}

#[test]
fn every_event_has_an_inclusion_proof_and_checkpoints_are_consistent() {
    let w = World::configured();
    append(&w, 20, "test.event", "acct-1");
    let first = w.with_platform(|p| checkpoints::checkpoint_now(&p).unwrap());
    append(&w, 23, "test.event", "acct-2");
    let second = w.with_platform(|p| checkpoints::checkpoint_now(&p).unwrap());
    let root = tlog::from_hex(&second.root).unwrap();
    for seq in 1..=second.size {
        let proof = w.with_platform(|p| proofs::prove(&p, seq).unwrap());
        assert_eq!(proof.tree_size, second.size);
        let hashes: Vec<tlog::Hash> = proof
            .proof
            .iter()
            .map(|h| tlog::from_hex(h).unwrap())
            .collect();
        let leaf = tlog::from_hex(&proof.leaf_hash).unwrap();
        tlog::verify_inclusion(&hashes, seq - 1, second.size, leaf, root).unwrap();
        // The leaf is the stored event's entryHash.
        let stored = w
            .entities("audit")
            .into_iter()
            .find(|e| e["seq"] == seq)
            .unwrap();
        assert_eq!(stored["entryHash"], proof.leaf_hash.as_str());
        // The same proof against the older root fails.
        assert!(
            tlog::verify_inclusion(
                &hashes,
                seq - 1,
                second.size,
                leaf,
                tlog::from_hex(&first.root).unwrap()
            )
            .is_err()
        );
    }
    let proof = w.with_platform(|p| {
        tlog::consistency_proof(
            &aigis_app::audit::store::StoredNodes(p.storage),
            first.size,
            second.size,
        )
        .unwrap()
    });
    tlog::verify_consistency(
        &proof,
        first.size,
        tlog::from_hex(&first.root).unwrap(),
        second.size,
        root,
    )
    .unwrap();
    let e = w.err("ada", "audit.prove", json!({"seq": second.size + 100}));
    assert_eq!(e.field.as_deref(), Some("seq"));
    let e = w.err("ada", "audit.prove", json!({"seq": "one"}));
    assert_eq!(e.field.as_deref(), Some("seq"));
}

#[test]
fn events_record_the_governance_version_in_force() {
    let w = World::configured();
    w.ok("ada", "governance.set", json!({"note": "tighter"}));
    let cur = w.ok("ada", "governance.get", json!({}))["current"].clone();
    append(&w, 1, "test.after", "acct-1");
    let after = w
        .entities("audit")
        .into_iter()
        .find(|e| e["action"] == "test.after")
        .unwrap();
    assert_eq!(after["govVersion"], cur);
    let updated = w
        .entities("audit")
        .into_iter()
        .find(|e| e["action"] == "governance.updated")
        .unwrap();
    assert_eq!(updated["govVersion"], cur);
}

#[test]
fn rotating_the_key_is_logged_and_old_checkpoints_still_verify() {
    let w = World::configured();
    append(&w, 5, "test.event", "acct-1");
    let before = w.with_platform(|p| checkpoints::checkpoint_now(&p).unwrap());
    let out = w.ok("ada", "audit.rotateKey", json!({}));
    assert_eq!(out["checkpointBefore"]["size"], before.size);
    let keys = w.ok("ada", "audit.keys", json!({}));
    let list = keys["keys"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|k| k["current"] == true).count(), 1);
    let old = list.iter().find(|k| k["current"] == false).unwrap();
    let new = list.iter().find(|k| k["current"] == true).unwrap();
    assert_ne!(old["keyId"], new["keyId"]);
    let rotated = w
        .entities("audit")
        .into_iter()
        .find(|e| e["action"] == "audit.key.rotated")
        .unwrap();
    assert_eq!(rotated["data"]["keyId"], new["keyId"]);
    assert_eq!(rotated["data"]["previousKeyId"], old["keyId"]);
    // The old checkpoint verifies with the old key only.
    tlog::open_checkpoint(&before.note, old["verifierKey"].as_str().unwrap(), None).unwrap();
    assert!(
        tlog::open_checkpoint(&before.note, new["verifierKey"].as_str().unwrap(), None).is_err()
    );
    let after = w.with_platform(|p| checkpoints::checkpoint_now(&p).unwrap());
    assert_eq!(after.key_id, new["keyId"].as_str().unwrap());
    tlog::open_checkpoint(&after.note, new["verifierKey"].as_str().unwrap(), None).unwrap();
    // verify reports the newest checkpoint valid against the stored tree.
    let v = w.ok("ada", "audit.verify", json!({}));
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["checkpoint"]["valid"], true, "{v}");
    assert_eq!(v["statement"], "verified from index 1 (genesis)");
}

#[test]
fn a_tampered_tree_fails_the_checkpoint_check() {
    use aigis_platform::Storage;
    let w = World::configured();
    append(&w, 8, "test.event", "acct-1");
    let cp = w.with_platform(|p| checkpoints::checkpoint_now(&p).unwrap());
    // The largest perfect subtree of the checkpoint's tree: its root node
    // is stored on event `top` at level log2(top).
    let top = 1u64 << (63 - cp.size.leading_zeros());
    let level = top.trailing_zeros() as usize;
    let key = format!("{top:012}");
    let raw = w.storage.entity_get("audit", &key).unwrap().unwrap();
    let mut e: Value = serde_json::from_str(&raw).unwrap();
    e["nodes"][level - 1] = json!("00".repeat(32));
    w.storage.entity_set("audit", &key, &e.to_string()).unwrap();
    let v = w.ok("ada", "audit.verify", json!({}));
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["intact"], false);
    assert_eq!(v["firstBreak"]["seq"], top);
    assert_eq!(v["checkpoint"]["valid"], false, "{v}");
}

#[test]
fn search_filters_by_type_actor_subject_and_time_with_pages() {
    let w = World::configured();
    w.set_now(T0 + DAY);
    append(&w, 7, "test.alpha", "acct-a");
    w.set_now(T0 + 2 * DAY);
    append(&w, 5, "test.beta", "acct-b");
    let s = |q: Value| w.ok("ada", "audit.search", q);
    let alpha = s(json!({"type": "test.alpha"}));
    assert_eq!(alpha["events"].as_array().unwrap().len(), 7);
    // Newest first.
    let seqs: Vec<u64> = alpha["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|p| p[0] > p[1]));
    assert_eq!(
        s(json!({"actor": "acct-b"}))["events"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(
        s(json!({"actor": "acct-a", "type": "test.beta"}))["events"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // thing:0 gets i = 0, 3, 6 of alpha and 0, 3 of beta.
    assert_eq!(
        s(json!({"subject": "thing:0"}))["events"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(
        s(json!({"subject": "thing:0", "type": "test.beta"}))["events"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let day2 = aigis_core::time::date(T0 + 2 * DAY);
    let by_time = s(json!({"from": day2, "to": day2}));
    assert!(
        by_time["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["action"] == "test.beta")
    );
    assert_eq!(by_time["events"].as_array().unwrap().len(), 5);
    assert_eq!(
        s(json!({"actor": "acct-a", "from": day2}))["events"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // Pages of 3 walk all 7 alpha events exactly once.
    let mut seen = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let mut q = json!({"type": "test.alpha", "limit": 3});
        if let Some(c) = &cursor {
            q["cursor"] = json!(c);
        }
        let page = s(q);
        for e in page["events"].as_array().unwrap() {
            seen.push(e["seq"].as_u64().unwrap());
        }
        match page["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 7);
    for (q, field) in [
        (json!({"limit": 0}), "limit"),
        (json!({"limit": 101}), "limit"),
        (json!({"from": "yesterday"}), "from"),
        (json!({"to": "2026-13-45"}), "to"),
        (json!({"actor": ""}), "actor"),
        (json!({"type": 5}), "type"),
        (json!({"colour": "red"}), "colour"),
        (json!({"from": "2026-02-01", "to": "2026-01-01"}), "from"),
    ] {
        let e = w.err("ada", "audit.search", q.clone());
        assert_eq!(e.field.as_deref(), Some(field), "{q}: {e:?}");
    }
}

/// Storage calls of one append, at two log lengths.
fn append_cost(existing: usize) -> u64 {
    let w = World::configured();
    append(&w, existing, "test.event", "acct-1");
    let before = w.storage.calls.get();
    append(&w, 1, "test.event", "acct-1");
    w.storage.calls.get() - before
}

#[test]
fn an_append_costs_the_same_whatever_the_log_length() {
    let small = append_cost(3);
    let large = append_cost(3_000);
    assert_eq!(small, large);
    // Head read, MAC key id, the transaction.
    assert!(small <= 4, "{small}");
}

fn pack_of(out: &Value) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(out["contentBase64"].as_str().unwrap())
        .unwrap()
}

fn site_key(w: &World) -> aigis_core::pack::SiteKey {
    let (id, key) = w.with_platform(|p| aigis_app::repo::mac_key(&p).unwrap());
    aigis_core::pack::SiteKey {
        key_id: Some(id),
        key,
    }
}

#[test]
fn an_exported_lifecycle_verifies_offline_and_the_next_export_extends_it() {
    use aigis_core::pack::{VerifyOptions, verify};
    let w = World::configured();
    // A real history: an approval with its grant and job, and a denial.
    let (grant, _) = w.active_grant("bea", 20);
    let (denied, _) = w.portal_request("sam", World::snapshot("claude", 10));
    w.pump();
    w.ok(
        "arlo",
        "requests.deny",
        json!({"requestId": denied, "rationale": "Not now"}),
    );
    let first = w.ok("ada", "audit.export", json!({}));
    let zip1 = pack_of(&first);
    assert!(zip1.starts_with(b"PK"));
    assert_eq!(first["sha256"], aigis_core::audit::sha256_hex(&zip1));
    let r = verify(
        &zip1,
        &VerifyOptions {
            site_key: Some(site_key(&w)),
            ..Default::default()
        },
    );
    assert!(r.ok, "{r}");
    assert!(r.macs_checked > 0);
    assert_eq!(r.records["grants.csv"], 1, "{r:?}");
    assert_eq!(r.records["decisions.csv"], 2, "{r:?}");
    assert_eq!(r.checkpoint_size, first["checkpoint"]["size"].as_u64());
    // The export is an audit event, and remembered for the next one.
    let exported = w
        .entities("audit")
        .into_iter()
        .find(|e| e["action"] == "audit.exported")
        .unwrap();
    assert_eq!(exported["data"]["sha256"], first["sha256"]);
    // More history, a key rotation, a second export: it extends the first.
    w.ok(
        "bea",
        "grants.revoke",
        json!({"grantId": grant, "rationale": "Done"}),
    )
    .to_string();
    w.ok("ada", "audit.rotateKey", json!({}));
    w.set_now(T0 + 2 * DAY);
    let second = w.ok("ada", "audit.export", json!({}));
    let zip2 = pack_of(&second);
    let r = verify(
        &zip2,
        &VerifyOptions {
            previous: Some(zip1.clone()),
            ..Default::default()
        },
    );
    assert!(r.ok, "{r}");
    assert!(r.previous.is_some(), "{r:?}");
    // The older pack does not extend the newer one.
    let back = verify(
        &zip1,
        &VerifyOptions {
            previous: Some(zip2.clone()),
            ..Default::default()
        },
    );
    assert!(!back.ok, "{back}");
    // A tampered byte anywhere in the pack is caught.
    let mut bad = zip2.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x01;
    assert!(!verify(&bad, &VerifyOptions::default()).ok);
}

#[test]
fn export_windows_are_validated_and_rate_limited() {
    let w = World::configured();
    for (q, field) in [
        (json!({"from": "2026-01-01", "to": "2027-06-01"}), "from"),
        (json!({"from": "2026-03-01", "to": "2026-02-01"}), "from"),
        (json!({"from": "last week"}), "from"),
        (json!({"to": -5}), "to"),
        (json!({"window": 90}), "window"),
    ] {
        let e = w.err("ada", "audit.export", q.clone());
        assert_eq!(e.field.as_deref(), Some(field), "{q}: {e:?}");
    }
    // Nothing was exported by the refusals.
    assert!(
        !w.entities("audit")
            .iter()
            .any(|e| e["action"] == "audit.exported")
    );
    for _ in 0..5 {
        w.ok("ada", "audit.export", json!({}));
    }
    let e = w.err("ada", "audit.export", json!({}));
    assert_eq!(e.code, "rate-limited", "{e:?}");
}

#[test]
fn a_pack_exported_after_pruning_verifies_from_its_anchor() {
    use aigis_core::pack::{VerifyOptions, verify};
    let w = World::configured();
    append(&w, 30, "test.event", "acct-1");
    let first = pack_of(&w.ok("ada", "audit.export", json!({})));
    w.set_now(T0 + 400 * DAY);
    append(&w, 4, "test.late", "acct-2");
    let s = w.with_platform(|p| aigis_app::audit::retention::prune(&p, || false).unwrap());
    assert!(s.events_pruned > 30, "{s:?}");
    let second = pack_of(&w.ok("ada", "audit.export", json!({})));
    let r = verify(
        &second,
        &VerifyOptions {
            previous: Some(first),
            ..Default::default()
        },
    );
    assert!(r.ok, "{r}");
    assert!(
        r.anchor
            .as_deref()
            .unwrap_or("")
            .contains("anchored by checkpoint"),
        "{r:?}"
    );
}
