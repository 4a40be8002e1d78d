//! The access matrix: every resolver against admin, approver, requester and
//! a stranger (a signed-in user in no group), plus a context without a user.

mod common;

use common::*;
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
enum Role {
    Stranger,
    Requester,
    Approver,
    Admin,
}

/// The least role that may call each resolver. A resolver missing here fails
/// `every_resolver_has_a_row`. Refusals are `forbidden`, except where listed
/// in `REFUSAL` (a request that is not yours is "not found": its existence
/// is not disclosed).
const MIN_ROLE: &[(&str, Role)] = &[
    ("whoami", Role::Stranger),
    ("config.getIntake", Role::Admin),
    ("config.setIntake", Role::Admin),
    ("catalog.add", Role::Admin),
    ("catalog.list", Role::Stranger),
    ("catalog.update", Role::Admin),
    ("catalog.retire", Role::Admin),
    ("catalog.history", Role::Admin),
    ("catalog.builtins", Role::Admin),
    ("catalog.seed", Role::Admin),
    ("governance.get", Role::Admin),
    ("governance.list", Role::Admin),
    ("governance.set", Role::Admin),
    ("policies.list", Role::Admin),
    ("policies.save", Role::Admin),
    ("policies.delete", Role::Admin),
    ("readiness", Role::Admin),
    ("connectors.list", Role::Admin),
    ("connectors.get", Role::Admin),
    ("connectors.create", Role::Admin),
    ("connectors.update", Role::Admin),
    ("connectors.test", Role::Admin),
    ("connectors.enable", Role::Admin),
    ("connectors.disable", Role::Admin),
    ("connectors.delete", Role::Admin),
    ("connectors.bind", Role::Admin),
    ("connectors.unbind", Role::Admin),
    ("connectors.drift", Role::Admin),
    ("connectors.checkDrift", Role::Admin),
    ("identities.list", Role::Admin),
    ("identities.set", Role::Admin),
    ("identities.remove", Role::Admin),
    ("requests.get", Role::Approver),
    ("requests.mine", Role::Stranger),
    ("requests.pending", Role::Approver),
    ("requests.approve", Role::Approver),
    ("requests.deny", Role::Approver),
    ("requests.decide", Role::Approver),
    ("audit.verify", Role::Admin),
    ("audit.search", Role::Admin),
    ("audit.export", Role::Admin),
    ("audit.prove", Role::Admin),
    ("audit.keys", Role::Admin),
    ("audit.rotateKey", Role::Admin),
    ("grants.mine", Role::Stranger),
    ("grants.extend", Role::Approver),
    ("grants.revoke", Role::Approver),
    ("jobs.manual", Role::Approver),
    ("jobs.complete", Role::Approver),
    ("requests.list", Role::Admin),
    ("grants.list", Role::Admin),
    ("jobs.list", Role::Admin),
    ("insights", Role::Admin),
    ("reviews.pending", Role::Approver),
    ("reviews.answer", Role::Approver),
    ("portal.form", Role::Stranger),
    ("requests.byIssue", Role::Approver),
    ("directory.users", Role::Stranger),
    ("directory.searchUsers", Role::Admin),
    ("directory.groups", Role::Admin),
    ("directory.roles", Role::Admin),
    ("directory.projects", Role::Admin),
    ("directory.portals", Role::Admin),
    ("directory.requestTypes", Role::Admin),
    ("overview.forecast", Role::Admin),
];

const REFUSAL: &[(&str, &str)] = &[
    ("requests.get", "not-found"),
    ("requests.byIssue", "not-found"),
];

fn refusal(key: &str) -> &'static str {
    REFUSAL
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("forbidden", |(_, c)| c)
}

/// A world with Sam's pending request, Bea's active grant and a queued job.
struct Fixture {
    w: World,
    stranger: String,
    request: String,
    request_key: String,
    grant: String,
    job: String,
}

fn fixture() -> Fixture {
    let w = World::configured();
    let stranger = w.stranger();
    let (grant, _) = w.active_grant("bea", 20);
    let (request, request_key) = w.portal_request("sam", World::snapshot("claude", 10));
    w.pump();
    // A second grant with its provisioning job still open.
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
        stranger,
        request,
        request_key,
        grant,
        job,
    }
}

