//! Bad payloads get a clear error naming the field, and nothing is written.

mod common;

use common::*;
use serde_json::{Value, json};

/// Resolvers that take no arguments at all (their payload is ignored).
const NO_PAYLOAD: &[&str] = &["whoami", "config.getIntake", "audit.verify"];

/// A world with a pending request, an active grant and a manual job.
struct Fixture {
    w: World,
    request: String,
    grant: String,
    job: String,
}

fn fixture() -> Fixture {
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
    Fixture {
        w,
        request,
        grant,
        job,
    }
}

/// Everything a refused call must leave as it was.
fn written(w: &World) -> (Vec<(&'static str, usize)>, Value, usize) {
    let head = w.entities("audithead");
    let comments: usize = w
        .jira_calls
        .borrow()
        .iter()
        .filter(|c| c.0 != "GET")
        .count();
    (w.counts(), json!(head), comments)
}

/// Calls `key` as ada with `payload`; expects `code` naming `field`, and no write.
fn refused(f: &Fixture, key: &str, payload: Value, code: &str, field: Option<&str>) {
    let before = written(&f.w);
    let entities_before: Vec<Vec<Value>> = ["request", "grant", "job", "tool"]
        .iter()
        .map(|e| f.w.entities(e))
        .collect();
    let err =
        f.w.invoke("ada", key, payload.clone())
            .expect_err(&format!("{key} {payload} must be refused"));
    assert_eq!(err.code, code, "{key} {payload}: {err:?}");
    if let Some(field) = field {
        assert_eq!(
            err.field.as_deref(),
            Some(field),
            "{key} {payload}: {err:?}"
        );
        assert!(
            err.message.contains(field),
            "{key}: message names the field: {err:?}"
        );
    }
    assert_eq!(written(&f.w), before, "{key} {payload} wrote something");
    let entities_after: Vec<Vec<Value>> = ["request", "grant", "job", "tool"]
        .iter()
        .map(|e| f.w.entities(e))
        .collect();
    assert!(
        entities_after == entities_before,
        "{key} {payload} changed an entity"
    );
    assert!(f.w.verify().intact);
}

#[test]
fn unknown_fields_are_refused_by_every_resolver_that_takes_arguments() {
    let f = fixture();
    for key in aigis_app::resolver_keys() {
        if NO_PAYLOAD.contains(&key) {
            continue;
        }
        refused(
            &f,
            key,
            json!({"bogusField": 1}),
            "invalid",
            Some("bogusField"),
        );
    }
}

#[test]
fn payloads_that_are_not_objects_are_refused() {
    let f = fixture();
    for key in aigis_app::resolver_keys() {
        if NO_PAYLOAD.contains(&key) {
            continue;
        }
        for bad in [json!([1, 2]), json!("text"), json!(7)] {
            refused(&f, key, bad, "invalid", None);
        }
    }
    // Not JSON at all.
    let before = written(&f.w);
    let err =
        f.w.invoke_ctx(Some(&f.w.account("ada")), "catalog.add", "{not json")
            .unwrap_err();
    assert_eq!(err.code, "invalid");
    assert_eq!(written(&f.w), before);
}

#[test]
fn wrong_types_oversize_strings_bad_dates_and_unknown_ids() {
    let f = fixture();
    let big = "x".repeat(100 * 1024);
    let project = f.w.site.project_key.clone();
    let tool = |extra: Value| {
        let mut t = json!({"id": "gemini", "name": "Gemini", "provider": "Google", "status": "approved", "risk": "medium"});
        for (k, v) in extra.as_object().unwrap() {
            t[k] = v.clone();
        }
        t
    };
    let cases: Vec<(&str, Value, &str, Option<&str>)> = vec![
        // Wrong types.
        (
            "catalog.add",
            tool(json!({"name": 5})),
            "invalid",
            Some("name"),
        ),
        (
            "catalog.add",
            tool(json!({"risk": "extreme"})),
            "invalid",
            Some("risk"),
        ),
        (
            "catalog.add",
            tool(json!({"status": true})),
            "invalid",
            Some("status"),
        ),
        (
            "catalog.add",
            tool(json!({"maxDurationDays": -3})),
            "invalid",
            Some("maxDurationDays"),
        ),
        (
            "catalog.update",
            json!({"id": "claude", "guidance": ["a"]}),
            "invalid",
            Some("guidance"),
        ),
        (
            "requests.approve",
            json!({"requestId": 10001}),
            "invalid",
            Some("requestId"),
        ),
        (
            "requests.deny",
            json!({"requestId": f.request, "rationale": {"a": 1}}),
            "invalid",
            Some("rationale"),
        ),
        (
            "requests.decide",
            json!({"requestIds": f.request, "decision": "approve"}),
            "invalid",
            Some("requestIds"),
        ),
        (
            "requests.decide",
            json!({"requestIds": [f.request], "decision": "maybe", "rationale": "r"}),
            "invalid",
            Some("decision"),
        ),
        (
            "grants.extend",
            json!({"grantId": f.grant, "days": "ten", "rationale": "r"}),
            "invalid",
            Some("days"),
        ),
        (
            "grants.extend",
            json!({"grantId": f.grant, "days": -1, "rationale": "r"}),
            "invalid",
            Some("days"),
        ),
        (
            "jobs.complete",
            json!({"jobId": f.job, "outcome": 1}),
            "invalid",
            Some("outcome"),
        ),
        (
            "jobs.complete",
            json!({"jobId": f.job, "outcome": "teleported"}),
            "invalid",
            Some("outcome"),
        ),
        (
            "governance.get",
            json!({"version": "one"}),
            "invalid",
            Some("version"),
        ),
        (
            "requests.list",
            json!({"limit": "all"}),
            "invalid",
            Some("limit"),
        ),
        (
            "config.setIntake",
            json!({"projectKey": project, "approverGroups": "aigis-approvers"}),
            "invalid",
            Some("approverGroups"),
        ),
        // Missing fields.
        ("requests.approve", json!({}), "invalid", Some("requestId")),
        (
            "grants.revoke",
            json!({"rationale": "r"}),
            "invalid",
            Some("grantId"),
        ),
        // Oversize strings.
        (
            "catalog.add",
            tool(json!({"name": big})),
            "invalid",
            Some("name"),
        ),
        (
            "catalog.add",
            tool(json!({"id": big})),
            "invalid",
            Some("id"),
        ),
        (
            "catalog.update",
            json!({"id": "claude", "guidance": big}),
            "invalid",
            Some("guidance"),
        ),
        (
            "catalog.retire",
            json!({"id": "claude", "status": "blocked", "reason": big}),
            "invalid",
            Some("reason"),
        ),
        (
            "requests.deny",
            json!({"requestId": f.request, "rationale": big}),
            "invalid",
            Some("rationale"),
        ),
        (
            "requests.approve",
            json!({"requestId": f.request, "rationale": big}),
            "invalid",
            Some("rationale"),
        ),
        (
            "requests.decide",
            json!({"requestIds": [f.request], "decision": "deny", "rationale": big}),
            "invalid",
            Some("rationale"),
        ),
        (
            "grants.extend",
            json!({"grantId": f.grant, "days": 5, "rationale": big}),
            "invalid",
            Some("rationale"),
        ),
        (
            "grants.revoke",
            json!({"grantId": f.grant, "rationale": big}),
            "invalid",
            Some("rationale"),
        ),
        (
            "jobs.complete",
            json!({"jobId": f.job, "outcome": "fulfilled", "note": big}),
            "invalid",
            Some("note"),
        ),
        (
            "governance.set",
            json!({"note": big}),
            "invalid",
            Some("note"),
        ),
        // Bad dates.
        (
            "insights",
            json!({"from": "2026-13"}),
            "invalid",
            Some("from"),
        ),
        (
            "insights",
            json!({"to": "yesterday"}),
            "invalid",
            Some("to"),
        ),
        // Unknown ids.
        (
            "requests.approve",
            json!({"requestId": "99999"}),
            "not-found",
            None,
        ),
        (
            "requests.deny",
            json!({"requestId": "99999", "rationale": "r"}),
            "not-found",
            None,
        ),
        (
            "requests.get",
            json!({"requestId": "99999"}),
            "not-found",
            None,
        ),
        (
            "grants.extend",
            json!({"grantId": "g-99999", "days": 5, "rationale": "r"}),
            "not-found",
            None,
        ),
        (
            "grants.revoke",
            json!({"grantId": "g-99999", "rationale": "r"}),
            "not-found",
            None,
        ),
        (
            "jobs.complete",
            json!({"jobId": "j-99999", "outcome": "fulfilled"}),
            "not-found",
            None,
        ),
        (
            "catalog.update",
            json!({"id": "no-such", "guidance": "g"}),
            "not-found",
            None,
        ),
        (
            "catalog.retire",
            json!({"id": "no-such", "status": "blocked", "reason": "r"}),
            "not-found",
            None,
        ),
        ("governance.get", json!({"version": 999}), "not-found", None),
        (
            "policies.delete",
            json!({"id": "no-such"}),
            "not-found",
            None,
        ),
    ];
    for (key, payload, code, field) in cases {
        refused(&f, key, payload, code, field);
    }
}

#[test]
fn malformed_ids_and_cursors_are_refused_naming_the_field() {
    let f = fixture();
    let long = "1".repeat(501);
    let bad_ids = ["", "a/b", long.as_str(), "１２３", "g-1\u{0}", "10 000"];
    for bad in bad_ids {
        for (key, payload, field) in [
            ("requests.approve", json!({"requestId": bad}), "requestId"),
            ("requests.get", json!({"requestId": bad}), "requestId"),
            (
                "requests.deny",
                json!({"requestId": bad, "rationale": "r"}),
                "requestId",
            ),
            (
                "grants.extend",
                json!({"grantId": bad, "days": 5, "rationale": "r"}),
                "grantId",
            ),
            (
                "grants.revoke",
                json!({"grantId": bad, "rationale": "r"}),
                "grantId",
            ),
            (
                "reviews.answer",
                json!({"grantId": bad, "answer": "keep", "rationale": "r"}),
                "grantId",
            ),
            (
                "jobs.complete",
                json!({"jobId": bad, "outcome": "fulfilled"}),
                "jobId",
            ),
            ("catalog.update", json!({"id": bad, "guidance": "g"}), "id"),
            ("catalog.history", json!({"id": bad}), "id"),
            ("policies.delete", json!({"id": bad}), "id"),
            (
                "requests.decide",
                json!({"requestIds": [bad], "decision": "approve"}),
                "requestIds[0]",
            ),
        ] {
            refused(&f, key, payload, "invalid", Some(field));
        }
    }
    // Cursors are the app's own tokens: a forged one, or one from another
    // listing, is refused on `cursor`.
    let page = f.w.ok("ada", "requests.list", json!({"limit": 1}));
    let theirs = page["nextCursor"]
        .as_str()
        .expect("a second page")
        .to_owned();
    for (key, cursor) in [
        ("requests.mine", "zz".to_owned()),
        ("requests.mine", theirs.clone()),
        ("grants.list", theirs.clone()),
        ("audit.search", "a/b".to_owned()),
        ("jobs.manual", "".to_owned()),
    ] {
        refused(
            &f,
            key,
            json!({"cursor": cursor}),
            "invalid",
            Some("cursor"),
        );
    }
    let next = f.w.ok(
        "ada",
        "requests.list",
        json!({"limit": 1, "cursor": theirs}),
    );
    assert!(next["requests"].as_array().is_some_and(|r| r.len() == 1));
}

#[test]
fn bad_delegation_dates_are_refused() {
    let f = fixture();
    let project = f.w.site.project_key.clone();
    let arlo = f.w.account("arlo");
    let sam = f.w.account("sam");
    for until in ["next week", "2026-02-30T00:00:00Z", ""] {
        let before = written(&f.w);
        let err = f.w.err(
            "ada",
            "config.setIntake",
            json!({"projectKey": project, "approverGroups": ["aigis-approvers"],
                    "delegations": [{"delegator": arlo, "delegate": sam, "until": until}]}),
        );
        assert_eq!(err.code, "invalid", "{until:?}: {err:?}");
        assert!(
            err.field.as_deref().is_some_and(|f| f.contains("until")),
            "{until:?}: {err:?}"
        );
        assert_eq!(written(&f.w), before);
    }
}
