//! What the sweeps will do, and when: the moments at which a grant expires,
//! is put up for review, or a pending request breaches the approval SLA.
//! The sweeps decide with these same rules (`aigis-app`: the job runner's
//! expiry, the recertification sweep, the escalation sweep), and the admin
//! Overview's forecast counts what falls within a horizon. Pure: `now` is
//! an argument.

use crate::Millis;
use crate::model::{Decision, Grant, GrantStatus, Request, days};
use crate::time::HOUR;
use serde::Serialize;

/// Whether the job runner expires `g` at `now`: active and past its expiry.
pub fn expiry_due(g: &Grant, now: Millis) -> bool {
    g.status == GrantStatus::Active && g.expires_at <= now
}

/// When the job runner will expire `g` (active grants only).
pub fn expires_at(g: &Grant) -> Option<Millis> {
    (g.status == GrantStatus::Active).then_some(g.expires_at)
}

/// Whether `g`'s current window (its expiry) still needs a review issue.
pub fn review_pending(g: &Grant) -> bool {
    g.status == GrantStatus::Active && g.review_window != Some(g.expires_at)
}

/// Whether the recertification sweep at `now` opens a review of `g`: its
/// window is not reviewed yet and it expires after `now`, within
/// `window_days`.
pub fn review_due(g: &Grant, now: Millis, window_days: u32) -> bool {
    review_pending(g) && g.expires_at > now && g.expires_at <= now + days(window_days)
}

/// The first moment the recertification sweep would open `g`'s review.
pub fn review_at(g: &Grant, window_days: u32) -> Option<Millis> {
    review_pending(g).then(|| g.expires_at - days(window_days))
}

/// When a pending request breaches an SLA of `sla_hours`: the escalation
/// sweep escalates it once `created_at + SLA <= now`.
pub fn sla_breach_at(r: &Request, sla_hours: u32) -> Option<Millis> {
    (r.decision == Decision::Pending).then(|| r.created_at + i64::from(sla_hours) * HOUR)
}

/// One thing that will happen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Due {
    /// The grant or request id.
    pub id: String,
    pub issue_key: String,
    /// The holder or requester.
    pub account: String,
    pub tool: String,
    /// When the sweep will act (for reviews: the earliest run that will).
    pub at: Millis,
}

/// What happens within one horizon, soonest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Horizon {
    pub days: u32,
    /// Active grants that expire after now and within the horizon.
    pub expiring: Vec<Due>,
    /// Grants whose review the recertification sweep will open (or would
    /// have opened already) by the end of the horizon, before they expire.
    pub needs_review: Vec<Due>,
    /// Pending requests whose SLA runs out after now, within the horizon.
    pub sla_breaches: Vec<Due>,
}

/// The forecast for several horizons, and what is already overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Forecast {
    pub now: Millis,
    pub horizons: Vec<Horizon>,
    /// Pending requests already past the SLA.
    pub breached: Vec<Due>,
    /// The SLA in force (none: nothing is ever escalated).
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sla_hours: Option<u32>,
    pub review_window_days: u32,
}

fn due_grant(g: &Grant, at: Millis) -> Due {
    Due {
        id: g.id.clone(),
        issue_key: g.issue_key.clone(),
        account: g.account.clone(),
        tool: g.tool.clone(),
        at,
    }
}

fn due_request(r: &Request, at: Millis) -> Due {
    Due {
        id: r.id.clone(),
        issue_key: r.issue_key.clone(),
        account: r.requester.clone(),
        tool: r.tool.clone(),
        at,
    }
}

fn soonest(mut v: Vec<Due>) -> Vec<Due> {
    v.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
    v
}

