//! Behaviour of the platform routes that predate the split.

use aigis_jira_sim::{JiraSim, NewUser, RoleMember};
use base64::Engine as _;
use serde_json::json;

use super::*;

#[test]
fn auth_missing_or_wrong_is_401() {
    let (sim, site) = site();
    let r = sim.handle_http("GET", "/rest/api/3/myself", &[], None);
    assert_eq!(r.status, 401);
    assert!(r.json()["errorMessages"].is_array());
    let bad = base64::engine::general_purpose::STANDARD.encode("ada@aigis.example:wrong");
    let r = sim.handle_http(
        "GET",
        "/rest/api/3/myself",
        &[("authorization".into(), format!("Basic {bad}"))],
        None,
    );
    assert_eq!(r.status, 401);
    let r = sim.handle_http(
        "GET",
        "/rest/api/3/myself",
        &[("Authorization".into(), "Bearer abc".into())],
        None,
    );
    assert_eq!(r.status, 401);
    let r = call(&sim, &site, "ada", "GET", "/rest/api/3/myself", None);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["emailAddress"], "ada@aigis.example");
    assert_eq!(r.json()["timeZone"], "Europe/London");
    // The helper for the host's own auth.
    let header = &auth(&site, "bea")[0].1;
    let bea = sim.authenticate_basic(header).expect("bea authenticates");
    assert_eq!(bea.display_name, "Bea Approver");
    assert!(sim.authenticate_basic("Basic !!!").is_none());
    // asUser with an unknown account is refused too.
    assert_eq!(
        sim.handle_as(Some("nobody"), "GET", "/rest/api/3/myself", &[], None)
            .status,
        401
    );
}

#[test]
fn created_issue_properties_are_readable() {
    let (sim, site) = site();
    let (_, key) = create_request(&sim, &site, "rita");
    let r = sim.handle_as(
        None,
        "GET",
        &format!("/rest/api/3/issue/{key}/properties/aigis.snapshot.v1"),
        &[],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json(),
        json!({"key": "aigis.snapshot.v1", "value": {"toolId": "claude", "durationDays": 30}})
    );
    let issue = sim
        .handle_as(
            None,
            "GET",
            &format!("/rest/api/3/issue/{key}?fields=summary,customfield_10010&properties=aigis.snapshot.v1"),
            &[],
            None,
        )
        .json();
    assert_eq!(issue["properties"]["aigis.snapshot.v1"]["toolId"], "claude");
    assert_eq!(
        issue["fields"]["customfield_10010"]["requestType"]["id"],
        site.request_type_id.as_str()
    );
    assert_eq!(
        issue["fields"]["customfield_10010"]["requestType"]["name"],
        "AI tool access"
    );
    assert!(
        issue["fields"].get("status").is_none(),
        "fields= limits the fields"
    );
    assert_eq!(key, "AIR-1");
}

#[test]
fn comments_must_be_adf() {
    let (sim, site) = site();
    let (_, key) = create_request(&sim, &site, "rita");
    let path = format!("/rest/api/3/issue/{key}/comment");
    for bad in [
        json!({"body": "plain text"}),
        json!({"body": {"type": "doc", "version": 1}}),
        json!({"body": {"type": "paragraph", "version": 1, "content": []}}),
        json!({}),
    ] {
        let r = sim.handle_as(None, "POST", &path, &[], Some(&bad.to_string()));
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert!(r.json()["errors"]["comment"].is_string());
    }
    let body = json!({
        "body": adf("Approved by Arlo"),
        "properties": [{"key": "aigis.notice", "value": {"id": "n1"}}],
    });
    let r = sim.handle_as(None, "POST", &path, &[], Some(&body.to_string()));
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["body"], adf("Approved by Arlo"));
    assert_eq!(r.json()["jsdPublic"], true);
    // Internal note, hidden from the requester.
    let internal = json!({
        "body": adf("internal"),
        "properties": [{"key": "sd.public.comment", "value": {"internal": true}}],
    });
    let r = sim.handle_as(None, "POST", &path, &[], Some(&internal.to_string()));
    assert_eq!(r.status, 201);
    let page = sim
        .handle_as(None, "GET", &format!("{path}?expand=properties"), &[], None)
        .json();
    assert_eq!(page["total"], 2);
    assert_eq!(page["comments"][0]["properties"][0]["value"]["id"], "n1");
    let page = call(&sim, &site, "rita", "GET", &path, None).json();
    assert_eq!(page["total"], 1);
    assert!(page["comments"][0].get("properties").is_none());
    let page = sim
        .handle_as(
            None,
            "GET",
            &format!("{path}?startAt=1&maxResults=1"),
            &[],
            None,
        )
        .json();
    assert_eq!(page["startAt"], 1);
    assert_eq!(page["comments"].as_array().map(Vec::len), Some(1));
}

