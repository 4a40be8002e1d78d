//! Retries change nothing: bulk decisions, job completions, revocations,
//! redelivered events after a decision, and expiry sweeps run twice.

mod common;

use common::*;
use serde_json::{Value, json};

/// What a retry must leave as it was: entity counts, audit head, comments.
fn state(w: &World, issues: &[&str]) -> (Vec<(&'static str, usize)>, Vec<Value>, Vec<usize>) {
    (
        w.counts(),
        w.entities("audithead"),
        issues.iter().map(|i| w.comments(i).len()).collect(),
    )
}

#[test]
fn a_retried_bulk_decision_changes_nothing() {
    let w = World::configured();
    let mut ids = Vec::new();
    for (who, tool) in [("rita", "claude"), ("sam", "claude")] {
        let (id, _) = w.portal_request(who, World::snapshot(tool, 10));
        ids.push(id);
    }
    w.pump();
    let call = json!({"requestIds": ids, "decision": "approve", "rationale": "Team rollout"});
    let first = w.ok("arlo", "requests.decide", call.clone());
    assert_eq!(w.entities("grant").len(), 2, "{first}");
    let issues: Vec<&str> = ids.iter().map(String::as_str).collect();
    let before = state(&w, &issues);
    let again = w.ok("arlo", "requests.decide", call);
    assert_eq!(state(&w, &issues), before, "retry wrote: {again}");
    // A retry by another approver finds the work done, too.
    let _ = w.invoke(
        "bea",
        "requests.decide",
        json!({"requestIds": ids, "decision": "approve", "rationale": "Team rollout"}),
    );
    assert_eq!(state(&w, &issues), before);
    assert!(w.verify().intact);
}

#[test]
fn a_retried_job_completion_changes_nothing() {
    let w = World::configured();
    let (issue, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    w.ok("arlo", "requests.approve", json!({"requestId": issue}));
    w.sweep();
    let job = w.ok("arlo", "jobs.manual", json!({}))["jobs"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let call = json!({"jobId": job, "outcome": "fulfilled"});
    let first = w.ok("arlo", "jobs.complete", call.clone());
    let before = state(&w, &[&issue]);
    let again = w.ok("arlo", "jobs.complete", call.clone());
    assert_eq!(again["grant"], first["grant"]);
    assert_eq!(state(&w, &[&issue]), before);
    // Someone else completing it again is refused, and writes nothing.
    assert_eq!(w.err("bea", "jobs.complete", call).code, "conflict");
    assert_eq!(state(&w, &[&issue]), before);
    assert!(w.verify().intact);
}

#[test]
fn a_retried_revocation_comments_once_and_queues_one_job() {
    let w = World::configured();
    let (grant, issue) = w.active_grant("rita", 20);
    let call = json!({"grantId": grant, "rationale": "Left the team"});
    w.ok("arlo", "grants.revoke", call.clone());
    let before = state(&w, &[&issue]);
    let again = w.ok("arlo", "grants.revoke", call);
    assert_eq!(again["changed"], false);
    assert_eq!(state(&w, &[&issue]), before);
    let revoked = w
        .comments(&issue)
        .iter()
        .filter(|c| c.starts_with("Access revoked"))
        .count();
    assert_eq!(revoked, 1);
    assert!(w.verify().intact);
}

#[test]
fn an_event_redelivered_after_the_decision_changes_nothing() {
    let w = World::configured();
    let (issue, _) = w.portal_request("rita", World::snapshot("claude", 10));
    let events = w.sim.pending_events().unwrap();
    w.pump();
    w.ok("arlo", "requests.approve", json!({"requestId": issue}));
    w.sweep();
    let before = state(&w, &[&issue]);
    let request = w.entities("request");
    for e in &events {
        w.deliver(&e.payload);
    }
    assert_eq!(state(&w, &[&issue]), before);
    assert_eq!(
        w.entities("request"),
        request,
        "the decided request is untouched"
    );
}

#[test]
fn an_expiry_sweep_run_twice_expires_once_and_comments_once() {
    let w = World::configured();
    let (grant, issue) = w.active_grant("rita", 5);
    w.set_now(T0 + 6 * DAY);
    let first = w.sweep();
    assert_eq!(first["grantsExpired"], 1, "{first}");
    let before = state(&w, &[&issue]);
    let second = w.sweep();
    assert_eq!(second["grantsExpired"], 0, "{second}");
    assert_eq!(state(&w, &[&issue]), before);
    let deprov = w
        .entities("job")
        .into_iter()
        .filter(|j| j["kind"] == "deprovision" && j["grant"] == grant.as_str())
        .count();
    assert_eq!(deprov, 1);
    let expired = w
        .comments(&issue)
        .iter()
        .filter(|c| c.starts_with("Access expired"))
        .count();
    assert_eq!(expired, 1);
    assert!(w.verify().intact);
}

#[test]
fn a_retried_extension_with_the_expiry_it_saw_extends_once() {
    let w = World::configured();
    let (grant, _) = w.active_grant("rita", 10);
    let seen = w
        .entities("grant")
        .iter()
        .find(|g| g["id"] == grant.as_str())
        .unwrap()["expiresAt"]
        .as_i64()
        .unwrap();
    let payload = json!({"grantId": grant, "days": 5, "rationale": "Pilot runs on", "expectedExpiresAt": seen});
    let first = w.ok("arlo", "grants.extend", payload.clone());
    assert_eq!(first["grant"]["expiresAt"], seen + 5 * DAY);
    let events = w.entities("audit").len();
    let retry = w.err("arlo", "grants.extend", payload);
    assert_eq!(retry.code, "conflict", "{retry:?}");
    assert_eq!(w.entities("audit").len(), events);
    let now = w
        .entities("grant")
        .iter()
        .find(|g| g["id"] == grant.as_str())
        .unwrap()["expiresAt"]
        .as_i64()
        .unwrap();
    assert_eq!(now, seen + 5 * DAY);
}
