//! The fuzz targets' bodies (`fuzz/fuzz_targets/resolver_payload.rs`,
//! `snapshot_ingest.rs`) over ChaCha-seeded inputs, on stable: every
//! resolver with random bytes and with random JSON objects over the fields
//! resolvers read; the issue-created trigger with random snapshots.

mod common;
mod fuzz_common;

use common::*;
use fuzz_common::*;
use proptest::prelude::Rng as _;
use proptest::test_runner::{RngAlgorithm, TestRng};
use serde_json::{Map, Value, json};

const FIELDS: &[&str] = &[
    "requestId",
    "requestIds",
    "grantId",
    "jobId",
    "id",
    "toolId",
    "projectKey",
    "days",
    "durationDays",
    "rationale",
    "reason",
    "decision",
    "outcome",
    "answer",
    "status",
    "risk",
    "name",
    "provider",
    "guidance",
    "purpose",
    "seq",
    "limit",
    "cursor",
    "type",
    "from",
    "to",
    "issueKey",
    "accountIds",
    "query",
    "portalId",
    "approverGroups",
    "allowedGroups",
    "autoApprove",
    "maxDurationDays",
    "note",
    "batch",
    "extra",
];

fn value(r: &mut TestRng, depth: u32, ids: &[String]) -> Value {
    match r.next_u32() % if depth > 2 { 7 } else { 9 } {
        0 => Value::Null,
        1 => json!(r.next_u32().is_multiple_of(2)),
        2 => json!(i64::from(r.next_u32() as i32) % 1000),
        3 => json!(r.next_u64()),
        4 => json!(
            [
                "",
                "x",
                "claude",
                "approved",
                "deny",
                "keep",
                "fulfilled",
                "\u{0}",
                "ä",
                "-1"
            ][r.next_u32() as usize % 10]
        ),
        5 => json!("x".repeat(r.next_u32() as usize % 3000)),
        6 => json!(ids[r.next_u32() as usize % ids.len()]),
        7 => Value::Array(
            (0..r.next_u32() % 4)
                .map(|_| value(r, depth + 1, ids))
                .collect(),
        ),
        _ => object(r, depth + 1, ids),
    }
}

fn object(r: &mut TestRng, depth: u32, ids: &[String]) -> Value {
    let mut m = Map::new();
    for _ in 0..r.next_u32() % 5 {
        let k = FIELDS[r.next_u32() as usize % FIELDS.len()];
        m.insert(k.to_owned(), value(r, depth, ids));
    }
    Value::Object(m)
}

/// A world with a pending request, an active grant and an open job.
fn fixture() -> (World, Vec<String>) {
    let w = World::configured();
    let (grant, _) = w.active_grant("bea", 20);
    let (request, key) = w.portal_request("sam", World::snapshot("claude", 10));
    w.pump();
    let ids = vec![
        grant,
        request,
        key,
        w.site.project_key.clone(),
        w.account("sam"),
    ];
    (w, ids)
}

#[test]
fn resolver_payload_body_holds_on_seeded_inputs() {
    let mut r = TestRng::from_seed(RngAlgorithm::ChaCha, &[13; 32]);
    let keys = aigis_app::resolver_keys();
    let mut runs = 0;
    let (mut w, mut ids) = fixture();
    for i in 0..3000u32 {
        if i % 500 == 499 {
            // A fresh world now and then: accepted calls change it.
            (w, ids) = fixture();
        }
        let first = (r.next_u32() % 256) as u8;
        let mut data = vec![first];
        if i % 4 == 0 {
            let n = r.next_u32() as usize % 64;
            data.extend((0..n).map(|_| r.next_u32() as u8));
        } else {
            data.extend(object(&mut r, 0, &ids).to_string().into_bytes());
        }
        resolver_payload(&w, &data);
        runs += 1;
    }
    // Every resolver got inputs: 256 covers every index.
    assert!(keys.len() < 256);
    println!("resolver payloads: {runs} inputs");
}

#[test]
fn snapshot_ingest_body_holds_on_seeded_inputs() {
    let mut r = TestRng::from_seed(RngAlgorithm::ChaCha, &[31; 32]);
    let (mut w, mut ids) = fixture();
    for i in 0..600u32 {
        if i % 200 == 199 {
            (w, ids) = fixture();
        }
        let data = match i % 3 {
            0 => (0..r.next_u32() % 48).map(|_| r.next_u32() as u8).collect(),
            1 => object(&mut r, 0, &ids).to_string().into_bytes(),
            _ => {
                let mut s = World::snapshot("claude", r.next_u32() % 400);
                s[FIELDS[r.next_u32() as usize % FIELDS.len()]] = value(&mut r, 1, &ids);
                s.to_string().into_bytes()
            }
        };
        snapshot_ingest(&w, &data);
    }
}
