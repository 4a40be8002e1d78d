//! Separation of duties (issue 13, defect 5): whoever holds a grant never
//! completes its fulfilment, and whoever raised a request for someone else
//! (the JSM agent who is the issue's creator, not its reporter) is a party
//! to it like the requester: they never decide, extend or complete it.

mod common;

use common::*;
use serde_json::{Value, json};

/// `agent` raises a request on behalf of `customer` (Jira: the agent creates
/// the issue with the customer as reporter).
fn raise_for(w: &World, agent: &str, customer: &str, snapshot: Value) -> String {
    let user = w
        .site
        .users
        .iter()
        .find(|u| u.email.starts_with(agent))
        .unwrap();
    let body = json!({
        "fields": {
            "project": {"key": w.site.project_key},
            "issuetype": {"name": "Service Request"},
            "summary": "Raised on behalf",
            "reporter": {"accountId": w.account(customer)},
        },
        "properties": [{"key": "aigis.snapshot.v1", "value": snapshot}],
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
    serde_json::from_str::<Value>(&resp.body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn the_holder_of_a_grant_never_completes_its_fulfilment() {
    let w = World::configured();
    // Arlo (an approver) asks for Claude; Bea approves.
    let (issue, _) = w.portal_request("arlo", World::snapshot("claude", 10));
    w.pump();
    w.ok("bea", "requests.approve", json!({"requestId": issue}));
    w.sweep();
    let job = w.ok("bea", "jobs.manual", json!({}))["jobs"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let e = w.err(
        "arlo",
        "jobs.complete",
        json!({"jobId": job, "outcome": "fulfilled"}),
    );
    assert_eq!(e.code, "forbidden", "{e:?}");
    let grants = w.entities("grant");
    assert_eq!(grants[0]["status"], "pendingProvision", "nothing changed");
    // Someone else may.
    let done = w.ok(
        "bea",
        "jobs.complete",
        json!({"jobId": job, "outcome": "fulfilled"}),
    );
    assert_eq!(done["grant"]["status"], "active");
}

#[test]
fn whoever_raised_a_request_for_someone_else_is_a_party_to_it() {
    let w = World::configured();
    let id = raise_for(&w, "arlo", "rita", World::snapshot("claude", 10));
    let r = w.ok("ada", "requests.get", json!({"requestId": id}));
    assert_eq!(r["request"]["requester"], w.account("rita").as_str());
    assert_eq!(r["request"]["raisedBy"], w.account("arlo").as_str());
    // Arlo may neither approve nor deny what he raised.
    for (key, payload) in [
        ("requests.approve", json!({"requestId": id})),
        ("requests.deny", json!({"requestId": id, "rationale": "No"})),
        (
            "requests.decide",
            json!({"requestIds": [id], "decision": "approve"}),
        ),
    ] {
        let out = w.invoke("arlo", key, payload);
        let refused = match &out {
            Err(e) => e.code == "forbidden",
            Ok(v) => v["results"][0]["error"]["code"] == "forbidden",
        };
        assert!(refused, "{key}: {out:?}");
    }
    assert_eq!(w.entities("grant").len(), 0);
    // Bea may; then Arlo may neither complete its fulfilment nor extend it.
    w.ok("bea", "requests.approve", json!({"requestId": id}));
    w.sweep();
    let job = w.ok("bea", "jobs.manual", json!({}))["jobs"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let e = w.err(
        "arlo",
        "jobs.complete",
        json!({"jobId": job, "outcome": "fulfilled"}),
    );
    assert_eq!(e.code, "forbidden", "{e:?}");
    let g = w.ok(
        "bea",
        "jobs.complete",
        json!({"jobId": job, "outcome": "fulfilled"}),
    );
    let grant = g["grant"]["id"].as_str().unwrap().to_owned();
    let e = w.err(
        "arlo",
        "grants.extend",
        json!({"grantId": grant, "days": 5, "rationale": "More"}),
    );
    assert_eq!(e.code, "forbidden", "{e:?}");
    assert!(w.verify().intact);
}

#[test]
fn a_request_raised_by_its_reporter_records_no_raiser() {
    let w = World::configured();
    let (issue, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    let r = w.ok("ada", "requests.get", json!({"requestId": issue}));
    assert!(r["request"].get("raisedBy").is_none(), "{r}");
}
