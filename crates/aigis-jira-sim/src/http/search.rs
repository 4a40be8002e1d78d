//! `GET`/`POST /search/jql`: enhanced JQL search with `nextPageToken` paging.
//!
//! The query is parsed by `crate::jql`, then resolved here against the site
//! (project keys, status names, users, `currentUser()`, ...) into a
//! `store::Filter` that the store runs as one SQL query. Fields: `project`,
//! `status`, `reporter`, `creator`, `assignee` (never set), `key`/`id`/
//! `issue`/`issuekey`, `issuetype`/`type`, `labels`, `summary` (`~`),
//! `created`/`updated` (absolute or relative dates), the request type
//! (`"Request Type"`, `cf[10010]`) and `issue.property[key].path`; `AND`,
//! `OR`, `NOT`, parentheses; `ORDER BY` created, updated, key, id, summary,
//! project, status. Unlike Jira, every issue property is searchable (Jira
//! needs the app to declare it indexed).

use base64::Engine as _;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::field::field_name;
use super::reply::json_resp;
use super::{Actor, Ctx, Fail, HResult, Req, reply};
use crate::jql::{self, Clause, FieldRef, Op, Operand, Term};
use crate::store::{self, CmpOp, Filter, OrderKey, Visibility};
use crate::{APP_ACCOUNT_ID, SimError};

const MAX_RESULTS: i64 = 5000;

fn bad(message: &str) -> Fail {
    reply::fail(400, message)
}

/// The search parameters, from the query string or the JSON body.
struct Params {
    jql: String,
    token: Option<String>,
    max: i64,
    fields: Vec<String>,
    properties: Vec<String>,
    expand: Vec<String>,
}

pub fn search_get(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let q = &req.query;
    let params = Params {
        jql: q.get("jql").unwrap_or_default().to_string(),
        token: q.get("nextPageToken").map(str::to_string),
        max: q.int("maxResults", 50)?,
        fields: q.list("fields"),
        properties: q.list("properties"),
        expand: q.list("expand"),
    };
    search(ctx, &params)
}

/// A list of strings, or one comma-separated string; null is none.
fn strings(v: Option<&Value>, name: &str) -> Result<Vec<String>, Fail> {
    let split = |s: &str| -> Vec<String> {
        s.split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect()
    };
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(split(s)),
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for i in items {
                match i.as_str() {
                    Some(s) => out.extend(split(s)),
                    None => return Err(bad(&format!("The '{name}' values must be strings."))),
                }
            }
            Ok(out)
        }
        Some(_) => Err(bad(&format!(
            "The '{name}' property must be a list of strings."
        ))),
    }
}

pub fn search_post(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let Some(body) = req.body.as_ref().and_then(Value::as_object) else {
        return Err(bad("Request body must be a JSON object."));
    };
    let text = |k: &str| -> Result<Option<String>, Fail> {
        match body.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad(&format!("The '{k}' property must be a string."))),
        }
    };
    let max = match body.get("maxResults") {
        None | Some(Value::Null) => 50,
        Some(v) => v
            .as_i64()
            .ok_or_else(|| bad("The 'maxResults' property must be a number."))?,
    };
    let params = Params {
        jql: text("jql")?.unwrap_or_default(),
        token: text("nextPageToken")?,
        max,
        fields: strings(body.get("fields"), "fields")?,
        properties: strings(body.get("properties"), "properties")?,
        expand: text("expand")?
            .map(|e| e.split(',').map(|s| s.trim().to_string()).collect())
            .unwrap_or_default(),
    };
    search(ctx, &params)
}

/// `base64url(offset:fingerprint)`; the fingerprint ties a token to its query.
fn fingerprint(jql: &str) -> String {
    Sha256::digest(jql.as_bytes())
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn encode_token(offset: usize, jql: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("{offset}:{}", fingerprint(jql)))
}

fn decode_token(token: &str, jql: &str) -> Option<usize> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (offset, fp) = text.split_once(':')?;
    (fp == fingerprint(jql)).then(|| offset.parse().ok())?
}

