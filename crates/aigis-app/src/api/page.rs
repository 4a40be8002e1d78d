//! Paged listings over an index: the arguments every list takes and one
//! page read.

use super::Cursor;
use crate::error::AppError;
use crate::repo;
use aigis_platform::{EntityQuery, Platform};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// Items per page unless the caller asks for another number.
pub const DEFAULT_LIMIT: u32 = 25;
/// Most items one page holds.
pub const MAX_LIMIT: u32 = 100;

/// How many items a page holds: 1 to [`MAX_LIMIT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "number"))]
pub struct Limit(pub u32);

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const RULE: &str = "must be a whole number from 1 to 100";
        let n = serde_json::Value::deserialize(d)?;
        match n.as_u64() {
            Some(n @ 1..=100) => Ok(Limit(n as u32)),
            _ => Err(serde::de::Error::custom(aigis_core::ids::RuleBroken(RULE))),
        }
    }
}

/// The page arguments of a listing.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PageArgs {
    /// The `nextCursor` of the previous page.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub cursor: Option<Cursor>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub limit: Option<Limit>,
}

impl PageArgs {
    pub fn limit(&self, default: u32) -> u32 {
        self.limit.map_or(default, |l| l.0)
    }
}

/// One page of `query` in listing `scope`, decoded as `T`.
pub fn read<T: DeserializeOwned>(
    p: &Platform,
    scope: &str,
    mut query: EntityQuery,
    args: &PageArgs,
) -> Result<(Vec<T>, Option<Cursor>), AppError> {
    query.cursor = Cursor::open_opt(&args.cursor, scope)?;
    query.limit = args.limit(DEFAULT_LIMIT);
    let page = p.storage.entity_query(&query)?;
    let items = page
        .items
        .iter()
        .map(|(key, raw)| repo::decode(&query.entity, key, raw))
        .collect::<Result<Vec<T>, _>>()?;
    Ok((items, Cursor::next(scope, page.next_cursor)))
}

/// The filters and page of an admin table: `status` of type `S`, `tool`,
/// and `account` (the holder, or for jobs the grant) of type `K`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TableArgs<S, K> {
    #[serde(default = "none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub status: Option<S>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub tool: Option<aigis_core::ids::ToolId>,
    #[serde(default = "none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub account: Option<K>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub cursor: Option<Cursor>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub limit: Option<Limit>,
}

impl<S, K> TableArgs<S, K> {
    pub fn page(&self) -> PageArgs {
        PageArgs {
            cursor: self.cursor.clone(),
            limit: self.limit,
        }
    }
}

fn none<T>() -> Option<T> {
    None
}

/// The indexes a table reads: by account, by status, and everything, each
/// ordered by time.
pub struct TableIndexes {
    pub entity: &'static str,
    pub status_attr: &'static str,
    pub by_account: &'static str,
    pub by_status: &'static str,
    pub by_all: &'static str,
}

/// One page of an admin table, newest first: the most selective index for
/// the filters given, the rest as query filters.
pub fn table<T: DeserializeOwned>(
    p: &Platform,
    scope: &str,
    ix: &TableIndexes,
    status: Option<&str>,
    tool: Option<&str>,
    account: Option<&str>,
    args: &PageArgs,
) -> Result<(Vec<T>, Option<Cursor>), AppError> {
    use aigis_platform::{Condition, SortOrder};
    use serde_json::json;
    let mut filters = vec![];
    let (index, partition) = match (account, status) {
        (Some(acc), status) => {
            if let Some(s) = status {
                filters.push(Condition::equal(ix.status_attr, json!(s)));
            }
            (ix.by_account, vec![json!(acc)])
        }
        (None, Some(s)) => (ix.by_status, vec![json!(s)]),
        (None, None) => (ix.by_all, vec![]),
    };
    if let Some(t) = tool {
        filters.push(Condition::equal("tool", json!(t)));
    }
    let query = EntityQuery {
        entity: ix.entity.into(),
        index: index.into(),
        partition,
        filters,
        order: SortOrder::Desc,
        ..Default::default()
    };
    read(p, scope, query, args)
}
