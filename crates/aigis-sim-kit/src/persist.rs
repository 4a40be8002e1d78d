//! A simulator's state, in memory or in its own SQLite tables.
//!
//! [`StateCell`] holds one serialisable state value. [`StateCell::lock`]
//! gives exclusive access to it for one request (or one admin call) and
//! returns a [`StateGuard`]:
//!
//! * in memory ([`StateCell::memory`]) the guard is the mutex guard, nothing more;
//! * over SQLite ([`StateCell::open`]) taking the guard also begins a
//!   `BEGIN IMMEDIATE` transaction (the database's one writer lock, shared by
//!   every process that opened the same file) and reloads the state when
//!   another process changed it; dropping the guard writes back the parts
//!   that changed and commits. Every id comes from the state's own counter,
//!   so ids are allocated inside the transaction: two processes (`aigis up`
//!   and a second `aigis` command on the same state dir) never hand out the
//!   same id and never lose each other's writes.
//!
//! The state is stored one row per top-level field of its JSON form
//! (`users`, `groups`, `members`, ...) in `{prefix}_parts`, with a revision
//! counter in `{prefix}_meta`; a request rewrites only the rows it changed.
//! The HTTP behaviour is that of the in-memory store: handlers still see one
//! `&mut State`.

use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// What a [`StateCell`] can hold.
pub trait PersistState: Serialize + DeserializeOwned + Send {}
impl<T: Serialize + DeserializeOwned + Send> PersistState for T {}

/// Errors opening or reading a persisted state.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("simulator database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("simulator state does not decode: {0}")]
    Decode(#[from] serde_json::Error),
    #[error("simulator table prefix `{0}` must be lower-case letters, digits and `_`")]
    Prefix(String),
}

struct Db {
    conn: Connection,
    parts: String,
    meta: String,
    /// The revision the in-memory state reflects.
    rev: i64,
    /// The stored JSON parts the in-memory state was loaded from or last saved as.
    stored: Map<String, Value>,
}

struct Inner<S> {
    state: S,
    db: Option<Db>,
}

/// One simulator state behind one lock, optionally persisted.
pub struct StateCell<S> {
    inner: Mutex<Inner<S>>,
}

/// Exclusive access to the state; see the module documentation.
pub struct StateGuard<'a, S: PersistState> {
    inner: MutexGuard<'a, Inner<S>>,
    /// Whether a transaction is open (persisted cells only).
    in_tx: bool,
}

impl<S: PersistState> StateCell<S> {
    /// A state in memory only.
    pub fn memory(state: S) -> StateCell<S> {
        StateCell {
            inner: Mutex::new(Inner { state, db: None }),
        }
    }

    /// The state in `path` (tables `{prefix}_parts`, `{prefix}_meta`),
    /// created from `initial` when the tables are empty. WAL, busy timeout 5 s.
    pub fn open(path: &Path, prefix: &str, initial: S) -> Result<StateCell<S>, PersistError> {
        if prefix.is_empty()
            || !prefix
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(PersistError::Prefix(prefix.to_string()));
        }
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        let parts = format!("{prefix}_parts");
        let meta = format!("{prefix}_meta");
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE;
             CREATE TABLE IF NOT EXISTS {parts} (part TEXT PRIMARY KEY, body TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS {meta} (id INTEGER PRIMARY KEY CHECK (id = 1), rev INTEGER NOT NULL);
             COMMIT;"
        ))?;
        let mut db = Db {
            conn,
            parts,
            meta,
            rev: -1,
            stored: Map::new(),
        };
        let mut state = initial;
        db.begin()?;
        let loaded = db.reload(&mut state);
        let result = match loaded {
            Ok(true) => Ok(()),
            // Empty tables: the initial state becomes revision 0.
            Ok(false) => db.save(&state),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => db.conn.execute_batch("COMMIT")?,
            Err(e) => {
                let _ = db.conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
        Ok(StateCell {
            inner: Mutex::new(Inner {
                state,
                db: Some(db),
            }),
        })
    }

    /// Exclusive access for one request. A persisted cell reloads what other
    /// processes wrote; if the database stays locked past its busy timeout
    /// the request runs on the last state this process saw, and its changes
    /// are written when the guard drops.
    pub fn lock(&self) -> StateGuard<'_, S> {
        // A panic while holding the lock leaves a consistent state: every
        // handler validates before it mutates.
        let mut inner = match self.inner.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let Inner { state, db } = &mut *inner;
        let mut in_tx = false;
        if let Some(db) = db {
            match db.begin() {
                Ok(()) => {
                    in_tx = true;
                    if let Err(e) = db.reload(state) {
                        tracing::warn!(error = %e, "simulator state not reloaded");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "simulator transaction not begun"),
            }
        }
        StateGuard { inner, in_tx }
    }

    /// Whether the state lives in SQLite.
    pub fn is_persisted(&self) -> bool {
        self.lock().inner.db.is_some()
    }
}

impl Db {
    fn begin(&mut self) -> rusqlite::Result<()> {
        self.conn.execute_batch("BEGIN IMMEDIATE")
    }

