//! SQLite tables and the seeding/admin operations.

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::{AGENT_GROUPS, DemoSite, DemoUser, NewUser, RoleMember, SimError, SimEvent, SimUser};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    account_id   TEXT PRIMARY KEY,
    email        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT NOT NULL,
    time_zone    TEXT NOT NULL,
    api_token    TEXT NOT NULL,
    site_admin   INTEGER NOT NULL DEFAULT 0,
    active       INTEGER NOT NULL DEFAULT 1
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

/// Name of the status new issues start in.
pub const INITIAL_STATUS_ID: i64 = 1;

pub fn create_schema(conn: &Connection) -> Result<(), SimError> {
    conn.execute_batch(SCHEMA)?;
    Ok(())
}

/// Next id of a table whose ids start at `first`.
pub fn next_id(conn: &Connection, table: &str, first: i64) -> Result<i64, SimError> {
    let sql = format!("SELECT COALESCE(MAX(id) + 1, ?1) FROM {table}");
    let id: i64 = conn.query_row(&sql, [first], |r| r.get(0))?;
    Ok(id.max(first))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Deterministic 24-hex account id for an e-mail (Jira's modern id format).
pub fn account_id_for(email: &str) -> String {
    let digest = Sha256::digest(format!("aigis-jira-sim:user:{}", email.to_lowercase()));
    hex(&digest)[..24].to_string()
}

/// Deterministic UUID-formatted group id for a group name.
fn group_id_for(name: &str) -> String {
    let h = hex(&Sha256::digest(format!(
        "aigis-jira-sim:group:{}",
        name.to_lowercase()
    )));
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

fn row_user(r: &rusqlite::Row<'_>) -> rusqlite::Result<SimUser> {
    Ok(SimUser {
        account_id: r.get(0)?,
        email: r.get(1)?,
        display_name: r.get(2)?,
        time_zone: r.get(3)?,
        site_admin: r.get(4)?,
    })
}

const USER_COLS: &str = "account_id, email, display_name, time_zone, site_admin";

pub fn user(conn: &Connection, account_id: &str) -> Result<Option<SimUser>, SimError> {
    Ok(conn
        .query_row(
            &format!("SELECT {USER_COLS} FROM users WHERE account_id = ?1"),
            [account_id],
            row_user,
        )
        .optional()?)
}

pub fn user_by_email(conn: &Connection, email: &str) -> Result<Option<SimUser>, SimError> {
    Ok(conn
        .query_row(
            &format!("SELECT {USER_COLS} FROM users WHERE email = ?1 AND active = 1"),
            [email],
            row_user,
        )
        .optional()?)
}

pub fn authenticate(
    conn: &Connection,
    email: &str,
    token: &str,
) -> Result<Option<SimUser>, SimError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {USER_COLS} FROM users WHERE email = ?1 AND api_token = ?2 AND active = 1"
            ),
            params![email, token],
            row_user,
        )
        .optional()?)
}

