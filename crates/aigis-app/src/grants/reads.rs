//! Reading grants: the holder's own (with expiry labels) and the admin table.

use crate::access::Caller;
use crate::api::Cursor;
use crate::api::page::{self, PageArgs, TableArgs, TableIndexes};
use crate::error::AppError;
use crate::names::GRANT;
use aigis_core::ids::AccountId;
use aigis_core::model::{Grant, GrantStatus};
use aigis_core::{Millis, time};
use aigis_platform::{EntityQuery, Platform, SortOrder};
use serde::Serialize;
use serde_json::json;

/// A grant as its holder sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct HeldGrant {
    #[serde(flatten)]
    pub grant: Grant,
    /// `expiresAt` as an RFC 3339 instant.
    pub expires_at_text: String,
    /// expired / expires today / expires tomorrow / N days remaining, in
    /// the holder's time zone; none before access is in place.
    pub expiry_label: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct HeldGrants {
    pub grants: Vec<HeldGrant>,
    /// The holder's Jira time zone the labels use (UTC if Jira hides it).
    pub time_zone: String,
    pub next_cursor: Option<Cursor>,
}

/// A page of grants.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GrantPage {
    pub grants: Vec<Grant>,
    pub next_cursor: Option<Cursor>,
}

/// The expiry label of a grant for a holder in time zone `tz`.
pub fn label(g: &Grant, now: Millis, tz: &str) -> Option<String> {
    match g.status {
        GrantStatus::Active => Some(time::expiry_label(g.expires_at, now, tz)),
        GrantStatus::Expired => Some("expired".into()),
        _ => None,
    }
}

/// `grants.mine`: the caller's grants, newest first, with expiry labels.
pub fn mine(p: &Platform, caller: &Caller, args: PageArgs) -> Result<HeldGrants, AppError> {
    let query = EntityQuery {
        entity: GRANT.into(),
        index: "by-account".into(),
        partition: vec![json!(caller.account_id)],
        order: SortOrder::Desc,
        ..Default::default()
    };
    let (items, next_cursor) = page::read::<Grant>(p, "grants.mine", query, &args)?;
    let now = p.runtime.now_millis();
    // The person's own time zone decides what "today" is; UTC if Jira hides it.
    let tz = if items.is_empty() {
        None
    } else {
        crate::jira::user_time_zone(p, &caller.account_id).unwrap_or(None)
    };
    let tz = tz.unwrap_or_else(|| "UTC".to_owned());
    let grants = items
        .into_iter()
        .map(|g| HeldGrant {
            expires_at_text: time::rfc3339(g.expires_at),
            expiry_label: label(&g, now, &tz),
            grant: g,
        })
        .collect();
    Ok(HeldGrants {
        grants,
        time_zone: tz,
        next_cursor,
    })
}

/// `grants.list` (admin): `{status?, tool?, account?, cursor?, limit?}`, newest first.
pub fn list(
    p: &Platform,
    _: &Caller,
    a: TableArgs<GrantStatus, AccountId>,
) -> Result<GrantPage, AppError> {
    const IX: TableIndexes = TableIndexes {
        entity: GRANT,
        status_attr: "status",
        by_account: "by-account",
        by_status: "by-status-expiry",
        by_all: "by-created",
    };
    let (grants, next_cursor) = page::table(
        p,
        "grants.list",
        &IX,
        a.status.map(GrantStatus::as_str),
        a.tool.as_deref(),
        a.account.as_deref(),
        &a.page(),
    )?;
    Ok(GrantPage {
        grants,
        next_cursor,
    })
}
