//! Hostile input to every resolver: each field of a valid payload replaced
//! by values of every wrong kind, unknown fields, and payloads that are not
//! objects. Every answer keeps the error shape: a known code, a message in
//! plain words naming the field for `invalid`, never a storage, SQL, serde
//! or Rust type name, never an internal or unavailable error, and a refused
//! call writes nothing.

mod common;

use aigis_app::api::parse::leaks;
use common::*;
use serde_json::{Value, json};

fn hostile_values() -> Vec<Value> {
    vec![
        json!(null),
        json!(true),
        json!(0),
        json!(-1),
        json!(1e300),
        json!(18446744073709551615u64),
        json!(""),
        json!(" "),
        json!("a/b"),
        json!("zz"),
        json!("'; DROP TABLE audit; --"),
        json!("x".repeat(600)),
        json!("\u{0}\u{1f}é漢"),
        json!([]),
        json!([null, 1, "x"]),
        json!({}),
        json!({"$ne": 1}),
    ]
}

/// A valid payload for every resolver (the fields hostile values replace).
fn base(key: &str, w: &World, request: &str, grant: &str, job: &str) -> Value {
    let project = w.site.project_key.clone();
    match key {
        "config.setIntake" => json!({"projectKey": project, "approverGroups": ["aigis-approvers"],
            "requestTypeIds": ["10"], "approverRoles": [{"projectKey": project, "roleId": "10002"}],
            "delegations": [], "approvalSlaHours": 24, "reviewWindowDays": 14, "auditRetentionDays": 365}),
        "catalog.add" => json!({"id": "gemini", "name": "Gemini", "provider": "Google",
            "status": "approved", "risk": "medium", "maxDurationDays": 30, "guidance": "g"}),
        "catalog.list" => json!({"all": true}),
        "catalog.update" => {
            json!({"id": "claude", "guidance": "Drafting only", "risk": "high", "maxDurationDays": 20})
        }
        "catalog.retire" => json!({"id": "claude", "status": "blocked", "reason": "Ended"}),
        "catalog.history" => json!({"id": "claude"}),
        "governance.get" => json!({"version": 0}),
        "governance.set" => json!({"note": "tighter", "maxCriticalPerPerson": 1}),
        "policies.save" => json!({"id": "p1", "projectKey": project, "toolId": "claude",
            "name": "Claude pilot", "autoApprove": true, "allowedGroups": ["ai-users"], "maxDurationDays": 10}),
        "policies.delete" => json!({"id": "p1"}),
        "requests.get" | "requests.approve" => json!({"requestId": request, "rationale": "ok"}),
        "requests.deny" => json!({"requestId": request, "rationale": "Not now"}),
        "requests.decide" => {
            json!({"requestIds": [request], "decision": "deny", "rationale": "Not now"})
        }
        "requests.mine" | "requests.pending" | "grants.mine" | "jobs.manual" => {
            json!({"limit": 5, "cursor": null})
        }
        "requests.list" | "grants.list" => {
            json!({"status": "active", "tool": "claude", "account": "x", "limit": 5})
        }
        "jobs.list" => json!({"status": "queued", "account": grant, "limit": 5}),
        "grants.extend" => {
            json!({"grantId": grant, "days": 5, "rationale": "Longer", "expectedExpiresAt": 0})
        }
        "grants.revoke" => json!({"grantId": grant, "rationale": "Done"}),
        "jobs.complete" => json!({"jobId": job, "outcome": "fulfilled", "note": "n"}),
        "audit.prove" => json!({"seq": 1}),
        "audit.search" => json!({"type": "grant.created", "actor": "a", "subject": "s",
            "from": "2026-01-01", "to": 1_900_000_000_000u64, "limit": 5, "cursor": null}),
        "audit.export" => json!({"from": "2026-11-01", "to": "2026-11-30"}),
        "reviews.answer" => {
            json!({"grantId": grant, "answer": "keep", "rationale": "Still needed"})
        }
        "insights" => json!({"from": "2026-01", "to": "2026-12"}),
        _ => json!({}),
    }
}

/// Checks one answer; returns a description of what is wrong with it.
fn fault(key: &str, payload: &Value, out: &Result<Value, aigis_app::AppError>) -> Option<String> {
    let Err(e) = out else { return None };
    let what = format!("{key} {payload}: {e:?}");
    if e.message.trim().is_empty() {
        return Some(format!("empty message: {what}"));
    }
    if leaks(&e.message) {
        return Some(format!("leaks internals: {what}"));
    }
    if matches!(e.code.as_str(), "internal" | "unavailable") {
        return Some(format!("hostile input made a server error: {what}"));
    }
    if e.code == "invalid" {
        match &e.field {
            None => return Some(format!("invalid without a field: {what}")),
            Some(f) if !e.message.starts_with(f.as_str()) => {
                return Some(format!("message does not name the field: {what}"));
            }
            _ => {}
        }
    }
    None
}

#[test]
fn every_resolver_answers_hostile_input_in_the_error_shape() {
    let w = World::configured();
    let (grant, _) = w.active_grant("bea", 20);
    let (request, _) = w.portal_request("sam", World::snapshot("claude", 10));
    w.pump();
    let (other, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    w.ok("arlo", "requests.approve", json!({"requestId": other}));
    w.sweep();
    let job = w.ok("arlo", "jobs.manual", json!({}))["jobs"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut faults = Vec::new();
    let mut calls = 0;
    for key in aigis_app::resolver_keys() {
        let base = base(key, &w, &request, &grant, &job);
        let mut payloads: Vec<Value> = vec![
            json!([1, 2]),
            json!("text"),
            json!(7),
            json!({"bogusField": 1}),
            json!({"cursor": "zz", "limit": 1e300}),
        ];
        let mut extra = base.clone();
        extra["bogusField"] = json!(1);
        payloads.push(extra);
        for field in base
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            for v in hostile_values() {
                let mut p = base.clone();
                p[&field] = v;
                payloads.push(p);
            }
        }
        for payload in payloads {
            // The rate limit is a legitimate refusal; give every call a fresh minute.
            w.set_now(T0 + calls * 61_000);
            calls += 1;
            let before = w.counts();
            let out = w.invoke("ada", key, payload.clone());
            if let Some(f) = fault(key, &payload, &out) {
                faults.push(f);
            }
            if out.is_err() && w.counts() != before {
                faults.push(format!("{key} {payload}: refused but wrote"));
            }
        }
    }
    assert!(calls > 1000, "{calls} calls");
    assert!(
        faults.is_empty(),
        "{} faults:\n{}",
        faults.len(),
        faults.join("\n")
    );
    assert!(w.verify().intact);
}

#[test]
fn the_checker_catches_what_it_must() {
    use aigis_app::AppError;
    let p = json!({});
    assert!(fault("k", &p, &Err(AppError::internal("x"))).is_some());
    assert!(
        fault(
            "k",
            &p,
            &Err(AppError::new(aigis_core::ErrorCode::Invalid, "no field"))
        )
        .is_some()
    );
    let leaky = AppError::invalid("id", "storage: invalid key");
    assert!(fault("k", &p, &Err(leaky)).is_some());
    assert!(fault("k", &p, &Err(AppError::invalid("id", "must be a tool id"))).is_none());
}
