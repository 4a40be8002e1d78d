//! Approvers configured by Jira project role: user actors, members of group
//! actors and their delegates may approve; nobody else; the configuration is
//! validated strictly and the roles are read sparingly.

mod common;

use aigis_jira_sim::{NewUser, RoleMember};
use common::*;
use serde_json::{Value, json};

/// A signed-in user in no group (neither admin nor approver).
fn user(w: &World, name: &str) -> String {
    w.sim
        .create_user(NewUser {
            account_id: None,
            email: format!("{name}@example.com"),
            display_name: format!("{name} Example"),
            time_zone: "UTC".into(),
            api_token: format!("{name}-token"),
            site_admin: false,
            kind: Default::default(),
        })
        .expect("user")
        .account_id
}

/// A world whose intake names only the demo role "Service Desk Team" of AIR
/// (no approver group), with Claude in the catalog.
fn world() -> World {
    let w = World::new();
    w.ok(
        "ada",
        "config.setIntake",
        json!({"projectKey": "AIR",
               "approverRoles": [{"projectKey": "AIR", "roleId": w.site.approver_role_id}]}),
    );
    w.ok("ada", "catalog.add", json!({"id": "claude", "name": "Claude", "provider": "Anthropic", "status": "approved", "risk": "high"}));
    w
}

fn pending(w: &World, who: &str) -> String {
    let (id, _) = w.portal_request(who, World::snapshot("claude", 10));
    w.pump();
    id
}

fn approve(w: &World, account: &str, request: &str) -> Result<Value, aigis_app::AppError> {
    w.invoke_ctx(
        Some(account),
        "requests.approve",
        &json!({"requestId": request}).to_string(),
    )
}

fn is_approver(w: &World, account: &str) -> bool {
    w.invoke_ctx(Some(account), "whoami", "{}").expect("whoami")["isApprover"]
        .as_bool()
        .expect("isApprover")
}

fn role_reads(w: &World) -> usize {
    w.jira_calls
        .borrow()
        .iter()
        .filter(|(_, path, _)| path.contains("/role/"))
        .count()
}

#[test]
fn a_user_actor_of_the_role_can_approve() {
    let w = world();
    let role = w.site.approver_role_id.clone();
    let uma = user(&w, "uma");
    let request = pending(&w, "rita");
    assert!(!is_approver(&w, &uma));
    assert_eq!(approve(&w, &uma, &request).unwrap_err().code, "forbidden");
    w.sim
        .add_role_actor("AIR", &role, &RoleMember::User(uma.clone()))
        .expect("actor");
    assert!(is_approver(&w, &uma));
    let out = approve(&w, &uma, &request).expect("approves");
    assert_eq!(out["request"]["decision"], "approved");
    // Bea is a user actor of the demo role too.
    let other = pending(&w, "sam");
    let out = w.ok("bea", "requests.approve", json!({"requestId": other}));
    assert_eq!(out["request"]["decision"], "approved");
    assert!(w.verify().intact);
}

#[test]
fn a_member_of_a_group_actor_of_the_role_can_approve() {
    let w = world();
    let role = w.site.approver_role_id.clone();
    let gus = user(&w, "gus");
    w.sim.create_group("desk-agents").expect("group");
    w.sim
        .add_role_actor("AIR", &role, &RoleMember::Group("desk-agents".into()))
        .expect("group actor");
    let request = pending(&w, "rita");
    assert_eq!(approve(&w, &gus, &request).unwrap_err().code, "forbidden");
    w.sim.add_to_group("desk-agents", &gus).expect("member");
    assert!(is_approver(&w, &gus));
    let out = approve(&w, &gus, &request).expect("approves");
    assert_eq!(out["request"]["decision"], "approved");
    // Arlo, in the role's group aigis-approvers, approves without any approver group configured.
    let other = pending(&w, "sam");
    w.ok("arlo", "requests.approve", json!({"requestId": other}));
}

#[test]
fn nobody_else_approves_by_role() {
    let w = world();
    let role = w.site.approver_role_id.clone();
    let nora = user(&w, "nora");
    // An actor of the same role in another project does not count.
    w.sim
        .add_role_actor("OPS", &role, &RoleMember::User(nora.clone()))
        .expect("actor in OPS");
    let request = pending(&w, "rita");
    assert!(!is_approver(&w, &nora));
    let head = w.entities("audit").len();
    for (key, payload) in [
        ("requests.approve", json!({"requestId": request})),
        ("requests.pending", json!({})),
        ("jobs.manual", json!({})),
    ] {
        let e = w
            .invoke_ctx(Some(&nora), key, &payload.to_string())
            .unwrap_err();
        assert_eq!(e.code, "forbidden", "{key}: {e:?}");
    }
    assert_eq!(w.entities("audit").len(), head);
    // Requesters are not actors either; and nobody approves their own request.
    assert_eq!(
        w.err("sam", "requests.approve", json!({"requestId": request}))
            .code,
        "forbidden"
    );
    let bea_own = pending(&w, "bea");
    assert!(
        w.invoke("bea", "requests.approve", json!({"requestId": bea_own}))
            .is_err()
    );
    // A role Jira does not know admits nobody (and is no error).
    w.ok(
        "ada",
        "config.setIntake",
        json!({"approverRoles": [{"projectKey": "AIR", "roleId": "99999"}]}),
    );
    assert!(!is_approver(&w, &nora));
    assert!(!is_approver(&w, &w.account("bea")));
}

