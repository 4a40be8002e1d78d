//! Extension, revocation and expiry labels of grants.

mod common;

use common::*;
use serde_json::{Value, json};

fn extend(w: &World, who: &str, id: &str, days: u32) -> Result<Value, aigis_app::AppError> {
    w.invoke(
        who,
        "grants.extend",
        json!({"grantId": id, "days": days, "rationale": "Project runs longer"}),
    )
}

#[test]
fn approver_extends_and_the_issue_is_told() {
    let w = World::configured();
    let (id, issue) = w.active_grant("rita", 20);
    let out = extend(&w, "arlo", &id, 10).unwrap();
    assert_eq!(out["grant"]["expiresAt"], T0 + 30 * DAY);
    assert!(
        w.comments(&issue)
            .iter()
            .any(|c| c.starts_with("Access extended"))
    );
    assert!(
        w.entities("audit")
            .iter()
            .any(|e| e["action"] == "grant.extended")
    );
    assert!(w.verify().intact);
}

#[test]
fn nobody_extends_their_own_grant_and_requesters_cannot_extend() {
    let w = World::configured();
    // Bea (approver) holds a grant; she may not extend it herself.
    let (issue, _) = w.portal_request("bea", World::snapshot("claude", 10));
    w.pump();
    w.ok("arlo", "requests.approve", json!({"requestId": issue}));
    let gid = format!("g-{issue}");
    assert_eq!(extend(&w, "bea", &gid, 5).unwrap_err().code, "forbidden");
    assert_eq!(extend(&w, "rita", &gid, 5).unwrap_err().code, "forbidden");
    assert!(extend(&w, "arlo", &gid, 5).is_ok());
}

#[test]
fn lifetime_is_capped_at_180_days_from_the_start() {
    let w = World::configured();
    let (id, _) = w.active_grant("rita", 30);
    // 30 + 150 = 180: allowed; one more day is refused and names the field.
    extend(&w, "arlo", &id, 150).unwrap();
    let e = extend(&w, "arlo", &id, 1).unwrap_err();
    assert_eq!(e.code, "invalid");
    assert_eq!(e.field.as_deref(), Some("days"));
    assert_eq!(w.grant(&id)["expiresAt"], T0 + 180 * DAY);
}

#[test]
fn expired_grant_extends_only_within_seven_days() {
    let w = World::configured();
    let (id, _) = w.active_grant("rita", 10);
    w.set_now(T0 + 11 * DAY);
    w.sweep();
    assert_eq!(w.grant(&id)["status"], "expired");
    // Within grace: active again, slot reclaimed, removal cancelled.
    w.set_now(T0 + 16 * DAY);
    let out = extend(&w, "arlo", &id, 10).unwrap();
    assert_eq!(out["grant"]["status"], "active");
    assert_eq!(out["grant"]["expiresAt"], T0 + 26 * DAY);
    assert!(
        w.entities("job")
            .iter()
            .filter(|j| j["kind"] == "deprovision")
            .all(|j| j["status"] == "completed")
    );
    // A new request for the same tool now conflicts on approval.
    let (again, _) = w.portal_request("rita", World::snapshot("claude", 5));
    w.pump();
    if w.entities("request")
        .iter()
        .any(|r| r["id"] == again.as_str())
    {
        assert_eq!(
            w.err("arlo", "requests.approve", json!({"requestId": again}))
                .code,
            "conflict"
        );
    }
    // Past the grace window: refused.
    w.set_now(T0 + 27 * DAY);
    w.sweep();
    w.set_now(T0 + 26 * DAY + 7 * DAY + 1);
    let e = extend(&w, "arlo", &id, 5).unwrap_err();
    assert_eq!(e.code, "conflict", "{e:?}");
}

