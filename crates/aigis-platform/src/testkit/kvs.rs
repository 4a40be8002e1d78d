//! KVS: plain keys and values, limits, fail-if-exists, prefix pages.

use super::*;

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
