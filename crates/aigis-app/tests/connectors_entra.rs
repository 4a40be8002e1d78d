//! Connected mode against the Microsoft Graph + Entra token simulator
//! through `SimEgress`.

mod common;

use aigis_graph_sim::{Fault, FaultKind, GraphSim, NewGroup};
use common::*;
use serde_json::{Value, json};
use std::sync::Arc;

const TENANT: &str = "11111111-2222-4333-8444-555555555555";
const CLIENT: &str = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
const SECRET: &str = "entra~secret~value~0123456789";

struct Setup {
    w: World,
    graph: Arc<GraphSim>,
    group: String,
    rita: String,
}

fn setup() -> Setup {
    let w = World::configured();
    let graph = Arc::new(GraphSim::new(TENANT, "aigis.example", T0));
    graph
        .add_app(
            CLIENT,
            &["GroupMember.ReadWrite.All", "User.Read.All", "Group.Create"],
        )
        .unwrap();
    graph.add_secret(CLIENT, SECRET).unwrap();
    let rita = graph
        .add_user("Rita R", "RITA@aigis.example", "rita@aigis.example", true)
        .unwrap();
    let group = graph.add_group(NewGroup::security("AI Claude")).unwrap();
    *w.egress.graph.borrow_mut() = Some(graph.clone());
    let c = w.ok(
        "ada",
        "connectors.create",
        json!({"id": "entra", "name": "Entra", "type": "entra-group",
        "tenantId": TENANT, "clientId": CLIENT, "credential": SECRET}),
    );
    assert_eq!(c["credentialSet"], true);
    Setup {
        w,
        graph,
        group,
        rita,
    }
}

fn bind(s: &Setup) {
    s.w.ok(
        "ada",
        "connectors.bind",
        json!({"tool": "claude", "connector": "entra", "groupId": s.group}),
    );
}

