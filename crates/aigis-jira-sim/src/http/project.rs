//! `project/search`, `project/{key}`, its roles and a role's actors.

use serde_json::{Value, json};

use super::reply::json_resp;
use super::{Actor, Ctx, Fail, HResult, Req, reply};
use crate::store;

fn no_project(id_or_key: &str) -> Fail {
    reply::fail(
        404,
        &format!("No project could be found with key '{id_or_key}'."),
    )
}

pub fn get_project(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let id_or_key = req.param("projectIdOrKey");
    match store::project_by_id_or_key(ctx.tx, id_or_key)? {
        Some(p) => Ok(json_resp(200, &ctx.project_json(p.id, true)?)),
        None => Err(no_project(id_or_key)),
    }
}

impl Ctx<'_> {
    /// Administer Projects on this project: Jira admins and its lead.
    fn may_administer(&self, p: &store::ProjectRow) -> Result<bool, Fail> {
        Ok(
            self.is_jira_admin()?
                || matches!(&self.actor, Actor::User(u) if u.account_id == p.lead),
        )
    }

    /// Administer Projects on any project, or Administer Jira.
    fn administers_any_project(&self) -> Result<bool, Fail> {
        Ok(self.is_jira_admin()?
            || match &self.actor {
                Actor::App => true,
                Actor::User(u) => store::leads_a_project(self.tx, &u.account_id)?,
            })
    }
}

/// Role name -> self URL. Roles are site-wide; without Administer Projects
/// on some project the project is "not found", as Jira answers.
pub fn project_roles(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let id_or_key = req.param("projectIdOrKey");
    let Some(p) = store::project_by_id_or_key(ctx.tx, id_or_key)? else {
        return Err(no_project(id_or_key));
    };
    if !ctx.administers_any_project()? {
        return Err(no_project(id_or_key));
    }
    Ok(json_resp(200, &Value::Object(ctx.roles_json(p.id)?)))
}

pub fn project_role(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let id_or_key = req.param("projectIdOrKey");
    let role = req.param("id");
    let Ok(rid) = role.parse::<i64>() else {
        return Err(reply::fail(
            400,
            &format!("The project role id '{role}' is not a number."),
        ));
    };
    let Some(p) = store::project_by_id_or_key(ctx.tx, id_or_key)? else {
        return Err(no_project(id_or_key));
    };
    let role_404 = || {
        reply::fail(
            404,
            &format!("Can not retrieve a role actor for a null project role: {rid}"),
        )
    };
    if !ctx.may_administer(&p)? {
        return Err(role_404());
    }
    let Some((name, description)) = store::project_role(ctx.tx, rid)? else {
        return Err(role_404());
    };
    let exclude_inactive = req.query.flag("excludeInactiveUsers");
    let actors: Vec<Value> = store::role_actors(ctx.tx, p.id, rid)?
        .into_iter()
        .filter(|a| a.active || !exclude_inactive)
        .map(|a| match (&a.account_id, &a.group) {
            (Some(account), _) => json!({
                "id": a.id,
                "displayName": a.display_name,
                "type": "atlassian-user-role-actor",
                "actorUser": {"accountId": account},
            }),
            (None, group) => {
                let (gid, gname) = group.clone().unwrap_or_default();
                json!({
                    "id": a.id,
                    "displayName": gname,
                    "name": gname,
                    "type": "atlassian-group-role-actor",
                    "actorGroup": {"name": gname, "displayName": gname, "groupId": gid},
                })
            }
        })
        .collect();
    Ok(json_resp(
        200,
        &json!({
            "self": format!("{}/rest/api/3/project/{}/role/{rid}", ctx.base, p.id),
            "name": name,
            "id": rid,
            "description": description,
            "actors": actors,
            "admin": false,
            "default": false,
            "roleConfigurable": true,
        }),
    ))
}

pub fn project_search(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let q = &req.query;
    let start = usize::try_from(q.int("startAt", 0)?.max(0)).unwrap_or(0);
    let max = usize::try_from(q.int("maxResults", 50)?.clamp(1, 100)).unwrap_or(50);
    let keys = q.list("keys");
    let ids = q.list("id");
    let type_keys = q.list("typeKey");
    let query = q.get("query").map(str::to_lowercase);
    let matching: Vec<i64> = store::projects(ctx.tx)?
        .into_iter()
        .filter(|p| {
            (keys.is_empty() || keys.contains(&p.key))
                && (ids.is_empty() || ids.contains(&p.id.to_string()))
                && (type_keys.is_empty() || type_keys.contains(&p.type_key))
                && query.as_ref().is_none_or(|qq| {
                    p.key.to_lowercase().contains(qq) || p.name.to_lowercase().contains(qq)
                })
        })
        .map(|p| p.id)
        .collect();
    let total = matching.len();
    let values = matching
        .iter()
        .skip(start)
        .take(max)
        .map(|id| ctx.project_json(*id, false))
        .collect::<Result<Vec<_>, _>>()?;
    let is_last = start + values.len() >= total;
    let page_url = |s: usize| {
        format!(
            "{}/rest/api/3/project/search?startAt={s}&maxResults={max}",
            ctx.base
        )
    };
    let mut out = json!({
        "self": page_url(start),
        "maxResults": max,
        "startAt": start,
        "total": total,
        "isLast": is_last,
        "values": values,
    });
    if !is_last && let Some(o) = out.as_object_mut() {
        o.insert("nextPage".into(), json!(page_url(start + max)));
    }
    Ok(json_resp(200, &out))
}
