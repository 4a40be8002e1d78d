//! Scheduled sweeps. Each reads only what is due, through an index on
//! status and due time, page by page, and stops cleanly before the
//! invocation's deadline; what it did not reach is still due next run.

pub mod escalation;
pub mod job_runner;

use crate::error::AppError;
use aigis_platform::{EntityQuery, Platform, RangeCondition};
use serde_json::json;

pub use job_runner::{JOB_RETENTION_DAYS, RunnerSummary, job_runner};

/// Time kept in hand when stopping before the deadline.
const DEADLINE_MARGIN_MS: u64 = 10_000;
pub(crate) const PAGE: u32 = 50;

/// Whether the invocation must stop now to finish before its deadline.
pub fn out_of_time(p: &Platform) -> bool {
    p.runtime.remaining_millis() < DEADLINE_MARGIN_MS
}

/// Visits the keys of every entity in `partition` of `index` whose range
/// value is at most `now`, page by page. Returns false if it stopped early.
pub(crate) fn for_each_due(
    p: &Platform,
    entity: &str,
    index: &str,
    partition: &str,
    now: i64,
    examined: &mut u32,
    mut visit: impl FnMut(&str, &str) -> Result<(), AppError>,
) -> Result<bool, AppError> {
    let mut cursor = None;
    loop {
        if out_of_time(p) {
            return Ok(false);
        }
        let page = p.storage.entity_query(&EntityQuery {
            entity: entity.into(),
            index: index.into(),
            partition: vec![json!(partition)],
            range: Some(RangeCondition::LessThanEqualTo(json!(now))),
            cursor,
            limit: PAGE,
            ..Default::default()
        })?;
        for (key, raw) in &page.items {
            if out_of_time(p) {
                return Ok(false);
            }
            *examined += 1;
            visit(key, raw)?;
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(true),
        }
    }
}

/// Runs scheduled export `handler`; returns its JSON summary.
pub fn run(p: &Platform, handler: &str) -> Result<String, AppError> {
    let text = |v: Result<String, serde_json::Error>| {
        v.map_err(|e| AppError::internal(format!("encoding the summary: {e}")))
    };
    match handler {
        "jobRunner" => text(serde_json::to_string(&job_runner(p)?)),
        "escalation" => text(serde_json::to_string(&escalation::sweep(p)?)),
        "recertification" => {
            // Drift of connected tools rides on this daily schedule (Forge
            // allows five scheduled triggers; all five are in use).
            let reviews = crate::reviews::sweep(p)?;
            let drift = crate::connectors::drift::sweep(p, || out_of_time(p))?;
            let mut out = serde_json::to_value(&reviews)
                .map_err(|e| AppError::internal(format!("encoding the summary: {e}")))?;
            if let Some(o) = out.as_object_mut() {
                o.insert(
                    "drift".into(),
                    serde_json::to_value(&drift)
                        .map_err(|e| AppError::internal(format!("encoding the summary: {e}")))?,
                );
            }
            Ok(out.to_string())
        }
        "retention" => {
            // The daily checkpoint: signs the log as it stands (idempotent
            // per tree size, so a second run the same day signs nothing new).
            let checkpoint = match crate::repo::read_head(p)? {
                Some(_) => Some(crate::audit::checkpoints::checkpoint_now(p)?.size),
                None => None,
            };
            let summary = crate::audit::retention::prune(p, || out_of_time(p))?;
            let mut out = serde_json::to_value(&summary)
                .map_err(|e| AppError::internal(format!("encoding the summary: {e}")))?;
            if let Some(o) = out.as_object_mut() {
                o.insert("checkpointSize".into(), json!(checkpoint));
            }
            Ok(out.to_string())
        }
        "analytics" => text(serde_json::to_string(&crate::insights::sweep(p)?)),
        other => Err(AppError::not_found(format!(
            "no scheduled handler {other:?}"
        ))),
    }
}
