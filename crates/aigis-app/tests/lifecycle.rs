//! The foundation path end to end, natively: catalog, portal request,
//! ingestion, decisions, manual fulfilment, expiry, audit chain.

mod common;

use common::*;
use serde_json::json;

#[test]
fn one_request_through_its_whole_life() {
    let w = World::configured();
    let (issue, key) = w.portal_request("rita", World::snapshot("claude", 20));
    w.pump();

    // Ingested once, pending, with a receipt comment.
    let requests = w.entities("request");
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0]["decision"], "pending");
    assert_eq!(requests[0]["issueKey"], key.as_str());
    assert!(
        w.comments(&issue)[0].contains("received"),
        "{:?}",
        w.comments(&issue)
    );

    // The approver approves: grant pendingProvision, manual job, comment, transition.
    let out = w.ok(
        "arlo",
        "requests.approve",
        json!({"requestId": issue, "rationale": "Team pilot"}),
    );
    assert_eq!(out["request"]["decision"], "approved");
    let grants = w.entities("grant");
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0]["status"], "pendingProvision");
    let jobs = w.entities("job");
    assert_eq!(jobs[0]["status"], "queued");
    assert_eq!(jobs[0]["mode"]["type"], "manual");
    assert!(w.comments(&issue).iter().any(|c| c.starts_with("Approved")));
    assert_eq!(w.status(&issue), "Approved");

    // The job runner hands the manual job to a person.
    let s = w.sweep();
    assert_eq!(s["jobsAdvanced"], 1);
    let manual = w.ok("arlo", "jobs.manual", json!({}));
    let job_id = manual["jobs"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(manual["jobs"][0]["status"], "manualPending");

    // Marked fulfilled: the grant is active from now for 20 days.
    w.set_now(T0 + 3_600_000);
    let done = w.ok(
        "arlo",
        "jobs.complete",
        json!({"jobId": job_id, "outcome": "fulfilled"}),
    );
    assert_eq!(done["grant"]["status"], "active");
    assert_eq!(done["grant"]["expiresAt"], T0 + 3_600_000 + 20 * DAY);
    let mine = w.ok("rita", "grants.mine", json!({}));
    assert_eq!(mine["grants"][0]["status"], "active");

    // A sweep before expiry leaves it; after expiry it expires and queues removal.
    w.set_now(T0 + 19 * DAY);
    assert_eq!(w.sweep()["grantsExpired"], 0);
    w.set_now(T0 + 21 * DAY);
    let s = w.sweep();
    assert_eq!(s["grantsExpired"], 1);
    let grant = &w.entities("grant")[0];
    assert_eq!(grant["status"], "expired");
    assert!(w.entities("job").iter().any(|j| j["kind"] == "deprovision"));
    assert!(
        w.comments(&issue)
            .iter()
            .any(|c| c.starts_with("Access expired"))
    );

    // Every step is in the audit chain, and it verifies.
    let report = w.verify();
    assert!(report.intact, "{report:?}");
    let actions: Vec<String> = w
        .entities("audit")
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    for a in [
        "config.intake.updated",
        "tool.added",
        "request.created",
        "request.approved",
        "grant.created",
        "job.queued",
        "job.manualPending",
        "job.completed",
        "grant.activated",
        "grant.expired",
    ] {
        assert!(actions.iter().any(|x| x == a), "missing {a} in {actions:?}");
    }
}

#[test]
fn the_same_event_twice_leaves_one_request_and_one_comment() {
    let w = World::configured();
    let (issue, _) = w.portal_request("rita", World::snapshot("claude", 10));
    let events = w.sim.pending_events().unwrap();
    assert_eq!(events.len(), 1);
    w.deliver(&events[0].payload);
    w.deliver(&events[0].payload);
    assert_eq!(w.entities("request").len(), 1);
    assert_eq!(w.comments(&issue).len(), 1);
    assert!(w.verify().intact);
}

