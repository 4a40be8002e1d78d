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

/// The SQL for one declared index: the expressions its SQLite index is
/// built on, which queries must repeat verbatim for SQLite to use it.
#[derive(Debug, Clone)]
struct IndexPlan {
    /// Quoted SQLite index name.
    sql_name: String,
    partition_attrs: Vec<String>,
    range_attr: String,
    partition_exprs: Vec<String>,
    rank_expr: String,
    value_expr: String,
    create_sql: String,
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

/// Entity and index names go into index names; keep them to what the
/// manifest allows.
fn check_name(name: &str, what: &str) -> Result<(), StoreError> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(StoreError::Schema(format!(
            "{what} name {name:?} must be made of [A-Za-z0-9_-]"
        )));
    }
    Ok(())
}

/// An attribute name becomes a quoted label in a JSON path inside an SQL
/// string literal: refuse the characters that would break out of either.
fn json_path(attr: &str) -> Result<String, StoreError> {
    if attr
        .chars()
        .any(|c| c == '"' || c == '\'' || c == '\\' || c.is_control())
    {
        return Err(StoreError::Schema(format!(
            "attribute name {attr:?} contains a quote, backslash or control character"
        )));
    }
    Ok(format!("'$.\"{attr}\"'"))
}

/// `expr` evaluated only on rows whose value is well-formed JSON, so that a
/// tampered row (see [`Store::raw_entity_set`]) cannot break writes or queries.
fn guarded(expr: &str) -> String {
    format!("CASE WHEN json_valid(value) THEN {expr} END")
}

impl IndexPlan {
    fn new(
        schema: &EntitySchema,
        index: &aigis_platform::IndexSchema,
    ) -> Result<IndexPlan, StoreError> {
        // Like the in-memory backend: the first range attribute orders.
        let range_attr = index.range.first().cloned().unwrap_or_default();
        let partition_exprs = index
            .partition
            .iter()
            .map(|a| Ok(guarded(&format!("json_extract(value, {})", json_path(a)?))))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let path = json_path(&range_attr)?;
        let rank_expr = guarded(&format!(
            "CASE json_type(value, {path}) WHEN 'null' THEN 0 WHEN 'true' THEN 1 \
             WHEN 'false' THEN 1 WHEN 'integer' THEN 2 WHEN 'real' THEN 2 \
             WHEN 'text' THEN 3 WHEN 'array' THEN 4 WHEN 'object' THEN 5 END"
        ));
        let value_expr = guarded(&format!("ifnull(json_extract(value, {path}), 0)"));
        let sql_name = format!("\"idx_{}_{}\"", schema.name, index.name);
        let mut columns = vec!["entity".to_owned()];
        columns.extend(partition_exprs.iter().cloned());
        columns.push(rank_expr.clone());
        columns.push(value_expr.clone());
        columns.push("key".to_owned());
        let create_sql = format!(
            "CREATE INDEX {sql_name} ON entities ({})",
            columns.join(", ")
        );
        Ok(IndexPlan {
            sql_name,
            partition_attrs: index.partition.clone(),
            range_attr,
            partition_exprs,
            rank_expr,
            value_expr,
            create_sql,
        })
    }

