//! `reviews.pending`: open reviews awaiting an answer.

use super::DEFAULT_WINDOW_DAYS;
use crate::access::Caller;
use crate::api::NoArgs;
use crate::error::AppError;
use crate::names::GRANT;
use crate::repo;
use aigis_core::Millis;
use aigis_core::model::{Grant, days};
use aigis_platform::{EntityQuery, Platform, RangeCondition};
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PendingReview {
    pub grant_id: String,
    pub account: String,
    pub tool: String,
    pub expires_at: Millis,
    pub review_issue: Option<String>,
    /// The original request's issue.
    pub issue_key: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PendingReviews {
    pub reviews: Vec<PendingReview>,
}

/// `reviews.pending` (approver): open reviews awaiting an answer, without
/// those of grants the caller is a party to (nobody answers their own).
pub fn pending(p: &Platform, caller: &Caller, _: NoArgs) -> Result<PendingReviews, AppError> {
    let now = p.runtime.now_millis();
    let window = caller
        .intake()?
        .and_then(|c| c.review_window_days)
        .unwrap_or(DEFAULT_WINDOW_DAYS);
    let mut out = Vec::new();
    let query = EntityQuery {
        entity: GRANT.into(),
        index: "by-status-expiry".into(),
        partition: vec![json!("active")],
        range: Some(RangeCondition::LessThanEqualTo(json!(now + days(window)))),
        ..Default::default()
    };
    repo::scan(p, query, |_, g: Grant| {
        if g.review_issue.is_some()
            && g.review_answer.is_none()
            && !g.is_party(&caller.account_id)
            && g.review_window == Some(g.expires_at)
        {
            out.push(PendingReview {
                grant_id: g.id,
                account: g.account,
                tool: g.tool,
                expires_at: g.expires_at,
                review_issue: g.review_issue,
                issue_key: g.issue_key,
            });
        }
        Ok(out.len() < 200)
    })?;
    Ok(PendingReviews { reviews: out })
}
