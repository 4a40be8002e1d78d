//! The bodies of the resolver-payload and snapshot-ingestion fuzz targets,
//! shared by `fuzz/fuzz_targets/*.rs` (cargo-fuzz) and `tests/fuzz.rs`
//! (seeded inputs on stable). Both include `tests/common` as `common`.

#![allow(dead_code)]

use crate::common::*;
use serde_json::Value;

/// Everything stored: every entity of every manifest kind, the queue, and
/// the simulator's pending events.
pub fn dump(w: &World) -> (Vec<(String, String, String)>, usize, usize) {
    let mut out = Vec::new();
    for s in manifest_schemas() {
        for (k, v) in w.storage.entities_of(&s.name) {
            out.push((s.name.clone(), k, v));
        }
    }
    let queued = w.queue.pushed.borrow().len();
    let events = w.sim.pending_events().map(|e| e.len()).unwrap_or(0);
    (out, queued, events)
}

/// The callers a payload is tried as.
pub const CALLERS: [&str; 3] = ["ada", "arlo", "rita"];

/// One resolver call: the first byte picks the resolver (and the caller),
/// the rest is the payload. No panic; a rejection is a 400 naming a field
/// or a plain refusal (4xx other than 400), never a 5xx; a rejected call
/// writes nothing.
pub fn resolver_payload(w: &World, data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let keys = aigis_app::resolver_keys();
    let key = keys[usize::from(first) % keys.len()];
    let who = CALLERS[(usize::from(first) / keys.len()) % CALLERS.len()];
    let payload = String::from_utf8_lossy(rest);
    let before = dump(w);
    let account = w.account(who);
    match w.invoke_ctx(Some(&account), key, &payload) {
        Ok(_) => {}
        Err(e) => {
            let status = e.status();
            assert!(
                (400..500).contains(&status),
                "{key} as {who} with {payload:?}: {status} {e:?}"
            );
            if status == 400 {
                assert!(
                    e.field.as_deref().is_some_and(|f| !f.is_empty()),
                    "{key} with {payload:?}: a 400 without a field: {e:?}"
                );
            }
            assert!(
                dump(w) == before,
                "{key} as {who} with {payload:?}: rejected ({e:?}) but wrote"
            );
        }
    }
}

/// The issue-created trigger with an arbitrary `aigis.snapshot.v1`
/// property (the bytes as JSON, or else as a JSON string): no panic, no
/// 5xx, and the audit trail still verifies.
pub fn snapshot_ingest(w: &World, data: &[u8]) {
    let snapshot: Value = serde_json::from_slice(data)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(data).into_owned()));
    let requests = w.entities("request").len();
    w.portal_request("sam", snapshot.clone());
    let ctx = serde_json::json!({"cloudId": "local", "moduleKey": "issue-created"}).to_string();
    for e in w.sim.pending_events().expect("events") {
        let out = w.with_platform(|p| {
            aigis_app::on_event(p, "onIssueCreated", &e.payload.to_string(), &ctx)
        });
        if let Err(err) = out {
            assert!(err.status() < 500, "snapshot {snapshot}: {err:?}");
        }
        w.sim.ack_event(e.id).expect("ack");
    }
    assert!(w.entities("request").len() <= requests + 1, "{snapshot}");
    let report = w.verify();
    assert!(report.intact, "snapshot {snapshot}: {report:?}");
}