/// A minimal, valid payload for each resolver.
fn payload(key: &str, f: &Fixture) -> Value {
    match key {
        "config.setIntake" => {
            json!({"projectKey": f.w.site.project_key, "approverGroups": ["aigis-approvers"]})
        }
        "catalog.add" => {
            json!({"id": "gemini", "name": "Gemini", "provider": "Google", "status": "approved", "risk": "medium"})
        }
        "catalog.update" => json!({"id": "claude", "guidance": "Drafting only"}),
        "catalog.retire" => json!({"id": "claude", "status": "blocked", "reason": "Ended"}),
        "catalog.history" => json!({"id": "claude"}),
        "governance.set" => json!({"note": "tighter"}),
        "policies.save" => {
            json!({"id": "p1", "projectKey": f.w.site.project_key, "toolId": "claude", "name": "Claude pilot", "autoApprove": true, "allowedGroups": ["ai-users"], "maxDurationDays": 10})
        }
        "policies.delete" => json!({"id": "p1"}),
        "requests.get" | "requests.approve" => json!({"requestId": f.request}),
        "requests.deny" => json!({"requestId": f.request, "rationale": "Not now"}),
        "requests.decide" => {
            json!({"requestIds": [f.request], "decision": "deny", "rationale": "Not now"})
        }
        "grants.extend" => json!({"grantId": f.grant, "days": 5, "rationale": "Longer"}),
        "grants.revoke" => json!({"grantId": f.grant, "rationale": "Done"}),
        "jobs.complete" => json!({"jobId": f.job, "outcome": "fulfilled"}),
        "audit.prove" => json!({"seq": 1}),
        "audit.search" => json!({"type": "grant.created", "limit": 5}),
        "reviews.answer" => {
            json!({"grantId": f.grant, "answer": "keep", "rationale": "Still needed"})
        }
        "requests.byIssue" => json!({"issueKey": f.request_key}),
        "directory.users" => json!({"accountIds": [f.stranger]}),
        "directory.searchUsers" => json!({"query": "approver"}),
        "directory.groups" => json!({"query": "aigis"}),
        "directory.roles" => json!({"projectKey": f.w.site.project_key}),
        "directory.requestTypes" => json!({"portalId": f.w.site.service_desk_id}),
        _ => json!({}),
    }
}

#[test]
fn every_resolver_has_a_row() {
    for key in aigis_app::resolver_keys() {
        assert!(
            MIN_ROLE.iter().any(|(k, _)| *k == key),
            "resolver {key} has no row in the access matrix"
        );
    }
    for (key, _) in MIN_ROLE {
        assert!(
            aigis_app::resolver_keys().contains(key),
            "{key} is not routed"
        );
    }
}

#[test]
fn every_resolver_checks_the_callers_rights() {
    let mut failures = Vec::new();
    for (key, min) in MIN_ROLE {
        for role in [Role::Stranger, Role::Requester, Role::Approver, Role::Admin] {
            // A fresh world per call, so one role's change cannot hide another's check.
            let f = fixture();
            let account = match role {
                Role::Stranger => f.stranger.clone(),
                Role::Requester => f.w.account("rita"),
                Role::Approver => f.w.account("arlo"),
                Role::Admin => f.w.account("ada"),
            };
            let head = f.w.entities("audit").len();
            let out =
                f.w.invoke_ctx(Some(&account), key, &payload(key, &f).to_string());
            let forbidden = matches!(&out, Err(e) if e.code == refusal(key));
            let allowed = role >= *min;
            if allowed == forbidden {
                failures.push(format!("{key} as {role:?}: {out:?}"));
            }
            if forbidden && f.w.entities("audit").len() != head {
                failures.push(format!("{key} as {role:?}: refused but wrote audit events"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_requester_reads_their_own_request() {
    let f = fixture();
    let out =
        f.w.ok("sam", "requests.get", json!({"requestId": f.request}));
    assert_eq!(out["request"]["id"], f.request.as_str());
}

#[test]
fn a_context_without_an_account_is_unauthenticated() {
    let w = World::configured();
    for key in aigis_app::resolver_keys() {
        let err = w.invoke_ctx(None, key, "{}").expect_err(key);
        assert_eq!(err.code, "unauthenticated", "{key}");
    }
    assert_eq!(
        w.raw("whoami", "{}", r#"{"accountId": ""}"#),
        "unauthenticated"
    );
    assert_eq!(
        w.raw("whoami", "{}", r#"{"accountId": 42}"#),
        "unauthenticated"
    );
    assert_eq!(w.raw("whoami", "{}", ""), "unauthenticated");
}

/// Calls a resolver with a raw context; returns the error code.
trait RawInvoke {
    fn raw(&self, key: &str, payload: &str, ctx: &str) -> &'static str;
}

impl RawInvoke for World {
    fn raw(&self, key: &str, payload: &str, ctx: &str) -> &'static str {
        self.with_platform(|p| aigis_app::invoke(p, key, payload, ctx))
            .expect_err("expected an error")
            .code
            .as_str()
    }
}
