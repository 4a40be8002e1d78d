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

fn fresh(make: MakeStorage<'_>) -> Box<dyn Storage> {
    make(suite_schemas())
}

fn plain() -> SetOptions {
    SetOptions::default()
}

fn once() -> SetOptions {
    SetOptions {
        fail_if_exists: true,
    }
}

fn put(s: &dyn Storage, entity: &str, key: &str, value: Value) {
    s.entity_set(entity, key, &value.to_string())
        .unwrap_or_else(|e| panic!("entity_set({entity}, {key}) failed: {e}"));
}

fn keys(page: &QueryPage) -> Vec<&str> {
    page.items.iter().map(|(k, _)| k.as_str()).collect()
}

fn query(index: &str, partition: Vec<Value>, range: Option<RangeCondition>) -> EntityQuery {
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
fn all_pages(s: &dyn Storage, q: &EntityQuery) -> Vec<String> {
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

fn invalid_key(r: Result<impl std::fmt::Debug, StorageError>, what: &str) {
    assert!(
        matches!(r, Err(StorageError::InvalidKey(_))),
        "{what}: expected InvalidKey, got {r:?}"
    );
}

fn invalid_value(r: Result<impl std::fmt::Debug, StorageError>, what: &str) {
    assert!(
        matches!(r, Err(StorageError::InvalidValue(_))),
        "{what}: expected InvalidValue, got {r:?}"
    );
}

fn invalid_txn(r: Result<(), StorageError>, what: &str) {
    assert!(
        matches!(r, Err(StorageError::InvalidTransaction(_))),
        "{what}: expected InvalidTransaction, got {r:?}"
    );
}

fn unknown(r: Result<impl std::fmt::Debug, StorageError>, what: &str) {
    assert!(
        matches!(r, Err(StorageError::UnknownEntity(_))),
        "{what}: expected UnknownEntity, got {r:?}"
    );
}

/// get / set / delete on the Key-Value Store.
pub fn kvs_basics(make: MakeStorage<'_>) {
    let s = fresh(make);
    assert_eq!(s.get("absent").unwrap(), None);
    s.set("k", r#"{"a":1}"#, plain()).unwrap();
    assert_eq!(s.get("k").unwrap().as_deref(), Some(r#"{"a":1}"#));
    // Any JSON value, not only objects; stored text comes back verbatim.
    s.set("k", "[1, 2,  3]", plain()).unwrap();
    assert_eq!(s.get("k").unwrap().as_deref(), Some("[1, 2,  3]"));
    s.set("n", "42", plain()).unwrap();
    s.set("str", "\"text\"", plain()).unwrap();
    s.set("null", "null", plain()).unwrap();
    assert_eq!(s.get("null").unwrap().as_deref(), Some("null"));
    s.delete("k").unwrap();
    assert_eq!(s.get("k").unwrap(), None);
    // Deleting an absent key succeeds.
    s.delete("k").unwrap();
    s.delete("never-there").unwrap();
    // The KVS and custom entities are separate namespaces.
    s.set("shared", "1", plain()).unwrap();
    assert_eq!(s.entity_get("item", "shared").unwrap(), None);
    put(&*s, "item", "shared", json!({"rank": 1}));
    assert_eq!(s.get("shared").unwrap().as_deref(), Some("1"));
    s.delete("shared").unwrap();
    assert!(s.entity_get("item", "shared").unwrap().is_some());
}

/// Keys: 1..=500 characters of `[a-zA-Z0-9:._\s-#]`; values: JSON of at most 240 KiB.
pub fn keys_and_values_follow_limits(make: MakeStorage<'_>) {
    let s = fresh(make);
    let longest = "k".repeat(MAX_KEY_CHARS);
    let too_long = "k".repeat(MAX_KEY_CHARS + 1);
    let odd_but_fine = "grant:abc-1_2.3#x y";
    for key in [longest.as_str(), odd_but_fine] {
        s.set(key, "1", plain()).unwrap();
        assert_eq!(s.get(key).unwrap().as_deref(), Some("1"));
        put(&*s, "item", key, json!({"rank": 1}));
        assert!(s.entity_get("item", key).unwrap().is_some());
        s.entity_delete("item", key).unwrap();
        s.delete(key).unwrap();
    }
    for bad in ["", too_long.as_str(), "a/b", "é", "a\"b", "k*"] {
        invalid_key(s.get(bad), "get");
        invalid_key(s.set(bad, "1", plain()), "set");
        invalid_key(s.set(bad, "1", once()), "set fail-if-exists");
        invalid_key(s.delete(bad), "delete");
        invalid_key(s.entity_get("item", bad), "entity_get");
        invalid_key(s.entity_set("item", bad, "{}"), "entity_set");
        invalid_key(s.entity_delete("item", bad), "entity_delete");
    }
    // Values.
    invalid_value(s.set("v", "not json", plain()), "set non-JSON");
    invalid_value(s.set("v", "", plain()), "set empty");
    invalid_value(s.set("v", "{\"a\":", plain()), "set truncated JSON");
    // Exactly at the limit: a JSON string of MAX_VALUE_BYTES bytes in all.
    let at_limit = format!("\"{}\"", "x".repeat(MAX_VALUE_BYTES - 2));
    assert_eq!(at_limit.len(), MAX_VALUE_BYTES);
    s.set("v", &at_limit, plain()).unwrap();
    assert_eq!(s.get("v").unwrap().as_deref(), Some(at_limit.as_str()));
    let over = format!("\"{}\"", "x".repeat(MAX_VALUE_BYTES - 1));
    invalid_value(s.set("v", &over, plain()), "set over the limit");
    assert_eq!(s.get("v").unwrap().as_deref(), Some(at_limit.as_str()));
    let big_object = format!("{{\"b\":\"{}\"}}", "x".repeat(MAX_VALUE_BYTES - 8));
    assert_eq!(big_object.len(), MAX_VALUE_BYTES);
    s.entity_set("item", "big", &big_object).unwrap();
    let over_object = format!("{{\"b\":\"{}\"}}", "x".repeat(MAX_VALUE_BYTES - 7));
    invalid_value(
        s.entity_set("item", "big", &over_object),
        "entity_set over the limit",
    );
    // Entity values must be JSON objects.
    for not_object in ["[1]", "1", "\"s\"", "null", "true", "nope"] {
        invalid_value(
            s.entity_set("item", "e", not_object),
            "entity_set non-object",
        );
    }
    assert_eq!(s.entity_get("item", "e").unwrap(), None);
    // Key checks come before value checks.
    invalid_key(s.set("", "not json", plain()), "bad key and bad value");
    invalid_key(
        s.entity_set("item", "", "not json"),
        "bad entity key and bad value",
    );
}

/// `set` with `fail_if_exists`.
pub fn fail_if_exists(make: MakeStorage<'_>) {
    let s = fresh(make);
    s.set("k", "1", once()).unwrap();
    assert_eq!(s.set("k", "2", once()), Err(StorageError::KeyExists));
    assert_eq!(s.get("k").unwrap().as_deref(), Some("1"));
    // Overriding is still allowed without the policy.
    s.set("k", "3", plain()).unwrap();
    assert_eq!(s.get("k").unwrap().as_deref(), Some("3"));
    // After a delete the key may be created again.
    s.delete("k").unwrap();
    s.set("k", "4", once()).unwrap();
    assert_eq!(s.get("k").unwrap().as_deref(), Some("4"));
    // An invalid value is refused before the existence check.
    invalid_value(s.set("k", "nope", once()), "fail-if-exists with bad value");
    invalid_value(
        s.set("new", "nope", once()),
        "fail-if-exists with bad value",
    );
    assert_eq!(s.get("new").unwrap(), None);
}

/// `query_prefix`: keys in ascending (byte) order, pages with cursors, clamped limits.
pub fn prefix_pages(make: MakeStorage<'_>) {
    let s = fresh(make);
    for i in 0..12 {
        s.set(&format!("p:{i}"), &i.to_string(), plain()).unwrap();
    }
    for k in ["p", "q:0", "o:9", "P:1", "p_", "pa"] {
        s.set(k, "0", plain()).unwrap();
    }
    // Byte order: "p:1" < "p:10" < "p:11" < "p:2".
    let expected: Vec<String> = {
        let mut v: Vec<String> = (0..12).map(|i| format!("p:{i}")).collect();
        v.sort();
        v
    };
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = s.query_prefix("p:", cursor.as_deref(), 5).unwrap();
        pages += 1;
        assert!(page.items.len() <= 5);
        for (k, v) in &page.items {
            assert_eq!(v, &k["p:".len()..], "values come with their keys");
        }
        seen.extend(page.items.iter().map(|(k, _)| k.clone()));
        match page.next_cursor {
            Some(c) => {
                assert_eq!(page.items.len(), 5);
                cursor = Some(c);
            }
            None => break,
        }
        assert!(pages < 10, "prefix query never ran out of pages");
    }
    assert_eq!(seen, expected);
    assert_eq!(pages, 3);
    // An exact fit leaves no cursor after the last full page.
    let page = s.query_prefix("p:", None, 12).unwrap();
    assert_eq!(page.items.len(), 12);
    assert_eq!(page.next_cursor, None);
    // Prefix "p" takes "p", "p:*", "p_" and "pa", in byte order.
    let page = s.query_prefix("p", None, 100).unwrap();
    assert_eq!(page.items.len(), 15);
    assert_eq!(page.items[0].0, "p");
    assert_eq!(page.items[13].0, "p_");
    assert_eq!(page.items[14].0, "pa");
    // Empty prefix: every key, in order ("P:1" < "o:9" < "p" ...).
    let page = s.query_prefix("", None, 100).unwrap();
    assert_eq!(page.items.len(), 18);
    assert_eq!(keys(&page)[..3], ["P:1", "o:9", "p"]);
    // No match.
    let page = s.query_prefix("zz", None, 10).unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.next_cursor, None);
    // Limit 0 is clamped to 1; limits above 100 are clamped to 100.
    let page = s.query_prefix("p:", None, 0).unwrap();
    assert_eq!(keys(&page), ["p:0"]);
    assert!(page.next_cursor.is_some());
    for i in 0..150 {
        s.set(&format!("many:{i:03}"), "0", plain()).unwrap();
    }
    let page = s.query_prefix("many:", None, 1000).unwrap();
    assert_eq!(page.items.len(), 100);
    let rest = s
        .query_prefix("many:", page.next_cursor.as_deref(), 1000)
        .unwrap();
    assert_eq!(rest.items.len(), 50);
    assert_eq!(rest.items[0].0, "many:100");
    assert_eq!(rest.next_cursor, None);
    // Entities are not KVS keys.
    put(&*s, "item", "p:zz", json!({"rank": 1}));
    assert!(
        !keys(&s.query_prefix("p:", None, 100).unwrap()).contains(&"p:zz"),
        "entities leak into KVS queries"
    );
    // A garbage cursor is refused.
    assert_eq!(
        s.query_prefix("p:", Some("zz"), 5),
        Err(StorageError::InvalidCursor)
    );
    assert_eq!(
        s.query_prefix("p:", Some("abc"), 5),
        Err(StorageError::InvalidCursor)
    );
    // A key deleted between pages does not disturb the next page.
    let p1 = s.query_prefix("p:", None, 2).unwrap();
    s.delete(&p1.items[1].0).unwrap();
    let p2 = s.query_prefix("p:", p1.next_cursor.as_deref(), 2).unwrap();
    assert_eq!(keys(&p2), [expected[2].as_str(), expected[3].as_str()]);
}

/// entity_get / entity_set / entity_delete.
pub fn entity_basics(make: MakeStorage<'_>) {
    let s = fresh(make);
    assert_eq!(s.entity_get("item", "a").unwrap(), None);
    s.entity_set("item", "a", r#"{"rank": 1, "group":"g"}"#)
        .unwrap();
    assert_eq!(
        s.entity_get("item", "a").unwrap().as_deref(),
        Some(r#"{"rank": 1, "group":"g"}"#),
        "entity text comes back verbatim"
    );
    // Same key, other entity: apart.
    assert_eq!(s.entity_get("other", "a").unwrap(), None);
    put(&*s, "other", "a", json!({"rank": 2}));
    assert_eq!(
        s.entity_get("item", "a").unwrap().as_deref(),
        Some(r#"{"rank": 1, "group":"g"}"#)
    );
    put(&*s, "item", "a", json!({"rank": 3}));
    assert_eq!(
        s.entity_get("item", "a").unwrap().as_deref(),
        Some(r#"{"rank":3}"#)
    );
    s.entity_delete("item", "a").unwrap();
    assert_eq!(s.entity_get("item", "a").unwrap(), None);
    s.entity_delete("item", "a").unwrap();
    assert!(s.entity_get("other", "a").unwrap().is_some());
    // An empty object is a valid entity.
    s.entity_set("item", "empty", "{}").unwrap();
    assert_eq!(
        s.entity_get("item", "empty").unwrap().as_deref(),
        Some("{}")
    );
    // Unknown entities are refused before anything else.
    unknown(s.entity_get("nope", "a"), "entity_get unknown");
    unknown(s.entity_set("nope", "a", "{}"), "entity_set unknown");
    unknown(s.entity_delete("nope", "a"), "entity_delete unknown");
    unknown(s.entity_get("nope", ""), "entity_get unknown, bad key");
    unknown(
        s.entity_set("nope", "", "[]"),
        "entity_set unknown, bad key",
    );
    unknown(
        s.entity_delete("nope", ""),
        "entity_delete unknown, bad key",
    );
}

fn seed_items(s: &dyn Storage) {
    // (key, group, rank, name, flag)
    let rows: &[(&str, &str, i64, &str, bool)] = &[
        ("a", "g1", 5, "alpha", true),
        ("b", "g1", 1, "bravo", false),
        ("c", "g2", 2, "charlie", true),
        ("d", "g1", 9, "delta", true),
        ("e", "g1", 5, "echo", false),
        ("f", "g1", 7, "foxtrot", true),
        ("g", "g2", 5, "golf", false),
        ("h", "g1", 3, "hotel", true),
    ];
    for (k, g, r, n, f) in rows {
        put(
            s,
            "item",
            k,
            json!({"group": g, "rank": r, "name": n, "flag": f, "seq": r * 10}),
        );
    }
    // Same keys and attributes in another entity must never show up.
    put(
        s,
        "other",
        "z",
        json!({"group": "g1", "rank": 4, "name": "zulu"}),
    );
    // No range attribute: never in the index.
    put(s, "item", "norank", json!({"group": "g1", "name": "x-ray"}));
}

/// Partition equality, range ordering by value then key, ascending and descending.
pub fn entity_query_partition_and_order(make: MakeStorage<'_>) {
    let s = fresh(make);
    seed_items(&*s);
    let mut q = query("by-group-rank", vec![json!("g1")], None);
    let page = s.entity_query(&q).unwrap();
    assert_eq!(keys(&page), ["b", "h", "a", "e", "f", "d"]);
    assert_eq!(page.next_cursor, None);
    // Items carry the stored value.
    let (_, v) = &page.items[0];
    let v: Value = serde_json::from_str(v).unwrap();
    assert_eq!(v["name"], json!("bravo"));
    q.order = SortOrder::Desc;
    assert_eq!(
        keys(&s.entity_query(&q).unwrap()),
        ["d", "f", "e", "a", "h", "b"]
    );
    q.partition = vec![json!("g2")];
    assert_eq!(keys(&s.entity_query(&q).unwrap()), ["g", "c"]);
    q.partition = vec![json!("g3")];
    let page = s.entity_query(&q).unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.next_cursor, None);
    // A partition value of another kind matches nothing.
    q.partition = vec![json!(1)];
    assert!(s.entity_query(&q).unwrap().items.is_empty());
    // The wrong number of partition values matches nothing.
    q.partition = vec![];
    assert!(s.entity_query(&q).unwrap().items.is_empty());
    q.partition = vec![json!("g1"), json!("g1")];
    assert!(s.entity_query(&q).unwrap().items.is_empty());
    // An index without partition: every entity with the range attribute.
    let q = query("by-name", vec![], None);
    assert_eq!(
        keys(&s.entity_query(&q).unwrap()),
        ["a", "b", "c", "d", "e", "f", "g", "h", "norank"]
    );
    // Boolean partitions.
    let q = query("by-flag-name", vec![json!(true)], None);
    assert_eq!(
        keys(&s.entity_query(&q).unwrap()),
        ["a", "c", "d", "f", "h"]
    );
    let q = query("by-flag-name", vec![json!(false)], None);
    assert_eq!(keys(&s.entity_query(&q).unwrap()), ["b", "e", "g"]);
    let q = query("by-flag-name", vec![json!(1)], None);
    assert!(s.entity_query(&q).unwrap().items.is_empty());
    let q = query("by-flag-name", vec![json!("true")], None);
    assert!(s.entity_query(&q).unwrap().items.is_empty());
    // Updates move entities within and between partitions.
    put(
        &*s,
        "item",
        "b",
        json!({"group": "g2", "rank": 100, "name": "bravo"}),
    );
    let q = query("by-group-rank", vec![json!("g2")], None);
    assert_eq!(keys(&s.entity_query(&q).unwrap()), ["c", "g", "b"]);
    s.entity_delete("item", "c").unwrap();
    assert_eq!(keys(&s.entity_query(&q).unwrap()), ["g", "b"]);
    // The other entity's own index.
    let q = EntityQuery {
        entity: "other".into(),
        index: "by-rank".into(),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(keys(&s.entity_query(&q).unwrap()), ["z"]);
}

/// Every `WhereConditions` on the range attribute, both orders.
pub fn entity_query_range_conditions(make: MakeStorage<'_>) {
    use RangeCondition::*;
    let s = fresh(make);
    seed_items(&*s);
    // g1 by rank: b1 h3 a5 e5 f7 d9
    let cases: Vec<(RangeCondition, Vec<&str>)> = vec![
        (EqualTo(json!(5)), vec!["a", "e"]),
        (EqualTo(json!(5.0)), vec!["a", "e"]),
        (EqualTo(json!(4)), vec![]),
        (Between(json!(3), json!(7)), vec!["h", "a", "e", "f"]),
        (Between(json!(2), json!(6)), vec!["h", "a", "e"]),
        (Between(json!(7), json!(3)), vec![]),
        (GreaterThan(json!(5)), vec!["f", "d"]),
        (GreaterThanEqualTo(json!(5)), vec!["a", "e", "f", "d"]),
        (LessThan(json!(5)), vec!["b", "h"]),
        (LessThanEqualTo(json!(5)), vec!["b", "h", "a", "e"]),
        (GreaterThan(json!(4.5)), vec!["a", "e", "f", "d"]),
        (LessThan(json!(0)), vec![]),
        (GreaterThan(json!(9)), vec![]),
        // Across kinds, strings order after numbers.
        (LessThan(json!("a")), vec!["b", "h", "a", "e", "f", "d"]),
        (GreaterThan(json!("a")), vec![]),
        // Begins-with applies to strings only.
        (BeginsWith("5".into()), vec![]),
    ];
    for (range, want) in cases {
        let mut q = query("by-group-rank", vec![json!("g1")], Some(range.clone()));
        assert_eq!(
            keys(&s.entity_query(&q).unwrap()),
            want,
            "asc with {range:?}"
        );
        q.order = SortOrder::Desc;
        let mut rev = want.clone();
        rev.reverse();
        assert_eq!(
            keys(&s.entity_query(&q).unwrap()),
            rev,
            "desc with {range:?}"
        );
    }
    // String ranges, on the index without partition. Names in byte order:
    // al alfa alpha alpine b bravo bz charlie c\u{10FFFF} c\u{10FFFF}x delta
    // echo foxtrot golf hotel x-ray.
    for (key, name) in [
        ("s-al", "al"),
        ("s-alfa", "alfa"),
        ("s-alpine", "alpine"),
        ("s-b", "b"),
        ("s-bz", "bz"),
        ("s-max", "c\u{10FFFF}"),
        ("s-maxx", "c\u{10FFFF}x"),
    ] {
        put(&*s, "item", key, json!({ "name": name }));
    }
    let every = [
        "s-al", "s-alfa", "a", "s-alpine", "s-b", "b", "s-bz", "c", "s-max", "s-maxx", "d", "e",
        "f", "g", "h", "norank",
    ];
    let cases: Vec<(RangeCondition, Vec<&str>)> = vec![
        (
            BeginsWith("al".into()),
            vec!["s-al", "s-alfa", "a", "s-alpine"],
        ),
        (BeginsWith("alp".into()), vec!["a", "s-alpine"]),
        (BeginsWith("b".into()), vec!["s-b", "b", "s-bz"]),
        (BeginsWith("c".into()), vec!["c", "s-max", "s-maxx"]),
        (BeginsWith("c\u{10FFFF}".into()), vec!["s-max", "s-maxx"]),
        (BeginsWith("".into()), every.to_vec()),
        (BeginsWith("zzz".into()), vec![]),
        (EqualTo(json!("golf")), vec!["g"]),
        (EqualTo(json!("gol")), vec![]),
        (
            Between(json!("b"), json!("d")),
            vec!["s-b", "b", "s-bz", "c", "s-max", "s-maxx"],
        ),
        (GreaterThan(json!("golf")), vec!["h", "norank"]),
        (GreaterThanEqualTo(json!("golf")), vec!["g", "h", "norank"]),
        (LessThan(json!("alpha")), vec!["s-al", "s-alfa"]),
        (LessThanEqualTo(json!("alpha")), vec!["s-al", "s-alfa", "a"]),
        // Strings order after numbers.
        (GreaterThan(json!(1000)), every.to_vec()),
        (LessThan(json!(1000)), vec![]),
    ];
    for (range, want) in cases {
        let mut q = query("by-name", vec![], Some(range.clone()));
        assert_eq!(
            keys(&s.entity_query(&q).unwrap()),
            want,
            "asc with {range:?}"
        );
        q.order = SortOrder::Desc;
        let mut rev = want.clone();
        rev.reverse();
        assert_eq!(
            keys(&s.entity_query(&q).unwrap()),
            rev,
            "desc with {range:?}"
        );
        // The same through pages of two.
        q.limit = 2;
        let rev: Vec<String> = rev.into_iter().map(str::to_owned).collect();
        assert_eq!(all_pages(&*s, &q), rev, "desc pages with {range:?}");
    }
}

/// `andFilter` conditions, including pages that the filter thins out.
pub fn entity_query_filters(make: MakeStorage<'_>) {
    let s = fresh(make);
    seed_items(&*s);
    let mut q = query("by-group-rank", vec![json!("g1")], None);
    q.filters = vec![Condition::equal("flag", json!(true))];
    assert_eq!(keys(&s.entity_query(&q).unwrap()), ["h", "a", "f", "d"]);
    q.filters = vec![
        Condition::equal("flag", json!(true)),
        Condition::new("seq", FilterOp::GreaterThan, json!(40)),
    ];
    assert_eq!(keys(&s.entity_query(&q).unwrap()), ["a", "f", "d"]);
    q.filters = vec![Condition::new("name", FilterOp::BeginsWith, json!("e"))];
    assert_eq!(keys(&s.entity_query(&q).unwrap()), ["e"]);
    q.filters = vec![Condition::new("name", FilterOp::Contains, json!("o"))];
    assert_eq!(keys(&s.entity_query(&q).unwrap()), ["b", "h", "e", "f"]);
    q.filters = vec![Condition::new("name", FilterOp::NotContains, json!("o"))];
    assert_eq!(keys(&s.entity_query(&q).unwrap()), ["a", "d"]);
    q.filters = vec![Condition::new("flag", FilterOp::NotEqualTo, json!(true))];
    assert_eq!(keys(&s.entity_query(&q).unwrap()), ["b", "e"]);
    q.filters = vec![Condition {
        attribute: "missing".into(),
        op: FilterOp::Exists,
        value: None,
    }];
    assert!(s.entity_query(&q).unwrap().items.is_empty());
    q.filters = vec![Condition {
        attribute: "missing".into(),
        op: FilterOp::NotExists,
        value: None,
    }];
    assert_eq!(s.entity_query(&q).unwrap().items.len(), 6);
    // Range and filter together, descending.
    q.range = Some(RangeCondition::LessThanEqualTo(json!(7)));
    q.filters = vec![Condition::equal("flag", json!(true))];
    q.order = SortOrder::Desc;
    assert_eq!(keys(&s.entity_query(&q).unwrap()), ["f", "a", "h"]);
    // A filter that keeps few of many rows still fills pages.
    for i in 0..300 {
        put(
            &*s,
            "item",
            &format!("bulk:{i:03}"),
            json!({"group": "bulk", "rank": i, "keep": i % 37 == 0}),
        );
    }
    let mut q = query("by-group-rank", vec![json!("bulk")], None);
    q.filters = vec![Condition::equal("keep", json!(true))];
    q.limit = 3;
    let want: Vec<String> = (0..300)
        .filter(|i| i % 37 == 0)
        .map(|i| format!("bulk:{i:03}"))
        .collect();
    assert_eq!(all_pages(&*s, &q), want);
    q.order = SortOrder::Desc;
    let mut rev = want.clone();
    rev.reverse();
    assert_eq!(all_pages(&*s, &q), rev);
    // No row matches: one empty page without a cursor.
    q.filters = vec![Condition::equal("keep", json!("never"))];
    let page = s.entity_query(&q).unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.next_cursor, None);
}

/// Pages across ties on the range value: ties are ordered by key, no item is
/// lost or repeated, in both orders and for every page size.
pub fn entity_query_cursor_pages_with_ties(make: MakeStorage<'_>) {
    let s = fresh(make);
    // 23 entities over 5 rank values, inserted out of order.
    let mut expected: Vec<(i64, String)> = Vec::new();
    for i in 0..23i64 {
        let key = format!("t{:02}", (i * 7) % 23);
        let rank = (i * 3) % 5;
        put(&*s, "item", &key, json!({"group": "t", "rank": rank}));
        expected.push((rank, key));
    }
    expected.sort();
    let asc: Vec<String> = expected.iter().map(|(_, k)| k.clone()).collect();
    let mut desc = asc.clone();
    desc.reverse();
    for limit in [0, 1, 2, 3, 4, 5, 7, 22, 23, 24, 100, 500] {
        let mut q = query("by-group-rank", vec![json!("t")], None);
        q.limit = limit;
        assert_eq!(all_pages(&*s, &q), asc, "asc pages of {limit}");
        q.order = SortOrder::Desc;
        assert_eq!(all_pages(&*s, &q), desc, "desc pages of {limit}");
    }
    // With a range condition as well.
    let mut q = query(
        "by-group-rank",
        vec![json!("t")],
        Some(RangeCondition::Between(json!(1), json!(3))),
    );
    q.limit = 2;
    let want: Vec<String> = expected
        .iter()
        .filter(|(r, _)| (1..=3).contains(r))
        .map(|(_, k)| k.clone())
        .collect();
    assert_eq!(all_pages(&*s, &q), want);
    // The cursor names a position, not an item: deleting the last item
    // returned does not disturb the next page.
    let mut q = query("by-group-rank", vec![json!("t")], None);
    q.limit = 4;
    let p1 = s.entity_query(&q).unwrap();
    assert_eq!(
        keys(&p1),
        asc[..4].iter().map(String::as_str).collect::<Vec<_>>()
    );
    s.entity_delete("item", &asc[3]).unwrap();
    q.cursor = p1.next_cursor.clone();
    let p2 = s.entity_query(&q).unwrap();
    assert_eq!(
        keys(&p2),
        asc[4..8].iter().map(String::as_str).collect::<Vec<_>>()
    );
    // The cursor is the shared format: the last item's range value and key.
    let last = &p1.items[3];
    let last_v: Value = serde_json::from_str(&last.1).unwrap();
    assert_eq!(
        p1.next_cursor.as_deref(),
        Some(limits::encode_cursor(&last_v["rank"], &last.0).as_str())
    );
}

/// Range values of different kinds order as `limits::compare_values` does:
/// null < booleans < numbers < strings; integers and floats compare numerically.
pub fn entity_query_kinds_order(make: MakeStorage<'_>) {
    let s = fresh(make);
    let rows = [
        ("s1", json!("10")),
        ("s2", json!("9")),
        ("n1", json!(10)),
        ("n2", json!(9.5)),
        ("n3", json!(-3)),
        ("n4", json!(9.5)),
        ("n5", json!(1e300)),
        ("b1", json!(true)),
        ("b2", json!(false)),
        ("z1", Value::Null),
    ];
    for (k, r) in &rows {
        put(&*s, "item", k, json!({"group": "k", "rank": r}));
    }
    let mut q = query("by-group-rank", vec![json!("k")], None);
    let asc = ["z1", "b2", "b1", "n3", "n2", "n4", "n1", "n5", "s1", "s2"];
    assert_eq!(keys(&s.entity_query(&q).unwrap()), asc);
    q.limit = 3;
    assert_eq!(all_pages(&*s, &q), asc);
    q.order = SortOrder::Desc;
    let mut rev = asc.to_vec();
    rev.reverse();
    assert_eq!(all_pages(&*s, &q), rev);
    let q = query(
        "by-group-rank",
        vec![json!("k")],
        Some(RangeCondition::GreaterThanEqualTo(json!(9.5))),
    );
    assert_eq!(
        keys(&s.entity_query(&q).unwrap()),
        ["n2", "n4", "n1", "n5", "s1", "s2"]
    );
    let q = query(
        "by-group-rank",
        vec![json!("k")],
        Some(RangeCondition::LessThan(json!(-3))),
    );
    assert_eq!(keys(&s.entity_query(&q).unwrap()), ["z1", "b2", "b1"]);
    let q = query(
        "by-group-rank",
        vec![json!("k")],
        Some(RangeCondition::EqualTo(json!(true))),
    );
    assert_eq!(keys(&s.entity_query(&q).unwrap()), ["b1"]);
    let q = query(
        "by-group-rank",
        vec![json!("k")],
        Some(RangeCondition::EqualTo(json!(1))),
    );
    assert!(s.entity_query(&q).unwrap().items.is_empty());
    let q = query(
        "by-group-rank",
        vec![json!("k")],
        Some(RangeCondition::EqualTo(Value::Null)),
    );
    assert_eq!(keys(&s.entity_query(&q).unwrap()), ["z1"]);
    let q = query(
        "by-group-rank",
        vec![json!("k")],
        Some(RangeCondition::Between(json!(false), json!(0))),
    );
    assert_eq!(keys(&s.entity_query(&q).unwrap()), ["b2", "b1", "n3"]);
    // A null partition value matches an explicit null, not a missing attribute.
    put(&*s, "item", "gnull", json!({"group": null, "rank": 1}));
    put(&*s, "item", "gnone", json!({"rank": 1}));
    let q = query("by-group-rank", vec![Value::Null], None);
    assert_eq!(keys(&s.entity_query(&q).unwrap()), ["gnull"]);
    // Integer and float partition values are told apart as JSON values are.
    put(&*s, "item", "gint", json!({"group": 1, "rank": 1}));
    let q = query("by-group-rank", vec![json!(1)], None);
    assert_eq!(keys(&s.entity_query(&q).unwrap()), ["gint"]);
}

/// Unknown entity, unknown index and foreign cursors.
pub fn entity_query_errors(make: MakeStorage<'_>) {
    let s = fresh(make);
    seed_items(&*s);
    let mut q = query("by-group-rank", vec![json!("g1")], None);
    q.entity = "nope".into();
    unknown(s.entity_query(&q), "query of unknown entity");
    let mut q = query("nope", vec![json!("g1")], None);
    unknown(s.entity_query(&q), "query of unknown index");
    q.entity = "other".into();
    q.index = "by-group-rank".into();
    unknown(s.entity_query(&q), "index of another entity");
    let mut q = query("by-group-rank", vec![json!("g1")], None);
    for bad in ["zz", "0", "7b7d", "", "5b315d"] {
        q.cursor = Some(bad.into());
        assert_eq!(
            s.entity_query(&q),
            Err(StorageError::InvalidCursor),
            "cursor {bad:?}"
        );
    }
    // Unknown entity is reported before a bad cursor.
    q.entity = "nope".into();
    unknown(s.entity_query(&q), "unknown entity with a bad cursor");
}

fn set_op(entity: Option<&str>, key: &str, value: Value, conditions: Vec<Condition>) -> TxnOp {
    TxnOp::Set {
        key: key.into(),
        entity: entity.map(str::to_owned),
        value: value.to_string(),
        conditions,
    }
}

fn delete_op(entity: Option<&str>, key: &str, conditions: Vec<Condition>) -> TxnOp {
    TxnOp::Delete {
        key: key.into(),
        entity: entity.map(str::to_owned),
        conditions,
    }
}

fn check_op(entity: Option<&str>, key: &str, conditions: Vec<Condition>) -> TxnOp {
    TxnOp::Check {
        key: key.into(),
        entity: entity.map(str::to_owned),
        conditions,
    }
}

fn not_exists(attribute: &str) -> Condition {
    Condition {
        attribute: attribute.into(),
        op: FilterOp::NotExists,
        value: None,
    }
}

type Items = Vec<(String, String)>;

/// Every KVS pair and every `item` with a name, to compare states.
fn snapshot(s: &dyn Storage) -> (Items, Items) {
    let kv = s.query_prefix("", None, 100).unwrap().items;
    let mut q = query("by-name", vec![], None);
    q.limit = 100;
    let items = s.entity_query(&q).unwrap().items;
    (kv, items)
}

/// All operations commit or none does; KVS and entity operations mix.
pub fn transactions_all_or_nothing(make: MakeStorage<'_>) {
    let s = fresh(make);
    s.set("kv:a", "1", plain()).unwrap();
    put(&*s, "item", "a", json!({"name": "a", "seq": 1}));
    put(&*s, "item", "gone", json!({"name": "gone"}));
    let ok = vec![
        set_op(None, "kv:b", json!(2), vec![]),
        delete_op(None, "kv:a", vec![]),
        set_op(Some("item"), "b", json!({"name": "b"}), vec![]),
        set_op(
            Some("item"),
            "a",
            json!({"name": "a", "seq": 2}),
            vec![Condition::equal("seq", json!(1))],
        ),
        delete_op(Some("item"), "gone", vec![]),
        delete_op(Some("item"), "never-there", vec![]),
        delete_op(None, "kv:never-there", vec![]),
    ];
    s.transact(&ok).unwrap();
    assert_eq!(s.get("kv:a").unwrap(), None);
    assert_eq!(s.get("kv:b").unwrap().as_deref(), Some("2"));
    assert_eq!(
        s.entity_get("item", "a").unwrap().as_deref(),
        Some(r#"{"name":"a","seq":2}"#)
    );
    assert!(s.entity_get("item", "b").unwrap().is_some());
    assert_eq!(s.entity_get("item", "gone").unwrap(), None);

    // One failing condition anywhere: nothing is written.
    let before = snapshot(&*s);
    for failing_at in 0..4 {
        let mut ops = vec![
            set_op(None, "kv:c", json!(3), vec![]),
            delete_op(None, "kv:b", vec![]),
            set_op(Some("item"), "c", json!({"name": "c"}), vec![]),
            delete_op(Some("item"), "b", vec![]),
        ];
        ops.insert(
            failing_at,
            set_op(
                Some("item"),
                "a",
                json!({"name": "a", "seq": 3}),
                vec![Condition::equal("seq", json!(1))],
            ),
        );
        assert_eq!(s.transact(&ops), Err(StorageError::ConditionFailed));
        assert_eq!(snapshot(&*s), before, "failed transaction wrote something");
    }
    // An invalid value anywhere: refused whole.
    let ops = vec![
        set_op(None, "kv:c", json!(3), vec![]),
        TxnOp::Set {
            key: "x".into(),
            entity: Some("item".into()),
            value: "[1]".into(),
            conditions: vec![],
        },
    ];
    invalid_value(s.transact(&ops), "entity set of a non-object");
    let ops = vec![
        set_op(None, "kv:c", json!(3), vec![]),
        TxnOp::Set {
            key: "kv:d".into(),
            entity: None,
            value: "nope".into(),
            conditions: vec![],
        },
    ];
    invalid_value(s.transact(&ops), "KVS set of non-JSON");
    // An unknown entity anywhere: refused whole.
    let ops = vec![
        set_op(None, "kv:c", json!(3), vec![]),
        set_op(Some("nope"), "x", json!({}), vec![]),
    ];
    unknown(s.transact(&ops), "set of unknown entity");
    let ops = vec![
        set_op(None, "kv:c", json!(3), vec![]),
        delete_op(Some("nope"), "x", vec![]),
    ];
    unknown(s.transact(&ops), "delete of unknown entity");
    let ops = vec![check_op(Some("nope"), "x", vec![])];
    unknown(s.transact(&ops), "check of unknown entity");
    // An invalid key anywhere: refused whole.
    let ops = vec![
        set_op(None, "kv:c", json!(3), vec![]),
        set_op(Some("item"), "bad/key", json!({}), vec![]),
    ];
    invalid_key(s.transact(&ops), "bad key in a transaction");
    assert_eq!(snapshot(&*s), before);
}

/// Conditions on set, delete and check; `not-exists` on absent entities.
pub fn transaction_conditions(make: MakeStorage<'_>) {
    let s = fresh(make);
    put(
        &*s,
        "item",
        "a",
        json!({"name": "a", "seq": 1, "group": "g"}),
    );
    let a = || s.entity_get("item", "a").unwrap();

    // Create-if-absent: not-exists on an absent entity holds.
    let create = |key: &str| {
        vec![set_op(
            Some("item"),
            key,
            json!({"name": key, "seq": 0}),
            vec![not_exists("seq")],
        )]
    };
    s.transact(&create("new")).unwrap();
    assert!(s.entity_get("item", "new").unwrap().is_some());
    // ... and fails once it exists.
    assert_eq!(
        s.transact(&create("new")),
        Err(StorageError::ConditionFailed)
    );
    // not-exists of another attribute still holds on a present entity.
    s.transact(&[set_op(
        Some("item"),
        "new",
        json!({"name": "new", "seq": 5}),
        vec![not_exists("flag")],
    )])
    .unwrap();

    // A condition other than not-exists fails on an absent entity.
    for cond in [
        Condition::equal("seq", json!(1)),
        Condition::new("seq", FilterOp::NotEqualTo, json!(1)),
        Condition::new("name", FilterOp::NotContains, json!("z")),
        Condition {
            attribute: "seq".into(),
            op: FilterOp::Exists,
            value: None,
        },
    ] {
        let ops = [set_op(
            Some("item"),
            "absent",
            json!({}),
            vec![cond.clone()],
        )];
        assert_eq!(
            s.transact(&ops),
            Err(StorageError::ConditionFailed),
            "{cond:?} on an absent entity"
        );
        let ops = [delete_op(Some("item"), "absent", vec![cond.clone()])];
        assert_eq!(s.transact(&ops), Err(StorageError::ConditionFailed));
    }
    assert_eq!(s.entity_get("item", "absent").unwrap(), None);

    // Check: the entity must exist and meet the conditions.
    assert_eq!(
        s.transact(&[check_op(Some("item"), "absent", vec![])]),
        Err(StorageError::ConditionFailed)
    );
    assert_eq!(
        s.transact(&[check_op(Some("item"), "absent", vec![not_exists("seq")])]),
        Err(StorageError::ConditionFailed),
        "check on a missing entity fails even with not-exists"
    );
    s.transact(&[check_op(Some("item"), "a", vec![])]).unwrap();
    s.transact(&[check_op(
        Some("item"),
        "a",
        vec![
            Condition::equal("group", json!("g")),
            Condition::new("seq", FilterOp::LessThan, json!(2)),
        ],
    )])
    .unwrap();
    assert_eq!(
        s.transact(&[check_op(
            Some("item"),
            "a",
            vec![Condition::equal("seq", json!("1"))]
        )]),
        Err(StorageError::ConditionFailed),
        "conditions compare JSON kinds"
    );
    // A failed check stops the other operations.
    assert_eq!(
        s.transact(&[
            set_op(Some("item"), "b", json!({"name": "b"}), vec![]),
            check_op(Some("item"), "a", vec![Condition::equal("seq", json!(2))]),
        ]),
        Err(StorageError::ConditionFailed)
    );
    assert_eq!(s.entity_get("item", "b").unwrap(), None);
    // A passing check lets them through, and the checked entity is unchanged.
    let before = a();
    s.transact(&[
        set_op(Some("item"), "b", json!({"name": "b"}), vec![]),
        check_op(Some("item"), "a", vec![Condition::equal("seq", json!(1))]),
    ])
    .unwrap();
    assert!(s.entity_get("item", "b").unwrap().is_some());
    assert_eq!(a(), before);

    // Conditional delete.
    assert_eq!(
        s.transact(&[delete_op(
            Some("item"),
            "b",
            vec![Condition::equal("name", json!("x"))]
        )]),
        Err(StorageError::ConditionFailed)
    );
    assert!(s.entity_get("item", "b").unwrap().is_some());
    s.transact(&[delete_op(
        Some("item"),
        "b",
        vec![Condition::equal("name", json!("b"))],
    )])
    .unwrap();
    assert_eq!(s.entity_get("item", "b").unwrap(), None);

    // Compare-and-set on a sequence number.
    for seq in 1..5 {
        let next = vec![set_op(
            Some("item"),
            "a",
            json!({"name": "a", "seq": seq + 1, "group": "g"}),
            vec![Condition::equal("seq", json!(seq))],
        )];
        s.transact(&next).unwrap();
        assert_eq!(s.transact(&next), Err(StorageError::ConditionFailed));
    }
    let v: Value = serde_json::from_str(&a().unwrap()).unwrap();
    assert_eq!(v["seq"], json!(5));

    // Conditions see the stored state, not the transaction's own writes.
    assert_eq!(
        s.transact(&[
            set_op(Some("item"), "c", json!({"name": "c", "seq": 1}), vec![]),
            check_op(Some("item"), "a", vec![Condition::equal("seq", json!(6))]),
        ]),
        Err(StorageError::ConditionFailed)
    );
    assert_eq!(s.entity_get("item", "c").unwrap(), None);
}

/// 1..=25 operations, each (entity, key) once, conditions and checks on entities only.
pub fn transaction_shape(make: MakeStorage<'_>) {
    let s = fresh(make);
    invalid_txn(s.transact(&[]), "empty transaction");
    let ops: Vec<TxnOp> = (0..MAX_TXN_OPS)
        .map(|i| set_op(Some("item"), &format!("k{i}"), json!({"i": i}), vec![]))
        .collect();
    s.transact(&ops).unwrap();
    assert_eq!(
        s.entity_get("item", "k24").unwrap().as_deref(),
        Some(r#"{"i":24}"#)
    );
    let ops: Vec<TxnOp> = (0..=MAX_TXN_OPS)
        .map(|i| set_op(None, &format!("t{i}"), json!(i), vec![]))
        .collect();
    invalid_txn(s.transact(&ops), "26 operations");
    assert_eq!(s.get("t0").unwrap(), None);
    // The same (entity, key) twice, in any operations.
    invalid_txn(
        s.transact(&[
            set_op(Some("item"), "d", json!({}), vec![]),
            delete_op(Some("item"), "d", vec![]),
        ]),
        "same entity key twice",
    );
    invalid_txn(
        s.transact(&[
            set_op(None, "d", json!(1), vec![]),
            set_op(None, "d", json!(2), vec![]),
        ]),
        "same KVS key twice",
    );
    invalid_txn(
        s.transact(&[
            check_op(Some("item"), "k1", vec![]),
            set_op(Some("item"), "k1", json!({}), vec![]),
        ]),
        "check and set of one entity",
    );
    assert_eq!(s.get("d").unwrap(), None);
    assert_eq!(s.entity_get("item", "d").unwrap(), None);
    // One key in the KVS and as an entity, or in two entities: distinct.
    s.transact(&[
        set_op(None, "d", json!(1), vec![]),
        set_op(Some("item"), "d", json!({"x": 1}), vec![]),
        set_op(Some("other"), "d", json!({"x": 2}), vec![]),
    ])
    .unwrap();
    assert_eq!(s.get("d").unwrap().as_deref(), Some("1"));
    assert_eq!(
        s.entity_get("other", "d").unwrap().as_deref(),
        Some(r#"{"x":2}"#)
    );
    // Conditions and checks apply to entities only.
    invalid_txn(
        s.transact(&[set_op(None, "d", json!(2), vec![not_exists("x")])]),
        "condition on a KVS set",
    );
    invalid_txn(
        s.transact(&[delete_op(None, "d", vec![not_exists("x")])]),
        "condition on a KVS delete",
    );
    invalid_txn(s.transact(&[check_op(None, "d", vec![])]), "KVS check");
    assert_eq!(s.get("d").unwrap().as_deref(), Some("1"));
    // Shape is checked before any condition.
    invalid_txn(
        s.transact(&[
            check_op(Some("item"), "absent", vec![]),
            set_op(None, "e", json!(1), vec![not_exists("x")]),
        ]),
        "shape before conditions",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryStorage;

    #[test]
    fn memory_storage_passes_the_suite() {
        storage_suite(&|schemas| Box::new(MemoryStorage::new(schemas)));
    }
}
