//! An in-process Jira: just the REST v3 routes Aigis calls, over plain
//! maps, answering the shapes the real Jira (and `aigis-jira-sim`) answer.
//! Fast and deterministic, so thousands of seeds run in seconds; faults are
//! added around it by the simulated port (`ports`), not in here.

use aigis_platform::HttpResponse;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub const PROJECT: &str = "AIG";
pub const APPROVERS: &str = "aigis-approvers";
/// Issue types the project has (a review type outside these is refused).
const ISSUE_TYPES: &[&str] = &["Service Request", "Task"];

#[derive(Debug, Clone)]
pub struct User {
    pub account: String,
    pub name: String,
    pub groups: Vec<String>,
    pub admin: bool,
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: u64,
    pub body: Value,
    pub marker: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Issue {
    pub id: String,
    pub key: String,
    pub reporter: String,
    pub creator: String,
    pub summary: String,
    pub issue_type: String,
    pub status: String,
    pub properties: BTreeMap<String, Value>,
    pub comments: Vec<Comment>,
    pub links: Vec<String>,
}

/// The simulated site: users, issues, their comments and transitions.
pub struct FakeJira {
    pub users: Vec<User>,
    pub issues: Vec<Issue>,
    index: BTreeMap<String, usize>,
    next_comment: u64,
    /// Every transition done: (issue id, status reached).
    pub transitions: Vec<(String, String)>,
    /// Calls answered (faults injected by the port are not counted).
    pub calls: u64,
}

/// The e-mail address Jira shows for an account: `<name>@sim.example`,
/// except Tom, whose profile hides it (his identity cannot be matched).
pub fn email_of(account: &str) -> Option<String> {
    let name = account.strip_prefix("acc-")?;
    (name != "tom").then(|| format!("{name}@sim.example"))
}

fn user(account: &str, name: &str, groups: &[&str], admin: bool) -> User {
    User {
        account: account.to_owned(),
        name: name.to_owned(),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        admin,
    }
}

impl Default for FakeJira {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeJira {
    /// The cast: one admin, three approvers (one also requests access),
    /// three requesters and an agent who raises requests for others.
    pub fn new() -> FakeJira {
        FakeJira {
            users: vec![
                user("acc-ada", "Ada Admin", &["jira-admins"], true),
                user("acc-arlo", "Arlo Approver", &[APPROVERS, "staff"], false),
                user("acc-bea", "Bea Approver", &[APPROVERS], false),
                user("acc-cole", "Cole Approver", &[APPROVERS, "staff"], false),
                user("acc-rita", "Rita Requester", &["staff"], false),
                user("acc-sam", "Sam Requester", &["staff"], false),
                user("acc-tom", "Tom Requester", &[], false),
                user("acc-ravi", "Ravi Agent", &["agents"], false),
            ],
            issues: Vec::new(),
            index: BTreeMap::new(),
            next_comment: 10_000,
            transitions: Vec::new(),
            calls: 0,
        }
    }

    fn add_issue(&mut self, mut issue: Issue) -> (String, String) {
        let n = self.issues.len() + 1;
        issue.id = format!("{}", 10_000 + n);
        issue.key = format!("{PROJECT}-{n}");
        self.index.insert(issue.id.clone(), self.issues.len());
        self.index.insert(issue.key.clone(), self.issues.len());
        let out = (issue.id.clone(), issue.key.clone());
        self.issues.push(issue);
        out
    }

    /// A portal request raised by `creator` for `reporter`, with the snapshot property.
    pub fn portal_request(
        &mut self,
        reporter: &str,
        creator: &str,
        snapshot: Value,
    ) -> (String, String) {
        let mut properties = BTreeMap::new();
        properties.insert(aigis_core::snapshot::PROPERTY_KEY.to_owned(), snapshot);
        self.add_issue(Issue {
            id: String::new(),
            key: String::new(),
            reporter: reporter.to_owned(),
            creator: creator.to_owned(),
            summary: "AI tool access".into(),
            issue_type: "Service Request".into(),
            status: "Waiting for support".into(),
            properties,
            comments: Vec::new(),
            links: Vec::new(),
        })
    }

    pub fn issue(&self, id_or_key: &str) -> Option<&Issue> {
        self.index.get(id_or_key).map(|&i| &self.issues[i])
    }

