//! `GET /field`: the system fields the simulator stores and its custom
//! field (`customfield_10010`, JSM's request type).

use serde_json::{Value, json};

use super::render::REQUEST_TYPE_FIELD;
use super::reply::json_resp;
use super::{Ctx, HResult, Req};

/// One field: (id, name, JQL clause names, schema type, orderable, searchable).
pub struct FieldInfo {
    pub id: &'static str,
    pub name: &'static str,
    pub clause_names: &'static [&'static str],
    pub schema: (&'static str, Option<&'static str>),
    pub orderable: bool,
    pub searchable: bool,
}

const fn f(
    id: &'static str,
    name: &'static str,
    clause_names: &'static [&'static str],
    schema: (&'static str, Option<&'static str>),
    orderable: bool,
    searchable: bool,
) -> FieldInfo {
    FieldInfo {
        id,
        name,
        clause_names,
        schema,
        orderable,
        searchable,
    }
}

/// The fields of every issue, system fields first.
pub const FIELDS: &[FieldInfo] = &[
    f(
        "summary",
        "Summary",
        &["summary"],
        ("string", None),
        true,
        true,
    ),
    f(
        "description",
        "Description",
        &["description"],
        ("string", None),
        true,
        true,
    ),
    f(
        "status",
        "Status",
        &["status"],
        ("status", None),
        false,
        true,
    ),
    f(
        "reporter",
        "Reporter",
        &["reporter"],
        ("user", None),
        true,
        true,
    ),
    f(
        "creator",
        "Creator",
        &["creator"],
        ("user", None),
        false,
        true,
    ),
    f(
        "assignee",
        "Assignee",
        &["assignee"],
        ("user", None),
        true,
        true,
    ),
    f(
        "project",
        "Project",
        &["project"],
        ("project", None),
        false,
        true,
    ),
    f(
        "issuetype",
        "Issue Type",
        &["issuetype", "type"],
        ("issuetype", None),
        true,
        true,
    ),
    f(
        "created",
        "Created",
        &["created", "createdDate"],
        ("datetime", None),
        false,
        true,
    ),
    f(
        "updated",
        "Updated",
        &["updated", "updatedDate"],
        ("datetime", None),
        false,
        true,
    ),
    f(
        "labels",
        "Labels",
        &["labels"],
        ("array", Some("string")),
        true,
        true,
    ),
    f(
        "issuelinks",
        "Linked Issues",
        &["issueLink"],
        ("array", Some("issuelinks")),
        true,
        false,
    ),
    f(
        "issuekey",
        "Key",
        &["id", "issue", "issuekey", "key"],
        ("string", None),
        false,
        false,
    ),
    f(
        REQUEST_TYPE_FIELD,
        "Request Type",
        &["cf[10010]", "Customer Request Type", "Request Type"],
        ("sd-customerrequesttype", None),
        true,
        true,
    ),
];

/// Display name of a field id, for `expand=names`.
pub fn field_name(id: &str) -> Option<&'static str> {
    FIELDS.iter().find(|f| f.id == id).map(|f| f.name)
}

fn field_json(f: &FieldInfo) -> Value {
    let custom = f.id.starts_with("customfield_");
    let mut schema = json!({"type": f.schema.0});
    if let Some(o) = schema.as_object_mut() {
        if let Some(items) = f.schema.1 {
            o.insert("items".into(), json!(items));
        }
        if custom {
            o.insert(
                "custom".into(),
                json!("com.atlassian.servicedesk:vp-origin"),
            );
            o.insert("customId".into(), json!(10010));
        } else {
            o.insert("system".into(), json!(f.id));
        }
    }
    json!({
        "id": f.id,
        "key": f.id,
        "name": f.name,
        "custom": custom,
        "orderable": f.orderable,
        "navigable": true,
        "searchable": f.searchable,
        "clauseNames": f.clause_names,
        "schema": schema,
    })
}

pub fn fields(_ctx: &Ctx<'_>, _req: &Req) -> HResult {
    let all: Vec<Value> = FIELDS.iter().map(field_json).collect();
    Ok(json_resp(200, &Value::Array(all)))
}
