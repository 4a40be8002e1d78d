//! Secret storage: kept apart from ordinary storage.

use aigis_platform::{EntityQuery, SecretError, Secrets, Storage};
use aigis_store::Store;

#[test]
fn secrets_round_trip_and_stay_out_of_queries() {
    let s = Store::in_memory(aigis_platform::testkit::suite_schemas()).unwrap();
    assert_eq!(s.get_secret("okta:token").unwrap(), None);
    s.set_secret("okta:token", "not-json at all").unwrap();
    assert_eq!(
        s.get_secret("okta:token").unwrap().as_deref(),
        Some("not-json at all")
    );
    s.set_secret("okta:token", "rotated").unwrap();
    assert_eq!(
        s.get_secret("okta:token").unwrap().as_deref(),
        Some("rotated")
    );
    // Not visible through the KVS or entities.
    assert_eq!(s.get("okta:token").unwrap(), None);
    assert!(s.query_prefix("", None, 100).unwrap().items.is_empty());
    assert!(s.entity_get("item", "okta:token").unwrap().is_none());
    let q = EntityQuery {
        entity: "item".into(),
        index: "by-name".into(),
        limit: 100,
        ..Default::default()
    };
    assert!(s.entity_query(&q).unwrap().items.is_empty());
    assert!(s.entities_of("item").unwrap().is_empty());
    // And KVS writes do not touch secrets.
    s.set("okta:token", "1", Default::default()).unwrap();
    s.delete("okta:token").unwrap();
    assert_eq!(
        s.get_secret("okta:token").unwrap().as_deref(),
        Some("rotated")
    );
    s.delete_secret("okta:token").unwrap();
    assert_eq!(s.get_secret("okta:token").unwrap(), None);
    s.delete_secret("okta:token").unwrap();
}

#[test]
fn secret_keys_follow_the_key_rules_and_errors_hide_values() {
    let s = Store::in_memory(vec![]).unwrap();
    for bad in ["", "a/b", &"k".repeat(501)] {
        assert!(matches!(s.get_secret(bad), Err(SecretError::InvalidKey(_))));
        let err = s.set_secret(bad, "hunter2").unwrap_err();
        assert!(matches!(err, SecretError::InvalidKey(_)));
        assert!(!err.to_string().contains("hunter2"));
    }
}