/// The forecast at `now` for `horizon_days` (e.g. 7 and 30) over `grants`
/// and `requests` (any statuses: those the rules do not cover are left out).
pub fn forecast(
    now: Millis,
    horizon_days: &[u32],
    grants: &[Grant],
    requests: &[Request],
    sla_hours: Option<u32>,
    review_window_days: u32,
) -> Forecast {
    let horizons = horizon_days
        .iter()
        .map(|&d| {
            let end = now + days(d);
            let expiring = grants
                .iter()
                .filter_map(|g| {
                    expires_at(g)
                        .filter(|&t| t > now && t <= end)
                        .map(|t| due_grant(g, t))
                })
                .collect();
            let needs_review = grants
                .iter()
                .filter(|g| g.expires_at > now)
                .filter_map(|g| {
                    review_at(g, review_window_days)
                        .filter(|&t| t <= end)
                        .map(|t| due_grant(g, t.max(now)))
                })
                .collect();
            let sla_breaches = match sla_hours {
                Some(h) => requests
                    .iter()
                    .filter_map(|r| {
                        sla_breach_at(r, h)
                            .filter(|&t| t > now && t <= end)
                            .map(|t| due_request(r, t))
                    })
                    .collect(),
                None => vec![],
            };
            Horizon {
                days: d,
                expiring: soonest(expiring),
                needs_review: soonest(needs_review),
                sla_breaches: soonest(sla_breaches),
            }
        })
        .collect();
    let breached = match sla_hours {
        Some(h) => requests
            .iter()
            .filter_map(|r| {
                sla_breach_at(r, h)
                    .filter(|&t| t <= now)
                    .map(|t| due_request(r, t))
            })
            .collect(),
        None => vec![],
    };
    Forecast {
        now,
        horizons,
        breached: soonest(breached),
        sla_hours,
        review_window_days,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::DAY;

    const NOW: Millis = 1_795_435_200_000;

    fn grant(id: &str, status: GrantStatus, expires_in_days: i64) -> Grant {
        Grant {
            id: id.into(),
            request: id.trim_start_matches("g-").into(),
            issue_key: format!("AIR-{}", id.trim_start_matches("g-")),
            account: "acc-1".into(),
            raised_by: None,
            tool: "claude".into(),
            status,
            duration_days: 30,
            created_at: NOW - 10 * DAY,
            activated_at: Some(NOW - 10 * DAY),
            expires_at: NOW + expires_in_days * DAY,
            ended_at: None,
            review_issue: None,
            review_window: None,
            review_answer: None,
        }
    }

    fn request(id: &str, decision: Decision, age_hours: i64) -> Request {
        Request {
            id: id.into(),
            issue_key: format!("AIR-{id}"),
            project_key: "AIR".into(),
            requester: "acc-2".into(),
            raised_by: None,
            tool: "claude".into(),
            tool_name: "Claude".into(),
            purpose: "Drafting replies".into(),
            duration_days: 30,
            summary: "s".into(),
            description: String::new(),
            decision,
            decision_source: None,
            decided_by: None,
            decided_at: None,
            rationale: None,
            grant: None,
            governance_version: None,
            security_review: false,
            first_approval: None,
            policy: None,
            batch: None,
            created_at: NOW - age_hours * HOUR,
        }
    }

    fn ids(v: &[Due]) -> Vec<&str> {
        v.iter().map(|d| d.id.as_str()).collect()
    }

    #[test]
    fn expiry_and_review_follow_the_sweeps_rules() {
        let mut reviewed = grant("g-4", GrantStatus::Active, 10);
        reviewed.review_window = Some(reviewed.expires_at);
        let grants = vec![
            grant("g-1", GrantStatus::Active, 3),
            grant("g-2", GrantStatus::Active, 20),
            grant("g-3", GrantStatus::Revoked, 2),
            reviewed,
            grant("g-5", GrantStatus::Active, 40),
            grant("g-6", GrantStatus::Active, -1),
        ];
        let f = forecast(NOW, &[7, 30], &grants, &[], None, 14);
        assert_eq!(ids(&f.horizons[0].expiring), vec!["g-1"]);
        assert_eq!(ids(&f.horizons[1].expiring), vec!["g-1", "g-4", "g-2"]);
        // Review opens 14 days before expiry: g-1 now (already inside its
        // window), g-2 in 6 days, g-5 in 26; g-4's window is reviewed.
        assert_eq!(ids(&f.horizons[0].needs_review), vec!["g-1", "g-2"]);
        assert_eq!(f.horizons[0].needs_review[0].at, NOW);
        assert_eq!(f.horizons[0].needs_review[1].at, NOW + 6 * DAY);
        assert_eq!(ids(&f.horizons[1].needs_review), vec!["g-1", "g-2", "g-5"]);
        // The same rules decide what the sweeps do at a given time.
        assert!(expiry_due(&grants[5], NOW) && !expiry_due(&grants[0], NOW));
        assert!(expiry_due(&grants[0], NOW + 3 * DAY));
        assert!(review_due(&grants[0], NOW, 14) && !review_due(&grants[1], NOW, 14));
        assert!(review_due(&grants[1], NOW + 6 * DAY, 14));
        assert!(!review_due(&grants[3], NOW, 14));
    }

    #[test]
    fn sla_breaches_are_counted_once_per_horizon_and_overdue_apart() {
        let requests = vec![
            request("1", Decision::Pending, 30),
            request("2", Decision::Pending, 1),
            request("3", Decision::Approved, 30),
            request("4", Decision::Pending, 0),
        ];
        let f = forecast(NOW, &[7, 30], &[], &requests, Some(24), 14);
        assert_eq!(ids(&f.breached), vec!["1"]);
        assert_eq!(ids(&f.horizons[0].sla_breaches), vec!["2", "4"]);
        assert_eq!(f.horizons[0].sla_breaches[0].at, NOW + 23 * HOUR);
        let none = forecast(NOW, &[7], &[], &requests, None, 14);
        assert!(none.breached.is_empty() && none.horizons[0].sla_breaches.is_empty());
    }
}
