//! The escalation, recertification and retention sweeps.

mod common;

use common::*;
use serde_json::{Value, json};

const HOUR: i64 = 3_600_000;

fn run(w: &World, handler: &str) -> Value {
    let out = w
        .with_platform(|p| aigis_app::on_schedule(p, handler, "{}", "{}"))
        .unwrap_or_else(|e| panic!("{handler}: {e:?}"));
    serde_json::from_str(&out).expect("summary JSON")
}

fn escalation_world() -> World {
    let w = World::configured();
    let arlo = w.account("arlo");
    w.ok(
        "ada",
        "config.setIntake",
        json!({"approvalSlaHours": 24, "escalationAccounts": [arlo], "escalationGroup": "aigis-approvers"}),
    );
    w
}

fn escalations(w: &World, issue: &str) -> usize {
    w.comments(issue)
        .iter()
        .filter(|c| c.starts_with("Approval overdue"))
        .count()
}

#[test]
fn escalation_waits_for_the_sla_then_escalates_once() {
    let w = escalation_world();
    let (issue, _) = w.portal_request("rita", World::snapshot("claude", 30));
    w.pump();
    w.set_now(T0 + 23 * HOUR);
    assert_eq!(run(&w, "escalation")["escalated"], 0);
    assert_eq!(escalations(&w, &issue), 0);
    w.set_now(T0 + 25 * HOUR);
    assert_eq!(run(&w, "escalation")["escalated"], 1);
    assert_eq!(escalations(&w, &issue), 1);
    // Rerun at the same time and later: no second escalation.
    assert_eq!(run(&w, "escalation")["escalated"], 0);
    w.set_now(T0 + 50 * HOUR);
    assert_eq!(run(&w, "escalation")["escalated"], 0);
    assert_eq!(escalations(&w, &issue), 1);
    let events: Vec<Value> = w
        .entities("audit")
        .into_iter()
        .filter(|e| e["action"] == "request.escalated")
        .collect();
    assert_eq!(events.len(), 1);
    assert!(w.verify().intact);
    // The comment mentions the escalation target.
    let resp = w.sim.handle_as(
        None,
        "GET",
        &format!("/rest/api/3/issue/{issue}/comment"),
        &[],
        None,
    );
    assert!(resp.body.contains(&w.account("arlo")), "{}", resp.body);
}

#[test]
fn escalation_skips_decided_requests_and_without_sla_does_nothing() {
    let w = World::configured();
    let (issue, _) = w.portal_request("rita", World::snapshot("claude", 30));
    w.pump();
    w.set_now(T0 + 100 * HOUR);
    assert_eq!(run(&w, "escalation")["escalated"], 0);
    w.ok("ada", "config.setIntake", json!({"approvalSlaHours": 24}));
    w.ok("arlo", "requests.approve", json!({"requestId": issue}));
    assert_eq!(run(&w, "escalation")["escalated"], 0);
    assert_eq!(escalations(&w, &issue), 0);
}

#[test]
fn escalation_reads_only_what_is_due() {
    let w = escalation_world();
    let (due, _) = w.portal_request("rita", World::snapshot("claude", 30));
    w.pump();
    w.set_now(T0 + 25 * HOUR);
    // Many requests that have not breached the SLA yet.
    for _ in 0..60 {
        w.portal_request("rita", World::snapshot("claude", 30));
    }
    // (Refused as duplicates or pending: either way not due.)
    w.pump();
    let before = w.storage.calls.get();
    let s = run(&w, "escalation");
    let first = w.storage.calls.get() - before;
    assert_eq!(s["escalated"], 1);
    assert_eq!(s["itemsExamined"], 1);
    assert_eq!(escalations(&w, &due), 1);
    let before = w.storage.calls.get();
    let s = run(&w, "escalation");
    let rerun = w.storage.calls.get() - before;
    assert_eq!(s["escalated"], 0);
    assert!(rerun <= 12, "rerun made {rerun} storage calls");
    assert!(first <= 30, "first run made {first} storage calls");
}