#[test]
fn a_second_approval_while_a_grant_is_open_is_a_conflict() {
    let w = World::configured();
    let (first, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    w.ok("arlo", "requests.approve", json!({"requestId": first}));
    // A second request for the same tool may be filed once the first is decided...
    let (second, _) = w.portal_request("rita", World::snapshot("claude", 5));
    w.pump();
    assert_eq!(w.entities("request").len(), 2);
    // ...but approving it while the first grant is open is refused.
    let e = w.err("bea", "requests.approve", json!({"requestId": second}));
    assert_eq!(e.code, "conflict", "{e:?}");
    assert!(e.message.contains("open grant"));
    assert_eq!(w.entities("grant").len(), 1);
}

#[test]
fn a_second_pending_request_for_the_same_tool_is_refused_on_the_issue() {
    let w = World::configured();
    w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    let (dup, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    assert_eq!(w.entities("request").len(), 1);
    assert!(
        w.comments(&dup)
            .iter()
            .any(|c| c.contains("already pending")),
        "{:?}",
        w.comments(&dup)
    );
}

#[test]
fn nobody_approves_their_own_request() {
    let w = World::configured();
    // Arlo is an approver who also asks for a tool.
    let (issue, _) = w.portal_request("arlo", World::snapshot("claude", 10));
    w.pump();
    let e = w.err("arlo", "requests.approve", json!({"requestId": issue}));
    assert_eq!(e.code, "forbidden");
    assert!(w.entities("grant").is_empty());
    w.ok("bea", "requests.approve", json!({"requestId": issue}));
}

#[test]
fn deny_needs_a_rationale_and_makes_no_grant() {
    let w = World::configured();
    let (issue, _) = w.portal_request("sam", World::snapshot("claude", 10));
    w.pump();
    let e = w.err("arlo", "requests.deny", json!({"requestId": issue}));
    assert_eq!(e.field.as_deref(), Some("rationale"));
    let out = w.ok(
        "arlo",
        "requests.deny",
        json!({"requestId": issue, "rationale": "Use the approved internal tool"}),
    );
    assert_eq!(out["request"]["decision"], "denied");
    assert!(w.entities("grant").is_empty());
    assert_eq!(w.status(&issue), "Declined");
    assert!(w.comments(&issue).iter().any(|c| c.starts_with("Denied")));
    // Retried: same answer, nothing new.
    let again = w.ok(
        "arlo",
        "requests.deny",
        json!({"requestId": issue, "rationale": "Use the approved internal tool"}),
    );
    assert_eq!(again["changed"], false);
    assert_eq!(
        w.comments(&issue)
            .iter()
            .filter(|c| c.starts_with("Denied"))
            .count(),
        1
    );
}

#[test]
fn retried_approval_changes_nothing_and_comments_once() {
    let w = World::configured();
    let (issue, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    let a = w.ok("arlo", "requests.approve", json!({"requestId": issue}));
    assert_eq!(a["changed"], true);
    let events = w.entities("audit").len();
    let b = w.ok("arlo", "requests.approve", json!({"requestId": issue}));
    assert_eq!(b["changed"], false);
    assert_eq!(w.entities("audit").len(), events);
    assert_eq!(
        w.comments(&issue)
            .iter()
            .filter(|c| c.starts_with("Approved"))
            .count(),
        1
    );
    // A different approver deciding again is a conflict.
    assert_eq!(
        w.err(
            "bea",
            "requests.deny",
            json!({"requestId": issue, "rationale": "no"})
        )
        .code,
        "conflict"
    );
}

#[test]
fn a_sweep_run_twice_at_the_same_time_does_the_work_once() {
    let w = World::configured();
    let (issue, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    w.ok("arlo", "requests.approve", json!({"requestId": issue}));
    assert_eq!(w.sweep()["jobsAdvanced"], 1);
    assert_eq!(w.sweep()["jobsAdvanced"], 0);
    let manual = w
        .entities("audit")
        .iter()
        .filter(|e| e["action"] == "job.manualPending")
        .count();
    assert_eq!(manual, 1);
}

#[test]
fn invalid_snapshots_are_explained_on_the_issue_and_nothing_is_recorded() {
    let w = World::configured();
    let (issue, _) = w.portal_request(
        "rita",
        json!({"toolId": "claude", "purpose": "x", "durationDays": 10}),
    );
    let (too_long, _) = w.portal_request("rita", World::snapshot("claude", 60));
    let (unknown, _) = w.portal_request("rita", World::snapshot("gpt-9", 10));
    w.pump();
    w.pump();
    assert!(w.entities("request").is_empty());
    assert!(
        w.comments(&issue)[0].contains("purpose"),
        "{:?}",
        w.comments(&issue)
    );
    assert!(w.comments(&too_long)[0].contains("durationDays"));
    assert!(w.comments(&unknown)[0].contains("not in the catalog"));
    assert_eq!(w.comments(&issue).len(), 1);
}

#[test]
fn issues_outside_the_intake_project_are_ignored() {
    let w = World::configured();
    let mut event = {
        w.portal_request("rita", World::snapshot("claude", 10));
        w.sim.pending_events().unwrap().remove(0).payload
    };
    event["issue"]["fields"]["project"]["key"] = json!("OPS");
    w.deliver(&event);
    assert!(w.entities("request").is_empty());
}

#[test]
fn payload_errors_name_the_field_and_write_nothing() {
    let w = World::configured();
    let before = w.entities("audit").len();
    let e = w.err(
        "ada",
        "catalog.add",
        json!({"id": "x", "name": "X", "provider": "P", "status": "approved", "risk": "extreme"}),
    );
    assert_eq!(e.field.as_deref(), Some("risk"));
    let e = w.err(
        "ada",
        "catalog.add",
        json!({"id": "Bad Id", "name": "X", "provider": "P", "status": "approved", "risk": "low"}),
    );
    assert_eq!(e.field.as_deref(), Some("id"));
    let e = w.err("ada", "catalog.add", json!({"id": "x", "name": "X", "provider": "P", "status": "approved", "risk": "low", "owner": "me"}));
    assert_eq!(e.field.as_deref(), Some("owner"));
    let e = w.err("arlo", "requests.approve", json!({"requestId": 5}));
    assert_eq!(e.field.as_deref(), Some("requestId"));
    assert_eq!(
        w.err("arlo", "requests.approve", json!({"requestId": "99999"}))
            .code,
        "not-found"
    );
    let e = w.err("arlo", "requests.approve", json!({"requestId": "nope"}));
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("invalid", Some("requestId"))
    );
    assert_eq!(w.entities("audit").len(), before);
}

#[test]
fn rights_come_from_jira_not_the_payload() {
    let w = World::configured();
    assert_eq!(
        w.err(
            "rita",
            "catalog.add",
            json!({"id": "x", "name": "X", "provider": "P", "status": "approved", "risk": "low"})
        )
        .code,
        "forbidden"
    );
    assert_eq!(
        w.err("rita", "requests.pending", json!({})).code,
        "forbidden"
    );
    assert_eq!(
        w.err("arlo", "config.setIntake", json!({"projectKey": "AIR"}))
            .code,
        "forbidden"
    );
    let who = w.ok("arlo", "whoami", json!({}));
    assert_eq!(who["isApprover"], true);
    assert_eq!(who["isAdmin"], false);
    let who = w.ok("ada", "whoami", json!({}));
    assert_eq!(who["isAdmin"], true);
}

/// Every Jira call the app made along the whole path is to a path and method
/// the official OpenAPI document has, with a body its schema accepts.
#[test]
fn every_jira_call_conforms_to_the_openapi_document() {
    let w = World::configured();
    let (issue, _) = w.portal_request("rita", World::snapshot("claude", 20));
    let (denied, _) = w.portal_request("sam", World::snapshot("claude", 20));
    let (bad, _) = w.portal_request("rita", World::snapshot("nope", 20));
    w.pump();
    w.ok("arlo", "requests.approve", json!({"requestId": issue}));
    w.ok(
        "arlo",
        "requests.deny",
        json!({"requestId": denied, "rationale": "Not this quarter"}),
    );
    w.sweep();
    let job = w.ok("arlo", "jobs.manual", json!({}))["jobs"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    w.ok(
        "arlo",
        "jobs.complete",
        json!({"jobId": job, "outcome": "fulfilled"}),
    );
    w.ok("rita", "grants.mine", json!({}));
    w.set_now(T0 + 30 * DAY);
    w.sweep();
    // Approvers by project role: the role is read when no group matches.
    w.ok(
        "ada",
        "config.setIntake",
        json!({"approverRoles": [{"projectKey": "AIR", "roleId": w.site.approver_role_id}]}),
    );
    assert_eq!(w.ok("rita", "whoami", json!({}))["isApprover"], false);
    let _ = bad;
    let spec = aigis_jira_sim::openapi::Spec::load(&aigis_jira_sim::openapi::Spec::default_path())
        .expect("spec");
    let calls = w.jira_calls.borrow();
    assert!(calls.len() > 10, "the path made {} Jira calls", calls.len());
    let mut kinds = std::collections::BTreeSet::new();
    for (method, path, body) in calls.iter() {
        let body: Option<serde_json::Value> =
            body.as_deref().map(|b| serde_json::from_str(b).unwrap());
        spec.check_call(method, path, body.as_ref())
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        kinds.insert(format!("{method} {}", spec.match_path(path).unwrap()));
    }
    // The Forge glue reaches Jira only through literal routes (for @forge/lint):
    // every endpoint the app calls must have one, or it fails on Forge only.
    let glue = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../forge/src/imports.js"
    ))
    .expect("forge glue");
    let norm = |p: &str| -> String {
        p.split('/')
            .map(|seg| {
                if seg.starts_with('{') || seg.starts_with("${") {
                    "*"
                } else {
                    seg
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    };
    let glue_routes: std::collections::BTreeSet<String> = glue
        .lines()
        .filter_map(|l| {
            let path = l.split("route`").nth(1)?.split(['`', '?']).next()?;
            let method = l.split("method: '").nth(1)?.split('\'').next()?;
            Some(format!("{method} {}", norm(path)))
        })
        .collect();
    for k in &kinds {
        let (method, template) = k.split_once(' ').unwrap();
        let want = format!("{method} {}", norm(template));
        assert!(
            glue_routes.contains(&want),
            "{k} has no literal route in forge/src/imports.js: {glue_routes:?}"
        );
    }
    for want in [
        "POST /rest/api/3/issue/{issueIdOrKey}/comment",
        "POST /rest/api/3/issue/{issueIdOrKey}/transitions",
        "GET /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
        "GET /rest/api/3/mypermissions",
        "GET /rest/api/3/user/groups",
        "GET /rest/api/3/project/{projectIdOrKey}/role/{id}",
    ] {
        assert!(kinds.contains(want), "{want} not exercised: {kinds:?}");
    }
}

/// The request is enriched from the issue: its summary and its description
/// (ADF, as the portal writes it) as plain text.
#[test]
fn ingestion_keeps_the_issue_summary_and_description() {
    let w = World::configured();
    let user = w
        .site
        .users
        .iter()
        .find(|u| u.email.starts_with("rita"))
        .unwrap();
    let body = json!({
        "fields": {
            "project": {"key": w.site.project_key},
            "issuetype": {"name": "Service Request"},
            "summary": "Claude for the support pilot",
            "description": aigis_core::adf::doc(&[vec![("Our team answers 400 tickets a day.".to_owned(), false)]]),
        },
        "properties": [{"key": "aigis.snapshot.v1", "value": World::snapshot("claude", 10)}],
    });
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
    w.pump();
    let r = &w.entities("request")[0];
    assert_eq!(r["summary"], "Claude for the support pilot");
    assert_eq!(r["description"], "Our team answers 400 tickets a day.");
}
