//! In-memory backends for fast native tests. They apply [`crate::limits`]
//! exactly as the SQLite host does.

use crate::limits::{self, conditions_hold, validate_entity_value, validate_key, validate_value};
use crate::*;
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

type EntityKey = (String, String);

/// Key-value and custom-entity storage in memory.
#[derive(Default)]
pub struct MemoryStorage {
    kv: RefCell<BTreeMap<String, String>>,
    entities: RefCell<BTreeMap<EntityKey, String>>,
    schemas: Vec<EntitySchema>,
    /// Storage calls made so far (every trait method counts one).
    pub calls: Cell<u64>,
}

impl MemoryStorage {
    pub fn new(schemas: Vec<EntitySchema>) -> Self {
        MemoryStorage {
            schemas,
            ..Default::default()
        }
    }

    fn schema(&self, entity: &str) -> Result<&EntitySchema, StorageError> {
        self.schemas
            .iter()
            .find(|s| s.name == entity)
            .ok_or_else(|| StorageError::UnknownEntity(entity.to_owned()))
    }

    fn tick(&self) {
        self.calls.set(self.calls.get() + 1);
    }

    /// Every stored entity of one kind, for tests that inspect state.
    pub fn entities_of(&self, entity: &str) -> Vec<(String, String)> {
        self.entities
            .borrow()
            .iter()
            .filter(|((e, _), _)| e == entity)
            .map(|((_, k), v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Overwrites an entity without any check: lets tests tamper with state.
    pub fn raw_entity_set(&self, entity: &str, key: &str, value: &str) {
        self.entities
            .borrow_mut()
            .insert((entity.to_owned(), key.to_owned()), value.to_owned());
    }

    /// Removes an entity without any check: lets tests tamper with state.
    pub fn raw_entity_delete(&self, entity: &str, key: &str) {
        self.entities
            .borrow_mut()
            .remove(&(entity.to_owned(), key.to_owned()));
    }
}

impl Storage for MemoryStorage {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.tick();
        validate_key(key)?;
        Ok(self.kv.borrow().get(key).cloned())
    }

    fn set(&self, key: &str, value: &str, options: SetOptions) -> Result<(), StorageError> {
        self.tick();
        validate_key(key)?;
        validate_value(value)?;
        let mut kv = self.kv.borrow_mut();
        if options.fail_if_exists && kv.contains_key(key) {
            return Err(StorageError::KeyExists);
        }
        kv.insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.tick();
        validate_key(key)?;
        self.kv.borrow_mut().remove(key);
        Ok(())
    }

    fn query_prefix(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<QueryPage, StorageError> {
        self.tick();
        let after = cursor.map(limits::decode_cursor).transpose()?;
        let limit = limits::page_limit(limit);
        let kv = self.kv.borrow();
        let mut items: Vec<(String, String)> = kv
            .range(prefix.to_owned()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .filter(|(k, _)| {
                after
                    .as_ref()
                    .is_none_or(|(_, last)| k.as_str() > last.as_str())
            })
            .take(limit + 1)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let next_cursor = page_cursor(&mut items, limit, |(k, _)| (Value::Null, k.clone()));
        Ok(QueryPage { items, next_cursor })
    }

    fn entity_get(&self, entity: &str, key: &str) -> Result<Option<String>, StorageError> {
        self.tick();
        self.schema(entity)?;
        validate_key(key)?;
        Ok(self
            .entities
            .borrow()
            .get(&(entity.to_owned(), key.to_owned()))
            .cloned())
    }

    fn entity_set(&self, entity: &str, key: &str, value: &str) -> Result<(), StorageError> {
        self.tick();
        self.schema(entity)?;
        validate_key(key)?;
        validate_entity_value(value)?;
        self.raw_entity_set(entity, key, value);
        Ok(())
    }

    fn entity_delete(&self, entity: &str, key: &str) -> Result<(), StorageError> {
        self.tick();
        self.schema(entity)?;
        validate_key(key)?;
        self.raw_entity_delete(entity, key);
        Ok(())
    }

    fn entity_query(&self, query: &EntityQuery) -> Result<QueryPage, StorageError> {
        self.tick();
        let schema = self.schema(&query.entity)?;
        let index = schema.index(&query.index).ok_or_else(|| {
            StorageError::UnknownEntity(format!("{}.{}", query.entity, query.index))
        })?;
        let range_attr = index.range.first().cloned().unwrap_or_default();
        let after = query
            .cursor
            .as_deref()
            .map(limits::decode_cursor)
            .transpose()?;
        let entities = self.entities.borrow();
        let mut rows: Vec<(Value, String, String)> = entities
            .iter()
            .filter(|((e, _), _)| *e == query.entity)
            .filter_map(|((_, k), raw)| {
                let v: Value = serde_json::from_str(raw).ok()?;
                let rv = v.get(&range_attr)?.clone();
                let keep = limits::in_partition(&v, &index.partition, query)
                    && query
                        .range
                        .as_ref()
                        .is_none_or(|r| limits::range_holds(&rv, r))
                    && conditions_hold(Some(&v), &query.filters)
                    && after
                        .as_ref()
                        .is_none_or(|c| limits::after_cursor(&rv, k, c, query.order));
                keep.then(|| (rv, k.clone(), raw.clone()))
            })
            .collect();
        rows.sort_by(|a, b| limits::compare_values(&a.0, &b.0).then_with(|| a.1.cmp(&b.1)));
        if query.order == SortOrder::Desc {
            rows.reverse();
        }
        let limit = limits::page_limit(query.limit);
        rows.truncate(limit + 1);
        let next_cursor = page_cursor(&mut rows, limit, |(rv, k, _)| (rv.clone(), k.clone()));
        Ok(QueryPage {
            items: rows.into_iter().map(|(_, k, v)| (k, v)).collect(),
            next_cursor,
        })
    }

    fn transact(&self, ops: &[TxnOp]) -> Result<(), StorageError> {
        self.tick();
        limits::validate_transaction(ops)?;
        // Check every condition first: nothing is written unless all hold.
        for op in ops {
            let (entity, key) = op.target();
            let Some(entity) = entity else { continue };
            self.schema(entity)?;
            let stored = self
                .entities
                .borrow()
                .get(&(entity.to_owned(), key.to_owned()))
                .and_then(|raw| serde_json::from_str::<Value>(raw).ok());
            let must_exist = matches!(op, TxnOp::Check { .. });
            if (must_exist && stored.is_none())
                || !conditions_hold(stored.as_ref(), op.conditions())
            {
                return Err(StorageError::ConditionFailed);
            }
        }
        for op in ops {
            match op {
                TxnOp::Set {
                    key,
                    entity: Some(e),
                    value,
                    ..
                } => self.raw_entity_set(e, key, value),
                TxnOp::Set {
                    key,
                    entity: None,
                    value,
                    ..
                } => {
                    self.kv.borrow_mut().insert(key.clone(), value.clone());
                }
                TxnOp::Delete {
                    key,
                    entity: Some(e),
                    ..
                } => self.raw_entity_delete(e, key),
                TxnOp::Delete {
                    key, entity: None, ..
                } => {
                    self.kv.borrow_mut().remove(key);
                }
                TxnOp::Check { .. } => {}
            }
        }
        Ok(())
    }
}

/// Trims a page fetched with one extra row and returns the cursor for the
/// next page when the extra row proved there is one.
fn page_cursor<T>(
    rows: &mut Vec<T>,
    limit: usize,
    pos: impl Fn(&T) -> (Value, String),
) -> Option<String> {
    if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|r| {
            let (rv, k) = pos(r);
            limits::encode_cursor(&rv, &k)
        })
    } else {
        None
    }
}

/// Secret storage in memory.
#[derive(Default)]
pub struct MemorySecrets {
    values: RefCell<BTreeMap<String, String>>,
}

impl Secrets for MemorySecrets {
    fn get_secret(&self, key: &str) -> Result<Option<String>, SecretError> {
        validate_key(key).map_err(|e| SecretError::InvalidKey(e.to_string()))?;
        Ok(self.values.borrow().get(key).cloned())
    }
    fn set_secret(&self, key: &str, value: &str) -> Result<(), SecretError> {
        validate_key(key).map_err(|e| SecretError::InvalidKey(e.to_string()))?;
        self.values
            .borrow_mut()
            .insert(key.to_owned(), value.to_owned());
        Ok(())
    }
    fn delete_secret(&self, key: &str) -> Result<(), SecretError> {
        self.values.borrow_mut().remove(key);
        Ok(())
    }
}

/// A queue that records what was pushed.
#[derive(Default)]
pub struct RecordingQueue {
    pub pushed: RefCell<Vec<(String, String, u32)>>,
}

impl Queue for RecordingQueue {
    fn push(
        &self,
        queue_key: &str,
        events: &[String],
        delay_seconds: u32,
    ) -> Result<String, QueueError> {
        if events.is_empty() || events.len() > 50 {
            return Err(QueueError::InvalidPush("push 1 to 50 events".into()));
        }
        if delay_seconds > 900 {
            return Err(QueueError::InvalidPush(
                "delayInSeconds is at most 900".into(),
            ));
        }
        let mut pushed = self.pushed.borrow_mut();
        for e in events {
            pushed.push((queue_key.to_owned(), e.clone(), delay_seconds));
        }
        Ok(format!("job-{}", pushed.len()))
    }
}

/// Egress that refuses every host: for tests that must not reach out.
#[derive(Default)]
pub struct NoEgress;

impl Egress for NoEgress {
    fn fetch(&self, request: &FetchRequest) -> Result<HttpResponse, FetchError> {
        Err(FetchError::HostNotAllowed(request.url.clone()))
    }
}

/// A settable clock with a fixed remaining time; logs are kept for inspection.
pub struct ManualRuntime {
    pub now: Cell<i64>,
    pub remaining: Cell<u64>,
    pub logs: RefCell<Vec<(LogLevel, String)>>,
}

impl ManualRuntime {
    pub fn at(now_millis: i64) -> Self {
        ManualRuntime {
            now: Cell::new(now_millis),
            remaining: Cell::new(25_000),
            logs: RefCell::default(),
        }
    }
}

impl Runtime for ManualRuntime {
    fn now_millis(&self) -> i64 {
        self.now.get()
    }
    fn log(&self, level: LogLevel, message: &str) {
        self.logs.borrow_mut().push((level, message.to_owned()));
    }
    fn remaining_millis(&self) -> u64 {
        self.remaining.get()
    }
}

/// Deterministic pseudo-random bytes (xorshift) from a seed.
pub struct SeededRandom(pub Cell<u64>);

impl SeededRandom {
    pub fn new(seed: u64) -> Self {
        SeededRandom(Cell::new(seed.max(1)))
    }
}

impl Random for SeededRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), String> {
        let mut x = self.0.get();
        for b in buf.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = (x >> 24) as u8;
        }
        self.0.set(x);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Vec<EntitySchema> {
        serde_json::from_value(json!([{
            "name": "grant",
            "attributes": {"status": {"type": "string"}, "due": {"type": "integer"}},
            "indexes": [{"name": "by-status-due", "range": ["due"], "partition": ["status"]}]
        }]))
        .unwrap()
    }