#[test]
fn transitions_change_status() {
    let (sim, site) = site();
    let (_, key) = create_request(&sim, &site, "rita");
    let path = format!("/rest/api/3/issue/{key}/transitions");
    let list = sim.handle_as(None, "GET", &path, &[], None).json();
    let names: Vec<&str> = list["transitions"]
        .as_array()
        .expect("transitions")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, vec!["Approve", "Decline", "Done"]);
    let decline = list["transitions"][1]["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_eq!(list["transitions"][1]["to"]["name"], "Declined");
    // Requesters see no transitions and cannot transition.
    let theirs = call(&sim, &site, "rita", "GET", &path, None).json();
    assert_eq!(theirs["transitions"], json!([]));
    let r = call(
        &sim,
        &site,
        "rita",
        "POST",
        &path,
        Some(json!({"transition": {"id": decline}})),
    );
    assert_eq!(r.status, 400);
    // An approver (agent) can.
    sim.set_clock(T0 + 60_000);
    let r = call(
        &sim,
        &site,
        "arlo",
        "POST",
        &path,
        Some(json!({"transition": {"id": decline}})),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let issue = sim
        .handle_as(None, "GET", &format!("/rest/api/3/issue/{key}"), &[], None)
        .json();
    assert_eq!(issue["fields"]["status"]["name"], "Declined");
    assert_eq!(issue["fields"]["status"]["statusCategory"]["key"], "done");
    assert_eq!(issue["fields"]["updated"], "2026-11-23T12:01:00.000+0000");
    assert_eq!(issue["fields"]["created"], "2026-11-23T12:00:00.000+0000");
    // Declined is no longer offered; unknown ids are 400.
    let list = sim.handle_as(None, "GET", &path, &[], None).json();
    assert!(
        list["transitions"]
            .as_array()
            .expect("transitions")
            .iter()
            .all(|t| t["name"] != "Decline")
    );
    let r = sim.handle_as(
        None,
        "POST",
        &path,
        &[],
        Some(&json!({"transition": {"id": "12345"}}).to_string()),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.json()["errorMessages"][0]
            .as_str()
            .expect("msg")
            .contains("12345")
    );
}

#[test]
fn created_issue_event_lands_once_and_ack_removes_it() {
    let (sim, site) = site();
    assert!(sim.pending_events().expect("events").is_empty());
    let (id, key) = create_request(&sim, &site, "rita");
    let events = sim.pending_events().expect("events");
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e.event_type, "avi:jira:created:issue");
    let rita = account(&site, "rita");
    let p = &e.payload;
    assert_eq!(p["eventType"], "avi:jira:created:issue");
    assert_eq!(p["atlassianId"], rita.as_str());
    assert_eq!(p["associatedUsers"], json!([{"accountId": rita}]));
    assert_eq!(p["issue"]["id"], id.as_str());
    assert_eq!(p["issue"]["key"], key.as_str());
    let f = &p["issue"]["fields"];
    assert_eq!(f["summary"], "Access to Claude");
    assert_eq!(f["issuetype"]["name"], "Service Request");
    assert!(f["issuetype"]["id"].is_string());
    assert_eq!(f["project"]["key"], "AIR");
    assert_eq!(f["project"]["name"], "AI Requests");
    assert!(f["project"]["id"].is_string());
    assert_eq!(f["reporter"]["accountId"], rita.as_str());
    assert_eq!(f["creator"]["accountId"], rita.as_str());
    assert_eq!(f["status"]["name"], "Open");
    assert_eq!(f["created"], "2026-11-23T12:00:00.000+0000");
    assert_eq!(f["updated"], "2026-11-23T12:00:00.000+0000");
    // Reads and other writes add nothing.
    call(
        &sim,
        &site,
        "ada",
        "GET",
        &format!("/rest/api/3/issue/{key}"),
        None,
    );
    call(
        &sim,
        &site,
        "ada",
        "POST",
        &format!("/rest/api/3/issue/{key}/comment"),
        Some(json!({"body": adf("hi")})),
    );
    assert_eq!(sim.pending_events().expect("events").len(), 1);
    sim.ack_event(e.id).expect("ack");
    assert!(sim.pending_events().expect("events").is_empty());
    assert!(sim.ack_event(9999).is_err());
    // A failed create adds no event.
    call(
        &sim,
        &site,
        "rita",
        "POST",
        "/rest/api/3/issue",
        Some(json!({"fields": {}})),
    );
    assert!(sim.pending_events().expect("events").is_empty());
}

