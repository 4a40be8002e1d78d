//! Configuration, catalog, governance versions, unknown tools, auto-approval
//! policies and readiness, natively over the simulator.

mod common;

use common::*;
use serde_json::{Value, json};

fn audit_count(w: &World) -> usize {
    w.entities("audit").len()
}

/// A portal request with an explicit JSM request type, as the portal creates it.
fn typed_request(w: &World, who: &str, snapshot: Value, request_type: Option<&str>) -> String {
    let user = w
        .site
        .users
        .iter()
        .find(|u| u.email.starts_with(who))
        .expect("user");
    let mut fields = json!({
        "project": {"key": w.site.project_key},
        "issuetype": {"name": "Service Request"},
        "summary": "AI tool access",
    });
    if let Some(rt) = request_type {
        fields["customfield_10010"] = json!(rt);
    }
    let body =
        json!({"fields": fields, "properties": [{"key": "aigis.snapshot.v1", "value": snapshot}]});
    let auth = format!(
        "Basic {}",
        b64(&format!("{}:{}", user.email, user.api_token))
    );
    let resp = w.sim.handle_http(
        "POST",
        "/rest/api/3/issue",
        &[
            ("Authorization".into(), auth),
            ("Content-Type".into(), "application/json".into()),
        ],
        Some(&body.to_string()),
    );
    assert_eq!(resp.status, 201, "{}", resp.body);
    let v: Value = serde_json::from_str(&resp.body).expect("json");
    v["id"].as_str().expect("id").to_owned()
}

fn request(w: &World, id: &str) -> Option<Value> {
    w.entities("request").into_iter().find(|r| r["id"] == id)
}

/// Asserts the call fails naming `field` and writes nothing.
fn refused(w: &World, who: &str, key: &str, payload: Value, field: &str) {
    let before = audit_count(w);
    let e = w.err(who, key, payload.clone());
    assert_eq!(e.code, "invalid", "{key} {payload}: {e:?}");
    assert_eq!(e.field.as_deref(), Some(field), "{key} {payload}: {e:?}");
    assert_eq!(audit_count(w), before, "{key} wrote something");
}

#[test]
fn intake_configuration_is_validated_field_by_field() {
    let w = World::new();
    let ok = json!({
        "projectKey": "AIR", "serviceDeskId": w.site.service_desk_id,
        "requestTypeIds": [w.site.request_type_id], "approverGroups": ["aigis-approvers"],
        "delegations": [{"delegator": w.account("arlo"), "delegate": w.account("sam"), "until": "2026-12-31T17:00:00Z"}],
        "escalationAccounts": [w.account("ada")], "escalationGroup": "jira-admins",
        "approvalSlaHours": 24, "reviewIssueType": "Task", "reviewWindowDays": 14,
    });
    let cases = [
        ("projectKey", json!("air")),
        ("serviceDeskId", json!("desk")),
        ("requestTypeIds[0]", json!(["x1"])),
        ("requestTypeIds", json!("10")),
        ("approvalSlaHours", json!(0)),
        ("approvalSlaHours", json!("24")),
        ("reviewWindowDays", json!(400)),
        ("reviewIssueType", json!("x".repeat(300))),
        ("escalationAccounts[0]", json!(["bad id!"])),
        (
            "delegations[0].until",
            json!([{"delegator": "a1", "delegate": "b2", "until": "next week"}]),
        ),
        (
            "delegations[0].delegate",
            json!([{"delegator": "a1", "delegate": "a1", "until": "2026-12-31T17:00:00Z"}]),
        ),
    ];
    for (field, value) in cases {
        let mut bad = ok.clone();
        let top = field.split(['[', '.']).next().unwrap();
        bad[top] = value;
        refused(&w, "ada", "config.setIntake", bad, field);
    }
    let mut unknown = ok.clone();
    unknown["colour"] = json!("red");
    refused(&w, "ada", "config.setIntake", unknown, "colour");
    let e = w.err("ada", "config.setIntake", json!({"approverGroups": ["a"]}));
    assert_eq!(
        e.field.as_deref(),
        Some("projectKey"),
        "required the first time"
    );
    let out = w.ok("ada", "config.setIntake", ok.clone());
    assert_eq!(out["changed"], true);
    // Partial update: absent fields are kept, null clears.
    let out = w.ok(
        "ada",
        "config.setIntake",
        json!({"approvalSlaHours": 48, "reviewIssueType": null}),
    );
    assert_eq!(out["intake"]["approverGroups"][0], "aigis-approvers");
    assert_eq!(out["intake"]["approvalSlaHours"], 48);
    assert!(out["intake"].get("reviewIssueType").is_none());
    w.ok("ada", "config.setIntake", ok.clone());
    let got = w.ok("ada", "config.getIntake", json!({}));
    assert_eq!(got["intake"]["approvalSlaHours"], 24);
    assert_eq!(
        got["intake"]["delegations"][0]["delegate"],
        w.account("sam")
    );
    // Non-admins may neither read nor write it.
    for who in ["arlo", "rita"] {
        assert_eq!(w.err(who, "config.setIntake", ok.clone()).code, "forbidden");
        assert_eq!(w.err(who, "config.getIntake", json!({})).code, "forbidden");
    }
}