fn search(ctx: &Ctx<'_>, p: &Params) -> HResult {
    let query = jql::parse(&p.jql).map_err(|e| bad(&e.0))?;
    let Some(clause) = &query.clause else {
        return Err(bad(
            "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.",
        ));
    };
    let filter = ctx.resolve(clause)?;
    let order = query
        .order
        .iter()
        .map(|(name, desc)| {
            let key = match name.as_str() {
                "created" | "createddate" => OrderKey::Created,
                "updated" | "updateddate" => OrderKey::Updated,
                "key" | "issuekey" | "issue" => OrderKey::Key,
                "id" => OrderKey::Id,
                "summary" => OrderKey::Summary,
                "project" => OrderKey::Project,
                "status" => OrderKey::Status,
                other => return Err(bad(&format!("Not able to sort using field '{other}'."))),
            };
            Ok((key, *desc))
        })
        .collect::<Result<Vec<_>, Fail>>()?;
    let offset = match &p.token {
        None => 0,
        Some(t) => decode_token(t, &p.jql)
            .ok_or_else(|| bad("The provided next page token is invalid or expired."))?,
    };
    let max = usize::try_from(p.max.clamp(1, MAX_RESULTS)).unwrap_or(50);
    let visibility = if ctx.portal_only() {
        Visibility::Nothing
    } else if ctx.is_agent()? {
        Visibility::All
    } else {
        Visibility::ReporterOrCreator(ctx.actor_id())
    };
    let (ids, more) = store::search_issue_ids(ctx.tx, &filter, &order, &visibility, offset, max)?;
    let only_ids = p.fields.is_empty() || p.fields.iter().all(|f| f == "id");
    let mut issues = Vec::with_capacity(ids.len());
    let mut names = Map::new();
    for id in ids {
        let issue =
            store::issue(ctx.tx, id)?.ok_or_else(|| SimError::NotFound(format!("issue {id}")))?;
        if only_ids && p.properties.is_empty() {
            issues.push(json!({"id": id.to_string()}));
            continue;
        }
        let bean = ctx.issue_json(&issue, &p.fields, &p.properties, false)?;
        if let Some(fields) = bean.get("fields").and_then(Value::as_object) {
            for k in fields.keys() {
                if let Some(n) = field_name(k) {
                    names.insert(k.clone(), json!(n));
                }
            }
        }
        issues.push(bean);
    }
    let mut out = json!({"issues": issues, "isLast": !more});
    if let Some(o) = out.as_object_mut() {
        if more {
            o.insert(
                "nextPageToken".into(),
                json!(encode_token(offset + max, &p.jql)),
            );
        }
        if p.expand.iter().any(|e| e == "names") {
            o.insert("names".into(), Value::Object(names));
        }
    }
    Ok(json_resp(200, &out))
}

fn value_not_found(value: &str, field: &str) -> Fail {
    bad(&format!(
        "The value '{value}' does not exist for the field '{field}'."
    ))
}

fn unsupported(op: Op, field: &str) -> Fail {
    bad(&format!(
        "The operator '{}' is not supported by the '{field}' field.",
        op.as_str()
    ))
}

/// Days, weeks, hours, minutes: `-5d`, `4w 2d`, `-1h 30m`.
fn relative_millis(s: &str) -> Option<i64> {
    let s = s.trim();
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, s.strip_prefix('+').unwrap_or(s)),
    };
    let mut total = 0i64;
    let mut any = false;
    for part in rest.split_whitespace() {
        let (n, unit) = part.split_at(part.len().checked_sub(1)?);
        let n: i64 = n.parse().ok()?;
        let ms = match unit {
            "w" => 7 * 86_400_000,
            "d" => 86_400_000,
            "h" => 3_600_000,
            "m" => 60_000,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(ms)?)?;
        any = true;
    }
    any.then_some(sign * total)
}

