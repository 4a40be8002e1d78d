//! SQLite storage and secrets backend for the local host, enforcing Forge limits.
//!
//! [`Store`] implements [`Storage`] and [`Secrets`] over one SQLite database and
//! behaves exactly as [`aigis_platform::memory::MemoryStorage`]: every key,
//! value and transaction goes through [`aigis_platform::limits`], results come
//! in the same order and cursors have the same format.
//!
//! Tables:
//! - `kv(key, value)`: the Key-Value Store;
//! - `entities(entity, key, value)`: custom entities, `value` is JSON text;
//! - `secrets(key, value)`: secret storage, read only by [`Secrets`].
//!
//! Entity queries never load a whole entity kind. Each declared index becomes
//! an SQLite expression index over
//! `(entity, <partition attributes>..., <kind rank of range>, <range>, key)`,
//! where the kind rank (null 0, boolean 1, number 2, string 3, array 4,
//! object 5) makes SQLite order range values of mixed kinds as
//! [`limits::compare_values`] does. A query seeks that index with the
//! partition, the range condition and the cursor (one statement per kind
//! rank the range spans, so each is a plain index seek without sorting),
//! walks it in the requested order and stops once the page is full. SQL only
//! narrows: every row read is checked again in Rust with the `limits`
//! functions (partition, range, filters, cursor), so the results are those of
//! the in-memory backend.
//!
//! Known limit: range values that are JSON arrays or objects are ordered by
//! SQLite's JSON text, which may differ from serde's spelling (key order,
//! escapes); the in-memory backend orders them by serde's text.

use aigis_platform::limits::{self, conditions_hold, validate_entity_value, validate_key};
use aigis_platform::{
    EntityQuery, EntitySchema, QueryPage, RangeCondition, SecretError, Secrets, SetOptions,
    SortOrder, Storage, StorageError, TxnOp,
};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use thiserror::Error;

/// How long a writer waits for another connection (or process) to release
/// the database before giving up.
mod plan;
mod secrets;

use plan::*;

pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(String),
    /// An entity declaration the store cannot index (a name it cannot quote safely).
    #[error("entity schema: {0}")]
    Schema(String),
    /// A storage rule refused the call (unknown entity or index, bad cursor).
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e.to_string())
    }
}

fn backend(e: rusqlite::Error) -> StorageError {
    StorageError::Backend(e.to_string())
}

fn secret_backend(e: rusqlite::Error) -> SecretError {
    // rusqlite's messages name the statement's failure, never bound values,
    // so a secret value cannot leak through here.
    SecretError::Backend(e.to_string())
}

/// SQLite storage and secrets. `Send + Sync`: one connection behind a mutex;
/// several `Store`s (or processes) may open the same file.
pub struct Store {
    conn: Mutex<Connection>,
    schemas: Vec<EntitySchema>,
    indexes: BTreeMap<(String, String), IndexPlan>,
}

