//! The shared Storage behaviour suite, against the SQLite store.

mod common;

use aigis_platform::testkit::storage_suite;
use aigis_platform::{Storage, StorageError, memory::MemoryStorage};
use aigis_store::Store;
use std::sync::atomic::{AtomicU32, Ordering};

#[test]
fn in_memory_store_passes_the_suite() {
    storage_suite(&|schemas| Box::new(Store::in_memory(schemas).expect("open in-memory store")));
}

#[test]
fn file_store_passes_the_suite() {
    let dir = common::TempDir::new("suite");
    let n = AtomicU32::new(0);
    storage_suite(&|schemas| {
        let path = dir.file(&format!("db{}.sqlite", n.fetch_add(1, Ordering::Relaxed)));
        Box::new(Store::open(&path, schemas).expect("open file store"))
    });
}

/// The in-memory reference still passes too (guards against the suite
/// drifting to fit only SQLite).
#[test]
fn memory_storage_passes_the_suite() {
    storage_suite(&|schemas| Box::new(MemoryStorage::new(schemas)));
}

#[test]
fn tampered_rows_do_not_break_queries() {
    let store = Store::in_memory(aigis_platform::testkit::suite_schemas()).unwrap();
    let memory = MemoryStorage::new(aigis_platform::testkit::suite_schemas());
    for (k, v) in [
        ("a", r#"{"group":"g","rank":2}"#),
        ("b", r#"{"group":"g","rank":1}"#),
    ] {
        store.entity_set("item", k, v).unwrap();
        memory.entity_set("item", k, v).unwrap();
    }
    // Not JSON, not an object, a changed value: all bypass the checks.
    for (k, v) in [
        ("c", "not json {"),
        ("d", "[1,2]"),
        ("a", r#"{"group":"g","rank":3}"#),
    ] {
        store.raw_entity_set("item", k, v).unwrap();
        memory.raw_entity_set("item", k, v);
    }
    store.raw_entity_delete("item", "b").unwrap();
    memory.raw_entity_delete("item", "b");
    let q = aigis_platform::EntityQuery {
        entity: "item".into(),
        index: "by-group-rank".into(),
        partition: vec![serde_json::json!("g")],
        limit: 10,
        ..Default::default()
    };
    assert_eq!(
        store.entity_query(&q).unwrap(),
        memory.entity_query(&q).unwrap()
    );
    assert_eq!(
        store.entities_of("item").unwrap(),
        memory.entities_of("item")
    );
    assert_eq!(
        store.entity_get("item", "c").unwrap().as_deref(),
        Some("not json {")
    );
    // A transaction conditioned on a tampered (unparsable) entity sees it as absent.
    let ops = [aigis_platform::TxnOp::Check {
        key: "c".into(),
        entity: Some("item".into()),
        conditions: vec![],
    }];
    assert_eq!(store.transact(&ops), Err(StorageError::ConditionFailed));
    assert_eq!(memory.transact(&ops), Err(StorageError::ConditionFailed));
}