#[test]
fn removing_the_role_from_intake_removes_the_right() {
    let w = world();
    let role = w.site.approver_role_id.clone();
    let uma = user(&w, "uma");
    w.sim
        .add_role_actor("AIR", &role, &RoleMember::User(uma.clone()))
        .expect("actor");
    let first = pending(&w, "rita");
    approve(&w, &uma, &first).expect("approves while configured");
    // `null` clears the field; the rest of intake is kept (merge semantics).
    let out = w.ok("ada", "config.setIntake", json!({"approverRoles": null}));
    assert_eq!(out["intake"]["approverRoles"], json!([]));
    assert_eq!(out["intake"]["projectKey"], "AIR");
    let second = pending(&w, "sam");
    assert!(!is_approver(&w, &uma));
    assert_eq!(approve(&w, &uma, &second).unwrap_err().code, "forbidden");
    // Configured again, then replaced by an empty list: same.
    w.ok(
        "ada",
        "config.setIntake",
        json!({"approverRoles": [{"projectKey": "AIR", "roleId": role}]}),
    );
    assert!(is_approver(&w, &uma));
    w.ok("ada", "config.setIntake", json!({"approverRoles": []}));
    assert!(!is_approver(&w, &uma));
    // Each change is an audited intake update.
    let updates = w
        .entities("audit")
        .into_iter()
        .filter(|e| e.to_string().contains("config.intake.updated"))
        .count();
    assert_eq!(updates, 4);
}

#[test]
fn a_delegate_of_a_role_member_approves_while_the_delegation_is_active() {
    let w = world();
    let role = w.site.approver_role_id.clone();
    let uma = user(&w, "uma");
    let dan = user(&w, "dan");
    w.sim
        .add_role_actor("AIR", &role, &RoleMember::User(uma.clone()))
        .expect("actor");
    // Uma delegates to Dan for a day; Nora (in no role) delegates to Sam.
    let nora = user(&w, "nora");
    w.ok(
        "ada",
        "config.setIntake",
        json!({"delegations": [
            {"delegator": uma, "delegate": dan, "until": "2026-11-24T12:00:00Z"},
            {"delegator": nora, "delegate": w.account("sam"), "until": "2026-11-24T12:00:00Z"},
        ]}),
    );
    let request = pending(&w, "rita");
    assert!(!is_approver(&w, &w.account("sam")));
    let out = approve(&w, &dan, &request).expect("the delegate approves");
    assert_eq!(out["request"]["decision"], "approved");
    // A delegate of a member of a group actor counts too (Arlo is in aigis-approvers).
    w.ok(
        "ada",
        "config.setIntake",
        json!({"delegations": [
            {"delegator": uma, "delegate": dan, "until": "2026-11-24T12:00:00Z"},
            {"delegator": w.account("arlo"), "delegate": nora, "until": "2026-11-24T12:00:00Z"},
        ]}),
    );
    assert!(is_approver(&w, &nora));
    // Once the delegation has ended, no more.
    w.set_now(T0 + 2 * DAY);
    let later = pending(&w, "sam");
    assert!(!is_approver(&w, &dan));
    assert!(!is_approver(&w, &nora));
    assert_eq!(approve(&w, &dan, &later).unwrap_err().code, "forbidden");
    approve(&w, &uma, &later).expect("the role member still approves");
}

