//! JSON shapes shared by several resources: users, groups, statuses, issue
//! types, projects, request types and issues.

use serde_json::{Map, Value, json};

use super::{Actor, Ctx, Fail};
use crate::{APP_ACCOUNT_ID, APP_DISPLAY_NAME, SimError, SimUser, store};

pub use crate::REQUEST_TYPE_FIELD;

/// Jira's timestamp format, UTC.
pub fn fmt_time(millis: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(millis)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3f+0000")
        .to_string()
}

/// Whether `v` is an Atlassian Document Format document.
pub fn is_adf_doc(v: &Value) -> bool {
    fn node_ok(n: &Value, depth: usize) -> bool {
        let Some(o) = n.as_object() else {
            return false;
        };
        if depth > 64 || !o.get("type").is_some_and(Value::is_string) {
            return false;
        }
        if o.get("type").and_then(Value::as_str) == Some("text")
            && !o.get("text").is_some_and(Value::is_string)
        {
            return false;
        }
        match o.get("content") {
            None => true,
            Some(Value::Array(children)) => children.iter().all(|c| node_ok(c, depth + 1)),
            Some(_) => false,
        }
    }
    v.get("type").and_then(Value::as_str) == Some("doc")
        && v.get("version").and_then(Value::as_i64) == Some(1)
        && match v.get("content") {
            Some(Value::Array(children)) => children.iter().all(|c| node_ok(c, 1)),
            _ => false,
        }
}

/// An ADF document of one paragraph per line of `text`.
pub fn text_to_adf(text: &str) -> Value {
    let paragraphs: Vec<Value> = text
        .lines()
        .map(|line| {
            if line.is_empty() {
                json!({"type": "paragraph", "content": []})
            } else {
                json!({"type": "paragraph", "content": [{"type": "text", "text": line}]})
            }
        })
        .collect();
    json!({"type": "doc", "version": 1, "content": paragraphs})
}

/// The text of an ADF document, one line per block.
pub fn adf_to_text(doc: &Value) -> String {
    fn walk(n: &Value, out: &mut String) {
        if let Some(t) = n.get("text").and_then(Value::as_str) {
            out.push_str(t);
        }
        if let Some(children) = n.get("content").and_then(Value::as_array) {
            for c in children {
                walk(c, out);
            }
        }
    }
    let mut lines = Vec::new();
    for block in doc
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let mut line = String::new();
        walk(block, &mut line);
        lines.push(line);
    }
    lines.join("\n")
}

/// (id, key, colour, name) of the status category a status name falls in.
pub fn status_category(name: &str) -> (i64, &'static str, &'static str, &'static str) {
    let n = name.to_ascii_lowercase();
    const DONE: [&str; 10] = [
        "done",
        "closed",
        "resolved",
        "approved",
        "declined",
        "denied",
        "rejected",
        "canceled",
        "cancelled",
        "completed",
    ];
    const NEW: [&str; 5] = [
        "open",
        "to do",
        "new",
        "waiting for support",
        "waiting for approval",
    ];
    if DONE.contains(&n.as_str()) {
        (3, "done", "green", "Done")
    } else if NEW.contains(&n.as_str()) {
        (2, "new", "blue-gray", "To Do")
    } else {
        (4, "indeterminate", "yellow", "In Progress")
    }
}

/// Keep the fields `wanted` names (`*all`, `*navigable`, names, `-name`);
/// none named: all fields when `default_all`, else none.
pub fn select_fields(
    all: Map<String, Value>,
    wanted: &[String],
    default_all: bool,
) -> Map<String, Value> {
    let includes: Vec<&String> = wanted
        .iter()
        .filter(|f| !f.starts_with('-') && !f.starts_with('*') && *f != "id")
        .collect();
    let star = wanted.iter().any(|f| f == "*all" || f == "*navigable")
        || (includes.is_empty() && default_all && !wanted.iter().any(|f| f == "id"));
    all.into_iter()
        .filter(|(k, _)| {
            let excluded = wanted
                .iter()
                .any(|f| f.strip_prefix('-') == Some(k.as_str()));
            (star || includes.contains(&k)) && !excluded
        })
        .collect()
}

