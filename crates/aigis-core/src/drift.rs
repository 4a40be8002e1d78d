//! Drift: a connected tool's group as the provider lists it, compared with
//! the tool's open grants. Pure: the members and the grants are arguments.
//!
//! * **extra**: a user member without an open grant;
//! * **missing**: an active grant whose holder is not a member;
//! * **inactive**: an open grant held by a user the provider deactivated;
//! * **nonUser**: a member that is not a user (a nested group, a device, a
//!   service principal): membership writes of Aigis never add one;
//! * **groupMissing**: the bound group is gone at the provider (Aigis never
//!   recreates it).
//!
//! Each difference is a [`Reconciliation`] record keyed by
//! [`finding_key`]: written when first found, when resolved (no longer
//! found by a complete run) and when a fix is queued, each time with its
//! audit event, never on a re-run that finds the same.

use crate::Millis;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The kind of a difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum DriftKind {
    Extra,
    Missing,
    Inactive,
    NonUser,
    /// The bound group no longer exists at the provider.
    GroupMissing,
}

impl DriftKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DriftKind::Extra => "extra",
            DriftKind::Missing => "missing",
            DriftKind::Inactive => "inactive",
            DriftKind::NonUser => "nonUser",
            DriftKind::GroupMissing => "groupMissing",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum FindingStatus {
    Open,
    Resolved,
}

/// What happened to a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum FindingChange {
    /// Found by a complete run (first time, or again after it was resolved).
    Found,
    /// A complete run no longer found it.
    Resolved,
    /// Enforcement queued a job to fix it.
    FixQueued,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FindingStep {
    pub at: Millis,
    pub change: FindingChange,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub job: Option<String>,
}

/// Steps kept per record (the oldest are dropped; the audit log has all).
pub const HISTORY_KEPT: usize = 20;

/// A reconciliation record (entity `reconciliation`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reconciliation {
    /// [`finding_key`].
    pub id: String,
    pub tool: String,
    pub connector: String,
    pub group_id: String,
    pub kind: DriftKind,
    /// The provider's id of the member (extra, nonUser) or of the grant's
    /// holder (missing, inactive).
    pub member: String,
    /// nonUser: the provider's object type (`#microsoft.graph.group` ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub member_type: Option<String>,
    /// missing, inactive: the Jira account holding the grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub grant: Option<String>,
    pub status: FindingStatus,
    pub first_seen_at: Millis,
    /// The last complete run that found it, as of this record's last write
    /// (an open finding is also seen by every later complete run: see the
    /// tool's drift status).
    pub last_seen_at: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub resolved_at: Option<Millis>,
    /// The enforcement job fixing it, once queued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub fix_job: Option<String>,
    pub history: Vec<FindingStep>,
}

impl Reconciliation {
    /// Appends a step, keeping the last [`HISTORY_KEPT`].
    pub fn step(&mut self, at: Millis, change: FindingChange, job: Option<String>) {
        self.history.push(FindingStep { at, change, job });
        if self.history.len() > HISTORY_KEPT {
            let drop = self.history.len() - HISTORY_KEPT;
            self.history.drain(..drop);
        }
    }
}

/// A member as the provider lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    /// `None`: a user; `Some(type)`: another kind of object.
    pub non_user: Option<String>,
    /// Users: whether the account is active at the provider.
    pub active: bool,
}

/// An open grant of the tool with its holder at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub grant: String,
    pub account: String,
    /// Whether access is (meant to be) in place: active grants only are
    /// missing when their holder is not a member (a pending one is still
    /// being provisioned).
    pub in_place: bool,
    /// The holder's provider id and whether it is active; `None`: the
    /// identity is unresolved (the job says so; drift cannot compare).
    pub external: Option<(String, bool)>,
}

/// One difference found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: DriftKind,
    pub member: String,
    pub member_type: Option<String>,
    pub account: Option<String>,
    pub grant: Option<String>,
}

/// The key of a finding: `<tool>:<kind>:<member>` (a member id with
/// characters a storage key cannot hold is replaced by its hex digest).
pub fn finding_key(tool: &str, kind: DriftKind, member: &str) -> String {
    let plain = !member.is_empty()
        && member.len() <= 64
        && member
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let m = if plain {
        member.to_owned()
    } else {
        crate::audit::sha256_hex(member.as_bytes())[..32].to_owned()
    };
    format!("{tool}:{}:{m}", kind.as_str())
}