impl Store {
    /// File-backed store: WAL journal, a [`BUSY_TIMEOUT`] so another process
    /// (the CLI) can use the file while a server runs; creates missing tables
    /// and indexes.
    pub fn open(path: &Path, schemas: Vec<EntitySchema>) -> Result<Store, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Sqlite(format!(
                "could not switch to WAL journal mode (got {mode})"
            )));
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Store::init(conn, schemas)
    }

    /// A private in-memory database, for tests.
    pub fn in_memory(schemas: Vec<EntitySchema>) -> Result<Store, StoreError> {
        Store::init(Connection::open_in_memory()?, schemas)
    }

    fn init(mut conn: Connection, schemas: Vec<EntitySchema>) -> Result<Store, StoreError> {
        let mut indexes = BTreeMap::new();
        for schema in &schemas {
            check_name(&schema.name, "entity")?;
            for index in &schema.indexes {
                check_name(&index.name, "index")?;
                let plan = IndexPlan::new(schema, index)?;
                indexes.insert((schema.name.clone(), index.name.clone()), plan);
            }
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS kv (
                 key TEXT PRIMARY KEY NOT NULL,
                 value TEXT NOT NULL
             );
             CREATE TABLE IF NOT EXISTS entities (
                 entity TEXT NOT NULL,
                 key TEXT NOT NULL,
                 value TEXT NOT NULL,
                 PRIMARY KEY (entity, key)
             );
             CREATE TABLE IF NOT EXISTS secrets (
                 key TEXT PRIMARY KEY NOT NULL,
                 value TEXT NOT NULL
             );",
        )?;
        for plan in indexes.values() {
            let name = plan.sql_name.trim_matches('"');
            let existing: Option<Option<String>> = tx
                .query_row(
                    "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1",
                    [name],
                    |r| r.get(0),
                )
                .optional()?;
            match existing {
                Some(Some(sql)) if sql == plan.create_sql => {}
                Some(_) => {
                    // Declared differently before (the manifest changed): rebuild.
                    tx.execute_batch(&format!("DROP INDEX {}", plan.sql_name))?;
                    tx.execute_batch(&plan.create_sql)?;
                }
                None => tx.execute_batch(&plan.create_sql)?,
            }
        }
        tx.commit()?;
        Ok(Store {
            conn: Mutex::new(conn),
            schemas,
            indexes,
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-applied write:
        // every write is one SQLite statement or transaction, rolled back on
        // unwind. So a poisoned lock is safe to take over.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn schema(&self, entity: &str) -> Result<&EntitySchema, StorageError> {
        self.schemas
            .iter()
            .find(|s| s.name == entity)
            .ok_or_else(|| StorageError::UnknownEntity(entity.to_owned()))
    }

    /// Overwrites an entity bypassing every check: lets tests tamper with state.
    pub fn raw_entity_set(&self, entity: &str, key: &str, value: &str) -> Result<(), StoreError> {
        put_entity(&self.conn(), entity, key, value)?;
        Ok(())
    }

    /// Removes an entity bypassing every check: lets tests tamper with state.
    pub fn raw_entity_delete(&self, entity: &str, key: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "DELETE FROM entities WHERE entity = ?1 AND key = ?2",
            params![entity, key],
        )?;
        Ok(())
    }

    /// Every stored entity of one kind, by key, for tests that inspect state.
    pub fn entities_of(&self, entity: &str) -> Result<Vec<(String, String)>, StoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT key, value FROM entities WHERE entity = ?1 ORDER BY key")?;
        let rows = stmt.query_map([entity], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// SQLite's `EXPLAIN QUERY PLAN` for the statement an entity query runs
    /// (its detail lines), to show which index serves it.
    pub fn query_plan(&self, query: &EntityQuery) -> Result<Vec<String>, StoreError> {
        let plan = self.index_plan(query)?;
        let cursor = query
            .cursor
            .as_deref()
            .map(limits::decode_cursor)
            .transpose()?;
        let conn = self.conn();
        let mut out = Vec::new();
        for (sql, args) in plan.segments(query, cursor.as_ref()) {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
            let rows =
                stmt.query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))?;
            for row in rows {
                out.push(row?);
            }
        }
        Ok(out)
    }

    fn index_plan(&self, query: &EntityQuery) -> Result<&IndexPlan, StorageError> {
        self.schema(&query.entity)?;
        self.indexes
            .get(&(query.entity.clone(), query.index.clone()))
            .ok_or_else(|| StorageError::UnknownEntity(format!("{}.{}", query.entity, query.index)))
    }
}

