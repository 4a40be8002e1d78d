//! Governance: the rules an admin sets on top of the catalog, versioned.
//! Every change is a new [`Governance`] with the next version number; each
//! decision records the version in force. Auto-approval policies are part
//! of the governance document, so they are versioned with it.

use crate::Millis;
use crate::error::DomainError;
use crate::model::{Risk, Tool, check_slug, check_text};
use serde::{Deserialize, Serialize};

/// Longest grant, in days, per risk level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MaxDays {
    pub low: u32,
    pub medium: u32,
    pub high: u32,
    pub critical: u32,
}

impl MaxDays {
    pub fn of(&self, risk: Risk) -> u32 {
        match risk {
            Risk::Low => self.low,
            Risk::Medium => self.medium,
            Risk::High => self.high,
            Risk::Critical => self.critical,
        }
    }
}

impl Default for MaxDays {
    fn default() -> Self {
        MaxDays {
            low: Risk::Low.default_max_days(),
            medium: Risk::Medium.default_max_days(),
            high: Risk::High.default_max_days(),
            critical: Risk::Critical.default_max_days(),
        }
    }
}

/// What happens to a request for a tool that is not in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum UnknownTools {
    /// Refused, with a comment on the issue.
    Block,
    /// Recorded as a pending request flagged for security review; the tool
    /// enters the catalog as `denied` until an admin approves it.
    SecurityReview,
}

/// An auto-approval policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Policy {
    pub id: String,
    pub name: String,
    /// The Jira project key the policy covers.
    pub project_key: String,
    /// One catalog tool, or every tool when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_id: Option<String>,
    pub auto_approve: bool,
    /// The requester must be in at least one of these Jira groups.
    pub allowed_groups: Vec<String>,
    /// Longest duration, in days, the policy approves.
    pub max_duration_days: u32,
}

impl Policy {
    pub fn check(&self) -> Result<(), DomainError> {
        check_slug("id", &self.id)?;
        check_text("name", &self.name, 1, 120)?;
        check_project_key("projectKey", &self.project_key)?;
        if let Some(t) = &self.tool_id {
            check_slug("toolId", t)?;
        }
        if self.allowed_groups.is_empty() || self.allowed_groups.len() > 20 {
            return Err(DomainError::invalid(
                "allowedGroups",
                "must list 1 to 20 groups",
            ));
        }
        for g in &self.allowed_groups {
            check_text("allowedGroups", g, 1, 255)?;
        }
        if !(1..=365).contains(&self.max_duration_days) {
            return Err(DomainError::invalid("maxDurationDays", "must be 1 to 365"));
        }
        Ok(())
    }

    /// Whether the policy covers requests in `project` for `tool`.
    pub fn covers(&self, project: &str, tool: &str) -> bool {
        self.project_key == project && self.tool_id.as_deref().is_none_or(|t| t == tool)
    }
}

/// A Jira project key: 1-10 of A-Z and 0-9, starting with a letter.
pub fn check_project_key(field: &str, key: &str) -> Result<(), DomainError> {
    let ok = (1..=10).contains(&key.len())
        && key
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && key.starts_with(|c: char| c.is_ascii_uppercase());
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            field,
            "must be a Jira project key: 1-10 of A-Z and 0-9, starting with a letter",
        ))
    }
}

/// One version of the governance rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Governance {
    /// 0 is the built-in default, never stored; saved versions start at 1.
    pub version: u32,
    pub max_days: MaxDays,
    /// Risk levels whose requests only a security reviewer may approve.
    pub security_review_risks: Vec<Risk>,
    /// The Jira group of security reviewers (Jira admins always count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_reviewer_group: Option<String>,
    pub unknown_tools: UnknownTools,
    /// Most open grants of critical-risk tools one person may hold.
    pub max_critical_per_person: u32,
    pub policies: Vec<Policy>,
    #[serde(default)]
    pub note: String,
    pub created_at: Millis,
    #[serde(default)]
    pub created_by: String,
}

impl Default for Governance {
    fn default() -> Self {
        Governance {
            version: 0,
            max_days: MaxDays::default(),
            security_review_risks: vec![Risk::Critical],
            security_reviewer_group: None,
            unknown_tools: UnknownTools::Block,
            max_critical_per_person: 2,
            policies: vec![],
            note: "built-in defaults".into(),
            created_at: 0,
            created_by: String::new(),
        }
    }
}

