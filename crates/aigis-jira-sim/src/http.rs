//! Routing and the REST v3 handlers.

use std::collections::BTreeMap;

use base64::Engine as _;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value, json};

use crate::store;
use crate::{APP_ACCOUNT_ID, APP_DISPLAY_NAME, SimError, SimResponse, SimUser};

/// Every (METHOD, path template) the simulator serves.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/rest/api/3/myself"),
    ("GET", "/rest/api/3/user"),
    ("GET", "/rest/api/3/user/search"),
    ("GET", "/rest/api/3/user/groups"),
    ("GET", "/rest/api/3/group/member"),
    ("GET", "/rest/api/3/mypermissions"),
    ("GET", "/rest/api/3/project/search"),
    ("GET", "/rest/api/3/project/{projectIdOrKey}"),
    ("GET", "/rest/api/3/project/{projectIdOrKey}/role/{id}"),
    ("POST", "/rest/api/3/issue"),
    ("GET", "/rest/api/3/issue/{issueIdOrKey}"),
    ("GET", "/rest/api/3/issue/{issueIdOrKey}/properties"),
    (
        "GET",
        "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
    ),
    (
        "PUT",
        "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
    ),
    (
        "DELETE",
        "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
    ),
    ("GET", "/rest/api/3/issue/{issueIdOrKey}/comment"),
    ("POST", "/rest/api/3/issue/{issueIdOrKey}/comment"),
    ("GET", "/rest/api/3/issue/{issueIdOrKey}/transitions"),
    ("POST", "/rest/api/3/issue/{issueIdOrKey}/transitions"),
    ("POST", "/rest/api/3/issueLink"),
    ("GET", "/rest/api/3/serverInfo"),
];

/// Every (METHOD, path template) this simulator serves, e.g.
/// `("GET", "/rest/api/3/issue/{issueIdOrKey}")`.
pub fn routes() -> &'static [(&'static str, &'static str)] {
    ROUTES
}

/// JSM "Request Type" custom field.
pub const REQUEST_TYPE_FIELD: &str = "customfield_10010";
const ISSUE_404: &str = "Issue does not exist or you do not have permission to see it.";
const MAX_PROPERTY_VALUE: usize = 32_768;
const MAX_PROPERTY_KEY: usize = 255;

/// Who is calling.
pub enum Actor {
    App,
    User(SimUser),
}

/// One request's context.
pub struct Ctx<'a> {
    pub conn: &'a Connection,
    pub now: i64,
    pub base: String,
    pub actor: Actor,
}

/// Early exit of a handler: a response to send, or an internal error.
enum Fail {
    Resp(SimResponse),
    Db(SimError),
}

impl From<SimError> for Fail {
    fn from(e: SimError) -> Self {
        Fail::Db(e)
    }
}

impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Self {
        Fail::Db(SimError::Sqlite(e))
    }
}

impl From<serde_json::Error> for Fail {
    fn from(e: serde_json::Error) -> Self {
        Fail::Db(SimError::Json(e))
    }
}

type HResult = Result<SimResponse, Fail>;

fn json_resp(status: u16, body: &Value) -> SimResponse {
    SimResponse {
        status,
        headers: vec![(
            "Content-Type".into(),
            "application/json;charset=UTF-8".into(),
        )],
        body: body.to_string(),
    }
}

fn empty(status: u16) -> SimResponse {
    SimResponse {
        status,
        headers: Vec::new(),
        body: String::new(),
    }
}

fn error(status: u16, message: &str) -> SimResponse {
    json_resp(status, &json!({"errorMessages": [message], "errors": {}}))
}

fn field_errors(errors: &BTreeMap<String, String>) -> SimResponse {
    json_resp(400, &json!({"errorMessages": [], "errors": errors}))
}

fn fail(status: u16, message: &str) -> Fail {
    Fail::Resp(error(status, message))
}

pub fn unauthorized() -> SimResponse {
    let mut r = error(
        401,
        "You are not authenticated. Authentication required to perform this operation.",
    );
    r.headers.push((
        "WWW-Authenticate".into(),
        "Basic realm=\"protected-area\"".into(),
    ));
    r
}

pub fn internal(e: &SimError) -> SimResponse {
    error(500, &format!("Internal server error: {e}"))
}

/// `Basic base64(email:token)` -> (email, token).
pub fn parse_basic(header: &str) -> Option<(String, String)> {
    let (scheme, rest) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (email, token) = text.split_once(':')?;
    if email.is_empty() || token.is_empty() {
        return None;
    }
    Some((email.to_string(), token.to_string()))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

struct Query(Vec<(String, String)>);

impl Query {
    fn parse(q: &str) -> Query {
        Query(
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| match p.split_once('=') {
                    Some((k, v)) => (percent_decode(k), percent_decode(v)),
                    None => (percent_decode(p), String::new()),
                })
                .collect(),
        )
    }
    fn get(&self, k: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }
    /// All values of `k`, each split on commas.
    fn list(&self, k: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, _)| key == k)
            .flat_map(|(_, v)| v.split(','))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }
    fn int(&self, k: &str, default: i64) -> Result<i64, Fail> {
        match self.get(k) {
            None | Some("") => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| fail(400, &format!("The '{k}' parameter must be a number."))),
        }
    }
    fn flag(&self, k: &str) -> bool {
        matches!(self.get(k), Some("true"))
    }
}

/// Match a path against the route templates: (template, path params).
fn match_route(path: &str) -> Option<(&'static str, Vec<(String, String)>)> {
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    type Candidate = (&'static str, Vec<(String, String)>, Vec<bool>);
    let mut best: Option<Candidate> = None;
    for (_, template) in ROUTES {
        let tsegs: Vec<&str> = template.split('/').skip(1).collect();
        if tsegs.len() != segs.len() {
            continue;
        }
        let mut params = Vec::new();
        let mut literal = Vec::new();
        let mut ok = true;
        for (t, s) in tsegs.iter().zip(&segs) {
            if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                if s.is_empty() {
                    ok = false;
                    break;
                }
                params.push((name.to_string(), percent_decode(s)));
                literal.push(false);
            } else if t == s {
                literal.push(true);
            } else {
                ok = false;
                break;
            }
        }
        if ok && best.as_ref().is_none_or(|(_, _, b)| literal > *b) {
            best = Some((template, params, literal));
        }
    }
    best.map(|(t, p, _)| (t, p))
}

fn param<'p>(params: &'p [(String, String)], name: &str) -> &'p str {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

