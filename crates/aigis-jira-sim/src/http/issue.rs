//! Issues: create, get, edit. Creation is shared with JSM's
//! `POST /rest/servicedeskapi/request` ([`Ctx::insert_issue_with_event`]).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::properties::{property_item, property_items};
use super::render::{REQUEST_TYPE_FIELD, fmt_time, is_adf_doc};
use super::reply::{empty, field_errors, json_resp};
use super::{Actor, Ctx, Fail, HResult, Req, id_value, reply};
use crate::store::{self, IssueEdit, IssueRow, NewIssue};

/// Per-field errors, first message per field wins.
#[derive(Default)]
struct Errors(BTreeMap<String, String>);

impl Errors {
    fn add(&mut self, field: &str, message: &str) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| message.to_string());
    }
}

const NOT_ON_SCREEN: &str = "cannot be set. It is not on the appropriate screen, or unknown.";

/// Labels: strings without spaces.
fn labels_value(v: &Value) -> Option<Vec<String>> {
    v.as_array()?
        .iter()
        .map(|l| {
            l.as_str()
                .filter(|s| !s.is_empty() && !s.contains(' '))
                .map(str::to_string)
        })
        .collect()
}

fn summary_value(v: Option<&Value>, errors: &mut Errors) -> Option<String> {
    match v {
        Some(Value::String(s)) if s.trim().is_empty() => {
            errors.add("summary", "You must specify a summary of the issue.");
            None
        }
        Some(Value::String(s)) if s.chars().count() > 255 => {
            errors.add("summary", "Summary must be less than 255 characters.");
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) | None => {
            errors.add("summary", "You must specify a summary of the issue.");
            None
        }
        Some(_) => {
            errors.add("summary", "Operation value must be a string");
            None
        }
    }
}

const NOT_ADF: &str =
    "Operation value must be an Atlassian Document (see the Atlassian Document Format)";

impl Ctx<'_> {
    /// Insert a validated issue and append its `avi:jira:created:issue`
    /// product event, in the request's transaction.
    pub fn insert_issue_with_event(&self, new: &NewIssue) -> Result<IssueRow, Fail> {
        let row = store::insert_issue(self.tx, new, self.now)?;
        let payload = self.created_event(&row)?;
        store::insert_event(self.tx, "avi:jira:created:issue", &payload, self.now)?;
        Ok(row)
    }

    /// Forge product-event payload of `avi:jira:created:issue`.
    fn created_event(&self, i: &IssueRow) -> Result<Value, Fail> {
        let project = store::project(self.tx, i.project_id)?
            .ok_or_else(|| crate::SimError::NotFound(format!("project {}", i.project_id)))?;
        let it = store::issue_type_name(self.tx, i.issue_type_id)?;
        let status = store::status_name(self.tx, i.status_id)?;
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
                    "project": {"id": i.project_id.to_string(), "key": project.key, "name": project.name},
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

    /// The reporter a create may set: the caller, or (agents only) any user.
    fn reporter_value(
        &self,
        v: Option<&Value>,
        errors: &mut Errors,
    ) -> Result<Option<String>, Fail> {
        let me = self.actor_id();
        Ok(match v {
            None | Some(Value::Null) => Some(me),
            Some(Value::Object(r)) => {
                let id = r
                    .get("accountId")
                    .or_else(|| r.get("id"))
                    .and_then(Value::as_str);
                match id {
                    Some(id) if id == me => Some(me),
                    Some(_) if !self.is_agent()? => {
                        errors.add("reporter", &format!("Field 'reporter' {NOT_ON_SCREEN}"));
                        None
                    }
                    Some(id) if store::user(self.tx, id)?.is_some() => Some(id.to_string()),
                    _ => {
                        errors.add("reporter", "Specify a valid user as reporter.");
                        None
                    }
                }
            }
            Some(_) => {
                errors.add("reporter", "Specify a valid user as reporter.");
                None
            }
        })
    }
}

