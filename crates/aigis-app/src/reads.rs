//! Read models for the UI: paginated lists over the indexes.

use crate::access::Caller;
use crate::error::{AppError, parse_payload};
use crate::intake;
use crate::repo::{GRANT, JOB, REQUEST};
use aigis_core::model::{Grant, Job, Request};
use aigis_core::time;
use aigis_platform::{EntityQuery, Platform, SortOrder};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PageArgs {
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
}

fn page_args(payload: &str) -> Result<PageArgs, AppError> {
    if payload.trim().is_empty() {
        return Ok(PageArgs::default());
    }
    let a: PageArgs = parse_payload(payload)?;
    if a.limit.is_some_and(|l| l == 0 || l > 100) {
        return Err(AppError::invalid("limit", "must be 1 to 100"));
    }
    Ok(a)
}

fn page<T: DeserializeOwned>(
    p: &Platform,
    entity: &str,
    index: &str,
    partition: Value,
    order: SortOrder,
    args: PageArgs,
) -> Result<(Vec<T>, Option<String>), AppError> {
    let page = p.storage.entity_query(&EntityQuery {
        entity: entity.into(),
        index: index.into(),
        partition: vec![partition],
        order,
        cursor: args.cursor,
        limit: args.limit.unwrap_or(25),
        ..Default::default()
    })?;
    let items = page
        .items
        .iter()
        .map(|(_, raw)| serde_json::from_str(raw).map_err(|e| AppError::internal(e.to_string())))
        .collect::<Result<Vec<T>, _>>()?;
    Ok((items, page.next_cursor))
}

/// `requests.pending` (approver): oldest first.
pub fn pending(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    let args = page_args(payload)?;
    caller.require_approver(intake::load(p)?.as_ref())?;
    let (items, next) = page::<Request>(
        p,
        REQUEST,
        "by-decision",
        json!("pending"),
        SortOrder::Asc,
        args,
    )?;
    let items: Vec<Request> = items
        .into_iter()
        .filter(|r| r.requester != caller.account_id)
        .collect();
    Ok(json!({ "requests": items, "nextCursor": next }))
}

/// `requests.mine`: the caller's request history, newest first.
pub fn mine(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    let args = page_args(payload)?;
    let (items, next) = page::<Request>(
        p,
        REQUEST,
        "by-requester",
        json!(caller.account_id),
        SortOrder::Desc,
        args,
    )?;
    Ok(json!({ "requests": items, "nextCursor": next }))
}

/// `grants.mine`: the caller's grants, newest first, with expiry dates.
pub fn my_grants(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    let args = page_args(payload)?;
    let (items, next) = page::<Grant>(
        p,
        GRANT,
        "by-account",
        json!(caller.account_id),
        SortOrder::Desc,
        args,
    )?;
    let now = p.runtime.now_millis();
    // The person's own time zone decides what "today" is; UTC if Jira hides it.
    let tz = if items.is_empty() {
        None
    } else {
        crate::jira::user_time_zone(p, &caller.account_id).unwrap_or(None)
    };
    let tz = tz.unwrap_or_else(|| "UTC".to_owned());
    let items: Vec<Value> = items
        .into_iter()
        .map(|g| {
            let expires = time::rfc3339(g.expires_at);
            let label = crate::grants::label(&g, now, &tz);
            let mut v = json!(g);
            v["expiresAtText"] = json!(expires);
            v["expiryLabel"] = json!(label);
            v
        })
        .collect();
    Ok(json!({ "grants": items, "timeZone": tz, "nextCursor": next }))
}

/// `jobs.manual` (approver): jobs waiting for a person, oldest first.
pub fn manual_jobs(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    let args = page_args(payload)?;
    caller.require_approver(intake::load(p)?.as_ref())?;
    let (items, next) = page::<Job>(
        p,
        JOB,
        "by-status-due",
        json!("manualPending"),
        SortOrder::Asc,
        args,
    )?;
    Ok(json!({ "jobs": items, "nextCursor": next }))
}

/// `whoami`: the caller and their rights.
pub fn whoami(p: &Platform, caller: &Caller) -> Result<Value, AppError> {
    let intake = intake::load(p)?;
    Ok(json!({
        "accountId": caller.account_id,
        "isAdmin": caller.is_admin()?,
        "isApprover": caller.is_approver(intake.as_ref())?,
    }))
}