fn date_millis(value: &str, now: i64, field: &str) -> Result<i64, Fail> {
    if let Some(rel) = relative_millis(value) {
        return Ok(now + rel);
    }
    for fmt in ["%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(value, fmt) {
            return Ok(t.and_utc().timestamp_millis());
        }
    }
    for fmt in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(d) = chrono::NaiveDate::parse_from_str(value, fmt)
            && let Some(t) = d.and_hms_opt(0, 0, 0)
        {
            return Ok(t.and_utc().timestamp_millis());
        }
    }
    Err(bad(&format!(
        "Date value '{value}' for field '{field}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
    )))
}

/// The kinds of field the search knows.
#[derive(Clone, Copy)]
enum Kind {
    Project,
    Status,
    Reporter,
    Creator,
    Assignee,
    Key,
    IssueType,
    Labels,
    Summary,
    Created,
    Updated,
    RequestType,
}

fn kind_of(name: &str) -> Option<Kind> {
    Some(match name {
        "project" => Kind::Project,
        "status" => Kind::Status,
        "reporter" => Kind::Reporter,
        "creator" => Kind::Creator,
        "assignee" => Kind::Assignee,
        "key" | "issuekey" | "issue" | "id" => Kind::Key,
        "issuetype" | "type" => Kind::IssueType,
        "labels" => Kind::Labels,
        "summary" => Kind::Summary,
        "created" | "createddate" => Kind::Created,
        "updated" | "updateddate" => Kind::Updated,
        "request type" | "customer request type" | "customfield_10010" => Kind::RequestType,
        _ => return None,
    })
}

