//! `PUT /issue/{key}`, `GET /comment/{id}`, project roles, group picker,
//! fields and link types.

use serde_json::json;

use super::*;

#[test]
fn edit_sets_and_updates_fields() {
    let (sim, site) = site();
    let (_, key) = create_request(&sim, &site, "rita");
    let path = format!("/rest/api/3/issue/{key}");
    sim.set_clock(T0 + 60_000);
    let body = json!({
        "fields": {"summary": "Access to Claude for the team", "labels": ["ai", "team"]},
        "update": {"labels": [{"add": "urgent"}, {"remove": "team"}]},
        "properties": [{"key": "aigis.note", "value": {"n": 1}}],
    });
    spec()
        .check_call("PUT", &path, Some(&body))
        .expect("conforming body");
    let r = call(
        &sim,
        &site,
        "arlo",
        "PUT",
        &format!("{path}?notifyUsers=false"),
        Some(body),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(r.body.is_empty());
    let issue = call(&sim, &site, "ada", "GET", &path, None).json();
    assert_eq!(issue["fields"]["summary"], "Access to Claude for the team");
    assert_eq!(issue["fields"]["labels"], json!(["ai", "urgent"]));
    assert_eq!(issue["fields"]["updated"], "2026-11-23T12:01:00.000+0000");
    assert_eq!(issue["fields"]["created"], "2026-11-23T12:00:00.000+0000");
    let prop = call(
        &sim,
        &site,
        "ada",
        "GET",
        &format!("{path}/properties/aigis.note"),
        None,
    );
    assert_eq!(prop.json()["value"], json!({"n": 1}));
    // update.set, description cleared, returnIssue.
    let r = call(
        &sim,
        &site,
        "ada",
        "PUT",
        &format!("{path}?returnIssue=true"),
        Some(json!({"update": {"summary": [{"set": "Renamed"}], "description": [{"set": null}]}})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["fields"]["summary"], "Renamed");
    assert_eq!(r.json()["fields"]["description"], json!(null));
    // Bad values name the field; nothing is written.
    for (body, field) in [
        (json!({"fields": {"summary": ""}}), "summary"),
        (json!({"fields": {"description": "plain"}}), "description"),
        (json!({"fields": {"labels": ["two words"]}}), "labels"),
        (json!({"fields": {"assignee": null}}), "assignee"),
        (json!({"update": {"labels": [{"copy": "x"}]}}), "labels"),
        (json!({"update": {"summary": "not a list"}}), "summary"),
        (
            json!({"fields": {"summary": "ok"}, "properties": [{"value": 1}]}),
            "properties",
        ),
    ] {
        let r = call(&sim, &site, "ada", "PUT", &path, Some(body.clone()));
        assert_eq!(r.status, 400, "{body}: {}", r.body);
        assert!(r.json()["errors"][field].is_string(), "{body}: {}", r.body);
    }
    assert_eq!(
        call(&sim, &site, "ada", "GET", &path, None).json()["fields"]["summary"],
        "Renamed"
    );
    // A portal customer cannot edit, even their own request: the fields are
    // not on their screen. Override flags are for apps only.
    let r = call(
        &sim,
        &site,
        "rita",
        "PUT",
        &path,
        Some(json!({"fields": {"summary": "Mine"}})),
    );
    assert_eq!(r.status, 400);
    assert!(r.json()["errors"]["summary"].is_string());
    let r = call(
        &sim,
        &site,
        "ada",
        "PUT",
        &format!("{path}?overrideEditableFlag=true"),
        Some(json!({"fields": {}})),
    );
    assert_eq!(r.status, 403);
    let r = sim.handle_as(
        None,
        "PUT",
        &format!("{path}?overrideEditableFlag=true"),
        &[],
        Some(r#"{"fields":{"summary":"By the app"}}"#),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(
        call(
            &sim,
            &site,
            "sam",
            "PUT",
            &path,
            Some(json!({"fields": {}}))
        )
        .status,
        404
    );
    assert_eq!(call(&sim, &site, "ada", "PUT", &path, None).status, 400);
}

#[test]
fn one_comment_by_id() {
    let (sim, site) = site();
    let (_, key) = create_request(&sim, &site, "rita");
    let path = format!("/rest/api/3/issue/{key}/comment");
    let public = sim
        .handle_as(
            None,
            "POST",
            &path,
            &[],
            Some(&json!({"body": adf("Hello")}).to_string()),
        )
        .json()["id"]
        .as_str()
        .expect("id")
        .to_string();
    let internal = json!({
        "body": adf("Agents only"),
        "properties": [{"key": "sd.public.comment", "value": {"internal": true}}],
    });
    let internal = sim
        .handle_as(None, "POST", &path, &[], Some(&internal.to_string()))
        .json()["id"]
        .as_str()
        .expect("id")
        .to_string();
    let r = call(
        &sim,
        &site,
        "rita",
        "GET",
        &format!("{path}/{public}"),
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["body"], adf("Hello"));
    assert_eq!(
        r.json()["self"],
        format!("{}/rest/api/3/issue/10000/comment/{public}", sim.base_url())
    );
    spec()
        .check_response(
            "GET",
            "/rest/api/3/issue/{issueIdOrKey}/comment/{id}",
            200,
            &r.json(),
        )
        .expect("Comment");
    assert_eq!(
        call(
            &sim,
            &site,
            "rita",
            "GET",
            &format!("{path}/{internal}"),
            None
        )
        .status,
        404
    );
    let r = call(
        &sim,
        &site,
        "ada",
        "GET",
        &format!("{path}/{internal}?expand=properties"),
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["jsdPublic"], false);
    assert_eq!(r.json()["properties"][0]["key"], "sd.public.comment");
    for missing in ["99999", "abc"] {
        let r = call(
            &sim,
            &site,
            "ada",
            "GET",
            &format!("{path}/{missing}"),
            None,
        );
        assert_eq!(r.status, 404, "{missing}");
    }
    // A comment of another issue is not found under this one.
    let (_, other) = create_request(&sim, &site, "rita");
    let r = call(
        &sim,
        &site,
        "ada",
        "GET",
        &format!("/rest/api/3/issue/{other}/comment/{public}"),
        None,
    );
    assert_eq!(r.status, 404);
}

#[test]
fn roles_picker_fields_and_link_types() {
    let (sim, site) = site();
    let roles = call(
        &sim,
        &site,
        "ada",
        "GET",
        "/rest/api/3/project/AIR/role",
        None,
    )
    .json();
    assert_eq!(
        roles,
        json!({"Service Desk Team": format!("{}/rest/api/3/project/10000/role/10002", sim.base_url())})
    );
    sim.create_project_role("Reviewers", "").expect("role");
    let by_id = call(
        &sim,
        &site,
        "ada",
        "GET",
        "/rest/api/3/project/10001/role",
        None,
    )
    .json();
    assert_eq!(by_id.as_object().map(|o| o.len()), Some(2));
    assert_eq!(
        by_id["Reviewers"],
        format!("{}/rest/api/3/project/10001/role/10003", sim.base_url())
    );
    // Administer Projects on some project is enough; a customer has none.
    assert_eq!(
        call(
            &sim,
            &site,
            "arlo",
            "GET",
            "/rest/api/3/project/AIR/role",
            None
        )
        .status,
        404
    );

    let pick = |q: &str| {
        call(
            &sim,
            &site,
            "rita",
            "GET",
            &format!("/rest/api/3/groups/picker?{q}"),
            None,
        )
        .json()
    };
    let names = |v: &serde_json::Value| -> Vec<String> {
        v["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .map(|g| g["name"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let all = pick("");
    assert_eq!(
        names(&all),
        vec![
            "ai-users",
            "aigis-approvers",
            "jira-admins",
            "jira-servicedesk-users"
        ]
    );
    assert_eq!(all["total"], 4);
    assert_eq!(all["header"], "Showing 4 of 4 matching groups");
    let jira = pick("query=jira");
    assert_eq!(names(&jira), vec!["jira-admins", "jira-servicedesk-users"]);
    assert_eq!(jira["groups"][0]["html"], "<b>jira</b>-admins");
    assert!(jira["groups"][0]["groupId"].is_string());
    assert!(
        names(&pick("query=JIRA")).is_empty(),
        "case-sensitive by default"
    );
    assert_eq!(names(&pick("query=JIRA&caseInsensitive=true")).len(), 2);
    assert_eq!(
        names(&pick("query=jira&exclude=jira-admins")),
        vec!["jira-servicedesk-users"]
    );
    let limited = pick("maxResults=1");
    assert_eq!(names(&limited), vec!["ai-users"]);
    assert_eq!(limited["total"], 4);
    assert_eq!(limited["header"], "Showing 1 of 4 matching groups");

    let fields = call(&sim, &site, "rita", "GET", "/rest/api/3/field", None).json();
    let rt = fields
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["id"] == "customfield_10010")
        .expect("request type field");
    assert_eq!(rt["name"], "Request Type");
    assert_eq!(rt["custom"], true);
    assert!(
        rt["clauseNames"]
            .as_array()
            .expect("clauses")
            .contains(&json!("cf[10010]"))
    );
    assert!(
        fields
            .as_array()
            .expect("fields")
            .iter()
            .any(|f| f["id"] == "summary" && f["clauseNames"] == json!(["summary"]))
    );

    let types = call(
        &sim,
        &site,
        "rita",
        "GET",
        "/rest/api/3/issueLinkType",
        None,
    )
    .json();
    let relates = &types["issueLinkTypes"][3];
    assert_eq!(relates["name"], "Relates");
    assert_eq!(relates["inward"], "relates to");
    assert_eq!(
        relates["self"],
        format!("{}/rest/api/3/issueLinkType/10003", sim.base_url())
    );
}