fn request(w: &World) {
    let (issue, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    w.ok("arlo", "requests.approve", json!({"requestId": issue}));
}

fn jobs(w: &World) -> Vec<Value> {
    let mut j = w.entities("job");
    j.sort_by_key(|j| j["id"].as_str().unwrap()[2..].parse::<u64>().unwrap());
    j
}

fn count(w: &World, method: &str, part: &str) -> usize {
    w.egress
        .sent
        .borrow()
        .iter()
        .filter(|r| r.method == method && r.url.contains(part))
        .count()
}

#[test]
fn provisioning_and_revocation_through_graph() {
    let s = setup();
    bind(&s);
    request(&s.w);
    s.w.sweep();
    assert_eq!(jobs(&s.w)[0]["status"], "succeeded", "{}", jobs(&s.w)[0]);
    assert_eq!(s.graph.members(&s.group).unwrap(), vec![s.rita.clone()]);
    let g = s.w.entities("grant")[0]["id"].as_str().unwrap().to_owned();
    s.w.ok(
        "arlo",
        "grants.revoke",
        json!({"grantId": g, "rationale": "left"}),
    );
    s.w.sweep();
    assert!(s.graph.members(&s.group).unwrap().is_empty());
    // One token for both runs (cached), with the .default scope.
    assert_eq!(count(&s.w, "POST", "/oauth2/v2.0/token"), 1);
    let body = s.w.egress.sent.borrow()[0].body.clone().unwrap();
    assert!(
        body.contains("scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"),
        "{body}"
    );
    // The secret is in no answer, event or log.
    let mut all = s.w.ok("ada", "connectors.list", json!({})).to_string();
    for (_, v) in s.w.storage.entities_of("audit") {
        all.push_str(&v);
    }
    for (_, m) in s.w.runtime.logs.borrow().iter() {
        all.push_str(m);
    }
    assert!(!all.contains(SECRET));
    assert!(s.w.verify().intact);
}

#[test]
fn an_expired_token_is_renewed() {
    let s = setup();
    bind(&s);
    request(&s.w);
    s.w.sweep();
    s.w.set_now(T0 + 2 * 3_600_000);
    let g = s.w.entities("grant")[0]["id"].as_str().unwrap().to_owned();
    s.w.ok(
        "arlo",
        "grants.revoke",
        json!({"grantId": g, "rationale": "left"}),
    );
    s.w.sweep();
    assert_eq!(count(&s.w, "POST", "/oauth2/v2.0/token"), 2);
    assert!(s.graph.members(&s.group).unwrap().is_empty());
}

#[test]
fn graph_429_honours_retry_after() {
    let s = setup();
    bind(&s);
    s.graph.inject(Fault::on(
        Some("POST"),
        "/v1.0/groups",
        1,
        FaultKind::RateLimited { reset_in_secs: 30 },
    ));
    request(&s.w);
    s.w.sweep();
    let j = &jobs(&s.w)[0];
    assert_eq!(j["status"], "retry", "{j}");
    assert_eq!(j["dueAt"], T0 + 30_000);
    s.w.set_now(T0 + 30_000);
    s.w.sweep();
    assert_eq!(jobs(&s.w)[0]["status"], "succeeded");
}

#[test]
fn a_created_group_answering_404_is_retried_briefly() {
    let s = setup();
    s.graph.set_replication_lag(8_000);
    let b = s.w.ok(
        "ada",
        "connectors.bind",
        json!({"tool": "claude", "connector": "entra", "groupName": "AI {tool}"}),
    );
    assert_eq!(b["binding"]["groupName"], "AI claude");
    assert_eq!(b["binding"]["created"], true);
    request(&s.w);
    s.w.sweep();
    let j = &jobs(&s.w)[0];
    assert_eq!(j["status"], "retry", "{j}");
    assert_eq!(j["dueAt"], T0 + 5_000);
    s.w.set_now(T0 + 10_000);
    s.w.sweep();
    assert_eq!(jobs(&s.w)[0]["status"], "succeeded", "{}", jobs(&s.w)[0]);
    let gid = b["binding"]["groupId"].as_str().unwrap();
    assert_eq!(s.graph.members(gid).unwrap(), vec![s.rita.clone()]);
}

#[test]
fn a_disabled_account_is_refused_and_a_deleted_group_is_terminal() {
    let s = setup();
    bind(&s);
    s.graph.set_account_enabled(&s.rita, false).unwrap();
    request(&s.w);
    s.w.sweep();
    let j = &jobs(&s.w)[0];
    assert_eq!(j["status"], "deadLetter");
    assert!(j["note"].as_str().unwrap().contains("deactivated"), "{j}");

    let s = setup();
    bind(&s);
    s.graph.delete_group(&s.group).unwrap();
    request(&s.w);
    s.w.sweep();
    let j = &jobs(&s.w)[0];
    assert_eq!(j["status"], "deadLetter");
    assert!(
        j["note"].as_str().unwrap().contains("no longer exists"),
        "{j}"
    );
    assert_eq!(count(&s.w, "POST", "/v1.0/groups"), 0, "never recreated");
}

#[test]
fn groups_membership_writes_cannot_govern_are_refused_naming_the_field() {
    let s = setup();
    let kinds = [
        (
            "groupTypes",
            NewGroup {
                group_types: vec!["DynamicMembership".into()],
                membership_rule: Some("(user.department -eq \"X\")".into()),
                ..NewGroup::security("Dyn")
            },
        ),
        (
            "onPremisesSyncEnabled",
            NewGroup {
                on_premises_sync_enabled: Some(true),
                ..NewGroup::security("Synced")
            },
        ),
        (
            "isAssignableToRole",
            NewGroup {
                is_assignable_to_role: true,
                ..NewGroup::security("Roles")
            },
        ),
        (
            "mailEnabled",
            NewGroup {
                mail_enabled: true,
                group_types: vec!["Unified".into()],
                ..NewGroup::security("M365")
            },
        ),
    ];
    for (field, g) in kinds {
        let id = s.graph.add_group(g).unwrap();
        let e = s.w.err(
            "ada",
            "connectors.bind",
            json!({"tool": "claude", "connector": "entra", "groupId": id}),
        );
        assert_eq!(e.field.as_deref(), Some("groupId"));
        assert!(e.message.contains(field), "{field}: {}", e.message);
    }
    bind(&s);
}

#[test]
fn test_explains_bad_secret_unknown_tenant_and_missing_consent() {
    let s = setup();
    let ok = s.w.ok("ada", "connectors.test", json!({"id": "entra"}));
    assert_eq!(ok["ok"], true, "{ok}");
    s.w.ok(
        "ada",
        "connectors.update",
        json!({"id": "entra", "credential": "wrong-secret"}),
    );
    let bad = s.w.ok("ada", "connectors.test", json!({"id": "entra"}));
    assert!(
        bad["message"].as_str().unwrap().contains("client secret"),
        "{bad}"
    );
    s.w.ok("ada", "connectors.update", json!({"id": "entra", "credential": SECRET, "tenantId": "99999999-2222-4333-8444-555555555555"}));
    let t = s.w.ok("ada", "connectors.test", json!({"id": "entra"}));
    assert!(t["message"].as_str().unwrap().contains("tenant"), "{t}");
    s.w.ok(
        "ada",
        "connectors.update",
        json!({"id": "entra", "tenantId": TENANT, "credential": SECRET}),
    );
    s.graph.set_roles(CLIENT, &[]).unwrap();
    let c = s.w.ok("ada", "connectors.test", json!({"id": "entra"}));
    assert_eq!(c["ok"], false);
    assert!(c["message"].as_str().unwrap().contains("consent"), "{c}");
}

#[test]
fn members_over_three_pages_and_one_change_per_due_job() {
    let s = setup();
    for i in 0..250 {
        let id = s
            .graph
            .add_user(
                &format!("U {i}"),
                &format!("u{i}@aigis.example"),
                &format!("u{i}@aigis.example"),
                true,
            )
            .unwrap();
        s.graph.add_member(&s.group, &id).unwrap();
    }
    let rec =
        s.w.with_platform(|p| aigis_app::connectors::load(&p, "entra").unwrap().unwrap());
    let n = s.w.with_platform(|p| {
        let d = aigis_app::connectors::entra::Entra::new(&p, &rec);
        aigis_app::connectors::provider::all_members(&d, &s.group)
            .unwrap()
            .len()
    });
    assert_eq!(n, 250);
    assert_eq!(count(&s.w, "GET", "/members"), 3);
    // Two runs at the same moment: the job is claimed once, applied once.
    bind(&s);
    request(&s.w);
    s.w.sweep();
    s.w.sweep();
    assert_eq!(count(&s.w, "POST", "/members/$ref"), 1);
}