/// Filters and page of an admin table.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TableArgs {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    tool: Option<String>,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
}

fn table_args(payload: &str, statuses: &[&str]) -> Result<TableArgs, AppError> {
    let a: TableArgs = parse_payload(payload)?;
    if a.limit.is_some_and(|l| l == 0 || l > 100) {
        return Err(AppError::invalid("limit", "must be 1 to 100"));
    }
    if let Some(s) = &a.status
        && !statuses.contains(&s.as_str())
    {
        return Err(AppError::invalid(
            "status",
            format!("must be one of {}", statuses.join(", ")),
        ));
    }
    for (field, v) in [("tool", &a.tool), ("account", &a.account)] {
        if v.as_ref().is_some_and(|v| v.is_empty() || v.len() > 128) {
            return Err(AppError::invalid(field, "must be 1 to 128 characters"));
        }
    }
    Ok(a)
}

/// Runs an admin table query: the most selective index for the filters
/// given, the rest as query filters. Newest first.
fn table(
    p: &Platform,
    entity: &str,
    status_attr: &str,
    indexes: (&str, &str, &str),
    a: TableArgs,
) -> Result<(Vec<Value>, Option<String>), AppError> {
    use aigis_platform::Condition;
    let (by_account, by_status, by_all) = indexes;
    let mut filters = vec![];
    let (index, partition) = match (&a.account, &a.status) {
        (Some(acc), status) => {
            if let Some(s) = status {
                filters.push(Condition::equal(status_attr, json!(s)));
            }
            (by_account, vec![json!(acc)])
        }
        (None, Some(s)) => (by_status, vec![json!(s)]),
        (None, None) => (by_all, vec![]),
    };
    if let Some(t) = &a.tool {
        filters.push(Condition::equal("tool", json!(t)));
    }
    let page = p.storage.entity_query(&EntityQuery {
        entity: entity.into(),
        index: index.into(),
        partition,
        filters,
        order: SortOrder::Desc,
        cursor: a.cursor,
        limit: a.limit.unwrap_or(25),
        ..Default::default()
    })?;
    let items = page
        .items
        .iter()
        .map(|(_, raw)| serde_json::from_str(raw).map_err(|e| AppError::internal(e.to_string())))
        .collect::<Result<Vec<Value>, _>>()?;
    Ok((items, page.next_cursor))
}

/// `requests.list` (admin): `{status?: pending|approved|denied, tool?,
/// account?, cursor?, limit?}` → `{requests, nextCursor}`.
pub fn admin_requests(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    let a = table_args(payload, &["pending", "approved", "denied"])?;
    caller.require_admin()?;
    let (items, next) = table(
        p,
        REQUEST,
        "decision",
        ("by-requester", "by-decision", "by-created"),
        a,
    )?;
    Ok(json!({ "requests": items, "nextCursor": next }))
}

/// `grants.list` (admin): `{status?: pendingProvision|active|expired|revoked,
/// tool?, account?, cursor?, limit?}` → `{grants, nextCursor}`.
pub fn admin_grants(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    let a = table_args(
        payload,
        &["pendingProvision", "active", "expired", "revoked"],
    )?;
    caller.require_admin()?;
    let (items, next) = table(
        p,
        GRANT,
        "status",
        ("by-account", "by-status-expiry", "by-created"),
        a,
    )?;
    Ok(json!({ "grants": items, "nextCursor": next }))
}

/// `jobs.list` (admin): `{status?, cursor?, limit?}` (`account` names a
/// grant id here: jobs belong to grants) → `{jobs, nextCursor}`.
pub fn admin_jobs(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    let a = table_args(
        payload,
        &[
            "queued",
            "running",
            "succeeded",
            "retry",
            "deadLetter",
            "manualPending",
            "completed",
        ],
    )?;
    if a.tool.is_some() {
        return Err(AppError::invalid(
            "tool",
            "jobs are filtered by status or grant",
        ));
    }
    caller.require_admin()?;
    let (items, next) = table(
        p,
        JOB,
        "status",
        ("by-grant", "by-status-updated", "by-updated"),
        a,
    )?;
    Ok(json!({ "jobs": items, "nextCursor": next }))
}
