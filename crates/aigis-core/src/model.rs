//! The governed things: tools, requests, grants, jobs. Stored as JSON
//! (camelCase) in custom entities; the attributes the manifest indexes are
//! plain top-level fields.

use crate::error::DomainError;
use crate::{Millis, time::DAY};
use serde::{Deserialize, Serialize};

/// Risk level of a tool: decides the longest grant that may be asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Risk {
    Low,
    Medium,
    High,
    Critical,
}

impl Risk {
    /// Default ceiling on a grant's duration, in days, by risk.
    pub fn default_max_days(self) -> u32 {
        match self {
            Risk::Low => 180,
            Risk::Medium => 90,
            Risk::High => 30,
            Risk::Critical => 14,
        }
    }
}

/// Whether a catalog tool may be requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ToolStatus {
    /// Requestable.
    Approved,
    /// Governed, not requestable: use is not allowed.
    Blocked,
    /// Governed, not requestable: reviewed and refused.
    Denied,
}

impl ToolStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ToolStatus::Approved => "approved",
            ToolStatus::Blocked => "blocked",
            ToolStatus::Denied => "denied",
        }
    }
}

/// A catalog entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Tool {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub status: ToolStatus,
    pub risk: Risk,
    pub default_duration_days: u32,
    pub max_duration_days: u32,
    #[serde(default)]
    pub guidance: String,
    /// Notes for whoever fulfils a grant by hand.
    #[serde(default)]
    pub fulfilment_notes: String,
    /// Why the tool has its risk level.
    #[serde(default)]
    pub risk_rationale: String,
    /// The provider group a connector will manage for this tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entitlement: Option<Entitlement>,
    /// Set when the entry was added by a "request new tool" and awaits security review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_url: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// Identity provider of an entitlement group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum IdpProvider {
    Okta,
    Entra,
}

/// Entitlement-group metadata, for connectors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Entitlement {
    pub provider: IdpProvider,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
}

impl Entitlement {
    pub fn check(&self) -> Result<(), DomainError> {
        if let Some(g) = &self.group_id {
            check_text("entitlement.groupId", g, 1, 128)?;
        }
        if let Some(g) = &self.group_name {
            check_text("entitlement.groupName", g, 1, 255)?;
        }
        Ok(())
    }
}

/// Decision on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Decision {
    Pending,
    Approved,
    Denied,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Pending => "pending",
            Decision::Approved => "approved",
            Decision::Denied => "denied",
        }
    }
}

/// Who made a decision: a person, or an auto-approval policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum DecisionSource {
    /// One person's single decision.
    Manual,
    /// One person's decision on several requests at once (`requests.decide`);
    /// the request records the batch ([`Request::batch`]).
    Bulk,
    /// An auto-approval policy ([`Request::policy`], at the governance
    /// version [`Request::governance_version`]).
    AutoPolicy,
}

impl DecisionSource {
    /// As written in evidence packs: `manual`, `bulk` or `auto-policy`.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionSource::Manual => "manual",
            DecisionSource::Bulk => "bulk",
            DecisionSource::AutoPolicy => "auto-policy",
        }
    }
}

/// One person's request for one tool, ingested from one Jira issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// The Jira issue id: one issue is one request.
    pub id: String,
    pub issue_key: String,
    pub project_key: String,
    /// accountId of the issue's reporter.
    pub requester: String,
    /// accountId of whoever raised the request for the requester (the JSM
    /// agent who created the issue), when that is someone else: a party to
    /// the request like the requester, who never decides or completes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raised_by: Option<String>,
    pub tool: String,
    pub tool_name: String,
    pub purpose: String,
    pub duration_days: u32,
    pub summary: String,
    /// The issue's description as plain text, when it has one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub decision: Decision,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_source: Option<DecisionSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<String>,
    /// The governance version in force when the request was decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub governance_version: Option<u32>,
    /// The tool was not in the catalog: the request waits for security review.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub security_review: bool,
    /// The first of two approvals a security-reviewed risk level needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_approval: Option<FirstApproval>,
    /// The auto-approval policy that approved it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// The bulk decision (`requests.decide`) it was decided in, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<String>,
    pub created_at: Millis,
}

