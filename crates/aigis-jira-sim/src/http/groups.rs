//! `group/member` and `groups/picker`.

use serde_json::{Value, json};

use super::reply::json_resp;
use super::{Ctx, HResult, Req, reply};
use crate::store;

pub fn group_member(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let q = &req.query;
    let name = q.get("groupname");
    let gid = q.get("groupId");
    if name.is_none() && gid.is_none() {
        return Err(reply::fail(400, "You must specify groupname or groupId."));
    }
    let Some((group_id, _)) = store::group(ctx.tx, name, gid)? else {
        return Err(reply::fail(
            404,
            &format!(
                "Group with name or id '{}' not found.",
                name.or(gid).unwrap_or_default()
            ),
        ));
    };
    let start = usize::try_from(q.int("startAt", 0)?.max(0)).unwrap_or(0);
    let max = usize::try_from(q.int("maxResults", 50)?.clamp(1, 50)).unwrap_or(50);
    let inactive = q.flag("includeInactiveUsers");
    let members = store::group_members(ctx.tx, &group_id, inactive)?;
    let total = members.len();
    let values: Vec<Value> = members
        .iter()
        .skip(start)
        .take(max)
        .map(|(u, active)| {
            let mut v = ctx.user_json(u, *active);
            if let Some(o) = v.as_object_mut() {
                o.remove("locale");
            }
            v
        })
        .collect();
    let is_last = start + values.len() >= total;
    let page_url = |s: usize| {
        format!(
            "{}/rest/api/3/group/member?groupId={group_id}&includeInactiveUsers={inactive}&startAt={s}&maxResults={max}",
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

/// Escape `s` for HTML text.
fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The name with the first match of `query` in `<b>...</b>`.
fn highlight(name: &str, query: &str, case_insensitive: bool) -> String {
    if query.is_empty() {
        return html_escape(name);
    }
    let at = if case_insensitive {
        name.to_lowercase().find(&query.to_lowercase())
    } else {
        name.find(query)
    };
    match at {
        // Lower-casing can change byte lengths; fall back to no highlight.
        Some(i) if name.is_char_boundary(i) && name.is_char_boundary(i + query.len()) => format!(
            "{}<b>{}</b>{}",
            html_escape(&name[..i]),
            html_escape(&name[i..i + query.len()]),
            html_escape(&name[i + query.len()..])
        ),
        _ => html_escape(name),
    }
}

/// Jira's `jira.ajax.autocomplete.limit`.
const PICKER_LIMIT: i64 = 20;

pub fn groups_picker(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let q = &req.query;
    let query = q.get("query").unwrap_or_default();
    let case_insensitive = q.flag("caseInsensitive");
    let exclude = q.list("exclude");
    let exclude_ids = q.list("excludeId");
    if !exclude.is_empty() && !exclude_ids.is_empty() {
        return Err(reply::fail(
            400,
            "You cannot use both 'exclude' and 'excludeId' in the same request.",
        ));
    }
    let max = usize::try_from(q.int("maxResults", PICKER_LIMIT)?.max(0)).unwrap_or(0);
    let matching: Vec<(String, String)> = store::all_groups(ctx.tx)?
        .into_iter()
        .filter(|(id, name)| {
            let hit = if case_insensitive {
                name.to_lowercase().contains(&query.to_lowercase())
            } else {
                name.contains(query)
            };
            hit && !exclude.contains(name) && !exclude_ids.contains(id)
        })
        .collect();
    let total = matching.len();
    let groups: Vec<Value> = matching
        .iter()
        .take(max)
        .map(|(id, name)| {
            json!({
                "name": name,
                "html": highlight(name, query, case_insensitive),
                "labels": [],
                "groupId": id,
            })
        })
        .collect();
    Ok(json_resp(
        200,
        &json!({
            "header": format!("Showing {} of {total} matching groups", groups.len()),
            "total": total,
            "groups": groups,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_the_match() {
        assert_eq!(
            highlight("aigis-approvers", "appro", false),
            "aigis-<b>appro</b>vers"
        );
        assert_eq!(
            highlight("Jira-Admins", "admin", true),
            "Jira-<b>Admin</b>s"
        );
        assert_eq!(highlight("a<b", "", false), "a&lt;b");
    }
}