    /// The SELECTs for a query, to run in turn: together they yield the
    /// index's rows in query order, narrowed by partition, range and cursor
    /// (a superset of the answer; the Rust checks decide).
    ///
    /// SQLite seeks an expression index with equalities on a prefix of its
    /// columns and a range on the next one only (row-value comparisons are
    /// not used on expression columns), so the `(rank, value, key)` range is
    /// cut into segments with one kind rank each: `rank = k`, then a range on
    /// the value, or `value = v` and a range on the key where the cursor
    /// falls.
    fn segments(
        &self,
        query: &EntityQuery,
        cursor: Option<&(Value, String)>,
    ) -> Vec<(String, Vec<SqlValue>)> {
        let mut base_args: Vec<SqlValue> = vec![SqlValue::Text(query.entity.clone())];
        let mut base = vec!["entity = ?".to_owned()];
        for (expr, want) in self.partition_exprs.iter().zip(&query.partition) {
            // Arrays and objects come back from json_extract as JSON text whose
            // spelling may differ from serde's: leave them to the Rust check.
            if let Some(v) = scalar(want) {
                base_args.push(v);
                base.push(format!("{expr} IS ?"));
            }
        }
        let (mut lower, mut upper) = query.range.as_ref().map(bounds).unwrap_or_default();
        // The cursor is at least as tight as the range on its side: replace it.
        if let Some((rv, key)) = cursor {
            let seek = Bound {
                rank: rank(rv),
                side: Side::Cursor(sortable(rv), key.clone()),
            };
            match query.order {
                SortOrder::Asc => lower = Some(seek),
                SortOrder::Desc => upper = Some(seek),
            }
        }
        let dir = match query.order {
            SortOrder::Asc => "ASC",
            SortOrder::Desc => "DESC",
        };
        let select = |conds: Vec<SqlCond>, value_fixed: bool| {
            let mut wh = base.clone();
            let mut args = base_args.clone();
            for (c, a) in conds {
                wh.push(c);
                args.extend(a);
            }
            // Every segment fixes the rank, and some the value too: order by
            // what is left. (Naming an expression that an equality fixes in
            // ORDER BY makes SQLite sort needlessly.)
            let order = if value_fixed {
                format!("key {dir}")
            } else {
                format!("{} {dir}, key {dir}", self.value_expr)
            };
            let sql = format!(
                "SELECT key, value FROM entities INDEXED BY {} WHERE {} ORDER BY {order}",
                self.sql_name,
                wh.join(" AND "),
            );
            (sql, args)
        };
        let value = &self.value_expr;
        let mut out = Vec::new();
        let mut ranks: Vec<i64> = (0..=5).collect();
        if query.order == SortOrder::Desc {
            ranks.reverse();
        }
        for k in ranks {
            let Some(lo) = side_at(lower.as_ref(), k, true) else {
                continue;
            };
            let Some(hi) = side_at(upper.as_ref(), k, false) else {
                continue;
            };
            let rank_eq = (
                format!("{} = ?", self.rank_expr),
                Some(SqlValue::Integer(k)),
            );
            let value_cond = |side: &Option<Side>, ops: (&str, &str)| match side {
                Some(Side::Value(v, inclusive)) => Some((
                    format!("{value} {} ?", if *inclusive { ops.1 } else { ops.0 }),
                    Some(v.clone()),
                )),
                _ => None,
            };
            // Ascending sub-segments of this rank.
            let mut subs: Vec<(Vec<SqlCond>, bool)> = Vec::new();
            match (&lo, &hi) {
                (Some(Side::Cursor(v, key)), _) => {
                    // Ties with the cursor's value after its key, then the values above.
                    let mut ties = vec![
                        rank_eq.clone(),
                        (format!("{value} = ?"), Some(v.clone())),
                        ("key > ?".to_owned(), Some(SqlValue::Text(key.clone()))),
                    ];
                    ties.extend(value_cond(&hi, ("<", "<=")));
                    let mut above =
                        vec![rank_eq.clone(), (format!("{value} > ?"), Some(v.clone()))];
                    above.extend(value_cond(&hi, ("<", "<=")));
                    subs.push((ties, true));
                    subs.push((above, false));
                }
                (_, Some(Side::Cursor(v, key))) => {
                    let mut below =
                        vec![rank_eq.clone(), (format!("{value} < ?"), Some(v.clone()))];
                    below.extend(value_cond(&lo, (">", ">=")));
                    let mut ties = vec![
                        rank_eq.clone(),
                        (format!("{value} = ?"), Some(v.clone())),
                        ("key < ?".to_owned(), Some(SqlValue::Text(key.clone()))),
                    ];
                    ties.extend(value_cond(&lo, (">", ">=")));
                    subs.push((below, false));
                    subs.push((ties, true));
                }
                _ => {
                    let mut conds = vec![rank_eq.clone()];
                    conds.extend(value_cond(&lo, (">", ">=")));
                    conds.extend(value_cond(&hi, ("<", "<=")));
                    subs.push((conds, false));
                }
            }
            if query.order == SortOrder::Desc {
                subs.reverse();
            }
            out.extend(subs.into_iter().map(|(conds, fixed)| select(conds, fixed)));
        }
        out
    }
}

/// One WHERE term with `?` placeholders and the argument it binds, if any.
type SqlCond = (String, Option<SqlValue>);

/// One side of a range over `(rank, value, key)`.
#[derive(Debug, Clone)]
struct Bound {
    rank: i64,
    side: Side,
}