impl Ctx<'_> {
    fn resolve(&self, clause: &Clause) -> Result<Filter, Fail> {
        Ok(match clause {
            Clause::And(parts) => Filter::All(
                parts
                    .iter()
                    .map(|c| self.resolve(c))
                    .collect::<Result<_, _>>()?,
            ),
            Clause::Or(parts) => Filter::Any(
                parts
                    .iter()
                    .map(|c| self.resolve(c))
                    .collect::<Result<_, _>>()?,
            ),
            Clause::Not(inner) => Filter::Not(Box::new(self.resolve(inner)?)),
            Clause::Term(t) => self.resolve_term(t)?,
        })
    }

    /// The values of an operand; functions evaluated.
    fn values(&self, operand: &Operand, field: &str, users: bool) -> Result<Vec<String>, Fail> {
        match operand {
            Operand::Value(v) => Ok(vec![v.clone()]),
            Operand::List(items) => {
                let mut out = Vec::new();
                for i in items {
                    out.extend(self.values(i, field, users)?);
                }
                Ok(out)
            }
            Operand::Function { name, args } => match (name.to_lowercase().as_str(), users) {
                ("currentuser", true) => Ok(vec![match &self.actor {
                    Actor::App => APP_ACCOUNT_ID.to_string(),
                    Actor::User(u) => u.account_id.clone(),
                }]),
                ("membersof", true) => {
                    let group = args.first().map(String::as_str).unwrap_or_default();
                    if store::group(self.tx, Some(group), None)?.is_none() {
                        return Err(bad(&format!(
                            "Function 'membersOf' can not generate a list of users for group '{group}'; the group does not exist."
                        )));
                    }
                    Ok(store::member_ids(self.tx, group)?)
                }
                ("currentuser" | "membersof", false) => Err(bad(&format!(
                    "A value provided by the function '{name}' is invalid for the field '{field}'."
                ))),
                _ => Err(bad(&format!(
                    "Unable to find JQL function '{name}({})'.",
                    args.join(", ")
                ))),
            },
            Operand::Empty => Ok(Vec::new()),
        }
    }

    fn resolve_term(&self, t: &Term) -> Result<Filter, Fail> {
        let display = t.field.display();
        let kind = match &t.field {
            FieldRef::Property { key, path } => return self.resolve_property(t, key, path),
            FieldRef::Custom(10010) => Kind::RequestType,
            FieldRef::Custom(_) => return Err(no_field(&display)),
            FieldRef::Name(n) => kind_of(n).ok_or_else(|| no_field(&display))?,
        };
        let op = t.op;
        let empty = matches!(t.operand, Operand::Empty);
        // IS / IS NOT EMPTY
        if matches!(op, Op::Is | Op::IsNot) || empty {
            if !matches!(op, Op::Is | Op::IsNot | Op::Eq | Op::Ne) {
                return Err(unsupported(op, &display));
            }
            let is = matches!(op, Op::Is | Op::Eq);
            let empty_filter = match kind {
                Kind::Labels => Filter::LabelsEmpty,
                Kind::RequestType => Filter::Not(Box::new(Filter::HasRequestType)),
                Kind::Assignee => Filter::All(vec![]),
                _ => Filter::Any(vec![]),
            };
            return Ok(if is {
                empty_filter
            } else {
                Filter::Not(Box::new(empty_filter))
            });
        }
        let negate = matches!(op, Op::Ne | Op::NotIn | Op::NotLike);
        let eqish = matches!(op, Op::Eq | Op::Ne | Op::In | Op::NotIn);
        let positive = match kind {
            Kind::Summary => {
                if !matches!(op, Op::Like | Op::NotLike) {
                    return Err(unsupported(op, &display));
                }
                let vals = self.values(&t.operand, &display, false)?;
                Filter::Any(vals.into_iter().map(Filter::SummaryContains).collect())
            }
            Kind::Created | Kind::Updated => {
                let cmp = match op {
                    Op::Eq => CmpOp::Eq,
                    Op::Ne => CmpOp::Ne,
                    Op::Lt => CmpOp::Lt,
                    Op::Le => CmpOp::Le,
                    Op::Gt => CmpOp::Gt,
                    Op::Ge => CmpOp::Ge,
                    _ => return Err(unsupported(op, &display)),
                };
                let Operand::Value(v) = &t.operand else {
                    return Err(unsupported(op, &display));
                };
                let at = date_millis(v, self.now, &display)?;
                return Ok(if matches!(kind, Kind::Created) {
                    Filter::Created(cmp, at)
                } else {
                    Filter::Updated(cmp, at)
                });
            }
            Kind::Key if !eqish => {
                let cmp = match op {
                    Op::Lt => CmpOp::Lt,
                    Op::Le => CmpOp::Le,
                    Op::Gt => CmpOp::Gt,
                    Op::Ge => CmpOp::Ge,
                    _ => return Err(unsupported(op, &display)),
                };
                let Operand::Value(v) = &t.operand else {
                    return Err(unsupported(op, &display));
                };
                let issue = store::issue_by_id_or_key(self.tx, v)?.ok_or_else(|| {
                    bad(&format!(
                        "An issue with key '{v}' does not exist for field '{display}'."
                    ))
                })?;
                return Ok(Filter::Id(cmp, issue.id));
            }
            _ if !eqish => return Err(unsupported(op, &display)),
            Kind::Project => {
                let mut ids = Vec::new();
                for v in self.values(&t.operand, &display, false)? {
                    let p = store::project_by_jql_value(self.tx, &v)?
                        .ok_or_else(|| value_not_found(&v, &display))?;
                    ids.push(p.id);
                }
                Filter::ProjectIn(ids)
            }
            Kind::Status => {
                let mut ids = Vec::new();
                for v in self.values(&t.operand, &display, false)? {
                    ids.push(
                        store::status_by_jql_value(self.tx, &v)?
                            .ok_or_else(|| value_not_found(&v, &display))?,
                    );
                }
                Filter::StatusIn(ids)
            }
            Kind::IssueType => {
                let mut ids = Vec::new();
                for v in self.values(&t.operand, &display, false)? {
                    let found = store::issue_types_named(self.tx, &v)?;
                    if found.is_empty() {
                        return Err(value_not_found(&v, &display));
                    }
                    ids.extend(found);
                }
                Filter::IssueTypeIn(ids)
            }
            Kind::RequestType => {
                let mut ids = Vec::new();
                for v in self.values(&t.operand, &display, false)? {
                    let found = store::request_types_named(self.tx, &v)?;
                    if found.is_empty() {
                        return Err(value_not_found(&v, &display));
                    }
                    ids.extend(found);
                }
                Filter::RequestTypeIn(ids)
            }
            Kind::Reporter | Kind::Creator | Kind::Assignee => {
                let mut ids = Vec::new();
                for v in self.values(&t.operand, &display, true)? {
                    let id = if v == APP_ACCOUNT_ID || store::user(self.tx, &v)?.is_some() {
                        v
                    } else if let Some(u) = store::user_by_email(self.tx, &v)? {
                        u.account_id
                    } else {
                        return Err(value_not_found(&v, &display));
                    };
                    ids.push(id);
                }
                match kind {
                    Kind::Reporter => Filter::ReporterIn(ids),
                    Kind::Creator => Filter::CreatorIn(ids),
                    // Nothing is ever assigned: no value matches, and `!=`
                    // excludes the unassigned as Jira does.
                    _ => return Ok(Filter::Any(vec![])),
                }
            }
            Kind::Key => {
                let mut keys = Vec::new();
                for v in self.values(&t.operand, &display, false)? {
                    match store::issue_by_id_or_key(self.tx, &v)? {
                        Some(i) => keys.push(i.key),
                        None => {
                            return Err(bad(&format!(
                                "An issue with key '{v}' does not exist for field '{display}'."
                            )));
                        }
                    }
                }
                Filter::KeyIn(keys)
            }
            Kind::Labels => {
                let vals = self.values(&t.operand, &display, false)?;
                let f = Filter::LabelIn(vals);
                if negate {
                    // `!=` leaves out issues without labels, as Jira does.
                    return Ok(Filter::All(vec![
                        Filter::Not(Box::new(f)),
                        Filter::Not(Box::new(Filter::LabelsEmpty)),
                    ]));
                }
                f
            }
        };
        Ok(if negate {
            Filter::Not(Box::new(positive))
        } else {
            positive
        })
    }

    fn resolve_property(&self, t: &Term, key: &str, path: &[String]) -> Result<Filter, Fail> {
        let display = t.field.display();
        let plain = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        };
        if key.is_empty() || !path.iter().all(|seg| plain(seg)) {
            return Err(no_field(&display));
        }
        let exists = Filter::PropertyExists {
            key: key.to_string(),
            path: path.to_vec(),
        };
        let is_in = |values: Vec<String>| Filter::PropertyIn {
            key: key.to_string(),
            path: path.to_vec(),
            values,
        };
        Ok(match (t.op, &t.operand) {
            (Op::Is | Op::Eq, Operand::Empty) => Filter::Not(Box::new(exists)),
            (Op::IsNot | Op::Ne, Operand::Empty) => exists,
            (Op::Eq | Op::In, operand) => is_in(self.values(operand, &display, false)?),
            (Op::Ne | Op::NotIn, operand) => Filter::All(vec![
                exists,
                Filter::Not(Box::new(is_in(self.values(operand, &display, false)?))),
            ]),
            (op, _) => return Err(unsupported(op, &display)),
        })
    }
}

fn no_field(name: &str) -> Fail {
    bad(&format!(
        "Field '{name}' does not exist or you do not have permission to view it."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_belong_to_their_query() {
        let t = encode_token(50, "project = AIR");
        assert_eq!(decode_token(&t, "project = AIR"), Some(50));
        assert_eq!(decode_token(&t, "project = OPS"), None);
        assert_eq!(decode_token("garbage!", "project = AIR"), None);
    }

    #[test]
    fn relative_periods() {
        assert_eq!(relative_millis("-5d"), Some(-5 * 86_400_000));
        assert_eq!(relative_millis("4w 2d"), Some(30 * 86_400_000));
        assert_eq!(relative_millis("-1h 30m"), Some(-5_400_000));
        assert_eq!(relative_millis("2026-01-01"), None);
        assert_eq!(relative_millis("5x"), None);
    }
}
