//! `issueLink` (create) and `issueLinkType` (list).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::render::is_adf_doc;
use super::reply::{field_errors, json_resp};
use super::{Ctx, Fail, HResult, Req, id_value, reply};
use crate::SimResponse;
use crate::store::{self, LinkTypeRow};

impl Ctx<'_> {
    fn link_type_json(&self, t: &LinkTypeRow) -> Value {
        json!({
            "id": t.id.to_string(),
            "name": t.name,
            "inward": t.inward,
            "outward": t.outward,
            "self": format!("{}/rest/api/3/issueLinkType/{}", self.base, t.id),
        })
    }
}

pub fn link_types(ctx: &Ctx<'_>, _req: &Req) -> HResult {
    let types: Vec<Value> = store::link_types(ctx.tx)?
        .iter()
        .map(|t| ctx.link_type_json(t))
        .collect();
    Ok(json_resp(200, &json!({ "issueLinkTypes": types })))
}

pub fn link_issues(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let Some(body) = req.body.as_ref().and_then(Value::as_object) else {
        return Err(reply::fail(400, "Request body must be a JSON object."));
    };
    let link_type = body.get("type");
    let name = link_type
        .and_then(|t| t.get("name"))
        .and_then(Value::as_str);
    let id = link_type.and_then(|t| t.get("id")).and_then(id_value);
    if name.is_none() && id.is_none() {
        return Err(reply::fail(400, "Issue link type is required."));
    }
    let Some(t) = store::link_type(ctx.tx, name, id)? else {
        return Err(reply::fail(
            404,
            "No issue link type with that name or id found.",
        ));
    };
    let mut ends = Vec::new();
    for side in ["inwardIssue", "outwardIssue"] {
        let Some(end) = body.get(side).and_then(Value::as_object) else {
            return Err(reply::fail(400, &format!("The '{side}' is required.")));
        };
        let ident = end
            .get("key")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| end.get("id").and_then(id_value).map(|i| i.to_string()));
        let Some(ident) = ident else {
            return Err(reply::fail(
                400,
                &format!("The '{side}' needs an id or key."),
            ));
        };
        ends.push(ctx.visible_issue(&ident)?.id);
    }
    if let Some(c) = body.get("comment").and_then(|c| c.get("body"))
        && !is_adf_doc(c)
    {
        return Err(Fail::Resp(field_errors(&BTreeMap::from([(
            "comment".to_string(),
            "Comment body must be an Atlassian Document Format document.".to_string(),
        )]))));
    }
    let id = store::insert_link(ctx.tx, t.id, ends[0], ends[1])?;
    Ok(SimResponse {
        status: 201,
        headers: vec![(
            "Location".into(),
            format!("{}/rest/api/3/issueLink/{id}", ctx.base),
        )],
        body: String::new(),
    })
}
