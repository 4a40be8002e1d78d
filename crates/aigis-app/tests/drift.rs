//! Drift of connected tools against the Okta and Graph simulators:
//! complete reads over several pages, incomplete runs, each kind of
//! difference, the group deleted out of band, enforcement off and on,
//! resuming from the saved link.

mod common;

use aigis_okta_sim::model::{GroupType, UserStatus};
use aigis_okta_sim::{Fault, FaultKind, NewUser, OktaSim};
use common::*;
use serde_json::{Value, json};
use std::sync::Arc;

const ORG: &str = "https://aigis-drift.okta.com";
const SSWS: &str = "00ssws-drift-token-abcdefghij";

struct Okta {
    w: World,
    okta: Arc<OktaSim>,
    group: String,
    rita: String,
    sam: String,
}

/// An Okta org (SSWS) knowing rita and sam, claude bound to a group, and
/// a grant of claude to rita and to sam provisioned through it.
fn okta_setup() -> Okta {
    let w = World::configured();
    let okta = Arc::new(OktaSim::new(ORG, T0));
    let rita = okta
        .add_user(NewUser::active("rita@aigis.example", "Rita", "R"))
        .unwrap();
    let sam = okta
        .add_user(NewUser::active("sam@aigis.example", "Sam", "S"))
        .unwrap();
    okta.add_api_token(SSWS, "aigis").unwrap();
    let group = okta.add_group("AI Claude", GroupType::OktaGroup).unwrap();
    *w.egress.okta.borrow_mut() = Some(okta.clone());
    w.ok(
        "ada",
        "connectors.create",
        json!({"id": "okta", "name": "Okta", "type": "okta-group", "orgUrl": ORG, "auth": "ssws", "credential": SSWS}),
    );
    w.ok(
        "ada",
        "connectors.bind",
        json!({"tool": "claude", "connector": "okta", "groupId": group}),
    );
    for who in ["rita", "sam"] {
        let (issue, _) = w.portal_request(who, World::snapshot("claude", 30));
        w.pump();
        w.ok("arlo", "requests.approve", json!({"requestId": issue}));
    }
    w.sweep();
    let mut m = okta.members(&group).unwrap();
    m.sort();
    let mut want = vec![rita.clone(), sam.clone()];
    want.sort();
    assert_eq!(m, want);
    Okta {
        w,
        okta,
        group,
        rita,
        sam,
    }
}

fn check(w: &World) -> Value {
    w.ok("ada", "connectors.checkDrift", json!({"tool": "claude"}))
}

fn open(out: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = out["drift"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "open")
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_owned(),
                f["member"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

fn drift_events(w: &World) -> Vec<Value> {
    w.entities("audit")
        .into_iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("drift."))
        .collect()
}

fn daily(w: &World) -> Value {
    let out = w
        .with_platform(|p| aigis_app::on_schedule(p, "recertification", "{}", "{}"))
        .expect("sweep");
    serde_json::from_str(&out).unwrap()
}

fn add_members(o: &Okta, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let id = o
                .okta
                .add_user(NewUser::active(
                    &format!("extra{i:03}@aigis.example"),
                    "Extra",
                    "X",
                ))
                .unwrap();
            o.okta.add_member(&o.group, &id).unwrap();
            id
        })
        .collect()
}

#[test]
fn in_step_is_complete_and_finds_nothing() {
    let o = okta_setup();
    let out = check(&o.w);
    assert_eq!(out["run"]["complete"], true, "{out}");
    assert_eq!(out["run"]["pagesRead"], 1);
    assert_eq!(out["drift"]["status"]["members"], 2);
    assert!(out["drift"]["status"]["lastCompleteAt"].is_i64());
    assert_eq!(open(&out), vec![]);
    assert!(drift_events(&o.w).is_empty());
    // The provider's links are not answered.
    assert!(out["drift"]["status"].get("cursor").is_none());
}

