//! Projects and their configuration: issue types, statuses, workflow
//! transitions, service desks and request types.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{exists, next_id, parse_id, users::user};
use crate::SimError;

/// A project as stored.
#[derive(Debug, Clone)]
pub struct ProjectRow {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub lead: String,
    pub type_key: String,
}

fn row_project(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProjectRow> {
    Ok(ProjectRow {
        id: r.get(0)?,
        key: r.get(1)?,
        name: r.get(2)?,
        lead: r.get(3)?,
        type_key: r.get(4)?,
    })
}

const PROJECT_COLS: &str = "id, key, name, lead, type_key";

pub fn project_id_by_key(conn: &Connection, key: &str) -> Result<Option<i64>, SimError> {
    Ok(conn
        .query_row("SELECT id FROM projects WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

pub fn project(conn: &Connection, id: i64) -> Result<Option<ProjectRow>, SimError> {
    Ok(conn
        .query_row(
            &format!("SELECT {PROJECT_COLS} FROM projects WHERE id = ?1"),
            [id],
            row_project,
        )
        .optional()?)
}

/// A project by id (digits) or key (case-insensitive).
pub fn project_by_id_or_key(
    conn: &Connection,
    id_or_key: &str,
) -> Result<Option<ProjectRow>, SimError> {
    match id_or_key.parse::<i64>() {
        Ok(id) => project(conn, id),
        Err(_) => Ok(conn
            .query_row(
                &format!("SELECT {PROJECT_COLS} FROM projects WHERE key = ?1"),
                [id_or_key.to_ascii_uppercase()],
                row_project,
            )
            .optional()?),
    }
}

/// A project by id, key or name (case-insensitive), as JQL names one.
pub fn project_by_jql_value(
    conn: &Connection,
    value: &str,
) -> Result<Option<ProjectRow>, SimError> {
    if let Some(p) = project_by_id_or_key(conn, value)? {
        return Ok(Some(p));
    }
    Ok(conn
        .query_row(
            &format!("SELECT {PROJECT_COLS} FROM projects WHERE lower(name) = lower(?1)"),
            [value],
            row_project,
        )
        .optional()?)
}

/// Every project, by key.
pub fn projects(conn: &Connection) -> Result<Vec<ProjectRow>, SimError> {
    let mut stmt = conn.prepare(&format!("SELECT {PROJECT_COLS} FROM projects ORDER BY key"))?;
    let rows = stmt.query_map([], row_project)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether `account_id` leads at least one project.
pub fn leads_a_project(conn: &Connection, account_id: &str) -> Result<bool, SimError> {
    Ok(conn.query_row(
        "SELECT COUNT(*) > 0 FROM projects WHERE lead = ?1",
        [account_id],
        |r| r.get(0),
    )?)
}

/// Issue type ids of a project, ascending.
pub fn project_issue_type_ids(conn: &Connection, project_id: i64) -> Result<Vec<i64>, SimError> {
    let mut stmt = conn.prepare(
        "SELECT issue_type_id FROM project_issue_types WHERE project_id = ?1 ORDER BY issue_type_id",
    )?;
    let rows = stmt.query_map([project_id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The issue type of a project with this id or (case-insensitive) name.
pub fn project_issue_type(
    conn: &Connection,
    project_id: i64,
    id: Option<i64>,
    name: Option<&str>,
) -> Result<Option<i64>, SimError> {
    Ok(conn
        .query_row(
            "SELECT t.id FROM issue_types t JOIN project_issue_types p ON p.issue_type_id = t.id
             WHERE p.project_id = ?1 AND ((?2 IS NOT NULL AND t.id = ?2) OR (?2 IS NULL AND t.name = ?3))",
            params![project_id, id, name],
            |r| r.get(0),
        )
        .optional()?)
}

pub fn issue_type_name(conn: &Connection, id: i64) -> Result<String, SimError> {
    Ok(
        conn.query_row("SELECT name FROM issue_types WHERE id = ?1", [id], |r| {
            r.get(0)
        })?,
    )
}

/// Issue type ids with this id or (case-insensitive) name.
pub fn issue_types_named(conn: &Connection, value: &str) -> Result<Vec<i64>, SimError> {
    let id = value.parse::<i64>().ok();
    let mut stmt =
        conn.prepare("SELECT id FROM issue_types WHERE id = ?1 OR name = ?2 ORDER BY id")?;
    let rows = stmt.query_map(params![id, value], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Id of an issue type, created if missing.
pub fn issue_type_id(tx: &Transaction<'_>, name: &str) -> Result<i64, SimError> {
    if let Some(id) = tx
        .query_row("SELECT id FROM issue_types WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?
    {
        return Ok(id);
    }
    let id = next_id(tx, "issue_types", 10001)?;
    tx.execute(
        "INSERT INTO issue_types (id, name) VALUES (?1, ?2)",
        params![id, name],
    )?;
    Ok(id)
}

pub fn status_name(conn: &Connection, id: i64) -> Result<String, SimError> {
    Ok(
        conn.query_row("SELECT name FROM statuses WHERE id = ?1", [id], |r| {
            r.get(0)
        })?,
    )
}

/// The status with this id or (case-insensitive) name.
pub fn status_by_jql_value(conn: &Connection, value: &str) -> Result<Option<i64>, SimError> {
    let id = value.parse::<i64>().ok();
    Ok(conn
        .query_row(
            "SELECT id FROM statuses WHERE id = ?1 OR name = ?2 ORDER BY id",
            params![id, value],
            |r| r.get(0),
        )
        .optional()?)
}

/// Id of a status, created if missing.
pub fn status_id(tx: &Transaction<'_>, name: &str) -> Result<i64, SimError> {
    if let Some(id) = tx
        .query_row("SELECT id FROM statuses WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?
    {
        return Ok(id);
    }
    let id = next_id(tx, "statuses", 10000)?;
    tx.execute(
        "INSERT INTO statuses (id, name) VALUES (?1, ?2)",
        params![id, name],
    )?;
    Ok(id)
}

fn valid_project_key(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase())
        && key.len() <= 10
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

pub fn create_project(
    tx: &Transaction<'_>,
    key: &str,
    name: &str,
    lead: &str,
) -> Result<String, SimError> {
    if !valid_project_key(key) {
        return Err(SimError::Invalid(format!(
            "project key {key}: must start with an uppercase letter followed by uppercase letters or digits (at most 10)"
        )));
    }
    if project_id_by_key(tx, key)?.is_some() {
        return Err(SimError::AlreadyExists(format!("project {key}")));
    }
    if user(tx, lead)?.is_none() {
        return Err(SimError::NotFound(format!("user {lead}")));
    }
    let id = next_id(tx, "projects", 10000)?;
    tx.execute(
        "INSERT INTO projects (id, key, name, lead, type_key) VALUES (?1, ?2, ?3, ?4, 'software')",
        params![id, key, name, lead],
    )?;
    let task = issue_type_id(tx, "Task")?;
    tx.execute(
        "INSERT OR IGNORE INTO project_issue_types (project_id, issue_type_id) VALUES (?1, ?2)",
        params![id, task],
    )?;
    Ok(id.to_string())
}

/// A service desk as stored.
#[derive(Debug, Clone)]
pub struct ServiceDeskRow {
    pub id: i64,
    pub project_id: i64,
    pub portal_id: i64,
}

fn row_service_desk(r: &rusqlite::Row<'_>) -> rusqlite::Result<ServiceDeskRow> {
    Ok(ServiceDeskRow {
        id: r.get(0)?,
        project_id: r.get(1)?,
        portal_id: r.get(2)?,
    })
}

const SD_COLS: &str = "id, project_id, portal_id";

pub fn service_desks(conn: &Connection) -> Result<Vec<ServiceDeskRow>, SimError> {
    let mut stmt = conn.prepare(&format!("SELECT {SD_COLS} FROM service_desks ORDER BY id"))?;
    let rows = stmt.query_map([], row_service_desk)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn service_desk(conn: &Connection, id: i64) -> Result<Option<ServiceDeskRow>, SimError> {
    Ok(conn
        .query_row(
            &format!("SELECT {SD_COLS} FROM service_desks WHERE id = ?1"),
            [id],
            row_service_desk,
        )
        .optional()?)
}

pub fn service_desk_of_project(
    conn: &Connection,
    project_id: i64,
) -> Result<Option<ServiceDeskRow>, SimError> {
    Ok(conn
        .query_row(
            &format!("SELECT {SD_COLS} FROM service_desks WHERE project_id = ?1"),
            [project_id],
            row_service_desk,
        )
        .optional()?)
}

pub fn create_service_desk(
    tx: &Transaction<'_>,
    project_key: &str,
    portal_name: &str,
) -> Result<(String, String), SimError> {
    let pid = project_id_by_key(tx, project_key)?
        .ok_or_else(|| SimError::NotFound(format!("project {project_key}")))?;
    if service_desk_of_project(tx, pid)?.is_some() {
        return Err(SimError::AlreadyExists(format!(
            "service desk of {project_key}"
        )));
    }
    let id = next_id(tx, "service_desks", 1)?;
    tx.execute(
        "INSERT INTO service_desks (id, project_id, portal_id, portal_name) VALUES (?1, ?2, ?1, ?3)",
        params![id, pid, portal_name],
    )?;
    tx.execute(
        "UPDATE projects SET type_key = 'service_desk' WHERE id = ?1",
        [pid],
    )?;
    Ok((id.to_string(), id.to_string()))
}

/// A request type with its service desk's project and portal.
#[derive(Debug, Clone)]
pub struct RequestTypeRow {
    pub id: i64,
    pub name: String,
    pub issue_type_id: i64,
    pub service_desk_id: i64,
    pub project_id: i64,
    pub portal_id: i64,
}

fn row_request_type(r: &rusqlite::Row<'_>) -> rusqlite::Result<RequestTypeRow> {
    Ok(RequestTypeRow {
        id: r.get(0)?,
        name: r.get(1)?,
        issue_type_id: r.get(2)?,
        service_desk_id: r.get(3)?,
        project_id: r.get(4)?,
        portal_id: r.get(5)?,
    })
}

const RT_SELECT: &str =
    "SELECT r.id, r.name, r.issue_type_id, r.service_desk_id, s.project_id, s.portal_id
     FROM request_types r JOIN service_desks s ON s.id = r.service_desk_id";

pub fn request_type(conn: &Connection, id: i64) -> Result<Option<RequestTypeRow>, SimError> {
    Ok(conn
        .query_row(
            &format!("{RT_SELECT} WHERE r.id = ?1"),
            [id],
            row_request_type,
        )
        .optional()?)
}

/// Request types of a service desk, by id.
pub fn request_types_of(
    conn: &Connection,
    service_desk_id: i64,
) -> Result<Vec<RequestTypeRow>, SimError> {
    let mut stmt = conn.prepare(&format!(
        "{RT_SELECT} WHERE r.service_desk_id = ?1 ORDER BY r.id"
    ))?;
    let rows = stmt.query_map([service_desk_id], row_request_type)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Request type ids with this id or (case-insensitive) name.
pub fn request_types_named(conn: &Connection, value: &str) -> Result<Vec<i64>, SimError> {
    let id = value.parse::<i64>().ok();
    let mut stmt = conn.prepare(
        "SELECT id FROM request_types WHERE id = ?1 OR lower(name) = lower(?2) ORDER BY id",
    )?;
    let rows = stmt.query_map(params![id, value], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn create_request_type(
    tx: &Transaction<'_>,
    service_desk_id: &str,
    name: &str,
    issue_type_name: &str,
) -> Result<String, SimError> {
    let sd = parse_id(service_desk_id, "service desk")?;
    let pid = service_desk(tx, sd)?
        .map(|s| s.project_id)
        .ok_or_else(|| SimError::NotFound(format!("service desk {service_desk_id}")))?;
    if request_types_of(tx, sd)?.iter().any(|r| r.name == name) {
        return Err(SimError::AlreadyExists(format!("request type {name}")));
    }
    let it = issue_type_id(tx, issue_type_name)?;
    tx.execute(
        "INSERT OR IGNORE INTO project_issue_types (project_id, issue_type_id) VALUES (?1, ?2)",
        params![pid, it],
    )?;
    let id = next_id(tx, "request_types", 1)?;
    tx.execute(
        "INSERT INTO request_types (id, service_desk_id, name, issue_type_id) VALUES (?1, ?2, ?3, ?4)",
        params![id, sd, name, it],
    )?;
    Ok(id.to_string())
}

/// Whether a project has a workflow transition of this name.
pub fn has_transition(conn: &Connection, project_id: i64, name: &str) -> Result<bool, SimError> {
    Ok(conn.query_row(
        "SELECT COUNT(*) > 0 FROM transitions WHERE project_id = ?1 AND name = ?2",
        params![project_id, name],
        |r| r.get(0),
    )?)
}

pub fn add_transition(
    tx: &Transaction<'_>,
    project_key: &str,
    name: &str,
    to_status: &str,
) -> Result<String, SimError> {
    let pid = project_id_by_key(tx, project_key)?
        .ok_or_else(|| SimError::NotFound(format!("project {project_key}")))?;
    if has_transition(tx, pid, name)? {
        return Err(SimError::AlreadyExists(format!(
            "transition {name} in {project_key}"
        )));
    }
    let sid = status_id(tx, to_status)?;
    // Jira numbers workflow transitions 11, 21, 31, ...
    let id: i64 = tx.query_row(
        "SELECT COALESCE(MAX(id), 1) + 10 FROM transitions",
        [],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO transitions (id, project_id, name, to_status_id) VALUES (?1, ?2, ?3, ?4)",
        params![id, pid, name, sid],
    )?;
    Ok(id.to_string())
}

/// Transitions of a project that lead away from `status_id`: (id, name, to status).
pub fn transitions_from(
    conn: &Connection,
    project_id: i64,
    status_id: i64,
) -> Result<Vec<(i64, String, i64)>, SimError> {
    let mut stmt = conn.prepare(
        "SELECT id, name, to_status_id FROM transitions
         WHERE project_id = ?1 AND to_status_id != ?2 ORDER BY id",
    )?;
    let rows = stmt.query_map(params![project_id, status_id], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether a project with this id exists.
pub fn project_exists(conn: &Connection, id: i64) -> Result<bool, SimError> {
    exists(conn, "projects", id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_keys() {
        assert!(valid_project_key("AIR"));
        assert!(valid_project_key("A1"));
        assert!(!valid_project_key("air"));
        assert!(!valid_project_key("1A"));
        assert!(!valid_project_key("ABCDEFGHIJK"));
    }
}
