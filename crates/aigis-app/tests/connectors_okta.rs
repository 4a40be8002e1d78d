//! Connected mode against the Okta simulator through `SimEgress`.

mod common;

use aigis_okta_sim::model::{GroupType, UserStatus};
use aigis_okta_sim::{Fault, FaultKind, NewUser, OktaSim};
use aigis_platform::{Runtime, Secrets, Storage};
use common::*;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Value, json};
use std::sync::Arc;

const ORG: &str = "https://aigis-test.okta.com";
const CLIENT: &str = "0oaaigisclient0001";
const SSWS: &str = "00ssws-test-token-abcdefghij";

fn pem() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../aigis-okta-sim/tests/keys/client-rsa.pem"
    );
    std::fs::read_to_string(path).expect("test key")
}

fn public_jwk() -> Value {
    let key = EncodingKey::from_rsa_pem(pem().as_bytes()).unwrap();
    let mut v =
        serde_json::to_value(Jwk::from_encoding_key(&key, Algorithm::RS256).unwrap()).unwrap();
    v["kid"] = json!("k1");
    v
}

struct Setup {
    w: World,
    okta: Arc<OktaSim>,
    group: String,
    rita: String,
}

/// A configured site, an Okta org knowing rita (and ada), a connector
/// (`private_key_jwt` + DPoP, or SSWS) and claude bound to an OKTA_GROUP.
fn setup(ssws: bool) -> Setup {
    setup_with(ssws, "Rita@aigis.example")
}

fn setup_with(ssws: bool, rita_email: &str) -> Setup {
    let w = World::configured();
    let okta = Arc::new(OktaSim::new(ORG, T0));
    let rita = okta
        .add_user(NewUser::active(rita_email, "Rita", "R"))
        .unwrap();
    okta.add_user(NewUser::active("ada@aigis.example", "Ada", "A"))
        .unwrap();
    okta.register_client(
        CLIENT,
        vec![public_jwk()],
        &["okta.groups.manage", "okta.users.read"],
        true,
    )
    .unwrap();
    okta.add_api_token(SSWS, "aigis").unwrap();
    let group = okta.add_group("AI Claude", GroupType::OktaGroup).unwrap();
    *w.egress.okta.borrow_mut() = Some(okta.clone());
    let input = if ssws {
        json!({"id": "okta", "name": "Okta", "type": "okta-group", "orgUrl": ORG, "auth": "ssws", "credential": SSWS})
    } else {
        json!({"id": "okta", "name": "Okta", "type": "okta-group", "orgUrl": ORG, "auth": "private_key_jwt",
            "clientId": CLIENT, "keyId": "k1", "credential": pem()})
    };
    let c = w.ok("ada", "connectors.create", input);
    assert_eq!(c["credentialSet"], true);
    assert!(c["connector"].get("credential").is_none());
    w.ok(
        "ada",
        "connectors.bind",
        json!({"tool": "claude", "connector": "okta", "groupId": group}),
    );
    Setup {
        w,
        okta,
        group,
        rita,
    }
}

