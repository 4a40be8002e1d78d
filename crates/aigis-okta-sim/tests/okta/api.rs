//! Users, groups, members, rules; errors, paging, rate limits, faults.

use aigis_okta_sim::model::{GroupType, UserStatus};
use aigis_okta_sim::{Fault, FaultKind, NewUser};
use serde_json::json;

use crate::support::*;

fn ids(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect()
}

/// The `rel="next"` URL's path and query, relative to BASE.
fn next_link(r: &aigis_okta_sim::SimResponse) -> Option<String> {
    r.headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("link"))
        .find(|(_, v)| v.ends_with("rel=\"next\""))
        .map(|(_, v)| {
            let url = v.trim_start_matches('<').split('>').next().unwrap();
            url.strip_prefix(BASE).unwrap().to_string()
        })
}

#[test]
fn users_by_id_login_and_email_search() {
    let o = org();
    let r = get(&o.sim, &format!("/api/v1/users/{}", o.users[0]));
    assert_eq!(r.status, 200);
    assert_eq!(r.body_json()["profile"]["email"], "ada@aigis.example");
    let r = get(&o.sim, "/api/v1/users/BEA@aigis.example");
    assert_eq!(r.body_json()["id"], o.users[1]);
    let r = get(&o.sim, "/api/v1/users/nobody@aigis.example");
    assert_eq!(r.status, 404);
    let b = r.body_json();
    assert_eq!(b["errorCode"], "E0000007");
    assert!(b["errorSummary"].as_str().unwrap().contains("(User)"));
    assert!(b["errorId"].as_str().unwrap().starts_with("oae"));
    assert!(b["errorCauses"].is_array());
    let r = get(
        &o.sim,
        "/api/v1/users?search=profile.email%20eq%20%22CY%40aigis.example%22",
    );
    assert_eq!(ids(&r.body_json()), vec![o.users[2].clone()]);
    let r = get(
        &o.sim,
        "/api/v1/users?filter=profile.email+eq+%22dee%40aigis.example%22",
    );
    assert_eq!(ids(&r.body_json()), vec![o.users[3].clone()]);
    let r = get(&o.sim, "/api/v1/users?search=status+eq+%22SUSPENDED%22");
    let b = r.body_json();
    assert_eq!(ids(&b), vec![o.users[4].clone()]);
    assert_eq!(b[0]["status"], "SUSPENDED");
    let r = get(&o.sim, "/api/v1/users?search=profile.secret+eq+%22x%22");
    assert_eq!(r.status, 400);
    assert_eq!(r.body_json()["errorCode"], "E0000031");
    // Deprovisioned users drop out of the default list but are found by search.
    o.sim
        .set_user_status(&o.users[3], UserStatus::Deprovisioned)
        .unwrap();
    let all = ids(&get(&o.sim, "/api/v1/users").body_json());
    assert!(!all.contains(&o.users[3]) && all.len() == 4);
    let r = get(
        &o.sim,
        "/api/v1/users?search=profile.email+eq+%22dee%40aigis.example%22",
    );
    assert_eq!(r.body_json()[0]["status"], "DEPROVISIONED");
}

#[test]
fn groups_list_search_get_create() {
    let o = org();
    let r = get(&o.sim, "/api/v1/groups?q=aigis");
    assert_eq!(ids(&r.body_json()), vec![o.group.clone()]);
    let r = get(&o.sim, "/api/v1/groups?search=type+eq+%22APP_GROUP%22");
    assert_eq!(ids(&r.body_json()), vec![o.app_group.clone()]);
    let r = get(&o.sim, &format!("/api/v1/groups/{}", o.builtin));
    assert_eq!(r.body_json()["type"], "BUILT_IN");
    assert_eq!(get(&o.sim, "/api/v1/groups/00gmissing").status, 404);
    let body =
        json!({"profile": {"name": "aigis-claude", "description": "Claude users"}}).to_string();
    let r = o.sim.handle("POST", "/api/v1/groups", &ssws(), Some(&body));
    assert_eq!(r.status, 200, "{}", r.body);
    let g = r.body_json();
    assert_eq!(g["type"], "OKTA_GROUP");
    assert_eq!(g["profile"]["name"], "aigis-claude");
    assert_eq!(g["objectClass"], json!(["okta:user_group"]));
    let again = o.sim.handle("POST", "/api/v1/groups", &ssws(), Some(&body));
    assert_eq!(again.status, 400);
    assert_eq!(again.body_json()["errorCode"], "E0000001");
    assert!(again.body.contains("already exists"));
    let r = o
        .sim
        .handle("POST", "/api/v1/groups", &ssws(), Some("{\"profile\":{}}"));
    assert_eq!(r.status, 400);
    let r = o
        .sim
        .handle("POST", "/api/v1/groups", &ssws(), Some("{not json"));
    assert_eq!(r.body_json()["errorCode"], "E0000003");
    // Nothing half-written: still one aigis-claude.
    let r = get(&o.sim, "/api/v1/groups?q=aigis-claude");
    assert_eq!(r.body_json().as_array().unwrap().len(), 1);
}

