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

// ----- recertification --------------------------------------------------

/// Rita's claude grant, active from T0 for `d` days. Returns (grant id, request issue id).
fn active_grant(w: &World, who: &str, tool: &str, d: u32) -> (String, String) {
    let (issue, _) = w.portal_request(who, World::snapshot(tool, d));
    w.pump();
    w.ok("arlo", "requests.approve", json!({"requestId": issue}));
    w.sweep();
    let jobs = w.ok("arlo", "jobs.manual", json!({}));
    let job = jobs["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["kind"] == "provision" && j["status"] == "manualPending")
        .unwrap_or(&jobs["jobs"][0])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let g = w.ok(
        "arlo",
        "jobs.complete",
        json!({"jobId": job, "outcome": "fulfilled"}),
    );
    (g["grant"]["id"].as_str().unwrap().to_owned(), issue)
}

fn review_world() -> World {
    let w = World::configured();
    w.ok(
        "ada",
        "config.setIntake",
        json!({"reviewIssueType": "Task", "reviewWindowDays": 7}),
    );
    w
}

fn issue_json(w: &World, key: &str) -> Value {
    let resp = w.sim.handle_as(
        None,
        "GET",
        &format!("/rest/api/3/issue/{key}?fields=summary,issuetype,issuelinks"),
        &[],
        None,
    );
    assert_eq!(resp.status, 200, "{}", resp.body);
    serde_json::from_str(&resp.body).unwrap()
}

#[test]
fn recertification_opens_one_linked_review_per_window() {
    let w = review_world();
    let (id, _) = active_grant(&w, "rita", "claude", 30);
    let g = w.grant(&id);
    let expires = g["expiresAt"].as_i64().unwrap();
    // Before the window: nothing.
    w.set_now(expires - 8 * DAY);
    assert_eq!(run(&w, "recertification")["reviewsOpened"], 0);
    w.set_now(expires - 7 * DAY);
    let s = run(&w, "recertification");
    assert_eq!(s["reviewsOpened"], 1, "{s}");
    let g = w.grant(&id);
    let review = g["reviewIssue"].as_str().unwrap().to_owned();
    assert_eq!(g["reviewWindow"], expires);
    let issue = issue_json(&w, &review);
    assert_eq!(issue["fields"]["issuetype"]["name"], "Task");
    let summary = issue["fields"]["summary"].as_str().unwrap();
    assert!(summary.contains("claude"), "{summary}");
    assert!(
        summary.contains(&aigis_core::time::date(expires)),
        "{summary}"
    );
    let links = issue["fields"]["issuelinks"].as_array().unwrap();
    assert_eq!(links.len(), 1, "{links:?}");
    assert!(
        links[0]
            .to_string()
            .contains(g["issueKey"].as_str().unwrap()),
        "{links:?}"
    );
    let prop = w.sim.handle_as(
        None,
        "GET",
        &format!("/rest/api/3/issue/{review}/properties/aigis.review.v1"),
        &[],
        None,
    );
    assert!(prop.body.contains(&id), "{}", prop.body);
    // Reruns, same day and later: no second review issue.
    assert_eq!(run(&w, "recertification")["reviewsOpened"], 0);
    w.set_now(expires - 2 * DAY);
    assert_eq!(run(&w, "recertification")["reviewsOpened"], 0);
    assert_eq!(w.grant(&id)["reviewIssue"], review.as_str());
    let opened = w
        .entities("audit")
        .iter()
        .filter(|e| e["action"] == "grant.review.opened")
        .count();
    assert_eq!(opened, 1);
    let pending = w.ok("arlo", "reviews.pending", json!({}));
    assert_eq!(pending["reviews"].as_array().unwrap().len(), 1);
    assert!(w.verify().intact);
}

/// Review issues of grant `id` in Jira, found by their property.
fn review_issues(w: &World, id: &str) -> Vec<String> {
    let jql = format!("issue.property[aigis.review.v1].grantId = \"{id}\"");
    let resp = w.sim.handle_as(
        None,
        "GET",
        &format!(
            "/rest/api/3/search/jql?jql={}&fields=summary",
            aigis_app::jira::enc(&jql)
        ),
        &[],
        None,
    );
    assert_eq!(resp.status, 200, "{}", resp.body);
    let v: Value = serde_json::from_str(&resp.body).unwrap();
    v["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_owned())
        .collect()
}

fn claim(w: &World, id: &str, expires: i64, at: i64) {
    use aigis_platform::Storage;
    w.storage
        .set(
            &aigis_app::reviews::claim_key(id, expires),
            &json!({"grant": id, "window": expires, "at": at}).to_string(),
            Default::default(),
        )
        .unwrap();
}

#[test]
fn a_claim_left_by_a_crash_before_jira_answered_is_recovered_once() {
    let w = review_world();
    let (id, _) = active_grant(&w, "rita", "claude", 30);
    let expires = w.grant(&id)["expiresAt"].as_i64().unwrap();
    // A run claimed the window, then died before Jira answered: no issue.
    claim(&w, &id, expires, expires - 4 * DAY);
    w.set_now(expires - 3 * DAY);
    let s = run(&w, "recertification");
    assert_eq!(s["reviewsOpened"], 1, "{s}");
    assert_eq!(s["stuck"], 0, "{s}");
    assert_eq!(review_issues(&w, &id).len(), 1);
    // Later runs open nothing more.
    w.set_now(expires - 2 * DAY);
    assert_eq!(run(&w, "recertification")["reviewsOpened"], 0);
    assert_eq!(review_issues(&w, &id).len(), 1);
}

#[test]
fn a_review_issue_created_by_a_crashed_run_is_adopted_not_made_twice() {
    let w = review_world();
    let (id, _) = active_grant(&w, "rita", "claude", 30);
    let expires = w.grant(&id)["expiresAt"].as_i64().unwrap();
    // The crashed run got as far as Jira: the issue exists with its property,
    // but the claim never learnt its key.
    claim(&w, &id, expires, expires - 4 * DAY);
    let body = json!({
        "fields": {"project": {"key": w.site.project_key}, "issuetype": {"name": "Task"},
                   "summary": "Access review (made by a run that crashed)"},
        "properties": [{"key": "aigis.review.v1", "value": {"grantId": id, "window": expires}}],
    });
    let made = w.sim.handle_as(
        None,
        "POST",
        "/rest/api/3/issue",
        &[],
        Some(&body.to_string()),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let key = serde_json::from_str::<Value>(&made.body).unwrap()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    w.set_now(expires - 3 * DAY);
    let s = run(&w, "recertification");
    assert_eq!(s["reviewsOpened"], 1, "{s}");
    assert_eq!(review_issues(&w, &id), vec![key.clone()]);
    assert_eq!(w.grant(&id)["reviewIssue"], key.as_str());
}

#[test]
fn a_claim_in_progress_elsewhere_is_left_alone() {
    let w = review_world();
    let (id, _) = active_grant(&w, "rita", "claude", 30);
    let expires = w.grant(&id)["expiresAt"].as_i64().unwrap();
    w.set_now(expires - 3 * DAY);
    // Another run claimed it a moment ago and is talking to Jira now.
    claim(&w, &id, expires, expires - 3 * DAY - 1_000);
    let s = run(&w, "recertification");
    assert_eq!(s["reviewsOpened"], 0, "{s}");
    assert_eq!(s["stuck"], 1, "{s}");
    assert!(review_issues(&w, &id).is_empty());
}

#[test]
fn a_review_jira_refused_is_retried_once_the_cause_is_fixed() {
    let w = World::configured();
    // A review issue type the project does not have.
    w.ok(
        "ada",
        "config.setIntake",
        json!({"reviewIssueType": "Review", "reviewWindowDays": 7}),
    );
    let (id, _) = active_grant(&w, "rita", "claude", 30);
    let expires = w.grant(&id)["expiresAt"].as_i64().unwrap();
    w.set_now(expires - 5 * DAY);
    let s = run(&w, "recertification");
    assert_eq!(s["failed"], 1, "{s}");
    assert!(review_issues(&w, &id).is_empty());
    // The admin fixes the type; the next run opens the review.
    w.ok(
        "ada",
        "config.setIntake",
        json!({"reviewIssueType": "Task"}),
    );
    w.set_now(expires - 4 * DAY);
    let s = run(&w, "recertification");
    assert_eq!(s["reviewsOpened"], 1, "{s}");
    assert_eq!(s["stuck"], 0, "{s}");
    assert_eq!(review_issues(&w, &id).len(), 1);
}

#[test]
fn review_answers_keep_or_revoke_and_the_holder_cannot_answer() {
    let w = review_world();
    let (kept, _) = active_grant(&w, "rita", "claude", 30);
    w.ok("ada", "catalog.add", json!({"id": "gpt", "name": "GPT", "provider": "OpenAI", "status": "approved", "risk": "high"}));
    let (gone, _) = active_grant(&w, "rita", "gpt", 30);
    let expires = w.grant(&kept)["expiresAt"].as_i64().unwrap();
    w.set_now(expires - 5 * DAY);
    assert_eq!(run(&w, "recertification")["reviewsOpened"], 2);
    // The holder may not answer, nor may someone who is no approver.
    let e = w.err(
        "rita",
        "reviews.answer",
        json!({"grantId": kept, "answer": "keep", "rationale": "Still needed"}),
    );
    assert_eq!(e.code, "forbidden");
    let e = w.err(
        "arlo",
        "reviews.answer",
        json!({"grantId": kept, "answer": "maybe", "rationale": "Still needed"}),
    );
    assert_eq!(e.code, "invalid");
    let out = w.ok(
        "arlo",
        "reviews.answer",
        json!({"grantId": kept, "answer": "keep", "rationale": "Still needed"}),
    );
    assert_eq!(out["grant"]["status"], "active");
    assert_eq!(out["grant"]["reviewAnswer"], "keep");
    assert_eq!(out["grant"]["expiresAt"], expires, "keep does not extend");
    let out = w.ok(
        "arlo",
        "reviews.answer",
        json!({"grantId": gone, "answer": "revoke", "rationale": "No longer needed"}),
    );
    assert_eq!(out["grant"]["status"], "revoked");
    assert_eq!(out["revocation"]["job"]["kind"], "deprovision");
    assert!(
        w.entities("job")
            .iter()
            .any(|j| j["grant"] == gone.as_str() && j["kind"] == "deprovision")
    );
    let review = w.grant(&kept)["reviewIssue"].as_str().unwrap().to_owned();
    assert!(
        w.comments(&review)
            .iter()
            .any(|c| c.starts_with("Review answered: keep"))
    );
    assert_eq!(
        w.ok("arlo", "reviews.pending", json!({}))["reviews"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert!(w.verify().intact);
}

#[test]
fn recertification_reads_only_grants_in_the_window() {
    let w = review_world();
    let (id, _) = active_grant(&w, "rita", "claude", 30);
    let expires = w.grant(&id)["expiresAt"].as_i64().unwrap();
    // 2,000 active grants far from expiry, written directly.
    use aigis_platform::Storage;
    let template = w.grant(&id);
    for i in 0..2000 {
        let mut g = template.clone();
        g["id"] = json!(format!("g-bulk-{i}"));
        g["expiresAt"] = json!(expires + 200 * DAY + i);
        w.storage
            .entity_set("grant", &format!("g-bulk-{i}"), &g.to_string())
            .unwrap();
    }
    w.set_now(expires - 3 * DAY);
    let before = w.storage.calls.get();
    let s = run(&w, "recertification");
    let calls = w.storage.calls.get() - before;
    assert_eq!(s["reviewsOpened"], 1);
    assert_eq!(s["itemsExamined"], 1);
    assert!(calls <= 25, "{calls} storage calls");
}

// ----- retention ----------------------------------------------------------

/// Appends `n` audit events at the current time through the commit protocol.
fn append_events(w: &World, n: usize) {
    w.with_platform(|p| {
        for i in 0..n {
            aigis_app::repo::commit(&p, |_| {
                let mut c = aigis_app::repo::Change::new();
                c.event(aigis_core::audit::NewEvent::new(
                    "test",
                    "test.event",
                    "test",
                    json!({"i": i}),
                ));
                Ok(((), c))
            })
            .unwrap();
        }
    });
}

fn audit_seqs(w: &World) -> Vec<u64> {
    let mut v: Vec<u64> = w
        .entities("audit")
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    v.sort();
    v
}

/// An evidence-pack export as Ada: its checkpoint is what retention may
/// prune below.
fn export(w: &World) -> Value {
    w.ok("ada", "audit.export", json!({}))
}

#[test]
fn retention_without_an_exported_checkpoint_prunes_nothing() {
    let w = World::configured();
    append_events(&w, 12);
    w.set_now(T0 + 400 * DAY);
    append_events(&w, 2);
    let before = audit_seqs(&w);
    let s = run(&w, "retention");
    assert_eq!(s["eventsPruned"], 0, "{s}");
    assert!(
        s["refused"]
            .as_str()
            .unwrap()
            .contains("no checkpoint has been exported"),
        "{s}"
    );
    // The daily checkpoint was still signed.
    assert!(s["checkpointSize"].as_u64().unwrap() >= *before.last().unwrap());
    // Everything is still there (plus the log key's creation event).
    let after = audit_seqs(&w);
    assert_eq!(after[..before.len()], before[..]);
    assert!(w.entities("auditnode").is_empty());
    assert!(w.verify().intact);
}

#[test]
fn retention_prunes_only_below_the_exported_checkpoint_and_keeps_proofs() {
    let w = World::configured();
    append_events(&w, 45);
    let exported = export(&w)["checkpoint"]["size"].as_u64().unwrap();
    // Events after the export, still past retention later.
    append_events(&w, 6);
    w.set_now(T0 + 400 * DAY);
    append_events(&w, 5);
    let s = run(&w, "retention");
    assert_eq!(s["anchorSeq"], exported, "{s}");
    assert_eq!(s["eventsPruned"], exported, "{s}");
    assert!(
        s["refused"].as_str().unwrap().contains("until an export"),
        "{s}"
    );
    let left = audit_seqs(&w);
    assert_eq!(left[0], exported + 1);
    // The pruned events left their Merkle nodes behind, without content.
    let stubs = w.entities("auditnode");
    assert_eq!(stubs.len() as u64, exported);
    assert!(
        stubs
            .iter()
            .all(|s| s.get("data").is_none() && s.get("actor").is_none())
    );
    let pruned = w
        .entities("audit")
        .into_iter()
        .find(|e| e["action"] == "audit.pruned")
        .unwrap();
    assert_eq!(pruned["data"]["throughSeq"], exported);
    assert_eq!(pruned["data"]["checkpoint"]["size"], exported);
    assert_eq!(
        pruned["data"]["prefix"]["size"], exported,
        "the compact range of the pruned prefix"
    );
    let v = w.ok("ada", "audit.verify", json!({}));
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["fromSeq"], exported + 1);
    assert!(
        v["statement"].as_str().unwrap().starts_with(&format!(
            "verified from index {}, anchored by checkpoint {exported}",
            exported + 1
        )),
        "{v}"
    );
    // Every retained event still has an inclusion proof, and so do pruned ones.
    let head = *audit_seqs(&w).last().unwrap();
    for seq in [1, exported, exported + 1, head] {
        let proof = w.ok("ada", "audit.prove", json!({"seq": seq}));
        let hashes: Vec<_> = proof["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| aigis_core::tlog::from_hex(h.as_str().unwrap()).unwrap())
            .collect();
        aigis_core::tlog::verify_inclusion(
            &hashes,
            seq - 1,
            proof["treeSize"].as_u64().unwrap(),
            aigis_core::tlog::from_hex(proof["leafHash"].as_str().unwrap()).unwrap(),
            aigis_core::tlog::from_hex(proof["rootHash"].as_str().unwrap()).unwrap(),
        )
        .unwrap_or_else(|e| panic!("seq {seq}: {e}"));
    }
    // A rerun prunes nothing more; a new export lets the rest go.
    assert_eq!(run(&w, "retention")["eventsPruned"], 0);
    export(&w);
    let s = run(&w, "retention");
    // The 6 later events and the first export's own `audit.exported`.
    assert_eq!(s["eventsPruned"], 7, "{s}");
    assert!(w.verify().intact);
}

#[test]
fn tampering_after_pruning_is_still_detected() {
    use aigis_platform::Storage;
    let w = World::configured();
    append_events(&w, 10);
    export(&w);
    w.set_now(T0 + 400 * DAY);
    append_events(&w, 3);
    run(&w, "retention");
    assert!(w.verify().intact);
    let first = audit_seqs(&w)[0];
    let key = format!("{first:012}");
    let raw = w.storage.entity_get("audit", &key).unwrap().unwrap();
    // An altered remaining event.
    let mut e: Value = serde_json::from_str(&raw).unwrap();
    e["data"] = json!({"i": 999});
    w.storage.entity_set("audit", &key, &e.to_string()).unwrap();
    assert!(!w.verify().intact);
    w.storage.entity_set("audit", &key, &raw).unwrap();
    assert!(w.verify().intact);
    // A removed event right after the anchor.
    w.storage.entity_delete("audit", &key).unwrap();
    assert!(!w.verify().intact);
    w.storage.entity_set("audit", &key, &raw).unwrap();
    // A forged anchor (moved forward to hide events).
    let a = w
        .storage
        .entity_get("auditanchor", "anchor")
        .unwrap()
        .unwrap();
    let mut forged: Value = serde_json::from_str(&a).unwrap();
    forged["seq"] = json!(first);
    w.storage
        .entity_set("auditanchor", "anchor", &forged.to_string())
        .unwrap();
    let r = w.verify();
    assert!(!r.intact, "{r:?}");
    // A forged compact range in the anchor.
    let mut forged: Value = serde_json::from_str(&a).unwrap();
    forged["frontier"]["hashes"][0] = json!("11".repeat(32));
    w.storage
        .entity_set("auditanchor", "anchor", &forged.to_string())
        .unwrap();
    assert!(!w.verify().intact);
    w.storage.entity_set("auditanchor", "anchor", &a).unwrap();
    assert!(w.verify().intact);
}

#[test]
fn retention_reads_only_the_due_prefix_and_is_configurable() {
    let w = World::configured();
    let e = w.err("ada", "config.setIntake", json!({"auditRetentionDays": 10}));
    assert_eq!(e.code, "invalid");
    w.ok(
        "ada",
        "config.setIntake",
        json!({"auditRetentionDays": 100}),
    );
    w.set_now(T0 + 50 * DAY);
    append_events(&w, 500);
    export(&w);
    w.set_now(T0 + 120 * DAY);
    // Nothing past 100 days except the first few configuration events.
    let before = w.storage.calls.get();
    let s = run(&w, "retention");
    let calls = w.storage.calls.get() - before;
    assert!(s["eventsPruned"].as_u64().unwrap() < 10, "{s}");
    // The prune itself, plus the state committed before it (the state
    // list, the last state's chunk, the events since the export, the new
    // chunk, the commit): about 7 calls, whatever the log's length.
    assert!(calls <= 28, "{calls} storage calls");
    assert!(w.verify().intact);
}

#[test]
fn an_approver_cannot_answer_the_review_of_their_own_access() {
    let w = review_world();
    // Arlo (an approver) holds a grant, approved by Ada.
    let (issue, _) = w.portal_request("arlo", World::snapshot("claude", 30));
    w.pump();
    w.ok("ada", "requests.approve", json!({"requestId": issue}));
    w.sweep();
    let job = w.ok("ada", "jobs.manual", json!({}))["jobs"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let g = w.ok(
        "ada",
        "jobs.complete",
        json!({"jobId": job, "outcome": "fulfilled"}),
    );
    let id = g["grant"]["id"].as_str().unwrap().to_owned();
    let expires = g["grant"]["expiresAt"].as_i64().unwrap();
    w.set_now(expires - 2 * DAY);
    assert_eq!(run(&w, "recertification")["reviewsOpened"], 1);
    let e = w.err(
        "arlo",
        "reviews.answer",
        json!({"grantId": id, "answer": "keep", "rationale": "I still need it"}),
    );
    assert_eq!(e.code, "forbidden");
    assert!(e.message.contains("own access"), "{}", e.message);
    let out = w.ok(
        "ada",
        "reviews.answer",
        json!({"grantId": id, "answer": "keep", "rationale": "Still needed"}),
    );
    assert_eq!(out["grant"]["reviewAnswer"], "keep");
}