#[test]
fn bad_approver_roles_name_the_field_and_write_nothing() {
    let w = world();
    let role = w.site.approver_role_id.clone();
    let before = w.ok("ada", "config.getIntake", json!({}));
    let head = w.entities("audit").len();
    let eleven: Vec<Value> = (0..11)
        .map(|i| json!({"projectKey": "AIR", "roleId": format!("{}", 10002 + i)}))
        .collect();
    let cases: Vec<(Value, &str)> = vec![
        (json!("AIR/10002"), "approverRoles"),
        (json!(["10002"]), "approverRoles[0]"),
        (json!([{"projectKey": "AIR"}]), "approverRoles[0].roleId"),
        (json!([{"roleId": role}]), "approverRoles[0].projectKey"),
        (
            json!([{"projectKey": "air", "roleId": role}]),
            "approverRoles[0].projectKey",
        ),
        (
            json!([{"projectKey": "AIR", "roleId": "Service Desk Team"}]),
            "approverRoles[0].roleId",
        ),
        (
            json!([{"projectKey": "AIR", "roleId": ""}]),
            "approverRoles[0].roleId",
        ),
        (
            json!([{"projectKey": "AIR", "roleId": 10002}]),
            "approverRoles[0].roleId",
        ),
        (
            json!([{"projectKey": "AIR", "roleId": role, "name": "Team"}]),
            "approverRoles[0].name",
        ),
        (
            json!([{"projectKey": "AIR", "roleId": role}, {"projectKey": "AIR", "roleId": role}]),
            "approverRoles[1]",
        ),
        (Value::Array(eleven), "approverRoles"),
    ];
    for (bad, field) in cases {
        let e = w.err("ada", "config.setIntake", json!({"approverRoles": bad}));
        assert_eq!(e.code, "invalid", "{bad}: {e:?}");
        assert_eq!(e.field.as_deref(), Some(field), "{bad}: {e:?}");
        assert!(e.message.starts_with(field), "{bad}: {e:?}");
    }
    assert_eq!(w.ok("ada", "config.getIntake", json!({})), before);
    assert_eq!(w.entities("audit").len(), head);
    // Ten distinct roles are fine.
    let ten: Vec<Value> = (0..10)
        .map(|i| json!({"projectKey": "AIR", "roleId": format!("{}", 10002 + i)}))
        .collect();
    let out = w.ok("ada", "config.setIntake", json!({"approverRoles": ten}));
    assert_eq!(
        out["intake"]["approverRoles"].as_array().map(Vec::len),
        Some(10)
    );
}

#[test]
fn roles_are_read_once_per_invocation_and_only_when_groups_do_not_match() {
    let w = World::configured();
    let role = w.site.approver_role_id.clone();
    let nora = user(&w, "nora");
    w.ok(
        "ada",
        "config.setIntake",
        json!({"approverRoles": [{"projectKey": "AIR", "roleId": role},
                                 {"projectKey": "OPS", "roleId": role}],
               "delegations": [{"delegator": w.account("sam"), "delegate": nora, "until": "2026-12-24T12:00:00Z"},
                               {"delegator": w.account("rita"), "delegate": nora, "until": "2026-12-24T12:00:00Z"}]}),
    );
    // Arlo is in an approver group: no role is read.
    let before = role_reads(&w);
    w.ok("arlo", "requests.pending", json!({}));
    assert_eq!(role_reads(&w), before);
    // Nora matches nothing: each role read once, for her and both delegators.
    let before = role_reads(&w);
    assert!(!is_approver(&w, &nora));
    assert_eq!(role_reads(&w) - before, 2);
    // A bulk decision by a role member: still at most one read per role.
    let uma = user(&w, "uma");
    w.sim
        .add_role_actor("OPS", &role, &RoleMember::User(uma.clone()))
        .expect("actor");
    let ids: Vec<String> = ["rita", "sam", "bea"]
        .iter()
        .map(|who| pending(&w, who))
        .collect();
    let before = role_reads(&w);
    let out = w
        .invoke_ctx(
            Some(&uma),
            "requests.decide",
            &json!({"requestIds": ids, "decision": "approve", "rationale": "Pilot"}).to_string(),
        )
        .expect("decide");
    assert_eq!(out["succeeded"], 3, "{out}");
    assert!(role_reads(&w) - before <= 2, "{}", role_reads(&w) - before);
}

#[test]
fn readiness_counts_role_approvers() {
    let w = world();
    let approvers = |w: &World| -> Value {
        w.ok("ada", "readiness", json!({}))["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == "approvers")
            .cloned()
            .unwrap()
    };
    let c = approvers(&w);
    assert_eq!(c["status"], "ok", "{c}");
    let msg = c["message"].as_str().unwrap();
    assert!(msg.contains("approver roles: AIR/10002"), "{msg}");
    assert!(msg.contains("1 user(s), 1 group(s)"), "{msg}");
    // A role Jira does not know is a warning naming it.
    w.ok(
        "ada",
        "config.setIntake",
        json!({"approverGroups": ["aigis-approvers"],
               "approverRoles": [{"projectKey": "AIR", "roleId": "99999"}]}),
    );
    let c = approvers(&w);
    assert_eq!(c["status"], "warning", "{c}");
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .contains("AIR/99999 is not found"),
        "{c}"
    );
    // Neither groups nor roles: only admins approve.
    w.ok(
        "ada",
        "config.setIntake",
        json!({"approverGroups": null, "approverRoles": null}),
    );
    let c = approvers(&w);
    assert_eq!(c["status"], "warning", "{c}");
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .contains("only Jira administrators")
    );
}
