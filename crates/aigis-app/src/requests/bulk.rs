//! `requests.decide`: one decision for up to [`BULK_MAX`] requests.

use super::decide::{DecideArgs, approve_one, deny_one};
use crate::access::Caller;
use crate::error::AppError;
use aigis_core::ids::RequestId;
use aigis_core::model::{Decision, DecisionSource};
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};

/// Most requests one bulk decision may name.
pub const BULK_MAX: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum BulkDecision {
    Approve,
    Deny,
}

/// `{requestIds: [1..=50], decision, rationale}`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BulkArgs {
    pub request_ids: Vec<RequestId>,
    pub decision: BulkDecision,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub rationale: String,
}

/// One item's outcome; `error` when it failed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct BulkItem {
    pub request_id: RequestId,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub decision: Option<Decision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub changed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub error: Option<AppError>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BulkOutcome {
    pub results: Vec<BulkItem>,
    pub succeeded: u32,
    pub failed: u32,
}

/// `requests.decide` (approver, rate-limited). Each request is decided in
/// its own commit under the same rules as a single decision; one failing
/// item does not stop the others; a repeated id is decided once.
pub fn decide(p: &Platform, caller: &Caller, args: BulkArgs) -> Result<BulkOutcome, AppError> {
    if args.request_ids.is_empty() || args.request_ids.len() > BULK_MAX {
        return Err(AppError::invalid(
            "requestIds",
            format!(
                "must name 1 to {BULK_MAX} requests (got {})",
                args.request_ids.len()
            ),
        ));
    }
    if args.rationale.chars().count() > 2000 {
        return Err(AppError::invalid(
            "rationale",
            "must be at most 2000 characters",
        ));
    }
    crate::ratelimit::claim(p, &caller.account_id, "requests.decide")?;
    // The batch every decision of this call records (decision source `bulk`).
    let batch = format!(
        "b-{}",
        aigis_core::tlog::hex_bytes(&crate::repo::random_bytes(p, 8, "a batch id")?)
    );
    let mut seen = std::collections::BTreeSet::new();
    let (mut ok, mut failed) = (0u32, 0u32);
    let mut results = Vec::with_capacity(args.request_ids.len());
    for id in &args.request_ids {
        if !seen.insert(id.clone()) {
            continue;
        }
        let one = DecideArgs {
            request_id: id.clone(),
            rationale: args.rationale.clone(),
        };
        let out = match args.decision {
            BulkDecision::Approve => {
                approve_one(p, caller, &one, DecisionSource::Bulk, Some(&batch))
            }
            BulkDecision::Deny => deny_one(p, caller, &one, Some(&batch)),
        };
        results.push(match out {
            Ok(d) => {
                ok += 1;
                BulkItem {
                    request_id: id.clone(),
                    ok: true,
                    decision: Some(d.request.decision),
                    changed: Some(d.changed),
                    error: None,
                }
            }
            Err(e) => {
                failed += 1;
                BulkItem {
                    request_id: id.clone(),
                    ok: false,
                    decision: None,
                    changed: None,
                    error: Some(e),
                }
            }
        });
    }
    Ok(BulkOutcome {
        results,
        succeeded: ok,
        failed,
    })
}
