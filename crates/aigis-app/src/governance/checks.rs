//! What an approval must pass on top of the lifecycle rules.

use crate::access::Caller;
use crate::error::AppError;
use crate::names::{GRANT, TOOL};
use crate::repo;
use aigis_core::governance::Governance;
use aigis_platform::Platform;
use serde_json::json;

/// The governance checks an approval must pass on top of the lifecycle
/// rules: duration within the governance maximum for the tool's risk, and
/// the per-person limit on open critical-risk grants.
pub fn check_approval(
    p: &Platform,
    gov: &Governance,
    tool: &aigis_core::model::Tool,
    request: &aigis_core::model::Request,
) -> Result<(), AppError> {
    gov.check_duration(request.duration_days, tool)?;
    if tool.risk == aigis_core::model::Risk::Critical {
        let open = open_critical_grants(p, &request.requester)?;
        if open >= gov.max_critical_per_person {
            return Err(AppError::conflict(format!(
                "the requester already holds {open} open critical-risk grant(s); governance version {} allows {}",
                gov.version, gov.max_critical_per_person
            )));
        }
    }
    Ok(())
}

/// Open grants of critical-risk tools held by `account`.
fn open_critical_grants(p: &Platform, account: &str) -> Result<u32, AppError> {
    use aigis_core::model::{Grant, Risk, Tool};
    let mut n = 0;
    // Each tool's risk is read once, however many grants name it.
    let mut critical: std::collections::BTreeMap<String, bool> = Default::default();
    let query = aigis_platform::EntityQuery {
        entity: GRANT.into(),
        index: "by-account".into(),
        partition: vec![json!(account)],
        ..Default::default()
    };
    repo::scan(p, query, |_, g: Grant| {
        if !g.status.is_open() {
            return Ok(true);
        }
        let is_critical = match critical.get(&g.tool) {
            Some(c) => *c,
            None => {
                let c =
                    repo::get::<Tool>(p, TOOL, &g.tool)?.is_some_and(|t| t.risk == Risk::Critical);
                critical.insert(g.tool.clone(), c);
                c
            }
        };
        n += u32::from(is_critical);
        Ok(true)
    })?;
    Ok(n)
}

/// Manual approvals of a risk level that needs security review are for
/// security reviewers only (members of the configured group; Jira admins).
pub fn check_reviewer(
    gov: &Governance,
    risk: aigis_core::model::Risk,
    caller: &Caller,
) -> Result<(), AppError> {
    if gov.needs_security_review(risk)
        && !caller.in_group(gov.security_reviewer_group.as_deref())?
    {
        return Err(AppError::forbidden(format!(
            "{} risk needs security review: only security reviewers may approve (governance version {})",
            format!("{risk:?}").to_lowercase(),
            gov.version
        )));
    }
    Ok(())
}
