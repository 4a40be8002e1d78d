//! Users, groups, members, delta, checkMemberGroups, paging, faults.

use aigis_graph_sim::{Fault, FaultKind};
use serde_json::json;

use crate::support::*;

fn member_ref(id: &str) -> serde_json::Value {
    json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{id}")})
}

#[test]
fn users_filter_and_select() {
    let t = tenant();
    let r = call(
        &t,
        "GET",
        "/v1.0/users?$filter=mail%20eq%20'BEA@aigis.example'",
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(ids(&r.body_json()), vec![t.users[1].clone()]);
    let b = r.body_json();
    assert!(
        b["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#users")
    );
    assert!(
        b["value"][0].get("accountEnabled").is_none(),
        "not in the default set"
    );
    let r = call(
        &t,
        "GET",
        "/v1.0/users?$filter=userPrincipalName+eq+'eve@aigis.example'&$select=id,accountEnabled",
        None,
    );
    let b = r.body_json();
    assert_eq!(
        b["value"][0],
        json!({"id": t.users[4], "accountEnabled": false})
    );
    let r = call(&t, "GET", "/v1.0/users/cy@aigis.example", None);
    assert_eq!(r.body_json()["id"], t.users[2]);
    let r = call(&t, "GET", "/v1.0/users/nobody@aigis.example", None);
    assert_eq!(r.status, 404);
    assert_eq!(r.body_json()["error"]["code"], "Request_ResourceNotFound");
    let r = call(&t, "GET", "/v1.0/users?$filter=jobTitle+eq+'x'", None);
    assert_eq!(r.status, 400);
    let r = call(&t, "GET", "/v1.0/users?$select=nope", None);
    assert_eq!(r.status, 400);
}

#[test]
fn groups_filter_create_and_post_create_404() {
    let t = tenant();
    let r = call(
        &t,
        "GET",
        "/v1.0/groups?$filter=groupTypes/any(c:c+eq+'DynamicMembership')",
        None,
    );
    assert_eq!(ids(&r.body_json()), vec![t.dynamic.clone()]);
    let r = call(&t, "GET", &format!("/v1.0/groups/{}", t.synced), None);
    let g = r.body_json();
    assert_eq!(g["onPremisesSyncEnabled"], true);
    assert_eq!(g["securityEnabled"], true);
    t.sim.set_replication_lag(10_000);
    let body = json!({"displayName": "aigis-claude", "mailEnabled": false, "mailNickname": "aigis-claude", "securityEnabled": true});
    let r = call(&t, "POST", "/v1.0/groups", Some(&body));
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body_json()["id"].as_str().unwrap().to_string();
    assert_eq!(
        call(&t, "GET", &format!("/v1.0/groups/{id}"), None).status,
        404
    );
    let r = call(
        &t,
        "POST",
        &format!("/v1.0/groups/{id}/members/$ref"),
        Some(&member_ref(&t.users[0])),
    );
    assert_eq!(r.status, 404);
    t.sim.clock().advance(10_000);
    assert_eq!(
        call(&t, "GET", &format!("/v1.0/groups/{id}"), None).status,
        200
    );
    let r = call(
        &t,
        "POST",
        "/v1.0/groups",
        Some(&json!({"displayName": "x"})),
    );
    assert_eq!(r.status, 400);
}

#[test]
fn members_add_list_pages_remove() {
    let t = tenant();
    let add = |u: &str| {
        call(
            &t,
            "POST",
            &format!("/v1.0/groups/{}/members/$ref", t.group),
            Some(&member_ref(u)),
        )
    };
    for u in &t.users {
        assert_eq!(add(u).status, 204);
    }
    let r = add(&t.users[0]);
    assert_eq!(r.status, 400);
    assert!(r.body.contains("already exist"));
    let mut seen = Vec::new();
    let mut next = Some(format!("/v1.0/groups/{}/members?$top=2", t.group));
    let mut pages = 0;
    while let Some(p) = next {
        let r = call(&t, "GET", &p, None);
        assert_eq!(r.status, 200, "{p}: {}", r.body);
        let b = r.body_json();
        assert_eq!(b["value"][0]["@odata.type"], "#microsoft.graph.user");
        seen.extend(ids(&b));
        next = b["@odata.nextLink"].as_str().map(|l| {
            l.strip_prefix("https://graph.microsoft.com")
                .unwrap()
                .to_string()
        });
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, t.users);
    let del = |u: &str| {
        call(
            &t,
            "DELETE",
            &format!("/v1.0/groups/{}/members/{u}/$ref", t.group),
            None,
        )
    };
    assert_eq!(del(&t.users[0]).status, 204);
    let r = del(&t.users[0]);
    assert_eq!(r.status, 404);
    assert_eq!(r.body_json()["error"]["code"], "Request_ResourceNotFound");
    assert_eq!(t.sim.members(&t.group).unwrap(), t.users[1..].to_vec());
    // Kinds membership writes cannot govern.
    for (g, status) in [
        (&t.dynamic, 400),
        (&t.synced, 400),
        (&t.mail, 400),
        (&t.role, 403),
    ] {
        let r = call(
            &t,
            "POST",
            &format!("/v1.0/groups/{g}/members/$ref"),
            Some(&member_ref(&t.users[0])),
        );
        assert_eq!(r.status, status, "{g}: {}", r.body);
        assert!(t.sim.members(g).unwrap().is_empty());
    }
    // Deleted out of band.
    t.sim.delete_group(&t.group).unwrap();
    assert_eq!(add(&t.users[0]).status, 404);
}

#[test]
fn delta_reports_changes_since_its_token() {
    let t = tenant();
    t.sim.add_member(&t.group, &t.users[0]).unwrap();
    let r = call(
        &t,
        "GET",
        "/v1.0/groups/delta()?$select=displayName,members",
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let b = r.body_json();
    let first = b["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == t.group.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        first["members@delta"],
        json!([{"@odata.type": "#microsoft.graph.user", "id": t.users[0]}])
    );
    let link = b["@odata.deltaLink"]
        .as_str()
        .unwrap()
        .strip_prefix("https://graph.microsoft.com")
        .unwrap()
        .to_string();
    t.sim.add_member(&t.group, &t.users[1]).unwrap();
    t.sim.remove_member(&t.group, &t.users[0]).unwrap();
    t.sim.delete_group(&t.role).unwrap();
    let link = format!("{link}&$select=displayName,members");
    let r = call(&t, "GET", &link, None);
    let v = r.body_json()["value"].as_array().unwrap().clone();
    assert_eq!(v.len(), 2);
    assert_eq!(v[0]["id"], t.group.as_str());
    assert_eq!(
        v[0]["members@delta"],
        json!([
            {"@odata.type": "#microsoft.graph.user", "id": t.users[1]},
            {"@odata.type": "#microsoft.graph.user", "id": t.users[0], "@removed": {"reason": "deleted"}},
        ])
    );
    assert_eq!(
        v[1],
        json!({"id": t.role, "@removed": {"reason": "changed"}})
    );
    assert_eq!(
        call(&t, "GET", "/v1.0/groups/delta?$deltatoken=zzz", None).status,
        400
    );
}

#[test]
fn check_member_groups() {
    let t = tenant();
    t.sim.add_member(&t.group, &t.users[2]).unwrap();
    let body = json!({"groupIds": [t.group, t.dynamic]});
    let r = call(
        &t,
        "POST",
        &format!("/v1.0/users/{}/checkMemberGroups", t.users[2]),
        Some(&body),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body_json()["value"], json!([t.group]));
}

#[test]
fn rate_limits_and_faults() {
    let t = tenant();
    let tok = token(&t.sim, APP, SECRET);
    t.sim.set_rate_limit(2);
    for _ in 0..2 {
        assert_eq!(
            t.sim.handle("GET", "/v1.0/users", &auth(&tok), None).status,
            200
        );
    }
    let r = t.sim.handle("GET", "/v1.0/users", &auth(&tok), None);
    assert_eq!(r.status, 429);
    assert_eq!(r.body_json()["error"]["code"], "TooManyRequests");
    assert_eq!(r.header("Retry-After"), Some("60"));
    t.sim.clock().advance(60_000);
    assert_eq!(
        t.sim.handle("GET", "/v1.0/users", &auth(&tok), None).status,
        200
    );
    t.sim.set_rate_limit(0);
    t.sim.inject(Fault::on(
        Some("POST"),
        "/v1.0/groups/",
        1,
        FaultKind::Status { status: 503 },
    ));
    t.sim.inject(Fault::on(
        None,
        "/v1.0/users",
        1,
        FaultKind::RateLimited { reset_in_secs: 7 },
    ));
    t.sim.inject(Fault::on(
        None,
        "/v1.0/groups",
        1,
        FaultKind::Delay { millis: 900 },
    ));
    let path = format!("/v1.0/groups/{}/members/$ref", t.group);
    let body = member_ref(&t.users[0]).to_string();
    assert_eq!(
        t.sim.handle("POST", &path, &auth(&tok), Some(&body)).status,
        503
    );
    assert!(t.sim.members(&t.group).unwrap().is_empty());
    let r = t.sim.handle("GET", "/v1.0/users", &auth(&tok), None);
    assert_eq!((r.status, r.header("Retry-After")), (429, Some("7")));
    let r = t.sim.handle("GET", "/v1.0/groups", &auth(&tok), None);
    assert_eq!((r.status, r.delay_ms), (200, 900));
    // The control endpoint drives the same state.
    let r = t.sim.handle(
        "PUT",
        &format!("/__sim/groups/{}/members/{}", t.group, t.users[3]),
        &[],
        None,
    );
    assert_eq!(r.status, 204);
    assert_eq!(t.sim.members(&t.group).unwrap(), vec![t.users[3].clone()]);
    let r = t.sim.handle(
        "POST",
        "/__sim/users/nobody/account-enabled",
        &[],
        Some("{\"accountEnabled\":false}"),
    );
    assert_eq!(r.status, 404);
}