#[test]
fn events_survive_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("jira.db");
    {
        let sim = JiraSim::open(&path).expect("open");
        let site = sim.seed_demo().expect("seed");
        create_request(&sim, &site, "sam");
    }
    let sim = JiraSim::open(&path).expect("reopen");
    let site = sim.seed_demo().expect("seed again");
    assert_eq!(sim.pending_events().expect("events").len(), 1);
    let (_, key) = create_request(&sim, &site, "sam");
    assert_eq!(key, "AIR-2");
}

#[test]
fn bad_create_payload_is_400_naming_the_field() {
    let (sim, site) = site();
    let cases = [
        (
            json!({"fields": {"project": {"key": "AIR"}, "issuetype": {"name": "Service Request"}}}),
            "summary",
        ),
        (
            json!({"fields": {"project": {"key": "NOPE"}, "issuetype": {"name": "Task"}, "summary": "x"}}),
            "project",
        ),
        (
            json!({"fields": {"project": {"key": "AIR"}, "summary": "x"}}),
            "issuetype",
        ),
        (
            json!({"fields": {"project": {"key": "AIR"}, "issuetype": {"name": "Bug"}, "summary": "x"}}),
            "issuetype",
        ),
        (
            json!({"fields": {"project": {"key": "AIR"}, "issuetype": {"name": "Task"}, "summary": "x", "description": "plain"}}),
            "description",
        ),
        (
            json!({"fields": {"project": {"key": "OPS"}, "issuetype": {"name": "Task"}, "summary": "x", "customfield_10010": site.request_type_id}}),
            "customfield_10010",
        ),
        (
            json!({"fields": {"project": {"key": "AIR"}, "issuetype": {"name": "Task"}, "summary": "x", "reporter": {"accountId": account(&site, "sam")}}}),
            "reporter",
        ),
        (
            json!({"fields": {"project": {"key": "AIR"}, "issuetype": {"name": "Task"}, "summary": "x", "priority": {"name": "High"}}}),
            "priority",
        ),
    ];
    for (body, field) in cases {
        let r = call(
            &sim,
            &site,
            "rita",
            "POST",
            "/rest/api/3/issue",
            Some(body.clone()),
        );
        assert_eq!(r.status, 400, "{body}: {}", r.body);
        let v = r.json();
        assert!(
            v["errors"][field].is_string(),
            "{body}: expected an error on {field}, got {}",
            r.body
        );
        spec()
            .check_response("POST", "/rest/api/3/issue", 400, &v)
            .expect("ErrorCollection");
    }
    let r = call(&sim, &site, "rita", "POST", "/rest/api/3/issue", None);
    assert_eq!(r.status, 400);
    let r = sim.handle_http(
        "POST",
        "/rest/api/3/issue",
        &auth(&site, "rita"),
        Some("{not json"),
    );
    assert_eq!(r.status, 400);
    // An agent may set another reporter.
    let body = json!({"fields": {"project": {"key": "AIR"}, "issuetype": {"name": "Task"}, "summary": "x", "reporter": {"accountId": account(&site, "sam")}}});
    let r = call(&sim, &site, "arlo", "POST", "/rest/api/3/issue", Some(body));
    assert_eq!(r.status, 201, "{}", r.body);
}

