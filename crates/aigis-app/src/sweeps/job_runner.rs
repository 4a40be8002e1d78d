//! The hourly job runner: expires overdue grants, advances due jobs,
//! retries undelivered Jira notices, prunes finished jobs and rate slots.

use super::{for_each_due, out_of_time};
use crate::error::AppError;
use crate::jobs::runner;
use crate::names::{GRANT, JOB, OUTBOX};
use crate::outbox::{self, Notice};
use crate::repo;
use aigis_platform::Platform;
use serde::Serialize;

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
        &mut s.items_examined,
        |key, _| {
            expired += u32::from(runner::expire_grant(p, key, now)?);
            Ok(())
        },
    )?;
    s.grants_expired = expired;
    for status in ["queued", "retry", "running"] {
        if !complete {
            break;
        }
        let mut advanced = 0;
        complete = for_each_due(
            p,
            JOB,
            "by-status-due",
            status,
            now,
            &mut s.items_examined,
            |key, _| {
                advanced += u32::from(runner::run_due_job(p, key, now)?);
                Ok(())
            },
        )?;
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
            &mut s.items_examined,
            |key, raw| {
                let n: Notice = repo::decode(OUTBOX, key, raw)?;
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
        let (n, finished) = runner::prune_finished(p, cutoff, 20, || out_of_time(p))?;
        s.jobs_pruned = n;
        complete = finished;
    }
    if complete && !out_of_time(p) {
        s.rate_slots_pruned = crate::ratelimit::prune(p, 5_000)?;
    }
    s.stopped_early = !complete;
    Ok(s)
}
