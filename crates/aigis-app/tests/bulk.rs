//! Bulk decisions and the per-person rate limit on sensitive operations.

mod common;

use common::*;
use serde_json::{Value, json};

/// `n` extra approved tools, `t0`..`t{n-1}`, each requested once by rita.
fn many_requests(w: &World, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let id = format!("t{i}");
            w.ok("ada", "catalog.add", json!({"id": id, "name": format!("Tool {i}"), "provider": "P", "status": "approved", "risk": "low"}));
            let (issue, _) = w.portal_request("rita", World::snapshot(&id, 10));
            issue
        })
        .collect()
}

fn count(w: &World, entity: &str) -> usize {
    w.entities(entity).len()
}

#[test]
fn fifty_requests_are_approved_in_one_call() {
    let w = World::configured();
    let ids = many_requests(&w, 50);
    w.pump();
    let out = w.ok(
        "arlo",
        "requests.decide",
        json!({"requestIds": ids, "decision": "approve", "rationale": "Pilot"}),
    );
    assert_eq!(out["succeeded"], 50, "{out}");
    assert_eq!(out["failed"], 0);
    assert_eq!(out["results"].as_array().unwrap().len(), 50);
    assert_eq!(count(&w, "grant"), 50);
    assert!(
        w.entities("request")
            .iter()
            .all(|r| r["decision"] == "approved")
    );
    assert!(w.verify().intact);
}

#[test]
fn fifty_one_are_refused_and_nothing_is_written() {
    let w = World::configured();
    let ids: Vec<String> = (0..51).map(|i| format!("{}", 90_000 + i)).collect();
    let audit_before = count(&w, "audit");
    let e = w.err(
        "arlo",
        "requests.decide",
        json!({"requestIds": ids, "decision": "approve"}),
    );
    assert_eq!(e.code, "invalid");
    assert_eq!(e.field.as_deref(), Some("requestIds"));
    assert_eq!(count(&w, "audit"), audit_before);
    // An empty list, a bad decision and unknown fields name their field.
    let field = |p: Value| w.err("arlo", "requests.decide", p).field.unwrap();
    assert_eq!(
        field(json!({"requestIds": [], "decision": "approve"})),
        "requestIds"
    );
    assert_eq!(
        field(json!({"requestIds": ["1"], "decision": "maybe"})),
        "decision"
    );
    assert_eq!(
        field(json!({"requestIds": ["1"], "decision": "approve", "x": 1})),
        "x"
    );
    assert_eq!(
        field(json!({"requestIds": [1], "decision": "approve"})),
        "requestIds[0]"
    );
    // A malformed id refuses the whole call, naming the item.
    assert_eq!(
        field(json!({"requestIds": ["1", "a/b"], "decision": "approve"})),
        "requestIds[1]"
    );
    // Refused payloads do not use up the rate limit.
    assert_eq!(count(&w, "grant"), 0);
    for _ in 0..5 {
        w.ok(
            "arlo",
            "requests.decide",
            json!({"requestIds": ["99999"], "decision": "deny", "rationale": "x"}),
        );
    }
}

#[test]
fn mixed_items_get_their_own_results() {
    let w = World::configured();
    let ids = many_requests(&w, 2);
    // Arlo's own request: he may not approve it.
    let (own, _) = w.portal_request("arlo", World::snapshot("claude", 10));
    // A duplicate for a tool rita will hold: conflict after the first approval.
    let (first, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    w.ok("bea", "requests.approve", json!({"requestId": first}));
    let (dup, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    let list = json!([ids[0], own, "99999", dup, ids[1], ids[0]]);
    let out = w.ok(
        "arlo",
        "requests.decide",
        json!({"requestIds": list, "decision": "approve"}),
    );
    let results = out["results"].as_array().unwrap();
    let code = |i: usize| {
        results[i]["error"]["code"]
            .as_str()
            .unwrap_or("ok")
            .to_owned()
    };
    assert_eq!(results.len(), 5, "duplicates in the list count once: {out}");
    assert_eq!(code(0), "ok");
    assert_eq!(code(1), "forbidden");
    assert_eq!(code(2), "not-found");
    assert_eq!(code(4), "ok");
    // The duplicate pending request for an open grant is refused or was
    // never ingested: either way it is not approved.
    assert_ne!(code(3), "ok");
    assert_eq!(out["succeeded"], 2);
    assert_eq!(out["failed"], 3);
    // Denial in bulk needs a rationale per the single rule.
    let out = w.ok(
        "arlo",
        "requests.decide",
        json!({"requestIds": [own], "decision": "deny"}),
    );
    assert_eq!(out["results"][0]["ok"], false);
    assert!(w.verify().intact);
}

#[test]
fn sixth_sensitive_call_in_a_minute_is_refused_then_allowed_next_minute() {
    let w = World::configured();
    let start = T0 - T0 % 60_000 + 10_000; // ten seconds into a minute
    w.set_now(start);
    for _ in 0..5 {
        assert!(w.ok("ada", "audit.verify", json!({}))["intact"] == true);
    }
    let e = w.err("ada", "audit.verify", json!({}));
    assert_eq!(e.code, "rate-limited");
    assert_eq!(e.retry_after, Some(50));
    // Bulk decisions share the same budget.
    let e = w.err(
        "ada",
        "requests.decide",
        json!({"requestIds": ["99999"], "decision": "approve"}),
    );
    assert_eq!(e.code, "rate-limited");
    // Another person has their own budget.
    w.ok(
        "arlo",
        "requests.decide",
        json!({"requestIds": ["99999"], "decision": "approve"}),
    );
    // The next minute allows again, and the runner prunes old slots.
    w.set_now(start + 60_000);
    w.ok("ada", "audit.verify", json!({}));
    let s = w.sweep();
    assert_eq!(s["rateSlotsPruned"], 6, "{s}");
}

#[test]
fn audit_verify_is_for_admins() {
    let w = World::configured();
    assert_eq!(w.err("arlo", "audit.verify", json!({})).code, "forbidden");
    assert_eq!(w.err("rita", "audit.verify", json!({})).code, "forbidden");
}
