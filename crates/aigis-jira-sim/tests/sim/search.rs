//! `search/jql`: the clauses the app and UI use, paging, visibility, errors.

use aigis_jira_sim::{DemoSite, JiraSim, SimResponse};
use serde_json::{Value, json};

use super::*;

fn enc(q: &str) -> String {
    q.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn search(sim: &JiraSim, site: &DemoSite, who: &str, jql: &str, extra: &str) -> SimResponse {
    let r = call(
        sim,
        site,
        who,
        "GET",
        &format!(
            "/rest/api/3/search/jql?jql={}&fields=summary{extra}",
            enc(jql)
        ),
        None,
    );
    if r.status == 200 {
        spec()
            .check_response("GET", "/rest/api/3/search/jql", 200, &r.json())
            .expect("SearchAndReconcileResults");
    }
    r
}

fn keys(r: &SimResponse) -> Vec<String> {
    r.json()["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|i| i["key"].as_str().expect("key").to_string())
        .collect()
}

/// Three AIR requests (Rita, Sam, Rita with another tool) and one OPS task,
/// a minute apart; AIR-1 approved.
fn seeded() -> (JiraSim, DemoSite) {
    let (sim, site) = site();
    let mk = |who: &str, tool: &str, minute: i64| {
        sim.set_clock(T0 + minute * 60_000);
        let body = json!({
            "fields": {
                "project": {"key": "AIR"},
                "issuetype": {"name": "Service Request"},
                "summary": format!("Access to {tool}"),
                "customfield_10010": site.request_type_id,
                "labels": ["ai", tool],
            },
            "properties": [{"key": "aigis.snapshot.v1", "value": {"toolId": tool, "durationDays": 30, "tags": ["x", tool]}}],
        });
        let r = call(&sim, &site, who, "POST", "/rest/api/3/issue", Some(body));
        assert_eq!(r.status, 201, "{}", r.body);
    };
    mk("rita", "claude", 0);
    mk("sam", "copilot", 1);
    mk("rita", "gemini", 2);
    sim.set_clock(T0 + 3 * 60_000);
    let ops = json!({"fields": {"project": {"key": "OPS"}, "issuetype": {"name": "Task"}, "summary": "Rotate keys"}});
    assert_eq!(
        call(&sim, &site, "ada", "POST", "/rest/api/3/issue", Some(ops)).status,
        201
    );
    let t = call(
        &sim,
        &site,
        "ada",
        "GET",
        "/rest/api/3/issue/AIR-1/transitions",
        None,
    )
    .json();
    let approve = t["transitions"][0]["id"].clone();
    let r = call(
        &sim,
        &site,
        "ada",
        "POST",
        "/rest/api/3/issue/AIR-1/transitions",
        Some(json!({"transition": {"id": approve}})),
    );
    assert_eq!(r.status, 204);
    (sim, site)
}

#[test]
fn clauses_the_app_and_ui_use() {
    let (sim, site) = seeded();
    let rita = account(&site, "rita");
    let cases: Vec<(String, Vec<&str>)> = vec![
        ("project = AIR".into(), vec!["AIR-3", "AIR-2", "AIR-1"]),
        (
            "project = air ORDER BY created ASC".into(),
            vec!["AIR-1", "AIR-2", "AIR-3"],
        ),
        (
            "project in (AIR, OPS) ORDER BY created DESC".into(),
            vec!["OPS-1", "AIR-3", "AIR-2", "AIR-1"],
        ),
        (
            "project = \"AI Requests\" AND status = \"Approved\"".into(),
            vec!["AIR-1"],
        ),
        (
            "project = AIR AND status != Approved ORDER BY key".into(),
            vec!["AIR-2", "AIR-3"],
        ),
        (
            format!("reporter = {rita} ORDER BY created"),
            vec!["AIR-1", "AIR-3"],
        ),
        (
            "reporter = currentUser() ORDER BY created".into(),
            vec!["OPS-1"],
        ),
        (
            "issue.property[aigis.snapshot.v1].toolId = \"copilot\"".into(),
            vec!["AIR-2"],
        ),
        (
            "issue.property[aigis.snapshot.v1].toolId in (claude, gemini) ORDER BY key".into(),
            vec!["AIR-1", "AIR-3"],
        ),
        (
            "issue.property[aigis.snapshot.v1].durationDays = 30 AND key = AIR-2".into(),
            vec!["AIR-2"],
        ),
        (
            "issue.property[aigis.snapshot.v1].tags = gemini".into(),
            vec!["AIR-3"],
        ),
        (
            "issue.property[aigis.snapshot.v1].toolId is EMPTY".into(),
            vec!["OPS-1"],
        ),
        (
            "issue.property[aigis.snapshot.v1].toolId != claude AND project = AIR ORDER BY key"
                .into(),
            vec!["AIR-2", "AIR-3"],
        ),
        ("key = AIR-2".into(), vec!["AIR-2"]),
        (
            "key in (AIR-1, OPS-1) ORDER BY key".into(),
            vec!["AIR-1", "OPS-1"],
        ),
        (
            "id > AIR-1 AND project = AIR ORDER BY id".into(),
            vec!["AIR-2", "AIR-3"],
        ),
        ("labels = copilot".into(), vec!["AIR-2"]),
        ("labels is EMPTY".into(), vec!["OPS-1"]),
        (
            "summary ~ \"ACCESS to c\" ORDER BY key".into(),
            vec!["AIR-1", "AIR-2"],
        ),
        (
            "\"Request Type\" = \"AI tool access\" AND NOT reporter = currentUser() ORDER BY key"
                .into(),
            vec!["AIR-1", "AIR-2", "AIR-3"],
        ),
        ("cf[10010] is EMPTY".into(), vec!["OPS-1"]),
        ("type = Task".into(), vec!["OPS-1"]),
        (
            "(project = OPS OR status = Approved) AND created >= \"2026-11-23\" ORDER BY key"
                .into(),
            vec!["AIR-1", "OPS-1"],
        ),
        (
            "created > \"2026-11-23 12:01\" ORDER BY created".into(),
            vec!["AIR-3", "OPS-1"],
        ),
        (
            "created >= -2m ORDER BY created".into(),
            vec!["AIR-2", "AIR-3", "OPS-1"],
        ),
        ("assignee is EMPTY AND project = OPS".into(), vec!["OPS-1"]),
        (
            "reporter in membersOf(\"ai-users\") ORDER BY key".into(),
            vec!["AIR-1", "AIR-2", "AIR-3"],
        ),
    ];
    for (jql, want) in cases {
        let r = search(&sim, &site, "ada", &jql, "");
        assert_eq!(r.status, 200, "{jql}: {}", r.body);
        assert_eq!(keys(&r), want, "{jql}");
        assert_eq!(r.json()["isLast"], true, "{jql}");
    }
    // currentUser() is the caller; a customer sees only what they reported.
    let r = search(
        &sim,
        &site,
        "rita",
        "reporter = currentUser() ORDER BY key",
        "",
    );
    assert_eq!(keys(&r), vec!["AIR-1", "AIR-3"]);
    let r = search(&sim, &site, "sam", "project in (AIR, OPS)", "");
    assert_eq!(keys(&r), vec!["AIR-2"]);
}

#[test]
fn fields_properties_and_the_default_of_ids_only() {
    let (sim, site) = seeded();
    let q = enc("key = AIR-2");
    let only_ids = call(
        &sim,
        &site,
        "ada",
        "GET",
        &format!("/rest/api/3/search/jql?jql={q}"),
        None,
    )
    .json();
    assert_eq!(only_ids["issues"], json!([{"id": "10001"}]));
    let r = call(
        &sim,
        &site,
        "ada",
        "GET",
        &format!("/rest/api/3/search/jql?jql={q}&fields=summary&fields=-status,labels&properties=aigis.snapshot.v1&expand=names"),
        None,
    )
    .json();
    let issue = &r["issues"][0];
    assert_eq!(issue["key"], "AIR-2");
    let fields: Vec<&String> = issue["fields"]
        .as_object()
        .expect("fields")
        .keys()
        .collect();
    assert_eq!(fields, vec!["labels", "summary"]);
    assert_eq!(
        issue["properties"]["aigis.snapshot.v1"]["toolId"],
        "copilot"
    );
    assert_eq!(r["names"]["summary"], "Summary");
    let all = call(
        &sim,
        &site,
        "ada",
        "POST",
        "/rest/api/3/search/jql",
        Some(
            json!({"jql": "key = AIR-2", "fields": ["*all", "-issuelinks"], "expand": null, "properties": null}),
        ),
    );
    assert_eq!(all.status, 200, "{}", all.body);
    let f = &all.json()["issues"][0]["fields"];
    assert_eq!(
        f["customfield_10010"]["requestType"]["name"],
        "AI tool access"
    );
    assert!(f.get("issuelinks").is_none());
    assert_eq!(f["status"]["name"], "Open");
}

#[test]
fn next_page_token_walks_every_issue_once() {
    let (sim, site) = seeded();
    let jql = "project in (AIR, OPS) ORDER BY key DESC";
    let mut seen: Vec<String> = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..10 {
        let extra = match &token {
            Some(t) => format!("&maxResults=3&nextPageToken={}", enc(t)),
            None => "&maxResults=3".into(),
        };
        let r = search(&sim, &site, "ada", jql, &extra);
        assert_eq!(r.status, 200, "{}", r.body);
        let v = r.json();
        seen.extend(keys(&r));
        match v["nextPageToken"].as_str() {
            Some(t) => {
                assert_eq!(v["isLast"], false);
                token = Some(t.to_string());
            }
            None => {
                assert_eq!(v["isLast"], true);
                break;
            }
        }
    }
    assert_eq!(seen, vec!["OPS-1", "AIR-3", "AIR-2", "AIR-1"]);
    // The same through POST, two at a time.
    let first = call(
        &sim,
        &site,
        "ada",
        "POST",
        "/rest/api/3/search/jql",
        Some(json!({"jql": jql, "maxResults": 2, "fields": ["summary"]})),
    )
    .json();
    let token = first["nextPageToken"]
        .as_str()
        .expect("a next page")
        .to_string();
    let second = call(
        &sim,
        &site,
        "ada",
        "POST",
        "/rest/api/3/search/jql",
        Some(json!({"jql": jql, "maxResults": 2, "fields": ["summary"], "nextPageToken": token})),
    );
    assert_eq!(keys(&second), vec!["AIR-2", "AIR-1"]);
    assert!(second.json().get("nextPageToken").is_none());
    // A token of another query is refused.
    let r = search(
        &sim,
        &site,
        "ada",
        "project = OPS",
        &format!("&nextPageToken={}", enc(&token)),
    );
    assert_eq!(r.status, 400);
}

#[test]
fn bad_queries_are_400_in_jiras_words() {
    let (sim, site) = seeded();
    let cases = [
        (
            "project AIR",
            "Error in the JQL Query: Expecting operator but got 'AIR'.",
        ),
        (
            "project = AIR AND",
            "Error in the JQL Query: Expecting a field name but got the end of the query.",
        ),
        (
            "summary ~ \"open",
            "Error in the JQL Query: The quoted string 'open' has not been completed.",
        ),
        (
            "project = NOPE",
            "The value 'NOPE' does not exist for the field 'project'.",
        ),
        (
            "status = Lost",
            "The value 'Lost' does not exist for the field 'status'.",
        ),
        (
            "priority = High",
            "Field 'priority' does not exist or you do not have permission to view it.",
        ),
        (
            "project ~ AIR",
            "The operator '~' is not supported by the 'project' field.",
        ),
        (
            "summary = x",
            "The operator '=' is not supported by the 'summary' field.",
        ),
        (
            "reporter = nobody",
            "The value 'nobody' does not exist for the field 'reporter'.",
        ),
        (
            "key = AIR-99",
            "An issue with key 'AIR-99' does not exist for field 'key'.",
        ),
        (
            "created > yesterday",
            "Date value 'yesterday' for field 'created' is invalid.",
        ),
        (
            "reporter = whoever()",
            "Unable to find JQL function 'whoever()'.",
        ),
        (
            r#"issue.property[aigis.snapshot.v1].a"b" = x"#,
            "Error in the JQL Query",
        ),
        (
            "issue.property[aigis.snapshot.v1].a:b = x",
            "Field 'issue.property[aigis.snapshot.v1].a:b' does not exist",
        ),
        (
            "issue.property[].x = 1",
            "Field 'issue.property[].x' does not exist",
        ),
        (
            "project = AIR ORDER BY priority",
            "Not able to sort using field 'priority'.",
        ),
        (
            "ORDER BY created DESC",
            "Unbounded JQL queries are not allowed here.",
        ),
        ("", "Unbounded JQL queries are not allowed here."),
    ];
    for (jql, starts) in cases {
        let r = search(&sim, &site, "ada", jql, "");
        assert_eq!(r.status, 400, "{jql}: {}", r.body);
        let v = r.json();
        let msg = v["errorMessages"][0].as_str().unwrap_or_default();
        assert!(msg.starts_with(starts), "{jql}: {msg}");
        assert_eq!(v["errors"], json!({}));
    }
    let r = call(
        &sim,
        &site,
        "ada",
        "POST",
        "/rest/api/3/search/jql",
        Some(json!({"jql": 5})),
    );
    assert_eq!(r.status, 400);
    let r = call(&sim, &site, "ada", "POST", "/rest/api/3/search/jql", None);
    assert_eq!(r.status, 400);
    let r = call(
        &sim,
        &site,
        "ada",
        "GET",
        &format!(
            "/rest/api/3/search/jql?jql={}&maxResults=lots",
            enc("project = AIR")
        ),
        None,
    );
    assert_eq!(r.status, 400);
    let _: Value = r.json();
}
