//! Intake configuration: where requests come from and who approves them.

use crate::access::Caller;
use crate::error::{AppError, parse_payload};
use crate::repo::{self, Change};
use aigis_core::audit::NewEvent;
use aigis_core::model::check_text;
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

const KEY: &str = "config:intake";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Intake {
    /// The JSM project whose issues are requests; others are ignored.
    pub project_key: String,
    /// Jira groups whose members may approve (Jira admins always may).
    #[serde(default)]
    pub approver_groups: Vec<String>,
}

pub fn load(p: &Platform) -> Result<Option<Intake>, AppError> {
    repo::get_kv(p, KEY)
}

/// `config.getIntake` (admin).
pub fn get(p: &Platform, caller: &Caller) -> Result<Value, AppError> {
    caller.require_admin()?;
    Ok(json!({ "intake": load(p)? }))
}

/// `config.setIntake` (admin): replaces the intake configuration.
pub fn set(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    caller.require_admin()?;
    let intake: Intake = parse_payload(payload)?;
    let key_ok = (1..=10).contains(&intake.project_key.len())
        && intake
            .project_key
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && intake
            .project_key
            .starts_with(|c: char| c.is_ascii_uppercase());
    if !key_ok {
        return Err(AppError::invalid(
            "projectKey",
            "must be a Jira project key: 1-10 of A-Z and 0-9, starting with a letter",
        ));
    }
    if intake.approver_groups.len() > 20 {
        return Err(AppError::invalid("approverGroups", "at most 20 groups"));
    }
    for g in &intake.approver_groups {
        check_text("approverGroups", g, 1, 255)?;
    }
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        if load(p)?.as_ref() == Some(&intake) {
            return Ok(((), c));
        }
        c.put_kv(KEY, &intake)?;
        c.event(NewEvent::new(
            &caller.account_id,
            "config.intake.updated",
            "config:intake",
            json!(intake),
        ));
        Ok(((), c))
    })?;
    Ok(json!({ "intake": intake, "changed": !done.events.is_empty() }))
}
