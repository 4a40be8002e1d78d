//! Entity queries over 100,000 entities use the declared index.

use aigis_platform::{EntityQuery, EntitySchema, RangeCondition, SortOrder, Storage, TxnOp};
use aigis_store::Store;
use serde_json::json;

fn schemas() -> Vec<EntitySchema> {
    serde_json::from_value(json!([{
        "name": "request",
        "attributes": {
            "decision": {"type": "string"},
            "createdAt": {"type": "integer"},
            "requester": {"type": "string"}
        },
        "indexes": [
            {"name": "by-decision", "range": ["createdAt"], "partition": ["decision"]},
            {"name": "by-requester", "range": ["createdAt"], "partition": ["requester"]}
        ]
    }]))
    .unwrap()
}

const TOTAL: i64 = 100_000;

/// 100,000 requests; exactly 100 are pending with createdAt in
/// 50_000..=50_999 (in pairs that tie on createdAt). 33,000 more are pending
/// outside that range and 66,000 are approved inside it.
fn seed(s: &Store) -> Vec<String> {
    let mut expected = Vec::new();
    let mut ops = Vec::new();
    for i in 0..TOTAL {
        let key = format!("req-{i:06}");
        let (decision, created) = if (7_000..7_100).contains(&i) {
            let created = 50_000 + (i - 7_000) / 2;
            expected.push((created, key.clone()));
            ("pending", created)
        } else if i % 3 == 0 {
            ("pending", if i % 2 == 0 { i % 40_000 } else { 60_000 + i })
        } else {
            ("approved", 50_000 + i % 1_000)
        };
        let value = json!({
            "decision": decision,
            "createdAt": created,
            "requester": format!("u{}", i % 50),
        });
        ops.push(TxnOp::put("request", &key, value.to_string()));
        if ops.len() == 25 {
            s.transact(&ops).unwrap();
            ops.clear();
        }
    }
    expected.sort();
    expected.into_iter().map(|(_, k)| k).collect()
}

/// Every statement of the query seeks the declared index on entity and
/// partition (and more), and none scans or sorts.
fn assert_plan_seeks(s: &Store, q: &EntityQuery, index: &str) -> String {
    let plan = s.query_plan(q).unwrap();
    let text = plan.join("\n");
    assert!(!plan.is_empty());
    for line in &plan {
        assert!(
            line.starts_with(&format!(
                "SEARCH entities USING INDEX {index} (entity=? AND <expr>=? AND <expr>=?"
            )),
            "not an index seek on entity, partition and rank:\n{text}"
        );
    }
    assert!(!text.contains("SCAN"), "plan scans:\n{text}");
    assert!(!text.contains("TEMP B-TREE"), "plan sorts:\n{text}");
    text
}

#[test]
fn query_over_100k_entities_pages_through_the_index() {
    let s = Store::in_memory(schemas()).unwrap();
    let expected = seed(&s);
    assert_eq!(expected.len(), 100);
    assert_eq!(s.entities_of("request").unwrap().len(), TOTAL as usize);

    let mut q = EntityQuery {
        entity: "request".into(),
        index: "by-decision".into(),
        partition: vec![json!("pending")],
        range: Some(RangeCondition::Between(json!(50_000), json!(50_999))),
        limit: 30,
        ..Default::default()
    };
    for order in [SortOrder::Asc, SortOrder::Desc] {
        q.order = order;
        q.cursor = None;
        let mut got = Vec::new();
        let mut pages = 0;
        loop {
            let page = s.entity_query(&q).unwrap();
            pages += 1;
            got.extend(page.items.into_iter().map(|(k, _)| k));
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        let mut want = expected.clone();
        if order == SortOrder::Desc {
            want.reverse();
        }
        assert_eq!(got, want, "{order:?}");
        assert_eq!(pages, 4);
    }

    // The plan seeks the declared index on entity, partition, rank and
    // range, and on the cursor position for later pages; it never scans the
    // table or sorts in a temporary B-tree. Both orders, with and without a
    // cursor, with and without a range condition.
    for order in [SortOrder::Asc, SortOrder::Desc] {
        q.order = order;
        q.cursor = None;
        let first = s.entity_query(&q).unwrap();
        let text = assert_plan_seeks(&s, &q, "idx_request_by-decision");
        assert!(
            text.contains("<expr>>? AND <expr><?"),
            "no range seek:\n{text}"
        );
        q.cursor = first.next_cursor.clone();
        let text = assert_plan_seeks(&s, &q, "idx_request_by-decision");
        assert!(text.contains("key>?") || text.contains("key<?"), "{text}");
    }
    q.range = None;
    q.cursor = None;
    assert_plan_seeks(&s, &q, "idx_request_by-decision");
    // Another index of the same entity.
    q.index = "by-requester".into();
    q.partition = vec![json!("u7")];
    q.order = SortOrder::Asc;
    assert_plan_seeks(&s, &q, "idx_request_by-requester");
    let page = s.entity_query(&q).unwrap();
    assert_eq!(page.items.len(), 30);
    q.cursor = page.next_cursor;
    assert_plan_seeks(&s, &q, "idx_request_by-requester");
    let next = s.entity_query(&q).unwrap();
    assert_eq!(next.items.len(), 30);
    let created = |raw: &str| {
        serde_json::from_str::<serde_json::Value>(raw).unwrap()["createdAt"]
            .as_i64()
            .unwrap()
    };
    let all: Vec<(i64, &str)> = page
        .items
        .iter()
        .chain(&next.items)
        .map(|(k, v)| (created(v), k.as_str()))
        .collect();
    assert!(all.windows(2).all(|w| w[0] < w[1]), "pages out of order");
    println!("{}", assert_plan_seeks(&s, &q, "idx_request_by-requester"));
}
