//! Issues and their entity properties.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{INITIAL_STATUS_ID, next_id};
use crate::SimError;

/// An issue as stored. `description` is ADF JSON text, `labels` a JSON array.
#[derive(Debug, Clone)]
pub struct IssueRow {
    pub id: i64,
    pub key: String,
    pub project_id: i64,
    pub issue_type_id: i64,
    pub summary: String,
    pub description: Option<String>,
    pub status_id: i64,
    pub reporter: String,
    pub creator: String,
    pub request_type_id: Option<i64>,
    pub labels: String,
    pub created: i64,
    pub updated: i64,
}

pub(super) const ISSUE_COLS: &str = "id, key, project_id, issue_type_id, summary, description, \
     status_id, reporter, creator, request_type_id, labels, created, updated";

pub(super) fn row_issue(r: &rusqlite::Row<'_>) -> rusqlite::Result<IssueRow> {
    Ok(IssueRow {
        id: r.get(0)?,
        key: r.get(1)?,
        project_id: r.get(2)?,
        issue_type_id: r.get(3)?,
        summary: r.get(4)?,
        description: r.get(5)?,
        status_id: r.get(6)?,
        reporter: r.get(7)?,
        creator: r.get(8)?,
        request_type_id: r.get(9)?,
        labels: r.get(10)?,
        created: r.get(11)?,
        updated: r.get(12)?,
    })
}

pub fn issue(conn: &Connection, id: i64) -> Result<Option<IssueRow>, SimError> {
    Ok(conn
        .query_row(
            &format!("SELECT {ISSUE_COLS} FROM issues WHERE id = ?1"),
            [id],
            row_issue,
        )
        .optional()?)
}

/// An issue by id (digits) or key (case-insensitive).
/// Customer requests (issues with a request type) `account` reported or
/// created, newest first.
pub fn requests_of(conn: &Connection, account: &str) -> Result<Vec<IssueRow>, SimError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {ISSUE_COLS} FROM issues WHERE request_type_id IS NOT NULL
         AND (reporter = ?1 OR creator = ?1) ORDER BY created DESC, id DESC"
    ))?;
    let rows = stmt.query_map([account], row_issue)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn issue_by_id_or_key(
    conn: &Connection,
    id_or_key: &str,
) -> Result<Option<IssueRow>, SimError> {
    match id_or_key.parse::<i64>() {
        Ok(id) => issue(conn, id),
        Err(_) => Ok(conn
            .query_row(
                &format!("SELECT {ISSUE_COLS} FROM issues WHERE key = ?1"),
                [id_or_key.to_ascii_uppercase()],
                row_issue,
            )
            .optional()?),
    }
}

/// What creating an issue writes (validated by the caller).
#[derive(Debug, Clone)]
pub struct NewIssue {
    pub project_id: i64,
    pub issue_type_id: i64,
    pub summary: String,
    /// ADF JSON text.
    pub description: Option<String>,
    pub reporter: String,
    pub creator: String,
    pub request_type_id: Option<i64>,
    /// JSON array text.
    pub labels: String,
    /// (key, value JSON text) set on creation.
    pub properties: Vec<(String, String)>,
}

/// Insert an issue with the next key of its project and its properties.
pub fn insert_issue(tx: &Transaction<'_>, new: &NewIssue, now: i64) -> Result<IssueRow, SimError> {
    let (pkey, num): (String, i64) = tx.query_row(
        "SELECT key, next_num FROM projects WHERE id = ?1",
        [new.project_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    tx.execute(
        "UPDATE projects SET next_num = next_num + 1 WHERE id = ?1",
        [new.project_id],
    )?;
    let id = next_id(tx, "issues", 10000)?;
    let key = format!("{pkey}-{num}");
    tx.execute(
        "INSERT INTO issues (id, key, project_id, issue_type_id, summary, description,
         status_id, reporter, creator, request_type_id, labels, created, updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
        params![
            id,
            key,
            new.project_id,
            new.issue_type_id,
            new.summary,
            new.description,
            INITIAL_STATUS_ID,
            new.reporter,
            new.creator,
            new.request_type_id,
            new.labels,
            now
        ],
    )?;
    for (k, v) in &new.properties {
        put_property(tx, id, k, v)?;
    }
    issue(tx, id)?.ok_or_else(|| SimError::NotFound(format!("issue {id}")))
}

/// The editable fields of an issue (`None` leaves a field as it is).
#[derive(Debug, Clone, Default)]
pub struct IssueEdit {
    pub summary: Option<String>,
    /// `Some(None)` clears the description.
    pub description: Option<Option<String>>,
    /// JSON array text.
    pub labels: Option<String>,
}

/// Apply an edit and move `updated`.
pub fn update_issue(
    tx: &Transaction<'_>,
    id: i64,
    edit: &IssueEdit,
    now: i64,
) -> Result<(), SimError> {
    if let Some(s) = &edit.summary {
        tx.execute(
            "UPDATE issues SET summary = ?1 WHERE id = ?2",
            params![s, id],
        )?;
    }
    if let Some(d) = &edit.description {
        tx.execute(
            "UPDATE issues SET description = ?1 WHERE id = ?2",
            params![d, id],
        )?;
    }
    if let Some(l) = &edit.labels {
        tx.execute(
            "UPDATE issues SET labels = ?1 WHERE id = ?2",
            params![l, id],
        )?;
    }
    touch_issue(tx, id, now)
}

pub fn set_issue_status(
    tx: &Transaction<'_>,
    id: i64,
    status_id: i64,
    now: i64,
) -> Result<(), SimError> {
    tx.execute(
        "UPDATE issues SET status_id = ?1, updated = ?2 WHERE id = ?3",
        params![status_id, now, id],
    )?;
    Ok(())
}

/// Move `updated` (a comment was added, ...).
pub fn touch_issue(tx: &Transaction<'_>, id: i64, now: i64) -> Result<(), SimError> {
    tx.execute(
        "UPDATE issues SET updated = ?1 WHERE id = ?2",
        params![now, id],
    )?;
    Ok(())
}

/// (key, value JSON text) of an issue's properties, by key.
pub fn properties_of(conn: &Connection, issue_id: i64) -> Result<Vec<(String, String)>, SimError> {
    let mut stmt =
        conn.prepare("SELECT key, value FROM issue_properties WHERE issue_id = ?1 ORDER BY key")?;
    let rows = stmt.query_map([issue_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The value JSON text of one property.
pub fn property(conn: &Connection, issue_id: i64, key: &str) -> Result<Option<String>, SimError> {
    Ok(conn
        .query_row(
            "SELECT value FROM issue_properties WHERE issue_id = ?1 AND key = ?2",
            params![issue_id, key],
            |r| r.get(0),
        )
        .optional()?)
}

/// Set a property; whether it existed before.
pub fn put_property(
    tx: &Transaction<'_>,
    issue_id: i64,
    key: &str,
    value: &str,
) -> Result<bool, SimError> {
    let existed = property(tx, issue_id, key)?.is_some();
    tx.execute(
        "INSERT OR REPLACE INTO issue_properties (issue_id, key, value) VALUES (?1, ?2, ?3)",
        params![issue_id, key, value],
    )?;
    Ok(existed)
}

/// Delete a property; whether there was one.
pub fn delete_property(tx: &Transaction<'_>, issue_id: i64, key: &str) -> Result<bool, SimError> {
    let n = tx.execute(
        "DELETE FROM issue_properties WHERE issue_id = ?1 AND key = ?2",
        params![issue_id, key],
    )?;
    Ok(n > 0)
}
