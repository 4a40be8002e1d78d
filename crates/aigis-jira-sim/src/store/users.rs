//! Users, groups and group membership.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

use super::hex;
use crate::{AGENT_GROUPS, NewUser, SimError, SimUser, UserKind};

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
        kind: UserKind::parse(&r.get::<_, String>(5)?),
    })
}

const USER_COLS: &str = "account_id, email, display_name, time_zone, site_admin, kind";

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

/// (groupId, name) of every group, by name (case-insensitive).
pub fn all_groups(conn: &Connection) -> Result<Vec<(String, String)>, SimError> {
    let mut stmt = conn.prepare("SELECT group_id, name FROM groups ORDER BY name, group_id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
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

/// Members of a group with whether each is active, by display name.
pub fn group_members(
    conn: &Connection,
    group_id: &str,
    include_inactive: bool,
) -> Result<Vec<(SimUser, bool)>, SimError> {
    let mut stmt = conn.prepare(
        "SELECT u.account_id, u.email, u.display_name, u.time_zone, u.site_admin, u.kind, u.active
         FROM users u JOIN group_members m ON m.account_id = u.account_id
         WHERE m.group_id = ?1 AND (?2 OR u.active = 1) ORDER BY u.display_name, u.account_id",
    )?;
    let rows = stmt.query_map(params![group_id, include_inactive], |r| {
        Ok((row_user(r)?, r.get::<_, bool>(6)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Account ids of a group's active members (by group name).
pub fn member_ids(conn: &Connection, group_name: &str) -> Result<Vec<String>, SimError> {
    let mut stmt = conn.prepare(
        "SELECT m.account_id FROM group_members m JOIN groups g ON g.group_id = m.group_id
         JOIN users u ON u.account_id = m.account_id
         WHERE g.name = ?1 AND u.active = 1 ORDER BY m.account_id",
    )?;
    let rows = stmt.query_map([group_name], |r| r.get(0))?;
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

pub fn create_user(tx: &Transaction<'_>, u: NewUser) -> Result<SimUser, SimError> {
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
    if user(tx, &account_id)?.is_some() || user_by_email(tx, &u.email)?.is_some() {
        return Err(SimError::AlreadyExists(format!("user {}", u.email)));
    }
    let time_zone = if u.time_zone.is_empty() {
        "UTC".to_string()
    } else {
        u.time_zone
    };
    tx.execute(
        "INSERT INTO users (account_id, email, display_name, time_zone, api_token, site_admin, kind)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            account_id,
            u.email,
            u.display_name,
            time_zone,
            u.api_token,
            u.site_admin,
            u.kind.as_str()
        ],
    )?;
    Ok(SimUser {
        account_id,
        email: u.email,
        display_name: u.display_name,
        time_zone,
        site_admin: u.site_admin,
        kind: u.kind,
    })
}

pub fn create_group(tx: &Transaction<'_>, name: &str) -> Result<String, SimError> {
    if name.trim().is_empty() {
        return Err(SimError::Invalid("group name is empty".into()));
    }
    if group(tx, Some(name), None)?.is_some() {
        return Err(SimError::AlreadyExists(format!("group {name}")));
    }
    let id = group_id_for(name);
    tx.execute(
        "INSERT INTO groups (group_id, name) VALUES (?1, ?2)",
        params![id, name],
    )?;
    Ok(id)
}

pub fn add_to_group(
    tx: &Transaction<'_>,
    group_name: &str,
    account_id: &str,
) -> Result<(), SimError> {
    let (gid, _) = group(tx, Some(group_name), None)?
        .ok_or_else(|| SimError::NotFound(format!("group {group_name}")))?;
    if user(tx, account_id)?.is_none() {
        return Err(SimError::NotFound(format!("user {account_id}")));
    }
    tx.execute(
        "INSERT OR IGNORE INTO group_members (group_id, account_id) VALUES (?1, ?2)",
        params![gid, account_id],
    )?;
    Ok(())
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
        assert_ne!(group_id_for("a"), group_id_for("b"));
    }
}
