//! Users, groups, members, `groups/delta`, `checkMemberGroups`.

use aigis_sim_kit::query::percent_encode;
use aigis_sim_kit::{SimResponse, iso_seconds};
use serde_json::{Map, Value, json};

use super::filter::{self, Prop};
use super::{Ctx, Req};
use crate::NewGroup;
use crate::model::{Change, Group, State, User};

type HResult = Result<SimResponse, SimResponse>;

const USER_DEFAULT: [&str; 11] = [
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];
const USER_FILTER: [&str; 5] = [
    "id",
    "mail",
    "userPrincipalName",
    "displayName",
    "accountEnabled",
];
const GROUP_FILTER: [&str; 9] = [
    "id",
    "displayName",
    "mail",
    "mailNickname",
    "securityEnabled",
    "mailEnabled",
    "groupTypes",
    "isAssignableToRole",
    "onPremisesSyncEnabled",
];

fn user_json(u: &User) -> Map<String, Value> {
    let v = json!({
        "id": u.id,
        "businessPhones": [],
        "displayName": u.display_name,
        "givenName": u.given_name,
        "jobTitle": null,
        "mail": u.mail,
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": null,
        "surname": u.surname,
        "userPrincipalName": u.user_principal_name,
        "accountEnabled": u.account_enabled,
    });
    v.as_object().cloned().unwrap_or_default()
}

fn group_json(g: &Group) -> Map<String, Value> {
    let v = json!({
        "id": g.id,
        "deletedDateTime": null,
        "classification": null,
        "createdDateTime": iso_seconds(g.created_ms),
        "description": g.description,
        "displayName": g.display_name,
        "groupTypes": g.group_types,
        "isAssignableToRole": g.is_assignable_to_role,
        "mail": if g.mail_enabled { Value::String(format!("{}@aigis.example", g.mail_nickname)) } else { Value::Null },
        "mailEnabled": g.mail_enabled,
        "mailNickname": g.mail_nickname,
        "membershipRule": g.membership_rule,
        "membershipRuleProcessingState": if g.is_dynamic() { json!("On") } else { Value::Null },
        "onPremisesSyncEnabled": g.on_premises_sync_enabled,
        "renewedDateTime": iso_seconds(g.created_ms),
        "securityEnabled": g.security_enabled,
        "securityIdentifier": format!("S-1-12-1-{}", g.id.replace('-', "").chars().rev().take(9).collect::<String>()),
        "visibility": null,
    });
    v.as_object().cloned().unwrap_or_default()
}

/// `$select` applied (Graph's default set when absent).
fn select(
    ctx: &Ctx<'_>,
    req: &Req<'_>,
    full: Map<String, Value>,
    default: Option<&[&str]>,
) -> Result<Value, SimResponse> {
    let chosen: Vec<String> = match req.query.get("$select") {
        Some(s) => s
            .split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect(),
        None => match default {
            Some(d) => d.iter().map(|s| s.to_string()).collect(),
            None => return Ok(Value::Object(full)),
        },
    };
    let mut out = Map::new();
    for p in chosen {
        if p == "members" {
            continue; // delta's `members@delta`, added by the caller
        }
        match full.get(&p) {
            Some(v) => {
                out.insert(p, v.clone());
            }
            None => {
                return Err(ctx.error(
                    400,
                    "Request_BadRequest",
                    &format!("Could not find a property named '{p}' on type 'microsoft.graph.directoryObject'."),
                ));
            }
        }
    }
    // Graph always returns the id.
    if let Some(id) = full.get("id") {
        out.entry("id").or_insert_with(|| id.clone());
    }
    Ok(Value::Object(out))
}

fn parse_filter(
    ctx: &Ctx<'_>,
    req: &Req<'_>,
    props: &[&str],
) -> Result<Option<filter::Expr>, SimResponse> {
    match req.query.get("$filter") {
        None => Ok(None),
        Some(f) => filter::parse(f, props)
            .map(Some)
            .map_err(|e| ctx.error(400, "Request_UnsupportedQuery", &e)),
    }
}

fn top(ctx: &Ctx<'_>, req: &Req<'_>) -> Result<usize, SimResponse> {
    match req.query.get("$top") {
        None => Ok(100),
        Some(t) => match t.parse::<usize>() {
            Ok(n) if (1..=999).contains(&n) => Ok(n),
            _ => Err(ctx.error(
                400,
                "Request_BadRequest",
                &format!(
                    "Invalid page size specified: '{t}'. Must be between 1 and 999 inclusive."
                ),
            )),
        },
    }
}