pub fn create_issue(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let Some(body) = req.body.as_ref().and_then(Value::as_object) else {
        return Err(reply::fail(400, "Request body must be a JSON object."));
    };
    let empty_fields = Map::new();
    let fields = match body.get("fields") {
        None => &empty_fields,
        Some(Value::Object(f)) => f,
        Some(_) => return Err(reply::fail(400, "The 'fields' property must be an object.")),
    };
    let mut errors = Errors::default();

    let project = match fields.get("project") {
        Some(Value::Object(p)) => {
            if let Some(key) = p.get("key").and_then(Value::as_str) {
                store::project_id_by_key(ctx.tx, key)?
            } else if let Some(id) = p.get("id").and_then(id_value) {
                Some(id).filter(|id| store::project_exists(ctx.tx, *id).unwrap_or(false))
            } else {
                None
            }
        }
        _ => None,
    };
    if project.is_none() {
        errors.add("project", "Specify a valid project ID or key");
    } else if ctx.portal_only() {
        // Without Jira access there is no *Create issues* permission: a
        // portal-only account raises requests through the portal.
        errors.add(
            "project",
            "You do not have permission to create issues in this project.",
        );
    }

    let issue_type = match (fields.get("issuetype"), project) {
        (None, _) => {
            errors.add("issuetype", "Specify an issue type");
            None
        }
        (Some(Value::Object(t)), Some(pid)) => {
            let id = t.get("id").and_then(id_value);
            let name = t.get("name").and_then(Value::as_str);
            let found = if id.is_some() || name.is_some() {
                store::project_issue_type(ctx.tx, pid, id, name)?
            } else {
                None
            };
            if found.is_none() {
                errors.add("issuetype", "The issue type selected is invalid.");
            }
            found
        }
        (Some(Value::Object(_)), None) => None,
        (Some(_), _) => {
            errors.add("issuetype", "The issue type selected is invalid.");
            None
        }
    };

    let summary = summary_value(fields.get("summary"), &mut errors);
    let description = match fields.get("description") {
        None | Some(Value::Null) => None,
        Some(d) if is_adf_doc(d) => Some(d.to_string()),
        Some(_) => {
            errors.add("description", NOT_ADF);
            None
        }
    };
    let reporter = ctx.reporter_value(fields.get("reporter"), &mut errors)?;

    let request_type = match fields.get(REQUEST_TYPE_FIELD) {
        None | Some(Value::Null) => None,
        Some(v) => {
            let rt = match id_value(v) {
                Some(id) => store::request_type(ctx.tx, id)?,
                None => None,
            };
            match rt {
                Some(rt) if Some(rt.project_id) == project => {
                    if issue_type.is_some() && Some(rt.issue_type_id) != issue_type {
                        errors.add(
                            REQUEST_TYPE_FIELD,
                            "The request type does not match the issue type of the issue.",
                        );
                    }
                    Some(rt.id)
                }
                _ => {
                    errors.add(
                        REQUEST_TYPE_FIELD,
                        "Specify a valid request type of this project's service desk.",
                    );
                    None
                }
            }
        }
    };

    let labels = match fields.get("labels") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => labels_value(v).unwrap_or_else(|| {
            errors.add("labels", "Labels must be strings without spaces.");
            Vec::new()
        }),
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
            errors.add(k, &format!("Field '{k}' {NOT_ON_SCREEN}"));
        }
    }

    let mut properties = Vec::new();
    match body.get("properties") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                match property_item(item) {
                    Ok(p) => properties.push(p),
                    Err(m) => errors.add("properties", &m),
                }
            }
        }
        Some(_) => errors.add("properties", "Properties must be an array of {key, value}."),
    }

    if !errors.0.is_empty() {
        return Err(Fail::Resp(field_errors(&errors.0)));
    }
    let (Some(project_id), Some(issue_type_id), Some(summary), Some(reporter)) =
        (project, issue_type, summary, reporter)
    else {
        // Every None above recorded an error, so this is unreachable in practice.
        return Err(reply::fail(400, "Invalid issue."));
    };
    let row = ctx.insert_issue_with_event(&NewIssue {
        project_id,
        issue_type_id,
        summary,
        description,
        reporter,
        creator: ctx.actor_id(),
        request_type_id: request_type,
        labels: json!(labels).to_string(),
        properties,
    })?;
    Ok(json_resp(
        201,
        &json!({
            "id": row.id.to_string(),
            "key": row.key,
            "self": format!("{}/rest/api/3/issue/{}", ctx.base, row.id),
        }),
    ))
}

pub fn get_issue(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let issue = ctx.visible_issue(req.param("issueIdOrKey"))?;
    let out = ctx.issue_json(
        &issue,
        &req.query.list("fields"),
        &req.query.list("properties"),
        true,
    )?;
    Ok(json_resp(200, &out))
}