#[derive(Debug, Clone)]
enum Side {
    /// Every value of the rank (inclusive) or none of it (exclusive).
    Rank(bool),
    /// The value, inclusive or not.
    Value(SqlValue, bool),
    /// Strictly beyond (value, key): a cursor.
    Cursor(SqlValue, String),
}

/// What a bound asks of rows of rank `k`: `None` when no row of that rank
/// can meet it, `Some(None)` when every row can, else the condition.
fn side_at(bound: Option<&Bound>, k: i64, is_lower: bool) -> Option<Option<Side>> {
    let Some(b) = bound else {
        return Some(None);
    };
    if k != b.rank {
        // A lower bound admits every higher rank, an upper bound every lower one.
        return ((k > b.rank) == is_lower).then_some(None);
    }
    match &b.side {
        Side::Rank(true) => Some(None),
        Side::Rank(false) => None,
        other => Some(Some(other.clone())),
    }
}

/// The kind rank of a JSON value, as the index's rank expression computes it.
fn rank(v: &Value) -> i64 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Number(_) => 2,
        Value::String(_) => 3,
        Value::Array(_) => 4,
        Value::Object(_) => 5,
    }
}

/// A JSON value as the index's value expression holds it.
fn sortable(v: &Value) -> SqlValue {
    match v {
        Value::Null => SqlValue::Integer(0),
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Array(_) | Value::Object(_) => SqlValue::Text(v.to_string()),
    }
}

/// A partition value as `json_extract` returns it; `None` for arrays and objects.
fn scalar(v: &Value) -> Option<SqlValue> {
    match v {
        Value::Null => Some(SqlValue::Null),
        Value::Array(_) | Value::Object(_) => None,
        other => Some(sortable(other)),
    }
}

/// The bounds of a range condition in `(rank, value)` space, matching
/// [`limits::range_holds`] (which orders across kinds by rank).
fn bounds(range: &RangeCondition) -> (Option<Bound>, Option<Bound>) {
    use RangeCondition::*;
    let b = |v: &Value, inclusive| {
        Some(Bound {
            rank: rank(v),
            side: Side::Value(sortable(v), inclusive),
        })
    };
    match range {
        EqualTo(v) => (b(v, true), b(v, true)),
        Between(lo, hi) => (b(lo, true), b(hi, true)),
        GreaterThan(v) => (b(v, false), None),
        GreaterThanEqualTo(v) => (b(v, true), None),
        LessThan(v) => (None, b(v, false)),
        LessThanEqualTo(v) => (None, b(v, true)),
        BeginsWith(p) => {
            let lo = Bound {
                rank: 3,
                side: Side::Value(SqlValue::Text(p.clone()), true),
            };
            let hi = match successor(p) {
                Some(s) => Side::Value(SqlValue::Text(s), false),
                // No string above every string with this prefix: all strings.
                None => Side::Rank(true),
            };
            (Some(lo), Some(Bound { rank: 3, side: hi }))
        }
    }
}

/// The least string greater than every string starting with `prefix`, in
/// byte (= code point) order; `None` when there is none.
fn successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match last as u32 {
            0xD7FF => Some('\u{E000}'),
            c => char::from_u32(c + 1),
        };
        if let Some(n) = next {
            chars.push(n);
            return Some(chars.into_iter().collect());
        }
    }
    None
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

impl Secrets for Store {
    fn get_secret(&self, key: &str) -> Result<Option<String>, SecretError> {
        validate_key(key).map_err(|e| SecretError::InvalidKey(e.to_string()))?;
        self.conn()
            .prepare_cached("SELECT value FROM secrets WHERE key = ?1")
            .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
            .map_err(secret_backend)
    }

    fn set_secret(&self, key: &str, value: &str) -> Result<(), SecretError> {
        validate_key(key).map_err(|e| SecretError::InvalidKey(e.to_string()))?;
        self.conn()
            .prepare_cached(
                "INSERT INTO secrets (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .and_then(|mut s| s.execute(params![key, value]))
            .map(|_| ())
            .map_err(secret_backend)
    }

    fn delete_secret(&self, key: &str) -> Result<(), SecretError> {
        // Like the in-memory backend: deleting never fails on the key.
        self.conn()
            .prepare_cached("DELETE FROM secrets WHERE key = ?1")
            .and_then(|mut s| s.execute([key]))
            .map(|_| ())
            .map_err(secret_backend)
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
