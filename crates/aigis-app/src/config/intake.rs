//! `config.getIntake` and `config.setIntake`: the intake configuration
//! ([`aigis_core::intake::Intake`]).
//!
//! `config.setIntake` is a partial update: each top-level field present in
//! the payload replaces the stored one, `null` clears it (back to its empty
//! default), and fields left out keep their stored value. `projectKey` is
//! required the first time.

use crate::access::{Caller, load_intake};
use crate::api::NoArgs;
use crate::api::patch::Patch;
use crate::error::AppError;
use crate::names::INTAKE;
use crate::repo::{self, Change};
use aigis_core::audit::NewEvent;
use aigis_core::intake::{ApproverRole, Delegation, Intake};
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A partial update of the intake (see the module notes).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IntakePatch {
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional = nullable))]
    pub project_key: Patch<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional = nullable))]
    pub service_desk_id: Patch<Option<String>>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional = nullable))]
    pub request_type_ids: Patch<Vec<String>>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional = nullable))]
    pub approver_groups: Patch<Vec<String>>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<ApproverRole>>", optional = nullable))]
    pub approver_roles: Patch<Vec<ApproverRole>>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<Delegation>>", optional = nullable))]
    pub delegations: Patch<Vec<Delegation>>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional = nullable))]
    pub escalation_accounts: Patch<Vec<String>>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional = nullable))]
    pub escalation_group: Patch<Option<String>>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<u32>", optional = nullable))]
    pub approval_sla_hours: Patch<Option<u32>>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional = nullable))]
    pub review_issue_type: Patch<Option<String>>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<u32>", optional = nullable))]
    pub review_window_days: Patch<Option<u32>>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<u32>", optional = nullable))]
    pub audit_retention_days: Patch<Option<u32>>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IntakeOut {
    pub intake: Option<Intake>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IntakeChanged {
    pub intake: Intake,
    pub changed: bool,
}

/// The intake after `patch` on `stored` (none yet: `projectKey` is required).
fn merge(stored: Option<Intake>, patch: IntakePatch) -> Result<Intake, AppError> {
    let project_key = match (&patch.project_key, &stored) {
        (Patch::Set(k), _) => k.clone(),
        (Patch::Keep, Some(cur)) => cur.project_key.clone(),
        _ => return Err(AppError::invalid("projectKey", "is required")),
    };
    let cur = stored.unwrap_or_else(|| Intake {
        project_key: project_key.clone(),
        service_desk_id: None,
        request_type_ids: vec![],
        approver_groups: vec![],
        approver_roles: vec![],
        delegations: vec![],
        escalation_accounts: vec![],
        escalation_group: None,
        approval_sla_hours: None,
        review_issue_type: None,
        review_window_days: None,
        audit_retention_days: None,
    });
    Ok(Intake {
        project_key,
        service_desk_id: patch.service_desk_id.apply(cur.service_desk_id),
        request_type_ids: patch.request_type_ids.apply(cur.request_type_ids),
        approver_groups: patch.approver_groups.apply(cur.approver_groups),
        approver_roles: patch.approver_roles.apply(cur.approver_roles),
        delegations: patch.delegations.apply(cur.delegations),
        escalation_accounts: patch.escalation_accounts.apply(cur.escalation_accounts),
        escalation_group: patch.escalation_group.apply(cur.escalation_group),
        approval_sla_hours: patch.approval_sla_hours.apply(cur.approval_sla_hours),
        review_issue_type: patch.review_issue_type.apply(cur.review_issue_type),
        review_window_days: patch.review_window_days.apply(cur.review_window_days),
        audit_retention_days: patch.audit_retention_days.apply(cur.audit_retention_days),
    })
}

/// `config.getIntake` (admin).
pub fn get(p: &Platform, _: &Caller, _: NoArgs) -> Result<IntakeOut, AppError> {
    Ok(IntakeOut {
        intake: load_intake(p)?,
    })
}

/// `config.setIntake` (admin): merges the patch into the configuration.
pub fn set(p: &Platform, caller: &Caller, patch: IntakePatch) -> Result<IntakeChanged, AppError> {
    let intake = merge(load_intake(p)?, patch)?;
    intake.check()?;
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        if load_intake(p)?.as_ref() == Some(&intake) {
            return Ok(((), c));
        }
        c.put_kv(INTAKE, &intake)?;
        c.event(NewEvent::new(
            &caller.account_id,
            "config.intake.updated",
            "config:intake",
            json!(intake),
        ));
        Ok(((), c))
    })?;
    Ok(IntakeChanged {
        intake,
        changed: !done.events.is_empty(),
    })
}