/// Every difference between the members and the open grants, in key order.
pub fn compare(members: &[Member], grants: &[Held]) -> Vec<Finding> {
    let mut out: BTreeMap<(DriftKind, String), Finding> = BTreeMap::new();
    let holders: BTreeSet<&str> = grants
        .iter()
        .filter_map(|g| g.external.as_ref().map(|(id, _)| id.as_str()))
        .collect();
    let users: BTreeMap<&str, &Member> = members
        .iter()
        .filter(|m| m.non_user.is_none())
        .map(|m| (m.id.as_str(), m))
        .collect();
    for m in members {
        if let Some(t) = &m.non_user {
            out.insert(
                (DriftKind::NonUser, m.id.clone()),
                Finding {
                    kind: DriftKind::NonUser,
                    member: m.id.clone(),
                    member_type: Some(t.clone()),
                    account: None,
                    grant: None,
                },
            );
        } else if !holders.contains(m.id.as_str()) {
            out.insert(
                (DriftKind::Extra, m.id.clone()),
                Finding {
                    kind: DriftKind::Extra,
                    member: m.id.clone(),
                    member_type: None,
                    account: None,
                    grant: None,
                },
            );
        }
    }
    for g in grants {
        let Some((id, active)) = &g.external else {
            continue;
        };
        // The listing knows best whether a member is active.
        let active = users.get(id.as_str()).map_or(*active, |m| m.active);
        let found = |kind| Finding {
            kind,
            member: id.clone(),
            member_type: None,
            account: Some(g.account.clone()),
            grant: Some(g.grant.clone()),
        };
        if !active {
            out.insert(
                (DriftKind::Inactive, id.clone()),
                found(DriftKind::Inactive),
            );
        } else if g.in_place && !users.contains_key(id.as_str()) {
            out.insert((DriftKind::Missing, id.clone()), found(DriftKind::Missing));
        }
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, active: bool) -> Member {
        Member {
            id: id.into(),
            non_user: None,
            active,
        }
    }

    fn held(grant: &str, ext: Option<(&str, bool)>, in_place: bool) -> Held {
        Held {
            grant: grant.into(),
            account: format!("acc-{grant}"),
            in_place,
            external: ext.map(|(i, a)| (i.to_owned(), a)),
        }
    }

    #[test]
    fn finds_each_kind_and_nothing_when_in_step() {
        let members = vec![
            user("u1", true),
            user("u2", true),
            user("u4", false),
            Member {
                id: "g9".into(),
                non_user: Some("#microsoft.graph.group".into()),
                active: true,
            },
        ];
        let grants = vec![
            held("g-1", Some(("u1", true)), true),
            held("g-3", Some(("u3", true)), true),
            held("g-4", Some(("u4", true)), true),
            held("g-5", Some(("u5", true)), false),
            held("g-6", None, true),
        ];
        let f = compare(&members, &grants);
        let got: Vec<(DriftKind, &str)> = f.iter().map(|f| (f.kind, f.member.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (DriftKind::Extra, "u2"),
                (DriftKind::Missing, "u3"),
                (DriftKind::Inactive, "u4"),
                (DriftKind::NonUser, "g9"),
            ]
        );
        assert_eq!(f[1].grant.as_deref(), Some("g-3"));
        let in_step = compare(
            &[user("u1", true)],
            &[held("g-1", Some(("u1", true)), true)],
        );
        assert!(in_step.is_empty());
    }

    #[test]
    fn keys_are_storage_safe() {
        assert_eq!(
            finding_key("claude", DriftKind::Extra, "00u1"),
            "claude:extra:00u1"
        );
        let k = finding_key("claude", DriftKind::NonUser, "a/b c");
        assert!(k.starts_with("claude:nonUser:") && !k.contains('/'));
    }

    #[test]
    fn history_is_bounded() {
        let mut r = Reconciliation {
            id: "t:extra:u".into(),
            tool: "t".into(),
            connector: "c".into(),
            group_id: "g".into(),
            kind: DriftKind::Extra,
            member: "u".into(),
            member_type: None,
            account: None,
            grant: None,
            status: FindingStatus::Open,
            first_seen_at: 0,
            last_seen_at: 0,
            resolved_at: None,
            fix_job: None,
            history: vec![],
        };
        for i in 0..30 {
            r.step(i, FindingChange::Found, None);
        }
        assert_eq!(r.history.len(), HISTORY_KEPT);
        assert_eq!(r.history[0].at, 10);
    }
}
