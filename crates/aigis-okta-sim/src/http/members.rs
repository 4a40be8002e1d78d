//! Group members: `GET /api/v1/groups/{groupId}/users` (paged by `after`
//! with `Link` headers), `PUT`/`DELETE /api/v1/groups/{groupId}/users/{userId}`.

use aigis_sim_kit::SimResponse;
use serde_json::Value;

use super::groups::group_404;
use super::users::render_user;
use super::{Ctx, HResult, Req, limit, okta_error, page_links};
use crate::model::GroupType;

pub fn list_group_users(ctx: &mut Ctx<'_>, req: &Req<'_>) -> HResult {
    let gid = req.param("groupId").to_string();
    if !ctx.st.groups.contains_key(&gid) {
        return Err(group_404(ctx, &gid));
    }
    let limit = limit(ctx, req, 1000, 10_000)?;
    let after = req.query.get("after");
    let st = &*ctx.st;
    let mut page: Vec<&str> = st
        .members
        .get(&gid)
        .into_iter()
        .flatten()
        .map(String::as_str)
        .filter(|u| after.is_none_or(|a| *u > a))
        .take(limit + 1)
        .collect();
    let more = page.len() > limit;
    page.truncate(limit);
    let next = more.then(|| page.last().map(|u| u.to_string())).flatten();
    let body: Vec<Value> = page
        .iter()
        .filter_map(|u| st.users.get(*u))
        .map(|u| render_user(u, &ctx.base))
        .collect();
    let mut r = SimResponse::json(200, &Value::Array(body));
    r.headers.extend(page_links(
        &ctx.base,
        &req.path,
        &req.query,
        next.as_deref(),
    ));
    Ok(r)
}

/// The group (must be an OKTA_GROUP) and the user, or the error to answer.
fn check(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Result<(String, String), SimResponse> {
    let gid = req.param("groupId").to_string();
    let Some(kind) = ctx.st.groups.get(&gid).map(|g| g.kind) else {
        return Err(group_404(ctx, &gid));
    };
    let key = req.param("userId");
    let Some(uid) = ctx.st.user_by_id_or_login(key).map(|u| u.id.clone()) else {
        return Err(okta_error(
            ctx.st,
            404,
            "E0000007",
            &format!("Not found: Resource not found: {key} (User)"),
            &[],
        ));
    };
    if kind != GroupType::OktaGroup {
        return Err(okta_error(
            ctx.st,
            403,
            "E0000006",
            "You do not have permission to perform the requested action",
            &[&format!(
                "Memberships of {} groups are not managed through the group membership API.",
                kind.as_str()
            )],
        ));
    }
    Ok((gid, uid))
}

pub fn assign_user_to_group(ctx: &mut Ctx<'_>, req: &Req<'_>) -> HResult {
    let (gid, uid) = check(ctx, req)?;
    let now = ctx.now_ms;
    if ctx.st.members.entry(gid.clone()).or_default().insert(uid)
        && let Some(g) = ctx.st.groups.get_mut(&gid)
    {
        g.last_membership_updated = now;
    }
    Ok(SimResponse::empty(204))
}

pub fn unassign_user_from_group(ctx: &mut Ctx<'_>, req: &Req<'_>) -> HResult {
    let (gid, uid) = check(ctx, req)?;
    let now = ctx.now_ms;
    if ctx.st.members.get_mut(&gid).is_some_and(|m| m.remove(&uid))
        && let Some(g) = ctx.st.groups.get_mut(&gid)
    {
        g.last_membership_updated = now;
    }
    Ok(SimResponse::empty(204))
}
