//! Transactions: all or nothing, conditions, shape.

use super::*;

pub(super) fn set_op(
    entity: Option<&str>,
    key: &str,
    value: Value,
    conditions: Vec<Condition>,
) -> TxnOp {
    TxnOp::Set {
        key: key.into(),
        entity: entity.map(str::to_owned),
        value: value.to_string(),
        conditions,
    }
}

pub(super) fn delete_op(entity: Option<&str>, key: &str, conditions: Vec<Condition>) -> TxnOp {
    TxnOp::Delete {
        key: key.into(),
        entity: entity.map(str::to_owned),
        conditions,
    }
}

pub(super) fn check_op(entity: Option<&str>, key: &str, conditions: Vec<Condition>) -> TxnOp {
    TxnOp::Check {
        key: key.into(),
        entity: entity.map(str::to_owned),
        conditions,
    }
}

pub(super) fn not_exists(attribute: &str) -> Condition {
    Condition {
        attribute: attribute.into(),
        op: FilterOp::NotExists,
        value: None,
    }
}

type Items = Vec<(String, String)>;

/// Every KVS pair and every `item` with a name, to compare states.
pub(super) fn snapshot(s: &dyn Storage) -> (Items, Items) {
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