fn fmt_time(millis: i64) -> String {
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

fn status_category(name: &str) -> (i64, &'static str, &'static str, &'static str) {
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

struct IssueRow {
    id: i64,
    key: String,
    project_id: i64,
    issue_type_id: i64,
    summary: String,
    description: Option<String>,
    status_id: i64,
    reporter: String,
    creator: String,
    request_type_id: Option<i64>,
    labels: String,
    created: i64,
    updated: i64,
}

const ISSUE_COLS: &str = "id, key, project_id, issue_type_id, summary, description, status_id, \
     reporter, creator, request_type_id, labels, created, updated";

fn row_issue(r: &rusqlite::Row<'_>) -> rusqlite::Result<IssueRow> {
    Ok(IssueRow {
        id: r.get(0)?,
        key: r.get(1)?,
        project_id: r.get(2)?,
        issue_type_id: r.get(3)?,
        summary: r.get(4)?,
        description: r.get(5)?,
        status_id: r.get(6)?,
        reporter: r.get(7)?,
        creator: r.get(8)?,
        request_type_id: r.get(9)?,
        labels: r.get(10)?,
        created: r.get(11)?,
        updated: r.get(12)?,
    })
}

impl Ctx<'_> {
    pub fn handle(&self, method: &str, path_and_query: &str, body: Option<&str>) -> SimResponse {
        match self.route(method, path_and_query, body) {
            Ok(r) => r,
            Err(Fail::Resp(r)) => r,
            Err(Fail::Db(e)) => internal(&e),
        }
    }

    fn route(&self, method: &str, path_and_query: &str, body: Option<&str>) -> HResult {
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, q),
            None => (path_and_query, ""),
        };
        let query = Query::parse(query);
        let method = method.to_ascii_uppercase();
        let Some((template, params)) = match_route(path) else {
            return Err(fail(404, &format!("null for uri: {}{path}", self.base)));
        };
        if !ROUTES.iter().any(|(m, t)| *m == method && *t == template) {
            return Ok(error(405, "Method Not Allowed"));
        }
        let body = match body.map(str::trim).filter(|b| !b.is_empty()) {
            None => None,
            Some(b) => Some(serde_json::from_str::<Value>(b).map_err(|e| {
                fail(
                    400,
                    &format!("Unexpected character in the request body: {e}"),
                )
            })?),
        };
        let p = |n: &str| param(&params, n).to_string();
        match (method.as_str(), template) {
            ("GET", "/rest/api/3/myself") => self.myself(&query),
            ("GET", "/rest/api/3/user") => self.get_user(&query),
            ("GET", "/rest/api/3/user/search") => self.user_search(&query),
            ("GET", "/rest/api/3/user/groups") => self.user_groups(&query),
            ("GET", "/rest/api/3/group/member") => self.group_member(&query),
            ("GET", "/rest/api/3/mypermissions") => self.my_permissions(&query),
            ("GET", "/rest/api/3/project/search") => self.project_search(&query),
            ("GET", "/rest/api/3/project/{projectIdOrKey}") => {
                self.get_project(&p("projectIdOrKey"))
            }
            ("GET", "/rest/api/3/project/{projectIdOrKey}/role/{id}") => {
                self.get_project_role(&p("projectIdOrKey"), &p("id"), &query)
            }
            ("POST", "/rest/api/3/issue") => self.create_issue(body.as_ref()),
            ("GET", "/rest/api/3/issue/{issueIdOrKey}") => {
                self.get_issue(&p("issueIdOrKey"), &query)
            }
            ("GET", "/rest/api/3/issue/{issueIdOrKey}/properties") => {
                self.property_keys(&p("issueIdOrKey"))
            }
            ("GET", "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}") => {
                self.get_property(&p("issueIdOrKey"), &p("propertyKey"))
            }
            ("PUT", "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}") => {
                self.put_property(&p("issueIdOrKey"), &p("propertyKey"), body.as_ref())
            }
            ("DELETE", "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}") => {
                self.delete_property(&p("issueIdOrKey"), &p("propertyKey"))
            }
            ("GET", "/rest/api/3/issue/{issueIdOrKey}/comment") => {
                self.get_comments(&p("issueIdOrKey"), &query)
            }
            ("POST", "/rest/api/3/issue/{issueIdOrKey}/comment") => {
                self.add_comment(&p("issueIdOrKey"), &query, body.as_ref())
            }
            ("GET", "/rest/api/3/issue/{issueIdOrKey}/transitions") => {
                self.get_transitions(&p("issueIdOrKey"), &query)
            }
            ("POST", "/rest/api/3/issue/{issueIdOrKey}/transitions") => {
                self.do_transition(&p("issueIdOrKey"), body.as_ref())
            }
            ("POST", "/rest/api/3/issueLink") => self.link_issues(body.as_ref()),
            ("GET", "/rest/api/3/serverInfo") => self.server_info(),
            _ => Ok(error(405, "Method Not Allowed")),
        }
    }

    // ----- actor -------------------------------------------------------------

    fn actor_id(&self) -> String {
        match &self.actor {
            Actor::App => APP_ACCOUNT_ID.to_string(),
            Actor::User(u) => u.account_id.clone(),
        }
    }

    fn is_agent(&self) -> Result<bool, Fail> {
        match &self.actor {
            Actor::App => Ok(true),
            Actor::User(u) => Ok(store::is_agent(self.conn, u)?),
        }
    }

    fn is_site_admin(&self) -> bool {
        match &self.actor {
            Actor::App => true,
            Actor::User(u) => u.site_admin,
        }
    }

    // ----- JSON builders -----------------------------------------------------

    fn avatars(&self, kind: &str, id: &str) -> Value {
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

    fn app_user_json(&self) -> Value {
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
    fn user_json(&self, u: &SimUser, active: bool) -> Value {
        json!({
            "self": format!("{}/rest/api/3/user?accountId={}", self.base, u.account_id),
            "accountId": u.account_id,
            "accountType": "atlassian",
            "emailAddress": u.email,
            "avatarUrls": self.avatars("user", &u.account_id),
            "displayName": u.display_name,
            "active": active,
            "timeZone": u.time_zone,
            "locale": "en_US",
        })
    }

    fn user_json_by_id(&self, account_id: &str) -> Result<Value, Fail> {
        if account_id == APP_ACCOUNT_ID {
            return Ok(self.app_user_json());
        }
        Ok(match store::user(self.conn, account_id)? {
            Some(u) => self.user_json(&u, true),
            None => json!({
                "accountId": account_id,
                "accountType": "unknown",
                "displayName": "Former user",
                "active": false,
            }),
        })
    }

    fn group_json(&self, id: &str, name: &str) -> Value {
        json!({
            "name": name,
            "groupId": id,
            "self": format!("{}/rest/api/3/group?groupId={id}", self.base),
        })
    }

    fn status_json(&self, status_id: i64) -> Result<Value, Fail> {
        let name: String = self.conn.query_row(
            "SELECT name FROM statuses WHERE id = ?1",
            [status_id],
            |r| r.get(0),
        )?;
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

    fn issue_type_json(&self, id: i64) -> Result<Value, Fail> {
        let name: String =
            self.conn
                .query_row("SELECT name FROM issue_types WHERE id = ?1", [id], |r| {
                    r.get(0)
                })?;
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

    fn project_json(&self, pid: i64, full: bool) -> Result<Value, Fail> {
        let (key, name, lead, type_key): (String, String, String, String) = self.conn.query_row(
            "SELECT key, name, lead, type_key FROM projects WHERE id = ?1",
            [pid],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let mut v = json!({
            "self": format!("{}/rest/api/3/project/{pid}", self.base),
            "id": pid.to_string(),
            "key": key,
            "name": name,
            "avatarUrls": self.avatars("project", &pid.to_string()),
            "projectTypeKey": type_key,
            "simplified": false,
            "style": "classic",
            "isPrivate": false,
            "properties": {},
        });
        if full {
            let mut stmt = self.conn.prepare(
                "SELECT issue_type_id FROM project_issue_types WHERE project_id = ?1 ORDER BY issue_type_id",
            )?;
            let ids: Vec<i64> = stmt
                .query_map([pid], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let types = ids
                .into_iter()
                .map(|id| self.issue_type_json(id))
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(o) = v.as_object_mut() {
                o.insert(
                    "expand".into(),
                    json!("description,lead,issueTypes,url,projectKeys,permissions,insight"),
                );
                o.insert("description".into(), json!(""));
                o.insert("lead".into(), self.user_json_by_id(&lead)?);
                o.insert("components".into(), json!([]));
                o.insert("issueTypes".into(), Value::Array(types));
                o.insert("assigneeType".into(), json!("UNASSIGNED"));
                o.insert("versions".into(), json!([]));
                let roles: Map<String, Value> = store::project_roles(self.conn)?
                    .into_iter()
                    .map(|(rid, name)| {
                        (
                            name,
                            json!(format!("{}/rest/api/3/project/{pid}/role/{rid}", self.base)),
                        )
                    })
                    .collect();
                o.insert("roles".into(), Value::Object(roles));
            }
        }
        Ok(v)
    }

    fn request_type_json(&self, rt: i64) -> Result<Value, Fail> {
        let row: Option<(String, i64, i64, i64)> = self
            .conn
            .query_row(
                "SELECT r.name, r.issue_type_id, r.service_desk_id, s.portal_id
                 FROM request_types r JOIN service_desks s ON s.id = r.service_desk_id
                 WHERE r.id = ?1",
                [rt],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        Ok(match row {
            None => Value::Null,
            Some((name, it, sd, portal)) => json!({
                "_links": {
                    "self": format!("{}/rest/servicedeskapi/servicedesk/{sd}/requesttype/{rt}", self.base),
                },
                "requestType": {
                    "id": rt.to_string(),
                    "name": name,
                    "description": "",
                    "helpText": "",
                    "issueTypeId": it.to_string(),
                    "serviceDeskId": sd.to_string(),
                    "portalId": portal.to_string(),
                    "groupIds": [],
                },
            }),
        })
    }

    // ----- issues ------------------------------------------------------------

    fn issue_row(&self, id_or_key: &str) -> Result<Option<IssueRow>, Fail> {
        let sql_id = format!("SELECT {ISSUE_COLS} FROM issues WHERE id = ?1");
        let sql_key = format!("SELECT {ISSUE_COLS} FROM issues WHERE key = ?1");
        let row = match id_or_key.parse::<i64>() {
            Ok(id) => self.conn.query_row(&sql_id, [id], row_issue).optional()?,
            Err(_) => self
                .conn
                .query_row(&sql_key, [id_or_key.to_ascii_uppercase()], row_issue)
                .optional()?,
        };
        Ok(row)
    }

    fn can_see(&self, issue: &IssueRow) -> Result<bool, Fail> {
        if self.is_agent()? {
            return Ok(true);
        }
        let me = self.actor_id();
        Ok(issue.reporter == me || issue.creator == me)
    }

    /// The issue, or the 404 Jira answers when it is missing or hidden.
    fn visible_issue(&self, id_or_key: &str) -> Result<IssueRow, Fail> {
        match self.issue_row(id_or_key)? {
            Some(i) if self.can_see(&i)? => Ok(i),
            _ => Err(fail(404, ISSUE_404)),
        }
    }

    fn issue_brief(&self, id: i64) -> Result<Value, Fail> {
        let (key, summary, status): (String, String, i64) = self.conn.query_row(
            "SELECT key, summary, status_id FROM issues WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(json!({
            "id": id.to_string(),
            "key": key,
            "self": format!("{}/rest/api/3/issue/{id}", self.base),
            "fields": {"summary": summary, "status": self.status_json(status)?},
        }))
    }

    fn issue_links_json(&self, id: i64) -> Result<Value, Fail> {
        let mut stmt = self.conn.prepare(
            "SELECT l.id, l.inward_issue_id, l.outward_issue_id, t.id, t.name, t.inward, t.outward
             FROM issue_links l JOIN link_types t ON t.id = l.link_type_id
             WHERE l.inward_issue_id = ?1 OR l.outward_issue_id = ?1 ORDER BY l.id",
        )?;
        type LinkRow = (i64, i64, i64, i64, String, String, String);
        let rows: Vec<LinkRow> = stmt
            .query_map([id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for (lid, inward, outward, tid, name, inw, outw) in rows {
            let mut link = json!({
                "id": lid.to_string(),
                "self": format!("{}/rest/api/3/issueLink/{lid}", self.base),
                "type": {
                    "id": tid.to_string(), "name": name, "inward": inw, "outward": outw,
                    "self": format!("{}/rest/api/3/issueLinkType/{tid}", self.base),
                },
            });
            if let Some(o) = link.as_object_mut() {
                // Seen from this issue: the other end of the link.
                if outward == id {
                    o.insert("inwardIssue".into(), self.issue_brief(inward)?);
                } else {
                    o.insert("outwardIssue".into(), self.issue_brief(outward)?);
                }
            }
            out.push(link);
        }
        Ok(Value::Array(out))
    }

    fn issue_fields(&self, i: &IssueRow) -> Result<Map<String, Value>, Fail> {
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
        let rt = match i.request_type_id {
            Some(rt) => self.request_type_json(rt)?,
            None => Value::Null,
        };
        f.insert(REQUEST_TYPE_FIELD.into(), rt);
        Ok(f)
    }

    fn properties_of(&self, issue_id: i64) -> Result<Vec<(String, Value)>, Fail> {
        let mut stmt = self
            .conn
            .prepare("SELECT key, value FROM issue_properties WHERE issue_id = ?1 ORDER BY key")?;
        let rows: Vec<(String, String)> = stmt
            .query_map([issue_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(k, v)| Ok((k, serde_json::from_str(&v)?)))
            .collect()
    }

    fn get_issue(&self, id_or_key: &str, q: &Query) -> HResult {
        let issue = self.visible_issue(id_or_key)?;
        let all = self.issue_fields(&issue)?;
        let wanted = q.list("fields");
        let includes: Vec<&String> = wanted
            .iter()
            .filter(|f| !f.starts_with('-') && !f.starts_with('*'))
            .collect();
        let star = wanted.is_empty() || wanted.iter().any(|f| f.starts_with('*'));
        let mut fields = Map::new();
        for (k, v) in all {
            let excluded = wanted
                .iter()
                .any(|f| f.strip_prefix('-') == Some(k.as_str()));
            let included = star || includes.iter().any(|f| **f == k) || includes.is_empty();
            if included && !excluded {
                fields.insert(k, v);
            }
        }
        let mut out = json!({
            "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
            "id": issue.id.to_string(),
            "self": format!("{}/rest/api/3/issue/{}", self.base, issue.id),
            "key": issue.key,
            "fields": fields,
        });
        let wanted_props = q.list("properties");
        if !wanted_props.is_empty()
            && let Some(o) = out.as_object_mut()
        {
            let all_props = wanted_props.iter().any(|p| p == "*all");
            let props: Map<String, Value> = self
                .properties_of(issue.id)?
                .into_iter()
                .filter(|(k, _)| all_props || wanted_props.contains(k))
                .collect();
            o.insert("properties".into(), Value::Object(props));
        }
        Ok(json_resp(200, &out))
    }

    fn create_issue(&self, body: Option<&Value>) -> HResult {
        let Some(body) = body.and_then(Value::as_object) else {
            return Err(fail(400, "Request body must be a JSON object."));
        };
        let empty_fields = Map::new();
        let fields = match body.get("fields") {
            None => &empty_fields,
            Some(Value::Object(f)) => f,
            Some(_) => return Err(fail(400, "The 'fields' property must be an object.")),
        };
        let mut errors: BTreeMap<String, String> = BTreeMap::new();
        let mut err = |k: &str, m: &str| {
            errors.entry(k.to_string()).or_insert_with(|| m.to_string());
        };

        // project
        let project_id: Option<i64> = match fields.get("project") {
            Some(Value::Object(p)) => {
                if let Some(key) = p.get("key").and_then(Value::as_str) {
                    store::project_id_by_key(self.conn, key)?
                } else if let Some(id) = p.get("id").and_then(id_value) {
                    self.conn
                        .query_row("SELECT id FROM projects WHERE id = ?1", [id], |r| r.get(0))
                        .optional()?
                } else {
                    None
                }
            }
            _ => None,
        };
        if project_id.is_none() {
            err("project", "Specify a valid project ID or key");
        }

        // issue type
        let issue_type_id: Option<i64> = match (fields.get("issuetype"), project_id) {
            (None, _) => {
                err("issuetype", "Specify an issue type");
                None
            }
            (Some(Value::Object(t)), Some(pid)) => {
                let found: Option<i64> = if let Some(id) = t.get("id").and_then(id_value) {
                    self.conn
                        .query_row(
                            "SELECT issue_type_id FROM project_issue_types
                             WHERE project_id = ?1 AND issue_type_id = ?2",
                            params![pid, id],
                            |r| r.get(0),
                        )
                        .optional()?
                } else if let Some(name) = t.get("name").and_then(Value::as_str) {
                    self.conn
                        .query_row(
                            "SELECT t.id FROM issue_types t JOIN project_issue_types p
                             ON p.issue_type_id = t.id WHERE p.project_id = ?1 AND t.name = ?2",
                            params![pid, name],
                            |r| r.get(0),
                        )
                        .optional()?
                } else {
                    None
                };
                if found.is_none() {
                    err("issuetype", "The issue type selected is invalid.");
                }
                found
            }
            (Some(Value::Object(_)), None) => None,
            (Some(_), _) => {
                err("issuetype", "The issue type selected is invalid.");
                None
            }
        };

        // summary
        let summary = match fields.get("summary") {
            Some(Value::String(s)) if s.trim().is_empty() => {
                err("summary", "You must specify a summary of the issue.");
                None
            }
            Some(Value::String(s)) if s.chars().count() > 255 => {
                err("summary", "Summary must be less than 255 characters.");
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) | None => {
                err("summary", "You must specify a summary of the issue.");
                None
            }
            Some(_) => {
                err("summary", "Operation value must be a string");
                None
            }
        };

        // description
        let description = match fields.get("description") {
            None | Some(Value::Null) => None,
            Some(d) if is_adf_doc(d) => Some(d.to_string()),
            Some(_) => {
                err(
                    "description",
                    "Operation value must be an Atlassian Document (see the Atlassian Document Format)",
                );
                None
            }
        };

        // reporter
        let me = self.actor_id();
        let reporter = match fields.get("reporter") {
            None | Some(Value::Null) => Some(me.clone()),
            Some(Value::Object(r)) => {
                let id = r
                    .get("accountId")
                    .or_else(|| r.get("id"))
                    .and_then(Value::as_str);
                match id {
                    Some(id) if id == me => Some(me.clone()),
                    Some(_) if !self.is_agent()? => {
                        err(
                            "reporter",
                            "Field 'reporter' cannot be set. It is not on the appropriate screen, or unknown.",
                        );
                        None
                    }
                    Some(id) if store::user(self.conn, id)?.is_some() => Some(id.to_string()),
                    _ => {
                        err("reporter", "Specify a valid user as reporter.");
                        None
                    }
                }
            }
            Some(_) => {
                err("reporter", "Specify a valid user as reporter.");
                None
            }
        };

        // request type (JSM)
        let request_type = match fields.get(REQUEST_TYPE_FIELD) {
            None | Some(Value::Null) => None,
            Some(v) => {
                let rt: Option<(i64, i64, i64)> = match id_value(v) {
                    Some(id) => self
                        .conn
                        .query_row(
                            "SELECT r.id, r.issue_type_id, s.project_id FROM request_types r
                             JOIN service_desks s ON s.id = r.service_desk_id WHERE r.id = ?1",
                            [id],
                            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                        )
                        .optional()?,
                    None => None,
                };
                match rt {
                    Some((id, it, pid)) if Some(pid) == project_id => {
                        if issue_type_id.is_some() && Some(it) != issue_type_id {
                            err(
                                REQUEST_TYPE_FIELD,
                                "The request type does not match the issue type of the issue.",
                            );
                        }
                        Some(id)
                    }
                    _ => {
                        err(
                            REQUEST_TYPE_FIELD,
                            "Specify a valid request type of this project's service desk.",
                        );
                        None
                    }
                }
            }
        };

        // labels
        let labels = match fields.get("labels") {
            None | Some(Value::Null) => json!([]),
            Some(Value::Array(a))
                if a.iter().all(|l| {
                    l.as_str()
                        .is_some_and(|s| !s.is_empty() && !s.contains(' '))
                }) =>
            {
                Value::Array(a.clone())
            }
            Some(_) => {
                err("labels", "Labels must be strings without spaces.");
                json!([])
            }
        };

        const KNOWN: [&str; 8] = [
            "project",
            "issuetype",
            "summary",
            "description",
            "reporter",
            REQUEST_TYPE_FIELD,
            "labels",
            "assignee",
        ];
        for k in fields.keys() {
            if !KNOWN.contains(&k.as_str()) {
                err(
                    k,
                    &format!(
                        "Field '{k}' cannot be set. It is not on the appropriate screen, or unknown."
                    ),
                );
            }
        }

        // properties
        let mut properties: Vec<(String, String)> = Vec::new();
        match body.get("properties") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    match property_item(item) {
                        Ok(p) => properties.push(p),
                        Err(m) => err("properties", &m),
                    }
                }
            }
            Some(_) => err("properties", "Properties must be an array of {key, value}."),
        }

        if !errors.is_empty() {
            return Ok(field_errors(&errors));
        }
        let (Some(pid), Some(it), Some(summary), Some(reporter)) =
            (project_id, issue_type_id, summary, reporter)
        else {
            // Every None above recorded an error, so this is unreachable in practice.
            return Ok(error(400, "Invalid issue."));
        };

        let tx = self.conn.unchecked_transaction()?;
        let (pkey, num): (String, i64) = tx.query_row(
            "SELECT key, next_num FROM projects WHERE id = ?1",
            [pid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        tx.execute(
            "UPDATE projects SET next_num = next_num + 1 WHERE id = ?1",
            [pid],
        )?;
        let id = store::next_id(&tx, "issues", 10000)?;
        let key = format!("{pkey}-{num}");
        tx.execute(
            "INSERT INTO issues (id, key, project_id, issue_type_id, summary, description,
             status_id, reporter, creator, request_type_id, labels, created, updated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
            params![
                id,
                key,
                pid,
                it,
                summary,
                description,
                store::INITIAL_STATUS_ID,
                reporter,
                me,
                request_type,
                labels.to_string(),
                self.now
            ],
        )?;
        for (k, v) in &properties {
            tx.execute(
                "INSERT OR REPLACE INTO issue_properties (issue_id, key, value) VALUES (?1, ?2, ?3)",
                params![id, k, v],
            )?;
        }
        let row = tx.query_row(
            &format!("SELECT {ISSUE_COLS} FROM issues WHERE id = ?1"),
            [id],
            row_issue,
        )?;
        let payload = self.created_event(&row)?;
        store::insert_event(&tx, "avi:jira:created:issue", &payload, self.now)?;
        tx.commit()?;
        Ok(json_resp(
            201,
            &json!({
                "id": id.to_string(),
                "key": key,
                "self": format!("{}/rest/api/3/issue/{id}", self.base),
            }),
        ))
    }

    /// Forge product-event payload of `avi:jira:created:issue`.
    fn created_event(&self, i: &IssueRow) -> Result<Value, Fail> {
        let (pkey, pname): (String, String) = self.conn.query_row(
            "SELECT key, name FROM projects WHERE id = ?1",
            [i.project_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let it: String = self.conn.query_row(
            "SELECT name FROM issue_types WHERE id = ?1",
            [i.issue_type_id],
            |r| r.get(0),
        )?;
        let status: String = self.conn.query_row(
            "SELECT name FROM statuses WHERE id = ?1",
            [i.status_id],
            |r| r.get(0),
        )?;
        let mut associated = vec![json!({"accountId": i.creator})];
        if i.reporter != i.creator {
            associated.push(json!({"accountId": i.reporter}));
        }
        Ok(json!({
            "issue": {
                "id": i.id.to_string(),
                "key": i.key,
                "fields": {
                    "summary": i.summary,
                    "issuetype": {"id": i.issue_type_id.to_string(), "name": it},
                    "project": {"id": i.project_id.to_string(), "key": pkey, "name": pname},
                    "reporter": {"accountId": i.reporter},
                    "creator": {"accountId": i.creator},
                    "status": {"name": status},
                    "created": fmt_time(i.created),
                    "updated": fmt_time(i.updated),
                },
            },
            "atlassianId": i.creator,
            "associatedUsers": associated,
            "eventType": "avi:jira:created:issue",
        }))
    }

    // ----- properties --------------------------------------------------------

    fn property_keys(&self, id_or_key: &str) -> HResult {
        let issue = self.visible_issue(id_or_key)?;
        let keys: Vec<Value> = self
            .properties_of(issue.id)?
            .into_iter()
            .map(|(k, _)| {
                json!({
                    "key": k,
                    "self": format!("{}/rest/api/3/issue/{}/properties/{k}", self.base, issue.id),
                })
            })
            .collect();
        Ok(json_resp(200, &json!({ "keys": keys })))
    }

    fn get_property(&self, id_or_key: &str, key: &str) -> HResult {
        let issue = self.visible_issue(id_or_key)?;
        let value: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM issue_properties WHERE issue_id = ?1 AND key = ?2",
                params![issue.id, key],
                |r| r.get(0),
            )
            .optional()?;
        match value {
            Some(v) => {
                let value: Value = serde_json::from_str(&v)?;
                Ok(json_resp(200, &json!({"key": key, "value": value})))
            }
            None => Ok(error(
                404,
                &format!("The property with key '{key}' does not exist."),
            )),
        }
    }

    fn put_property(&self, id_or_key: &str, key: &str, body: Option<&Value>) -> HResult {
        let issue = self.visible_issue(id_or_key)?;
        let Some(value) = body else {
            return Ok(error(400, "The property value must be valid JSON."));
        };
        if key.is_empty() || key.chars().count() > MAX_PROPERTY_KEY {
            return Ok(error(
                400,
                "The property key cannot be empty or longer than 255 characters.",
            ));
        }
        let text = value.to_string();
        if text.len() > MAX_PROPERTY_VALUE {
            return Ok(error(
                400,
                "The property value cannot be longer than 32768 bytes.",
            ));
        }
        let existed: bool = self.conn.query_row(
            "SELECT COUNT(*) > 0 FROM issue_properties WHERE issue_id = ?1 AND key = ?2",
            params![issue.id, key],
            |r| r.get(0),
        )?;
        self.conn.execute(
            "INSERT OR REPLACE INTO issue_properties (issue_id, key, value) VALUES (?1, ?2, ?3)",
            params![issue.id, key, text],
        )?;
        Ok(empty(if existed { 200 } else { 201 }))
    }

    fn delete_property(&self, id_or_key: &str, key: &str) -> HResult {
        let issue = self.visible_issue(id_or_key)?;
        let n = self.conn.execute(
            "DELETE FROM issue_properties WHERE issue_id = ?1 AND key = ?2",
            params![issue.id, key],
        )?;
        if n == 0 {
            return Ok(error(
                404,
                &format!("The property with key '{key}' does not exist."),
            ));
        }
        Ok(empty(204))
    }

    // ----- comments ----------------------------------------------------------

    fn comment_json(&self, issue_id: i64, c: &CommentRow, with_props: bool) -> Result<Value, Fail> {
        let CommentRow {
            id,
            author,
            body,
            public,
            created,
            updated,
            properties,
        } = c;
        let (id, public, created, updated) = (*id, *public, *created, *updated);
        let mut author_json = self.user_json_by_id(author)?;
        if let Some(o) = author_json.as_object_mut() {
            o.remove("locale"); // UserDetails has no locale
        }
        let body: Value = serde_json::from_str(body)?;
        let mut out = json!({
            "self": format!("{}/rest/api/3/issue/{issue_id}/comment/{id}", self.base),
            "id": id.to_string(),
            "author": author_json,
            "body": body,
            "updateAuthor": author_json,
            "created": fmt_time(created),
            "updated": fmt_time(updated),
            "jsdPublic": public,
        });
        if with_props && let Some(o) = out.as_object_mut() {
            o.insert("properties".into(), serde_json::from_str(properties)?);
        }
        Ok(out)
    }

    fn add_comment(&self, id_or_key: &str, q: &Query, body: Option<&Value>) -> HResult {
        let issue = self.visible_issue(id_or_key)?;
        let Some(body) = body.and_then(Value::as_object) else {
            return Err(fail(400, "Request body must be a JSON object."));
        };
        let Some(doc) = body.get("body") else {
            return Ok(field_errors(&BTreeMap::from([(
                "comment".to_string(),
                "Comment body can not be empty!".to_string(),
            )])));
        };
        if !is_adf_doc(doc) {
            return Ok(field_errors(&BTreeMap::from([(
                "comment".to_string(),
                "Comment body must be an Atlassian Document Format document (type \"doc\", version 1, content array).".to_string(),
            )])));
        }
        if doc
            .get("content")
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty)
        {
            return Ok(field_errors(&BTreeMap::from([(
                "comment".to_string(),
                "Comment body can not be empty!".to_string(),
            )])));
        }
        // JSM: the `sd.public.comment` property {internal: true} makes it internal.
        let internal = body
            .get("properties")
            .and_then(Value::as_array)
            .is_some_and(|ps| {
                ps.iter().any(|p| {
                    p.get("key").and_then(Value::as_str) == Some("sd.public.comment")
                        && p.get("value")
                            .and_then(|v| v.get("internal"))
                            .and_then(Value::as_bool)
                            == Some(true)
                })
            });
        let mut props: Vec<Value> = Vec::new();
        match body.get("properties") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    match property_item(item) {
                        Ok((k, v)) => props
                            .push(json!({"key": k, "value": serde_json::from_str::<Value>(&v)?})),
                        Err(m) => return Ok(error(400, &m)),
                    }
                }
            }
            Some(_) => {
                return Ok(error(
                    400,
                    "Comment properties must be an array of {key, value}.",
                ));
            }
        }
        let id = store::next_id(self.conn, "comments", 10000)?;
        let row = CommentRow {
            id,
            author: self.actor_id(),
            body: doc.to_string(),
            public: !internal,
            created: self.now,
            updated: self.now,
            properties: Value::Array(props).to_string(),
        };
        self.conn.execute(
            "INSERT INTO comments (id, issue_id, author, body, jsd_public, properties, created, updated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            params![id, issue.id, row.author, row.body, row.public, row.properties, self.now],
        )?;
        self.conn.execute(
            "UPDATE issues SET updated = ?1 WHERE id = ?2",
            params![self.now, issue.id],
        )?;
        let c = self.comment_json(issue.id, &row, expands(q, "properties"))?;
        Ok(json_resp(201, &c))
    }

    fn get_comments(&self, id_or_key: &str, q: &Query) -> HResult {
        let issue = self.visible_issue(id_or_key)?;
        let start = q.int("startAt", 0)?.max(0);
        let max = q.int("maxResults", 5000)?.clamp(0, 5000);
        let desc = matches!(q.get("orderBy"), Some("-created"));
        let agent = self.is_agent()?;
        let sql = format!(
            "SELECT id, author, body, jsd_public, created, updated, properties FROM comments
             WHERE issue_id = ?1 AND (?2 OR jsd_public = 1) ORDER BY created {0}, id {0}",
            if desc { "DESC" } else { "ASC" }
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows: Vec<CommentRow> = stmt
            .query_map(params![issue.id, agent], |r| {
                Ok(CommentRow {
                    id: r.get(0)?,
                    author: r.get(1)?,
                    body: r.get(2)?,
                    public: r.get(3)?,
                    created: r.get(4)?,
                    updated: r.get(5)?,
                    properties: r.get(6)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let total = rows.len();
        let with_props = expands(q, "properties");
        let comments = rows
            .iter()
            .skip(usize::try_from(start).unwrap_or(0))
            .take(usize::try_from(max).unwrap_or(0))
            .map(|c| self.comment_json(issue.id, c, with_props))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(json_resp(
            200,
            &json!({"startAt": start, "maxResults": max, "total": total, "comments": comments}),
        ))
    }

    // ----- transitions -------------------------------------------------------

    /// Transitions available on the issue for the actor: (id, name, to status).
    fn available_transitions(&self, issue: &IssueRow) -> Result<Vec<(i64, String, i64)>, Fail> {
        if !self.is_agent()? {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare(
            "SELECT id, name, to_status_id FROM transitions
             WHERE project_id = ?1 AND to_status_id != ?2 ORDER BY id",
        )?;
        let rows = stmt
            .query_map(params![issue.project_id, issue.status_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn get_transitions(&self, id_or_key: &str, q: &Query) -> HResult {
        let issue = self.visible_issue(id_or_key)?;
        let only = q.get("transitionId");
        let mut out = Vec::new();
        for (id, name, to) in self.available_transitions(&issue)? {
            if only.is_some_and(|o| o != id.to_string()) {
                continue;
            }
            out.push(json!({
                "id": id.to_string(),
                "name": name,
                "to": self.status_json(to)?,
                "hasScreen": false,
                "isGlobal": true,
                "isInitial": false,
                "isAvailable": true,
                "isConditional": false,
                "isLooped": false,
            }));
        }
        Ok(json_resp(
            200,
            &json!({"expand": "transitions", "transitions": out}),
        ))
    }

    fn do_transition(&self, id_or_key: &str, body: Option<&Value>) -> HResult {
        let issue = self.visible_issue(id_or_key)?;
        let Some(tid) = body
            .and_then(|b| b.get("transition"))
            .and_then(|t| t.get("id"))
            .and_then(id_value)
        else {
            return Ok(error(400, "Missing 'transition' identifier"));
        };
        let available = self.available_transitions(&issue)?;
        let Some((_, _, to)) = available.iter().find(|(id, _, _)| *id == tid) else {
            return Ok(error(
                400,
                &format!("Transition id '{tid}' is not valid for this issue."),
            ));
        };
        self.conn.execute(
            "UPDATE issues SET status_id = ?1, updated = ?2 WHERE id = ?3",
            params![to, self.now, issue.id],
        )?;
        Ok(empty(204))
    }

    // ----- links -------------------------------------------------------------

    fn link_issues(&self, body: Option<&Value>) -> HResult {
        let Some(body) = body.and_then(Value::as_object) else {
            return Err(fail(400, "Request body must be a JSON object."));
        };
        let link_type = body.get("type");
        let type_row: Option<i64> = if let Some(name) = link_type
            .and_then(|t| t.get("name"))
            .and_then(Value::as_str)
        {
            self.conn
                .query_row("SELECT id FROM link_types WHERE name = ?1", [name], |r| {
                    r.get(0)
                })
                .optional()?
        } else if let Some(id) = link_type.and_then(|t| t.get("id")).and_then(id_value) {
            self.conn
                .query_row("SELECT id FROM link_types WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()?
        } else {
            return Ok(error(400, "Issue link type is required."));
        };
        let Some(type_id) = type_row else {
            return Ok(error(404, "No issue link type with that name or id found."));
        };
        let mut ends = Vec::new();
        for side in ["inwardIssue", "outwardIssue"] {
            let Some(end) = body.get(side).and_then(Value::as_object) else {
                return Ok(error(400, &format!("The '{side}' is required.")));
            };
            let ident = end
                .get("key")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| end.get("id").and_then(id_value).map(|i| i.to_string()));
            let Some(ident) = ident else {
                return Ok(error(400, &format!("The '{side}' needs an id or key.")));
            };
            ends.push(self.visible_issue(&ident)?.id);
        }
        if let Some(c) = body.get("comment").and_then(|c| c.get("body"))
            && !is_adf_doc(c)
        {
            return Ok(field_errors(&BTreeMap::from([(
                "comment".to_string(),
                "Comment body must be an Atlassian Document Format document.".to_string(),
            )])));
        }
        let id = store::next_id(self.conn, "issue_links", 10000)?;
        self.conn.execute(
            "INSERT INTO issue_links (id, link_type_id, inward_issue_id, outward_issue_id)
             VALUES (?1, ?2, ?3, ?4)",
            params![id, type_id, ends[0], ends[1]],
        )?;
        Ok(SimResponse {
            status: 201,
            headers: vec![(
                "Location".into(),
                format!("{}/rest/api/3/issueLink/{id}", self.base),
            )],
            body: String::new(),
        })
    }

    // ----- users, groups, permissions, projects --------------------------------

    fn myself(&self, q: &Query) -> HResult {
        let mut me = match &self.actor {
            Actor::App => self.app_user_json(),
            Actor::User(u) => self.user_json(u, true),
        };
        let expand = q.list("expand");
        if expand.iter().any(|e| e == "groups")
            && let Some(o) = me.as_object_mut()
        {
            let groups: Vec<Value> = store::groups_of(self.conn, &self.actor_id())?
                .iter()
                .map(|(id, n)| self.group_json(id, n))
                .collect();
            o.insert(
                "groups".into(),
                json!({"size": groups.len(), "items": groups}),
            );
        }
        Ok(json_resp(200, &me))
    }

    fn get_user(&self, q: &Query) -> HResult {
        let id = q.get("accountId").unwrap_or_default();
        if id == APP_ACCOUNT_ID {
            return Ok(json_resp(200, &self.app_user_json()));
        }
        match store::user(self.conn, id)? {
            Some(u) => Ok(json_resp(200, &self.user_json(&u, true))),
            None => Ok(error(
                404,
                &format!(
                    "Specified user does not exist or you do not have required permissions: '{id}'"
                ),
            )),
        }
    }

    fn user_search(&self, q: &Query) -> HResult {
        let start = usize::try_from(q.int("startAt", 0)?.max(0)).unwrap_or(0);
        let max = usize::try_from(q.int("maxResults", 50)?.clamp(0, 1000)).unwrap_or(50);
        let users = match (q.get("query"), q.get("accountId")) {
            (Some(query), _) => store::search_users(self.conn, query)?,
            (None, Some(id)) => store::user(self.conn, id)?.into_iter().collect(),
            (None, None) => {
                return Ok(error(
                    400,
                    "One of 'query' or 'accountId' must be specified.",
                ));
            }
        };
        let out: Vec<Value> = users
            .iter()
            .skip(start)
            .take(max)
            .map(|u| self.user_json(u, true))
            .collect();
        Ok(json_resp(200, &Value::Array(out)))
    }

    fn user_groups(&self, q: &Query) -> HResult {
        let id = q.get("accountId").unwrap_or_default();
        if store::user(self.conn, id)?.is_none() {
            return Ok(error(
                404,
                &format!(
                    "Specified user does not exist or you do not have required permissions: '{id}'"
                ),
            ));
        }
        let groups: Vec<Value> = store::groups_of(self.conn, id)?
            .iter()
            .map(|(gid, n)| self.group_json(gid, n))
            .collect();
        Ok(json_resp(200, &Value::Array(groups)))
    }

    fn group_member(&self, q: &Query) -> HResult {
        let name = q.get("groupname");
        let gid = q.get("groupId");
        if name.is_none() && gid.is_none() {
            return Ok(error(400, "You must specify groupname or groupId."));
        }
        let Some((group_id, _)) = store::group(self.conn, name, gid)? else {
            return Ok(error(
                404,
                &format!(
                    "Group with name or id '{}' not found.",
                    name.or(gid).unwrap_or_default()
                ),
            ));
        };
        let start = usize::try_from(q.int("startAt", 0)?.max(0)).unwrap_or(0);
        let max = usize::try_from(q.int("maxResults", 50)?.clamp(1, 50)).unwrap_or(50);
        let members = store::group_members(self.conn, &group_id, q.flag("includeInactiveUsers"))?;
        let total = members.len();
        let values: Vec<Value> = members
            .iter()
            .skip(start)
            .take(max)
            .map(|(u, active)| {
                let mut v = self.user_json(u, *active);
                if let Some(o) = v.as_object_mut() {
                    o.remove("locale");
                }
                v
            })
            .collect();
        let is_last = start + values.len() >= total;
        let page_url = |s: usize| {
            format!(
                "{}/rest/api/3/group/member?groupId={group_id}&includeInactiveUsers={}&startAt={s}&maxResults={max}",
                self.base,
                q.flag("includeInactiveUsers")
            )
        };
        let mut out = json!({
            "self": page_url(start),
            "maxResults": max,
            "startAt": start,
            "total": total,
            "isLast": is_last,
            "values": values,
        });
        if !is_last && let Some(o) = out.as_object_mut() {
            o.insert("nextPage".into(), json!(page_url(start + max)));
        }
        Ok(json_resp(200, &out))
    }

    fn my_permissions(&self, q: &Query) -> HResult {
        let keys = q.list("permissions");
        if keys.is_empty() {
            return Ok(error(400, "The permissions parameter is required."));
        }
        if let Some(pk) = q.get("projectKey")
            && store::project_id_by_key(self.conn, pk)?.is_none()
        {
            return Ok(error(
                404,
                &format!("No project could be found with key '{pk}'."),
            ));
        }
        if let Some(ik) = q.get("issueKey").or(q.get("issueId")) {
            self.visible_issue(ik)?;
        }
        let agent = self.is_agent()?;
        let site_admin = self.is_site_admin();
        let jira_admin = site_admin
            || match &self.actor {
                Actor::App => true,
                Actor::User(u) => store::in_group(self.conn, &u.account_id, "jira-admins")?,
            };
        let mut perms = Map::new();
        for key in &keys {
            let Some((id, name, kind, rule)) = PERMISSIONS
                .iter()
                .find(|p| p.0 == key)
                .map(|p| (p.1, p.2, p.3, p.4))
            else {
                return Ok(error(400, &format!("Invalid permission key: {key}")));
            };
            let have = match rule {
                Rule::Everyone => true,
                Rule::Agent => agent,
                Rule::JiraAdmin => jira_admin,
                Rule::SiteAdmin => site_admin,
            };
            perms.insert(
                key.clone(),
                json!({
                    "id": id, "key": key, "name": name, "type": kind,
                    "description": name, "havePermission": have,
                }),
            );
        }
        Ok(json_resp(200, &json!({ "permissions": perms })))
    }

    fn project_id(&self, id_or_key: &str) -> Result<Option<i64>, Fail> {
        Ok(match id_or_key.parse::<i64>() {
            Ok(id) => self
                .conn
                .query_row("SELECT id FROM projects WHERE id = ?1", [id], |r| r.get(0))
                .optional()?,
            Err(_) => store::project_id_by_key(self.conn, &id_or_key.to_ascii_uppercase())?,
        })
    }

    fn get_project(&self, id_or_key: &str) -> HResult {
        match self.project_id(id_or_key)? {
            Some(pid) => Ok(json_resp(200, &self.project_json(pid, true)?)),
            None => Ok(error(
                404,
                &format!("No project could be found with key '{id_or_key}'."),
            )),
        }
    }

    /// Whether the caller may administer project `pid` (see the crate docs).
    fn may_administer(&self, pid: i64) -> Result<bool, Fail> {
        Ok(match &self.actor {
            Actor::App => true,
            Actor::User(u) => {
                let lead: String =
                    self.conn
                        .query_row("SELECT lead FROM projects WHERE id = ?1", [pid], |r| {
                            r.get(0)
                        })?;
                u.site_admin
                    || lead == u.account_id
                    || store::in_group(self.conn, &u.account_id, "jira-admins")?
            }
        })
    }

    fn get_project_role(&self, id_or_key: &str, role: &str, q: &Query) -> HResult {
        let Ok(rid) = role.parse::<i64>() else {
            return Ok(error(
                400,
                &format!("The project role id '{role}' is not a number."),
            ));
        };
        let Some(pid) = self.project_id(id_or_key)? else {
            return Ok(error(
                404,
                &format!("No project could be found with key '{id_or_key}'."),
            ));
        };
        let role_404 = || {
            error(
                404,
                &format!("Can not retrieve a role actor for a null project role: {rid}"),
            )
        };
        if !self.may_administer(pid)? {
            return Ok(role_404());
        }
        let Some((name, description)) = store::project_role(self.conn, rid)? else {
            return Ok(role_404());
        };
        let exclude_inactive = q.flag("excludeInactiveUsers");
        let actors: Vec<Value> = store::role_actors(self.conn, pid, rid)?
            .into_iter()
            .filter(|a| a.active || !exclude_inactive)
            .map(|a| match (&a.account_id, &a.group) {
                (Some(account), _) => json!({
                    "id": a.id,
                    "displayName": a.display_name,
                    "type": "atlassian-user-role-actor",
                    "actorUser": {"accountId": account},
                }),
                (None, group) => {
                    let (gid, gname) = group.clone().unwrap_or_default();
                    json!({
                        "id": a.id,
                        "displayName": gname,
                        "name": gname,
                        "type": "atlassian-group-role-actor",
                        "actorGroup": {"name": gname, "displayName": gname, "groupId": gid},
                    })
                }
            })
            .collect();
        Ok(json_resp(
            200,
            &json!({
                "self": format!("{}/rest/api/3/project/{pid}/role/{rid}", self.base),
                "name": name,
                "id": rid,
                "description": description,
                "actors": actors,
                "admin": false,
                "default": false,
                "roleConfigurable": true,
            }),
        ))
    }

    fn project_search(&self, q: &Query) -> HResult {
        let start = usize::try_from(q.int("startAt", 0)?.max(0)).unwrap_or(0);
        let max = usize::try_from(q.int("maxResults", 50)?.clamp(1, 100)).unwrap_or(50);
        let keys = q.list("keys");
        let ids = q.list("id");
        let type_keys = q.list("typeKey");
        let query = q.get("query").map(str::to_lowercase);
        let mut stmt = self
            .conn
            .prepare("SELECT id, key, name, type_key FROM projects ORDER BY key")?;
        let rows: Vec<(i64, String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        let matching: Vec<i64> = rows
            .into_iter()
            .filter(|(id, key, name, tk)| {
                (keys.is_empty() || keys.contains(key))
                    && (ids.is_empty() || ids.contains(&id.to_string()))
                    && (type_keys.is_empty() || type_keys.contains(tk))
                    && query.as_ref().is_none_or(|qq| {
                        key.to_lowercase().contains(qq) || name.to_lowercase().contains(qq)
                    })
            })
            .map(|(id, ..)| id)
            .collect();
        let total = matching.len();
        let values = matching
            .iter()
            .skip(start)
            .take(max)
            .map(|id| self.project_json(*id, false))
            .collect::<Result<Vec<_>, _>>()?;
        let is_last = start + values.len() >= total;
        let page_url = |s: usize| {
            format!(
                "{}/rest/api/3/project/search?startAt={s}&maxResults={max}",
                self.base
            )
        };
        let mut out = json!({
            "self": page_url(start),
            "maxResults": max,
            "startAt": start,
            "total": total,
            "isLast": is_last,
            "values": values,
        });
        if !is_last && let Some(o) = out.as_object_mut() {
            o.insert("nextPage".into(), json!(page_url(start + max)));
        }
        Ok(json_resp(200, &out))
    }

    fn server_info(&self) -> HResult {
        Ok(json_resp(
            200,
            &json!({
                "baseUrl": self.base,
                "displayUrl": self.base,
                "version": "1001.0.0-SNAPSHOT",
                "versionNumbers": [1001, 0, 0],
                "deploymentType": "Cloud",
                "buildNumber": 100_000,
                "buildDate": fmt_time(0),
                "serverTime": fmt_time(self.now),
                "scmInfo": "aigis-jira-sim",
                "serverTitle": "Jira",
                "defaultLocale": {"locale": "en_US"},
                "serverTimeZone": "Etc/UTC",
            }),
        ))
    }
}

struct CommentRow {
    id: i64,
    author: String,
    body: String,
    public: bool,
    created: i64,
    updated: i64,
    /// JSON array of `{key, value}`.
    properties: String,
}

/// Whether `?expand=` names `what`.
fn expands(q: &Query, what: &str) -> bool {
    q.list("expand").iter().any(|e| e == what)
}

/// An id given as a JSON string or number.
fn id_value(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

/// One `{key, value}` of a create-issue `properties` array: (key, value JSON).
fn property_item(item: &Value) -> Result<(String, String), String> {
    let key = item
        .get("key")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty() && k.chars().count() <= MAX_PROPERTY_KEY)
        .ok_or("Each property needs a key of 1 to 255 characters.")?;
    let value = item
        .get("value")
        .ok_or_else(|| format!("Property '{key}' has no value."))?;
    let text = value.to_string();
    if text.len() > MAX_PROPERTY_VALUE {
        return Err(format!(
            "The value of property '{key}' cannot be longer than 32768 bytes."
        ));
    }
    Ok((key.to_string(), text))
}

#[derive(Clone, Copy)]
enum Rule {
    Everyone,
    Agent,
    JiraAdmin,
    SiteAdmin,
}

/// (key, id, name, type, who has it).
const PERMISSIONS: &[(&str, &str, &str, &str, Rule)] = &[
    (
        "ADMINISTER",
        "0",
        "Administer Jira",
        "GLOBAL",
        Rule::JiraAdmin,
    ),
    (
        "SYSTEM_ADMIN",
        "44",
        "Jira System Administrators",
        "GLOBAL",
        Rule::SiteAdmin,
    ),
    (
        "USER_PICKER",
        "27",
        "Browse users and groups",
        "GLOBAL",
        Rule::Everyone,
    ),
    (
        "CREATE_SHARED_OBJECTS",
        "22",
        "Share dashboards and filters",
        "GLOBAL",
        Rule::Everyone,
    ),
    (
        "MANAGE_GROUP_FILTER_SUBSCRIPTIONS",
        "24",
        "Manage group filter subscriptions",
        "GLOBAL",
        Rule::Everyone,
    ),
    (
        "BULK_CHANGE",
        "33",
        "Make bulk changes",
        "GLOBAL",
        Rule::Everyone,
    ),
    (
        "ADMINISTER_PROJECTS",
        "23",
        "Administer Projects",
        "PROJECT",
        Rule::JiraAdmin,
    ),
    (
        "BROWSE_PROJECTS",
        "10",
        "Browse Projects",
        "PROJECT",
        Rule::Everyone,
    ),
    (
        "CREATE_ISSUES",
        "11",
        "Create Issues",
        "PROJECT",
        Rule::Everyone,
    ),
    (
        "ADD_COMMENTS",
        "15",
        "Add Comments",
        "PROJECT",
        Rule::Everyone,
    ),
    (
        "EDIT_OWN_COMMENTS",
        "39",
        "Edit Own Comments",
        "PROJECT",
        Rule::Everyone,
    ),
    (
        "DELETE_OWN_COMMENTS",
        "37",
        "Delete Own Comments",
        "PROJECT",
        Rule::Everyone,
    ),
    (
        "CREATE_ATTACHMENTS",
        "19",
        "Create Attachments",
        "PROJECT",
        Rule::Everyone,
    ),
    ("EDIT_ISSUES", "12", "Edit Issues", "PROJECT", Rule::Agent),
    (
        "TRANSITION_ISSUES",
        "46",
        "Transition Issues",
        "PROJECT",
        Rule::Agent,
    ),
    (
        "ASSIGN_ISSUES",
        "13",
        "Assign Issues",
        "PROJECT",
        Rule::Agent,
    ),
    (
        "ASSIGNABLE_USER",
        "17",
        "Assignable User",
        "PROJECT",
        Rule::Agent,
    ),
    (
        "RESOLVE_ISSUES",
        "14",
        "Resolve Issues",
        "PROJECT",
        Rule::Agent,
    ),
    ("CLOSE_ISSUES", "18", "Close Issues", "PROJECT", Rule::Agent),
    ("LINK_ISSUES", "21", "Link Issues", "PROJECT", Rule::Agent),
    (
        "DELETE_ISSUES",
        "16",
        "Delete Issues",
        "PROJECT",
        Rule::Agent,
    ),
    (
        "MODIFY_REPORTER",
        "30",
        "Modify Reporter",
        "PROJECT",
        Rule::Agent,
    ),
    ("MOVE_ISSUES", "25", "Move Issues", "PROJECT", Rule::Agent),
    (
        "SCHEDULE_ISSUES",
        "28",
        "Schedule Issues",
        "PROJECT",
        Rule::Agent,
    ),
    (
        "WORK_ON_ISSUES",
        "20",
        "Work On Issues",
        "PROJECT",
        Rule::Agent,
    ),
    (
        "EDIT_ALL_COMMENTS",
        "34",
        "Edit All Comments",
        "PROJECT",
        Rule::Agent,
    ),
    (
        "DELETE_ALL_COMMENTS",
        "36",
        "Delete All Comments",
        "PROJECT",
        Rule::Agent,
    ),
    (
        "MANAGE_WATCHERS",
        "32",
        "Manage Watchers",
        "PROJECT",
        Rule::Agent,
    ),
    (
        "VIEW_VOTERS_AND_WATCHERS",
        "31",
        "View Voters and Watchers",
        "PROJECT",
        Rule::Agent,
    ),
    (
        "SERVICEDESK_AGENT",
        "10000",
        "Service Desk Agent",
        "PROJECT",
        Rule::Agent,
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_literals_first() {
        let (t, p) = match_route("/rest/api/3/project/search").expect("matches");
        assert_eq!(t, "/rest/api/3/project/search");
        assert!(p.is_empty());
        let (t, p) = match_route("/rest/api/3/project/AIR").expect("matches");
        assert_eq!(t, "/rest/api/3/project/{projectIdOrKey}");
        assert_eq!(p, vec![("projectIdOrKey".to_string(), "AIR".to_string())]);
        assert!(match_route("/rest/api/3/nope").is_none());
    }

    #[test]
    fn decodes_queries() {
        let q = Query::parse("query=ada%40aigis.example&x=a+b&permissions=A,B&permissions=C");
        assert_eq!(q.get("query"), Some("ada@aigis.example"));
        assert_eq!(q.get("x"), Some("a b"));
        assert_eq!(q.list("permissions"), vec!["A", "B", "C"]);
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

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
    fn basic_auth_parses() {
        let h = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("a@b.c:tok")
        );
        assert_eq!(parse_basic(&h), Some(("a@b.c".into(), "tok".into())));
        assert_eq!(parse_basic("Bearer x"), None);
    }
}
