//! The demo site.

use rusqlite::Transaction;

use super::{
    add_role_actor, add_to_group, add_transition, create_group, create_project,
    create_project_role, create_request_type, create_service_desk, create_user, group,
    has_transition, project_id_by_key, project_role_by_name, request_types_of,
    service_desk_of_project, user_by_email,
};
use crate::{DemoSite, DemoUser, NewUser, RoleMember, SimError, UserKind};

struct DemoSpec {
    role: &'static str,
    name: &'static str,
    email: &'static str,
    token: &'static str,
    tz: &'static str,
    admin: bool,
    groups: &'static [&'static str],
    kind: UserKind,
}

const DEMO_USERS: [DemoSpec; 7] = [
    DemoSpec {
        role: "admin",
        name: "Ada Admin",
        email: "ada@aigis.example",
        token: "demo-ada-token",
        tz: "Europe/London",
        admin: true,
        groups: &["jira-admins", "jira-servicedesk-users"],
        kind: UserKind::Licensed,
    },
    DemoSpec {
        role: "approver",
        name: "Arlo Approver",
        email: "arlo@aigis.example",
        token: "demo-arlo-token",
        tz: "America/New_York",
        admin: false,
        groups: &["aigis-approvers", "jira-servicedesk-users"],
        kind: UserKind::Licensed,
    },
    DemoSpec {
        role: "approver",
        name: "Bea Approver",
        email: "bea@aigis.example",
        token: "demo-bea-token",
        tz: "Asia/Tokyo",
        admin: false,
        groups: &["aigis-approvers", "jira-servicedesk-users"],
        kind: UserKind::Licensed,
    },
    DemoSpec {
        role: "requester",
        name: "Rita Requester",
        email: "rita@aigis.example",
        token: "demo-rita-token",
        tz: "Europe/Berlin",
        admin: false,
        groups: &["ai-users"],
        kind: UserKind::Licensed,
    },
    DemoSpec {
        role: "requester",
        name: "Sam Requester",
        email: "sam@aigis.example",
        token: "demo-sam-token",
        tz: "America/Los_Angeles",
        admin: false,
        groups: &["ai-users"],
        kind: UserKind::Licensed,
    },
    // Portal-only requesters, the usual ones on a real site: a JSM customer
    // account and an Atlassian account without Jira access.
    DemoSpec {
        role: "customer",
        name: "Cora Customer",
        email: "cora@aigis.example",
        token: "demo-cora-token",
        tz: "Australia/Sydney",
        admin: false,
        groups: &[],
        kind: UserKind::Customer,
    },
    DemoSpec {
        role: "unlicensed",
        name: "Uma Unlicensed",
        email: "uma@aigis.example",
        token: "demo-uma-token",
        tz: "Europe/Paris",
        admin: false,
        groups: &[],
        kind: UserKind::Unlicensed,
    },
];

pub const DEMO_PROJECT: &str = "AIR";
pub const DEMO_OPS_PROJECT: &str = "OPS";
/// The demo project role whose actors are the service desk's agents.
pub const DEMO_ROLE: &str = "Service Desk Team";
/// The demo portal's request type.
pub const DEMO_REQUEST_TYPE: &str = "AI tool access";

/// Create whatever of the demo site is missing, then describe it.
pub fn seed_demo(tx: &Transaction<'_>) -> Result<DemoSite, SimError> {
    let mut users = Vec::new();
    for spec in &DEMO_USERS {
        let u = match user_by_email(tx, spec.email)? {
            Some(u) => u,
            None => create_user(
                tx,
                NewUser {
                    account_id: None,
                    email: spec.email.into(),
                    display_name: spec.name.into(),
                    time_zone: spec.tz.into(),
                    api_token: spec.token.into(),
                    site_admin: spec.admin,
                    kind: spec.kind,
                },
            )?,
        };
        for g in spec.groups {
            if group(tx, Some(g), None)?.is_none() {
                create_group(tx, g)?;
            }
            add_to_group(tx, g, &u.account_id)?;
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
    if project_id_by_key(tx, DEMO_PROJECT)?.is_none() {
        create_project(tx, DEMO_PROJECT, "AI Requests", &lead)?;
    }
    let pid = project_id_by_key(tx, DEMO_PROJECT)?
        .ok_or_else(|| SimError::NotFound(DEMO_PROJECT.into()))?;
    let (sd_id, portal_id) = match service_desk_of_project(tx, pid)? {
        Some(sd) => (sd.id.to_string(), sd.portal_id.to_string()),
        None => create_service_desk(tx, DEMO_PROJECT, "AI Access Portal")?,
    };
    let sd_num: i64 = sd_id
        .parse()
        .map_err(|_| SimError::Invalid(format!("service desk id {sd_id}")))?;
    let existing = request_types_of(tx, sd_num)?
        .into_iter()
        .find(|r| r.name == DEMO_REQUEST_TYPE);
    let request_type_id = match existing {
        Some(rt) => rt.id.to_string(),
        None => create_request_type(tx, &sd_id, DEMO_REQUEST_TYPE, "Service Request")?,
    };
    let transitions: [(&str, &str, &str); 4] = [
        (DEMO_PROJECT, "Approve", "Approved"),
        (DEMO_PROJECT, "Decline", "Declined"),
        (DEMO_PROJECT, "Done", "Done"),
        (DEMO_OPS_PROJECT, "Done", "Done"),
    ];
    if project_id_by_key(tx, DEMO_OPS_PROJECT)?.is_none() {
        create_project(tx, DEMO_OPS_PROJECT, "Operations", &lead)?;
    }
    for (p, name, to) in transitions {
        let pid = project_id_by_key(tx, p)?.ok_or_else(|| SimError::NotFound(p.into()))?;
        if !has_transition(tx, pid, name)? {
            add_transition(tx, p, name, to)?;
        }
    }
    // The JSM agents' role on the intake project: the approver group and Bea.
    let role_id = match project_role_by_name(tx, DEMO_ROLE)? {
        Some(id) => id.to_string(),
        None => create_project_role(
            tx,
            DEMO_ROLE,
            "Agents who work on the service desk's requests",
        )?,
    };
    add_role_actor(
        tx,
        DEMO_PROJECT,
        &role_id,
        &RoleMember::Group("aigis-approvers".into()),
    )?;
    if let Some(bea) = users.iter().find(|u| u.email.starts_with("bea@")) {
        add_role_actor(
            tx,
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
