//! `host.db`: the host's own state (virtual clock offset, cloudId, scheduler
//! last runs, the async-event queue). SQLite in WAL mode with a busy timeout,
//! so other `aigis` commands can use the same state dir while `aigis up` runs.

use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

pub(crate) struct HostDb {
    conn: Mutex<Connection>,
}

/// One queued async event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueuedMessage {
    pub id: String,
    pub job_id: String,
    pub queue_key: String,
    pub body: String,
    pub due_ms: i64,
    pub attempts: u32,
}

/// Attempts after which a failing message is dead-lettered.
pub(crate) const MAX_ATTEMPTS: u32 = 5;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS schedule (key TEXT PRIMARY KEY, last_run_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    job_id TEXT NOT NULL,
    queue_key TEXT NOT NULL,
    body TEXT NOT NULL,
    due_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending',
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS queue_due ON queue (status, due_ms, seq);
";

impl HostDb {
    pub fn open(path: &Path) -> rusqlite::Result<HostDb> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Self::init(conn)
    }

    pub fn in_memory() -> rusqlite::Result<HostDb> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> rusqlite::Result<HostDb> {
        conn.execute_batch(SCHEMA)?;
        Ok(HostDb {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A poisoned lock only means another thread panicked mid-call; SQLite
        // keeps the database consistent, so the connection is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn meta_get(&self, key: &str) -> rusqlite::Result<Option<String>> {
        self.conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
    }

    pub fn meta_set(&self, key: &str, value: &str) -> rusqlite::Result<()> {
        self.conn().execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// Sets `key` to `value` unless it is already set; returns the stored value.
    pub fn meta_get_or_init(&self, key: &str, value: &str) -> rusqlite::Result<String> {
        let conn = self.conn();
        conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
            [key, value],
        )?;
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
    }

    pub fn last_run(&self, key: &str) -> rusqlite::Result<Option<i64>> {
        self.conn()
            .query_row(
                "SELECT last_run_ms FROM schedule WHERE key = ?1",
                [key],
                |r| r.get(0),
            )
            .optional()
    }

    pub fn set_last_run(&self, key: &str, at_ms: i64) -> rusqlite::Result<()> {
        self.conn().execute(
            "INSERT INTO schedule (key, last_run_ms) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET last_run_ms = excluded.last_run_ms",
            params![key, at_ms],
        )?;
        Ok(())
    }

    pub fn enqueue(&self, messages: &[QueuedMessage]) -> rusqlite::Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for m in messages {
            tx.execute(
                "INSERT INTO queue (id, job_id, queue_key, body, due_ms, attempts)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![m.id, m.job_id, m.queue_key, m.body, m.due_ms, m.attempts],
            )?;
        }
        tx.commit()
    }

    pub fn due_messages(&self, now_ms: i64, limit: u32) -> rusqlite::Result<Vec<QueuedMessage>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, job_id, queue_key, body, due_ms, attempts FROM queue
             WHERE status = 'pending' AND due_ms <= ?1 ORDER BY due_ms, seq LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![now_ms, limit], |r| {
            Ok(QueuedMessage {
                id: r.get(0)?,
                job_id: r.get(1)?,
                queue_key: r.get(2)?,
                body: r.get(3)?,
                due_ms: r.get(4)?,
                attempts: r.get(5)?,
            })
        })?;
        rows.collect()
    }

    pub fn message_done(&self, id: &str) -> rusqlite::Result<()> {
        self.conn()
            .execute("UPDATE queue SET status = 'done' WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Records a failed delivery: retried at `retry_at_ms`, or dead-lettered
    /// after [`MAX_ATTEMPTS`].
    pub fn message_failed(&self, id: &str, error: &str, retry_at_ms: i64) -> rusqlite::Result<()> {
        self.conn().execute(
            "UPDATE queue SET attempts = attempts + 1, last_error = ?2, due_ms = ?3,
                 status = CASE WHEN attempts + 1 >= ?4 THEN 'dead' ELSE 'pending' END
             WHERE id = ?1",
            params![id, error, retry_at_ms, MAX_ATTEMPTS],
        )?;
        Ok(())
    }

    /// Counts of queue messages by status.
    pub fn queue_counts(&self) -> rusqlite::Result<Vec<(String, u64)>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT status, COUNT(*) FROM queue GROUP BY status ORDER BY status")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0) as u64)))?;
        rows.collect()
    }
}
