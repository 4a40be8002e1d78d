//! The Jira REST calls Aigis makes, over the `Jira` port. Paths are literal
//! REST v3 routes so they can be checked against the OpenAPI document.

use crate::error::AppError;
use aigis_platform::{JiraRequest, Platform, Principal};
use serde_json::Value;

/// Percent-encodes a path segment or query value.
/// The JSM request-type field of an issue.
pub const REQUEST_TYPE_FIELD: &str = "customfield_10010";

pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A Jira answer: status and JSON body (`Null` when empty).
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
    /// Fails unless 2xx, quoting Jira's own error messages.
    pub fn require(self, what: &str) -> Result<Value, AppError> {
        if self.ok() {
            Ok(self.body)
        } else {
            Err(AppError::new(
                aigis_core::ErrorCode::Unavailable,
                format!(
                    "jira {what} answered {}: {}",
                    self.status,
                    error_text(&self.body)
                ),
            ))
        }
    }
}

fn error_text(body: &Value) -> String {
    let mut parts: Vec<String> = body
        .get("errorMessages")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if let Some(errors) = body.get("errors").and_then(Value::as_object) {
        parts.extend(
            errors
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or(""))),
        );
    }
    if parts.is_empty() {
        "no details".into()
    } else {
        parts.join("; ")
    }
}

pub fn call(
    p: &Platform,
    principal: Principal,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Result<Answer, AppError> {
    let mut headers = vec![("Accept".to_owned(), "application/json".to_owned())];
    if body.is_some() {
        headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
    }
    let resp = p.jira.request_jira(&JiraRequest {
        principal,
        method: method.to_owned(),
        path: path.to_owned(),
        headers,
        body: body.map(Value::to_string),
    })?;
    let body = if resp.body.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&resp.body).unwrap_or(Value::String(resp.body))
    };
    Ok(Answer {
        status: resp.status,
        body,
    })
}

/// An issue property's value, or `None` when the issue has no such property.
pub fn issue_property(p: &Platform, issue: &str, key: &str) -> Result<Option<Value>, AppError> {
    let a = call(
        p,
        Principal::App,
        "GET",
        &format!("/rest/api/3/issue/{}/properties/{}", enc(issue), enc(key)),
        None,
    )?;
    if a.status == 404 {
        return Ok(None);
    }
    Ok(a.require("issue property")?.get("value").cloned())
}

/// An issue with the fields ingestion reads.
pub fn issue(p: &Platform, issue: &str) -> Result<Option<Value>, AppError> {
    let a = call(
        p,
        Principal::App,
        "GET",
        &format!(
            "/rest/api/3/issue/{}?fields=summary,description,reporter,creator,project,issuetype,customfield_10010",
            enc(issue)
        ),
        None,
    )?;
    if a.status == 404 {
        return Ok(None);
    }
    a.require("issue").map(Some)
}

/// Posts an ADF comment carrying a marker property, so a retried delivery
/// can tell whether the first attempt landed.
pub fn add_comment(p: &Platform, issue: &str, adf: &Value, marker: &str) -> Result<(), AppError> {
    let body = serde_json::json!({
        "body": adf,
        "properties": [{"key": "aigis.notice", "value": {"id": marker}}],
    });
    call(
        p,
        Principal::App,
        "POST",
        &format!("/rest/api/3/issue/{}/comment", enc(issue)),
        Some(&body),
    )?
    .require("add comment")
    .map(|_| ())
}

/// Whether a comment with the marker is already on the issue.
pub fn has_marked_comment(p: &Platform, issue: &str, marker: &str) -> Result<bool, AppError> {
    let mut start = 0u64;
    loop {
        let page = call(
            p,
            Principal::App,
            "GET",
            &format!(
                "/rest/api/3/issue/{}/comment?startAt={start}&maxResults=100&expand=properties",
                enc(issue)
            ),
            None,
        )?
        .require("list comments")?;
        let comments = page
            .get("comments")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let found = comments.iter().any(|c| {
            c.get("properties")
                .and_then(Value::as_array)
                .is_some_and(|props| {
                    props
                        .iter()
                        .any(|pr| pr["key"] == "aigis.notice" && pr["value"]["id"] == marker)
                })
        });
        let total = page.get("total").and_then(Value::as_u64).unwrap_or(0);
        start += comments.len() as u64;
        if found || comments.is_empty() || start >= total {
            return Ok(found);
        }
    }
}