    fn issue_mut(&mut self, id_or_key: &str) -> Option<&mut Issue> {
        self.index.get(id_or_key).map(|&i| &mut self.issues[i])
    }

    /// How many comments carry each notice marker.
    pub fn marker_counts(&self) -> BTreeMap<String, u32> {
        let mut out = BTreeMap::new();
        for c in self.issues.iter().flat_map(|i| &i.comments) {
            if let Some(m) = &c.marker {
                *out.entry(m.clone()).or_insert(0) += 1;
            }
        }
        out
    }

    fn find_user(&self, account: &str) -> Option<&User> {
        self.users.iter().find(|u| u.account == account)
    }

    /// Answers one REST call, as `as_user` (`None`: the app).
    pub fn handle(
        &mut self,
        as_user: Option<&str>,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> HttpResponse {
        self.calls += 1;
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let q = |name: &str| -> Option<String> {
            query.split('&').find_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                (k == name).then(|| decode(v))
            })
        };
        let Some(rest) = path.strip_prefix("/rest/api/3/") else {
            return not_found();
        };
        let segs: Vec<String> = rest.split('/').map(decode).collect();
        let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
        let body: Value = body
            .and_then(|b| serde_json::from_str(b).ok())
            .unwrap_or(Value::Null);
        match (method, segs.as_slice()) {
            ("GET", ["mypermissions"]) => {
                let admin = as_user
                    .and_then(|a| self.find_user(a))
                    .is_some_and(|u| u.admin);
                ok(json!({"permissions": {"ADMINISTER": {"havePermission": admin}}}))
            }
            ("GET", ["user", "groups"]) => {
                match q("accountId").and_then(|a| self.find_user(&a).cloned()) {
                    Some(u) => ok(Value::Array(
                        u.groups
                            .iter()
                            .map(|g| json!({"name": g, "groupId": g}))
                            .collect(),
                    )),
                    None => not_found(),
                }
            }
            ("GET", ["user"]) => match q("accountId").and_then(|a| self.find_user(&a).cloned()) {
                Some(u) => {
                    let mut v =
                        json!({"accountId": u.account, "displayName": u.name, "timeZone": "UTC"});
                    // Jira leaves `emailAddress` out when the profile hides it.
                    if let Some(e) = email_of(&u.account) {
                        v["emailAddress"] = json!(e);
                    }
                    ok(v)
                }
                None => not_found(),
            },
            ("GET", ["project", _, "role", _]) => not_found(),
            ("POST", ["issue"]) => self.create_issue(&body),
            ("POST", ["issueLink"]) => {
                let (Some(a), Some(b)) = (
                    body["inwardIssue"]["key"].as_str(),
                    body["outwardIssue"]["key"].as_str(),
                ) else {
                    return status(400, json!({"errorMessages": ["both issues are required"]}));
                };
                let (a, b) = (a.to_owned(), b.to_owned());
                if self.issue(&b).is_none() {
                    return not_found();
                }
                match self.issue_mut(&a) {
                    Some(i) => {
                        i.links.push(b);
                        status(201, Value::Null)
                    }
                    None => not_found(),
                }
            }
            ("GET", ["search", "jql"]) => {
                let jql = q("jql").unwrap_or_default();
                let grant = jql
                    .split("grantId = \"")
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .unwrap_or("");
                let prop = "aigis.review.v1";
                let issues: Vec<Value> = self
                    .issues
                    .iter()
                    .filter(|i| i.properties.get(prop).is_some_and(|v| v["grantId"] == grant))
                    .map(|i| json!({"id": i.id, "key": i.key, "fields": {"summary": i.summary}, "properties": {prop: i.properties[prop]}}))
                    .collect();
                ok(json!({"issues": issues}))
            }
            (m, ["issue", id, more @ ..]) => {
                let id = (*id).to_owned();
                let more: Vec<String> = more.iter().map(|s| (*s).to_owned()).collect();
                let start = q("startAt").and_then(|s| s.parse().ok()).unwrap_or(0usize);
                let max = q("maxResults")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(50usize);
                self.issue_route(m, &id, &more, &body, start, max)
            }
            _ => not_found(),
        }
    }

