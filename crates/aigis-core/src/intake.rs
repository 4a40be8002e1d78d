//! Intake configuration: where requests come from (the JSM project, its
//! portal and request types), who approves them (approver groups, approver
//! project roles, delegations), the approval SLA and escalation, reviews
//! before expiry and audit retention. Stored under `config:intake`; checked
//! here, changed by `config.setIntake`.

use crate::Millis;
use crate::error::DomainError;
use crate::governance::check_project_key;
use crate::ids::{is_account_id, is_jira_id};
use crate::model::check_text;
use crate::time;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One approver lets another approve in their place until `until`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Delegation {
    /// accountId of the approver who delegates.
    pub delegator: String,
    /// accountId of the person who may approve meanwhile.
    pub delegate: String,
    /// RFC 3339 instant at which the delegation ends.
    pub until: String,
}

impl Delegation {
    pub fn ends_at(&self) -> Millis {
        time::parse_rfc3339(&self.until).unwrap_or(0)
    }
    pub fn active(&self, now: Millis) -> bool {
        now < self.ends_at()
    }
}

/// A Jira project role whose actors (users, and members of its groups) may approve.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApproverRole {
    /// The project whose role actors count, e.g. `AIR`.
    pub project_key: String,
    /// The numeric id of the project role, e.g. `10002`.
    pub role_id: String,
}

/// At most this many approver roles: each may cost one Jira read per check.
pub const MAX_APPROVER_ROLES: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Intake {
    /// The JSM project whose issues are requests; others are ignored.
    pub project_key: String,
    /// The JSM service desk (portal) id; when set, only its request types count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_desk_id: Option<String>,
    /// Request type ids that are AI access requests; empty = every type.
    #[serde(default)]
    pub request_type_ids: Vec<String>,
    /// Jira groups whose members may approve (Jira admins always may).
    #[serde(default)]
    pub approver_groups: Vec<String>,
    /// Jira project roles whose actors may approve.
    #[serde(default)]
    pub approver_roles: Vec<ApproverRole>,
    #[serde(default)]
    pub delegations: Vec<Delegation>,
    /// accountIds told when an approval breaches its SLA.
    #[serde(default)]
    pub escalation_accounts: Vec<String>,
    /// A Jira group told when an approval breaches its SLA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation_group: Option<String>,
    /// Hours a request may wait for a decision before it is escalated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_sla_hours: Option<u32>,
    /// Issue type name of the review-before-expiry issues.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_issue_type: Option<String>,
    /// Days before expiry at which a grant is put up for review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_window_days: Option<u32>,
    /// Days audit events are kept (default 365); older ones are pruned
    /// behind a signed anchor that keeps the chain verifiable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_retention_days: Option<u32>,
}

impl Intake {
    /// Checks every field; errors name the field and the rule.
    pub fn check(&self) -> Result<(), DomainError> {
        check_project_key("projectKey", &self.project_key)?;
        if let Some(sd) = &self.service_desk_id {
            check_numeric_id("serviceDeskId", sd)?;
        }
        if self.request_type_ids.len() > 50 {
            return Err(DomainError::invalid(
                "requestTypeIds",
                "at most 50 request types",
            ));
        }
        for (i, rt) in self.request_type_ids.iter().enumerate() {
            check_numeric_id(&format!("requestTypeIds[{i}]"), rt)?;
        }
        if self.approver_groups.len() > 20 {
            return Err(DomainError::invalid("approverGroups", "at most 20 groups"));
        }
        for g in &self.approver_groups {
            check_text("approverGroups", g, 1, 255)?;
        }
        if self.approver_roles.len() > MAX_APPROVER_ROLES {
            return Err(DomainError::invalid(
                "approverRoles",
                format!("at most {MAX_APPROVER_ROLES} roles"),
            ));
        }
        for (i, r) in self.approver_roles.iter().enumerate() {
            check_project_key(&format!("approverRoles[{i}].projectKey"), &r.project_key)?;
            check_numeric_id(&format!("approverRoles[{i}].roleId"), &r.role_id)?;
            if self.approver_roles[..i].contains(r) {
                return Err(DomainError::invalid(
                    &format!("approverRoles[{i}]"),
                    "is listed twice",
                ));
            }
        }
        if self.delegations.len() > 50 {
            return Err(DomainError::invalid(
                "delegations",
                "at most 50 delegations",
            ));
        }
        for (i, d) in self.delegations.iter().enumerate() {
            check_account(&format!("delegations[{i}].delegator"), &d.delegator)?;
            check_account(&format!("delegations[{i}].delegate"), &d.delegate)?;
            if d.delegator == d.delegate {
                return Err(DomainError::invalid(
                    &format!("delegations[{i}].delegate"),
                    "must differ from the delegator",
                ));
            }
            if time::parse_rfc3339(&d.until).is_none() {
                return Err(DomainError::invalid(
                    &format!("delegations[{i}].until"),
                    "must be an RFC 3339 instant, e.g. 2026-12-31T17:00:00Z",
                ));
            }
        }
        if self.escalation_accounts.len() > 20 {
            return Err(DomainError::invalid(
                "escalationAccounts",
                "at most 20 accounts",
            ));
        }
        for (i, a) in self.escalation_accounts.iter().enumerate() {
            check_account(&format!("escalationAccounts[{i}]"), a)?;
        }
        if let Some(g) = &self.escalation_group {
            check_text("escalationGroup", g, 1, 255)?;
        }
        if let Some(h) = self.approval_sla_hours
            && !(1..=720).contains(&h)
        {
            return Err(DomainError::invalid(
                "approvalSlaHours",
                "must be 1 to 720 hours",
            ));
        }
        if let Some(t) = &self.review_issue_type {
            check_text("reviewIssueType", t, 1, 255)?;
        }
        if let Some(d) = self.review_window_days
            && !(1..=90).contains(&d)
        {
            return Err(DomainError::invalid(
                "reviewWindowDays",
                "must be 1 to 90 days",
            ));
        }
        if let Some(d) = self.audit_retention_days
            && !(90..=3650).contains(&d)
        {
            return Err(DomainError::invalid(
                "auditRetentionDays",
                "must be 90 to 3650 days",
            ));
        }
        Ok(())
    }

    /// Whether the issue's request type passes the portal gate.
    pub fn admits(&self, request_type: &Value) -> bool {
        if self.service_desk_id.is_none() && self.request_type_ids.is_empty() {
            return true;
        }
        let rt = &request_type["requestType"];
        if let Some(sd) = &self.service_desk_id
            && rt["serviceDeskId"].as_str() != Some(sd.as_str())
        {
            return false;
        }
        self.request_type_ids.is_empty()
            || rt["id"]
                .as_str()
                .is_some_and(|id| self.request_type_ids.iter().any(|x| x == id))
    }
}

fn check_numeric_id(field: &str, s: &str) -> Result<(), DomainError> {
    if is_jira_id(s) {
        Ok(())
    } else {
        Err(DomainError::invalid(field, "must be a numeric Jira id"))
    }
}

fn check_account(field: &str, s: &str) -> Result<(), DomainError> {
    if is_account_id(s) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            field,
            "must be a Jira accountId (1-128 of letters, digits, ':', '-', '_')",
        ))
    }
}
