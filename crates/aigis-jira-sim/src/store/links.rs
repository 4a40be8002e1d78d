//! Issue link types and issue links.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::next_id;
use crate::SimError;

/// An issue link type: (id, name, inward, outward).
#[derive(Debug, Clone)]
pub struct LinkTypeRow {
    pub id: i64,
    pub name: String,
    pub inward: String,
    pub outward: String,
}

fn row_link_type(r: &rusqlite::Row<'_>) -> rusqlite::Result<LinkTypeRow> {
    Ok(LinkTypeRow {
        id: r.get(0)?,
        name: r.get(1)?,
        inward: r.get(2)?,
        outward: r.get(3)?,
    })
}

pub fn link_types(conn: &Connection) -> Result<Vec<LinkTypeRow>, SimError> {
    let mut stmt = conn.prepare("SELECT id, name, inward, outward FROM link_types ORDER BY id")?;
    let rows = stmt.query_map([], row_link_type)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The link type with this (case-insensitive) name or id.
pub fn link_type(
    conn: &Connection,
    name: Option<&str>,
    id: Option<i64>,
) -> Result<Option<LinkTypeRow>, SimError> {
    Ok(conn
        .query_row(
            "SELECT id, name, inward, outward FROM link_types
             WHERE (?1 IS NOT NULL AND name = ?1) OR (?1 IS NULL AND id = ?2)",
            params![name, id],
            row_link_type,
        )
        .optional()?)
}

/// A link touching an issue.
#[derive(Debug, Clone)]
pub struct LinkRow {
    pub id: i64,
    pub inward_issue_id: i64,
    pub outward_issue_id: i64,
    pub link_type: LinkTypeRow,
}

/// Links with `issue_id` at either end, by id.
pub fn links_of(conn: &Connection, issue_id: i64) -> Result<Vec<LinkRow>, SimError> {
    let mut stmt = conn.prepare(
        "SELECT l.id, l.inward_issue_id, l.outward_issue_id, t.id, t.name, t.inward, t.outward
         FROM issue_links l JOIN link_types t ON t.id = l.link_type_id
         WHERE l.inward_issue_id = ?1 OR l.outward_issue_id = ?1 ORDER BY l.id",
    )?;
    let rows = stmt.query_map([issue_id], |r| {
        Ok(LinkRow {
            id: r.get(0)?,
            inward_issue_id: r.get(1)?,
            outward_issue_id: r.get(2)?,
            link_type: LinkTypeRow {
                id: r.get(3)?,
                name: r.get(4)?,
                inward: r.get(5)?,
                outward: r.get(6)?,
            },
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Link two issues; the new link's id.
pub fn insert_link(
    tx: &Transaction<'_>,
    link_type_id: i64,
    inward_issue_id: i64,
    outward_issue_id: i64,
) -> Result<i64, SimError> {
    let id = next_id(tx, "issue_links", 10000)?;
    tx.execute(
        "INSERT INTO issue_links (id, link_type_id, inward_issue_id, outward_issue_id)
         VALUES (?1, ?2, ?3, ?4)",
        params![id, link_type_id, inward_issue_id, outward_issue_id],
    )?;
    Ok(id)
}