/// Changes an admin submits; absent fields keep their current value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GovernancePatch {
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub max_days: Option<MaxDays>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub security_review_risks: Option<Vec<Risk>>,
    /// `""` clears the group.
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub security_reviewer_group: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub unknown_tools: Option<UnknownTools>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub max_critical_per_person: Option<u32>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub note: String,
}

impl Governance {
    /// The next version: `self` with `patch` applied, validated.
    pub fn apply(
        &self,
        patch: GovernancePatch,
        actor: &str,
        now: Millis,
    ) -> Result<Governance, DomainError> {
        let mut g = self.clone();
        if let Some(m) = patch.max_days {
            for (field, v) in [
                ("maxDays.low", m.low),
                ("maxDays.medium", m.medium),
                ("maxDays.high", m.high),
                ("maxDays.critical", m.critical),
            ] {
                if !(1..=365).contains(&v) {
                    return Err(DomainError::invalid(field, "must be 1 to 365 days"));
                }
            }
            g.max_days = m;
        }
        if let Some(r) = patch.security_review_risks {
            let mut r = r;
            r.sort();
            r.dedup();
            g.security_review_risks = r;
        }
        if let Some(s) = patch.security_reviewer_group {
            if s.is_empty() {
                g.security_reviewer_group = None;
            } else {
                check_text("securityReviewerGroup", &s, 1, 255)?;
                g.security_reviewer_group = Some(s.trim().to_owned());
            }
        }
        if let Some(u) = patch.unknown_tools {
            g.unknown_tools = u;
        }
        if let Some(n) = patch.max_critical_per_person {
            if !(1..=50).contains(&n) {
                return Err(DomainError::invalid(
                    "maxCriticalPerPerson",
                    "must be 1 to 50",
                ));
            }
            g.max_critical_per_person = n;
        }
        if patch.note.chars().count() > 500 {
            return Err(DomainError::invalid(
                "note",
                "must be at most 500 characters",
            ));
        }
        g.note = patch.note.trim().to_owned();
        Ok(g.next(actor, now))
    }

    /// The next version with the same rules.
    pub fn next(&self, actor: &str, now: Millis) -> Governance {
        let mut g = self.clone();
        g.version = self.version + 1;
        g.created_at = now;
        g.created_by = actor.to_owned();
        g
    }

    /// The longest duration a request for `tool` may ask for.
    pub fn max_days_for(&self, tool: &Tool) -> u32 {
        tool.max_duration_days.min(self.max_days.of(tool.risk))
    }

    /// Refuses a duration over the governance maximum for the tool's risk
    /// (and the tool's own maximum).
    pub fn check_duration(&self, days: u32, tool: &Tool) -> Result<(), DomainError> {
        let max = self.max_days_for(tool);
        if days == 0 || days > max {
            return Err(DomainError::invalid(
                "durationDays",
                format!(
                    "must be 1..={max} days for {} ({} risk, governance version {})",
                    tool.name,
                    format!("{:?}", tool.risk).to_lowercase(),
                    self.version
                ),
            ));
        }
        Ok(())
    }

    pub fn needs_security_review(&self, risk: Risk) -> bool {
        self.security_review_risks.contains(&risk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_makes_the_next_version_and_names_bad_fields() {
        let g = Governance::default();
        let n = g
            .apply(
                GovernancePatch {
                    unknown_tools: Some(UnknownTools::SecurityReview),
                    ..Default::default()
                },
                "ada",
                5,
            )
            .unwrap();
        assert_eq!(n.version, 1);
        assert_eq!(n.unknown_tools, UnknownTools::SecurityReview);
        let bad = g.apply(
            GovernancePatch {
                max_days: Some(MaxDays {
                    critical: 0,
                    ..MaxDays::default()
                }),
                ..Default::default()
            },
            "ada",
            5,
        );
        assert_eq!(bad.unwrap_err().field(), Some("maxDays.critical"));
    }

    #[test]
    fn policy_scope() {
        let p = Policy {
            id: "p1".into(),
            name: "P".into(),
            project_key: "AIR".into(),
            tool_id: None,
            auto_approve: true,
            allowed_groups: vec!["ai-users".into()],
            max_duration_days: 30,
        };
        assert!(p.covers("AIR", "claude"));
        assert!(!p.covers("OPS", "claude"));
        let q = Policy {
            tool_id: Some("copilot".into()),
            ..p
        };
        assert!(!q.covers("AIR", "claude"));
    }
}
