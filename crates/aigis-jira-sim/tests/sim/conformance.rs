//! Every route against the OpenAPI documents: declared statuses, shapes
//! and error bodies; 404 and 405.

use std::collections::BTreeSet;

use aigis_jira_sim::routes;
use serde_json::{Value, json};

use super::*;

#[test]
fn every_route_exists_in_the_spec() {
    for (method, template) in routes() {
        assert!(
            spec_for(template).has_operation(method, template),
            "{method} {template} is not in the OpenAPI document"
        );
    }
    assert_eq!(jsm_spec().dangling_refs(), Vec::<String>::new());
}

#[test]
fn every_route_answers_with_declared_status_and_shape() {
    let (sim, site) = site();
    let (id, key) = create_request(&sim, &site, "rita");
    let rita = account(&site, "rita");
    let approve = call(
        &sim,
        &site,
        "ada",
        "GET",
        &format!("/rest/api/3/issue/{key}/transitions"),
        None,
    )
    .json()["transitions"][0]["id"]
        .as_str()
        .expect("a transition")
        .to_string();
    let (_, other) = create_request(&sim, &site, "sam");
    let comment = call(
        &sim,
        &site,
        "ada",
        "POST",
        &format!("/rest/api/3/issue/{key}/comment"),
        Some(json!({"body": adf("First")})),
    )
    .json()["id"]
        .as_str()
        .expect("a comment id")
        .to_string();
    let sd = site.service_desk_id.clone();
    let rt = site.request_type_id.clone();
    let jql = |q: &str| {
        q.replace(' ', "%20")
            .replace('=', "%3D")
            .replace('"', "%22")
    };

    // (who, method, path, body, expected status)
    let calls: Vec<(&str, &str, String, Option<Value>, u16)> = vec![
        ("ada", "GET", "/rest/api/3/myself".into(), None, 200),
        (
            "rita",
            "GET",
            "/rest/api/3/myself?expand=groups".into(),
            None,
            200,
        ),
        (
            "ada",
            "GET",
            format!("/rest/api/3/user?accountId={rita}"),
            None,
            200,
        ),
        (
            "ada",
            "GET",
            "/rest/api/3/user?accountId=nobody".into(),
            None,
            404,
        ),
        (
            "ada",
            "GET",
            "/rest/api/3/user/search?query=approver".into(),
            None,
            200,
        ),
        ("ada", "GET", "/rest/api/3/user/search".into(), None, 400),
        (
            "ada",
            "GET",
            format!("/rest/api/3/user/groups?accountId={rita}"),
            None,
            200,
        ),
        (
            "ada",
            "GET",
            "/rest/api/3/user/groups?accountId=nobody".into(),
            None,
            404,
        ),
        (
            "ada",
            "GET",
            "/rest/api/3/group/member?groupname=aigis-approvers".into(),
            None,
            200,
        ),
        (
            "ada",
            "GET",
            "/rest/api/3/group/member?groupname=aigis-approvers&maxResults=1".into(),
            None,
            200,
        ),
        (
            "ada",
            "GET",
            "/rest/api/3/group/member?groupname=nope".into(),
            None,
            404,
        ),
        ("ada", "GET", "/rest/api/3/group/member".into(), None, 400),
        (
            "ada",
            "GET",
            "/rest/api/3/mypermissions?permissions=ADMINISTER,BROWSE_PROJECTS".into(),
            None,
            200,
        ),
        (
            "ada",
            "GET",
            "/rest/api/3/mypermissions?permissions=NOT_A_PERMISSION".into(),
            None,
            400,
        ),
        ("ada", "GET", "/rest/api/3/mypermissions".into(), None, 400),
        ("ada", "GET", "/rest/api/3/project/AIR".into(), None, 200),
        ("ada", "GET", "/rest/api/3/project/NOPE".into(), None, 404),
        (
            "ada",
            "GET",
            format!("/rest/api/3/project/AIR/role/{}", site.approver_role_id),
            None,
            200,
        ),
        (
            "ada",
            "GET",
            format!("/rest/api/3/project/NOPE/role/{}", site.approver_role_id),
            None,
            404,
        ),
        (
            "ada",
            "GET",
            "/rest/api/3/project/AIR/role/99999".into(),
            None,
            404,
        ),
        (
            "ada",
            "GET",
            "/rest/api/3/project/AIR/role/lead".into(),
            None,
            400,
        ),
        ("ada", "GET", "/rest/api/3/project/search".into(), None, 200),
        (
            "ada",
            "GET",
            "/rest/api/3/project/search?keys=OPS&maxResults=1".into(),
            None,
            200,
        ),
        (
            "ada",
            "POST",
            "/rest/api/3/issue".into(),
            Some(
                json!({"fields": {"project": {"key": "OPS"}, "issuetype": {"name": "Task"}, "summary": "Ops work"}}),
            ),
            201,
        ),
        (
            "ada",
            "POST",
            "/rest/api/3/issue".into(),
            Some(json!({"fields": {}})),
            400,
        ),
        ("ada", "GET", format!("/rest/api/3/issue/{key}"), None, 200),
        (
            "ada",
            "GET",
            format!("/rest/api/3/issue/{id}?fields=summary,status&properties=*all"),
            None,
            200,
        ),
        ("sam", "GET", format!("/rest/api/3/issue/{key}"), None, 404),
        (
            "ada",
            "GET",
            format!("/rest/api/3/issue/{key}/properties"),
            None,
            200,
        ),
        (
            "ada",
            "GET",
            format!("/rest/api/3/issue/{key}/properties/aigis.snapshot.v1"),
            None,
            200,
        ),
        (
            "ada",
            "GET",
            format!("/rest/api/3/issue/{key}/properties/missing"),
            None,
            404,
        ),
        (
            "ada",
            "PUT",
            format!("/rest/api/3/issue/{key}/properties/extra"),
            Some(json!({"a": 1})),
            201,
        ),
        (
            "ada",
            "PUT",
            format!("/rest/api/3/issue/{key}/properties/extra"),
            Some(json!({"a": 2})),
            200,
        ),
        (
            "ada",
            "PUT",
            format!("/rest/api/3/issue/{key}/properties/extra"),
            None,
            400,
        ),
        (
            "ada",
            "DELETE",
            format!("/rest/api/3/issue/{key}/properties/extra"),
            None,
            204,
        ),
        (
            "ada",
            "DELETE",
            format!("/rest/api/3/issue/{key}/properties/extra"),
            None,
            404,
        ),
        (
            "ada",
            "POST",
            format!("/rest/api/3/issue/{key}/comment"),
            Some(json!({"body": adf("Approved")})),
            201,
        ),
        (
            "ada",
            "POST",
            format!("/rest/api/3/issue/{key}/comment"),
            Some(json!({"body": "plain"})),
            400,
        ),
        (
            "ada",
            "GET",
            format!("/rest/api/3/issue/{key}/comment?expand=properties"),
            None,
            200,
        ),
        (
            "ada",
            "GET",
            "/rest/api/3/issue/AIR-999/comment".into(),
            None,
            404,
        ),
        (
            "ada",
            "GET",
            format!("/rest/api/3/issue/{key}/transitions"),
            None,
            200,
        ),
        (
            "ada",
            "POST",
            format!("/rest/api/3/issue/{key}/transitions"),
            Some(json!({"transition": {"id": "999"}})),
            400,
        ),
        (
            "ada",
            "POST",
            format!("/rest/api/3/issue/{key}/transitions"),
            Some(json!({"transition": {"id": approve}})),
            204,
        ),
        (
            "ada",
            "POST",
            "/rest/api/3/issueLink".into(),
            Some(
                json!({"type": {"name": "Relates"}, "inwardIssue": {"key": key}, "outwardIssue": {"key": other}}),
            ),
            201,
        ),
        (
            "ada",
            "POST",
            "/rest/api/3/issueLink".into(),
            Some(
                json!({"type": {"name": "Relates"}, "inwardIssue": {"key": key}, "outwardIssue": {"key": "AIR-999"}}),
            ),
            404,
        ),
        ("ada", "GET", "/rest/api/3/serverInfo".into(), None, 200),
        ("ada", "GET", "/rest/api/3/field".into(), None, 200),
        ("ada", "GET", "/rest/api/3/issueLinkType".into(), None, 200),
        (
            "rita",
            "GET",
            "/rest/api/3/groups/picker?query=ai-".into(),
            None,
            200,
        ),
        (
            "ada",
            "GET",
            "/rest/api/3/project/AIR/role".into(),
            None,
            200,
        ),
        (
            "rita",
            "GET",
            "/rest/api/3/project/AIR/role".into(),
            None,
            404,
        ),
        (
            "ada",
            "GET",
            "/rest/api/3/project/NOPE/role".into(),
            None,
            404,
        ),
        (
            "ada",
            "GET",
            format!("/rest/api/3/issue/{key}/comment/{comment}"),
            None,
            200,
        ),
        (
            "ada",
            "GET",
            format!("/rest/api/3/issue/{key}/comment/99999"),
            None,
            404,
        ),
        (
            "ada",
            "PUT",
            format!("/rest/api/3/issue/{key}?notifyUsers=false"),
            Some(
                json!({"fields": {"summary": "Access to Claude (team)"}, "update": {"labels": [{"add": "ai"}]}}),
            ),
            204,
        ),
        (
            "ada",
            "PUT",
            format!("/rest/api/3/issue/{key}?returnIssue=true"),
            Some(json!({"fields": {"description": adf("Edited")}})),
            200,
        ),
        (
            "ada",
            "PUT",
            format!("/rest/api/3/issue/{key}"),
            Some(json!({"fields": {"priority": {"name": "High"}}})),
            400,
        ),
        (
            "ada",
            "PUT",
            "/rest/api/3/issue/AIR-999".into(),
            Some(json!({"fields": {"summary": "x"}})),
            404,
        ),
        (
            "rita",
            "PUT",
            format!("/rest/api/3/issue/{key}?overrideScreenSecurity=true"),
            Some(json!({"fields": {"summary": "x"}})),
            403,
        ),
        (
            "ada",
            "GET",
            format!(
                "/rest/api/3/search/jql?jql={}&fields=summary,status&maxResults=1",
                jql("project = AIR")
            ),
            None,
            200,
        ),
        (
            "ada",
            "GET",
            format!("/rest/api/3/search/jql?jql={}", jql("project = = AIR")),
            None,
            400,
        ),
        (
            "ada",
            "POST",
            "/rest/api/3/search/jql".into(),
            Some(
                json!({"jql": "project in (AIR, OPS) ORDER BY created DESC", "fields": ["summary"], "maxResults": 10, "properties": ["aigis.snapshot.v1"]}),
            ),
            200,
        ),
        (
            "ada",
            "POST",
            "/rest/api/3/search/jql".into(),
            Some(json!({"jql": "project = NOPE"})),
            400,
        ),
        (
            "rita",
            "GET",
            "/rest/servicedeskapi/servicedesk".into(),
            None,
            200,
        ),
        (
            "rita",
            "GET",
            format!("/rest/servicedeskapi/servicedesk/{sd}"),
            None,
            200,
        ),
        (
            "rita",
            "GET",
            "/rest/servicedeskapi/servicedesk/AIR".into(),
            None,
            200,
        ),
        (
            "rita",
            "GET",
            "/rest/servicedeskapi/servicedesk/999".into(),
            None,
            404,
        ),
        (
            "rita",
            "GET",
            format!("/rest/servicedeskapi/servicedesk/{sd}/requesttype?limit=1"),
            None,
            200,
        ),
        (
            "rita",
            "GET",
            "/rest/servicedeskapi/servicedesk/999/requesttype".into(),
            None,
            404,
        ),
        (
            "rita",
            "GET",
            format!("/rest/servicedeskapi/servicedesk/{sd}/requesttype/{rt}"),
            None,
            200,
        ),
        (
            "rita",
            "GET",
            format!("/rest/servicedeskapi/servicedesk/{sd}/requesttype/999"),
            None,
            404,
        ),
        (
            "rita",
            "POST",
            "/rest/servicedeskapi/request".into(),
            Some(
                json!({"serviceDeskId": sd, "requestTypeId": rt, "requestFieldValues": {"summary": "Access to Copilot", "description": "For code review"}}),
            ),
            201,
        ),
        (
            "rita",
            "POST",
            "/rest/servicedeskapi/request".into(),
            Some(json!({"serviceDeskId": sd, "requestTypeId": rt, "requestFieldValues": {}})),
            400,
        ),
        (
            "rita",
            "POST",
            "/rest/servicedeskapi/request".into(),
            Some(
                json!({"serviceDeskId": sd, "requestTypeId": rt, "requestFieldValues": {"summary": "x"}, "raiseOnBehalfOf": account(&site, "sam")}),
            ),
            403,
        ),
        (
            "rita",
            "GET",
            format!("/rest/servicedeskapi/request/{key}"),
            None,
            200,
        ),
        (
            "sam",
            "GET",
            format!("/rest/servicedeskapi/request/{key}"),
            None,
            404,
        ),
        (
            "rita",
            "GET",
            "/rest/servicedeskapi/request?start=0&limit=10".into(),
            None,
            200,
        ),
        (
            "ada",
            "GET",
            "/rest/api/3/user/bulk?accountId=nobody".into(),
            None,
            200,
        ),
        (
            "ada",
            "GET",
            format!("/rest/api/3/user/bulk?accountId={rita}&maxResults=5"),
            None,
            200,
        ),
        ("ada", "GET", "/rest/api/3/user/bulk".into(), None, 400),
    ];

    let mut covered = BTreeSet::new();
    for (who, method, path, body, expected) in calls {
        if let Some(b) = &body
            && expected < 400
        {
            spec_for(&path)
                .check_call(method, &path, Some(b))
                .unwrap_or_else(|e| panic!("test request does not conform: {e}"));
        }
        let r = call(&sim, &site, who, method, &path, body);
        assert_eq!(r.status, expected, "{method} {path} as {who}: {}", r.body);
        let doc = spec_for(&path);
        let template = doc.match_path(&path).expect("path in spec");
        covered.insert((method.to_string(), template.to_string()));
        let parsed: Value = if r.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&r.body).expect("JSON body")
        };
        doc.check_response(method, template, r.status, &parsed)
            .unwrap_or_else(|e| panic!("{e}\nbody: {}", r.body));
        if r.status >= 400 && path.starts_with("/rest/servicedeskapi/") {
            assert!(
                parsed["errorMessage"].is_string() && parsed["i18nErrorMessage"].is_object(),
                "{method} {path}: error body is not JSM's ErrorResponse: {}",
                r.body
            );
        } else if r.status >= 400 {
            assert!(
                parsed["errorMessages"].is_array() && parsed["errors"].is_object(),
                "{method} {path}: error body is not Jira's ErrorCollection: {}",
                r.body
            );
        }
    }
    for (method, template) in routes() {
        assert!(
            covered.contains(&(method.to_string(), template.to_string())),
            "{method} {template} not exercised"
        );
    }
    // The transition took effect and the link shows on the issue.
    let issue = call(
        &sim,
        &site,
        "ada",
        "GET",
        &format!("/rest/api/3/issue/{key}"),
        None,
    )
    .json();
    assert_eq!(issue["fields"]["status"]["name"], "Approved");
    assert_eq!(
        issue["fields"]["issuelinks"][0]["outwardIssue"]["key"],
        other.as_str()
    );
}

