//! The org in SQLite: two simulators on one file (two `aigis` processes on
//! one state dir) see one org, never reuse an id, and keep it across restarts.

use aigis_okta_sim::model::{GroupType, UserStatus};
use aigis_okta_sim::{NewUser, OktaSim};
use serde_json::json;

use crate::support::{BASE, NOW_MS};

fn ssws(token: &str) -> Vec<(String, String)> {
    vec![
        ("Authorization".into(), format!("SSWS {token}")),
        ("Accept".into(), "application/json".into()),
        ("Content-Type".into(), "application/json".into()),
    ]
}

#[test]
fn two_simulators_on_one_file_share_the_org() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("okta.db");
    let a = OktaSim::open(&path, BASE, NOW_MS).unwrap();
    let b = OktaSim::open(&path, BASE, NOW_MS).unwrap();
    let ua = a
        .add_user(NewUser::active("ada@example.com", "Ada", "L"))
        .unwrap();
    let ub = b
        .add_user(NewUser::active("bob@example.com", "Bob", "B"))
        .unwrap();
    assert_ne!(ua, ub, "ids are allocated inside the shared transaction");
    // The same login is refused by the other one.
    assert!(
        b.add_user(NewUser::active("ADA@example.com", "A", "L"))
            .is_err()
    );
    a.add_api_token("tok-1", "test").unwrap();

    // A group created over HTTP on one is a group on the other.
    let created = b.handle(
        "POST",
        "/api/v1/groups",
        &ssws("tok-1"),
        Some(&json!({"profile": {"name": "AI - Claude"}}).to_string()),
    );
    assert_eq!(created.status, 200, "{}", created.body);
    let gid = created.body_json()["id"].as_str().unwrap().to_string();
    let put = a.handle(
        "PUT",
        &format!("/api/v1/groups/{gid}/users/{ub}"),
        &ssws("tok-1"),
        None,
    );
    assert_eq!(put.status, 204, "{}", put.body);
    assert_eq!(b.members(&gid).unwrap(), vec![ub.clone()]);

    // Faults switched on in one process apply in the other.
    b.inject(aigis_okta_sim::Fault::any(
        1,
        aigis_okta_sim::FaultKind::Status { status: 503 },
    ));
    let failed = a.handle("GET", "/api/v1/groups", &ssws("tok-1"), None);
    assert_eq!(failed.status, 503);
    let ok = a.handle("GET", "/api/v1/groups", &ssws("tok-1"), None);
    assert_eq!(ok.status, 200);

    // A restart keeps everything, including the statuses set out of band.
    a.set_user_status(&ua, UserStatus::Suspended).unwrap();
    let kept = a.add_group("Everyone", GroupType::BuiltIn).unwrap();
    drop(a);
    drop(b);
    let c = OktaSim::open(&path, BASE, NOW_MS).unwrap();
    let users = c.handle("GET", "/api/v1/users", &ssws("tok-1"), None);
    let users = users.body_json();
    let ada = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == ua.as_str())
        .unwrap();
    assert_eq!(ada["status"], "SUSPENDED");
    assert_eq!(c.members(&gid).unwrap(), vec![ub]);
    assert!(c.members(&kept).unwrap().is_empty());
    let again = c
        .add_user(NewUser::active("cy@example.com", "Cy", "C"))
        .unwrap();
    assert_ne!(again, ua);
}
