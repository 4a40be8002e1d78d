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