#[test]
fn group_rules_name_their_target_groups() {
    let o = org();
    let r = get(&o.sim, "/api/v1/groups/rules");
    let b = r.body_json();
    assert_eq!(b[0]["status"], "ACTIVE");
    assert_eq!(
        b[0]["actions"]["assignUserToGroups"]["groupIds"],
        json!([o.rule_group])
    );
}

#[test]
fn members_add_remove_idempotent_and_kind_checked() {
    let o = org();
    let path = |u: &str| format!("/api/v1/groups/{}/users/{u}", o.group);
    for _ in 0..2 {
        let r = o.sim.handle("PUT", &path(&o.users[0]), &ssws(), None);
        assert_eq!(r.status, 204);
        assert!(r.body.is_empty());
    }
    assert_eq!(o.sim.members(&o.group).unwrap(), vec![o.users[0].clone()]);
    for _ in 0..2 {
        assert_eq!(
            o.sim
                .handle("DELETE", &path(&o.users[0]), &ssws(), None)
                .status,
            204
        );
    }
    assert!(o.sim.members(&o.group).unwrap().is_empty());
    let r = o.sim.handle("PUT", &path("00unobody"), &ssws(), None);
    assert_eq!(r.status, 404);
    assert!(r.body.contains("(User)"));
    let r = o.sim.handle(
        "PUT",
        &format!("/api/v1/groups/00gnone/users/{}", o.users[0]),
        &ssws(),
        None,
    );
    assert_eq!(r.status, 404);
    assert!(r.body.contains("(UserGroup)"));
    for g in [&o.app_group, &o.builtin] {
        let r = o.sim.handle(
            "PUT",
            &format!("/api/v1/groups/{g}/users/{}", o.users[0]),
            &ssws(),
            None,
        );
        assert_eq!(r.status, 403, "{g}");
        assert_eq!(r.body_json()["errorCode"], "E0000006");
    }
    // A deleted group (out of band) is a 404 from then on.
    o.sim.delete_group(&o.group).unwrap();
    assert_eq!(
        o.sim
            .handle("PUT", &path(&o.users[1]), &ssws(), None)
            .status,
        404
    );
    assert_eq!(
        get(&o.sim, &format!("/api/v1/groups/{}/users", o.group)).status,
        404
    );
}

#[test]
fn members_page_with_link_headers() {
    let o = org();
    let mut all = Vec::new();
    for i in 0..7 {
        let id = o
            .sim
            .add_user(NewUser::active(&format!("m{i}@aigis.example"), "M", "X"))
            .unwrap();
        o.sim.add_member(&o.group, &id).unwrap();
        all.push(id);
    }
    let mut seen = Vec::new();
    let mut next = Some(format!("/api/v1/groups/{}/users?limit=3", o.group));
    let mut pages = 0;
    while let Some(p) = next {
        let r = get(&o.sim, &p);
        assert_eq!(r.status, 200, "{p}");
        assert!(
            r.headers
                .iter()
                .any(|(k, v)| k == "Link" && v.ends_with("rel=\"self\""))
        );
        seen.extend(ids(&r.body_json()));
        next = next_link(&r);
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, all);
    assert_eq!(
        get(&o.sim, &format!("/api/v1/groups/{}/users?limit=0", o.group)).status,
        400
    );
}

