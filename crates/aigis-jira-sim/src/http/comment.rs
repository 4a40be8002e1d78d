//! Issue comments: list, add, get one.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::properties::property_items;
use super::render::is_adf_doc;
use super::reply::{field_errors, json_resp};
use super::{Ctx, Fail, HResult, Req, reply};
use crate::store::{self, CommentRow};

impl Ctx<'_> {
    fn comment_json(&self, issue_id: i64, c: &CommentRow, with_props: bool) -> Result<Value, Fail> {
        let mut author = self.user_json_by_id(&c.author)?;
        if let Some(o) = author.as_object_mut() {
            o.remove("locale"); // UserDetails has no locale
        }
        let body: Value = serde_json::from_str(&c.body)?;
        let mut out = json!({
            "self": format!("{}/rest/api/3/issue/{issue_id}/comment/{}", self.base, c.id),
            "id": c.id.to_string(),
            "author": author,
            "body": body,
            "updateAuthor": author,
            "created": super::render::fmt_time(c.created),
            "updated": super::render::fmt_time(c.updated),
            "jsdPublic": c.public,
        });
        if with_props && let Some(o) = out.as_object_mut() {
            o.insert("properties".into(), serde_json::from_str(&c.properties)?);
        }
        Ok(out)
    }
}

fn comment_error(message: &str) -> Fail {
    Fail::Resp(field_errors(&BTreeMap::from([(
        "comment".to_string(),
        message.to_string(),
    )])))
}

pub fn add_comment(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let issue = ctx.visible_issue(req.param("issueIdOrKey"))?;
    let Some(body) = req.body.as_ref().and_then(Value::as_object) else {
        return Err(reply::fail(400, "Request body must be a JSON object."));
    };
    let Some(doc) = body.get("body") else {
        return Err(comment_error("Comment body can not be empty!"));
    };
    if !is_adf_doc(doc) {
        return Err(comment_error(
            "Comment body must be an Atlassian Document Format document (type \"doc\", version 1, content array).",
        ));
    }
    if doc
        .get("content")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty)
    {
        return Err(comment_error("Comment body can not be empty!"));
    }
    let props = property_items(body.get("properties")).map_err(|m| reply::fail(400, &m))?;
    // JSM: the `sd.public.comment` property {internal: true} makes it internal.
    let internal = props.iter().any(|(k, v)| {
        k == "sd.public.comment"
            && serde_json::from_str::<Value>(v)
                .ok()
                .and_then(|v| v.get("internal").and_then(Value::as_bool))
                == Some(true)
    });
    let props_json = props
        .iter()
        .map(|(k, v)| Ok(json!({"key": k, "value": serde_json::from_str::<Value>(v)?})))
        .collect::<Result<Vec<Value>, serde_json::Error>>()?;
    let row = store::insert_comment(
        ctx.tx,
        issue.id,
        &ctx.actor_id(),
        &doc.to_string(),
        !internal,
        &Value::Array(props_json).to_string(),
        ctx.now,
    )?;
    let c = ctx.comment_json(issue.id, &row, req.query.expands("properties"))?;
    Ok(json_resp(201, &c))
}

pub fn get_comments(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let issue = ctx.visible_issue(req.param("issueIdOrKey"))?;
    let q = &req.query;
    let start = q.int("startAt", 0)?.max(0);
    let max = q.int("maxResults", 5000)?.clamp(0, 5000);
    let desc = matches!(q.get("orderBy"), Some("-created"));
    let rows = store::comments_of(ctx.tx, issue.id, ctx.is_agent()?, desc)?;
    let total = rows.len();
    let with_props = q.expands("properties");
    let comments = rows
        .iter()
        .skip(usize::try_from(start).unwrap_or(0))
        .take(usize::try_from(max).unwrap_or(0))
        .map(|c| ctx.comment_json(issue.id, c, with_props))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json_resp(
        200,
        &json!({"startAt": start, "maxResults": max, "total": total, "comments": comments}),
    ))
}

/// One comment; internal comments are "not found" to portal customers.
pub fn get_comment(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let issue = ctx.visible_issue(req.param("issueIdOrKey"))?;
    let id = req.param("id");
    let missing = || reply::fail(404, &format!("Can not find a comment for the id: {id}."));
    let Ok(cid) = id.parse::<i64>() else {
        return Err(missing());
    };
    let Some(c) = store::comment(ctx.tx, issue.id, cid)? else {
        return Err(missing());
    };
    if !c.public && !ctx.is_agent()? {
        return Err(missing());
    }
    let c = ctx.comment_json(issue.id, &c, req.query.expands("properties"))?;
    Ok(json_resp(200, &c))
}