#[test]
fn reviving_an_expired_grant_conflicts_with_another_open_grant() {
    let w = World::configured();
    let (id, _) = w.active_grant("rita", 10);
    w.set_now(T0 + 11 * DAY);
    w.sweep();
    // A new grant for the same person and tool is approved meanwhile.
    let (issue2, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    w.ok("arlo", "requests.approve", json!({"requestId": issue2}));
    let e = extend(&w, "arlo", &id, 5).unwrap_err();
    assert_eq!(e.code, "conflict");
    assert_eq!(w.grant(&id)["status"], "expired");
}

#[test]
fn revoke_queues_deprovisioning_once() {
    let w = World::configured();
    let (id, issue) = w.active_grant("rita", 20);
    let revoke = |who: &str| {
        w.invoke(
            who,
            "grants.revoke",
            json!({"grantId": id, "rationale": "Left the team"}),
        )
    };
    assert_eq!(revoke("rita").unwrap_err().code, "forbidden");
    let out = revoke("arlo").unwrap();
    assert_eq!(out["grant"]["status"], "revoked");
    assert_eq!(out["job"]["kind"], "deprovision");
    assert!(w.entities("slot").is_empty());
    let deprov = |w: &World| {
        w.entities("job")
            .into_iter()
            .filter(|j| j["kind"] == "deprovision")
            .count()
    };
    assert_eq!(deprov(&w), 1);
    // A second revoke, even after the job went to a person, adds nothing.
    w.sweep();
    let again = revoke("bea").unwrap();
    assert_eq!(again["changed"], false);
    assert_eq!(deprov(&w), 1);
    assert!(
        w.comments(&issue)
            .iter()
            .any(|c| c.starts_with("Access revoked"))
    );
    // The freed slot lets a new request be approved.
    let (issue2, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    w.ok("arlo", "requests.approve", json!({"requestId": issue2}));
}

#[test]
fn revoke_with_a_running_deprovision_adds_no_job() {
    let w = World::configured();
    let (id, _) = w.active_grant("rita", 10);
    w.set_now(T0 + 11 * DAY);
    w.sweep(); // expired: deprovision job queued, then handed to a person
    w.ok(
        "arlo",
        "grants.revoke",
        json!({"grantId": id, "rationale": "Done"}),
    );
    let n = w
        .entities("job")
        .into_iter()
        .filter(|j| j["kind"] == "deprovision")
        .count();
    assert_eq!(n, 1);
}

#[test]
fn bad_grant_payloads_name_the_field_and_write_nothing() {
    let w = World::configured();
    let (id, _) = w.active_grant("rita", 10);
    let before = w.entities("audit").len();
    let field = |k: &str, p: Value| w.err("arlo", k, p).field.unwrap_or_default();
    assert_eq!(
        field(
            "grants.extend",
            json!({"grantId": id, "days": 0, "rationale": "x"})
        ),
        "days"
    );
    assert_eq!(
        field(
            "grants.extend",
            json!({"grantId": id, "days": "5", "rationale": "x"})
        ),
        "days"
    );
    assert_eq!(
        field(
            "grants.extend",
            json!({"grantId": id, "days": 5, "rationale": " "})
        ),
        "rationale"
    );
    assert_eq!(
        field("grants.extend", json!({"grantId": id, "days": 5})),
        "rationale"
    );
    assert_eq!(
        field(
            "grants.revoke",
            json!({"grantId": id, "rationale": "x", "why": 1})
        ),
        "why"
    );
    assert_eq!(
        w.err(
            "arlo",
            "grants.revoke",
            json!({"grantId": "g-99999", "rationale": "x"})
        )
        .code,
        "not-found"
    );
    // A malformed id never reaches storage.
    assert_eq!(
        field("grants.revoke", json!({"grantId": "a/b", "rationale": "x"})),
        "grantId"
    );
    assert_eq!(w.entities("audit").len(), before);
}

#[test]
fn my_access_labels_use_my_time_zone() {
    let w = World::configured();
    let at = |s: &str| aigis_core::time::parse_rfc3339(s).unwrap();
    // Rita (Berlin), Sam (Los Angeles), Bea (Tokyo) each hold a grant that
    // ends at 02:00 UTC; it is 22:30 UTC the evening before.
    for who in ["rita", "sam", "bea"] {
        let (issue, _) = w.portal_request(who, World::snapshot("claude", 10));
        w.pump();
        let approver = if who == "bea" { "arlo" } else { "bea" };
        w.ok(approver, "requests.approve", json!({"requestId": issue}));
        let id = format!("g-{issue}");
        let mut g = w.grant(&id);
        g["status"] = json!("active");
        g["expiresAt"] = json!(at("2026-12-02T02:00:00Z"));
        w.storage.raw_entity_set("grant", &id, &g.to_string());
    }
    w.set_now(at("2026-12-01T22:30:00Z"));
    let label = |who: &str| {
        let mine = w.ok(who, "grants.mine", json!({}));
        (
            mine["timeZone"].as_str().unwrap().to_owned(),
            mine["grants"][0]["expiryLabel"]
                .as_str()
                .unwrap()
                .to_owned(),
        )
    };
    assert_eq!(
        label("rita"),
        ("Europe/Berlin".into(), "expires tomorrow".into())
    );
    assert_eq!(
        label("sam"),
        ("America/Los_Angeles".into(), "expires today".into())
    );
    assert_eq!(label("bea"), ("Asia/Tokyo".into(), "expires today".into()));
    w.set_now(at("2026-11-22T12:00:00Z"));
    assert_eq!(label("rita").1, "10 days remaining");
    w.set_now(at("2026-12-02T02:00:00Z"));
    assert_eq!(label("sam").1, "expired");
}
