//! `audit.search`: events by time, actor, type and subject, newest first.

use super::when::When;
use crate::access::Caller;
use crate::api::Cursor;
use crate::api::page::Limit;
use crate::error::AppError;
use crate::names::AUDIT;
use crate::repo;
use aigis_core::audit::AuditEvent;
use aigis_platform::{Condition, EntityQuery, FilterOp, Platform, SortOrder};
use serde::{Deserialize, Serialize};
use serde_json::json;

const SCOPE: &str = "audit.search";

/// `{from?, to?, actor?, type?, subject?, cursor?, limit?}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SearchArgs {
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub from: Option<When>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub to: Option<When>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub actor: Option<String>,
    /// The event's action, e.g. `request.approved`.
    #[serde(default, rename = "type")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub kind: Option<String>,
    /// e.g. `grant:g-10000`.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub subject: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub cursor: Option<Cursor>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub limit: Option<Limit>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SearchPage {
    pub events: Vec<AuditEvent>,
    pub next_cursor: Option<Cursor>,
}

/// `audit.search` (admin): `{from?, to?, actor?, type?, subject?, cursor?,
/// limit?}` → `{events, nextCursor}`, newest first by sequence number. One
/// index query per page, every index ranged by seq: the most selective of
/// subject, actor and type is the partition, the rest (and the time
/// range) are filters.
pub fn search(p: &Platform, _: &Caller, a: SearchArgs) -> Result<SearchPage, AppError> {
    for (field, v) in [
        ("actor", &a.actor),
        ("type", &a.kind),
        ("subject", &a.subject),
    ] {
        if let Some(s) = v
            && (s.is_empty() || s.len() > 200)
        {
            return Err(AppError::invalid(field, "must be 1 to 200 characters"));
        }
    }
    let limit = a.limit.map_or(50, |l| l.0);
    let from = a
        .from
        .as_ref()
        .map(|w| w.millis("from", false))
        .transpose()?;
    let to = a.to.as_ref().map(|w| w.millis("to", true)).transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(AppError::invalid("from", "must not be after `to`"));
    }
    let eq = |attr: &str, v: &str| Condition::equal(attr, json!(v));
    let mut filters = vec![];
    let (index, partition) = if let Some(s) = &a.subject {
        a.actor.iter().for_each(|x| filters.push(eq("actor", x)));
        a.kind.iter().for_each(|x| filters.push(eq("action", x)));
        ("by-subject", vec![json!(s)])
    } else if let Some(x) = &a.actor {
        a.kind.iter().for_each(|k| filters.push(eq("action", k)));
        ("by-actor", vec![json!(x)])
    } else if let Some(k) = &a.kind {
        ("by-action", vec![json!(k)])
    } else {
        ("by-seq", vec![])
    };
    // Newest first by sequence number, whatever the events' times (a
    // sweep run at a virtual time may write an older `at` after a newer
    // one): the time range is a filter on every index.
    if let Some(f) = from {
        filters.push(Condition {
            attribute: "at".into(),
            op: FilterOp::GreaterThanEqualTo,
            value: Some(json!(f)),
        });
    }
    if let Some(t) = to {
        filters.push(Condition {
            attribute: "at".into(),
            op: FilterOp::LessThanEqualTo,
            value: Some(json!(t)),
        });
    }
    let page = p.storage.entity_query(&EntityQuery {
        entity: AUDIT.into(),
        index: index.into(),
        partition,
        range: None,
        filters,
        order: SortOrder::Desc,
        cursor: Cursor::open_opt(&a.cursor, SCOPE)?,
        limit,
    })?;
    let events = page
        .items
        .iter()
        .map(|(key, raw)| repo::decode(AUDIT, key, raw))
        .collect::<Result<_, _>>()?;
    Ok(SearchPage {
        events,
        next_cursor: Cursor::next(SCOPE, page.next_cursor),
    })
}