/// An approval recorded while a request waits for its security review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct FirstApproval {
    pub by: String,
    pub at: Millis,
}

/// Lifecycle of a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum GrantStatus {
    /// Approved; access is being set up.
    PendingProvision,
    /// Access is in place until `expires_at`.
    Active,
    Expired,
    Revoked,
}

impl Request {
    /// Whether `account` is a party to the request: its requester, or who
    /// raised it for them.
    pub fn is_party(&self, account: &str) -> bool {
        self.requester == account || self.raised_by.as_deref() == Some(account)
    }
}

impl GrantStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantStatus::PendingProvision => "pendingProvision",
            GrantStatus::Active => "active",
            GrantStatus::Expired => "expired",
            GrantStatus::Revoked => "revoked",
        }
    }

    /// Open grants block another approval for the same person and tool.
    pub fn is_open(self) -> bool {
        matches!(self, GrantStatus::PendingProvision | GrantStatus::Active)
    }
}

/// Access of one person to one tool for a bounded time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    pub id: String,
    pub request: String,
    pub issue_key: String,
    pub account: String,
    /// Who raised the request for the holder, if someone else (see [`Request::raised_by`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raised_by: Option<String>,
    pub tool: String,
    pub status: GrantStatus,
    pub duration_days: u32,
    pub created_at: Millis,
    /// When access started (set on activation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activated_at: Option<Millis>,
    /// Provisional (approval + duration) until activation; then activation + duration.
    pub expires_at: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Millis>,
    /// Key of the review-before-expiry issue of the current review window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_issue: Option<String>,
    /// The review window: the expiry (`expiresAt`) the review was opened for.
    /// An extended grant gets a new window, hence a new review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_window: Option<Millis>,
    /// The approver's answer for that window: `keep` or `revoke`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_answer: Option<String>,
}

impl Grant {
    /// Whether `account` holds the grant or raised its request.
    pub fn is_party(&self, account: &str) -> bool {
        self.account == account || self.raised_by.as_deref() == Some(account)
    }
}

/// What a job does to a grant's access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum JobKind {
    Provision,
    Deprovision,
    Check,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Provision => "provision",
            JobKind::Deprovision => "deprovision",
            JobKind::Check => "check",
        }
    }
    /// The outcome a person records when completing this job by hand.
    pub fn manual_outcome(self) -> &'static str {
        match self {
            JobKind::Provision => "fulfilled",
            JobKind::Deprovision => "deprovisioned",
            JobKind::Check => "verified",
        }
    }
}

/// How a job is carried out: by a person, or by a named connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", tag = "type", content = "connector")]
pub enum JobMode {
    Manual,
    Connector(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    Retry,
    DeadLetter,
    ManualPending,
    Completed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Retry => "retry",
            JobStatus::DeadLetter => "deadLetter",
            JobStatus::ManualPending => "manualPending",
            JobStatus::Completed => "completed",
        }
    }
}

/// A unit of provisioning work on a grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub id: String,
    pub kind: JobKind,
    pub grant: String,
    pub mode: JobMode,
    pub status: JobStatus,
    pub attempts: u32,
    /// When the job runner should next look at it.
    pub due_at: Millis,
    pub created_at: Millis,
    pub updated_at: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A tool as an admin submits it to the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ToolInput {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub status: ToolStatus,
    pub risk: Risk,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub default_duration_days: Option<u32>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub max_duration_days: Option<u32>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub guidance: String,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub fulfilment_notes: String,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub risk_rationale: String,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub entitlement: Option<Entitlement>,
}

