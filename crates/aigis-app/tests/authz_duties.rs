//! Separation of duties as cells of the authorization matrix (issue 13):
//! the requester, the one who raised a request for someone else and the
//! holder of a grant are approvers here, and still never approve, deny,
//! complete, extend or answer the review of their own; the queues they see
//! leave out what they may not act on. Every refused cell has a control:
//! an approver who is no party makes the same call on a fresh world and it
//! succeeds, so the refusal is the duty rule, not a bad target.

mod authz_cast;
mod common;

use authz_cast::{diff, ids};
use common::*;
use serde_json::{Value, json};

/// Arlo and Bea, both approvers, each a party to something.
struct Duties {
    w: World,
    /// Arlo's own pending Claude request.
    arlo_request: String,
    /// The manual provisioning job of Arlo's Gemini grant.
    arlo_job: String,
    /// Arlo's active Copilot grant, its review open.
    arlo_grant: String,
    /// Bea raised for Sam: a pending Claude request, a Gemini grant waiting
    /// for its provisioning job, an active Copilot grant under review.
    raised_request: String,
    raised_job: String,
    raised_grant: String,
}

fn grant_of(w: &World, account: &str, tool: &str) -> String {
    w.entities("grant")
        .into_iter()
        .find(|g| g["account"] == account && g["tool"] == tool)
        .unwrap_or_else(|| panic!("a {tool} grant of {account}"))["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

fn job_of(w: &World, grant: &str) -> String {
    w.entities("job")
        .into_iter()
        .find(|j| j["grant"] == grant && j["status"] == "manualPending")
        .unwrap_or_else(|| panic!("a manual job of {grant}"))["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// Files a request (as `who`, or raised by `who` for `raise_for`), and,
/// with `approver`, has it approved and its job queued, then `fulfil`led.
fn file(
    w: &World,
    who: &str,
    raise_for: Option<&str>,
    tool: &str,
    approver: Option<&str>,
    fulfil: bool,
) -> String {
    let (id, _) = w.jsm_request(who, World::snapshot(tool, 7), raise_for);
    w.pump();
    let Some(approver) = approver else {
        return id;
    };
    w.ok(approver, "requests.approve", json!({"requestId": id}));
    w.sweep();
    let holder = w.account(raise_for.unwrap_or(who));
    let grant = grant_of(w, &holder, tool);
    let job = job_of(w, &grant);
    if fulfil {
        w.ok(
            approver,
            "jobs.complete",
            json!({"jobId": job, "outcome": "fulfilled"}),
        );
        return grant;
    }
    job
}

impl Duties {
    fn new() -> Duties {
        let w = World::configured();
        w.ok(
            "ada",
            "config.setIntake",
            json!({"reviewIssueType": "Task", "reviewWindowDays": 7}),
        );
        for (id, name) in [("gemini", "Gemini"), ("copilot", "Copilot")] {
            w.ok("ada", "catalog.add", json!({"id": id, "name": name, "provider": "Vendor", "status": "approved", "risk": "medium"}));
        }
        // Bea is a JSM agent too: agents may raise on behalf of customers.
        let agents = aigis_jira_sim::AGENT_GROUPS[1];
        if w.sim.add_to_group(agents, &w.account("bea")).is_err() {
            w.sim.create_group(agents).expect("agent group");
            w.sim
                .add_to_group(agents, &w.account("bea"))
                .expect("agent");
        }
        let arlo_grant = file(&w, "arlo", None, "copilot", Some("bea"), true);
        let raised_grant = file(&w, "bea", Some("sam"), "copilot", Some("arlo"), true);
        let opened = w
            .with_platform(|p| aigis_app::on_schedule(p, "recertification", "{}", "{}"))
            .expect("recertification");
        assert!(opened.contains("\"reviewsOpened\":2"), "{opened}");
        let arlo_job = file(&w, "arlo", None, "gemini", Some("bea"), false);
        let raised_job = file(&w, "bea", Some("sam"), "gemini", Some("arlo"), false);
        let arlo_request = file(&w, "arlo", None, "claude", None, false);
        let raised_request = file(&w, "bea", Some("sam"), "claude", None, false);
        Duties {
            w,
            arlo_request,
            arlo_job,
            arlo_grant,
            raised_request,
            raised_job,
            raised_grant,
        }
    }
}

/// A party acting on what is theirs.
struct Cell {
    who: &'static str,
    relation: &'static str,
    key: &'static str,
    payload: fn(&Duties) -> Value,
}

const REFUSED: &[Cell] = &[
    Cell {
        who: "arlo",
        relation: "requester",
        key: "requests.approve",
        payload: |d| json!({"requestId": d.arlo_request}),
    },
    Cell {
        who: "arlo",
        relation: "requester",
        key: "requests.deny",
        payload: |d| json!({"requestId": d.arlo_request, "rationale": "No"}),
    },
    Cell {
        who: "arlo",
        relation: "requester",
        key: "requests.decide",
        payload: |d| json!({"requestIds": [d.arlo_request], "decision": "approve"}),
    },
    Cell {
        who: "bea",
        relation: "raiser",
        key: "requests.approve",
        payload: |d| json!({"requestId": d.raised_request}),
    },
    Cell {
        who: "bea",
        relation: "raiser",
        key: "requests.deny",
        payload: |d| json!({"requestId": d.raised_request, "rationale": "No"}),
    },
    Cell {
        who: "bea",
        relation: "raiser",
        key: "requests.decide",
        payload: |d| json!({"requestIds": [d.raised_request], "decision": "approve"}),
    },
    Cell {
        who: "arlo",
        relation: "holder",
        key: "jobs.complete",
        payload: |d| json!({"jobId": d.arlo_job, "outcome": "fulfilled"}),
    },
    Cell {
        who: "arlo",
        relation: "holder",
        key: "grants.extend",
        payload: |d| json!({"grantId": d.arlo_grant, "days": 5, "rationale": "More"}),
    },
    Cell {
        who: "arlo",
        relation: "holder",
        key: "reviews.answer",
        payload: |d| json!({"grantId": d.arlo_grant, "answer": "keep", "rationale": "Mine"}),
    },
    Cell {
        who: "bea",
        relation: "raiser",
        key: "jobs.complete",
        payload: |d| json!({"jobId": d.raised_job, "outcome": "fulfilled"}),
    },
    Cell {
        who: "bea",
        relation: "raiser",
        key: "grants.extend",
        payload: |d| json!({"grantId": d.raised_grant, "days": 5, "rationale": "More"}),
    },
    Cell {
        who: "bea",
        relation: "raiser",
        key: "reviews.answer",
        payload: |d| json!({"grantId": d.raised_grant, "answer": "keep", "rationale": "Raised it"}),
    },
];

/// Refused, as a whole call or as the only item of a bulk answer.
fn refused(out: &Result<Value, aigis_app::AppError>) -> bool {
    match out {
        Err(e) => e.code == "forbidden",
        Ok(v) => v["results"][0]["error"]["code"] == "forbidden",
    }
}

fn state(w: &World) -> std::collections::BTreeMap<String, String> {
    manifest_schemas()
        .iter()
        .flat_map(|s| {
            w.storage
                .entities_of(&s.name)
                .into_iter()
                .map(|(k, v)| (format!("{} {k}", s.name), v))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn no_party_acts_on_their_own_request_or_grant() {
    let mut failures = Vec::new();
    for c in REFUSED {
        let label = format!("{} × {} ({})", c.key, c.who, c.relation);
        let d = Duties::new();
        let before = state(&d.w);
        let out = d.w.invoke(c.who, c.key, (c.payload)(&d));
        if !refused(&out) {
            failures.push(format!("{label}: expected forbidden, got {out:?}"));
        }
        let changed = diff(&before, &state(&d.w));
        if !changed.is_empty() {
            failures.push(format!("{label}: refused but stored {changed}"));
        }
        // The control: Ada, a party to nothing, may.
        let d = Duties::new();
        let out = d.w.invoke("ada", c.key, (c.payload)(&d));
        let ok = matches!(&out, Ok(v) if v["results"][0].get("error").is_none());
        if !ok {
            failures.push(format!("{label}: the control (ada) was refused: {out:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What a queue lists, by the id field of its items.
fn listed(w: &World, who: &str, key: &str) -> Vec<String> {
    let out = w.ok(who, key, json!({}));
    match key {
        "requests.pending" => ids(&out, "requests", "id"),
        "jobs.manual" => out["jobs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|j| {
                j["job"]["id"]
                    .as_str()
                    .or(j["id"].as_str())
                    .map(str::to_owned)
            })
            .collect(),
        _ => ids(&out, "reviews", "grantId"),
    }
}

#[test]
fn the_queues_leave_out_what_the_viewer_is_a_party_to() {
    let d = Duties::new();
    let cells: [(&str, &str, &String, &String); 6] = [
        (
            "requests.pending",
            "arlo",
            &d.arlo_request,
            &d.raised_request,
        ),
        (
            "requests.pending",
            "bea",
            &d.raised_request,
            &d.arlo_request,
        ),
        ("jobs.manual", "arlo", &d.arlo_job, &d.raised_job),
        ("jobs.manual", "bea", &d.raised_job, &d.arlo_job),
        ("reviews.pending", "arlo", &d.arlo_grant, &d.raised_grant),
        ("reviews.pending", "bea", &d.raised_grant, &d.arlo_grant),
    ];
    let mut failures = Vec::new();
    for (key, who, own, other) in cells {
        let got = listed(&d.w, who, key);
        if got.contains(own) {
            failures.push(format!(
                "{key} × {who}: lists {own}, which {who} is a party to"
            ));
        }
        if !got.contains(other) {
            failures.push(format!(
                "{key} × {who}: leaves out {other}, which {who} may act on"
            ));
        }
        // Ada, a party to neither, sees both.
        let all = listed(&d.w, "ada", key);
        if !(all.contains(own) && all.contains(other)) {
            failures.push(format!("{key} × ada: {all:?} lacks {own} or {other}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_issue_panel_offers_a_party_nothing_to_do() {
    let d = Duties::new();
    let key_of = |id: &str| {
        d.w.entities("request")
            .into_iter()
            .find(|r| r["id"] == id)
            .expect("request")["issueKey"]
            .as_str()
            .expect("key")
            .to_owned()
    };
    let arlo_grant_request = d.w.grant(&d.arlo_grant)["request"]
        .as_str()
        .unwrap()
        .to_owned();
    let raised_grant_request = d.w.grant(&d.raised_grant)["request"]
        .as_str()
        .unwrap()
        .to_owned();
    for (who, request) in [
        ("arlo", &d.arlo_request),
        ("bea", &d.raised_request),
        ("arlo", &arlo_grant_request),
        ("bea", &raised_grant_request),
    ] {
        let out = d.w.ok(
            who,
            "requests.byIssue",
            json!({"issueKey": key_of(request)}),
        );
        let can = &out["can"];
        let offered: Vec<_> = can
            .as_object()
            .expect("can")
            .iter()
            .filter(|(_, v)| **v == true)
            .map(|(k, _)| k.clone())
            .collect();
        assert!(
            offered.is_empty(),
            "requests.byIssue × {who} on {request}: offers {offered:?}"
        );
        // The other approver is offered what the state allows.
        let other = if who == "arlo" { "bea" } else { "arlo" };
        let theirs = d.w.ok(
            other,
            "requests.byIssue",
            json!({"issueKey": key_of(request)}),
        );
        assert!(
            theirs["can"]
                .as_object()
                .expect("can")
                .values()
                .any(|v| *v == true),
            "requests.byIssue × {other} on {request}: offers nothing"
        );
    }
}