#[test]
fn seed_demo_is_idempotent() {
    let sim = JiraSim::in_memory().expect("sim");
    let a = sim.seed_demo().expect("seed");
    let b = sim.seed_demo().expect("seed again");
    assert_eq!(a, b);
    assert_eq!(a.project_key, "AIR");
    assert_eq!(a.users.len(), 7);
    let roles: Vec<&str> = a.users.iter().map(|u| u.role.as_str()).collect();
    assert_eq!(
        roles,
        vec![
            "admin",
            "approver",
            "approver",
            "requester",
            "requester",
            "customer",
            "unlicensed"
        ]
    );
    assert_eq!(a.users[0].api_token, "demo-ada-token");
    // Same ids on another, fresh site.
    let other = JiraSim::in_memory().expect("sim");
    assert_eq!(other.seed_demo().expect("seed"), a);
    let ada = sim.user_by_email("ADA@aigis.example").expect("ada");
    assert!(ada.site_admin);
    let sam = sim.user(&a.users[4].account_id).expect("sam");
    assert_eq!(sam.display_name, "Sam Requester");
    assert!(!sam.site_admin);
    // Nothing duplicated: group membership and projects are as seeded.
    let members = sim
        .handle_as(
            None,
            "GET",
            "/rest/api/3/group/member?groupname=aigis-approvers",
            &[],
            None,
        )
        .json();
    assert_eq!(members["total"], 2);
    let role = sim
        .handle_as(
            None,
            "GET",
            &format!("/rest/api/3/project/AIR/role/{}", a.approver_role_id),
            &[],
            None,
        )
        .json();
    assert_eq!(role["actors"].as_array().map(Vec::len), Some(2), "{role}");
    let projects = sim
        .handle_as(None, "GET", "/rest/api/3/project/search", &[], None)
        .json();
    assert_eq!(projects["total"], 2);
    assert_eq!(projects["values"][0]["projectTypeKey"], "service_desk");
    assert_eq!(projects["values"][1]["key"], "OPS");
    assert_eq!(projects["values"][1]["projectTypeKey"], "software");
}

#[test]
fn users_groups_and_permissions() {
    let (sim, site) = site();
    let rita = account(&site, "rita");
    let groups = call(
        &sim,
        &site,
        "ada",
        "GET",
        &format!("/rest/api/3/user/groups?accountId={rita}"),
        None,
    )
    .json();
    assert_eq!(groups[0]["name"], "ai-users");
    let found = call(
        &sim,
        &site,
        "rita",
        "GET",
        "/rest/api/3/user/search?query=bea%40aigis",
        None,
    )
    .json();
    assert_eq!(found.as_array().map(Vec::len), Some(1));
    assert_eq!(found[0]["displayName"], "Bea Approver");
    let perms =
        "/rest/api/3/mypermissions?permissions=ADMINISTER,BROWSE_PROJECTS,TRANSITION_ISSUES";
    let ada = call(&sim, &site, "ada", "GET", perms, None).json();
    assert_eq!(ada["permissions"]["ADMINISTER"]["havePermission"], true);
    let r = call(&sim, &site, "rita", "GET", perms, None).json();
    assert_eq!(r["permissions"]["ADMINISTER"]["havePermission"], false);
    assert_eq!(r["permissions"]["BROWSE_PROJECTS"]["havePermission"], true);
    assert_eq!(
        r["permissions"]["TRANSITION_ISSUES"]["havePermission"],
        false
    );
    let arlo = call(&sim, &site, "arlo", "GET", perms, None).json();
    assert_eq!(arlo["permissions"]["ADMINISTER"]["havePermission"], false);
    assert_eq!(
        arlo["permissions"]["TRANSITION_ISSUES"]["havePermission"],
        true
    );
    let app = sim.handle_as(None, "GET", perms, &[], None).json();
    assert_eq!(app["permissions"]["ADMINISTER"]["havePermission"], true);
    let me = sim
        .handle_as(None, "GET", "/rest/api/3/myself", &[], None)
        .json();
    assert_eq!(me["accountType"], "app");
    let me = sim
        .handle_as(Some(&rita), "GET", "/rest/api/3/myself", &[], None)
        .json();
    assert_eq!(me["displayName"], "Rita Requester");
}

