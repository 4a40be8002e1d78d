//! `jobs.*`: units of provisioning work on a grant. The runner's steps
//! ([`runner`]) through a connector ([`connector`]) or by hand, manual
//! completion ([`complete`]), and the job lists ([`reads`]).

pub mod complete;
pub mod connected;
pub mod connector;
pub mod reads;
pub mod runner;

use crate::api::{Route, route};
use crate::error::AppError;
use crate::names::JOB;
use crate::repo;
use crate::repo::Change;
use aigis_core::Millis;
use aigis_core::audit::NewEvent;
use aigis_core::model::{Job, JobKind, JobMode, JobStatus};
use aigis_platform::{EntityQuery, Platform};
use serde_json::json;

pub const ROUTES: &[Route] = &[
    route!("jobs.manual", Approver, jobs::reads::manual),
    route!("jobs.list", Admin, jobs::reads::list),
    route!("jobs.complete", Approver, jobs::complete::complete),
];

/// Jobs of a grant (a grant has a handful: one page).
pub fn of_grant(p: &Platform, grant: &str) -> Result<Vec<Job>, AppError> {
    let page = p.storage.entity_query(&EntityQuery {
        entity: JOB.into(),
        index: "by-grant".into(),
        partition: vec![json!(grant)],
        limit: 50,
        ..Default::default()
    })?;
    page.items
        .iter()
        .map(|(key, raw)| repo::decode(JOB, key, raw))
        .collect()
}

pub fn unfinished(j: &Job) -> bool {
    matches!(
        j.status,
        JobStatus::Queued | JobStatus::Running | JobStatus::Retry | JobStatus::ManualPending
    )
}

/// The mode new jobs of a grant use: that of its provisioning job.
pub fn mode_of(jobs: &[Job]) -> JobMode {
    jobs.iter()
        .find(|j| j.kind == JobKind::Provision)
        .map(|j| j.mode.clone())
        .unwrap_or(JobMode::Manual)
}

/// Cancels an unfinished job within change `c`: it is completed with a
/// note saying why (`reason`: `extended`, `revoked`), with a `job.cancelled` event.
pub fn cancel(
    c: &mut Change,
    job: &Job,
    reason: &str,
    actor: &str,
    now: Millis,
) -> Result<(), AppError> {
    let mut cancelled = job.clone();
    cancelled.status = JobStatus::Completed;
    cancelled.note = Some(format!("cancelled: the grant was {reason}"));
    cancelled.updated_at = now;
    c.put(JOB, &cancelled.id, &cancelled)?;
    c.event(NewEvent::new(
        actor,
        "job.cancelled",
        &format!("job:{}", job.id),
        json!({"grant": job.grant, "reason": reason}),
    ));
    Ok(())
}
