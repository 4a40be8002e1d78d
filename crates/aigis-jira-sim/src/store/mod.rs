//! The simulator's SQLite tables and every SQL statement it runs.
//!
//! Handlers (`crate::http`) never write SQL: they call the functions here.
//! Functions that write take a [`Transaction`]; the caller opens it with
//! `BEGIN IMMEDIATE` ([`crate::JiraSim`] and the HTTP dispatcher do), so the
//! write lock is held from the first read: an id allocated with
//! [`next_id`] cannot be taken by another connection, even by another process
//! sharing the database file, before the row is inserted.

mod comments;
mod events;
mod issues;
mod links;
mod projects;
mod roles;
mod search;
mod seed;
mod users;

use rusqlite::{Connection, Transaction};

use crate::SimError;

pub use comments::*;
pub use events::*;
pub use issues::*;
pub use links::*;
pub use projects::*;
pub use roles::*;
pub use search::*;
pub use seed::*;
pub use users::*;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    account_id   TEXT PRIMARY KEY,
    email        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT NOT NULL,
    time_zone    TEXT NOT NULL,
    api_token    TEXT NOT NULL,
    site_admin   INTEGER NOT NULL DEFAULT 0,
    active       INTEGER NOT NULL DEFAULT 1,
    kind         TEXT NOT NULL DEFAULT 'licensed'
);
CREATE TABLE IF NOT EXISTS groups (
    group_id TEXT PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE COLLATE NOCASE
);
CREATE TABLE IF NOT EXISTS group_members (
    group_id   TEXT NOT NULL REFERENCES groups(group_id),
    account_id TEXT NOT NULL REFERENCES users(account_id),
    PRIMARY KEY (group_id, account_id)
);
CREATE TABLE IF NOT EXISTS projects (
    id       INTEGER PRIMARY KEY,
    key      TEXT NOT NULL UNIQUE,
    name     TEXT NOT NULL,
    lead     TEXT NOT NULL,
    type_key TEXT NOT NULL,
    next_num INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS issue_types (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);
CREATE TABLE IF NOT EXISTS project_issue_types (
    project_id    INTEGER NOT NULL REFERENCES projects(id),
    issue_type_id INTEGER NOT NULL REFERENCES issue_types(id),
    PRIMARY KEY (project_id, issue_type_id)
);
CREATE TABLE IF NOT EXISTS statuses (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);
CREATE TABLE IF NOT EXISTS service_desks (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL UNIQUE REFERENCES projects(id),
    portal_id   INTEGER NOT NULL,
    portal_name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS request_types (
    id              INTEGER PRIMARY KEY,
    service_desk_id INTEGER NOT NULL REFERENCES service_desks(id),
    name            TEXT NOT NULL,
    issue_type_id   INTEGER NOT NULL REFERENCES issue_types(id)
);
CREATE TABLE IF NOT EXISTS issues (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,
    project_id      INTEGER NOT NULL REFERENCES projects(id),
    issue_type_id   INTEGER NOT NULL REFERENCES issue_types(id),
    summary         TEXT NOT NULL,
    description     TEXT,
    status_id       INTEGER NOT NULL REFERENCES statuses(id),
    reporter        TEXT NOT NULL,
    creator         TEXT NOT NULL,
    request_type_id INTEGER,
    labels          TEXT NOT NULL DEFAULT '[]',
    created         INTEGER NOT NULL,
    updated         INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS issue_properties (
    issue_id INTEGER NOT NULL REFERENCES issues(id),
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (issue_id, key)
);
CREATE TABLE IF NOT EXISTS comments (
    id         INTEGER PRIMARY KEY,
    issue_id   INTEGER NOT NULL REFERENCES issues(id),
    author     TEXT NOT NULL,
    body       TEXT NOT NULL,
    jsd_public INTEGER NOT NULL,
    properties TEXT NOT NULL DEFAULT '[]',
    created    INTEGER NOT NULL,
    updated    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS transitions (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects(id),
    name          TEXT NOT NULL,
    to_status_id  INTEGER NOT NULL REFERENCES statuses(id),
    UNIQUE (project_id, name)
);
CREATE TABLE IF NOT EXISTS link_types (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE COLLATE NOCASE,
    inward  TEXT NOT NULL,
    outward TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS issue_links (
    id               INTEGER PRIMARY KEY,
    link_type_id     INTEGER NOT NULL REFERENCES link_types(id),
    inward_issue_id  INTEGER NOT NULL REFERENCES issues(id),
    outward_issue_id INTEGER NOT NULL REFERENCES issues(id)
);
CREATE TABLE IF NOT EXISTS project_roles (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS project_role_actors (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    role_id    INTEGER NOT NULL REFERENCES project_roles(id),
    account_id TEXT REFERENCES users(account_id),
    group_id   TEXT REFERENCES groups(group_id),
    CHECK ((account_id IS NULL) <> (group_id IS NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS project_role_actor_once ON project_role_actors
    (project_id, role_id, COALESCE(account_id, ''), COALESCE(group_id, ''));
CREATE TABLE IF NOT EXISTS outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    event_type TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created    INTEGER NOT NULL,
    acked      INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO link_types (id, name, inward, outward) VALUES
    (10000, 'Blocks', 'is blocked by', 'blocks'),
    (10001, 'Cloners', 'is cloned by', 'clones'),
    (10002, 'Duplicate', 'is duplicated by', 'duplicates'),
    (10003, 'Relates', 'relates to', 'relates to');
INSERT OR IGNORE INTO statuses (id, name) VALUES (1, 'Open');
INSERT OR IGNORE INTO issue_types (id, name) VALUES (10001, 'Task');
";

/// Id of the status new issues start in.
pub const INITIAL_STATUS_ID: i64 = 1;

/// Create the tables that are missing and the built-in rows.
pub fn create_schema(tx: &Transaction<'_>) -> Result<(), SimError> {
    tx.execute_batch(SCHEMA)?;
    // Databases made before accounts had kinds: every user was licensed.
    let has_kind: bool = tx.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('users') WHERE name = 'kind'",
        [],
        |r| r.get(0),
    )?;
    if !has_kind {
        tx.execute_batch("ALTER TABLE users ADD COLUMN kind TEXT NOT NULL DEFAULT 'licensed'")?;
    }
    Ok(())
}

/// The next id of `table`, whose ids start at `first`. Allocated in the
/// caller's write transaction, so the insert that follows cannot collide.
fn next_id(tx: &Transaction<'_>, table: &str, first: i64) -> Result<i64, SimError> {
    let sql = format!("SELECT COALESCE(MAX(id) + 1, ?1) FROM {table}");
    let id: i64 = tx.query_row(&sql, [first], |r| r.get(0))?;
    Ok(id.max(first))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_id(s: &str, what: &str) -> Result<i64, SimError> {
    s.parse()
        .map_err(|_| SimError::NotFound(format!("{what} {s}")))
}

/// `SELECT id FROM {table} WHERE id = ?` as an existence check.
fn exists(conn: &Connection, table: &str, id: i64) -> Result<bool, SimError> {
    let sql = format!("SELECT COUNT(*) > 0 FROM {table} WHERE id = ?1");
    Ok(conn.query_row(&sql, [id], |r| r.get(0))?)
}