#[test]
fn admin_api_rejects_duplicates_and_unknowns() {
    let sim = JiraSim::in_memory().expect("sim");
    let u = sim
        .create_user(NewUser {
            email: "x@y.example".into(),
            display_name: "X".into(),
            time_zone: "UTC".into(),
            api_token: "t".into(),
            ..NewUser::default()
        })
        .expect("user");
    assert_eq!(u.account_id.len(), 24);
    assert!(
        sim.create_user(NewUser {
            email: "x@y.example".into(),
            display_name: "X2".into(),
            ..NewUser::default()
        })
        .is_err()
    );
    let with_id = sim
        .create_user(NewUser {
            account_id: Some("557058:0f7f3f5e-0000-4000-8000-000000000001".into()),
            email: "z@y.example".into(),
            display_name: "Z".into(),
            ..NewUser::default()
        })
        .expect("user with id");
    assert_eq!(
        with_id.account_id,
        "557058:0f7f3f5e-0000-4000-8000-000000000001"
    );
    sim.create_group("g").expect("group");
    assert!(sim.create_group("g").is_err());
    assert!(sim.add_to_group("nope", &u.account_id).is_err());
    sim.add_to_group("g", &u.account_id).expect("member");
    sim.add_to_group("g", &u.account_id).expect("idempotent");
    let pid = sim
        .create_project("PRJ", "Project", &u.account_id)
        .expect("project");
    assert_eq!(pid, "10000");
    assert!(sim.create_project("PRJ", "again", &u.account_id).is_err());
    assert!(sim.create_project("bad", "lower", &u.account_id).is_err());
    let (sd, portal) = sim.create_service_desk("PRJ", "Portal").expect("sd");
    assert!(sim.create_service_desk("PRJ", "Portal").is_err());
    assert_eq!(sd, portal);
    let rt = sim
        .create_request_type(&sd, "Ask", "Service Request")
        .expect("rt");
    assert!(sim.create_request_type("99", "Ask", "Task").is_err());
    let t = sim
        .add_transition("PRJ", "Close", "Closed")
        .expect("transition");
    assert!(sim.add_transition("PRJ", "Close", "Closed").is_err());
    assert!(!t.is_empty() && !rt.is_empty());
    sim.set_base_url("https://example.atlassian.net/".into());
    assert_eq!(sim.base_url(), "https://example.atlassian.net");
}