    fn create_issue(&mut self, body: &Value) -> HttpResponse {
        let f = &body["fields"];
        if f["project"]["key"] != PROJECT {
            return status(
                400,
                json!({"errorMessages": [], "errors": {"project": "valid project is required"}}),
            );
        }
        let issue_type = f["issuetype"]["name"].as_str().unwrap_or("");
        if !ISSUE_TYPES.contains(&issue_type) {
            return status(
                400,
                json!({"errorMessages": [], "errors": {"issuetype": "The issue type selected is invalid."}}),
            );
        }
        let mut properties = BTreeMap::new();
        for p in body["properties"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            if let Some(k) = p["key"].as_str() {
                properties.insert(k.to_owned(), p["value"].clone());
            }
        }
        let (id, key) = self.add_issue(Issue {
            id: String::new(),
            key: String::new(),
            reporter: String::new(),
            creator: String::new(),
            summary: f["summary"].as_str().unwrap_or("").to_owned(),
            issue_type: issue_type.to_owned(),
            status: "Open".into(),
            properties,
            comments: Vec::new(),
            links: Vec::new(),
        });
        status(201, json!({"id": id, "key": key}))
    }

    fn issue_route(
        &mut self,
        method: &str,
        id: &str,
        more: &[String],
        body: &Value,
        start: usize,
        max: usize,
    ) -> HttpResponse {
        let more: Vec<&str> = more.iter().map(String::as_str).collect();
        let Some(issue) = self.issue(id).cloned() else {
            return status(
                404,
                json!({"errorMessages": ["Issue does not exist or you do not have permission to see it."]}),
            );
        };
        match (method, more.as_slice()) {
            ("GET", []) => {
                let links: Vec<Value> = issue
                    .links
                    .iter()
                    .map(|k| json!({"outwardIssue": {"key": k}}))
                    .collect();
                ok(json!({"id": issue.id, "key": issue.key, "fields": {
                    "summary": issue.summary,
                    "description": null,
                    "reporter": {"accountId": issue.reporter},
                    "creator": {"accountId": issue.creator},
                    "project": {"key": PROJECT},
                    "issuetype": {"name": issue.issue_type},
                    "status": {"name": issue.status},
                    "issuelinks": links,
                }}))
            }
            ("GET", ["properties", key]) => match issue.properties.get(*key) {
                Some(v) => ok(json!({"key": key, "value": v})),
                None => not_found(),
            },
            ("GET", ["comment"]) => {
                let page: Vec<Value> = issue
                    .comments
                    .iter()
                    .skip(start)
                    .take(max.min(100))
                    .map(|c| {
                        let props: Vec<Value> = c
                            .marker
                            .iter()
                            .map(|m| json!({"key": "aigis.notice", "value": {"id": m}}))
                            .collect();
                        json!({"id": c.id.to_string(), "body": c.body, "properties": props})
                    })
                    .collect();
                ok(
                    json!({"startAt": start, "maxResults": max, "total": issue.comments.len(), "comments": page}),
                )
            }
            ("POST", ["comment"]) => {
                let marker = body["properties"]
                    .as_array()
                    .and_then(|ps| ps.iter().find(|p| p["key"] == "aigis.notice"))
                    .and_then(|p| p["value"]["id"].as_str())
                    .map(str::to_owned);
                self.next_comment += 1;
                let c = Comment {
                    id: self.next_comment,
                    body: body["body"].clone(),
                    marker,
                };
                let out = json!({"id": c.id.to_string(), "body": c.body});
                if let Some(i) = self.issue_mut(id) {
                    i.comments.push(c);
                }
                status(201, out)
            }
            ("GET", ["transitions"]) => ok(json!({"transitions": transitions_of(&issue.status)})),
            ("POST", ["transitions"]) => {
                let want = body["transition"]["id"].as_str().unwrap_or("");
                let Some(to) = transitions_of(&issue.status)
                    .iter()
                    .find(|t| t["id"] == want)
                    .map(|t| t["to"].clone())
                else {
                    return status(
                        400,
                        json!({"errorMessages": ["Transition id is not valid for this issue."]}),
                    );
                };
                let to = to.as_str().unwrap_or("").to_owned();
                self.transitions.push((issue.id.clone(), to.clone()));
                if let Some(i) = self.issue_mut(id) {
                    i.status = to;
                }
                status(204, Value::Null)
            }
            _ => not_found(),
        }
    }
}

fn transitions_of(status: &str) -> Vec<Value> {
    match status {
        "Waiting for support" => vec![
            json!({"id": "21", "name": "Decline", "to": "Declined"}),
            json!({"id": "31", "name": "Approve", "to": "Approved"}),
        ],
        _ => vec![json!({"id": "41", "name": "Reopen", "to": "Waiting for support"})],
    }
}

fn status(code: u16, body: Value) -> HttpResponse {
    HttpResponse {
        status: code,
        headers: vec![("content-type".into(), "application/json".into())],
        body: if body.is_null() {
            String::new()
        } else {
            body.to_string()
        },
    }
}

fn ok(body: Value) -> HttpResponse {
    status(200, body)
}

fn not_found() -> HttpResponse {
    status(404, json!({"errorMessages": ["Not found"]}))
}

/// Percent-decoding of a path segment or query value.
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_carry_markers_and_page() {
        let mut j = FakeJira::new();
        let (id, _) = j.portal_request("acc-rita", "acc-rita", json!({}));
        for n in 0..3 {
            let body = json!({"body": {"type": "doc"}, "properties": [{"key": "aigis.notice", "value": {"id": format!("m{n}")}}]});
            let r = j.handle(
                None,
                "POST",
                &format!("/rest/api/3/issue/{id}/comment"),
                Some(&body.to_string()),
            );
            assert_eq!(r.status, 201);
        }
        let r = j.handle(
            None,
            "GET",
            &format!("/rest/api/3/issue/{id}/comment?startAt=1&maxResults=1&expand=properties"),
            None,
        );
        let v: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["total"], 3);
        assert_eq!(v["comments"][0]["properties"][0]["value"]["id"], "m1");
        assert_eq!(j.marker_counts().get("m2"), Some(&1));
    }

    #[test]
    fn transitions_move_the_status_once() {
        let mut j = FakeJira::new();
        let (id, _) = j.portal_request("acc-rita", "acc-rita", json!({}));
        let t = json!({"transition": {"id": "31"}}).to_string();
        assert_eq!(
            j.handle(
                None,
                "POST",
                &format!("/rest/api/3/issue/{id}/transitions"),
                Some(&t)
            )
            .status,
            204
        );
        assert_eq!(j.issue(&id).unwrap().status, "Approved");
        assert_eq!(
            j.handle(
                None,
                "POST",
                &format!("/rest/api/3/issue/{id}/transitions"),
                Some(&t)
            )
            .status,
            400
        );
    }

    #[test]
    fn review_issues_are_found_by_property_and_bad_types_refused() {
        let mut j = FakeJira::new();
        let bad = json!({"fields": {"project": {"key": PROJECT}, "issuetype": {"name": "Review"}, "summary": "x"}});
        assert_eq!(
            j.handle(None, "POST", "/rest/api/3/issue", Some(&bad.to_string()))
                .status,
            400
        );
        let good = json!({"fields": {"project": {"key": PROJECT}, "issuetype": {"name": "Task"}, "summary": "x"},
            "properties": [{"key": "aigis.review.v1", "value": {"grantId": "g-1", "window": 5}}]});
        assert_eq!(
            j.handle(None, "POST", "/rest/api/3/issue", Some(&good.to_string()))
                .status,
            201
        );
        let jql = aigis_app::jira::enc(
            "issue.property[aigis.review.v1].grantId = \"g-1\" ORDER BY created ASC",
        );
        let r = j.handle(
            None,
            "GET",
            &format!("/rest/api/3/search/jql?jql={jql}&fields=summary"),
            None,
        );
        let v: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["issues"][0]["properties"]["aigis.review.v1"]["window"], 5);
    }

    #[test]
    fn admin_permission_follows_the_invoking_user() {
        let mut j = FakeJira::new();
        let a = j.handle(
            Some("acc-ada"),
            "GET",
            "/rest/api/3/mypermissions?permissions=ADMINISTER",
            None,
        );
        let r = j.handle(
            Some("acc-rita"),
            "GET",
            "/rest/api/3/mypermissions?permissions=ADMINISTER",
            None,
        );
        assert!(a.body.contains("true") && r.body.contains("false"));
    }
}
