//! Recertification: review-before-expiry issues and the approver's answer.
//!
//! The daily sweep reads the active grants whose expiry falls within the
//! review window (`grant/by-status-expiry`, partition `active`, range
//! `expiresAt <= now + windowDays`) and opens one review issue per grant
//! and window. A window is identified by the expiry it reviews, so an
//! extended grant is reviewed again before its new expiry.
//!
//! Idempotence, including a crash between the Jira create and the commit:
//! before creating the issue the sweep claims the KVS key
//! `review:{grantId}:{expiresAt}` with fail-if-exists; only the claimant
//! creates the issue. The issue carries the property `aigis.review.v1` =
//! `{grantId, window}`, and the claim is updated with the issue key as soon
//! as Jira answers; the grant records `reviewIssue` and `reviewWindow` in a
//! governed commit (`grant.review.opened`). A rerun that finds a claim with
//! an issue key only finishes the link and commit; a claim without one (a
//! crash between claim and Jira's answer) is reported as `stuck` and never
//! produces a second issue: at most one review issue per grant and window.

pub mod answer;
pub mod pending;
pub mod sweep;

use crate::api::{Route, route};

pub use sweep::{RecertSummary, claim_key, sweep};

pub const ROUTES: &[Route] = &[
    route!("reviews.pending", Approver, reviews::pending::pending),
    route!("reviews.answer", Approver, reviews::answer::answer),
];

/// Review window when the intake sets none.
pub const DEFAULT_WINDOW_DAYS: u32 = 14;
/// Issue type of review issues when the intake sets none.
pub const DEFAULT_ISSUE_TYPE: &str = "Task";
pub const PROPERTY: &str = "aigis.review.v1";
