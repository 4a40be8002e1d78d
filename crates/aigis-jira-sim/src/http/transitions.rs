//! Workflow transitions of an issue.

use serde_json::json;

use super::reply::{empty, json_resp};
use super::{Ctx, Fail, HResult, Req, id_value, reply};
use crate::store::{self, IssueRow};

impl Ctx<'_> {
    /// Transitions the caller may make: (id, name, to status).
    fn available_transitions(&self, issue: &IssueRow) -> Result<Vec<(i64, String, i64)>, Fail> {
        if !self.is_agent()? {
            return Ok(Vec::new());
        }
        Ok(store::transitions_from(
            self.tx,
            issue.project_id,
            issue.status_id,
        )?)
    }
}

pub fn get_transitions(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let issue = ctx.visible_issue(req.param("issueIdOrKey"))?;
    let only = req.query.get("transitionId");
    let mut out = Vec::new();
    for (id, name, to) in ctx.available_transitions(&issue)? {
        if only.is_some_and(|o| o != id.to_string()) {
            continue;
        }
        out.push(json!({
            "id": id.to_string(),
            "name": name,
            "to": ctx.status_json(to)?,
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

pub fn do_transition(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let issue = ctx.visible_issue(req.param("issueIdOrKey"))?;
    let Some(tid) = req
        .body
        .as_ref()
        .and_then(|b| b.get("transition"))
        .and_then(|t| t.get("id"))
        .and_then(id_value)
    else {
        return Err(reply::fail(400, "Missing 'transition' identifier"));
    };
    let available = ctx.available_transitions(&issue)?;
    let Some((_, _, to)) = available.iter().find(|(id, _, _)| *id == tid) else {
        return Err(reply::fail(
            400,
            &format!("Transition id '{tid}' is not valid for this issue."),
        ));
    };
    store::set_issue_status(ctx.tx, issue.id, *to, ctx.now)?;
    Ok(empty(204))
}
