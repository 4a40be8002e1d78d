//! Admin tables and insights maintained by the analytics sweep.

mod common;

use common::*;
use serde_json::{Value, json};

fn analytics(w: &World) -> Value {
    let out = w
        .with_platform(|p| aigis_app::on_schedule(p, "analytics", "{}", "{}"))
        .expect("analytics");
    serde_json::from_str(&out).unwrap()
}

fn decided_world() -> World {
    let w = World::configured();
    w.ok("ada", "catalog.add", json!({"id": "copilot", "name": "Copilot", "provider": "GitHub", "status": "approved", "risk": "low"}));
    let (a, _) = w.portal_request("rita", World::snapshot("claude", 10));
    let (b, _) = w.portal_request("sam", World::snapshot("claude", 10));
    let (c, _) = w.portal_request("rita", World::snapshot("copilot", 10));
    w.pump();
    w.set_now(T0 + 2 * 3_600_000);
    w.ok("arlo", "requests.approve", json!({"requestId": a}));
    w.set_now(T0 + 4 * 3_600_000);
    w.ok("arlo", "requests.approve", json!({"requestId": c}));
    w.ok(
        "arlo",
        "requests.deny",
        json!({"requestId": b, "rationale": "No need"}),
    );
    w
}

#[test]
fn insights_after_a_few_decisions() {
    let w = decided_world();
    let s = analytics(&w);
    assert!(s["eventsRead"].as_u64().unwrap() > 0);
    let out = w.ok("ada", "insights", json!({}));
    let m = &out["months"][0];
    assert_eq!(m["month"], "2026-11");
    assert_eq!(m["requests"], 3);
    assert_eq!(m["approvals"], 2);
    assert_eq!(m["denials"], 1);
    assert_eq!(m["riskMix"]["high"], 2);
    assert_eq!(m["riskMix"]["low"], 1);
    assert_eq!(m["topTools"][0]["tool"], "claude");
    assert_eq!(m["medianMinutesToDecision"], 240.0);
    assert_eq!(m["meanMinutesToDecision"], 200.0);
    assert_eq!(w.err("arlo", "insights", json!({})).code, "forbidden");
    assert_eq!(
        w.err("ada", "insights", json!({"from": "2026-13"}))
            .field
            .as_deref(),
        Some("from")
    );
}

#[test]
fn analytics_run_twice_gives_the_same_rollups_and_reads_only_new_events() {
    let w = decided_world();
    analytics(&w);
    let first = w.ok("ada", "insights", json!({}));
    let again = analytics(&w);
    assert_eq!(again["eventsRead"], 0);
    assert_eq!(w.ok("ada", "insights", json!({})), first);
    // New events only are read next time.
    let (d, _) = w.portal_request("sam", World::snapshot("copilot", 5));
    w.pump();
    w.ok("arlo", "requests.approve", json!({"requestId": d}));
    let s = analytics(&w);
    let n = s["eventsRead"].as_u64().unwrap();
    assert!(n > 0 && n < 10, "{s}");
    let m = &w.ok("ada", "insights", json!({}))["months"][0];
    assert_eq!(m["requests"], 4);
    assert_eq!(m["approvals"], 3);
}

#[test]
fn admin_tables_filter_and_page() {
    let w = decided_world();
    let rita = w.account("rita");
    let all = w.ok("ada", "requests.list", json!({}));
    assert_eq!(all["requests"].as_array().unwrap().len(), 3);
    let approved = w.ok("ada", "requests.list", json!({"status": "approved"}));
    assert_eq!(approved["requests"].as_array().unwrap().len(), 2);
    let claude = w.ok(
        "ada",
        "requests.list",
        json!({"status": "approved", "tool": "claude"}),
    );
    assert_eq!(claude["requests"].as_array().unwrap().len(), 1);
    let ritas = w.ok("ada", "requests.list", json!({"account": rita}));
    assert_eq!(ritas["requests"].as_array().unwrap().len(), 2);
    // Pagination by cursor.
    let p1 = w.ok("ada", "requests.list", json!({"limit": 2}));
    assert_eq!(p1["requests"].as_array().unwrap().len(), 2);
    let p2 = w.ok(
        "ada",
        "requests.list",
        json!({"limit": 2, "cursor": p1["nextCursor"]}),
    );
    assert_eq!(p2["requests"].as_array().unwrap().len(), 1);
    let grants = w.ok("ada", "grants.list", json!({"status": "pendingProvision"}));
    assert_eq!(grants["grants"].as_array().unwrap().len(), 2);
    let grants = w.ok("ada", "grants.list", json!({"tool": "copilot"}));
    assert_eq!(grants["grants"].as_array().unwrap().len(), 1);
    let jobs = w.ok("ada", "jobs.list", json!({"status": "queued"}));
    assert_eq!(jobs["jobs"].as_array().unwrap().len(), 2);
    assert_eq!(
        w.ok("ada", "jobs.list", json!({}))["jobs"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Rights and bad filters.
    for key in ["requests.list", "grants.list", "jobs.list"] {
        assert_eq!(w.err("arlo", key, json!({})).code, "forbidden");
        assert_eq!(w.err("rita", key, json!({})).code, "forbidden");
        assert_eq!(
            w.err("ada", key, json!({"status": "nope"}))
                .field
                .as_deref(),
            Some("status")
        );
        assert_eq!(
            w.err("ada", key, json!({"limit": 0})).field.as_deref(),
            Some("limit")
        );
    }
}

#[test]
fn rights_of_the_new_resolvers() {
    let w = decided_world();
    let keys = [
        (
            "requests.decide",
            json!({"requestIds": ["x"], "decision": "approve"}),
        ),
        (
            "grants.extend",
            json!({"grantId": "x", "days": 1, "rationale": "r"}),
        ),
        ("grants.revoke", json!({"grantId": "x", "rationale": "r"})),
        ("requests.list", json!({})),
        ("grants.list", json!({})),
        ("jobs.list", json!({})),
        ("insights", json!({})),
        ("audit.verify", json!({})),
    ];
    for (key, payload) in &keys {
        assert!(aigis_app::resolver_keys().contains(key), "{key} is routed");
        for who in ["rita", "sam"] {
            assert_eq!(
                w.err(who, key, payload.clone()).code,
                "forbidden",
                "{key} as {who}"
            );
        }
        let admin_only = !matches!(*key, "grants.extend" | "grants.revoke" | "requests.decide");
        let arlo = w.invoke("arlo", key, payload.clone());
        if admin_only {
            assert_eq!(arlo.unwrap_err().code, "forbidden", "{key} as arlo");
        } else {
            assert_ne!(
                arlo.err().map(|e| e.code.as_str()),
                Some("forbidden"),
                "{key} as arlo"
            );
        }
        assert_ne!(
            w.invoke("ada", key, payload.clone())
                .err()
                .map(|e| e.code.as_str()),
            Some("forbidden"),
            "{key} as ada"
        );
    }
    // Every caller sees their own grants.
    w.ok("sam", "grants.mine", json!({}));
}
