//! Scheduled sweeps. Each reads only what is due, through an index on
//! status and due time, page by page, and stops cleanly before the
//! invocation's deadline; what it did not reach is still due next run.

use crate::error::AppError;
use crate::jobs;
use crate::outbox::{self, Notice};
use crate::repo::{GRANT, JOB, OUTBOX};
use aigis_platform::{EntityQuery, Platform, RangeCondition};
use serde::Serialize;
use serde_json::json;

/// Time kept in hand when stopping before the deadline.
const DEADLINE_MARGIN_MS: u64 = 10_000;
const PAGE: u32 = 50;
/// Finished jobs are kept this long after their last change.
pub const JOB_RETENTION_DAYS: u32 = 90;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RunnerSummary {
    pub grants_expired: u32,
    pub jobs_advanced: u32,
    pub notices_sent: u32,
    pub notices_retrying: u32,
    pub items_examined: u32,
    pub rate_slots_pruned: u32,
    pub jobs_pruned: u32,
    pub stopped_early: bool,
}

fn out_of_time(p: &Platform) -> bool {
    p.runtime.remaining_millis() < DEADLINE_MARGIN_MS
}

/// Visits the keys of every entity in `partition` of `index` whose range
/// value is at most `now`, page by page. Returns false if it stopped early.
fn for_each_due(
    p: &Platform,
    entity: &str,
    index: &str,
    partition: &str,
    now: i64,
    summary: &mut RunnerSummary,
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
            summary.items_examined += 1;
            visit(key, raw)?;
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(true),
        }
    }
}

/// The hourly job runner: expires overdue grants, advances due jobs and
/// retries undelivered Jira notices.
pub fn job_runner(p: &Platform) -> Result<RunnerSummary, AppError> {
    let now = p.runtime.now_millis();
    let mut s = RunnerSummary::default();
    let mut expired = 0;
    let mut complete = for_each_due(
        p,
        GRANT,
        "by-status-expiry",
        "active",
        now,
        &mut s,
        |key, _| {
            expired += u32::from(jobs::expire_grant(p, key, now)?);
            Ok(())
        },
    )?;
    s.grants_expired = expired;
    for status in ["queued", "retry", "running"] {
        if !complete {
            break;
        }
        let mut advanced = 0;
        complete = for_each_due(p, JOB, "by-status-due", status, now, &mut s, |key, _| {
            advanced += u32::from(jobs::run_due_job(p, key, now)?);
            Ok(())
        })?;
        s.jobs_advanced += advanced;
    }
    if complete {
        let (mut sent, mut retrying) = (0, 0);
        complete = for_each_due(
            p,
            OUTBOX,
            "by-status-due",
            "pending",
            now,
            &mut s,
            |_, raw| {
                let n: Notice =
                    serde_json::from_str(raw).map_err(|e| AppError::internal(e.to_string()))?;
                match outbox::deliver(p, &n) {
                    Ok(true) => sent += 1,
                    _ => retrying += 1,
                }
                Ok(())
            },
        )?;
        s.notices_sent = sent;
        s.notices_retrying = retrying;
    }
    if complete {
        let cutoff = now - aigis_core::model::days(JOB_RETENTION_DAYS);
        let (n, finished) = jobs::prune_finished(p, cutoff, 20, || out_of_time(p))?;
        s.jobs_pruned = n;
        complete = finished;
    }
    if complete && !out_of_time(p) {
        s.rate_slots_pruned = crate::ratelimit::prune(p, 5_000)?;
    }
    s.stopped_early = !complete;
    Ok(s)
}
