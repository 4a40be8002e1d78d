//! `mypermissions`: the permission model of the crate docs.

use serde_json::{Map, json};

use super::reply::json_resp;
use super::{Ctx, HResult, Req, reply};
use crate::store;

pub fn my_permissions(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let q = &req.query;
    let keys = q.list("permissions");
    if keys.is_empty() {
        return Err(reply::fail(400, "The permissions parameter is required."));
    }
    if let Some(pk) = q.get("projectKey")
        && store::project_id_by_key(ctx.tx, pk)?.is_none()
    {
        return Err(reply::fail(
            404,
            &format!("No project could be found with key '{pk}'."),
        ));
    }
    if let Some(ik) = q.get("issueKey").or(q.get("issueId")) {
        ctx.visible_issue(ik)?;
    }
    let agent = ctx.is_agent()?;
    let site_admin = ctx.is_site_admin();
    let jira_admin = ctx.is_jira_admin()?;
    let mut perms = Map::new();
    for key in &keys {
        let Some((id, name, kind, rule)) = PERMISSIONS
            .iter()
            .find(|p| p.0 == key)
            .map(|p| (p.1, p.2, p.3, p.4))
        else {
            return Err(reply::fail(400, &format!("Invalid permission key: {key}")));
        };
        let have = match rule {
            Rule::Everyone => true,
            Rule::Agent => agent,
            Rule::JiraAdmin => jira_admin,
            Rule::SiteAdmin => site_admin,
        };
        perms.insert(
            key.clone(),
            json!({
                "id": id, "key": key, "name": name, "type": kind,
                "description": name, "havePermission": have,
            }),
        );
    }
    Ok(json_resp(200, &json!({ "permissions": perms })))
}

#[derive(Clone, Copy)]
enum Rule {
    Everyone,
    Agent,
    JiraAdmin,
    SiteAdmin,
}

/// (key, id, name, type, who has it).
const PERMISSIONS: &[(&str, &str, &str, &str, Rule)] = &[
    (
        "ADMINISTER",
        "0",
        "Administer Jira",
        "GLOBAL",
        Rule::JiraAdmin,
    ),
    (
        "SYSTEM_ADMIN",
        "44",
        "Jira System Administrators",
        "GLOBAL",
        Rule::SiteAdmin,
    ),
    (
        "USER_PICKER",
        "27",
        "Browse users and groups",
        "GLOBAL",
        Rule::Everyone,
    ),
    (
        "CREATE_SHARED_OBJECTS",
        "22",
        "Share dashboards and filters",
        "GLOBAL",
        Rule::Everyone,
    ),
    (
        "MANAGE_GROUP_FILTER_SUBSCRIPTIONS",
        "24",
        "Manage group filter subscriptions",
        "GLOBAL",
        Rule::Everyone,
    ),
    (
        "BULK_CHANGE",
        "33",
        "Make bulk changes",
        "GLOBAL",
        Rule::Everyone,
    ),
    (
        "ADMINISTER_PROJECTS",
        "23",
        "Administer Projects",
        "PROJECT",
        Rule::JiraAdmin,
    ),
    (
        "BROWSE_PROJECTS",
        "10",
        "Browse Projects",
        "PROJECT",
        Rule::Everyone,
    ),
    (
        "CREATE_ISSUES",
        "11",
        "Create Issues",
        "PROJECT",
        Rule::Everyone,
    ),
    (
        "ADD_COMMENTS",
        "15",
        "Add Comments",
        "PROJECT",
        Rule::Everyone,
    ),
    (
        "EDIT_OWN_COMMENTS",
        "39",
        "Edit Own Comments",
        "PROJECT",
        Rule::Everyone,
    ),
    (
        "DELETE_OWN_COMMENTS",
        "37",
        "Delete Own Comments",
        "PROJECT",
        Rule::Everyone,
    ),
    (
        "CREATE_ATTACHMENTS",
        "19",
        "Create Attachments",
        "PROJECT",
        Rule::Everyone,
    ),
    ("EDIT_ISSUES", "12", "Edit Issues", "PROJECT", Rule::Agent),
    (
        "TRANSITION_ISSUES",
        "46",
        "Transition Issues",
        "PROJECT",
        Rule::Agent,
    ),
    (
        "ASSIGN_ISSUES",
        "13",
        "Assign Issues",
        "PROJECT",
        Rule::Agent,
    ),
    (
        "ASSIGNABLE_USER",
        "17",
        "Assignable User",
        "PROJECT",
        Rule::Agent,
    ),
    (
        "RESOLVE_ISSUES",
        "14",
        "Resolve Issues",
        "PROJECT",
        Rule::Agent,
    ),
    ("CLOSE_ISSUES", "18", "Close Issues", "PROJECT", Rule::Agent),
    ("LINK_ISSUES", "21", "Link Issues", "PROJECT", Rule::Agent),
    (
        "DELETE_ISSUES",
        "16",
        "Delete Issues",
        "PROJECT",
        Rule::Agent,
    ),
    (
        "MODIFY_REPORTER",
        "30",
        "Modify Reporter",
        "PROJECT",
        Rule::Agent,
    ),
    ("MOVE_ISSUES", "25", "Move Issues", "PROJECT", Rule::Agent),
    (
        "SCHEDULE_ISSUES",
        "28",
        "Schedule Issues",
        "PROJECT",
        Rule::Agent,
    ),
    (
        "WORK_ON_ISSUES",
        "20",
        "Work On Issues",
        "PROJECT",
        Rule::Agent,
    ),
    (
        "EDIT_ALL_COMMENTS",
        "34",
        "Edit All Comments",
        "PROJECT",
        Rule::Agent,
    ),
    (
        "DELETE_ALL_COMMENTS",
        "36",
        "Delete All Comments",
        "PROJECT",
        Rule::Agent,
    ),
    (
        "MANAGE_WATCHERS",
        "32",
        "Manage Watchers",
        "PROJECT",
        Rule::Agent,
    ),
    (
        "VIEW_VOTERS_AND_WATCHERS",
        "31",
        "View Voters and Watchers",
        "PROJECT",
        Rule::Agent,
    ),
    (
        "SERVICEDESK_AGENT",
        "10000",
        "Service Desk Agent",
        "PROJECT",
        Rule::Agent,
    ),
];