/// One page of `items` (sorted by id) after `$skiptoken`, with the link to the next.
fn page<'a, T>(
    ctx: &Ctx<'_>,
    req: &Req<'_>,
    items: impl Iterator<Item = (&'a str, T)>,
) -> Result<(Vec<T>, Option<String>), SimResponse> {
    let top = top(ctx, req)?;
    let after = req.query.get("$skiptoken");
    let mut v: Vec<(&str, T)> = items
        .filter(|(id, _)| after.is_none_or(|a| *id > a))
        .take(top + 1)
        .collect();
    let more = v.len() > top;
    v.truncate(top);
    let next = if more {
        v.last().map(|(id, _)| {
            let mut q: Vec<String> = req
                .query
                .0
                .iter()
                .filter(|(k, _)| k != "$skiptoken")
                .map(|(k, v)| format!("{}={}", k, percent_encode(v)))
                .collect();
            q.push(format!("$skiptoken={}", percent_encode(id)));
            format!("{}/v1.0{}?{}", ctx.base, req.path, q.join("&"))
        })
    } else {
        None
    };
    Ok((v.into_iter().map(|(_, t)| t).collect(), next))
}

fn collection(
    ctx: &Ctx<'_>,
    context: &str,
    value: Vec<Value>,
    next: Option<String>,
) -> SimResponse {
    let mut body = json!({
        "@odata.context": format!("{}/v1.0/$metadata#{context}", ctx.base),
        "value": value,
    });
    if let Some(n) = next {
        body["@odata.nextLink"] = json!(n);
    }
    SimResponse::json(200, &body)
}

fn user_prop(u: &User, p: &str) -> Prop {
    match p {
        "id" => Prop::Str(Some(u.id.clone())),
        "mail" => Prop::Str(Some(u.mail.clone())),
        "userPrincipalName" => Prop::Str(Some(u.user_principal_name.clone())),
        "displayName" => Prop::Str(Some(u.display_name.clone())),
        "accountEnabled" => Prop::Bool(Some(u.account_enabled)),
        _ => Prop::Str(None),
    }
}

fn group_prop(g: &Group, p: &str) -> Prop {
    match p {
        "id" => Prop::Str(Some(g.id.clone())),
        "displayName" => Prop::Str(Some(g.display_name.clone())),
        "mailNickname" => Prop::Str(Some(g.mail_nickname.clone())),
        "mail" => Prop::Str(
            g.mail_enabled
                .then(|| format!("{}@aigis.example", g.mail_nickname)),
        ),
        "securityEnabled" => Prop::Bool(Some(g.security_enabled)),
        "mailEnabled" => Prop::Bool(Some(g.mail_enabled)),
        "isAssignableToRole" => Prop::Bool(Some(g.is_assignable_to_role)),
        "onPremisesSyncEnabled" => Prop::Bool(g.on_premises_sync_enabled),
        "groupTypes" => Prop::List(g.group_types.clone()),
        _ => Prop::Str(None),
    }
}

pub fn list_users(ctx: &mut Ctx<'_>, req: &Req<'_>) -> HResult {
    let expr = parse_filter(ctx, req, &USER_FILTER)?;
    let users: Vec<&User> = ctx
        .st
        .users
        .values()
        .filter(|u| {
            expr.as_ref()
                .is_none_or(|e| filter::matches(e, |p| user_prop(u, p)))
        })
        .collect();
    let (items, next) = page(ctx, req, users.into_iter().map(|u| (u.id.as_str(), u)))?;
    let mut value = Vec::new();
    for u in items {
        value.push(select(ctx, req, user_json(u), Some(&USER_DEFAULT))?);
    }
    Ok(collection(ctx, "users", value, next))
}

pub fn get_user(ctx: &mut Ctx<'_>, req: &Req<'_>) -> HResult {
    let key = req.param("user-id");
    let Some(u) = ctx.st.user(key) else {
        return Err(ctx.not_found(key));
    };
    let mut v = select(ctx, req, user_json(u), Some(&USER_DEFAULT))?;
    v["@odata.context"] = json!(format!("{}/v1.0/$metadata#users/$entity", ctx.base));
    Ok(SimResponse::json(200, &v))
}