#[test]
fn rate_limits_report_headers_and_429() {
    let o = org();
    o.sim.set_rate_limit(3);
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let r = get(&o.sim, "/api/v1/groups");
        assert_eq!(r.status, 200);
        assert_eq!(r.header("X-Rate-Limit-Limit"), Some("3"));
        remaining.push(r.header("X-Rate-Limit-Remaining").unwrap().to_string());
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let r = get(&o.sim, "/api/v1/groups");
    assert_eq!(r.status, 429);
    assert_eq!(r.body_json()["errorCode"], "E0000047");
    assert!(r.header("Retry-After").is_none());
    let reset: i64 = r.header("X-Rate-Limit-Reset").unwrap().parse().unwrap();
    assert_eq!(reset, (NOW_MS / 60_000 + 1) * 60);
    assert!(r.header("Date").is_some());
    // Another route has its own bucket; the next window starts afresh.
    assert_eq!(get(&o.sim, "/api/v1/users").status, 200);
    o.sim.clock().set(reset * 1000);
    assert_eq!(get(&o.sim, "/api/v1/groups").status, 200);
}

#[test]
fn injected_faults() {
    let o = org();
    o.sim.inject(Fault::on(
        Some("PUT"),
        "/api/v1/groups/",
        1,
        FaultKind::Status { status: 503 },
    ));
    o.sim.inject(Fault::on(
        None,
        "/api/v1/users",
        1,
        FaultKind::RateLimited { reset_in_secs: 30 },
    ));
    o.sim.inject(Fault::on(
        None,
        "/api/v1/groups/rules",
        1,
        FaultKind::Delay { millis: 1500 },
    ));
    let put = format!("/api/v1/groups/{}/users/{}", o.group, o.users[0]);
    let r = o.sim.handle("PUT", &put, &ssws(), None);
    assert_eq!(r.status, 503);
    assert!(
        o.sim.members(&o.group).unwrap().is_empty(),
        "a failed write changes nothing"
    );
    assert_eq!(o.sim.handle("PUT", &put, &ssws(), None).status, 204);
    let r = get(&o.sim, "/api/v1/users");
    assert_eq!(r.status, 429);
    assert_eq!(
        r.header("X-Rate-Limit-Reset"),
        Some((NOW_MS / 1000 + 30).to_string().as_str())
    );
    assert_eq!(get(&o.sim, "/api/v1/users").status, 200);
    let r = get(&o.sim, "/api/v1/groups/rules");
    assert_eq!((r.status, r.delay_ms), (200, 1500));
}

#[test]
fn control_endpoint_drives_the_same_state() {
    let o = org();
    let r = o.sim.handle("POST", "/__sim/users", &[], Some(r#"{"email":"zed@aigis.example","firstName":"Zed","lastName":"X","status":"SUSPENDED"}"#));
    assert_eq!(r.status, 200, "{}", r.body);
    let zed = r.body_json()["id"].as_str().unwrap().to_string();
    let r = o.sim.handle(
        "PUT",
        &format!("/__sim/groups/{}/members/{zed}", o.group),
        &[],
        None,
    );
    assert_eq!(r.status, 204);
    assert_eq!(o.sim.members(&o.group).unwrap(), vec![zed.clone()]);
    let r = o.sim.handle(
        "POST",
        "/__sim/faults",
        &[],
        Some(r#"{"times":1,"kind":"status","status":500}"#),
    );
    assert_eq!(r.status, 204);
    assert_eq!(get(&o.sim, "/api/v1/groups").status, 500);
    assert_eq!(
        o.sim
            .handle("POST", "/__sim/clock", &[], Some(r#"{"advanceMs":1000}"#))
            .body_json()["nowMs"],
        NOW_MS + 1000
    );
    assert_eq!(
        o.sim
            .handle(
                "POST",
                "/__sim/groups",
                &[],
                Some(r#"{"name":"x","type":"NOPE"}"#)
            )
            .status,
        400
    );
    assert_eq!(
        o.sim
            .handle("DELETE", "/__sim/groups/00gnope", &[], None)
            .status,
        404
    );
    let r = o.sim.handle(
        "POST",
        "/__sim/users",
        &[],
        Some(r#"{"email":"zed@aigis.example","firstName":"Z","lastName":"X"}"#),
    );
    assert_eq!(r.status, 409);
    let _ = GroupType::OktaGroup;
}

#[test]
fn unknown_paths_and_methods() {
    let o = org();
    let r = get(&o.sim, "/api/v1/nothing");
    assert_eq!(r.status, 404);
    assert_eq!(r.body_json()["errorCode"], "E0000007");
    let r = o.sim.handle(
        "PATCH",
        &format!("/api/v1/groups/{}", o.group),
        &ssws(),
        None,
    );
    assert_eq!(r.status, 405);
    assert_eq!(r.header("Allow"), Some("GET"));
}
