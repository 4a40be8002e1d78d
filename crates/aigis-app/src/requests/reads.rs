//! Reading requests: one, the caller's own, the approval queue, the admin table.

use super::decide::load_request;
use crate::access::Caller;
use crate::api::Cursor;
use crate::api::page::{self, PageArgs, TableArgs, TableIndexes};
use crate::error::AppError;
use crate::names::{GRANT, REQUEST};
use crate::repo;
use aigis_core::ids::{AccountId, RequestId};
use aigis_core::model::{Decision, Grant, Request};
use aigis_core::time;
use aigis_platform::{EntityQuery, Platform, SortOrder};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestRef {
    pub request_id: RequestId,
}

/// A request with its grant, if it has one.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RequestDetail {
    pub request: Request,
    pub grant: Option<Grant>,
    /// The grant's expiry as an RFC 3339 instant.
    pub expires_at: Option<String>,
}

/// A page of requests.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RequestPage {
    pub requests: Vec<Request>,
    pub next_cursor: Option<Cursor>,
}

/// `requests.get`: its parties (the requester, and whoever raised it for
/// them) see their own; approvers see any.
pub fn get(p: &Platform, caller: &Caller, args: RequestRef) -> Result<RequestDetail, AppError> {
    let request = load_request(p, &args.request_id)?;
    if !request.is_party(&caller.account_id) && !caller.is_approver()? {
        // Same answer as a missing request: existence is not disclosed.
        return Err(AppError::not_found(format!(
            "request {:?} does not exist",
            args.request_id.as_str()
        )));
    }
    let grant: Option<Grant> = match &request.grant {
        Some(g) => repo::get(p, GRANT, g)?,
        None => None,
    };
    Ok(RequestDetail {
        expires_at: grant.as_ref().map(|g| time::rfc3339(g.expires_at)),
        request,
        grant,
    })
}

fn by(index: &str, partition: serde_json::Value, order: SortOrder) -> EntityQuery {
    EntityQuery {
        entity: REQUEST.into(),
        index: index.into(),
        partition: vec![partition],
        order,
        ..Default::default()
    }
}

/// `requests.mine`: the caller's request history, newest first.
pub fn mine(p: &Platform, caller: &Caller, args: PageArgs) -> Result<RequestPage, AppError> {
    let query = by("by-requester", json!(caller.account_id), SortOrder::Desc);
    let (requests, next_cursor) = page::read(p, "requests.mine", query, &args)?;
    Ok(RequestPage {
        requests,
        next_cursor,
    })
}

/// `requests.pending` (approver): oldest first, without those the caller is
/// a party to (their own, and those they raised for someone else).
pub fn pending(p: &Platform, caller: &Caller, args: PageArgs) -> Result<RequestPage, AppError> {
    let query = by("by-decision", json!("pending"), SortOrder::Asc);
    let (requests, next_cursor) = page::read::<Request>(p, "requests.pending", query, &args)?;
    Ok(RequestPage {
        requests: requests
            .into_iter()
            .filter(|r| !r.is_party(&caller.account_id))
            .collect(),
        next_cursor,
    })
}

/// `requests.list` (admin): `{status?, tool?, account?, cursor?, limit?}`, newest first.
pub fn list(
    p: &Platform,
    _: &Caller,
    a: TableArgs<Decision, AccountId>,
) -> Result<RequestPage, AppError> {
    const IX: TableIndexes = TableIndexes {
        entity: REQUEST,
        status_attr: "decision",
        by_account: "by-requester",
        by_status: "by-decision",
        by_all: "by-created",
    };
    let (requests, next_cursor) = page::table(
        p,
        "requests.list",
        &IX,
        a.status.map(Decision::as_str),
        a.tool.as_deref(),
        a.account.as_deref(),
        &a.page(),
    )?;
    Ok(RequestPage {
        requests,
        next_cursor,
    })
}
