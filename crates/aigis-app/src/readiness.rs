//! `readiness` (admin): what is configured and what is missing.

use crate::access::Caller;
use crate::api::{NoArgs, Route, route};
use crate::error::AppError;
use crate::names::TOOL;
use crate::{governance, jira};
use aigis_core::intake::Intake;
use aigis_platform::{EntityQuery, Platform};
use serde::Serialize;
use serde_json::json;

pub const ROUTES: &[Route] = &[route!("readiness", Admin, readiness::readiness)];

/// One readiness check: `status` is `ok`, `missing` or `warning`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Check {
    pub check: String,
    pub status: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Readiness {
    /// True when nothing is missing.
    pub ready: bool,
    pub checks: Vec<Check>,
}

fn check(name: &str, status: &str, message: impl Into<String>) -> Check {
    Check {
        check: name.into(),
        status: status.into(),
        message: message.into(),
    }
}

fn any_tool(p: &Platform, status: &str) -> Result<bool, AppError> {
    let page = p.storage.entity_query(&EntityQuery {
        entity: TOOL.into(),
        index: "by-status".into(),
        partition: vec![json!(status)],
        limit: 1,
        ..Default::default()
    })?;
    Ok(!page.items.is_empty())
}

/// Who may approve besides Jira admins: the approver groups and roles.
/// Each configured role is read once, so a role Jira does not know (or that
/// cannot be read) shows as a warning.
fn approvers(p: &Platform, i: &Intake) -> Check {
    if i.approver_groups.is_empty() && i.approver_roles.is_empty() {
        return check(
            "approvers",
            "warning",
            "no approver groups or roles: only Jira administrators can approve",
        );
    }
    let mut parts = Vec::new();
    if !i.approver_groups.is_empty() {
        parts.push(format!("approver groups: {}", i.approver_groups.join(", ")));
    }
    let mut problems = Vec::new();
    if !i.approver_roles.is_empty() {
        let mut roles = Vec::new();
        for r in &i.approver_roles {
            let name = format!("{}/{}", r.project_key, r.role_id);
            match jira::project_role(p, &r.project_key, &r.role_id) {
                Ok(Some(a)) => roles.push(format!(
                    "{name} ({} user(s), {} group(s))",
                    a.users.len(),
                    a.groups.len()
                )),
                Ok(None) => {
                    problems.push(format!("approver role {name} is not found in Jira"));
                }
                Err(e) => problems.push(format!(
                    "approver role {name} could not be read: {}",
                    e.message
                )),
            }
        }
        if !roles.is_empty() {
            parts.push(format!("approver roles: {}", roles.join(", ")));
        }
    }
    if problems.is_empty() {
        check("approvers", "ok", parts.join("; "))
    } else {
        parts.extend(problems);
        check("approvers", "warning", parts.join("; "))
    }
}

/// Each check has status `ok`, `missing` or `warning` and a message;
/// `ready` is true when nothing is missing.
pub fn readiness(p: &Platform, caller: &Caller, _: NoArgs) -> Result<Readiness, AppError> {
    let intake = caller.intake()?.cloned();
    let mut checks = Vec::new();
    let approved = any_tool(p, "approved")?;
    let governed = approved || any_tool(p, "blocked")? || any_tool(p, "denied")?;
    checks.push(match (approved, governed) {
        (true, _) => check("catalog", "ok", "the catalog has requestable tools"),
        (false, true) => check(
            "catalog",
            "warning",
            "the catalog has no approved tool: nothing can be requested",
        ),
        (false, false) => check(
            "catalog",
            "missing",
            "the catalog is empty: add tools or seed the built-in list",
        ),
    });
    let g = governance::current(p)?;
    checks.push(if governance::is_configured(p)? {
        check(
            "governance",
            "ok",
            format!("governance version {} is in force", g.version),
        )
    } else {
        check(
            "governance",
            "warning",
            "built-in governance defaults are in force; review and save them",
        )
    });
    match &intake {
        None => {
            checks.push(check(
                "intakeProject",
                "missing",
                "no JSM intake project is configured",
            ));
            checks.push(check(
                "portal",
                "missing",
                "no portal (service desk) is configured",
            ));
            checks.push(check(
                "requestTypes",
                "missing",
                "no request types are configured",
            ));
            checks.push(check(
                "approvers",
                "warning",
                "only Jira administrators can approve",
            ));
        }
        Some(i) => {
            checks.push(check(
                "intakeProject",
                "ok",
                format!("requests come from project {}", i.project_key),
            ));
            checks.push(match &i.service_desk_id {
                Some(sd) => check(
                    "portal",
                    "ok",
                    format!("portal gating on service desk {sd}"),
                ),
                None => check(
                    "portal",
                    "warning",
                    "no portal configured: every issue of the project with a snapshot is ingested",
                ),
            });
            checks.push(if i.request_type_ids.is_empty() {
                check(
                    "requestTypes",
                    "warning",
                    "no request types configured: every request type is accepted",
                )
            } else {
                check(
                    "requestTypes",
                    "ok",
                    format!("{} request type(s) accepted", i.request_type_ids.len()),
                )
            });
            checks.push(approvers(p, i));
        }
    }
    checks.push(check(
        "connectors",
        "warning",
        "not configured: grants are fulfilled by hand (manual fulfilment)",
    ));
    let ready = checks.iter().all(|c| c.status != "missing");
    Ok(Readiness { ready, checks })
}
