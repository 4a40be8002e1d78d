//! Project roles (site-wide) and their actors (per project).

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{group, next_id, parse_id, project_id_by_key, user};
use crate::{RoleMember, SimError};

/// First id of project roles (Jira Cloud numbers them from 10002 on).
const FIRST_ROLE_ID: i64 = 10002;

pub fn create_project_role(
    tx: &Transaction<'_>,
    name: &str,
    description: &str,
) -> Result<String, SimError> {
    if name.trim().is_empty() {
        return Err(SimError::Invalid("project role name is empty".into()));
    }
    if project_role_by_name(tx, name)?.is_some() {
        return Err(SimError::AlreadyExists(format!("project role {name}")));
    }
    let id = next_id(tx, "project_roles", FIRST_ROLE_ID)?;
    tx.execute(
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
    tx: &Transaction<'_>,
    project_key: &str,
    role_id: &str,
    member: &RoleMember,
) -> Result<(), SimError> {
    let (pid, rid, account, gid) = role_actor_key(tx, project_key, role_id, member)?;
    // Actor ids look like Jira's (10240, 10241, ...).
    let id = next_id(tx, "project_role_actors", 10240)?;
    tx.execute(
        "INSERT OR IGNORE INTO project_role_actors (id, project_id, role_id, account_id, group_id)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, pid, rid, account, gid],
    )?;
    Ok(())
}

pub fn remove_role_actor(
    tx: &Transaction<'_>,
    project_key: &str,
    role_id: &str,
    member: &RoleMember,
) -> Result<(), SimError> {
    let (pid, rid, account, gid) = role_actor_key(tx, project_key, role_id, member)?;
    let n = tx.execute(
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