#[test]
fn unknown_paths_and_methods() {
    let (sim, site) = site();
    let header = |r: &SimResponse, name: &str| {
        r.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let jira_shape = |r: &SimResponse| {
        let v = r.json();
        assert!(v["errorMessages"][0].is_string(), "{}", r.body);
        assert_eq!(v["errors"], json!({}), "{}", r.body);
    };
    for path in [
        "/rest/api/3/nothing",
        "/rest/api/3/issue/AIR-1/nothing",
        "/rest/servicedeskapi/nothing",
        "/rest/api/2/myself",
    ] {
        let r = call(&sim, &site, "ada", "GET", path, None);
        assert_eq!(r.status, 404, "{path}");
        jira_shape(&r);
        assert!(header(&r, "Allow").is_none());
    }
    for (method, path, allow) in [
        ("DELETE", "/rest/api/3/myself", "GET"),
        ("DELETE", "/rest/api/3/issue/AIR-1", "GET, PUT"),
        ("PATCH", "/rest/api/3/search/jql", "GET, POST"),
        ("DELETE", "/rest/servicedeskapi/request", "GET, POST"),
    ] {
        let r = call(&sim, &site, "ada", method, path, None);
        assert_eq!(r.status, 405, "{method} {path}: {}", r.body);
        assert_eq!(
            header(&r, "Allow").as_deref(),
            Some(allow),
            "{method} {path}"
        );
        jira_shape(&r);
    }
}

#[test]
fn check_call_rejects_nonconforming_calls() {
    let s = spec();
    assert!(
        s.check_call("GET", "/rest/api/3/issue/AIR-1?fields=summary", None)
            .is_ok()
    );
    let body = json!({"fields": {"summary": "x"}, "properties": [{"key": "k", "value": 1}]});
    assert!(
        s.check_call("POST", "/rest/api/3/issue", Some(&body))
            .is_ok()
    );
    // Wrong method.
    let e = s
        .check_call("PATCH", "/rest/api/3/issue/AIR-1", None)
        .expect_err("method");
    assert!(e.contains("/rest/api/3/issue/{issueIdOrKey}"), "{e}");
    // Unknown path.
    let e = s
        .check_call("GET", "/rest/api/3/no/such/thing", None)
        .expect_err("path");
    assert!(e.contains("/rest/api/3/no/such/thing"), "{e}");
    // Body violating the schema: wrong type, unknown property where
    // additionalProperties is false, missing required property.
    let e = s
        .check_call(
            "POST",
            "/rest/api/3/issue",
            Some(&json!({"fields": "summary"})),
        )
        .expect_err("type");
    assert!(e.contains("body.fields") && e.contains("object"), "{e}");
    let e = s
        .check_call(
            "POST",
            "/rest/api/3/issue",
            Some(&json!({"properties": [{"key": "k", "value": 1, "extra": true}]})),
        )
        .expect_err("additional");
    assert!(e.contains("extra"), "{e}");
    let e = s
        .check_call(
            "POST",
            "/rest/api/3/issueLink",
            Some(&json!({"type": {"name": "Relates"}, "inwardIssue": {"key": "A-1"}})),
        )
        .expect_err("required");
    assert!(e.contains("outwardIssue"), "{e}");
    // Responses: undeclared status, wrong shape.
    assert!(
        s.check_response("GET", "/rest/api/3/myself", 418, &json!({}))
            .is_err()
    );
    assert!(
        s.check_response("GET", "/rest/api/3/myself", 200, &json!({"accountId": 5}))
            .is_err()
    );
    assert!(
        s.check_response(
            "GET",
            "/rest/api/3/myself",
            200,
            &json!({"accountId": "a", "x": 1})
        )
        .is_ok(),
        "lenient on additional properties in responses"
    );
    assert!(s.has_operation("get", "/rest/api/3/issue/{issueIdOrKey}"));
    assert!(!s.has_operation("PATCH", "/rest/api/3/issue/{issueIdOrKey}"));
}