    /// Reload `state` if the stored revision moved. `Ok(false)`: nothing stored yet.
    fn reload<S: PersistState>(&mut self, state: &mut S) -> Result<bool, PersistError> {
        let rev: Option<i64> = self
            .conn
            .query_row(
                &format!("SELECT rev FROM {} WHERE id = 1", self.meta),
                [],
                |r| r.get(0),
            )
            .optional()?;
        let Some(rev) = rev else {
            return Ok(false);
        };
        if rev == self.rev {
            return Ok(true);
        }
        let mut stmt = self.conn.prepare(&format!(
            "SELECT part, body FROM {} ORDER BY part",
            self.parts
        ))?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut stored = Map::new();
        for row in rows {
            let (part, body) = row?;
            stored.insert(part, serde_json::from_str(&body)?);
        }
        drop(stmt);
        // Fields added to the state since the file was written keep their
        // current (initial) values.
        let mut merged = match serde_json::to_value(&*state)? {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        for (k, v) in &stored {
            merged.insert(k.clone(), v.clone());
        }
        *state = serde_json::from_value(Value::Object(merged))?;
        self.stored = stored;
        self.rev = rev;
        Ok(true)
    }

    /// Write the parts of `state` that differ from what is stored; bump the revision.
    fn save<S: PersistState>(&mut self, state: &S) -> Result<(), PersistError> {
        let now = match serde_json::to_value(state)? {
            Value::Object(m) => m,
            other => {
                let mut m = Map::new();
                m.insert("state".into(), other);
                m
            }
        };
        let changed: BTreeMap<&String, &Value> = now
            .iter()
            .filter(|(k, v)| self.stored.get(*k) != Some(*v))
            .collect();
        let first = self.rev < 0;
        if changed.is_empty() && !first {
            return Ok(());
        }
        for (k, v) in &changed {
            self.conn.execute(
                &format!(
                    "INSERT INTO {} (part, body) VALUES (?1, ?2)
                     ON CONFLICT(part) DO UPDATE SET body = excluded.body",
                    self.parts
                ),
                params![k, v.to_string()],
            )?;
        }
        let rev = self.rev.max(-1) + 1;
        self.conn.execute(
            &format!(
                "INSERT INTO {} (id, rev) VALUES (1, ?1)
                 ON CONFLICT(id) DO UPDATE SET rev = excluded.rev",
                self.meta
            ),
            params![rev],
        )?;
        self.rev = rev;
        self.stored = now;
        Ok(())
    }
}

impl<S: PersistState> Deref for StateGuard<'_, S> {
    type Target = S;
    fn deref(&self) -> &S {
        &self.inner.state
    }
}

impl<S: PersistState> DerefMut for StateGuard<'_, S> {
    fn deref_mut(&mut self) -> &mut S {
        &mut self.inner.state
    }
}

impl<S: PersistState> Drop for StateGuard<'_, S> {
    fn drop(&mut self) {
        let Inner { state, db } = &mut *self.inner;
        let Some(db) = db else {
            return;
        };
        if !self.in_tx {
            // Begin failed: try once more to store the change.
            if let Err(e) = db.begin() {
                tracing::warn!(error = %e, "simulator change not stored");
                return;
            }
        }
        let saved = db.save(state);
        let done = match saved {
            Ok(()) => db.conn.execute_batch("COMMIT").map_err(PersistError::from),
            Err(e) => Err(e),
        };
        if let Err(e) = done {
            let _ = db.conn.execute_batch("ROLLBACK");
            // Next request reloads whatever is stored.
            db.rev = -2;
            db.stored = Map::new();
            tracing::warn!(error = %e, "simulator change not stored");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
    struct St {
        seq: u64,
        names: Vec<String>,
        #[serde(default)]
        note: String,
    }

    impl St {
        fn add(&mut self, name: &str) -> u64 {
            self.seq += 1;
            self.names.push(name.into());
            self.seq
        }
    }

    #[test]
    fn two_cells_on_one_file_share_the_state_and_its_counter() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sim.db");
        let a = StateCell::open(&path, "t", St::default()).unwrap();
        let b = StateCell::open(&path, "t", St::default()).unwrap();
        assert_eq!(a.lock().add("x"), 1);
        assert_eq!(b.lock().add("y"), 2);
        assert_eq!(a.lock().add("z"), 3);
        assert_eq!(b.lock().names, ["x", "y", "z"]);
        // A third opening (a restart) sees everything; its initial value is ignored.
        let c = StateCell::open(
            &path,
            "t",
            St {
                seq: 99,
                ..St::default()
            },
        )
        .unwrap();
        assert_eq!(c.lock().seq, 3);
        assert!(c.is_persisted());
        // Another prefix in the same file is another state.
        let d = StateCell::open(&path, "other", St::default()).unwrap();
        assert_eq!(d.lock().seq, 0);
    }

    #[test]
    fn only_changed_parts_are_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sim.db");
        let a = StateCell::open(&path, "t", St::default()).unwrap();
        a.lock().note = "n".into();
        let conn = Connection::open(&path).unwrap();
        let rev: i64 = conn
            .query_row("SELECT rev FROM t_meta", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rev, 1);
        // A read changes nothing and does not move the revision.
        let _ = a.lock().names.len();
        let rev: i64 = conn
            .query_row("SELECT rev FROM t_meta", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rev, 1);
        let note: String = conn
            .query_row("SELECT body FROM t_parts WHERE part = 'note'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(note, "\"n\"");
    }

    #[test]
    fn memory_cells_and_bad_prefixes() {
        let m = StateCell::memory(St::default());
        m.lock().add("x");
        assert_eq!(m.lock().seq, 1);
        assert!(!m.is_persisted());
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            StateCell::open(&dir.path().join("x.db"), "a; DROP", St::default()),
            Err(PersistError::Prefix(_))
        ));
    }
}