/// `PUT /issue/{key}`: `fields` and `update` (set/add/remove) of summary,
/// description and labels, and `properties`. Agents only: to anyone else
/// the fields are "not on the screen", as Jira answers.
pub fn edit_issue(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let issue = ctx.visible_issue(req.param("issueIdOrKey"))?;
    let q = &req.query;
    if (q.flag("overrideScreenSecurity") || q.flag("overrideEditableFlag"))
        && !matches!(ctx.actor, Actor::App)
    {
        return Err(reply::fail(
            403,
            "Only Connect and Forge app users with Administer Jira permission can override screen security.",
        ));
    }
    let Some(body) = req.body.as_ref().and_then(Value::as_object) else {
        return Err(reply::fail(400, "Request body must be a JSON object."));
    };
    let empty_map = Map::new();
    let obj = |k: &str| -> Result<&Map<String, Value>, Fail> {
        match body.get(k) {
            None | Some(Value::Null) => Ok(&empty_map),
            Some(Value::Object(m)) => Ok(m),
            Some(_) => Err(reply::fail(
                400,
                &format!("The '{k}' property must be an object."),
            )),
        }
    };
    let fields = obj("fields")?;
    let update = obj("update")?;
    let mut errors = Errors::default();
    let agent = ctx.is_agent()?;
    let mut edit = IssueEdit::default();
    let mut labels: Vec<String> = serde_json::from_str(&issue.labels).unwrap_or_default();
    let mut labels_changed = false;

    for k in fields.keys().chain(update.keys()) {
        let editable = matches!(k.as_str(), "summary" | "description" | "labels");
        if !editable || !agent {
            errors.add(k, &format!("Field '{k}' {NOT_ON_SCREEN}"));
        }
    }
    if errors.0.is_empty() {
        for (k, v) in fields {
            set_field(
                k,
                v,
                &mut edit,
                &mut labels,
                &mut labels_changed,
                &mut errors,
            );
        }
        for (k, ops) in update {
            let Some(ops) = ops.as_array() else {
                errors.add(k, "The update of a field must be a list of operations.");
                continue;
            };
            for op in ops {
                let Some(op) = op.as_object().filter(|o| o.len() == 1) else {
                    errors.add(k, "Each operation must be one of set, add or remove.");
                    continue;
                };
                for (verb, v) in op {
                    match (verb.as_str(), k.as_str()) {
                        ("set", _) => set_field(
                            k,
                            v,
                            &mut edit,
                            &mut labels,
                            &mut labels_changed,
                            &mut errors,
                        ),
                        ("add", "labels") => match v
                            .as_str()
                            .filter(|s| !s.is_empty() && !s.contains(' '))
                        {
                            Some(l) => {
                                if !labels.iter().any(|x| x == l) {
                                    labels.push(l.to_string());
                                }
                                labels_changed = true;
                            }
                            None => errors.add("labels", "Labels must be strings without spaces."),
                        },
                        ("remove", "labels") => match v.as_str() {
                            Some(l) => {
                                labels.retain(|x| x != l);
                                labels_changed = true;
                            }
                            None => errors.add("labels", "Labels must be strings without spaces."),
                        },
                        (other, _) => errors.add(
                            k,
                            &format!("Field '{k}' does not support the '{other}' operation."),
                        ),
                    }
                }
            }
        }
    }
    let properties = property_items(body.get("properties"));
    if let Err(m) = &properties {
        errors.add("properties", m);
    }
    if !errors.0.is_empty() {
        return Err(Fail::Resp(field_errors(&errors.0)));
    }
    if labels_changed {
        edit.labels = Some(json!(labels).to_string());
    }
    store::update_issue(ctx.tx, issue.id, &edit, ctx.now)?;
    for (k, v) in properties.unwrap_or_default() {
        store::put_property(ctx.tx, issue.id, &k, &v)?;
    }
    if q.flag("returnIssue") {
        let updated = store::issue(ctx.tx, issue.id)?
            .ok_or_else(|| crate::SimError::NotFound(format!("issue {}", issue.id)))?;
        return Ok(json_resp(200, &ctx.issue_json(&updated, &[], &[], true)?));
    }
    Ok(empty(204))
}

/// `fields.k = v` or `update.k = [{set: v}]`.
fn set_field(
    k: &str,
    v: &Value,
    edit: &mut IssueEdit,
    labels: &mut Vec<String>,
    labels_changed: &mut bool,
    errors: &mut Errors,
) {
    match k {
        "summary" => edit.summary = summary_value(Some(v), errors),
        "description" => match v {
            Value::Null => edit.description = Some(None),
            d if is_adf_doc(d) => edit.description = Some(Some(d.to_string())),
            _ => errors.add("description", NOT_ADF),
        },
        "labels" => match v {
            Value::Null => {
                labels.clear();
                *labels_changed = true;
            }
            v => match labels_value(v) {
                Some(l) => {
                    *labels = l;
                    *labels_changed = true;
                }
                None => errors.add("labels", "Labels must be strings without spaces."),
            },
        },
        _ => errors.add(k, &format!("Field '{k}' {NOT_ON_SCREEN}")),
    }
}
