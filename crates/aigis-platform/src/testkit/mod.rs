//! The shared behaviour suite every [`Storage`] backend must pass, so that
//! [`crate::memory::MemoryStorage`] and the SQLite host agree call for call.
//!
//! Run it with a factory that builds a fresh, empty backend for the given
//! entity declarations:
//!
//! ```ignore
//! aigis_platform::testkit::storage_suite(&|schemas| Box::new(MyStorage::new(schemas)));
//! ```
//!
//! Each check panics with a message naming what differed; the suite is meant
//! for tests only.

use crate::limits::{MAX_KEY_CHARS, MAX_TXN_OPS, MAX_VALUE_BYTES};
use crate::*;
use serde_json::{Value, json};

/// Builds a fresh, empty backend for the given entity declarations.
pub type MakeStorage<'a> = &'a dyn Fn(Vec<EntitySchema>) -> Box<dyn Storage>;

/// The entity declarations the suite uses:
/// - `item`: index `by-group-rank` (partition `group`, range `rank`),
///   `by-name` (range `name`, no partition), `by-flag-name` (partition
///   `flag`, range `name`);
/// - `other`: index `by-rank` (range `rank`), to show entities are apart.
pub fn suite_schemas() -> Vec<EntitySchema> {
    serde_json::from_value(json!([
        {
            "name": "item",
            "attributes": {
                "group": {"type": "string"},
                "rank": {"type": "integer"},
                "name": {"type": "string"},
                "flag": {"type": "boolean"},
                "seq": {"type": "integer"}
            },
            "indexes": [
                {"name": "by-group-rank", "range": ["rank"], "partition": ["group"]},
                {"name": "by-name", "range": ["name"]},
                {"name": "by-flag-name", "range": ["name"], "partition": ["flag"]}
            ]
        },
        {
            "name": "other",
            "attributes": {"rank": {"type": "integer"}},
            "indexes": [{"name": "by-rank", "range": ["rank"]}]
        }
    ]))
    .expect("the suite's schema literal is well formed")
}

/// Runs every part of the suite, each against a fresh backend.
pub fn storage_suite(make: MakeStorage<'_>) {
    kvs_basics(make);
    keys_and_values_follow_limits(make);
    fail_if_exists(make);
    prefix_pages(make);
    entity_basics(make);
    entity_query_partition_and_order(make);
    entity_query_range_conditions(make);
    entity_query_filters(make);
    entity_query_cursor_pages_with_ties(make);
    entity_query_kinds_order(make);
    entity_query_errors(make);
    transactions_all_or_nothing(make);
    transaction_conditions(make);
    transaction_shape(make);
}

pub(super) fn fresh(make: MakeStorage<'_>) -> Box<dyn Storage> {
    make(suite_schemas())
}

pub(super) fn plain() -> SetOptions {
    SetOptions::default()
}

pub(super) fn once() -> SetOptions {
    SetOptions {
        fail_if_exists: true,
    }
}

pub(super) fn put(s: &dyn Storage, entity: &str, key: &str, value: Value) {
    s.entity_set(entity, key, &value.to_string())
        .unwrap_or_else(|e| panic!("entity_set({entity}, {key}) failed: {e}"));
}

pub(super) fn keys(page: &QueryPage) -> Vec<&str> {
    page.items.iter().map(|(k, _)| k.as_str()).collect()
}

pub(super) fn query(
    index: &str,
    partition: Vec<Value>,
    range: Option<RangeCondition>,
) -> EntityQuery {
    EntityQuery {
        entity: "item".into(),
        index: index.into(),
        partition,
        range,
        limit: 100,
        ..Default::default()
    }
}

/// Every page of a query, following cursors; checks that only the last
/// page lacks a cursor and that no page is larger than `limit`.
pub(super) fn all_pages(s: &dyn Storage, q: &EntityQuery) -> Vec<String> {
    let mut q = q.clone();
    let mut out = Vec::new();
    for _ in 0..1000 {
        let page = s
            .entity_query(&q)
            .unwrap_or_else(|e| panic!("entity_query {q:?} failed: {e}"));
        assert!(
            page.items.len() <= limits::page_limit(q.limit),
            "page larger than the limit"
        );
        out.extend(page.items.iter().map(|(k, _)| k.clone()));
        match page.next_cursor {
            Some(c) => {
                assert_eq!(
                    page.items.len(),
                    limits::page_limit(q.limit),
                    "a page with a next cursor must be full"
                );
                q.cursor = Some(c);
            }
            None => return out,
        }
    }
    panic!("query never ran out of pages");
}

pub(super) fn invalid_key(r: Result<impl std::fmt::Debug, StorageError>, what: &str) {
    assert!(
        matches!(r, Err(StorageError::InvalidKey(_))),
        "{what}: expected InvalidKey, got {r:?}"
    );
}

pub(super) fn invalid_value(r: Result<impl std::fmt::Debug, StorageError>, what: &str) {
    assert!(
        matches!(r, Err(StorageError::InvalidValue(_))),
        "{what}: expected InvalidValue, got {r:?}"
    );
}

pub(super) fn invalid_txn(r: Result<(), StorageError>, what: &str) {
    assert!(
        matches!(r, Err(StorageError::InvalidTransaction(_))),
        "{what}: expected InvalidTransaction, got {r:?}"
    );
}

pub(super) fn unknown(r: Result<impl std::fmt::Debug, StorageError>, what: &str) {
    assert!(
        matches!(r, Err(StorageError::UnknownEntity(_))),
        "{what}: expected UnknownEntity, got {r:?}"
    );
}

mod entities;
mod kvs;
mod txn;

pub use entities::*;
pub use kvs::*;
pub use txn::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryStorage;

    #[test]
    fn memory_storage_passes_the_suite() {
        storage_suite(&|schemas| Box::new(MemoryStorage::new(schemas)));
    }
}