fn request(w: &World) -> String {
    let (issue, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    w.ok("arlo", "requests.approve", json!({"requestId": issue}));
    issue
}

fn jobs(w: &World) -> Vec<Value> {
    let mut j = w.entities("job");
    j.sort_by_key(|j| j["id"].as_str().unwrap()[2..].parse::<u64>().unwrap());
    j
}

fn token_posts(w: &World) -> usize {
    w.egress
        .sent
        .borrow()
        .iter()
        .filter(|r| r.url.ends_with("/oauth2/v1/token"))
        .count()
}

#[test]
fn a_grant_becomes_membership_and_expiry_removes_it() {
    let s = setup(false);
    request(&s.w);
    assert_eq!(
        jobs(&s.w)[0]["mode"],
        json!({"type": "connector", "connector": "okta"})
    );
    s.w.sweep();
    let j = &jobs(&s.w)[0];
    assert_eq!(j["status"], "succeeded", "{j}");
    assert_eq!(s.okta.members(&s.group).unwrap(), vec![s.rita.clone()]);
    assert_eq!(s.w.entities("grant")[0]["status"], "active");
    // The DPoP nonce dance: a first token request without a nonce, then one with it.
    assert_eq!(token_posts(&s.w), 2);
    let proofs: Vec<_> =
        s.w.egress
            .sent
            .borrow()
            .iter()
            .filter(|r| r.url.contains("/api/v1/"))
            .map(|r| {
                r.headers
                    .iter()
                    .any(|(k, v)| k == "Authorization" && v.starts_with("DPoP "))
            })
            .collect();
    assert!(!proofs.is_empty() && proofs.iter().all(|d| *d));
    // Expiry: the deprovision job goes through the connector too.
    s.w.set_now(T0 + 11 * DAY);
    s.w.sweep();
    s.w.sweep();
    let all = jobs(&s.w);
    let dep = all
        .iter()
        .find(|j| j["kind"] == "deprovision")
        .expect("deprovision job");
    assert_eq!(dep["mode"]["type"], "connector");
    assert_eq!(dep["status"], "succeeded", "{dep}");
    assert!(s.okta.members(&s.group).unwrap().is_empty());
    // The token was cached until shortly before its expiry, then renewed.
    assert!(token_posts(&s.w) <= 4);
    assert!(s.w.verify().intact);
}

#[test]
fn a_cached_token_is_reused_and_a_401_refreshes_once() {
    let s = setup(false);
    request(&s.w);
    s.w.sweep();
    assert_eq!(token_posts(&s.w), 2);
    // Revocation of the issued tokens: the next call gets 401, refreshes, retries.
    s.okta.inject(Fault::on(
        Some("DELETE"),
        "/api/v1/groups",
        1,
        FaultKind::Status { status: 401 },
    ));
    let g = s.w.entities("grant")[0]["id"].as_str().unwrap().to_owned();
    s.w.ok(
        "arlo",
        "grants.revoke",
        json!({"grantId": g, "rationale": "left the team"}),
    );
    s.w.sweep();
    let dep = jobs(&s.w)
        .into_iter()
        .find(|j| j["kind"] == "deprovision")
        .unwrap();
    assert_eq!(dep["status"], "succeeded", "{dep}");
    assert_eq!(token_posts(&s.w), 4, "one refresh (with its nonce retry)");
    assert!(s.okta.members(&s.group).unwrap().is_empty());
}

#[test]
fn ssws_tokens_work_and_are_never_shown() {
    let s = setup(true);
    request(&s.w);
    s.w.sweep();
    assert_eq!(jobs(&s.w)[0]["status"], "succeeded");
    assert_eq!(s.okta.members(&s.group).unwrap(), vec![s.rita.clone()]);
    assert_eq!(token_posts(&s.w), 0);
    let listed = s.w.ok("ada", "connectors.list", json!({}));
    let got = s.w.ok("ada", "connectors.get", json!({"id": "okta"}));
    let mut everything = format!("{listed}{got}");
    for (_, v) in s.w.storage.entities_of("audit") {
        everything.push_str(&v);
    }
    for (_, m) in s.w.runtime.logs.borrow().iter() {
        everything.push_str(m);
    }
    let exported = s.w.ok("ada", "audit.export", json!({}));
    everything.push_str(&exported.to_string());
    assert!(!everything.contains(SSWS), "the API token leaked");
    assert!(!everything.contains("PRIVATE KEY"));
}

#[test]
fn the_private_key_is_absent_from_answers_audit_and_logs() {
    let s = setup(false);
    request(&s.w);
    s.w.sweep();
    let key_line = pem().lines().nth(1).unwrap().to_owned();
    let mut everything = s.w.ok("ada", "connectors.list", json!({})).to_string();
    for (_, v) in
        s.w.storage
            .entities_of("audit")
            .into_iter()
            .chain(s.w.storage.entities_of("job"))
    {
        everything.push_str(&v);
    }
    for (_, m) in s.w.runtime.logs.borrow().iter() {
        everything.push_str(m);
    }
    assert!(!everything.contains(&key_line));
    assert!(!everything.contains("access_token"));
}

#[test]
fn rate_limits_wait_until_the_reset_measured_against_date() {
    let s = setup(true);
    s.okta.inject(Fault::on(
        Some("PUT"),
        "/api/v1/groups",
        1,
        FaultKind::RateLimited { reset_in_secs: 42 },
    ));
    request(&s.w);
    s.w.sweep();
    let j = &jobs(&s.w)[0];
    assert_eq!(j["status"], "retry", "{j}");
    assert_eq!(j["dueAt"], T0 + 42_000);
    s.w.set_now(T0 + 42_000);
    s.w.sweep();
    assert_eq!(jobs(&s.w)[0]["status"], "succeeded");
    // Job events carry Okta's request ids.
    let events: Vec<Value> = s.w.entities("audit");
    assert!(
        events
            .iter()
            .any(|e| e["action"] == "job.retry" && e["data"]["providerRequestIds"].is_array())
    );
}

#[test]
fn server_errors_retry_and_a_timed_out_add_is_rechecked_not_repeated() {
    let s = setup(true);
    s.okta.inject(Fault::on(
        Some("PUT"),
        "/api/v1/groups",
        1,
        FaultKind::Status { status: 503 },
    ));
    request(&s.w);
    s.w.sweep();
    let j = &jobs(&s.w)[0];
    assert_eq!(j["status"], "retry");
    assert_eq!(j["dueAt"], T0 + aigis_core::rules::backoff(1));
    // The next attempt's PUT is applied but answers too late.
    s.okta.inject(Fault::on(
        Some("PUT"),
        "/api/v1/groups",
        1,
        FaultKind::Delay { millis: 60_000 },
    ));
    s.w.set_now(j["dueAt"].as_i64().unwrap());
    s.w.sweep();
    assert_eq!(jobs(&s.w)[0]["status"], "succeeded");
    let puts =
        s.w.egress
            .sent
            .borrow()
            .iter()
            .filter(|r| r.method == "PUT")
            .count();
    // The 503 one, then the one that timed out: re-checked (a member), not repeated.
    assert_eq!(puts, 2);
    assert_eq!(s.okta.members(&s.group).unwrap(), vec![s.rita.clone()]);
}

#[test]
fn already_a_member_and_not_a_member_are_success() {
    let s = setup(true);
    s.okta.add_member(&s.group, &s.rita).unwrap();
    request(&s.w);
    s.w.sweep();
    assert_eq!(jobs(&s.w)[0]["status"], "succeeded");
    s.okta.remove_member(&s.group, &s.rita).unwrap();
    let g = s.w.entities("grant")[0]["id"].as_str().unwrap().to_owned();
    s.w.ok(
        "arlo",
        "grants.revoke",
        json!({"grantId": g, "rationale": "done"}),
    );
    s.w.sweep();
    let dep = jobs(&s.w)
        .into_iter()
        .find(|j| j["kind"] == "deprovision")
        .unwrap();
    assert_eq!(dep["status"], "succeeded", "{dep}");
}

#[test]
fn unresolved_and_ambiguous_identities_are_terminal() {
    // Unknown: rita's e-mail matches nobody at the provider.
    let s2 = setup_with(true, "someone.else@aigis.example");
    request(&s2.w);
    s2.w.sweep();
    let j = &jobs(&s2.w)[0];
    assert_eq!(j["status"], "deadLetter");
    assert!(
        j["note"]
            .as_str()
            .unwrap()
            .starts_with("identity unresolved"),
        "{j}"
    );
    // Ambiguous: two users with rita's address (another login).
    let s3 = setup(true);
    let mut twin = NewUser::active("rita@AIGIS.example", "Rita", "Two");
    twin.login = "rita.two@aigis.example".into();
    s3.okta.add_user(twin).unwrap();
    request(&s3.w);
    s3.w.sweep();
    let j = &jobs(&s3.w)[0];
    assert_eq!(j["status"], "deadLetter");
    assert!(j["note"].as_str().unwrap().contains("ambiguous"), "{j}");
    // A mapping resolves it.
    s3.w.ok(
        "ada",
        "identities.set",
        json!({"connector": "okta", "account": s3.w.account("rita"), "externalId": s3.rita}),
    );
    let listed =
        s3.w.ok("ada", "identities.list", json!({"connector": "okta"}));
    assert_eq!(listed["identities"][0]["externalId"], json!(s3.rita));
}

#[test]
fn a_deactivated_user_is_refused_provisioning() {
    let s = setup(true);
    s.okta
        .set_user_status(&s.rita, UserStatus::Suspended)
        .unwrap();
    request(&s.w);
    s.w.sweep();
    let j = &jobs(&s.w)[0];
    assert_eq!(j["status"], "deadLetter");
    assert!(j["note"].as_str().unwrap().contains("deactivated"), "{j}");
    assert!(s.okta.members(&s.group).unwrap().is_empty());
}

#[test]
fn a_deactivated_user_is_still_removed() {
    let s = setup(true);
    request(&s.w);
    s.w.sweep();
    s.okta
        .set_user_status(&s.rita, UserStatus::Suspended)
        .unwrap();
    let g = s.w.entities("grant")[0]["id"].as_str().unwrap().to_owned();
    s.w.ok(
        "arlo",
        "grants.revoke",
        json!({"grantId": g, "rationale": "left"}),
    );
    s.w.sweep();
    assert!(s.okta.members(&s.group).unwrap().is_empty());
}

#[test]
fn a_group_deleted_out_of_band_is_terminal_and_not_recreated() {
    let s = setup(true);
    s.okta.delete_group(&s.group).unwrap();
    request(&s.w);
    s.w.sweep();
    let j = &jobs(&s.w)[0];
    assert_eq!(j["status"], "deadLetter");
    assert!(
        j["note"].as_str().unwrap().contains("no longer exists"),
        "{j}"
    );
    let posts =
        s.w.egress
            .sent
            .borrow()
            .iter()
            .filter(|r| r.method == "POST")
            .count();
    assert_eq!(posts, 0, "never recreated");
}

#[test]
fn groups_membership_writes_cannot_govern_are_refused() {
    let s = setup(true);
    s.w.ok("ada", "catalog.add", json!({"id": "gpt", "name": "GPT", "provider": "OpenAI", "status": "approved", "risk": "high"}));
    let app = s.okta.add_group("App group", GroupType::AppGroup).unwrap();
    let e = s.w.err(
        "ada",
        "connectors.bind",
        json!({"tool": "gpt", "connector": "okta", "groupId": app}),
    );
    assert_eq!(e.field.as_deref(), Some("groupId"));
    assert!(e.message.contains("APP_GROUP"), "{}", e.message);
    let ruled = s.okta.add_group("Sales", GroupType::OktaGroup).unwrap();
    s.okta
        .add_group_rule("Sales", "user.department==\"Sales\"", &[&ruled], true)
        .unwrap();
    let e = s.w.err(
        "ada",
        "connectors.bind",
        json!({"tool": "gpt", "connector": "okta", "groupId": ruled}),
    );
    assert!(e.message.contains("group rule"), "{}", e.message);
    // An inactive rule does not decide membership: bindable.
    let free = s.okta.add_group("Free", GroupType::OktaGroup).unwrap();
    s.okta
        .add_group_rule("Off", "user.department==\"X\"", &[&free], false)
        .unwrap();
    s.w.ok(
        "ada",
        "connectors.bind",
        json!({"tool": "gpt", "connector": "okta", "groupId": free}),
    );
    // Bound tools keep the connector from being deleted.
    let e = s.w.err("ada", "connectors.delete", json!({"id": "okta"}));
    assert!(e.message.contains("unbind"), "{}", e.message);
}

#[test]
fn members_are_listed_over_three_pages_following_links() {
    let s = setup(true);
    for i in 0..450 {
        let id = s
            .okta
            .add_user(NewUser::active(&format!("u{i}@aigis.example"), "U", "X"))
            .unwrap();
        s.okta.add_member(&s.group, &id).unwrap();
    }
    let rec =
        s.w.with_platform(|p| aigis_app::connectors::load(&p, "okta").unwrap().unwrap());
    let (n, pages) = s.w.with_platform(|p| {
        let d = aigis_app::connectors::okta::Okta::new(&p, &rec);
        let all = aigis_app::connectors::provider::all_members(&d, &s.group).unwrap();
        (
            all.len(),
            s.w.egress
                .sent
                .borrow()
                .iter()
                .filter(|r| r.url.contains("/users?") || r.url.contains("/users?after"))
                .count(),
        )
    });
    assert_eq!(n, 450);
    assert_eq!(pages, 3);
    // A failed page fails the whole listing.
    s.okta.inject(Fault::on(
        Some("GET"),
        &format!("/api/v1/groups/{}/users", s.group),
        1,
        FaultKind::Status { status: 500 },
    ));
    let failed = s.w.with_platform(|p| {
        let d = aigis_app::connectors::okta::Okta::new(&p, &rec);
        aigis_app::connectors::provider::all_members(&d, &s.group)
    });
    assert!(failed.is_err());
}

#[test]
fn test_answers_in_plain_words() {
    let s = setup(false);
    let ok = s.w.ok("ada", "connectors.test", json!({"id": "okta"}));
    assert_eq!(ok["ok"], true, "{ok}");
    s.okta.revoke_client(CLIENT).unwrap();
    s.w.with_platform(|p| aigis_app::connectors::token::forget(&p, "okta"));
    let bad = s.w.ok("ada", "connectors.test", json!({"id": "okta"}));
    assert_eq!(bad["ok"], false);
    assert!(
        bad["message"]
            .as_str()
            .unwrap()
            .contains("client credentials"),
        "{bad}"
    );
    // Egress not declared (no simulator behind the host).
    *s.w.egress.okta.borrow_mut() = None;
    s.w.with_platform(|p| aigis_app::connectors::token::forget(&p, "okta"));
    let none = s.w.ok("ada", "connectors.test", json!({"id": "okta"}));
    assert!(
        none["message"].as_str().unwrap().contains("not declared"),
        "{none}"
    );
}

#[test]
fn validation_names_the_field() {
    let w = World::configured();
    let e = w.err(
        "ada",
        "connectors.create",
        json!({"id": "o", "name": "O", "type": "okta-group",
        "orgUrl": "https://evil.example", "auth": "ssws", "credential": SSWS}),
    );
    assert_eq!(e.field.as_deref(), Some("orgUrl"));
    let e = w.err("ada", "connectors.create", json!({"id": "o", "name": "O", "type": "okta-group",
        "orgUrl": ORG, "auth": "private_key_jwt", "clientId": "c", "keyId": "k", "credential": "not a key"}));
    assert_eq!(e.field.as_deref(), Some("credential"));
    assert!(!e.message.contains("not a key"));
    let e = w.err(
        "ada",
        "connectors.create",
        json!({"id": "e", "name": "E", "type": "entra-group",
        "tenantId": "nope", "clientId": "c", "credential": "s"}),
    );
    assert_eq!(e.field.as_deref(), Some("tenantId"));
    assert!(w.storage.get("connector:o").unwrap().is_none());
}

#[test]
fn every_new_resolver_is_admin_only() {
    let s = setup(true);
    for key in [
        "connectors.list",
        "connectors.get",
        "connectors.create",
        "connectors.update",
        "connectors.test",
        "connectors.enable",
        "connectors.disable",
        "connectors.delete",
        "connectors.bind",
        "connectors.unbind",
        "identities.list",
        "identities.set",
        "identities.remove",
    ] {
        let e = s.w.err("rita", key, json!({"id": "okta"}));
        assert_eq!(e.code.status(), 403, "{key}: {e:?}");
    }
}

#[test]
fn disabling_a_connector_makes_new_approvals_manual() {
    let s = setup(true);
    s.w.ok("ada", "connectors.disable", json!({"id": "okta"}));
    request(&s.w);
    assert_eq!(jobs(&s.w)[0]["mode"]["type"], "manual");
    s.w.ok("ada", "connectors.enable", json!({"id": "okta"}));
    let u =
        s.w.ok("ada", "connectors.unbind", json!({"tool": "claude"}));
    assert_eq!(u["unbound"], true);
    let d = s.w.ok("ada", "connectors.delete", json!({"id": "okta"}));
    assert_eq!(d["deleted"], true);
    assert!(
        s.w.secrets
            .get_secret("connector-okta-credential")
            .unwrap()
            .is_none()
    );
}

#[test]
fn identity_records_are_pruned_with_the_audit_retention() {
    let s = setup(true);
    s.w.ok(
        "ada",
        "identities.set",
        json!({"connector": "okta", "account": s.w.account("rita"), "externalId": s.rita}),
    );
    let run = |w: &World| -> Value {
        let out = w
            .with_platform(|p| aigis_app::on_schedule(p, "retention", "{}", "{}"))
            .expect("retention");
        serde_json::from_str(&out).unwrap()
    };
    assert_eq!(
        run(&s.w)["identityRecordsPruned"],
        0,
        "within retention: kept"
    );
    s.w.set_now(T0 + 400 * DAY);
    let out = run(&s.w);
    assert_eq!(out["identityRecordsPruned"], 1, "{out}");
    let listed =
        s.w.ok("ada", "identities.list", json!({"connector": "okta"}));
    assert_eq!(listed["identities"], json!([]));
}

#[test]
fn the_removal_for_an_ended_grant_keeps_the_membership_of_a_newer_one() {
    let s = setup(true);
    // Approved, then revoked before the runner provisioned it: its removal
    // is queued, and its first attempt meets a server error.
    request(&s.w);
    let first = s.w.entities("grant")[0]["id"].as_str().unwrap().to_owned();
    s.w.ok(
        "arlo",
        "grants.revoke",
        json!({"grantId": first, "rationale": "wrong team"}),
    );
    s.okta.inject(Fault::on(
        Some("DELETE"),
        "/api/v1/groups",
        1,
        FaultKind::Status { status: 503 },
    ));
    s.w.sweep();
    let removal = |w: &World| {
        jobs(w)
            .into_iter()
            .find(|j| j["kind"] == "deprovision" && j["grant"] == first.as_str())
            .expect("the first grant's removal")
    };
    assert_eq!(removal(&s.w)["status"], "retry");
    // Asked again and approved: a new grant of the same person and tool,
    // provisioned before the old removal's retry is due.
    s.w.set_now(T0 + DAY / 144);
    request(&s.w);
    s.w.sweep();
    assert_eq!(s.okta.members(&s.group).unwrap(), vec![s.rita.clone()]);
    // The retry comes: the newer grant keeps its membership.
    s.w.set_now(T0 + DAY / 12);
    s.w.sweep();
    assert_eq!(removal(&s.w)["status"], "succeeded", "{:#?}", jobs(&s.w));
    let grants = s.w.entities("grant");
    let second = grants.iter().find(|g| g["id"] != first.as_str()).unwrap();
    assert_eq!(second["status"], "active", "{second}");
    assert_eq!(
        s.okta.members(&s.group).unwrap(),
        vec![s.rita.clone()],
        "the newer grant's membership was removed"
    );
}

#[test]
fn a_provisioning_waiting_for_its_retry_is_cancelled_by_a_revocation() {
    let s = setup(true);
    s.okta.inject(Fault::on(
        Some("PUT"),
        "/api/v1/groups",
        1,
        FaultKind::Status { status: 503 },
    ));
    request(&s.w);
    s.w.sweep();
    let provision = |w: &World| {
        jobs(w)
            .into_iter()
            .find(|j| j["kind"] == "provision")
            .expect("the provisioning job")
    };
    assert_eq!(provision(&s.w)["status"], "retry");
    // Revoked while the provisioning waits for its retry; the removal runs first.
    let g = s.w.entities("grant")[0]["id"].as_str().unwrap().to_owned();
    s.w.ok(
        "arlo",
        "grants.revoke",
        json!({"grantId": g, "rationale": "left the team"}),
    );
    s.w.sweep();
    // When the retry would have come, the revoked grant gets no membership.
    s.w.set_now(T0 + DAY / 48);
    s.w.sweep();
    let p = provision(&s.w);
    assert_eq!(p["status"], "completed", "{:#?}", jobs(&s.w));
    assert_eq!(p["note"], "cancelled: the grant was revoked");
    assert_eq!(s.w.entities("grant")[0]["status"], "revoked");
    assert!(
        s.okta.members(&s.group).unwrap().is_empty(),
        "a revoked grant was provisioned"
    );
}

#[test]
fn the_list_shows_bindings_and_the_last_test() {
    let s = setup(false);
    let before = s.w.ok("ada", "connectors.list", json!({}));
    let c = &before["connectors"][0];
    assert!(c.get("lastTest").is_none(), "{c}");
    assert_eq!(c["bindings"][0]["tool"], "claude");
    assert_eq!(c["bindings"][0]["groupId"], s.group.as_str());
    assert_eq!(c["bindings"][0]["groupName"], "AI Claude");
    s.w.ok("ada", "connectors.test", json!({"id": "okta"}));
    let got = s.w.ok("ada", "connectors.get", json!({"id": "okta"}));
    assert_eq!(got["lastTest"]["ok"], true, "{got}");
    assert_eq!(got["lastTest"]["at"], json!(s.w.runtime.now_millis()));
    // A failed test replaces it, in the same plain words the test answered.
    s.okta.revoke_client(CLIENT).unwrap();
    s.w.with_platform(|p| aigis_app::connectors::token::forget(&p, "okta"));
    let bad = s.w.ok("ada", "connectors.test", json!({"id": "okta"}));
    let listed = s.w.ok("ada", "connectors.list", json!({}));
    let last = &listed["connectors"][0]["lastTest"];
    assert_eq!(last["ok"], false);
    assert_eq!(last["message"], bad["message"]);
    // Deleting the connector forgets it.
    s.w.ok("ada", "connectors.unbind", json!({"tool": "claude"}));
    s.w.ok("ada", "connectors.delete", json!({"id": "okta"}));
    assert!(s.w.storage.get("connector-test:okta").unwrap().is_none());
}
