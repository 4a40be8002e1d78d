//! Cost does not grow with the data: sweeps read what is due, an approval
//! is a fixed number of storage operations.

mod common;

use common::*;
use serde_json::json;

/// Stores `idle` active grants that are far from expiry and `due` active
/// grants past it, directly (as years of use would have left them).
fn stock(w: &World, idle: usize, due: usize, issue: &str) {
    for i in 0..idle {
        let g = json!({"id": format!("g-i{i}"), "request": issue, "issueKey": "AIR-1", "account": format!("acct-{i}"),
            "tool": "claude", "status": "active", "durationDays": 90, "createdAt": T0 - DAY, "activatedAt": T0 - DAY,
            "expiresAt": T0 + 89 * DAY + (i as i64 % 1000)});
        w.storage
            .raw_entity_set("grant", &format!("g-i{i}"), &g.to_string());
    }
    for i in 0..due {
        let g = json!({"id": format!("g-d{i}"), "request": issue, "issueKey": "AIR-1", "account": format!("due-{i}"),
            "tool": "claude", "status": "active", "durationDays": 10, "createdAt": T0 - 11 * DAY, "activatedAt": T0 - 11 * DAY,
            "expiresAt": T0 - DAY + i as i64});
        w.storage
            .raw_entity_set("grant", &format!("g-d{i}"), &g.to_string());
    }
}

/// Runs the job runner over `idle` + 100 due grants; returns its storage calls.
fn sweep_cost(idle: usize) -> u64 {
    let w = World::configured();
    let (issue, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    stock(&w, idle, 100, &issue);
    let before = w.storage.calls.get();
    let s = w.sweep();
    let calls = w.storage.calls.get() - before;
    assert_eq!(s["grantsExpired"], 100, "{s}");
    assert_eq!(s["stoppedEarly"], false, "{s}");
    let expired = w
        .entities("grant")
        .into_iter()
        .filter(|g| g["status"] == "expired")
        .count();
    assert_eq!(expired, 100);
    // About 100 grants were looked at, not all of them.
    let examined = s["itemsExamined"].as_u64().unwrap();
    assert!(examined < 100 * 3, "{s}");
    assert!(w.verify().intact);
    calls
}

#[test]
fn a_sweep_over_100000_grants_touches_the_100_due() {
    let small = sweep_cost(1_000);
    let large = sweep_cost(99_900);
    eprintln!("sweep storage calls: {small} (1,000 idle) vs {large} (99,900 idle)");
    assert_eq!(small, large, "storage calls must not grow with idle grants");
    assert!(large < 100 * 15, "the sweep made {large} storage calls");
}

/// Storage calls of one approval, with `extra` unrelated grants stored.
fn approval_cost(extra: usize) -> u64 {
    let w = World::configured();
    let (issue, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    stock(&w, extra, 0, &issue);
    let before = w.storage.calls.get();
    w.ok("arlo", "requests.approve", json!({"requestId": issue}));
    w.storage.calls.get() - before
}

#[test]
fn an_approval_costs_the_same_with_100000_grants() {
    let small = approval_cost(10);
    let large = approval_cost(100_000);
    eprintln!("approval storage calls: {small} (10 grants) vs {large} (100,000)");
    assert_eq!(small, large);
    // 13: with the read of the tool's connector binding (connected mode), fixed.
    assert!(small <= 13, "one approval made {small} storage calls");
}
