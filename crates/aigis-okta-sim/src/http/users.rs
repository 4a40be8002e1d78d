//! `GET /api/v1/users` (search, filter, q, paging) and `GET /api/v1/users/{id}`.

use aigis_sim_kit::{SimResponse, iso_millis};
use serde_json::{Value, json};

use super::search;
use super::{Ctx, HResult, Req, limit, okta_error, page_links};
use crate::model::{User, UserStatus};

const ATTRS: [&str; 6] = [
    "id",
    "status",
    "profile.login",
    "profile.email",
    "profile.firstName",
    "profile.lastName",
];

/// A user in the API's shape.
pub fn render_user(u: &User, base: &str) -> Value {
    let at = |ms: i64| Value::String(iso_millis(ms));
    let activated = if u.status == UserStatus::Staged {
        Value::Null
    } else {
        at(u.created)
    };
    json!({
        "id": u.id,
        "status": u.status.as_str(),
        "created": at(u.created),
        "activated": activated,
        "statusChanged": at(u.last_updated),
        "lastLogin": Value::Null,
        "lastUpdated": at(u.last_updated),
        "passwordChanged": Value::Null,
        "type": {"id": "otysim0000000000001"},
        "profile": {
            "firstName": u.first_name,
            "lastName": u.last_name,
            "mobilePhone": Value::Null,
            "secondEmail": Value::Null,
            "login": u.login,
            "email": u.email,
        },
        "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}},
        "_links": {"self": {"href": format!("{base}/api/v1/users/{}", u.id)}},
    })
}

fn attr(u: &User, a: &str) -> Option<String> {
    Some(match a {
        "id" => u.id.clone(),
        "status" => u.status.as_str().to_string(),
        "profile.login" => u.login.clone(),
        "profile.email" => u.email.clone(),
        "profile.firstName" => u.first_name.clone(),
        "profile.lastName" => u.last_name.clone(),
        _ => return None,
    })
}

fn invalid_search(ctx: &mut Ctx<'_>, why: &str) -> SimResponse {
    okta_error(ctx.st, 400, "E0000031", "Invalid search criteria.", &[why])
}

pub fn list_users(ctx: &mut Ctx<'_>, req: &Req<'_>) -> HResult {
    let limit = limit(ctx, req, 200, 200)?;
    let mut expr = None;
    for key in ["search", "filter"] {
        if let Some(s) = req.query.get(key) {
            match search::parse(s, &ATTRS) {
                Ok(e) => expr = Some(e),
                Err(e) => return Err(invalid_search(ctx, &e)),
            }
        }
    }
    let q = req.query.get("q").map(str::to_lowercase);
    let after = req.query.get("after");
    let st = &*ctx.st;
    // Without search/filter/q, DEPROVISIONED users are not listed (as Okta does).
    let listed = |u: &&User| match (&expr, &q) {
        (Some(e), _) => search::matches(e, |a| attr(u, a)),
        (None, Some(q)) => {
            u.status != UserStatus::Deprovisioned
                && [&u.first_name, &u.last_name, &u.email, &u.login]
                    .iter()
                    .any(|v| v.to_lowercase().starts_with(q.as_str()))
        }
        (None, None) => u.status != UserStatus::Deprovisioned,
    };
    let mut page: Vec<&User> = st
        .users
        .values()
        .filter(listed)
        .filter(|u| after.is_none_or(|a| u.id.as_str() > a))
        .take(limit + 1)
        .collect();
    let more = page.len() > limit;
    page.truncate(limit);
    let next = more.then(|| page.last().map(|u| u.id.clone())).flatten();
    let body: Vec<Value> = page.iter().map(|u| render_user(u, &ctx.base)).collect();
    let mut r = SimResponse::json(200, &Value::Array(body));
    r.headers.extend(page_links(
        &ctx.base,
        &req.path,
        &req.query,
        next.as_deref(),
    ));
    Ok(r)
}

pub fn get_user(ctx: &mut Ctx<'_>, req: &Req<'_>) -> HResult {
    let key = req.param("id");
    match ctx.st.user_by_id_or_login(key) {
        Some(u) => Ok(SimResponse::json(200, &render_user(u, &ctx.base))),
        None => Err(okta_error(
            ctx.st,
            404,
            "E0000007",
            &format!("Not found: Resource not found: {key} (User)"),
            &[],
        )),
    }
}
