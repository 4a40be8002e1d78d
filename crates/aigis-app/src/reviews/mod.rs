//! Recertification: review-before-expiry issues and the approver's answer.
//!
//! The daily sweep reads the active grants whose expiry falls within the
//! review window (`grant/by-status-expiry`, partition `active`, range
//! `expiresAt <= now + windowDays`) and opens one review issue per grant
//! and window. A window is identified by the expiry it reviews, so an
//! extended grant is reviewed again before its new expiry.
//!
//! Exactly one review issue per grant and window, across crashes, reruns
//! and Jira refusals: before creating the issue the sweep claims the KVS key
//! `review:{grantId}:{expiresAt}` with fail-if-exists; only the claimant
//! creates it. The issue carries the property `aigis.review.v1` =
//! `{grantId, window}` (indexed for JQL by the manifest's
//! `jira:entityProperty`), and the claim records the issue key as soon as
//! Jira answers; the grant records `reviewIssue` and `reviewWindow` in a
//! governed commit (`grant.review.opened`). A rerun that finds a claim with
//! an issue key finishes the link and the commit. A clean refusal by Jira
//! (4xx: nothing was made) releases the claim, so the next run tries again.
//! A claim without an issue key younger than [`sweep::CLAIM_LEASE`] is a run
//! at work (`stuck` in the summary: left to it); an older one was left by a
//! run that died before Jira answered: the next run claims the next
//! generation (`<key>:r1`, `:r2`, ..., fail-if-exists again, so two runs
//! never recover together), looks for the issue by its property, adopts it
//! if it exists and creates it only if it does not.

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
