//! `jobs.complete`: a person records that they carried out a manual job.

use crate::access::Caller;
use crate::error::AppError;
use crate::names::{GRANT, JOB};
use crate::outbox::Notice;
use crate::repo::{self, Change};
use aigis_core::adf;
use aigis_core::audit::NewEvent;
use aigis_core::ids::JobId;
use aigis_core::model::{Grant, Job, JobKind, JobStatus};
use aigis_core::{rules, time};
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// `{jobId, outcome, note?}`: `outcome` is the job kind's manual outcome
/// (`fulfilled`, `deprovisioned` or `verified`).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompleteArgs {
    pub job_id: JobId,
    pub outcome: String,
    /// Fulfilment notes for the record.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub note: String,
}

/// The job after completion and its grant.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Completed {
    pub job: Job,
    pub grant: Option<Grant>,
    pub changed: bool,
}

/// `jobs.complete` (approver): records that a person did a manual job.
pub fn complete(p: &Platform, caller: &Caller, args: CompleteArgs) -> Result<Completed, AppError> {
    let now = repo::now(p);
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        let job: Job = repo::get(p, JOB, &args.job_id)?.ok_or_else(|| {
            AppError::not_found(format!("job {:?} does not exist", args.job_id.as_str()))
        })?;
        if job.status == JobStatus::Completed
            && job.completed_by.as_deref() == Some(caller.account_id.as_str())
        {
            let grant: Option<Grant> = repo::get(p, GRANT, &job.grant)?;
            return Ok(((job, grant), c));
        }
        let grant: Grant = repo::get(p, GRANT, &job.grant)?.ok_or_else(|| {
            AppError::internal(format!("grant {} of job {} is missing", job.grant, job.id))
        })?;
        let (job2, grant2) = rules::complete_manual(
            &job,
            &grant,
            &caller.account_id,
            &args.outcome,
            &args.note,
            now,
        )?;
        c.put(JOB, &job2.id, &job2)?;
        c.event(NewEvent::new(&caller.account_id, "job.completed", &format!("job:{}", job2.id),
            json!({"kind": job2.kind.as_str(), "outcome": args.outcome, "grant": grant.id, "note": job2.note})));
        if grant2 != grant {
            c.put(GRANT, &grant2.id, &grant2)?;
            c.event(NewEvent::new(
                &caller.account_id,
                "grant.activated",
                &format!("grant:{}", grant2.id),
                json!({"expiresAt": grant2.expires_at, "status": grant2.status.as_str()}),
            ));
            c.notice(Notice::comment(
                format!("{}-active", grant2.id),
                &grant2.request,
                adf::notice(
                    "Access is in place",
                    &[format!(
                        "Active until {}.",
                        time::rfc3339(grant2.expires_at)
                    )],
                ),
            ));
        } else if job2.kind == JobKind::Deprovision {
            c.notice(Notice::comment(
                format!("{}-removed", job2.id),
                &grant.request,
                adf::notice(
                    "Access removed",
                    &[format!(
                        "Recorded by an approver at {}.",
                        time::rfc3339(now)
                    )],
                ),
            ));
        }
        Ok(((job2, Some(grant2)), c))
    })?;
    crate::outbox::deliver_all(p, &done.notices);
    let (job, grant) = done.value;
    Ok(Completed {
        job,
        grant,
        changed: !done.events.is_empty(),
    })
}