/// The issue's available transitions as (id, name).
pub fn transitions(p: &Platform, issue: &str) -> Result<Vec<(String, String)>, AppError> {
    let body = call(
        p,
        Principal::App,
        "GET",
        &format!("/rest/api/3/issue/{}/transitions", enc(issue)),
        None,
    )?
    .require("list transitions")?;
    Ok(body
        .get("transitions")
        .and_then(Value::as_array)
        .map(|ts| {
            ts.iter()
                .filter_map(|t| {
                    Some((
                        t.get("id")?.as_str()?.to_owned(),
                        t.get("name")?.as_str()?.to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default())
}

pub fn do_transition(p: &Platform, issue: &str, id: &str) -> Result<(), AppError> {
    let body = serde_json::json!({"transition": {"id": id}});
    call(
        p,
        Principal::App,
        "POST",
        &format!("/rest/api/3/issue/{}/transitions", enc(issue)),
        Some(&body),
    )?
    .require("transition issue")
    .map(|_| ())
}

/// Names of the groups a user belongs to.
pub fn user_groups(p: &Platform, account: &str) -> Result<Vec<String>, AppError> {
    let body = call(
        p,
        Principal::App,
        "GET",
        &format!("/rest/api/3/user/groups?accountId={}", enc(account)),
        None,
    )?
    .require("user groups")?;
    Ok(body
        .as_array()
        .map(|gs| {
            gs.iter()
                .filter_map(|g| g.get("name")?.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default())
}

/// The actors of a project role: users by accountId, groups by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleActors {
    pub users: Vec<String>,
    pub groups: Vec<String>,
}

/// A project role's actors (`read:jira-work`), or `None` when Jira knows no
/// such project or role (or hides it from the app).
pub fn project_role(
    p: &Platform,
    project: &str,
    role_id: &str,
) -> Result<Option<RoleActors>, AppError> {
    let a = call(
        p,
        Principal::App,
        "GET",
        &format!("/rest/api/3/project/{}/role/{}", enc(project), enc(role_id)),
        None,
    )?;
    if a.status == 404 {
        return Ok(None);
    }
    let body = a.require("project role")?;
    let mut out = RoleActors::default();
    for actor in body
        .get("actors")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        match actor.get("type").and_then(Value::as_str) {
            Some("atlassian-user-role-actor") => {
                if let Some(id) = actor["actorUser"]["accountId"].as_str() {
                    out.users.push(id.to_owned());
                }
            }
            Some("atlassian-group-role-actor") => {
                if let Some(name) = actor["actorGroup"]["name"]
                    .as_str()
                    .or_else(|| actor["actorGroup"]["displayName"].as_str())
                {
                    out.groups.push(name.to_owned());
                }
            }
            _ => {}
        }
    }
    Ok(Some(out))
}

/// Whether the invoking user is a Jira administrator (`ADMINISTER`).
pub fn invoker_is_admin(p: &Platform) -> Result<bool, AppError> {
    let body = call(
        p,
        Principal::User,
        "GET",
        "/rest/api/3/mypermissions?permissions=ADMINISTER",
        None,
    )?
    .require("my permissions")?;
    Ok(body["permissions"]["ADMINISTER"]["havePermission"]
        .as_bool()
        .unwrap_or(false))
}

/// A user's IANA time zone (`timeZone`), or `None` when Jira hides it.
pub fn user_time_zone(p: &Platform, account: &str) -> Result<Option<String>, AppError> {
    let body = call(
        p,
        Principal::App,
        "GET",
        &format!("/rest/api/3/user?accountId={}", enc(account)),
        None,
    )?
    .require("user")?;
    Ok(body
        .get("timeZone")
        .and_then(Value::as_str)
        .filter(|z| !z.is_empty())
        .map(str::to_owned))
}

/// A user's e-mail address (`emailAddress`), or `None` when Jira hides it
/// (the user's profile visibility) or does not know the account.
pub fn user_email(p: &Platform, account: &str) -> Result<Option<String>, AppError> {
    let a = call(
        p,
        Principal::App,
        "GET",
        &format!("/rest/api/3/user?accountId={}", enc(account)),
        None,
    )?;
    if a.status == 404 {
        return Ok(None);
    }
    Ok(a.require("user")?
        .get("emailAddress")
        .and_then(Value::as_str)
        .filter(|e| !e.is_empty())
        .map(str::to_owned))
}