    #[test]
    fn fail_if_exists_refuses_second_set() {
        let s = MemoryStorage::default();
        let once = SetOptions {
            fail_if_exists: true,
        };
        s.set("k", "1", once).unwrap();
        assert_eq!(s.set("k", "2", once), Err(StorageError::KeyExists));
        assert_eq!(s.get("k").unwrap().as_deref(), Some("1"));
    }

    #[test]
    fn prefix_query_pages_with_cursor() {
        let s = MemoryStorage::default();
        for i in 0..7 {
            s.set(&format!("p:{i}"), "0", SetOptions::default())
                .unwrap();
        }
        s.set("q:0", "0", SetOptions::default()).unwrap();
        let p1 = s.query_prefix("p:", None, 3).unwrap();
        assert_eq!(p1.items.len(), 3);
        let p2 = s.query_prefix("p:", p1.next_cursor.as_deref(), 3).unwrap();
        let p3 = s.query_prefix("p:", p2.next_cursor.as_deref(), 3).unwrap();
        assert_eq!(p3.items.len(), 1);
        assert!(p3.next_cursor.is_none());
        assert_eq!(p3.items[0].0, "p:6");
    }

    #[test]
    fn entity_index_query_partitions_ranges_and_pages() {
        let s = MemoryStorage::new(schema());
        for (k, st, due) in [
            ("a", "active", 5),
            ("b", "active", 1),
            ("c", "expired", 2),
            ("d", "active", 9),
        ] {
            s.entity_set("grant", k, &json!({"status": st, "due": due}).to_string())
                .unwrap();
        }
        let mut q = EntityQuery {
            entity: "grant".into(),
            index: "by-status-due".into(),
            partition: vec![json!("active")],
            range: Some(RangeCondition::LessThanEqualTo(json!(5))),
            limit: 1,
            ..Default::default()
        };
        let p1 = s.entity_query(&q).unwrap();
        assert_eq!(p1.items[0].0, "b");
        q.cursor = p1.next_cursor;
        let p2 = s.entity_query(&q).unwrap();
        assert_eq!(p2.items[0].0, "a");
        assert!(p2.next_cursor.is_none());
        q.index = "nope".into();
        assert!(matches!(
            s.entity_query(&q),
            Err(StorageError::UnknownEntity(_))
        ));
    }

    #[test]
    fn transaction_is_all_or_nothing() {
        let s = MemoryStorage::new(schema());
        s.entity_set(
            "grant",
            "a",
            &json!({"status": "active", "due": 1}).to_string(),
        )
        .unwrap();
        let ops = vec![
            TxnOp::put(
                "grant",
                "b",
                json!({"status": "active", "due": 2}).to_string(),
            ),
            TxnOp::Set {
                key: "a".into(),
                entity: Some("grant".into()),
                value: json!({"status": "expired", "due": 1}).to_string(),
                conditions: vec![Condition::equal("status", json!("revoked"))],
            },
        ];
        assert_eq!(s.transact(&ops), Err(StorageError::ConditionFailed));
        assert!(s.entity_get("grant", "b").unwrap().is_none());
        let ok = vec![TxnOp::Check {
            key: "a".into(),
            entity: Some("grant".into()),
            conditions: vec![Condition::equal("status", json!("active"))],
        }];
        assert!(s.transact(&ok).is_ok());
        let missing = vec![TxnOp::Check {
            key: "zz".into(),
            entity: Some("grant".into()),
            conditions: vec![],
        }];
        assert_eq!(s.transact(&missing), Err(StorageError::ConditionFailed));
    }
}