impl ToolInput {
    /// Validates and turns the input into a catalog entry at `now`.
    pub fn into_tool(self, now: Millis) -> Result<Tool, DomainError> {
        check_slug("id", &self.id)?;
        check_text("name", &self.name, 1, 120)?;
        check_text("provider", &self.provider, 1, 120)?;
        check_text_allow_empty("guidance", &self.guidance, 2000)?;
        check_text_allow_empty("fulfilmentNotes", &self.fulfilment_notes, 2000)?;
        check_text_allow_empty("riskRationale", &self.risk_rationale, 1000)?;
        if let Some(e) = &self.entitlement {
            e.check()?;
        }
        let ceiling = self.risk.default_max_days();
        let max = self.max_duration_days.unwrap_or(ceiling);
        if max == 0 || max > ceiling {
            return Err(DomainError::invalid(
                "maxDurationDays",
                format!("must be 1..={ceiling} for {:?} risk", self.risk).to_lowercase(),
            ));
        }
        let default = self.default_duration_days.unwrap_or(max.min(30));
        if default == 0 || default > max {
            return Err(DomainError::invalid(
                "defaultDurationDays",
                format!("must be 1..={max} (the tool's maximum)"),
            ));
        }
        Ok(Tool {
            id: self.id,
            name: self.name.trim().to_owned(),
            provider: self.provider.trim().to_owned(),
            status: self.status,
            risk: self.risk,
            default_duration_days: default,
            max_duration_days: max,
            guidance: self.guidance,
            fulfilment_notes: self.fulfilment_notes,
            risk_rationale: self.risk_rationale,
            entitlement: self.entitlement,
            requested_url: None,
            created_at: now,
            updated_at: now,
        })
    }
}

/// Ids are lowercase slugs: `[a-z0-9][a-z0-9-]{0,63}`.
pub fn check_slug(field: &str, s: &str) -> Result<(), DomainError> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            field,
            "must be 1-64 characters of a-z, 0-9 and '-', not starting with '-'",
        ))
    }
}

/// Text of `min..=max` characters after trimming.
pub fn check_text(field: &str, s: &str, min: usize, max: usize) -> Result<(), DomainError> {
    let n = s.trim().chars().count();
    if n < min || n > max {
        Err(DomainError::invalid(
            field,
            format!("must be {min} to {max} characters"),
        ))
    } else {
        Ok(())
    }
}

pub fn check_text_allow_empty(field: &str, s: &str, max: usize) -> Result<(), DomainError> {
    if s.chars().count() > max {
        Err(DomainError::invalid(
            field,
            format!("must be at most {max} characters"),
        ))
    } else {
        Ok(())
    }
}

/// Days as milliseconds.
pub fn days(n: u32) -> Millis {
    i64::from(n) * DAY
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ToolInput {
        ToolInput {
            id: "chatgpt-enterprise".into(),
            name: "ChatGPT Enterprise".into(),
            provider: "OpenAI".into(),
            status: ToolStatus::Approved,
            risk: Risk::Medium,
            default_duration_days: None,
            max_duration_days: None,
            guidance: String::new(),
            fulfilment_notes: String::new(),
            risk_rationale: String::new(),
            entitlement: None,
        }
    }

    #[test]
    fn tool_defaults_follow_risk() {
        let t = input().into_tool(5).unwrap();
        assert_eq!(t.max_duration_days, 90);
        assert_eq!(t.default_duration_days, 30);
        assert_eq!(t.created_at, 5);
    }

    #[test]
    fn tool_max_cannot_exceed_risk_ceiling() {
        let mut i = input();
        i.risk = Risk::Critical;
        i.max_duration_days = Some(30);
        let e = i.into_tool(0).unwrap_err();
        assert_eq!(e.field(), Some("maxDurationDays"));
    }

    #[test]
    fn tool_ids_are_slugs() {
        let mut i = input();
        i.id = "Chat GPT".into();
        assert_eq!(i.into_tool(0).unwrap_err().field(), Some("id"));
    }

    #[test]
    fn unknown_fields_are_refused() {
        let r: Result<ToolInput, _> = serde_json::from_str(
            r#"{"id":"a","name":"A","provider":"P","status":"approved","risk":"low","colour":"red"}"#,
        );
        assert!(r.unwrap_err().to_string().contains("colour"));
    }

    #[test]
    fn open_statuses() {
        assert!(GrantStatus::PendingProvision.is_open());
        assert!(GrantStatus::Active.is_open());
        assert!(!GrantStatus::Expired.is_open());
        assert!(!GrantStatus::Revoked.is_open());
    }
}
