//! The job runner's steps: run a due job (by hand or through its
//! connector), expire a grant, prune finished jobs.

use crate::error::AppError;
use crate::names::{GRANT, JOB, RECONCILIATION, SLOT};
use crate::outbox::Notice;
use crate::repo::{self, Change};
use aigis_core::adf;
use aigis_core::audit::NewEvent;
use aigis_core::model::{Grant, GrantStatus, Job, JobKind, JobMode, JobStatus};
use aigis_core::{Millis, rules, time};
use aigis_platform::Platform;
use serde_json::json;

/// How long a claimed connector job may run before another runner may
/// take it over (its `dueAt` while running).
pub const LEASE: Millis = 15 * time::MINUTE;

/// What a runner step for a job claimed.
enum Step {
    Nothing,
    Changed,
    /// Claimed for a connector call: (job as running, connector name).
    Claimed(Job, String),
}

/// Runner step for one due job. Returns whether it changed anything.
///
/// A manual job is handed to a person. A connector job is first claimed
/// (queued/retry → running, inside a commit: of two runners only one can
/// claim it), then its connector is called outside any commit, and the
/// outcome is committed if the claim still holds. A running job whose
/// lease ran out (a runner died mid-call) counts as a retryable failure.
pub fn run_due_job(p: &Platform, job_id: &str, now: Millis) -> Result<bool, AppError> {
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        let Some(job) = repo::get::<Job>(p, JOB, job_id)? else {
            return Ok((Step::Nothing, c));
        };
        let stale = job.status == JobStatus::Running && job.due_at <= now;
        let due = matches!(job.status, JobStatus::Queued | JobStatus::Retry) && job.due_at <= now;
        if stale {
            let next = after_failure(&job, "the previous attempt did not finish", None, now);
            record_outcome(&mut c, &job, &next, &[])?;
            return Ok((Step::Changed, c));
        }
        if !due {
            return Ok((Step::Nothing, c));
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
                Ok((Step::Changed, c))
            }
            JobMode::Connector(name) => {
                let mut next = job.clone();
                next.status = JobStatus::Running;
                next.attempts += 1;
                next.due_at = now + LEASE;
                next.updated_at = now;
                c.put(JOB, &next.id, &next)?;
                c.event(NewEvent::new(
                    "app:job-runner",
                    "job.running",
                    &format!("job:{}", next.id),
                    json!({"kind": next.kind.as_str(), "connector": name, "attempt": next.attempts}),
                ));
                Ok((Step::Claimed(next, name.clone()), c))
            }
        }
    })?;
    match done.value {
        Step::Nothing => Ok(false),
        Step::Changed => Ok(true),
        Step::Claimed(job, name) => {
            run_connector(p, &job, &name, now)?;
            Ok(true)
        }
    }
}

/// The job after a failed attempt: retried with backoff, or dead-lettered
/// once it has used its attempts.
fn after_failure(job: &Job, why: &str, retry_after: Option<Millis>, now: Millis) -> Job {
    let mut next = job.clone();
    next.updated_at = now;
    next.note = Some(why.to_owned());
    if job.attempts >= rules::JOB_MAX_ATTEMPTS {
        next.status = JobStatus::DeadLetter;
    } else {
        next.status = JobStatus::Retry;
        next.due_at = now + rules::backoff_with(job.attempts, retry_after);
    }
    next
}

fn record_outcome(
    c: &mut Change,
    before: &Job,
    next: &Job,
    request_ids: &[String],
) -> Result<(), AppError> {
    c.put(JOB, &next.id, next)?;
    let action = match next.status {
        JobStatus::Succeeded => "job.succeeded",
        JobStatus::Retry => "job.retry",
        _ => "job.deadLetter",
    };
    let mut data = json!({"kind": before.kind.as_str(), "grant": next.grant, "attempts": next.attempts,
        "dueAt": next.due_at, "reason": next.note});
    if !request_ids.is_empty() {
        data["providerRequestIds"] = json!(request_ids);
    }
    c.event(NewEvent::new(
        "app:job-runner",
        action,
        &format!("job:{}", next.id),
        data,
    ));
    Ok(())
}