#[test]
fn an_active_delegation_lets_the_delegate_approve() {
    let w = World::configured();
    let mut intake = json!({"projectKey": "AIR", "approverGroups": ["aigis-approvers"],
        "delegations": [{"delegator": w.account("arlo"), "delegate": w.account("sam"), "until": "2026-11-24T08:00:00Z"}]});
    w.ok("ada", "config.setIntake", intake.clone());
    let (a, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    let out = w.ok("sam", "requests.approve", json!({"requestId": a}));
    assert_eq!(out["request"]["decision"], "approved");
    // Expired: no longer.
    intake["delegations"][0]["until"] = json!("2026-11-23T07:00:00Z");
    w.ok("ada", "config.setIntake", intake);
    w.ok("ada", "catalog.add", json!({"id": "gemini", "name": "Gemini", "provider": "Google", "status": "approved", "risk": "medium"}));
    let (b, _) = w.portal_request("rita", World::snapshot("gemini", 10));
    w.pump();
    assert_eq!(
        w.err("sam", "requests.approve", json!({"requestId": b}))
            .code,
        "forbidden"
    );
}

#[test]
fn portal_gating_by_request_type() {
    let w = World::configured();
    let rt = w.site.request_type_id.clone();
    w.ok(
        "ada",
        "config.setIntake",
        json!({"projectKey": "AIR", "serviceDeskId": w.site.service_desk_id, "requestTypeIds": [rt], "approverGroups": ["aigis-approvers"]}),
    );
    let untyped = typed_request(&w, "rita", World::snapshot("claude", 10), None);
    w.pump();
    assert!(
        request(&w, &untyped).is_none(),
        "an issue without the request type is ignored"
    );
    let typed = typed_request(&w, "rita", World::snapshot("claude", 10), Some(&rt));
    w.pump();
    assert_eq!(
        request(&w, &typed).expect("ingested")["decision"],
        "pending"
    );
    // Another request type of the same desk is not admitted.
    let other = w
        .sim
        .create_request_type(&w.site.service_desk_id, "Laptop", "Service Request")
        .expect("rt");
    let wrong = typed_request(&w, "sam", World::snapshot("claude", 10), Some(&other));
    w.pump();
    assert!(request(&w, &wrong).is_none());
}

#[test]
fn catalog_edit_retire_and_history_are_audited() {
    let w = World::configured();
    let before = audit_count(&w);
    let out = w.ok(
        "ada",
        "catalog.update",
        json!({"id": "claude", "guidance": "Use for drafting only", "fulfilmentNotes": "Add to the Claude team", "entitlement": {"provider": "okta", "groupName": "app-claude"}}),
    );
    assert_eq!(out["tool"]["guidance"], "Use for drafting only");
    assert_eq!(out["tool"]["entitlement"]["provider"], "okta");
    assert_eq!(audit_count(&w), before + 1);
    // The same edit again changes nothing.
    let again = w.ok(
        "ada",
        "catalog.update",
        json!({"id": "claude", "guidance": "Use for drafting only"}),
    );
    assert_eq!(again["changed"], false);
    assert_eq!(audit_count(&w), before + 1);
    // Bad edits name the field and write nothing.
    refused(
        &w,
        "ada",
        "catalog.update",
        json!({"id": "claude", "maxDurationDays": 90}),
        "maxDurationDays",
    );
    refused(
        &w,
        "ada",
        "catalog.update",
        json!({"id": "claude", "name": ""}),
        "name",
    );
    refused(
        &w,
        "ada",
        "catalog.update",
        json!({"id": "claude", "entitlement": {"provider": "ldap"}}),
        "entitlement.provider",
    );
    refused(
        &w,
        "ada",
        "catalog.update",
        json!({"id": "claude", "guidance": "x".repeat(3000)}),
        "guidance",
    );
    refused(
        &w,
        "ada",
        "catalog.update",
        json!({"id": "claude", "nickname": "c"}),
        "nickname",
    );
    refused(
        &w,
        "ada",
        "catalog.retire",
        json!({"id": "claude", "status": "approved", "reason": "x"}),
        "status",
    );
    assert_eq!(
        w.err("ada", "catalog.update", json!({"id": "nope"})).code,
        "not-found"
    );
    // Retire: kept, not requestable, in history.
    let r = w.ok(
        "ada",
        "catalog.retire",
        json!({"id": "claude", "status": "blocked", "reason": "Contract ended"}),
    );
    assert_eq!(r["tool"]["status"], "blocked");
    let listed = w.ok("rita", "catalog.list", json!({}));
    assert!(listed["tools"].as_array().unwrap().is_empty());
    let all = w.ok("ada", "catalog.list", json!({"all": true}));
    assert_eq!(all["tools"][0]["status"], "blocked");
    let h = w.ok("ada", "catalog.history", json!({"id": "claude"}));
    let actions: Vec<_> = h["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(actions, ["tool.added", "tool.updated", "tool.retired"]);
    assert_eq!(
        h["history"][2]["data"]["detail"]["reason"],
        "Contract ended"
    );
    for who in ["arlo", "rita"] {
        for key in [
            "catalog.update",
            "catalog.retire",
            "catalog.history",
            "catalog.seed",
            "catalog.builtins",
        ] {
            assert_eq!(
                w.err(who, key, json!({"id": "claude"})).code,
                "forbidden",
                "{key}"
            );
        }
    }
    assert!(w.verify().intact);
}

#[test]
fn seeding_adds_the_builtins_once() {
    let w = World::configured();
    let b = w.ok("ada", "catalog.builtins", json!({}));
    let n = b["builtins"].as_array().unwrap().len();
    assert!(n >= 25);
    for e in b["builtins"].as_array().unwrap() {
        assert!(!e["provider"].as_str().unwrap().is_empty());
        assert!(!e["riskRationale"].as_str().unwrap().is_empty());
    }
    let before = audit_count(&w);
    let s = w.ok("ada", "catalog.seed", json!({}));
    assert_eq!(s["added"].as_array().unwrap().len(), n);
    assert_eq!(w.entities("tool").len(), n + 1);
    assert_eq!(audit_count(&w), before + n);
    let again = w.ok("ada", "catalog.seed", json!({}));
    assert!(again["added"].as_array().unwrap().is_empty());
    assert_eq!(audit_count(&w), before + n);
    refused(&w, "ada", "catalog.seed", json!({"force": true}), "force");
    assert!(w.verify().intact);
}

#[test]
fn governance_is_versioned_and_decisions_record_the_version() {
    let w = World::configured();
    let g0 = w.ok("ada", "governance.get", json!({}));
    assert_eq!(g0["current"], 0);
    assert_eq!(g0["governance"]["maxDays"]["high"], 30);
    let v1 = w.ok(
        "ada",
        "governance.set",
        json!({"unknownTools": "securityReview", "note": "first"}),
    );
    assert_eq!(v1["governance"]["version"], 1);
    let (a, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    let v2 = w.ok(
        "ada",
        "governance.set",
        json!({"maxDays": {"low": 90, "medium": 60, "high": 20, "critical": 7}}),
    );
    assert_eq!(v2["governance"]["version"], 2);
    assert_eq!(
        v2["governance"]["unknownTools"], "securityReview",
        "a patch keeps the rest"
    );
    // Old versions stay readable.
    let old = w.ok("ada", "governance.get", json!({"version": 1}));
    assert_eq!(old["governance"]["maxDays"]["high"], 30);
    assert_eq!(old["current"], 2);
    let list = w.ok("ada", "governance.list", json!({}));
    assert_eq!(list["versions"].as_array().unwrap().len(), 2);
    assert_eq!(list["versions"][0]["version"], 2);
    assert_eq!(
        w.err("ada", "governance.get", json!({"version": 9})).code,
        "not-found"
    );
    // The decision records the version in force when it was made.
    let out = w.ok("arlo", "requests.approve", json!({"requestId": a}));
    assert_eq!(out["request"]["governanceVersion"], 2);
    let (b, _) = w.portal_request("sam", World::snapshot("claude", 10));
    w.pump();
    let d = w.ok(
        "arlo",
        "requests.deny",
        json!({"requestId": b, "rationale": "Not now"}),
    );
    assert_eq!(d["request"]["governanceVersion"], 2);
    // Bad patches write nothing.
    refused(
        &w,
        "ada",
        "governance.set",
        json!({"maxDays": {"low": 90, "medium": 60, "high": 20, "critical": 0}}),
        "maxDays.critical",
    );
    refused(
        &w,
        "ada",
        "governance.set",
        json!({"unknownTools": "allow"}),
        "unknownTools",
    );
    refused(
        &w,
        "ada",
        "governance.set",
        json!({"maxCriticalPerPerson": "two"}),
        "maxCriticalPerPerson",
    );
    refused(
        &w,
        "ada",
        "governance.set",
        json!({"strict": true}),
        "strict",
    );
    refused(
        &w,
        "ada",
        "governance.set",
        json!({"note": "x".repeat(600)}),
        "note",
    );
    for who in ["arlo", "rita"] {
        for key in ["governance.get", "governance.list", "governance.set"] {
            assert_eq!(w.err(who, key, json!({})).code, "forbidden", "{key}");
        }
    }
    assert!(w.verify().intact);
}

#[test]
fn durations_over_the_governance_maximum_are_refused() {
    let w = World::configured();
    w.ok(
        "ada",
        "governance.set",
        json!({"maxDays": {"low": 180, "medium": 90, "high": 15, "critical": 14}}),
    );
    let (issue, _) = w.portal_request("rita", World::snapshot("claude", 20));
    w.pump();
    assert!(request(&w, &issue).is_none());
    assert!(
        w.comments(&issue)
            .iter()
            .any(|c| c.contains("durationDays") && c.contains("1..=15")),
        "{:?}",
        w.comments(&issue)
    );
    // A pending request made under a looser version is refused at approval.
    w.ok(
        "ada",
        "governance.set",
        json!({"maxDays": {"low": 180, "medium": 90, "high": 30, "critical": 14}}),
    );
    let (ok, _) = w.portal_request("rita", World::snapshot("claude", 20));
    w.pump();
    w.ok(
        "ada",
        "governance.set",
        json!({"maxDays": {"low": 180, "medium": 90, "high": 10, "critical": 14}}),
    );
    let e = w.err("arlo", "requests.approve", json!({"requestId": ok}));
    assert_eq!(e.field.as_deref(), Some("durationDays"), "{e:?}");
}

#[test]
fn critical_tools_need_a_security_reviewer_and_are_limited_per_person() {
    let w = World::configured();
    w.ok("ada", "catalog.add", json!({"id": "agent", "name": "Agent", "provider": "X", "status": "approved", "risk": "critical"}));
    w.ok("ada", "catalog.add", json!({"id": "agent2", "name": "Agent 2", "provider": "X", "status": "approved", "risk": "critical"}));
    w.ok(
        "ada",
        "governance.set",
        json!({"securityReviewerGroup": "jira-admins", "maxCriticalPerPerson": 1}),
    );
    let (a, _) = w.portal_request("rita", World::snapshot("agent", 7));
    let (b, _) = w.portal_request("rita", World::snapshot("agent2", 7));
    w.pump();
    // First approval by an approver: still pending, with a comment.
    let first = w.ok("arlo", "requests.approve", json!({"requestId": a}));
    assert_eq!(first["request"]["decision"], "pending");
    assert_eq!(first["request"]["firstApproval"]["by"], w.account("arlo"));
    assert!(
        w.comments(&a)
            .iter()
            .any(|c| c.contains("security reviewer"))
    );
    // The same approver again changes nothing; another plain approver may not give the second.
    assert_eq!(
        w.ok("arlo", "requests.approve", json!({"requestId": a}))["changed"],
        false
    );
    assert_eq!(
        w.err("bea", "requests.approve", json!({"requestId": a}))
            .code,
        "forbidden"
    );
    // The security reviewer's approval completes it.
    let done = w.ok("ada", "requests.approve", json!({"requestId": a}));
    assert_eq!(done["request"]["decision"], "approved");
    // The per-person limit on open critical grants.
    let e = w.err("arlo", "requests.approve", json!({"requestId": b}));
    assert_eq!(e.code, "conflict", "{e:?}");
    assert!(w.verify().intact);
}

fn new_tool_snapshot() -> Value {
    json!({"newTool": {"name": "Acme Writer", "url": "https://acme.example/writer"}, "purpose": "Trying a drafting assistant", "durationDays": 10})
}

#[test]
fn unknown_tools_are_blocked_by_default() {
    let w = World::configured();
    let before = w.entities("tool").len();
    let (issue, _) = w.portal_request("rita", new_tool_snapshot());
    w.pump();
    assert!(request(&w, &issue).is_none());
    assert!(
        w.comments(&issue)
            .iter()
            .any(|c| c.contains("Acme Writer") && c.contains("blocks")),
        "{:?}",
        w.comments(&issue)
    );
    assert_eq!(w.entities("tool").len(), before);
}

#[test]
fn unknown_tools_go_to_security_review_when_governance_says_so() {
    let w = World::configured();
    w.ok(
        "ada",
        "governance.set",
        json!({"unknownTools": "securityReview"}),
    );
    let (issue, _) = w.portal_request("rita", new_tool_snapshot());
    w.pump();
    w.pump();
    let r = request(&w, &issue).expect("recorded");
    assert_eq!(r["decision"], "pending");
    assert_eq!(r["securityReview"], true);
    assert_eq!(r["tool"], "new-acme-writer");
    let tools = w.ok("ada", "catalog.list", json!({"all": true}));
    let t = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "new-acme-writer")
        .expect("in catalog")
        .clone();
    assert_eq!(t["status"], "denied");
    assert_eq!(t["requestedUrl"], "https://acme.example/writer");
    assert_eq!(w.comments(&issue).len(), 1, "one receipt comment");
    // Not approvable until security review approves the catalog entry.
    assert_eq!(
        w.err("arlo", "requests.approve", json!({"requestId": issue}))
            .code,
        "conflict"
    );
    w.ok(
        "ada",
        "catalog.update",
        json!({"id": "new-acme-writer", "status": "approved", "provider": "Acme"}),
    );
    w.ok("arlo", "requests.approve", json!({"requestId": issue}));
    // A bad URL is refused with a comment naming the field.
    let (bad, _) = w.portal_request("sam", json!({"newTool": {"name": "Other", "url": "http://x.example"}, "purpose": "Trying a drafting assistant", "durationDays": 10}));
    w.pump();
    assert!(request(&w, &bad).is_none());
    assert!(w.comments(&bad).iter().any(|c| c.contains("newTool.url")));
}

fn policy(extra: Value) -> Value {
    let mut p = json!({"id": "ai-users-claude", "name": "AI users: Claude", "projectKey": "AIR", "toolId": "claude",
        "autoApprove": true, "allowedGroups": ["ai-users"], "maxDurationDays": 14});
    for (k, v) in extra.as_object().unwrap() {
        p[k] = v.clone();
    }
    p
}

#[test]
fn auto_approval_happy_path_comments_the_evidence() {
    let w = World::configured();
    let saved = w.ok("ada", "policies.save", policy(json!({})));
    assert_eq!(saved["governanceVersion"], 1);
    let (issue, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    let r = request(&w, &issue).expect("ingested");
    assert_eq!(r["decision"], "approved");
    assert_eq!(r["decisionSource"], "autoPolicy");
    assert_eq!(r["policy"], "ai-users-claude");
    assert_eq!(r["governanceVersion"], 1);
    assert_eq!(w.entities("grant")[0]["status"], "pendingProvision");
    assert_eq!(w.entities("job").len(), 1);
    let comments = w.comments(&issue);
    let c = comments
        .iter()
        .find(|c| c.contains("Approved automatically"))
        .expect("evidence comment");
    for part in [
        "ai-users-claude",
        "ai-users",
        "10 days",
        "14 days",
        "Governance version: 1",
    ] {
        assert!(c.contains(part), "{part} missing from {c}");
    }
    assert_eq!(w.status(&issue), "Approved");
    // Duplicate rules still apply: a second request while the grant is open stays pending.
    let (again, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    assert_eq!(
        request(&w, &again).expect("ingested")["decision"],
        "pending"
    );
    assert!(w.verify().intact);
}

#[test]
fn auto_approval_needs_every_condition() {
    let cases = [
        (
            json!({"allowedGroups": ["aigis-approvers"]}),
            "none of the groups",
        ),
        (json!({"maxDurationDays": 5}), "exceeds"),
        (json!({"toolId": "gemini"}), ""),
        (json!({"projectKey": "OPS"}), ""),
        (json!({"autoApprove": false}), "does not auto-approve"),
    ];
    for (extra, why) in cases {
        let w = World::configured();
        w.ok("ada", "catalog.add", json!({"id": "gemini", "name": "Gemini", "provider": "Google", "status": "approved", "risk": "medium"}));
        w.ok("ada", "policies.save", policy(extra.clone()));
        let (issue, _) = w.portal_request("rita", World::snapshot("claude", 10));
        w.pump();
        let r = request(&w, &issue).expect("ingested");
        assert_eq!(r["decision"], "pending", "{extra}");
        assert!(w.entities("grant").is_empty());
        let received = &w.comments(&issue)[0];
        if why.is_empty() {
            assert!(!received.contains("Auto-approval"), "{extra}: {received}");
        } else {
            assert!(received.contains(why), "{extra}: {received}");
        }
    }
}

#[test]
fn policies_crud_is_versioned_validated_and_admin_only() {
    let w = World::configured();
    w.ok("ada", "policies.save", policy(json!({})));
    w.ok(
        "ada",
        "policies.save",
        policy(json!({"maxDurationDays": 7})),
    );
    let l = w.ok("ada", "policies.list", json!({}));
    assert_eq!(l["policies"].as_array().unwrap().len(), 1);
    assert_eq!(l["policies"][0]["maxDurationDays"], 7);
    assert_eq!(l["governanceVersion"], 2);
    refused(
        &w,
        "ada",
        "policies.save",
        policy(json!({"allowedGroups": []})),
        "allowedGroups",
    );
    refused(
        &w,
        "ada",
        "policies.save",
        policy(json!({"maxDurationDays": 0})),
        "maxDurationDays",
    );
    refused(
        &w,
        "ada",
        "policies.save",
        policy(json!({"projectKey": "air"})),
        "projectKey",
    );
    refused(
        &w,
        "ada",
        "policies.save",
        policy(json!({"autoApprove": "yes"})),
        "autoApprove",
    );
    refused(
        &w,
        "ada",
        "policies.save",
        policy(json!({"name": "x".repeat(200)})),
        "name",
    );
    refused(
        &w,
        "ada",
        "policies.save",
        policy(json!({"priority": 1})),
        "priority",
    );
    let d = w.ok("ada", "policies.delete", json!({"id": "ai-users-claude"}));
    assert_eq!(d["governanceVersion"], 3);
    assert_eq!(
        w.err("ada", "policies.delete", json!({"id": "ai-users-claude"}))
            .code,
        "not-found"
    );
    let v2 = w.ok("ada", "governance.get", json!({"version": 2}));
    assert_eq!(v2["governance"]["policies"][0]["id"], "ai-users-claude");
    for who in ["arlo", "rita"] {
        assert_eq!(w.err(who, "policies.list", json!({})).code, "forbidden");
        assert_eq!(
            w.err(who, "policies.save", policy(json!({}))).code,
            "forbidden"
        );
        assert_eq!(
            w.err(who, "policies.delete", json!({"id": "x"})).code,
            "forbidden"
        );
    }
}

fn status_of(r: &Value, check: &str) -> String {
    r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == check)
        .unwrap()["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn readiness_before_and_after_configuration() {
    let w = World::new();
    let r = w.ok("ada", "readiness", json!({}));
    assert_eq!(r["ready"], false);
    for c in ["catalog", "intakeProject", "portal", "requestTypes"] {
        assert_eq!(status_of(&r, c), "missing", "{c}");
    }
    assert_eq!(status_of(&r, "connectors"), "warning");
    w.ok("ada", "catalog.seed", json!({}));
    w.ok("ada", "governance.set", json!({"note": "reviewed"}));
    w.ok(
        "ada",
        "config.setIntake",
        json!({"projectKey": "AIR", "serviceDeskId": w.site.service_desk_id,
        "requestTypeIds": [w.site.request_type_id], "approverGroups": ["aigis-approvers"]}),
    );
    let r = w.ok("ada", "readiness", json!({}));
    assert_eq!(r["ready"], true, "{r}");
    for c in [
        "catalog",
        "governance",
        "intakeProject",
        "portal",
        "requestTypes",
        "approvers",
    ] {
        assert_eq!(status_of(&r, c), "ok", "{c}");
    }
    assert!(
        r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["message"].as_str().unwrap().contains("manual fulfilment"))
    );
    for who in ["arlo", "rita"] {
        assert_eq!(w.err(who, "readiness", json!({})).code, "forbidden");
    }
}
