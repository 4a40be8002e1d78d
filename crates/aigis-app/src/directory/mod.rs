//! `directory.*`: people, groups, roles, projects, portals and request
//! types as Jira knows them, read with the app's own rights. Display names
//! in bulk for everyone signed in ([`users`]); the admin pickers
//! ([`pickers`]) for Jira admins only.

pub mod pickers;
pub mod users;

use crate::api::{Route, route};
use crate::error::AppError;
use crate::jira;
use aigis_platform::{Platform, Principal};
use serde_json::Value;

pub const ROUTES: &[Route] = &[
    route!("directory.users", SignedIn, directory::users::users),
    route!(
        "directory.searchUsers",
        Admin,
        directory::pickers::search_users
    ),
    route!("directory.groups", Admin, directory::pickers::groups),
    route!("directory.roles", Admin, directory::pickers::roles),
    route!("directory.projects", Admin, directory::pickers::projects),
    route!("directory.portals", Admin, directory::pickers::portals),
    route!(
        "directory.requestTypes",
        Admin,
        directory::pickers::request_types
    ),
];

/// A Jira read as the app; `None` when Jira answers 404.
pub(crate) fn get(p: &Platform, path: &str, what: &str) -> Result<Option<Value>, AppError> {
    let a = jira::call(p, Principal::App, "GET", path, None)?;
    if a.status == 404 {
        return Ok(None);
    }
    a.require(what).map(Some)
}

/// The string at `key` of `v`, or "".
pub(crate) fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}