impl Ctx<'_> {
    pub fn avatars(&self, kind: &str, id: &str) -> Value {
        let mut m = Map::new();
        for s in [16, 24, 32, 48] {
            m.insert(
                format!("{s}x{s}"),
                json!(format!(
                    "{}/secure/{kind}avatar?size={s}&ownerId={id}",
                    self.base
                )),
            );
        }
        Value::Object(m)
    }

    pub fn app_user_json(&self) -> Value {
        json!({
            "self": format!("{}/rest/api/3/user?accountId={APP_ACCOUNT_ID}", self.base),
            "accountId": APP_ACCOUNT_ID,
            "accountType": "app",
            "avatarUrls": self.avatars("user", APP_ACCOUNT_ID),
            "displayName": APP_DISPLAY_NAME,
            "active": true,
            "timeZone": "Etc/UTC",
            "locale": "en_US",
        })
    }

    /// `User` schema (also fits `UserDetails` once `locale` is dropped).
    pub fn user_json(&self, u: &SimUser, active: bool) -> Value {
        json!({
            "self": format!("{}/rest/api/3/user?accountId={}", self.base, u.account_id),
            "accountId": u.account_id,
            "accountType": u.kind.account_type(),
            "emailAddress": u.email,
            "avatarUrls": self.avatars("user", &u.account_id),
            "displayName": u.display_name,
            "active": active,
            "timeZone": u.time_zone,
            "locale": "en_US",
        })
    }

    pub fn me_json(&self) -> Value {
        match &self.actor {
            Actor::App => self.app_user_json(),
            Actor::User(u) => self.user_json(u, true),
        }
    }

    pub fn user_json_by_id(&self, account_id: &str) -> Result<Value, Fail> {
        if account_id == APP_ACCOUNT_ID {
            return Ok(self.app_user_json());
        }
        Ok(match store::user(self.tx, account_id)? {
            Some(u) => self.user_json(&u, true),
            None => json!({
                "accountId": account_id,
                "accountType": "unknown",
                "displayName": "Former user",
                "active": false,
            }),
        })
    }

    pub fn group_json(&self, id: &str, name: &str) -> Value {
        json!({
            "name": name,
            "groupId": id,
            "self": format!("{}/rest/api/3/group?groupId={id}", self.base),
        })
    }

    pub fn status_json(&self, status_id: i64) -> Result<Value, Fail> {
        let name = store::status_name(self.tx, status_id)?;
        let (cid, ckey, color, cname) = status_category(&name);
        Ok(json!({
            "self": format!("{}/rest/api/3/status/{status_id}", self.base),
            "description": "",
            "iconUrl": format!("{}/images/icons/statuses/generic.png", self.base),
            "name": name,
            "id": status_id.to_string(),
            "statusCategory": {
                "self": format!("{}/rest/api/3/statuscategory/{cid}", self.base),
                "id": cid,
                "key": ckey,
                "colorName": color,
                "name": cname,
            },
        }))
    }

    pub fn issue_type_json(&self, id: i64) -> Result<Value, Fail> {
        let name = store::issue_type_name(self.tx, id)?;
        Ok(json!({
            "self": format!("{}/rest/api/3/issuetype/{id}", self.base),
            "id": id.to_string(),
            "description": "",
            "iconUrl": format!("{}/images/icons/issuetypes/task.svg", self.base),
            "name": name,
            "subtask": false,
            "hierarchyLevel": 0,
        }))
    }

    /// Project role name -> self URL, for a project.
    pub fn roles_json(&self, pid: i64) -> Result<Map<String, Value>, Fail> {
        Ok(store::project_roles(self.tx)?
            .into_iter()
            .map(|(rid, name)| {
                (
                    name,
                    json!(format!("{}/rest/api/3/project/{pid}/role/{rid}", self.base)),
                )
            })
            .collect())
    }

    pub fn project_json(&self, pid: i64, full: bool) -> Result<Value, Fail> {
        let p = store::project(self.tx, pid)?
            .ok_or_else(|| SimError::NotFound(format!("project {pid}")))?;
        let mut v = json!({
            "self": format!("{}/rest/api/3/project/{pid}", self.base),
            "id": pid.to_string(),
            "key": p.key,
            "name": p.name,
            "avatarUrls": self.avatars("project", &pid.to_string()),
            "projectTypeKey": p.type_key,
            "simplified": false,
            "style": "classic",
            "isPrivate": false,
            "properties": {},
        });
        if full && let Some(o) = v.as_object_mut() {
            let types = store::project_issue_type_ids(self.tx, pid)?
                .into_iter()
                .map(|id| self.issue_type_json(id))
                .collect::<Result<Vec<_>, _>>()?;
            o.insert(
                "expand".into(),
                json!("description,lead,issueTypes,url,projectKeys,permissions,insight"),
            );
            o.insert("description".into(), json!(""));
            o.insert("lead".into(), self.user_json_by_id(&p.lead)?);
            o.insert("components".into(), json!([]));
            o.insert("issueTypes".into(), Value::Array(types));
            o.insert("assigneeType".into(), json!("UNASSIGNED"));
            o.insert("versions".into(), json!([]));
            o.insert("roles".into(), Value::Object(self.roles_json(pid)?));
        }
        Ok(v)
    }

    /// JSM `RequestTypeDTO`.
    pub fn request_type_dto(&self, rt: &store::RequestTypeRow) -> Value {
        let icon_urls: Map<String, Value> = [48, 24, 16, 32]
            .iter()
            .map(|s| {
                (
                    format!("{s}x{s}"),
                    json!(format!(
                        "{}/rest/api/2/universal_avatar/view/type/SD_REQTYPE/avatar/10001?size={s}",
                        self.base
                    )),
                )
            })
            .collect();
        json!({
            "_links": {
                "self": format!(
                    "{}/rest/servicedeskapi/servicedesk/{}/requesttype/{}",
                    self.base, rt.service_desk_id, rt.id
                ),
            },
            "id": rt.id.to_string(),
            "name": rt.name,
            "description": "",
            "helpText": "",
            "issueTypeId": rt.issue_type_id.to_string(),
            "serviceDeskId": rt.service_desk_id.to_string(),
            "portalId": rt.portal_id.to_string(),
            "groupIds": [],
            "icon": {"id": "10001", "_links": {"iconUrls": icon_urls}},
        })
    }

    /// JSM `DateDTO`.
    pub fn date_dto(&self, millis: i64) -> Value {
        let t = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(millis).unwrap_or_default();
        json!({
            "iso8601": t.format("%Y-%m-%dT%H:%M:%S+0000").to_string(),
            "jira": fmt_time(millis),
            "friendly": t.format("%d/%b/%y %-I:%M %p").to_string(),
            "epochMillis": millis,
        })
    }

    /// JSM `CustomerRequestStatusDTO` of an issue (since `updated`).
    pub fn current_status_dto(&self, i: &store::IssueRow) -> Result<Value, Fail> {
        let name = store::status_name(self.tx, i.status_id)?;
        let category = match status_category(&name).1 {
            "done" => "DONE",
            "new" => "NEW",
            _ => "INDETERMINATE",
        };
        Ok(json!({
            "status": name,
            "statusCategory": category,
            "statusDate": self.date_dto(i.updated),
        }))
    }

    /// Links of a customer request (`CustomerRequestLinkDTO`).
    pub fn request_links(&self, i: &store::IssueRow, portal_id: i64) -> Value {
        json!({
            "jiraRest": format!("{}/rest/api/2/issue/{}", self.base, i.id),
            "web": format!("{}/servicedesk/customer/portal/{portal_id}/{}", self.base, i.key),
            "agent": format!("{}/browse/{}", self.base, i.key),
            "self": format!("{}/rest/servicedeskapi/request/{}", self.base, i.id),
        })
    }

    /// The value of `customfield_10010` on an issue, as JSM answers it.
    fn request_type_value(&self, i: &store::IssueRow) -> Result<Value, Fail> {
        let Some(rt) = i.request_type_id else {
            return Ok(Value::Null);
        };
        let Some(rt) = store::request_type(self.tx, rt)? else {
            return Ok(Value::Null);
        };
        Ok(json!({
            "_links": self.request_links(i, rt.portal_id),
            "requestType": self.request_type_dto(&rt),
            "currentStatus": self.current_status_dto(i)?,
        }))
    }

    fn issue_brief(&self, id: i64) -> Result<Value, Fail> {
        let i =
            store::issue(self.tx, id)?.ok_or_else(|| SimError::NotFound(format!("issue {id}")))?;
        Ok(json!({
            "id": id.to_string(),
            "key": i.key,
            "self": format!("{}/rest/api/3/issue/{id}", self.base),
            "fields": {"summary": i.summary, "status": self.status_json(i.status_id)?},
        }))
    }

    fn issue_links_json(&self, id: i64) -> Result<Value, Fail> {
        let mut out = Vec::new();
        for l in store::links_of(self.tx, id)? {
            let t = &l.link_type;
            let mut link = json!({
                "id": l.id.to_string(),
                "self": format!("{}/rest/api/3/issueLink/{}", self.base, l.id),
                "type": {
                    "id": t.id.to_string(), "name": t.name, "inward": t.inward, "outward": t.outward,
                    "self": format!("{}/rest/api/3/issueLinkType/{}", self.base, t.id),
                },
            });
            if let Some(o) = link.as_object_mut() {
                // Seen from this issue: the other end of the link.
                if l.outward_issue_id == id {
                    o.insert("inwardIssue".into(), self.issue_brief(l.inward_issue_id)?);
                } else {
                    o.insert("outwardIssue".into(), self.issue_brief(l.outward_issue_id)?);
                }
            }
            out.push(link);
        }
        Ok(Value::Array(out))
    }

    /// Every field of an issue, by field id.
    pub fn issue_fields(&self, i: &store::IssueRow) -> Result<Map<String, Value>, Fail> {
        let mut f = Map::new();
        f.insert("summary".into(), json!(i.summary));
        let description = match &i.description {
            Some(d) => serde_json::from_str(d)?,
            None => Value::Null,
        };
        f.insert("description".into(), description);
        f.insert("status".into(), self.status_json(i.status_id)?);
        f.insert("reporter".into(), self.user_json_by_id(&i.reporter)?);
        f.insert("creator".into(), self.user_json_by_id(&i.creator)?);
        f.insert("assignee".into(), Value::Null);
        f.insert("project".into(), self.project_json(i.project_id, false)?);
        f.insert("issuetype".into(), self.issue_type_json(i.issue_type_id)?);
        f.insert("created".into(), json!(fmt_time(i.created)));
        f.insert("updated".into(), json!(fmt_time(i.updated)));
        f.insert(
            "labels".into(),
            serde_json::from_str(&i.labels).unwrap_or_else(|_| json!([])),
        );
        f.insert("issuelinks".into(), self.issue_links_json(i.id)?);
        f.insert(REQUEST_TYPE_FIELD.into(), self.request_type_value(i)?);
        Ok(f)
    }

    /// An `IssueBean`: the fields `fields` selects and the properties
    /// `properties` names (`*all` for every one).
    pub fn issue_json(
        &self,
        i: &store::IssueRow,
        fields: &[String],
        properties: &[String],
        default_all: bool,
    ) -> Result<Value, Fail> {
        let selected = select_fields(self.issue_fields(i)?, fields, default_all);
        let mut out = json!({
            "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
            "id": i.id.to_string(),
            "self": format!("{}/rest/api/3/issue/{}", self.base, i.id),
            "key": i.key,
            "fields": selected,
        });
        if !properties.is_empty()
            && let Some(o) = out.as_object_mut()
        {
            let all = properties.iter().any(|p| p == "*all");
            let mut props = Map::new();
            for (k, v) in store::properties_of(self.tx, i.id)? {
                if all || properties.contains(&k) {
                    props.insert(k, serde_json::from_str(&v)?);
                }
            }
            o.insert("properties".into(), Value::Object(props));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adf_check() {
        assert!(is_adf_doc(&json!({"type":"doc","version":1,"content":[
            {"type":"paragraph","content":[{"type":"text","text":"hi"}]}]})));
        assert!(!is_adf_doc(&json!("hi")));
        assert!(!is_adf_doc(&json!({"type":"doc","version":2,"content":[]})));
        assert!(!is_adf_doc(
            &json!({"type":"doc","version":1,"content":[{"type":"text"}]})
        ));
    }

    #[test]
    fn text_and_adf_round_trip() {
        let doc = text_to_adf("one\n\nthree");
        assert!(is_adf_doc(&doc));
        assert_eq!(adf_to_text(&doc), "one\n\nthree");
    }

    #[test]
    fn field_selection() {
        let all: Map<String, Value> = [("summary", 1), ("status", 2), ("labels", 3)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        let keys = |wanted: &[&str], default_all| -> Vec<String> {
            let w: Vec<String> = wanted.iter().map(|s| s.to_string()).collect();
            select_fields(all.clone(), &w, default_all)
                .keys()
                .cloned()
                .collect()
        };
        assert_eq!(keys(&[], true), vec!["labels", "status", "summary"]);
        assert!(keys(&[], false).is_empty());
        assert!(keys(&["id"], true).is_empty());
        assert_eq!(keys(&["summary"], false), vec!["summary"]);
        assert_eq!(keys(&["*all", "-status"], false), vec!["labels", "summary"]);
        assert_eq!(keys(&["-status"], true), vec!["labels", "summary"]);
    }
}
