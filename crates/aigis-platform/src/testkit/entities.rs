//! Custom entities: reads, index queries (partition, order, ranges, filters, cursors, kinds), errors.

use super::*;

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

pub(super) fn seed_items(s: &dyn Storage) {
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