#[test]
fn project_roles_list_user_and_group_actors() {
    let (sim, site) = site();
    let role = &site.approver_role_id;
    assert_eq!(role, "10002");
    let path = format!("/rest/api/3/project/AIR/role/{role}");
    let r = call(&sim, &site, "ada", "GET", &path, None);
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    spec()
        .check_response(
            "GET",
            "/rest/api/3/project/{projectIdOrKey}/role/{id}",
            200,
            &v,
        )
        .expect("conforms");
    assert_eq!(v["name"], "Service Desk Team");
    assert_eq!(v["id"], 10002);
    // Sorted by display name: the group "aigis-approvers", then Bea.
    let actors = v["actors"].as_array().expect("actors");
    assert_eq!(actors.len(), 2, "{v}");
    assert_eq!(actors[0]["type"], "atlassian-group-role-actor");
    assert_eq!(actors[0]["actorGroup"]["name"], "aigis-approvers");
    assert!(actors[0]["actorGroup"]["groupId"].is_string());
    assert_eq!(actors[1]["type"], "atlassian-user-role-actor");
    assert_eq!(
        actors[1]["actorUser"]["accountId"],
        account(&site, "bea").as_str()
    );
    assert_eq!(actors[1]["displayName"], "Bea Approver");
    // By project id too; the role is site-wide, its actors per project.
    let by_id = call(
        &sim,
        &site,
        "ada",
        "GET",
        "/rest/api/3/project/10000/role/10002",
        None,
    );
    assert_eq!(by_id.status, 200);
    assert_eq!(by_id.json()["actors"], v["actors"]);
    let ops = call(
        &sim,
        &site,
        "ada",
        "GET",
        "/rest/api/3/project/OPS/role/10002",
        None,
    );
    assert_eq!(ops.status, 200);
    assert_eq!(ops.json()["actors"], json!([]));
    // The project lists its roles.
    let project = call(&sim, &site, "ada", "GET", "/rest/api/3/project/AIR", None).json();
    assert_eq!(
        project["roles"]["Service Desk Team"],
        format!("{}/rest/api/3/project/10000/role/10002", sim.base_url())
    );
    // Unknown project or role: 404; a role id that is not a number: 400.
    for (p, status) in [
        ("/rest/api/3/project/NOPE/role/10002", 404),
        ("/rest/api/3/project/AIR/role/10099", 404),
        ("/rest/api/3/project/AIR/role/abc", 400),
    ] {
        let r = call(&sim, &site, "ada", "GET", p, None);
        assert_eq!(r.status, status, "{p}: {}", r.body);
        assert!(r.json()["errorMessages"][0].is_string(), "{p}");
    }
    // Without credentials: 401. Without Administer Projects: not found.
    assert_eq!(sim.handle_http("GET", &path, &[], None).status, 401);
    assert_eq!(call(&sim, &site, "rita", "GET", &path, None).status, 404);
    assert_eq!(sim.handle_as(None, "GET", &path, &[], None).status, 200);
    // Actors are added and removed through the admin API.
    let rita = account(&site, "rita");
    let member = RoleMember::User(rita.clone());
    sim.add_role_actor("AIR", role, &member).expect("add");
    sim.add_role_actor("AIR", role, &member)
        .expect("idempotent");
    let v = sim.handle_as(None, "GET", &path, &[], None).json();
    assert_eq!(v["actors"].as_array().map(Vec::len), Some(3));
    sim.remove_role_actor("AIR", role, &member).expect("remove");
    assert!(sim.remove_role_actor("AIR", role, &member).is_err());
    let v = sim.handle_as(None, "GET", &path, &[], None).json();
    assert_eq!(v["actors"].as_array().map(Vec::len), Some(2));
    assert!(sim.add_role_actor("NOPE", role, &member).is_err());
    assert!(sim.add_role_actor("AIR", "99", &member).is_err());
    assert!(sim.add_role_actor("AIR", "x", &member).is_err());
    assert!(
        sim.add_role_actor("AIR", role, &RoleMember::Group("no-such-group".into()))
            .is_err()
    );
    assert!(
        sim.add_role_actor("AIR", role, &RoleMember::User("nobody".into()))
            .is_err()
    );
    let other = sim.create_project_role("Reviewers", "").expect("role");
    assert_eq!(other, "10003");
    assert!(sim.create_project_role("reviewers", "").is_err());
    assert!(sim.create_project_role(" ", "").is_err());
}
