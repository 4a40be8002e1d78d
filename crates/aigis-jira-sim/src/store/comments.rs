//! Issue comments.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::next_id;
use crate::SimError;

/// A comment as stored. `body` is ADF JSON text, `properties` a JSON array
/// of `{key, value}`.
#[derive(Debug, Clone)]
pub struct CommentRow {
    pub id: i64,
    pub author: String,
    pub body: String,
    pub public: bool,
    pub created: i64,
    pub updated: i64,
    pub properties: String,
}

const COMMENT_COLS: &str = "id, author, body, jsd_public, created, updated, properties";

fn row_comment(r: &rusqlite::Row<'_>) -> rusqlite::Result<CommentRow> {
    Ok(CommentRow {
        id: r.get(0)?,
        author: r.get(1)?,
        body: r.get(2)?,
        public: r.get(3)?,
        created: r.get(4)?,
        updated: r.get(5)?,
        properties: r.get(6)?,
    })
}

/// Comments of an issue, oldest first (or newest first when `desc`);
/// internal ones only when `with_internal`.
pub fn comments_of(
    conn: &Connection,
    issue_id: i64,
    with_internal: bool,
    desc: bool,
) -> Result<Vec<CommentRow>, SimError> {
    let sql = format!(
        "SELECT {COMMENT_COLS} FROM comments WHERE issue_id = ?1 AND (?2 OR jsd_public = 1)
         ORDER BY created {0}, id {0}",
        if desc { "DESC" } else { "ASC" }
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![issue_id, with_internal], row_comment)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One comment of an issue.
pub fn comment(conn: &Connection, issue_id: i64, id: i64) -> Result<Option<CommentRow>, SimError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COMMENT_COLS} FROM comments WHERE issue_id = ?1 AND id = ?2"),
            params![issue_id, id],
            row_comment,
        )
        .optional()?)
}

/// Add a comment (its id allocated in this transaction) and move the
/// issue's `updated`.
pub fn insert_comment(
    tx: &Transaction<'_>,
    issue_id: i64,
    author: &str,
    body: &str,
    public: bool,
    properties: &str,
    now: i64,
) -> Result<CommentRow, SimError> {
    let id = next_id(tx, "comments", 10000)?;
    tx.execute(
        "INSERT INTO comments (id, issue_id, author, body, jsd_public, properties, created, updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![id, issue_id, author, body, public, properties, now],
    )?;
    super::touch_issue(tx, issue_id, now)?;
    Ok(CommentRow {
        id,
        author: author.to_string(),
        body: body.to_string(),
        public,
        created: now,
        updated: now,
        properties: properties.to_string(),
    })
}