fn put_entity(
    conn: &Connection,
    entity: &str,
    key: &str,
    value: &str,
) -> Result<(), rusqlite::Error> {
    conn.prepare_cached(
        "INSERT INTO entities (entity, key, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (entity, key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![entity, key, value])?;
    Ok(())
}

fn put_kv(conn: &Connection, key: &str, value: &str) -> Result<(), rusqlite::Error> {
    conn.prepare_cached(
        "INSERT INTO kv (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}

fn get_entity(
    conn: &Connection,
    entity: &str,
    key: &str,
) -> Result<Option<String>, rusqlite::Error> {
    conn.prepare_cached("SELECT value FROM entities WHERE entity = ?1 AND key = ?2")?
        .query_row(params![entity, key], |r| r.get(0))
        .optional()
}

/// Trims rows fetched with one extra and returns the next page's cursor
/// when the extra row proved there is one (as the in-memory backend does).
fn page_cursor(rows: &mut Vec<(Value, String, String)>, limit: usize) -> Option<String> {
    if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|(rv, k, _)| limits::encode_cursor(rv, k))
    } else {
        None
    }
}

impl Storage for Store {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        validate_key(key)?;
        self.conn()
            .prepare_cached("SELECT value FROM kv WHERE key = ?1")
            .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
            .map_err(backend)
    }

    fn set(&self, key: &str, value: &str, options: SetOptions) -> Result<(), StorageError> {
        validate_key(key)?;
        limits::validate_value(value)?;
        let conn = self.conn();
        if !options.fail_if_exists {
            return put_kv(&conn, key, value).map_err(backend);
        }
        // Atomic: the primary key refuses a second insert.
        let inserted = conn
            .prepare_cached("INSERT INTO kv (key, value) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(params![key, value]));
        match inserted {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == ErrorCode::ConstraintViolation =>
            {
                Err(StorageError::KeyExists)
            }
            Err(e) => Err(backend(e)),
        }
    }

    fn delete(&self, key: &str) -> Result<(), StorageError> {
        validate_key(key)?;
        self.conn()
            .prepare_cached("DELETE FROM kv WHERE key = ?1")
            .and_then(|mut s| s.execute([key]))
            .map(|_| ())
            .map_err(backend)
    }

    fn query_prefix(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<QueryPage, StorageError> {
        let after = cursor.map(limits::decode_cursor).transpose()?;
        let limit = limits::page_limit(limit);
        // Start at the prefix, or just after the cursor's key when that is later.
        let (sql, from) = match &after {
            Some((_, last)) if last.as_str() >= prefix => (
                "SELECT key, value FROM kv WHERE key > ?1 ORDER BY key",
                last.as_str(),
            ),
            _ => (
                "SELECT key, value FROM kv WHERE key >= ?1 ORDER BY key",
                prefix,
            ),
        };
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(sql).map_err(backend)?;
        let mut rows = stmt.query([from]).map_err(backend)?;
        let mut items: Vec<(Value, String, String)> = Vec::new();
        while let Some(row) = rows.next().map_err(backend)? {
            let key: String = row.get(0).map_err(backend)?;
            if !key.starts_with(prefix) {
                break;
            }
            if after
                .as_ref()
                .is_some_and(|(_, last)| key.as_str() <= last.as_str())
            {
                continue;
            }
            items.push((Value::Null, key, row.get(1).map_err(backend)?));
            if items.len() > limit {
                break;
            }
        }
        let next_cursor = page_cursor(&mut items, limit);
        Ok(QueryPage {
            items: items.into_iter().map(|(_, k, v)| (k, v)).collect(),
            next_cursor,
        })
    }

    fn entity_get(&self, entity: &str, key: &str) -> Result<Option<String>, StorageError> {
        self.schema(entity)?;
        validate_key(key)?;
        get_entity(&self.conn(), entity, key).map_err(backend)
    }

    fn entity_set(&self, entity: &str, key: &str, value: &str) -> Result<(), StorageError> {
        self.schema(entity)?;
        validate_key(key)?;
        validate_entity_value(value)?;
        put_entity(&self.conn(), entity, key, value).map_err(backend)
    }

    fn entity_delete(&self, entity: &str, key: &str) -> Result<(), StorageError> {
        self.schema(entity)?;
        validate_key(key)?;
        self.raw_entity_delete(entity, key)
            .map_err(|e| StorageError::Backend(e.to_string()))
    }

    fn entity_query(&self, query: &EntityQuery) -> Result<QueryPage, StorageError> {
        let plan = self.index_plan(query)?;
        let after = query
            .cursor
            .as_deref()
            .map(limits::decode_cursor)
            .transpose()?;
        let limit = limits::page_limit(query.limit);
        if plan.partition_attrs.len() != query.partition.len() {
            // Matches nothing, as in the in-memory backend.
            return Ok(QueryPage::default());
        }
        let conn = self.conn();
        // Rows arrive in query order, segment after segment; keep those that
        // pass the exact checks until one more than a page is found or the
        // index range runs out.
        let mut items: Vec<(Value, String, String)> = Vec::new();
        'segments: for (sql, args) in plan.segments(query, after.as_ref()) {
            let mut stmt = conn.prepare_cached(&sql).map_err(backend)?;
            let mut rows = stmt
                .query(rusqlite::params_from_iter(args))
                .map_err(backend)?;
            while let Some(row) = rows.next().map_err(backend)? {
                let key: String = row.get(0).map_err(backend)?;
                let raw: String = row.get(1).map_err(backend)?;
                let Ok(v) = serde_json::from_str::<Value>(&raw) else {
                    continue;
                };
                let Some(rv) = v.get(&plan.range_attr) else {
                    continue;
                };
                let keep = limits::in_partition(&v, &plan.partition_attrs, query)
                    && query
                        .range
                        .as_ref()
                        .is_none_or(|r| limits::range_holds(rv, r))
                    && conditions_hold(Some(&v), &query.filters)
                    && after
                        .as_ref()
                        .is_none_or(|c| limits::after_cursor(rv, &key, c, query.order));
                if keep {
                    items.push((rv.clone(), key, raw));
                    if items.len() > limit {
                        break 'segments;
                    }
                }
            }
        }
        let next_cursor = page_cursor(&mut items, limit);
        Ok(QueryPage {
            items: items.into_iter().map(|(_, k, v)| (k, v)).collect(),
            next_cursor,
        })
    }

    fn transact(&self, ops: &[TxnOp]) -> Result<(), StorageError> {
        limits::validate_transaction(ops)?;
        let mut conn = self.conn();
        // IMMEDIATE takes the write lock up front: no other connection or
        // process can write between our condition checks and our writes.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        // Check every condition first: nothing is written unless all hold.
        // Returning early drops `tx`, which rolls back.
        for op in ops {
            let (entity, key) = op.target();
            let Some(entity) = entity else { continue };
            self.schema(entity)?;
            let stored = get_entity(&tx, entity, key)
                .map_err(backend)?
                .and_then(|raw| serde_json::from_str::<Value>(&raw).ok());
            let must_exist = matches!(op, TxnOp::Check { .. });
            if (must_exist && stored.is_none())
                || !conditions_hold(stored.as_ref(), op.conditions())
            {
                return Err(StorageError::ConditionFailed);
            }
        }
        for op in ops {
            let done = match op {
                TxnOp::Set {
                    key,
                    entity: Some(e),
                    value,
                    ..
                } => put_entity(&tx, e, key, value),
                TxnOp::Set {
                    key,
                    entity: None,
                    value,
                    ..
                } => put_kv(&tx, key, value),
                TxnOp::Delete {
                    key,
                    entity: Some(e),
                    ..
                } => tx
                    .prepare_cached("DELETE FROM entities WHERE entity = ?1 AND key = ?2")
                    .and_then(|mut s| s.execute(params![e, key]))
                    .map(|_| ()),
                TxnOp::Delete {
                    key, entity: None, ..
                } => tx
                    .prepare_cached("DELETE FROM kv WHERE key = ?1")
                    .and_then(|mut s| s.execute([key]))
                    .map(|_| ()),
                TxnOp::Check { .. } => Ok(()),
            };
            done.map_err(backend)?;
        }
        tx.commit().map_err(backend)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn successor_skips_surrogates_and_carries() {
        assert_eq!(successor("ab").as_deref(), Some("ac"));
        assert_eq!(successor("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(successor("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(successor("\u{10FFFF}"), None);
        assert_eq!(successor(""), None);
    }

    #[test]
    fn hostile_attribute_names_are_refused() {
        let schemas: Vec<EntitySchema> = serde_json::from_value(serde_json::json!([{
            "name": "e",
            "attributes": {},
            "indexes": [{"name": "i", "range": ["a'); DROP TABLE kv; --"]}]
        }]))
        .unwrap();
        assert!(matches!(
            Store::in_memory(schemas),
            Err(StoreError::Schema(_))
        ));
    }

    #[test]
    fn store_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Store>();
    }
}