/// Active users whose e-mail or display name contains `query` (case-insensitive).
pub fn search_users(conn: &Connection, query: &str) -> Result<Vec<SimUser>, SimError> {
    let like = format!("%{}%", query.to_lowercase());
    let mut stmt = conn.prepare(&format!(
        "SELECT {USER_COLS} FROM users WHERE active = 1
         AND (lower(email) LIKE ?1 OR lower(display_name) LIKE ?1)
         ORDER BY display_name, account_id"
    ))?;
    let rows = stmt.query_map([like], row_user)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// (groupId, name) of a user's groups, by name.
pub fn groups_of(conn: &Connection, account_id: &str) -> Result<Vec<(String, String)>, SimError> {
    let mut stmt = conn.prepare(
        "SELECT g.group_id, g.name FROM groups g JOIN group_members m ON m.group_id = g.group_id
         WHERE m.account_id = ?1 ORDER BY g.name",
    )?;
    let rows = stmt.query_map([account_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// (groupId, name) of a group looked up by name or id.
pub fn group(
    conn: &Connection,
    name: Option<&str>,
    id: Option<&str>,
) -> Result<Option<(String, String)>, SimError> {
    Ok(conn
        .query_row(
            "SELECT group_id, name FROM groups WHERE (?1 IS NOT NULL AND name = ?1)
             OR (?1 IS NULL AND group_id = ?2)",
            params![name, id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

pub fn group_members(
    conn: &Connection,
    group_id: &str,
    include_inactive: bool,
) -> Result<Vec<(SimUser, bool)>, SimError> {
    let mut stmt = conn.prepare(
        "SELECT u.account_id, u.email, u.display_name, u.time_zone, u.site_admin, u.active
         FROM users u JOIN group_members m ON m.account_id = u.account_id
         WHERE m.group_id = ?1 AND (?2 OR u.active = 1) ORDER BY u.display_name, u.account_id",
    )?;
    let rows = stmt.query_map(params![group_id, include_inactive], |r| {
        Ok((row_user(r)?, r.get::<_, bool>(5)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn is_agent(conn: &Connection, u: &SimUser) -> Result<bool, SimError> {
    if u.site_admin {
        return Ok(true);
    }
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM group_members m JOIN groups g ON g.group_id = m.group_id
         WHERE m.account_id = ?1 AND g.name IN (?2, ?3)",
        params![u.account_id, AGENT_GROUPS[0], AGENT_GROUPS[1]],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

pub fn in_group(conn: &Connection, account_id: &str, group: &str) -> Result<bool, SimError> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM group_members m JOIN groups g ON g.group_id = m.group_id
         WHERE m.account_id = ?1 AND g.name = ?2",
        params![account_id, group],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

pub fn create_user(conn: &Connection, u: NewUser) -> Result<SimUser, SimError> {
    if !u.email.contains('@') {
        return Err(SimError::Invalid(format!(
            "not an e-mail address: {}",
            u.email
        )));
    }
    if u.display_name.trim().is_empty() {
        return Err(SimError::Invalid("display name is empty".into()));
    }
    let account_id = u.account_id.unwrap_or_else(|| account_id_for(&u.email));
    if user(conn, &account_id)?.is_some() || user_by_email(conn, &u.email)?.is_some() {
        return Err(SimError::AlreadyExists(format!("user {}", u.email)));
    }
    let time_zone = if u.time_zone.is_empty() {
        "UTC".to_string()
    } else {
        u.time_zone
    };
    conn.execute(
        "INSERT INTO users (account_id, email, display_name, time_zone, api_token, site_admin)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            account_id,
            u.email,
            u.display_name,
            time_zone,
            u.api_token,
            u.site_admin
        ],
    )?;
    Ok(SimUser {
        account_id,
        email: u.email,
        display_name: u.display_name,
        time_zone,
        site_admin: u.site_admin,
    })
}

pub fn create_group(conn: &Connection, name: &str) -> Result<String, SimError> {
    if name.trim().is_empty() {
        return Err(SimError::Invalid("group name is empty".into()));
    }
    if group(conn, Some(name), None)?.is_some() {
        return Err(SimError::AlreadyExists(format!("group {name}")));
    }
    let id = group_id_for(name);
    conn.execute(
        "INSERT INTO groups (group_id, name) VALUES (?1, ?2)",
        params![id, name],
    )?;
    Ok(id)
}

pub fn add_to_group(conn: &Connection, group_name: &str, account_id: &str) -> Result<(), SimError> {
    let (gid, _) = group(conn, Some(group_name), None)?
        .ok_or_else(|| SimError::NotFound(format!("group {group_name}")))?;
    if user(conn, account_id)?.is_none() {
        return Err(SimError::NotFound(format!("user {account_id}")));
    }
    conn.execute(
        "INSERT OR IGNORE INTO group_members (group_id, account_id) VALUES (?1, ?2)",
        params![gid, account_id],
    )?;
    Ok(())
}

pub fn project_id_by_key(conn: &Connection, key: &str) -> Result<Option<i64>, SimError> {
    Ok(conn
        .query_row("SELECT id FROM projects WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

fn valid_project_key(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase())
        && key.len() <= 10
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

pub fn create_project(
    conn: &Connection,
    key: &str,
    name: &str,
    lead: &str,
) -> Result<String, SimError> {
    if !valid_project_key(key) {
        return Err(SimError::Invalid(format!(
            "project key {key}: must start with an uppercase letter followed by uppercase letters or digits (at most 10)"
        )));
    }
    if project_id_by_key(conn, key)?.is_some() {
        return Err(SimError::AlreadyExists(format!("project {key}")));
    }
    if user(conn, lead)?.is_none() {
        return Err(SimError::NotFound(format!("user {lead}")));
    }
    let id = next_id(conn, "projects", 10000)?;
    conn.execute(
        "INSERT INTO projects (id, key, name, lead, type_key) VALUES (?1, ?2, ?3, ?4, 'software')",
        params![id, key, name, lead],
    )?;
    let task = issue_type_id(conn, "Task")?;
    conn.execute(
        "INSERT OR IGNORE INTO project_issue_types (project_id, issue_type_id) VALUES (?1, ?2)",
        params![id, task],
    )?;
    Ok(id.to_string())
}

/// Id of an issue type, created if missing.
pub fn issue_type_id(conn: &Connection, name: &str) -> Result<i64, SimError> {
    if let Some(id) = conn
        .query_row("SELECT id FROM issue_types WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?
    {
        return Ok(id);
    }
    let id = next_id(conn, "issue_types", 10001)?;
    conn.execute(
        "INSERT INTO issue_types (id, name) VALUES (?1, ?2)",
        params![id, name],
    )?;
    Ok(id)
}

/// Id of a status, created if missing.
pub fn status_id(conn: &Connection, name: &str) -> Result<i64, SimError> {
    if let Some(id) = conn
        .query_row("SELECT id FROM statuses WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?
    {
        return Ok(id);
    }
    let id = next_id(conn, "statuses", 10000)?;
    conn.execute(
        "INSERT INTO statuses (id, name) VALUES (?1, ?2)",
        params![id, name],
    )?;
    Ok(id)
}

pub fn create_service_desk(
    conn: &Connection,
    project_key: &str,
    portal_name: &str,
) -> Result<(String, String), SimError> {
    let pid = project_id_by_key(conn, project_key)?
        .ok_or_else(|| SimError::NotFound(format!("project {project_key}")))?;
    let exists: Option<i64> = conn
        .query_row(
            "SELECT id FROM service_desks WHERE project_id = ?1",
            [pid],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_some() {
        return Err(SimError::AlreadyExists(format!(
            "service desk of {project_key}"
        )));
    }
    let id = next_id(conn, "service_desks", 1)?;
    conn.execute(
        "INSERT INTO service_desks (id, project_id, portal_id, portal_name) VALUES (?1, ?2, ?1, ?3)",
        params![id, pid, portal_name],
    )?;
    conn.execute(
        "UPDATE projects SET type_key = 'service_desk' WHERE id = ?1",
        [pid],
    )?;
    Ok((id.to_string(), id.to_string()))
}

fn parse_id(s: &str, what: &str) -> Result<i64, SimError> {
    s.parse()
        .map_err(|_| SimError::NotFound(format!("{what} {s}")))
}

pub fn create_request_type(
    conn: &Connection,
    service_desk_id: &str,
    name: &str,
    issue_type_name: &str,
) -> Result<String, SimError> {
    let sd = parse_id(service_desk_id, "service desk")?;
    let pid: i64 = conn
        .query_row(
            "SELECT project_id FROM service_desks WHERE id = ?1",
            [sd],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| SimError::NotFound(format!("service desk {service_desk_id}")))?;
    let exists: Option<i64> = conn
        .query_row(
            "SELECT id FROM request_types WHERE service_desk_id = ?1 AND name = ?2",
            params![sd, name],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_some() {
        return Err(SimError::AlreadyExists(format!("request type {name}")));
    }
    let it = issue_type_id(conn, issue_type_name)?;
    conn.execute(
        "INSERT OR IGNORE INTO project_issue_types (project_id, issue_type_id) VALUES (?1, ?2)",
        params![pid, it],
    )?;
    let id = next_id(conn, "request_types", 1)?;
    conn.execute(
        "INSERT INTO request_types (id, service_desk_id, name, issue_type_id) VALUES (?1, ?2, ?3, ?4)",
        params![id, sd, name, it],
    )?;
    Ok(id.to_string())
}

pub fn add_transition(
    conn: &Connection,
    project_key: &str,
    name: &str,
    to_status: &str,
) -> Result<String, SimError> {
    let pid = project_id_by_key(conn, project_key)?
        .ok_or_else(|| SimError::NotFound(format!("project {project_key}")))?;
    let exists: Option<i64> = conn
        .query_row(
            "SELECT id FROM transitions WHERE project_id = ?1 AND name = ?2",
            params![pid, name],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_some() {
        return Err(SimError::AlreadyExists(format!(
            "transition {name} in {project_key}"
        )));
    }
    let sid = status_id(conn, to_status)?;
    // Jira numbers workflow transitions 11, 21, 31, ...
    let id: i64 = conn.query_row(
        "SELECT COALESCE(MAX(id), 1) + 10 FROM transitions",
        [],
        |r| r.get(0),
    )?;
    conn.execute(
        "INSERT INTO transitions (id, project_id, name, to_status_id) VALUES (?1, ?2, ?3, ?4)",
        params![id, pid, name, sid],
    )?;
    Ok(id.to_string())
}

/// First id of project roles (Jira Cloud numbers them from 10002 on).
const FIRST_ROLE_ID: i64 = 10002;

pub fn create_project_role(
    conn: &Connection,
    name: &str,
    description: &str,
) -> Result<String, SimError> {
    if name.trim().is_empty() {
        return Err(SimError::Invalid("project role name is empty".into()));
    }
    if project_role_by_name(conn, name)?.is_some() {
        return Err(SimError::AlreadyExists(format!("project role {name}")));
    }
    let id = next_id(conn, "project_roles", FIRST_ROLE_ID)?;
    conn.execute(
        "INSERT INTO project_roles (id, name, description) VALUES (?1, ?2, ?3)",
        params![id, name, description],
    )?;
    Ok(id.to_string())
}

/// Id of the project role with this name (case-insensitive).
pub fn project_role_by_name(conn: &Connection, name: &str) -> Result<Option<i64>, SimError> {
    Ok(conn
        .query_row(
            "SELECT id FROM project_roles WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?)
}

/// (name, description) of a project role.
pub fn project_role(conn: &Connection, id: i64) -> Result<Option<(String, String)>, SimError> {
    Ok(conn
        .query_row(
            "SELECT name, description FROM project_roles WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// (id, name) of every project role, by id.
pub fn project_roles(conn: &Connection) -> Result<Vec<(i64, String)>, SimError> {
    let mut stmt = conn.prepare("SELECT id, name FROM project_roles ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// (project id, role id, account id or NULL, group id or NULL) of an actor,
/// checking that the project, role, user or group exist.
fn role_actor_key(
    conn: &Connection,
    project_key: &str,
    role_id: &str,
    member: &RoleMember,
) -> Result<(i64, i64, Option<String>, Option<String>), SimError> {
    let pid = project_id_by_key(conn, project_key)?
        .ok_or_else(|| SimError::NotFound(format!("project {project_key}")))?;
    let rid = parse_id(role_id, "project role")?;
    if project_role(conn, rid)?.is_none() {
        return Err(SimError::NotFound(format!("project role {role_id}")));
    }
    Ok(match member {
        RoleMember::User(account_id) => {
            if user(conn, account_id)?.is_none() {
                return Err(SimError::NotFound(format!("user {account_id}")));
            }
            (pid, rid, Some(account_id.clone()), None)
        }
        RoleMember::Group(name) => {
            let (gid, _) = group(conn, Some(name), None)?
                .ok_or_else(|| SimError::NotFound(format!("group {name}")))?;
            (pid, rid, None, Some(gid))
        }
    })
}

pub fn add_role_actor(
    conn: &Connection,
    project_key: &str,
    role_id: &str,
    member: &RoleMember,
) -> Result<(), SimError> {
    let (pid, rid, account, gid) = role_actor_key(conn, project_key, role_id, member)?;
    // Actor ids look like Jira's (10240, 10241, ...).
    let id = next_id(conn, "project_role_actors", 10240)?;
    conn.execute(
        "INSERT OR IGNORE INTO project_role_actors (id, project_id, role_id, account_id, group_id)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, pid, rid, account, gid],
    )?;
    Ok(())
}

pub fn remove_role_actor(
    conn: &Connection,
    project_key: &str,
    role_id: &str,
    member: &RoleMember,
) -> Result<(), SimError> {
    let (pid, rid, account, gid) = role_actor_key(conn, project_key, role_id, member)?;
    let n = conn.execute(
        "DELETE FROM project_role_actors WHERE project_id = ?1 AND role_id = ?2
         AND account_id IS ?3 AND group_id IS ?4",
        params![pid, rid, account, gid],
    )?;
    if n == 0 {
        return Err(SimError::NotFound(format!(
            "{member:?} in role {role_id} of {project_key}"
        )));
    }
    Ok(())
}

/// One actor of a project role, as stored.
pub struct RoleActorRow {
    pub id: i64,
    pub display_name: String,
    /// The user's account id, for a user actor.
    pub account_id: Option<String>,
    /// (groupId, name), for a group actor.
    pub group: Option<(String, String)>,
    /// False for a deactivated user.
    pub active: bool,
}

/// The actors of a role in a project, by display name.
pub fn role_actors(
    conn: &Connection,
    project_id: i64,
    role_id: i64,
) -> Result<Vec<RoleActorRow>, SimError> {
    let mut stmt = conn.prepare(
        "SELECT a.id, a.account_id, u.display_name, u.active, g.group_id, g.name
         FROM project_role_actors a
         LEFT JOIN users u ON u.account_id = a.account_id
         LEFT JOIN groups g ON g.group_id = a.group_id
         WHERE a.project_id = ?1 AND a.role_id = ?2",
    )?;
    let rows = stmt.query_map(params![project_id, role_id], |r| {
        let account_id: Option<String> = r.get(1)?;
        let user_name: Option<String> = r.get(2)?;
        let active: Option<bool> = r.get(3)?;
        let group_id: Option<String> = r.get(4)?;
        let group_name: Option<String> = r.get(5)?;
        let group = group_id.zip(group_name);
        Ok(RoleActorRow {
            id: r.get(0)?,
            display_name: user_name
                .or_else(|| group.as_ref().map(|(_, n)| n.clone()))
                .unwrap_or_default(),
            account_id,
            group,
            active: active.unwrap_or(true),
        })
    })?;
    let mut out: Vec<RoleActorRow> = rows.collect::<Result<_, _>>()?;
    out.sort_by(|a, b| {
        a.display_name
            .to_lowercase()
            .cmp(&b.display_name.to_lowercase())
            .then(a.id.cmp(&b.id))
    });
    Ok(out)
}

pub fn insert_event(
    conn: &Connection,
    event_type: &str,
    payload: &serde_json::Value,
    now: i64,
) -> Result<i64, SimError> {
    conn.execute(
        "INSERT INTO outbox (event_type, payload, created) VALUES (?1, ?2, ?3)",
        params![event_type, payload.to_string(), now],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn pending_events(conn: &Connection) -> Result<Vec<SimEvent>, SimError> {
    let mut stmt =
        conn.prepare("SELECT id, event_type, payload FROM outbox WHERE acked = 0 ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, event_type, payload) = row?;
        out.push(SimEvent {
            id,
            event_type,
            payload: serde_json::from_str(&payload)?,
        });
    }
    Ok(out)
}

pub fn ack_event(conn: &Connection, id: i64) -> Result<(), SimError> {
    let n = conn.execute("UPDATE outbox SET acked = 1 WHERE id = ?1", [id])?;
    if n == 0 {
        return Err(SimError::NotFound(format!("event {id}")));
    }
    Ok(())
}

struct DemoSpec {
    role: &'static str,
    name: &'static str,
    email: &'static str,
    token: &'static str,
    tz: &'static str,
    admin: bool,
    groups: &'static [&'static str],
}

const DEMO_USERS: [DemoSpec; 5] = [
    DemoSpec {
        role: "admin",
        name: "Ada Admin",
        email: "ada@aigis.example",
        token: "demo-ada-token",
        tz: "Europe/London",
        admin: true,
        groups: &["jira-admins", "jira-servicedesk-users"],
    },
    DemoSpec {
        role: "approver",
        name: "Arlo Approver",
        email: "arlo@aigis.example",
        token: "demo-arlo-token",
        tz: "America/New_York",
        admin: false,
        groups: &["aigis-approvers", "jira-servicedesk-users"],
    },
    DemoSpec {
        role: "approver",
        name: "Bea Approver",
        email: "bea@aigis.example",
        token: "demo-bea-token",
        tz: "Asia/Tokyo",
        admin: false,
        groups: &["aigis-approvers", "jira-servicedesk-users"],
    },
    DemoSpec {
        role: "requester",
        name: "Rita Requester",
        email: "rita@aigis.example",
        token: "demo-rita-token",
        tz: "Europe/Berlin",
        admin: false,
        groups: &["ai-users"],
    },
    DemoSpec {
        role: "requester",
        name: "Sam Requester",
        email: "sam@aigis.example",
        token: "demo-sam-token",
        tz: "America/Los_Angeles",
        admin: false,
        groups: &["ai-users"],
    },
];

pub const DEMO_PROJECT: &str = "AIR";
pub const DEMO_OPS_PROJECT: &str = "OPS";
/// The demo project role whose actors are the service desk's agents.
pub const DEMO_ROLE: &str = "Service Desk Team";

/// Create whatever of the demo site is missing, then describe it.
pub fn seed_demo(conn: &Connection) -> Result<DemoSite, SimError> {
    let mut users = Vec::new();
    for spec in &DEMO_USERS {
        let u = match user_by_email(conn, spec.email)? {
            Some(u) => u,
            None => create_user(
                conn,
                NewUser {
                    account_id: None,
                    email: spec.email.into(),
                    display_name: spec.name.into(),
                    time_zone: spec.tz.into(),
                    api_token: spec.token.into(),
                    site_admin: spec.admin,
                },
            )?,
        };
        for g in spec.groups {
            if group(conn, Some(g), None)?.is_none() {
                create_group(conn, g)?;
            }
            add_to_group(conn, g, &u.account_id)?;
        }
        users.push(DemoUser {
            role: spec.role.into(),
            email: u.email,
            api_token: spec.token.into(),
            account_id: u.account_id,
            display_name: u.display_name,
        });
    }
    let lead = users
        .first()
        .map(|u| u.account_id.clone())
        .ok_or_else(|| SimError::Invalid("no demo users".into()))?;
    if project_id_by_key(conn, DEMO_PROJECT)?.is_none() {
        create_project(conn, DEMO_PROJECT, "AI Requests", &lead)?;
    }
    let pid = project_id_by_key(conn, DEMO_PROJECT)?
        .ok_or_else(|| SimError::NotFound(DEMO_PROJECT.into()))?;
    let sd: Option<(i64, i64)> = conn
        .query_row(
            "SELECT id, portal_id FROM service_desks WHERE project_id = ?1",
            [pid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (sd_id, portal_id) = match sd {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => create_service_desk(conn, DEMO_PROJECT, "AI Access Portal")?,
    };
    let rt: Option<i64> = conn
        .query_row(
            "SELECT id FROM request_types WHERE service_desk_id = ?1 AND name = 'AI tool access'",
            [&sd_id],
            |r| r.get(0),
        )
        .optional()?;
    let request_type_id = match rt {
        Some(id) => id.to_string(),
        None => create_request_type(conn, &sd_id, "AI tool access", "Service Request")?,
    };
    let transitions: [(&str, &str, &str); 4] = [
        (DEMO_PROJECT, "Approve", "Approved"),
        (DEMO_PROJECT, "Decline", "Declined"),
        (DEMO_PROJECT, "Done", "Done"),
        (DEMO_OPS_PROJECT, "Done", "Done"),
    ];
    if project_id_by_key(conn, DEMO_OPS_PROJECT)?.is_none() {
        create_project(conn, DEMO_OPS_PROJECT, "Operations", &lead)?;
    }
    for (p, name, to) in transitions {
        let pid = project_id_by_key(conn, p)?.ok_or_else(|| SimError::NotFound(p.into()))?;
        let exists: Option<i64> = conn
            .query_row(
                "SELECT id FROM transitions WHERE project_id = ?1 AND name = ?2",
                params![pid, name],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_none() {
            add_transition(conn, p, name, to)?;
        }
    }
    // The JSM agents' role on the intake project: the approver group and Bea.
    let role_id = match project_role_by_name(conn, DEMO_ROLE)? {
        Some(id) => id.to_string(),
        None => create_project_role(
            conn,
            DEMO_ROLE,
            "Agents who work on the service desk's requests",
        )?,
    };
    add_role_actor(
        conn,
        DEMO_PROJECT,
        &role_id,
        &RoleMember::Group("aigis-approvers".into()),
    )?;
    if let Some(bea) = users.iter().find(|u| u.email.starts_with("bea@")) {
        add_role_actor(
            conn,
            DEMO_PROJECT,
            &role_id,
            &RoleMember::User(bea.account_id.clone()),
        )?;
    }
    Ok(DemoSite {
        users,
        project_key: DEMO_PROJECT.into(),
        service_desk_id: sd_id,
        portal_id,
        request_type_id,
        approver_role_id: role_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_deterministic() {
        assert_eq!(account_id_for("A@x.io"), account_id_for("a@x.io"));
        assert_eq!(account_id_for("a@x.io").len(), 24);
        let g = group_id_for("jira-admins");
        assert_eq!(g.len(), 36);
        assert!(valid_project_key("AIR"));
        assert!(!valid_project_key("air"));
    }
}
