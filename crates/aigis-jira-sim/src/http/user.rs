//! `myself`, `user`, `user/search`, `user/groups`.

use serde_json::{Value, json};

use super::reply::json_resp;
use super::{Ctx, HResult, Req, reply};
use crate::{APP_ACCOUNT_ID, store};

fn no_user(id: &str) -> super::Fail {
    reply::fail(
        404,
        &format!("Specified user does not exist or you do not have required permissions: '{id}'"),
    )
}

pub fn myself(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let mut me = ctx.me_json();
    if req.query.expands("groups")
        && let Some(o) = me.as_object_mut()
    {
        let groups: Vec<Value> = store::groups_of(ctx.tx, &ctx.actor_id())?
            .iter()
            .map(|(id, n)| ctx.group_json(id, n))
            .collect();
        o.insert(
            "groups".into(),
            json!({"size": groups.len(), "items": groups}),
        );
    }
    Ok(json_resp(200, &me))
}

pub fn get_user(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let id = req.query.get("accountId").unwrap_or_default();
    if id == APP_ACCOUNT_ID {
        return Ok(json_resp(200, &ctx.app_user_json()));
    }
    match store::user(ctx.tx, id)? {
        Some(u) => Ok(json_resp(200, &ctx.user_json(&u, true))),
        None => Err(no_user(id)),
    }
}

pub fn user_search(ctx: &Ctx<'_>, req: &Req) -> HResult {
    // Jira answers a caller without *Browse users and groups* with nothing.
    if ctx.portal_only() {
        return Ok(json_resp(200, &json!([])));
    }
    let q = &req.query;
    let start = usize::try_from(q.int("startAt", 0)?.max(0)).unwrap_or(0);
    let max = usize::try_from(q.int("maxResults", 50)?.clamp(0, 1000)).unwrap_or(50);
    let users = match (q.get("query"), q.get("accountId")) {
        (Some(query), _) => store::search_users(ctx.tx, query)?,
        (None, Some(id)) => store::user(ctx.tx, id)?.into_iter().collect(),
        (None, None) => {
            return Err(reply::fail(
                400,
                "One of 'query' or 'accountId' must be specified.",
            ));
        }
    };
    let out: Vec<Value> = users
        .iter()
        .skip(start)
        .take(max)
        .map(|u| ctx.user_json(u, true))
        .collect();
    Ok(json_resp(200, &Value::Array(out)))
}

pub fn user_groups(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let id = req.query.get("accountId").unwrap_or_default();
    if store::user(ctx.tx, id)?.is_none() {
        return Err(no_user(id));
    }
    let groups: Vec<Value> = store::groups_of(ctx.tx, id)?
        .iter()
        .map(|(gid, n)| ctx.group_json(gid, n))
        .collect();
    Ok(json_resp(200, &Value::Array(groups)))
}

/// `GET /user/bulk?accountId=..`: a `PageBeanUser` of the accounts Jira
/// knows, in the order asked; unknown ids are left out, as Jira does.
pub fn user_bulk(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let q = &req.query;
    let ids = q.list("accountId");
    if ids.is_empty() {
        return Err(reply::fail(400, "The 'accountId' parameter is required."));
    }
    let start = usize::try_from(q.int("startAt", 0)?.max(0)).unwrap_or(0);
    let max = usize::try_from(q.int("maxResults", 10)?.clamp(1, 200)).unwrap_or(10);
    let mut found = Vec::new();
    for id in &ids {
        if id == APP_ACCOUNT_ID {
            found.push(ctx.app_user_json());
        } else if let Some(u) = store::user(ctx.tx, id)? {
            found.push(ctx.user_json(&u, true));
        }
    }
    let total = found.len();
    let values: Vec<Value> = found.into_iter().skip(start).take(max).collect();
    let is_last = start + values.len() >= total;
    let query: Vec<String> = ids.iter().map(|i| format!("accountId={i}")).collect();
    Ok(json_resp(
        200,
        &json!({
            "self": format!("{}/rest/api/3/user/bulk?{}&startAt={start}&maxResults={max}", ctx.base, query.join("&")),
            "maxResults": max,
            "startAt": start,
            "total": total,
            "isLast": is_last,
            "values": values,
        }),
    ))
}
