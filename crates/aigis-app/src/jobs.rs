//! Provisioning jobs: the runner's steps and manual completion.

use crate::access::Caller;
use crate::error::{AppError, parse_payload};
use crate::intake;
use crate::outbox::Notice;
use crate::repo::{self, Change, GRANT, JOB, SLOT};
use aigis_core::adf;
use aigis_core::audit::NewEvent;
use aigis_core::model::{Grant, GrantStatus, Job, JobKind, JobMode, JobStatus};
use aigis_core::{Millis, rules, time};
use aigis_platform::Platform;
use serde::Deserialize;
use serde_json::{Value, json};

/// `jobs.complete` (approver): records that a person did a manual job.
pub fn complete(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        job_id: String,
        outcome: String,
        #[serde(default)]
        note: String,
    }
    let args: Args = parse_payload(payload)?;
    caller.require_approver(intake::load(p)?.as_ref())?;
    let now = repo::now(p);
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        let job: Job = repo::get(p, JOB, &args.job_id)?
            .ok_or_else(|| AppError::not_found(format!("job {:?} does not exist", args.job_id)))?;
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
    Ok(json!({ "job": job, "grant": grant, "changed": !done.events.is_empty() }))
}

/// Runner step for one due job. Returns whether it changed anything.
pub fn run_due_job(p: &Platform, job_id: &str, now: Millis) -> Result<bool, AppError> {
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        let Some(job) = repo::get::<Job>(p, JOB, job_id)? else {
            return Ok(((), c));
        };
        let due = matches!(job.status, JobStatus::Queued | JobStatus::Retry) && job.due_at <= now;
        if !due {
            return Ok(((), c));
        }
        match &job.mode {
            JobMode::Manual => {
                let next = rules::hand_to_person(&job, now)?;
                c.put(JOB, &next.id, &next)?;
                c.event(NewEvent::new(
                    "app:job-runner",
                    "job.manualPending",
                    &format!("job:{}", next.id),
                    json!({"kind": next.kind.as_str(), "grant": next.grant}),
                ));
            }
            JobMode::Connector(name) => {
                // No connector is installed yet: the job waits for one
                // (connected mode plugs in here).
                let mut next = job.clone();
                next.status = JobStatus::DeadLetter;
                next.updated_at = now;
                next.note = Some(format!("connector {name:?} is not configured"));
                c.put(JOB, &next.id, &next)?;
                c.event(NewEvent::new(
                    "app:job-runner",
                    "job.deadLetter",
                    &format!("job:{}", next.id),
                    json!({"reason": next.note}),
                ));
            }
        }
        Ok(((), c))
    })?;
    Ok(!done.events.is_empty())
}

/// Runner step for one overdue grant: expire it and queue its deprovisioning.
pub fn expire_grant(p: &Platform, grant_id: &str, now: Millis) -> Result<bool, AppError> {
    let done = repo::commit(p, |seq| {
        let mut c = Change::new();
        let Some(grant) = repo::get::<Grant>(p, GRANT, grant_id)? else {
            return Ok(((), c));
        };
        if grant.status != GrantStatus::Active || grant.expires_at > now {
            return Ok(((), c));
        }
        let expired = rules::expire(&grant, now)?;
        let job = rules::new_job(
            format!("j-{seq}"),
            JobKind::Deprovision,
            &grant.id,
            JobMode::Manual,
            now,
        );
        c.put(GRANT, &expired.id, &expired)?;
        c.delete(SLOT, &repo::slot_key(&grant.account, &grant.tool));
        c.create(JOB, &job.id, &job)?;
        c.event(NewEvent::new(
            "app:job-runner",
            "grant.expired",
            &format!("grant:{}", grant.id),
            json!({"expiresAt": grant.expires_at}),
        ));
        c.event(NewEvent::new(
            "app:job-runner",
            "job.queued",
            &format!("job:{}", job.id),
            json!({"kind": "deprovision", "grant": grant.id, "mode": "manual"}),
        ));
        c.notice(Notice::comment(
            // Keyed by the expiry too: an extended grant may expire again.
            format!("{}-expired-{}", grant.id, grant.expires_at),
            &grant.request,
            adf::notice(
                "Access expired",
                &[format!(
                    "The grant ended at {}; removal of access is queued.",
                    time::rfc3339(grant.expires_at)
                )],
            ),
        ));
        Ok(((), c))
    })?;
    crate::outbox::deliver_all(p, &done.notices);
    Ok(!done.events.is_empty())
}