/// A group visible to reads now (created long enough ago).
fn visible<'a>(ctx: &'a Ctx<'_>, id: &str) -> Option<&'a Group> {
    ctx.st
        .groups
        .get(id)
        .filter(|g| g.visible_from_ms <= ctx.now_ms)
}

pub fn list_groups(ctx: &mut Ctx<'_>, req: &Req<'_>) -> HResult {
    let expr = parse_filter(ctx, req, &GROUP_FILTER)?;
    let now = ctx.now_ms;
    let groups: Vec<&Group> = ctx
        .st
        .groups
        .values()
        .filter(|g| g.visible_from_ms <= now)
        .filter(|g| {
            expr.as_ref()
                .is_none_or(|e| filter::matches(e, |p| group_prop(g, p)))
        })
        .collect();
    let (items, next) = page(ctx, req, groups.into_iter().map(|g| (g.id.as_str(), g)))?;
    let mut value = Vec::new();
    for g in items {
        value.push(select(ctx, req, group_json(g), None)?);
    }
    Ok(collection(ctx, "groups", value, next))
}

pub fn get_group(ctx: &mut Ctx<'_>, req: &Req<'_>) -> HResult {
    let id = req.param("group-id");
    let Some(g) = visible(ctx, id) else {
        return Err(ctx.not_found(id));
    };
    let mut v = select(ctx, req, group_json(g), None)?;
    v["@odata.context"] = json!(format!("{}/v1.0/$metadata#groups/$entity", ctx.base));
    Ok(SimResponse::json(200, &v))
}

/// Insert a group; `lag_ms` keeps it invisible to reads for that long.
pub fn insert_group(
    st: &mut State,
    g: NewGroup,
    description: Option<String>,
    now_ms: i64,
    lag_ms: i64,
) -> String {
    let id = st.new_guid();
    let nickname: String = g
        .display_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    st.groups.insert(
        id.clone(),
        Group {
            id: id.clone(),
            display_name: g.display_name,
            description,
            mail_nickname: if nickname.is_empty() {
                id.clone()
            } else {
                nickname
            },
            group_types: g.group_types,
            security_enabled: g.security_enabled,
            mail_enabled: g.mail_enabled,
            is_assignable_to_role: g.is_assignable_to_role,
            on_premises_sync_enabled: g.on_premises_sync_enabled,
            membership_rule: g.membership_rule,
            created_ms: now_ms,
            visible_from_ms: now_ms + lag_ms,
        },
    );
    st.log(&id, Change::Updated);
    id
}

