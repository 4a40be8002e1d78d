//! Groups (`GET`/`POST /api/v1/groups`, `GET /api/v1/groups/{groupId}`) and
//! group rules (`GET /api/v1/groups/rules`).

use aigis_sim_kit::{SimResponse, iso_millis};
use serde_json::{Value, json};

use super::search;
use super::{Ctx, HResult, Req, limit, okta_error, page_links};
use crate::model::{Group, GroupRule, GroupType, State};

const ATTRS: [&str; 4] = ["id", "type", "profile.name", "profile.description"];

/// A group in the API's shape.
pub fn render_group(g: &Group, base: &str) -> Value {
    let object_class = match g.kind {
        GroupType::AppGroup => "okta:windows_security_principal",
        _ => "okta:user_group",
    };
    json!({
        "id": g.id,
        "created": iso_millis(g.created),
        "lastUpdated": iso_millis(g.last_updated),
        "lastMembershipUpdated": iso_millis(g.last_membership_updated),
        "objectClass": [object_class],
        "type": g.kind.as_str(),
        "profile": {"name": g.name, "description": g.description},
        "_links": {
            "self": {"href": format!("{base}/api/v1/groups/{}", g.id)},
            "users": {"href": format!("{base}/api/v1/groups/{}/users", g.id)},
        },
    })
}

fn render_rule(r: &GroupRule) -> Value {
    json!({
        "id": r.id,
        "type": "group_rule",
        "name": r.name,
        "status": if r.active { "ACTIVE" } else { "INACTIVE" },
        "created": iso_millis(r.created),
        "lastUpdated": iso_millis(r.created),
        "conditions": {
            "expression": {"value": r.expression, "type": "urn:okta:expression:1.0"},
        },
        "actions": {"assignUserToGroups": {"groupIds": r.group_ids}},
    })
}

/// Create a group; `Err(())` when the name is taken (case-insensitive).
pub fn insert_group(
    st: &mut State,
    name: &str,
    description: &str,
    kind: GroupType,
    now: i64,
) -> Result<String, ()> {
    if st
        .groups
        .values()
        .any(|g| g.name.eq_ignore_ascii_case(name))
    {
        return Err(());
    }
    let id = st.new_id("00g");
    st.groups.insert(
        id.clone(),
        Group {
            id: id.clone(),
            kind,
            name: name.to_string(),
            description: description.to_string(),
            created: now,
            last_updated: now,
            last_membership_updated: now,
        },
    );
    Ok(id)
}

fn attr(g: &Group, a: &str) -> Option<String> {
    Some(match a {
        "id" => g.id.clone(),
        "type" => g.kind.as_str().to_string(),
        "profile.name" => g.name.clone(),
        "profile.description" => g.description.clone(),
        _ => return None,
    })
}

pub fn list_groups(ctx: &mut Ctx<'_>, req: &Req<'_>) -> HResult {
    let limit = limit(ctx, req, 10_000, 10_000)?;
    let mut expr = None;
    for key in ["search", "filter"] {
        if let Some(s) = req.query.get(key) {
            match search::parse(s, &ATTRS) {
                Ok(e) => expr = Some(e),
                Err(e) => {
                    return Err(okta_error(
                        ctx.st,
                        400,
                        "E0000031",
                        "Invalid search criteria.",
                        &[&e],
                    ));
                }
            }
        }
    }
    let q = req.query.get("q").map(str::to_lowercase);
    let after = req.query.get("after");
    let mut page: Vec<&Group> = ctx
        .st
        .groups
        .values()
        .filter(|g| {
            expr.as_ref()
                .is_none_or(|e| search::matches(e, |a| attr(g, a)))
        })
        .filter(|g| {
            q.as_deref()
                .is_none_or(|q| g.name.to_lowercase().starts_with(q))
        })
        .filter(|g| after.is_none_or(|a| g.id.as_str() > a))
        .take(limit + 1)
        .collect();
    let more = page.len() > limit;
    page.truncate(limit);
    let next = more.then(|| page.last().map(|g| g.id.clone())).flatten();
    let body: Vec<Value> = page.iter().map(|g| render_group(g, &ctx.base)).collect();
    let mut r = SimResponse::json(200, &Value::Array(body));
    r.headers.extend(page_links(
        &ctx.base,
        &req.path,
        &req.query,
        next.as_deref(),
    ));
    Ok(r)
}

pub fn get_group(ctx: &mut Ctx<'_>, req: &Req<'_>) -> HResult {
    let id = req.param("groupId");
    match ctx.st.groups.get(id) {
        Some(g) => Ok(SimResponse::json(200, &render_group(g, &ctx.base))),
        None => Err(group_404(ctx, id)),
    }
}

pub fn group_404(ctx: &mut Ctx<'_>, id: &str) -> SimResponse {
    okta_error(
        ctx.st,
        404,
        "E0000007",
        &format!("Not found: Resource not found: {id} (UserGroup)"),
        &[],
    )
}

fn validation(ctx: &mut Ctx<'_>, cause: &str) -> SimResponse {
    okta_error(
        ctx.st,
        400,
        "E0000001",
        "Api validation failed: com.saasure.core.services.user.group.UserGroupProfile",
        &[cause],
    )
}

pub fn add_group(ctx: &mut Ctx<'_>, req: &Req<'_>) -> HResult {
    let body = req.json(ctx.st)?;
    let profile = body.get("profile").and_then(Value::as_object);
    let name = profile
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or_default()
        .to_string();
    if name.is_empty() {
        return Err(validation(ctx, "name: The field cannot be left blank"));
    }
    if name.chars().count() > 255 {
        return Err(validation(
            ctx,
            "name: The field cannot exceed 255 characters",
        ));
    }
    let description = profile
        .and_then(|p| p.get("description"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let now = ctx.now_ms;
    match insert_group(ctx.st, &name, &description, GroupType::OktaGroup, now) {
        Ok(id) => {
            let g = &ctx.st.groups[&id];
            Ok(SimResponse::json(200, &render_group(g, &ctx.base)))
        }
        Err(()) => Err(validation(
            ctx,
            "name: An object with this field already exists in the current organization",
        )),
    }
}

pub fn list_group_rules(ctx: &mut Ctx<'_>, req: &Req<'_>) -> HResult {
    let limit = limit(ctx, req, 50, 200)?;
    let after = req.query.get("after");
    let search = req.query.get("search").map(str::to_lowercase);
    let mut page: Vec<&GroupRule> = ctx
        .st
        .rules
        .values()
        .filter(|r| {
            search
                .as_deref()
                .is_none_or(|s| r.name.to_lowercase().contains(s))
        })
        .filter(|r| after.is_none_or(|a| r.id.as_str() > a))
        .take(limit + 1)
        .collect();
    let more = page.len() > limit;
    page.truncate(limit);
    let next = more.then(|| page.last().map(|r| r.id.clone())).flatten();
    let body: Vec<Value> = page.iter().map(|r| render_rule(r)).collect();
    let mut r = SimResponse::json(200, &Value::Array(body));
    r.headers.extend(page_links(
        &ctx.base,
        &req.path,
        &req.query,
        next.as_deref(),
    ));
    Ok(r)
}
