//! The admin pickers: users, groups, project roles, projects, portals and
//! request types, each one Jira call as Jira documents it, read as the app.

use super::users::{Person, person};
use super::{get, text};
use crate::access::Caller;
use crate::api::NoArgs;
use crate::error::AppError;
use crate::jira::enc;
use aigis_core::ids::ProjectKey;
use aigis_platform::Platform;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// Most entries a picker shows.
pub const PICKER_LIMIT: u32 = 50;
/// The longest search text.
pub const MAX_QUERY: usize = 100;

/// Search text of at most [`MAX_QUERY`] characters, trimmed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct Query(pub String);

impl<'de> Deserialize<'de> for Query {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const RULE: &str = "must be a string of at most 100 characters";
        let s = String::deserialize(d)?;
        if s.chars().count() > MAX_QUERY || s.chars().any(char::is_control) {
            return Err(serde::de::Error::custom(aigis_core::ids::RuleBroken(RULE)));
        }
        Ok(Query(s.trim().to_owned()))
    }
}

/// `{query}`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct QueryArgs {
    pub query: Query,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UserMatches {
    pub users: Vec<Person>,
}

/// `directory.searchUsers` (admin): `{query}` (1 to 100 characters) →
/// people whose name or e-mail matches (`GET /rest/api/3/user/search`).
pub fn search_users(p: &Platform, _: &Caller, a: QueryArgs) -> Result<UserMatches, AppError> {
    if a.query.0.is_empty() {
        return Err(AppError::invalid("query", "must not be empty"));
    }
    let path = format!(
        "/rest/api/3/user/search?query={}&maxResults={PICKER_LIMIT}",
        enc(&a.query.0)
    );
    let users = get(p, &path, "user search")?
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(person)
        .filter(|u| u.active)
        .collect();
    Ok(UserMatches { users })
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GroupRef {
    pub name: String,
    pub group_id: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GroupMatches {
    pub groups: Vec<GroupRef>,
}

/// `directory.groups` (admin): `{query}` (may be empty: the first groups)
/// → groups by name (`GET /rest/api/3/groups/picker`).
pub fn groups(p: &Platform, _: &Caller, a: QueryArgs) -> Result<GroupMatches, AppError> {
    let path = format!(
        "/rest/api/3/groups/picker?query={}&maxResults={PICKER_LIMIT}&caseInsensitive=true",
        enc(&a.query.0)
    );
    let groups = get(p, &path, "group picker")?
        .and_then(|v| v.get("groups").and_then(Value::as_array).cloned())
        .unwrap_or_default()
        .iter()
        .map(|g| GroupRef {
            name: text(g, "name"),
            group_id: text(g, "groupId"),
        })
        .collect();
    Ok(GroupMatches { groups })
}

/// `{projectKey}`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProjectArgs {
    pub project_key: ProjectKey,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RoleRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RoleList {
    pub roles: Vec<RoleRef>,
}

/// `directory.roles` (admin): `{projectKey}` → the project's roles
/// (`GET /rest/api/3/project/{key}/role`: names to role URLs).
pub fn roles(p: &Platform, _: &Caller, a: ProjectArgs) -> Result<RoleList, AppError> {
    let path = format!("/rest/api/3/project/{}/role", enc(&a.project_key));
    let body = get(p, &path, "project roles")?
        .ok_or_else(|| AppError::not_found(format!("Jira has no project {}", a.project_key)))?;
    let mut roles: Vec<RoleRef> = body
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(name, url)| {
            let id = url.as_str()?.rsplit('/').next()?;
            aigis_core::ids::is_jira_id(id).then(|| RoleRef {
                id: id.to_owned(),
                name: name.clone(),
            })
        })
        .collect();
    roles.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(RoleList { roles })
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProjectRef {
    pub id: String,
    pub key: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProjectList {
    pub projects: Vec<ProjectRef>,
}

/// `directory.projects` (admin): the site's projects
/// (`GET /rest/api/3/project/search`, first page).
pub fn projects(p: &Platform, _: &Caller, _: NoArgs) -> Result<ProjectList, AppError> {
    let path = format!("/rest/api/3/project/search?maxResults={PICKER_LIMIT}&orderBy=key");
    let projects = get(p, &path, "project search")?
        .and_then(|v| v.get("values").and_then(Value::as_array).cloned())
        .unwrap_or_default()
        .iter()
        .map(|v| ProjectRef {
            id: text(v, "id"),
            key: text(v, "key"),
            name: text(v, "name"),
        })
        .collect();
    Ok(ProjectList { projects })
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PortalRef {
    /// The service desk id (a portal's id in JSM Cloud).
    pub id: String,
    pub project_key: String,
    pub project_name: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PortalList {
    pub portals: Vec<PortalRef>,
}

/// `directory.portals` (admin): the JSM service desks
/// (`GET /rest/servicedeskapi/servicedesk`).
pub fn portals(p: &Platform, _: &Caller, _: NoArgs) -> Result<PortalList, AppError> {
    let path = format!("/rest/servicedeskapi/servicedesk?limit={PICKER_LIMIT}");
    let portals = get(p, &path, "service desks")?
        .and_then(|v| v.get("values").and_then(Value::as_array).cloned())
        .unwrap_or_default()
        .iter()
        .map(|v| PortalRef {
            id: text(v, "id"),
            project_key: text(v, "projectKey"),
            project_name: text(v, "projectName"),
        })
        .collect();
    Ok(PortalList { portals })
}

/// `{portalId}`: a service desk id.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PortalArgs {
    pub portal_id: aigis_core::ids::JiraId,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RequestTypeRef {
    pub id: String,
    pub name: String,
    pub service_desk_id: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RequestTypeList {
    pub request_types: Vec<RequestTypeRef>,
}

/// `directory.requestTypes` (admin): `{portalId}` → its request types
/// (`GET /rest/servicedeskapi/servicedesk/{id}/requesttype`).
pub fn request_types(p: &Platform, _: &Caller, a: PortalArgs) -> Result<RequestTypeList, AppError> {
    let path = format!(
        "/rest/servicedeskapi/servicedesk/{}/requesttype?limit={PICKER_LIMIT}",
        enc(&a.portal_id)
    );
    let body = get(p, &path, "request types")?
        .ok_or_else(|| AppError::not_found(format!("Jira has no portal {}", a.portal_id)))?;
    let request_types = body
        .get("values")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|v| RequestTypeRef {
            id: text(v, "id"),
            name: text(v, "name"),
            service_desk_id: text(v, "serviceDeskId"),
        })
        .collect();
    Ok(RequestTypeList { request_types })
}