pub fn create_group(ctx: &mut Ctx<'_>, req: &Req<'_>) -> HResult {
    let body: Value = serde_json::from_str(req.body.unwrap_or_default())
        .map_err(|_| ctx.error(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."))?;
    let s = |k: &str| body.get(k).and_then(Value::as_str);
    let b = |k: &str| body.get(k).and_then(Value::as_bool);
    let Some(name) = s("displayName").filter(|n| !n.trim().is_empty()) else {
        return Err(ctx.bad_request(
            "Invalid value specified for property 'displayName' of resource 'Group'.",
        ));
    };
    let (Some(mail_enabled), Some(security_enabled), Some(nick)) =
        (b("mailEnabled"), b("securityEnabled"), s("mailNickname"))
    else {
        return Err(ctx.bad_request("A value is required for properties mailEnabled, mailNickname and securityEnabled of resource 'Group'."));
    };
    let group_types: Vec<String> = body
        .get("groupTypes")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if group_types.iter().any(|t| t == "DynamicMembership") && s("membershipRule").is_none() {
        return Err(ctx.bad_request(
            "The membershipRule property is required for groups with dynamic membership.",
        ));
    }
    let now = ctx.now_ms;
    let lag = ctx.st.replication_lag_ms;
    let new = NewGroup {
        display_name: name.to_string(),
        group_types,
        security_enabled,
        mail_enabled,
        is_assignable_to_role: b("isAssignableToRole").unwrap_or(false),
        on_premises_sync_enabled: None,
        membership_rule: s("membershipRule").map(str::to_string),
    };
    let description = s("description").map(str::to_string);
    let id = insert_group(ctx.st, new, description, now, lag);
    if let Some(g) = ctx.st.groups.get_mut(&id) {
        g.mail_nickname = nick.to_string();
    }
    let mut v = Value::Object(group_json(&ctx.st.groups[&id]));
    v["@odata.context"] = json!(format!("{}/v1.0/$metadata#groups/$entity", ctx.base));
    Ok(SimResponse::json(201, &v)
        .with_header("Location", format!("{}/v2/directory/groups/{id}", ctx.base)))
}

pub fn list_members(ctx: &mut Ctx<'_>, req: &Req<'_>) -> HResult {
    let gid = req.param("group-id").to_string();
    if visible(ctx, &gid).is_none() {
        return Err(ctx.not_found(&gid));
    }
    let ids: Vec<&str> = ctx
        .st
        .members
        .get(&gid)
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let (items, next) = page(ctx, req, ids.into_iter().map(|id| (id, id)))?;
    let mut value = Vec::new();
    for id in items {
        if let Some(u) = ctx.st.users.get(id) {
            let mut v = select(ctx, req, user_json(u), Some(&USER_DEFAULT))?;
            v["@odata.type"] = json!("#microsoft.graph.user");
            value.push(v);
        } else if let Some(g) = ctx.st.groups.get(id) {
            // A nested group: of the selected properties, those a group has.
            let full = group_json(g);
            let mut v = Map::new();
            if let Some(sel) = req.query.get("$select") {
                for p in sel.split(',').map(str::trim) {
                    if let Some(x) = full.get(p) {
                        v.insert(p.to_owned(), x.clone());
                    }
                }
            }
            v.insert("id".into(), json!(g.id));
            v.insert("@odata.type".into(), json!("#microsoft.graph.group"));
            value.push(Value::Object(v));
        }
    }
    Ok(collection(ctx, "directoryObjects", value, next))
}

/// Why membership writes are refused for this group (Graph's answers), if they are.
fn refuse_writes(ctx: &Ctx<'_>, g: &Group) -> Option<SimResponse> {
    if g.on_premises_sync_enabled == Some(true) {
        return Some(ctx.bad_request("Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration."));
    }
    if g.is_dynamic() {
        return Some(ctx.bad_request("Insufficient privileges to complete the operation. Members of a group with dynamic membership cannot be changed."));
    }
    if g.mail_enabled && !g.group_types.iter().any(|t| t == "Unified") {
        return Some(ctx.bad_request(
            "Cannot Update a mail-enabled security groups and or distribution list.",
        ));
    }
    if g.is_assignable_to_role {
        return Some(ctx.error(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ));
    }
    None
}

pub fn add_member(ctx: &mut Ctx<'_>, req: &Req<'_>) -> HResult {
    let gid = req.param("group-id").to_string();
    let Some(g) = visible(ctx, &gid) else {
        return Err(ctx.not_found(&gid));
    };
    if let Some(r) = refuse_writes(ctx, g) {
        return Err(r);
    }
    let body: Value = serde_json::from_str(req.body.unwrap_or_default())
        .map_err(|_| ctx.error(400, "BadRequest", "Unable to read JSON request payload."))?;
    let Some(odata_id) = body.get("@odata.id").and_then(Value::as_str) else {
        return Err(ctx.bad_request("The request body must contain '@odata.id'."));
    };
    let uid = odata_id
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    if !odata_id.contains("/directoryObjects/") && !odata_id.contains("/users/") {
        return Err(ctx.bad_request(&format!("Invalid object identifier '{odata_id}'.")));
    }
    if !ctx.st.users.contains_key(&uid) {
        return Err(ctx.not_found(&uid));
    }
    if ctx.st.members.get(&gid).is_some_and(|m| m.contains(&uid)) {
        return Err(ctx.bad_request("One or more added object references already exist for the following modified properties: 'members'."));
    }
    ctx.st
        .members
        .entry(gid.clone())
        .or_default()
        .insert(uid.clone());
    ctx.st.log(&gid, Change::MemberAdded(uid));
    Ok(SimResponse::empty(204))
}

pub fn remove_member(ctx: &mut Ctx<'_>, req: &Req<'_>) -> HResult {
    let gid = req.param("group-id").to_string();
    let uid = req.param("directoryObject-id").to_string();
    let Some(g) = visible(ctx, &gid) else {
        return Err(ctx.not_found(&gid));
    };
    if let Some(r) = refuse_writes(ctx, g) {
        return Err(r);
    }
    if !ctx.st.members.get_mut(&gid).is_some_and(|m| m.remove(&uid)) {
        return Err(ctx.not_found(&uid));
    }
    ctx.st.log(&gid, Change::MemberRemoved(uid));
    Ok(SimResponse::empty(204))
}

pub fn check_member_groups(ctx: &mut Ctx<'_>, req: &Req<'_>) -> HResult {
    let key = req.param("user-id");
    let Some(uid) = ctx.st.user(key).map(|u| u.id.clone()) else {
        return Err(ctx.not_found(key));
    };
    let body: Value = serde_json::from_str(req.body.unwrap_or_default())
        .map_err(|_| ctx.error(400, "BadRequest", "Unable to read JSON request payload."))?;
    let Some(ids) = body.get("groupIds").and_then(Value::as_array) else {
        return Err(ctx.bad_request("The parameter 'groupIds' is required."));
    };
    if ids.len() > 20 {
        return Err(ctx.bad_request("The number of groupIds must not exceed 20."));
    }
    let value: Vec<&str> = ids
        .iter()
        .filter_map(Value::as_str)
        .filter(|g| ctx.st.members.get(*g).is_some_and(|m| m.contains(&uid)))
        .collect();
    Ok(SimResponse::json(
        200,
        &json!({"@odata.context": format!("{}/v1.0/$metadata#Collection(Edm.String)", ctx.base), "value": value}),
    ))
}

fn member_ref(id: &str) -> Value {
    json!({"@odata.type": "#microsoft.graph.user", "id": id})
}

/// `groups/delta`: without a token every group (with all members when
/// `$select` names `members`); with `$deltatoken=N` the groups changed since N.
pub fn delta(ctx: &mut Ctx<'_>, req: &Req<'_>) -> HResult {
    let with_members = req
        .query
        .get("$select")
        .is_some_and(|s| s.split(',').any(|p| p.trim() == "members"));
    let since = match req.query.get("$deltatoken") {
        None => None,
        Some(t) => match t.parse::<u64>() {
            Ok(n) if n <= ctx.st.seq => Some(n),
            _ => return Err(ctx.bad_request("The delta token is not valid for this request.")),
        },
    };
    let mut value = Vec::new();
    let now = ctx.now_ms;
    match since {
        None => {
            let groups: Vec<Group> = ctx
                .st
                .groups
                .values()
                .filter(|g| g.visible_from_ms <= now)
                .cloned()
                .collect();
            for g in groups {
                let mut v = select(ctx, req, group_json(&g), None)?;
                if with_members {
                    let m: Vec<Value> = ctx
                        .st
                        .members
                        .get(&g.id)
                        .into_iter()
                        .flatten()
                        .map(|u| member_ref(u))
                        .collect();
                    v["members@delta"] = Value::Array(m);
                }
                value.push(v);
            }
        }
        Some(n) => {
            let mut order: Vec<String> = Vec::new();
            let mut per: std::collections::BTreeMap<String, Vec<Change>> = Default::default();
            for (seq, gid, ch) in &ctx.st.changes {
                if *seq > n {
                    if !per.contains_key(gid) {
                        order.push(gid.clone());
                    }
                    per.entry(gid.clone()).or_default().push(ch.clone());
                }
            }
            for gid in order {
                let changes = &per[&gid];
                match ctx.st.groups.get(&gid).cloned() {
                    None => value.push(json!({"id": gid, "@removed": {"reason": "changed"}})),
                    Some(g) => {
                        let mut v = select(ctx, req, group_json(&g), None)?;
                        if with_members {
                            let mut m = Vec::new();
                            for ch in changes {
                                match ch {
                                    Change::MemberAdded(u) => m.push(member_ref(u)),
                                    Change::MemberRemoved(u) => {
                                        let mut r = member_ref(u);
                                        r["@removed"] = json!({"reason": "deleted"});
                                        m.push(r);
                                    }
                                    _ => {}
                                }
                            }
                            v["members@delta"] = Value::Array(m);
                        }
                        value.push(v);
                    }
                }
            }
        }
    }
    let seq = ctx.st.seq;
    Ok(SimResponse::json(
        200,
        &json!({
            "@odata.context": format!("{}/v1.0/$metadata#groups", ctx.base),
            "value": value,
            "@odata.deltaLink": format!("{}/v1.0/groups/delta()?$deltatoken={seq}", ctx.base),
        }),
    ))
}