fn run_connector(p: &Platform, job: &Job, name: &str, now: Millis) -> Result<(), AppError> {
    use super::connector::{self, Outcome};
    let grant: Option<Grant> = repo::get(p, GRANT, &job.grant)?;
    let stored = super::connected::build(p, name);
    let registered = connector::lookup(name);
    let conn: Option<&dyn connector::Connector> = match (&stored, &registered) {
        (Some(s), _) => Some(s),
        (None, Some(r)) => Some(r.as_ref()),
        (None, None) => None,
    };
    // A drift fix of an extra member: its `grant` is the finding's key.
    let finding: Option<aigis_core::drift::Reconciliation> = match &grant {
        None => repo::get(p, RECONCILIATION, &job.grant)?,
        Some(_) => None,
    };
    let outcome = match (conn, &grant) {
        (None, _) => Outcome::Terminal(format!(
            "connector {name:?} is not configured or is disabled"
        )),
        (_, None) => match (&stored, &finding) {
            (Some(s), Some(f)) if job.kind == JobKind::Deprovision => s.remove_extra(p, f),
            _ => Outcome::Terminal(format!("grant {} is missing", job.grant)),
        },
        (Some(conn), Some(g)) => match job.kind {
            JobKind::Provision => conn.provision(p, job, g),
            JobKind::Deprovision => conn.deprovision(p, job, g),
            JobKind::Check => conn.check(p, job, g),
        },
    };
    let request_ids = conn.map(|c| c.request_ids()).unwrap_or_default();
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        let Some(current) = repo::get::<Job>(p, JOB, &job.id)? else {
            return Ok(((), c));
        };
        // The claim no longer holds (lease taken over): the outcome is dropped.
        if current.status != JobStatus::Running || current.attempts != job.attempts {
            return Ok(((), c));
        }
        let next = match &outcome {
            Outcome::Ok => {
                let mut n = current.clone();
                n.status = JobStatus::Succeeded;
                n.updated_at = now;
                n.note = None;
                n
            }
            Outcome::Retryable(m, wait) => after_failure(&current, m, *wait, now),
            Outcome::Terminal(m) => {
                let mut n = current.clone();
                n.status = JobStatus::DeadLetter;
                n.updated_at = now;
                n.note = Some(m.clone());
                n
            }
        };
        record_outcome(&mut c, &current, &next, &request_ids)?;
        let activate = next.status == JobStatus::Succeeded && current.kind == JobKind::Provision;
        if activate
            && let Some(g) = repo::get::<Grant>(p, GRANT, &current.grant)?
                .filter(|g| g.status == GrantStatus::PendingProvision)
        {
            let mut g2 = g.clone();
            g2.status = GrantStatus::Active;
            g2.activated_at = Some(now);
            g2.expires_at = now + aigis_core::model::days(g2.duration_days);
            c.put(GRANT, &g2.id, &g2)?;
            c.event(NewEvent::new(
                "app:job-runner",
                "grant.activated",
                &format!("grant:{}", g2.id),
                json!({"expiresAt": g2.expires_at, "status": "active", "connector": name}),
            ));
            c.notice(Notice::comment(
                format!("{}-active", g2.id),
                &g2.request,
                adf::notice(
                    "Access is in place",
                    &[format!("Active until {}.", time::rfc3339(g2.expires_at))],
                ),
            ));
        }
        Ok(((), c))
    })?;
    crate::outbox::deliver_all(p, &done.notices);
    Ok(())
}

/// Deletes finished jobs (succeeded, completed, deadLetter) last updated
/// before `cutoff`, at most `batch` per commit with one audit event, through
/// the status + updatedAt index: it reads only what is due. Returns how
/// many were deleted and whether it finished.
pub fn prune_finished(
    p: &Platform,
    cutoff: Millis,
    batch: u32,
    mut out_of_time: impl FnMut() -> bool,
) -> Result<(u32, bool), AppError> {
    use aigis_platform::{EntityQuery, RangeCondition};
    let mut deleted = 0;
    for status in ["succeeded", "completed", "deadLetter"] {
        loop {
            if out_of_time() {
                return Ok((deleted, false));
            }
            let page = p.storage.entity_query(&EntityQuery {
                entity: JOB.into(),
                index: "by-status-updated".into(),
                partition: vec![json!(status)],
                range: Some(RangeCondition::LessThanEqualTo(json!(cutoff))),
                limit: batch,
                ..Default::default()
            })?;
            if page.items.is_empty() {
                break;
            }
            let keys: Vec<String> = page.items.iter().map(|(k, _)| k.clone()).collect();
            let done = repo::commit(p, |_| {
                let mut c = Change::new();
                for k in &keys {
                    c.delete(JOB, k);
                }
                c.event(NewEvent::new(
                    "app:job-runner",
                    "jobs.pruned",
                    &format!("jobs:{status}"),
                    json!({"jobs": keys, "before": cutoff}),
                ));
                Ok(((), c))
            })?;
            if done.events.is_empty() {
                break;
            }
            deleted += u32::try_from(keys.len()).unwrap_or(u32::MAX);
        }
    }
    Ok((deleted, true))
}

/// Runner step for one overdue grant: expire it and queue its deprovisioning.
pub fn expire_grant(p: &Platform, grant_id: &str, now: Millis) -> Result<bool, AppError> {
    let done = repo::commit(p, |seq| {
        let mut c = Change::new();
        let Some(grant) = repo::get::<Grant>(p, GRANT, grant_id)? else {
            return Ok(((), c));
        };
        if !aigis_core::forecast::expiry_due(&grant, now) {
            return Ok(((), c));
        }
        let expired = rules::expire(&grant, now)?;
        let mode = deprovision_mode(p, &grant)?;
        let job = rules::new_job(
            format!("j-{seq}"),
            JobKind::Deprovision,
            &grant.id,
            mode.clone(),
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
            json!({"kind": "deprovision", "grant": grant.id, "mode": mode_label(&mode)}),
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

/// How a grant's access is removed: as it was provisioned (its provisioning
/// job's mode); a grant without one, through its tool's connector if bound.
pub fn deprovision_mode(p: &Platform, grant: &Grant) -> Result<JobMode, AppError> {
    let jobs = super::of_grant(p, &grant.id)?;
    if jobs.iter().any(|j| j.kind == JobKind::Provision) {
        return Ok(super::mode_of(&jobs));
    }
    crate::connectors::mode_for_tool(p, &grant.tool)
}

fn mode_label(m: &JobMode) -> &'static str {
    match m {
        JobMode::Manual => "manual",
        JobMode::Connector(_) => "connector",
    }
}
