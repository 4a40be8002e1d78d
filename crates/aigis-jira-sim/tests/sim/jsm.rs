//! JSM `servicedeskapi`: service desks, request types and customer requests.

use aigis_jira_sim::{DemoSite, JiraSim, SimResponse};
use serde_json::{Value, json};

use super::*;

fn conforms(method: &str, template: &str, r: &SimResponse) -> Value {
    let v = r.json();
    jsm_spec()
        .check_response(method, template, r.status, &v)
        .unwrap_or_else(|e| panic!("{e}\nbody: {}", r.body));
    v
}

fn new_request(sim: &JiraSim, site: &DemoSite, who: &str, extra: Value) -> SimResponse {
    let mut body = json!({
        "serviceDeskId": site.service_desk_id,
        "requestTypeId": site.request_type_id,
        "requestFieldValues": {"summary": "Access to Claude", "description": "For ticket summaries\nand triage"},
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    call(
        sim,
        site,
        who,
        "POST",
        "/rest/servicedeskapi/request",
        Some(body),
    )
}

#[test]
fn service_desks_and_request_types_page_like_jsm() {
    let (sim, site) = site();
    let r = call(
        &sim,
        &site,
        "rita",
        "GET",
        "/rest/servicedeskapi/servicedesk",
        None,
    );
    let v = conforms("GET", "/rest/servicedeskapi/servicedesk", &r);
    assert_eq!(v["size"], 1);
    assert_eq!(v["start"], 0);
    assert_eq!(v["isLastPage"], true);
    assert_eq!(v["values"][0]["projectKey"], "AIR");
    assert_eq!(v["values"][0]["id"], site.service_desk_id.as_str());
    assert_eq!(
        v["_links"]["base"],
        format!("{}/rest/servicedeskapi", sim.base_url())
    );
    let sd = &site.service_desk_id;
    sim.create_request_type(sd, "New AI tool", "Service Request")
        .expect("rt");
    let path = format!("/rest/servicedeskapi/servicedesk/{sd}/requesttype");
    let page1 = conforms(
        "GET",
        "/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype",
        &call(&sim, &site, "rita", "GET", &format!("{path}?limit=1"), None),
    );
    assert_eq!(page1["size"], 1);
    assert_eq!(page1["isLastPage"], false);
    assert_eq!(page1["values"][0]["name"], "AI tool access");
    assert!(
        page1["_links"]["next"]
            .as_str()
            .expect("next")
            .ends_with("start=1&limit=1")
    );
    let page2 = call(
        &sim,
        &site,
        "rita",
        "GET",
        &format!("{path}?start=1&limit=1"),
        None,
    )
    .json();
    assert_eq!(page2["values"][0]["name"], "New AI tool");
    assert_eq!(page2["isLastPage"], true);
    let found = call(
        &sim,
        &site,
        "rita",
        "GET",
        &format!("{path}?searchQuery=new"),
        None,
    )
    .json();
    assert_eq!(found["size"], 1);
    // The project key works as the service desk id; a request type of the
    // desk resolves under it, with its own self link.
    let rt = call(
        &sim,
        &site,
        "rita",
        "GET",
        &format!(
            "/rest/servicedeskapi/servicedesk/AIR/requesttype/{}",
            site.request_type_id
        ),
        None,
    );
    let rt = conforms(
        "GET",
        "/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}",
        &rt,
    );
    assert_eq!(rt["issueTypeId"], "10002");
    let me = call(
        &sim,
        &site,
        "rita",
        "GET",
        rt["_links"]["self"]
            .as_str()
            .expect("self")
            .trim_start_matches(&sim.base_url()),
        None,
    );
    assert_eq!(me.status, 200);
    assert_eq!(
        call(
            &sim,
            &site,
            "rita",
            "GET",
            "/rest/servicedeskapi/servicedesk/x?limit=z",
            None
        )
        .status,
        404
    );
    let bad = call(
        &sim,
        &site,
        "rita",
        "GET",
        "/rest/servicedeskapi/servicedesk?limit=z",
        None,
    );
    assert_eq!(bad.status, 400);
    assert!(bad.json()["errorMessage"].is_string());
}

#[test]
fn a_request_is_created_as_the_platform_creates_an_issue() {
    let (sim, site) = site();
    let r = new_request(
        &sim,
        &site,
        "rita",
        json!({"properties": [{"key": "aigis.snapshot.v1", "value": {"toolId": "claude", "durationDays": 30}}]}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let v = conforms("POST", "/rest/servicedeskapi/request", &r);
    assert_eq!(v["issueKey"], "AIR-1");
    assert_eq!(v["issueId"], "10000");
    assert_eq!(v["requestTypeId"], site.request_type_id.as_str());
    assert_eq!(v["serviceDeskId"], site.service_desk_id.as_str());
    assert_eq!(v["reporter"]["accountId"], account(&site, "rita").as_str());
    assert_eq!(v["reporter"]["emailAddress"], "rita@aigis.example");
    assert_eq!(v["currentStatus"]["status"], "Open");
    assert_eq!(v["currentStatus"]["statusCategory"], "NEW");
    assert_eq!(v["createdDate"]["epochMillis"], T0);
    assert_eq!(v["createdDate"]["jira"], "2026-11-23T12:00:00.000+0000");
    assert_eq!(
        v["requestFieldValues"][1]["value"],
        "For ticket summaries\nand triage"
    );
    assert_eq!(
        v["_links"]["self"],
        format!("{}/rest/servicedeskapi/request/10000", sim.base_url())
    );
    assert_eq!(
        v["_links"]["web"],
        format!(
            "{}/servicedesk/customer/portal/{}/AIR-1",
            sim.base_url(),
            site.portal_id
        )
    );
    // The same product event as a platform create, the properties in place.
    let events = sim.pending_events().expect("events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, "avi:jira:created:issue");
    assert_eq!(events[0].payload["issue"]["key"], "AIR-1");
    assert_eq!(
        events[0].payload["issue"]["fields"]["issuetype"]["name"],
        "Service Request"
    );
    let prop = sim.handle_as(
        None,
        "GET",
        "/rest/api/3/issue/AIR-1/properties/aigis.snapshot.v1",
        &[],
        None,
    );
    assert_eq!(prop.json()["value"]["toolId"], "claude");
    // The issue: description in ADF, request type field, its links answer.
    let issue = sim
        .handle_as(None, "GET", "/rest/api/3/issue/AIR-1", &[], None)
        .json();
    assert_eq!(
        issue["fields"]["description"]["content"][1]["content"][0]["text"],
        "and triage"
    );
    let cf = &issue["fields"]["customfield_10010"];
    assert_eq!(cf["requestType"]["id"], site.request_type_id.as_str());
    assert_eq!(
        cf["requestType"]["serviceDeskId"],
        site.service_desk_id.as_str()
    );
    for link in [&cf["_links"]["self"], &cf["requestType"]["_links"]["self"]] {
        let path = link
            .as_str()
            .expect("link")
            .trim_start_matches(&sim.base_url())
            .to_string();
        let r = call(&sim, &site, "rita", "GET", &path, None);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
    }
    // Rita reads it back; Sam may not; an agent may; a non-request issue is not a request.
    let mine = call(
        &sim,
        &site,
        "rita",
        "GET",
        "/rest/servicedeskapi/request/AIR-1?expand=requestType,serviceDesk",
        None,
    );
    let mine = conforms("GET", "/rest/servicedeskapi/request/{issueIdOrKey}", &mine);
    assert_eq!(mine["requestType"]["name"], "AI tool access");
    assert_eq!(mine["serviceDesk"]["projectKey"], "AIR");
    assert_eq!(
        call(
            &sim,
            &site,
            "sam",
            "GET",
            "/rest/servicedeskapi/request/10000",
            None
        )
        .status,
        404
    );
    assert_eq!(
        call(
            &sim,
            &site,
            "arlo",
            "GET",
            "/rest/servicedeskapi/request/10000",
            None
        )
        .status,
        200
    );
    let ops = json!({"fields": {"project": {"key": "OPS"}, "issuetype": {"name": "Task"}, "summary": "Ops"}});
    assert_eq!(
        call(&sim, &site, "ada", "POST", "/rest/api/3/issue", Some(ops)).status,
        201
    );
    let r = call(
        &sim,
        &site,
        "ada",
        "GET",
        "/rest/servicedeskapi/request/OPS-1",
        None,
    );
    assert_eq!(r.status, 404);
    conforms("GET", "/rest/servicedeskapi/request/{issueIdOrKey}", &r);
}

#[test]
fn raise_on_behalf_participants_and_adf() {
    let (sim, site) = site();
    let rita = account(&site, "rita");
    // An agent raises for a customer: the customer is the reporter.
    let r = new_request(
        &sim,
        &site,
        "arlo",
        json!({"raiseOnBehalfOf": rita, "requestParticipants": [account(&site, "sam")], "channel": "api"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["reporter"]["accountId"], rita.as_str());
    let ev = &sim.pending_events().expect("events")[0];
    assert_eq!(
        ev.payload["associatedUsers"].as_array().map(Vec::len),
        Some(2)
    );
    // By e-mail too; a customer may name only themselves.
    assert_eq!(
        new_request(
            &sim,
            &site,
            "arlo",
            json!({"raiseOnBehalfOf": "sam@aigis.example"})
        )
        .json()["reporter"]["displayName"],
        "Sam Requester"
    );
    assert_eq!(
        new_request(&sim, &site, "rita", json!({"raiseOnBehalfOf": rita})).status,
        201
    );
    let r = new_request(
        &sim,
        &site,
        "rita",
        json!({"raiseOnBehalfOf": account(&site, "sam")}),
    );
    assert_eq!(r.status, 403);
    assert_eq!(
        new_request(
            &sim,
            &site,
            "rita",
            json!({"requestParticipants": [account(&site, "sam")]})
        )
        .status,
        403
    );
    // isAdfRequest: the description is a document.
    let r = new_request(
        &sim,
        &site,
        "rita",
        json!({"isAdfRequest": true, "requestFieldValues": {"summary": "S", "description": adf("Rich")}}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["requestFieldValues"][1]["value"], "Rich");
    let before = sim.pending_events().expect("events").len();
    for (extra, param) in [
        (
            json!({"requestFieldValues": {"description": "no summary"}}),
            Some("summary"),
        ),
        (
            json!({"requestFieldValues": {"summary": " "}}),
            Some("summary"),
        ),
        (
            json!({"requestFieldValues": {"summary": "x", "priority": "High"}}),
            Some("priority"),
        ),
        (
            json!({"isAdfRequest": true, "requestFieldValues": {"summary": "x", "description": "plain"}}),
            Some("description"),
        ),
        (
            json!({"requestFieldValues": {"summary": "x", "description": {"a": 1}}}),
            Some("description"),
        ),
        (json!({"serviceDeskId": "99"}), None),
        (json!({"requestTypeId": "99"}), None),
        (json!({"requestTypeId": null}), None),
        (json!({"raiseOnBehalfOf": "nobody"}), None),
        (json!({"requestParticipants": ["nobody"]}), None),
        (json!({"properties": [{"key": ""}]}), None),
    ] {
        let r = new_request(&sim, &site, "ada", extra.clone());
        assert_eq!(r.status, 400, "{extra}: {}", r.body);
        let v = conforms("POST", "/rest/servicedeskapi/request", &r);
        assert!(v["errorMessage"].is_string(), "{extra}");
        if let Some(p) = param {
            assert_eq!(v["i18nErrorMessage"]["parameters"][0], p, "{extra}: {v}");
        }
    }
    assert_eq!(
        sim.pending_events().expect("events").len(),
        before,
        "a refused request writes nothing"
    );
    let r = sim.handle_http(
        "POST",
        "/rest/servicedeskapi/request",
        &auth(&site, "rita"),
        Some("{oops"),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.json()["errorMessage"]
            .as_str()
            .expect("message")
            .contains("line 1")
    );
}

/// JSM customers and accounts without Jira access use the portal only:
/// through `/rest/api/3` they see no issue (not even their own), create
/// none and find nobody; through `servicedeskapi` they raise requests and
/// see their own, and nobody else's.
#[test]
fn portal_only_accounts_are_as_limited_as_on_jira() {
    let (sim, site) = site();
    let (_, ritas) = create_request(&sim, &site, "rita");
    for who in ["cora", "uma"] {
        let r = new_request(&sim, &site, who, json!({}));
        assert_eq!(r.status, 201, "{who}: {}", r.body);
        let key = r.json()["issueKey"].as_str().expect("key").to_owned();
        let me = call(&sim, &site, who, "GET", "/rest/api/3/myself", None).json();
        let expected_type = if who == "cora" {
            "customer"
        } else {
            "atlassian"
        };
        assert_eq!(me["accountType"], expected_type, "{who}");
        // Platform REST: no browse, no search, no user search, no create.
        for path in [
            format!("/rest/api/3/issue/{key}"),
            format!("/rest/api/3/issue/{key}/comment"),
            format!("/rest/api/3/issue/{key}/properties"),
            format!("/rest/api/3/issue/{ritas}"),
        ] {
            let r = call(&sim, &site, who, "GET", &path, None);
            assert_eq!(r.status, 404, "{who} {path}: {}", r.body);
        }
        let found = call(
            &sim,
            &site,
            who,
            "GET",
            &format!("/rest/api/3/search/jql?jql=key%3D{key}"),
            None,
        )
        .json();
        assert_eq!(found["issues"], json!([]), "{who}");
        let users = call(
            &sim,
            &site,
            who,
            "GET",
            "/rest/api/3/user/search?query=a",
            None,
        );
        assert_eq!((users.status, users.json()), (200, json!([])), "{who}");
        let create = call(
            &sim,
            &site,
            who,
            "POST",
            "/rest/api/3/issue",
            Some(
                json!({"fields": {"project": {"key": "AIR"}, "issuetype": {"name": "Task"}, "summary": "x"}}),
            ),
        );
        assert_eq!(create.status, 400, "{who}: {}", create.body);
        assert!(
            create.json()["errors"]["project"]
                .as_str()
                .is_some_and(|m| m.contains("permission"))
        );
        // servicedeskapi: their own request, and only theirs.
        let own = call(
            &sim,
            &site,
            who,
            "GET",
            &format!("/rest/servicedeskapi/request/{key}"),
            None,
        );
        assert_eq!(own.status, 200, "{who}");
        let other = call(
            &sim,
            &site,
            who,
            "GET",
            &format!("/rest/servicedeskapi/request/{ritas}"),
            None,
        );
        assert_eq!(other.status, 404, "{who}");
        let mine = conforms(
            "GET",
            "/rest/servicedeskapi/request",
            &call(
                &sim,
                &site,
                who,
                "GET",
                "/rest/servicedeskapi/request",
                None,
            ),
        );
        let keys: Vec<&str> = mine["values"]
            .as_array()
            .expect("values")
            .iter()
            .filter_map(|v| v["issueKey"].as_str())
            .collect();
        assert_eq!(keys, vec![key.as_str()], "{who}");
    }
    // A licensed requester still browses their own issue.
    let r = call(
        &sim,
        &site,
        "rita",
        "GET",
        &format!("/rest/api/3/issue/{ritas}"),
        None,
    );
    assert_eq!(r.status, 200);
}