#[test]
fn extra_missing_and_inactive_with_history_and_no_repeated_events() {
    let o = okta_setup();
    let ada = o
        .okta
        .add_user(NewUser::active("ada@aigis.example", "Ada", "A"))
        .unwrap();
    o.okta.add_member(&o.group, &ada).unwrap();
    o.okta.remove_member(&o.group, &o.rita).unwrap();
    o.okta
        .set_user_status(&o.sam, UserStatus::Suspended)
        .unwrap();
    let out = check(&o.w);
    assert_eq!(out["run"]["complete"], true, "{out}");
    assert_eq!(
        open(&out),
        vec![
            ("extra".into(), ada.clone()),
            ("inactive".into(), o.sam.clone()),
            ("missing".into(), o.rita.clone()),
        ]
    );
    let missing = out["drift"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "missing")
        .unwrap()
        .clone();
    assert_eq!(missing["account"], o.w.account("rita"));
    assert!(missing["grant"].as_str().unwrap().starts_with("g-"));
    assert_eq!(missing["history"][0]["change"], "found");
    assert_eq!(drift_events(&o.w).len(), 3);
    // Nothing is fixed while enforcement is off.
    assert!(o.okta.members(&o.group).unwrap().contains(&ada));
    let jobs_before = o.w.entities("job").len();

    // A daily re-run of the same findings writes nothing.
    o.w.set_now(T0 + DAY);
    let summary = daily(&o.w);
    assert_eq!(summary["drift"]["toolsChecked"], 1, "{summary}");
    assert_eq!(summary["drift"]["found"], 0);
    assert_eq!(drift_events(&o.w).len(), 3);
    assert_eq!(o.w.entities("job").len(), jobs_before);
    let seen = o.w.ok("ada", "connectors.drift", json!({"tool": "claude"}));
    let f = &seen["tools"][0]["findings"][0];
    assert_eq!(f["lastSeenAt"], T0 + DAY, "{f}");
    assert_eq!(f["firstSeenAt"], T0);

    // Out-of-band repair resolves the extra; the record keeps its history.
    o.okta.remove_member(&o.group, &ada).unwrap();
    o.w.set_now(T0 + 2 * DAY);
    let out = check(&o.w);
    assert_eq!(out["run"]["resolved"], 1);
    let resolved = out["drift"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["status"] == "resolved")
        .unwrap()
        .clone();
    assert_eq!(resolved["kind"], "extra");
    assert_eq!(resolved["resolvedAt"], T0 + 2 * DAY);
    assert_eq!(resolved["lastSeenAt"], T0 + DAY);
    let changes: Vec<&str> = resolved["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["change"].as_str().unwrap())
        .collect();
    assert_eq!(changes, vec!["found", "resolved"]);
    // Found again later: reopened, one more event.
    o.okta.add_member(&o.group, &ada).unwrap();
    let out = check(&o.w);
    assert_eq!(out["run"]["found"], 1);
    assert_eq!(drift_events(&o.w).len(), 5);
    assert!(o.w.verify().intact);
}

#[test]
fn three_pages_are_read_completely() {
    let o = okta_setup();
    let extras = add_members(&o, 449);
    let before = o.w.egress.sent.borrow().len();
    let out = check(&o.w);
    assert_eq!(out["run"]["complete"], true, "{}", out["run"]);
    assert_eq!(out["run"]["pagesRead"], 3, "200 + 200 + 51 members");
    assert_eq!(out["drift"]["status"]["members"], 451);
    assert_eq!(out["run"]["found"], 449);
    let found = open(&out);
    assert_eq!(found.len(), extras.len());
    assert!(found.iter().all(|(k, _)| k == "extra"));
    // Only the server's links were followed.
    let pages: Vec<String> =
        o.w.egress
            .sent
            .borrow()
            .iter()
            .skip(before)
            .filter(|r| r.url.contains(&format!("/groups/{}/users", o.group)))
            .map(|r| r.url.clone())
            .collect();
    assert_eq!(pages.len(), 3);
    assert!(pages[1].contains("after=") && pages[2].contains("after="));
}

#[test]
fn a_failed_page_makes_the_run_incomplete_and_the_next_resumes() {
    let o = okta_setup();
    add_members(&o, 449);
    // A run that reads one page (its budget), then one whose next page fails.
    let b: aigis_app::connectors::Binding = o.w.with_platform(|p| {
        aigis_app::connectors::load_binding(&p, "claude")
            .unwrap()
            .unwrap()
    });
    let first =
        o.w.with_platform(|p| aigis_app::connectors::drift::run_tool(&p, &b, 1))
            .unwrap();
    assert!(!first.complete && first.pages_read == 1);
    o.okta.inject(Fault::on(
        Some("GET"),
        &format!("/api/v1/groups/{}/users", o.group),
        1,
        FaultKind::Status { status: 503 },
    ));
    let out = check(&o.w);
    assert_eq!(out["run"]["complete"], false, "{out}");
    assert_eq!(out["run"]["found"], 0);
    assert_eq!(open(&out), vec![]);
    assert!(drift_events(&o.w).is_empty(), "nothing reported");
    let st = &out["drift"]["status"];
    assert_eq!(st["resumes"], true);
    assert!(
        st["reason"]
            .as_str()
            .unwrap()
            .contains("nothing is reported"),
        "{st}"
    );
    // The next run resumes at the saved link: two more pages, then complete.
    let out = check(&o.w);
    assert_eq!(out["run"]["complete"], true, "{out}");
    assert_eq!(out["run"]["pagesRead"], 2);
    assert_eq!(out["drift"]["status"]["members"], 451);
    assert_eq!(out["run"]["found"], 449);
}

#[test]
fn a_large_group_resumes_from_its_cursor_across_runs() {
    let o = okta_setup();
    add_members(&o, 449);
    let b: aigis_app::connectors::Binding = o.w.with_platform(|p| {
        aigis_app::connectors::load_binding(&p, "claude")
            .unwrap()
            .unwrap()
    });
    let run = |max| {
        o.w.with_platform(|p| aigis_app::connectors::drift::run_tool(&p, &b, max))
            .unwrap()
    };
    let first = run(1);
    assert!(!first.complete && first.pages_read == 1 && first.found == 0);
    let second = run(1);
    assert!(!second.complete && second.pages_read == 1);
    assert!(drift_events(&o.w).is_empty());
    let third = run(1);
    assert!(third.complete && third.pages_read == 1, "{third:?}");
    assert_eq!(third.found, 449);
    let out = o.w.ok("ada", "connectors.drift", json!({}));
    assert_eq!(out["tools"][0]["status"]["members"], 451);
    // The scratch pages are gone once compared.
    let left =
        o.w.with_platform(|p| p.storage.query_prefix("driftscan:", None, 10).unwrap());
    assert!(left.items.is_empty());
}

#[test]
fn a_group_deleted_out_of_band_is_reported_and_never_recreated() {
    let o = okta_setup();
    o.okta.delete_group(&o.group).unwrap();
    let out = check(&o.w);
    assert_eq!(out["run"]["complete"], false);
    assert_eq!(open(&out), vec![("groupMissing".into(), o.group.clone())]);
    assert!(
        out["drift"]["status"]["reason"]
            .as_str()
            .unwrap()
            .contains("does not recreate"),
        "{out}"
    );
    // Again: still one finding, no new event, and no group was created.
    check(&o.w);
    assert_eq!(drift_events(&o.w).len(), 1);
    let posts =
        o.w.egress
            .sent
            .borrow()
            .iter()
            .filter(|r| r.method == "POST" && r.url.ends_with("/api/v1/groups"))
            .count();
    assert_eq!(posts, 0);
    assert!(o.okta.find_group("AI Claude").is_none());
}

#[test]
fn enforcement_fixes_through_jobs_once() {
    let o = okta_setup();
    let ada = o
        .okta
        .add_user(NewUser::active("ada@aigis.example", "Ada", "A"))
        .unwrap();
    o.okta.add_member(&o.group, &ada).unwrap();
    o.okta.remove_member(&o.group, &o.rita).unwrap();
    // Off: reported, not fixed.
    let out = check(&o.w);
    assert_eq!(out["run"]["fixesQueued"], 0);
    assert_eq!(out["drift"]["enforce"], false);
    let jobs = o.w.entities("job").len();
    // On: one job per finding, and a second run queues nothing more.
    let c = o.w.ok(
        "ada",
        "connectors.update",
        json!({"id": "okta", "enforce": true}),
    );
    assert_eq!(c["connector"]["enforce"], true);
    let out = check(&o.w);
    assert_eq!(out["run"]["fixesQueued"], 2, "{out}");
    let again = check(&o.w);
    assert_eq!(again["run"]["fixesQueued"], 0);
    assert_eq!(o.w.entities("job").len(), jobs + 2);
    for f in out["drift"]["findings"].as_array().unwrap() {
        assert!(f["fixJob"].is_string(), "{f}");
        assert_eq!(f["history"][1]["change"], "fixQueued");
    }
    // The job runner applies them through the connector.
    o.w.sweep();
    let mut m = o.okta.members(&o.group).unwrap();
    m.sort();
    let mut want = vec![o.rita.clone(), o.sam.clone()];
    want.sort();
    assert_eq!(m, want);
    let fixed: Vec<Value> =
        o.w.entities("job")
            .into_iter()
            .filter(|j| j["status"] == "succeeded")
            .collect();
    assert!(
        fixed.iter().any(|j| j["kind"] == "deprovision"
            && j["grant"].as_str().unwrap().starts_with("claude:extra:"))
    );
    // Fixed: the next run resolves both and queues nothing.
    let out = check(&o.w);
    assert_eq!(out["run"]["resolved"], 2);
    assert_eq!(out["run"]["fixesQueued"], 0);
    assert_eq!(open(&out), vec![]);
    let actions: Vec<String> =
        o.w.entities("audit")
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect();
    assert_eq!(
        actions.iter().filter(|a| *a == "drift.fixQueued").count(),
        2
    );
    assert!(o.w.verify().intact);
}

#[test]
fn drift_needs_a_bound_tool_and_the_admin() {
    let o = okta_setup();
    let e =
        o.w.err("ada", "connectors.checkDrift", json!({"tool": "gemini"}));
    assert_eq!(e.code.as_str(), "not-found");
    let e = o.w.err("rita", "connectors.drift", json!({}));
    assert_eq!(e.code.as_str(), "forbidden");
    let e =
        o.w.err("ada", "connectors.drift", json!({"tool": "claude", "x": 1}));
    assert_eq!(e.code.as_str(), "invalid");
}

mod graph {
    use super::*;
    use aigis_graph_sim::{GraphSim, NewGroup};

    const TENANT: &str = "11111111-2222-4333-8444-555555555555";
    const CLIENT: &str = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
    const SECRET: &str = "entra~secret~value~0123456789";

    #[test]
    fn non_user_members_inactive_holders_and_three_graph_pages() {
        let w = World::configured();
        let graph = Arc::new(GraphSim::new(TENANT, "aigis.example", T0));
        graph
            .add_app(CLIENT, &["GroupMember.ReadWrite.All", "User.Read.All"])
            .unwrap();
        graph.add_secret(CLIENT, SECRET).unwrap();
        let rita = graph
            .add_user("Rita R", "rita@aigis.example", "rita@aigis.example", true)
            .unwrap();
        let group = graph.add_group(NewGroup::security("AI Claude")).unwrap();
        let nested = graph.add_group(NewGroup::security("Contractors")).unwrap();
        *w.egress.graph.borrow_mut() = Some(graph.clone());
        w.ok(
            "ada",
            "connectors.create",
            json!({"id": "entra", "name": "Entra", "type": "entra-group",
            "tenantId": TENANT, "clientId": CLIENT, "credential": SECRET}),
        );
        w.ok(
            "ada",
            "connectors.bind",
            json!({"tool": "claude", "connector": "entra", "groupId": group}),
        );
        let (issue, _) = w.portal_request("rita", World::snapshot("claude", 30));
        w.pump();
        w.ok("arlo", "requests.approve", json!({"requestId": issue}));
        w.sweep();
        assert_eq!(graph.members(&group).unwrap(), vec![rita.clone()]);
        for i in 0..248 {
            let u = graph
                .add_user(
                    "Extra",
                    &format!("x{i:03}@aigis.example"),
                    &format!("x{i:03}@aigis.example"),
                    true,
                )
                .unwrap();
            graph.add_member(&group, &u).unwrap();
        }
        graph.add_member(&group, &nested).unwrap();
        graph.set_account_enabled(&rita, false).unwrap();
        let out = w.ok("ada", "connectors.checkDrift", json!({"tool": "claude"}));
        assert_eq!(out["run"]["complete"], true, "{}", out["run"]);
        assert_eq!(out["run"]["pagesRead"], 3, "100 + 100 + 50");
        let found = open(&out);
        assert_eq!(found.len(), 248 + 2);
        assert!(found.contains(&("nonUser".into(), nested.clone())));
        assert!(found.contains(&("inactive".into(), rita.clone())));
        let nu = out["drift"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["kind"] == "nonUser")
            .unwrap()
            .clone();
        assert_eq!(nu["memberType"], "#microsoft.graph.group");
        // Graph's own links only.
        let links = w
            .egress
            .sent
            .borrow()
            .iter()
            .filter(|r| r.url.contains(&format!("/groups/{group}/members")))
            .filter(|r| r.url.contains("$skiptoken"))
            .count();
        assert_eq!(links, 2);
    }
}

#[test]
fn the_evidence_pack_carries_connectors_and_findings_from_the_log() {
    use aigis_core::pack::{VerifyOptions, read_entries, verify};
    use base64::Engine;
    let o = okta_setup();
    let ada = o
        .okta
        .add_user(NewUser::active("ada@aigis.example", "Ada", "A"))
        .unwrap();
    o.okta.add_member(&o.group, &ada).unwrap();
    check(&o.w);
    o.w.ok(
        "ada",
        "connectors.update",
        json!({"id": "okta", "enforce": true}),
    );
    let out = o.w.ok("ada", "audit.export", json!({}));
    let zip = base64::engine::general_purpose::STANDARD
        .decode(out["contentBase64"].as_str().unwrap())
        .unwrap();
    let r = verify(&zip, &VerifyOptions::default());
    assert!(r.ok, "{:?}", r.failure);
    let files = read_entries(&zip).unwrap();
    let text = |name: &str| {
        String::from_utf8(files.iter().find(|(n, _)| n == name).expect(name).1.clone()).unwrap()
    };
    let connectors = text("connectors.csv");
    let lines: Vec<&str> = connectors.lines().collect();
    assert_eq!(lines.len(), 2, "{connectors}");
    assert!(
        lines[1].starts_with(&format!("okta,Okta,okta-group,{ORG},,true,true,")),
        "{connectors}"
    );
    let findings = text("reconciliation.csv");
    assert!(
        findings.contains(&format!(
            "claude:extra:{ada},claude,okta,{},extra,{ada},",
            o.group
        )),
        "{findings}"
    );
    assert!(findings.contains(",open,"));
    // No secret anywhere in the pack.
    for (_, bytes) in &files {
        assert!(!String::from_utf8_lossy(bytes).contains(SSWS));
    }
}
