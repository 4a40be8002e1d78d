//! Grants after approval: extension, revocation, and the holder's view.

use crate::access::Caller;
use crate::decide::{Slot, open_grant};
use crate::error::{AppError, parse_payload};
use crate::intake;
use crate::outbox::Notice;
use crate::repo::{self, Change, GRANT, JOB, SLOT};
use aigis_core::adf;
use aigis_core::audit::NewEvent;
use aigis_core::model::{Grant, GrantStatus, Job, JobKind, JobMode, JobStatus, days};
use aigis_core::{Millis, rules, time};
use aigis_platform::{EntityQuery, Platform};
use serde::Deserialize;
use serde_json::{Value, json};

/// Longest lifetime of a grant, counted from its original start.
pub const MAX_LIFETIME_DAYS: u32 = 180;
/// How long after expiry a grant may still be extended.
pub const GRACE_DAYS: u32 = 7;

fn load_grant(p: &Platform, id: &str) -> Result<Grant, AppError> {
    repo::get(p, GRANT, id)?
        .ok_or_else(|| AppError::not_found(format!("grant {id:?} does not exist")))
}

fn check_rationale(r: &str) -> Result<(), AppError> {
    let n = r.trim().chars().count();
    if n == 0 || n > 2000 {
        return Err(AppError::invalid(
            "rationale",
            "must be 1 to 2000 characters",
        ));
    }
    Ok(())
}

/// Jobs of a grant (a grant has a handful: one page).
pub fn jobs_of(p: &Platform, grant: &str) -> Result<Vec<Job>, AppError> {
    let page = p.storage.entity_query(&EntityQuery {
        entity: JOB.into(),
        index: "by-grant".into(),
        partition: vec![json!(grant)],
        limit: 50,
        ..Default::default()
    })?;
    page.items
        .iter()
        .map(|(_, raw)| serde_json::from_str(raw).map_err(|e| AppError::internal(e.to_string())))
        .collect()
}

fn unfinished(j: &Job) -> bool {
    matches!(
        j.status,
        JobStatus::Queued | JobStatus::Running | JobStatus::Retry | JobStatus::ManualPending
    )
}

/// The mode new jobs of a grant use: that of its provisioning job.
fn mode_of(jobs: &[Job]) -> JobMode {
    jobs.iter()
        .find(|j| j.kind == JobKind::Provision)
        .map(|j| j.mode.clone())
        .unwrap_or(JobMode::Manual)
}

/// The new expiry of `grant` extended by `n` days at `now`, under the
/// lifetime cap and the grace window.
pub fn extended_expiry(grant: &Grant, n: u32, now: Millis) -> Result<Millis, AppError> {
    match grant.status {
        GrantStatus::Active | GrantStatus::PendingProvision => {}
        GrantStatus::Expired => {
            if now > grant.expires_at + days(GRACE_DAYS) {
                return Err(AppError::new(
                    "conflict",
                    format!(
                        "grant {} expired at {}; it can be extended only within {GRACE_DAYS} days of expiry",
                        grant.id,
                        time::rfc3339(grant.expires_at)
                    ),
                ));
            }
        }
        GrantStatus::Revoked => {
            return Err(AppError::new(
                "conflict",
                format!("grant {} is revoked and cannot be extended", grant.id),
            ));
        }
    }
    let start = grant.activated_at.unwrap_or(grant.created_at);
    let new_expiry = grant.expires_at.max(now) + days(n);
    let cap = start + days(MAX_LIFETIME_DAYS);
    if new_expiry > cap {
        let left = ((cap - grant.expires_at.max(now)) / days(1)).max(0);
        return Err(AppError::invalid(
            "days",
            format!(
                "a grant lives at most {MAX_LIFETIME_DAYS} days from its start ({}); at most {left} more days are possible",
                time::rfc3339(start)
            ),
        ));
    }
    Ok(new_expiry)
}

/// `grants.extend` (approver/admin, never the holder):
/// `{grantId, days: 1..=180, rationale, expectedExpiresAt?}` → `{grant, changed}`.
/// With `expectedExpiresAt` (the expiry the caller saw), an extension is
/// applied only to that state: a blind retry after a lost answer gets a
/// conflict instead of extending twice. Clients should send it.
pub fn extend(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        grant_id: String,
        days: u32,
        rationale: String,
        #[serde(default)]
        expected_expires_at: Option<i64>,
    }
    let args: Args = parse_payload(payload)?;
    if args.days == 0 || args.days > MAX_LIFETIME_DAYS {
        return Err(AppError::invalid(
            "days",
            format!("must be 1 to {MAX_LIFETIME_DAYS}"),
        ));
    }
    check_rationale(&args.rationale)?;
    caller.require_approver(intake::load(p)?.as_ref())?;
    let now = repo::now(p);
    let done = repo::commit(p, |seq| {
        let mut c = Change::new();
        let grant = load_grant(p, &args.grant_id)?;
        if grant.account == caller.account_id {
            return Err(AppError::forbidden("nobody may extend their own grant"));
        }
        if let Some(seen) = args
            .expected_expires_at
            .filter(|seen| *seen != grant.expires_at)
        {
            return Err(AppError::new(
                "conflict",
                format!(
                    "the grant changed since it was read: it expires at {}, not {}",
                    aigis_core::time::rfc3339(grant.expires_at),
                    aigis_core::time::rfc3339(seen)
                ),
            ));
        }
        let new_expiry = extended_expiry(&grant, args.days, now)?;
        let mut g = grant.clone();
        g.expires_at = new_expiry;
        g.duration_days = u32::try_from(
            (new_expiry - g.activated_at.unwrap_or(g.created_at)).div_euclid(days(1)),
        )
        .unwrap_or(g.duration_days);
        let revived = grant.status == GrantStatus::Expired;
        if revived {
            if let Some(other) = open_grant(p, &grant.account, &grant.tool)? {
                return Err(AppError::new(
                    "conflict",
                    format!(
                        "the holder already has an open grant for this tool ({}, {})",
                        other.issue_key,
                        other.status.as_str()
                    ),
                ));
            }
            g.status = GrantStatus::Active;
            g.ended_at = None;
            c.put(
                SLOT,
                &repo::slot_key(&g.account, &g.tool),
                &Slot {
                    grant: g.id.clone(),
                },
            )?;
            // Removal queued at expiry is no longer wanted; if access was
            // already removed, it is provisioned again.
            let jobs = jobs_of(p, &g.id)?;
            let mut removed = false;
            for j in jobs.iter().filter(|j| j.kind == JobKind::Deprovision) {
                if unfinished(j) {
                    let mut cancelled = j.clone();
                    cancelled.status = JobStatus::Completed;
                    cancelled.note = Some("cancelled: the grant was extended".into());
                    cancelled.updated_at = now;
                    c.put(JOB, &cancelled.id, &cancelled)?;
                    c.event(NewEvent::new(
                        &caller.account_id,
                        "job.cancelled",
                        &format!("job:{}", j.id),
                        json!({"grant": g.id, "reason": "extended"}),
                    ));
                } else {
                    removed = true;
                }
            }
            if removed {
                let job = rules::new_job(
                    format!("j-{seq}"),
                    JobKind::Provision,
                    &g.id,
                    mode_of(&jobs),
                    now,
                );
                g.status = GrantStatus::PendingProvision;
                c.create(JOB, &job.id, &job)?;
                c.event(NewEvent::new(
                    &caller.account_id,
                    "job.queued",
                    &format!("job:{}", job.id),
                    json!({"kind": "provision", "grant": g.id}),
                ));
            }
        }
        c.put(GRANT, &g.id, &g)?;
        c.event(NewEvent::new(
            &caller.account_id,
            "grant.extended",
            &format!("grant:{}", g.id),
            json!({"days": args.days, "from": grant.expires_at, "expiresAt": g.expires_at,
                "revived": revived, "rationale": args.rationale.trim()}),
        ));
        c.notice(Notice::comment(
            format!("{}-extended-{seq}", g.id),
            &g.request,
            adf::notice(
                "Access extended",
                &[
                    format!(
                        "Extended by {} days, until {}.",
                        args.days,
                        time::rfc3339(g.expires_at)
                    ),
                    format!("Rationale: {}", args.rationale.trim()),
                ],
            ),
        ));
        Ok((g, c))
    })?;
    crate::outbox::deliver_all(p, &done.notices);
    Ok(json!({ "grant": done.value, "changed": !done.events.is_empty() }))
}

/// `grants.revoke` (approver/admin): `{grantId, rationale}` →
/// `{grant, job, changed}`. Queues a deprovisioning job unless one is
/// already queued, running or waiting for a person.
pub fn revoke(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        grant_id: String,
        rationale: String,
    }
    let args: Args = parse_payload(payload)?;
    check_rationale(&args.rationale)?;
    caller.require_approver(intake::load(p)?.as_ref())?;
    let now = repo::now(p);
    let done = repo::commit(p, |seq| {
        let mut c = Change::new();
        let grant = load_grant(p, &args.grant_id)?;
        let jobs = jobs_of(p, &grant.id)?;
        let pending = jobs
            .iter()
            .find(|j| j.kind == JobKind::Deprovision && unfinished(j))
            .cloned();
        if grant.status == GrantStatus::Revoked {
            return Ok(((grant, pending), c));
        }
        let mut g = grant.clone();
        g.status = GrantStatus::Revoked;
        g.ended_at = Some(now);
        c.put(GRANT, &g.id, &g)?;
        let slot_key = repo::slot_key(&g.account, &g.tool);
        if repo::get::<Slot>(p, SLOT, &slot_key)?.is_some_and(|s| s.grant == g.id) {
            c.delete(SLOT, &slot_key);
        }
        c.event(NewEvent::new(
            &caller.account_id,
            "grant.revoked",
            &format!("grant:{}", g.id),
            json!({"from": grant.status.as_str(), "rationale": args.rationale.trim()}),
        ));
        // Provisioning not yet done is no longer wanted.
        for j in jobs.iter().filter(|j| {
            j.kind == JobKind::Provision && unfinished(j) && j.status != JobStatus::Running
        }) {
            let mut cancelled = j.clone();
            cancelled.status = JobStatus::Completed;
            cancelled.note = Some("cancelled: the grant was revoked".into());
            cancelled.updated_at = now;
            c.put(JOB, &cancelled.id, &cancelled)?;
            c.event(NewEvent::new(
                &caller.account_id,
                "job.cancelled",
                &format!("job:{}", j.id),
                json!({"grant": g.id, "reason": "revoked"}),
            ));
        }
        let job = match pending {
            Some(j) => j,
            None => {
                let job = rules::new_job(
                    format!("j-{seq}"),
                    JobKind::Deprovision,
                    &g.id,
                    mode_of(&jobs),
                    now,
                );
                c.create(JOB, &job.id, &job)?;
                c.event(NewEvent::new(
                    &caller.account_id,
                    "job.queued",
                    &format!("job:{}", job.id),
                    json!({"kind": "deprovision", "grant": g.id}),
                ));
                job
            }
        };
        c.notice(Notice::comment(
            format!("{}-revoked", g.id),
            &g.request,
            adf::notice(
                "Access revoked",
                &[
                    "Removal of access is queued.".to_owned(),
                    format!("Rationale: {}", args.rationale.trim()),
                ],
            ),
        ));
        Ok(((g, Some(job)), c))
    })?;
    crate::outbox::deliver_all(p, &done.notices);
    let (grant, job) = done.value;
    Ok(json!({ "grant": grant, "job": job, "changed": !done.events.is_empty() }))
}

/// The expiry label of a grant for a holder in time zone `tz`.
pub fn label(g: &Grant, now: Millis, tz: &str) -> Option<String> {
    match g.status {
        GrantStatus::Active => Some(time::expiry_label(g.expires_at, now, tz)),
        GrantStatus::Expired => Some("expired".into()),
        _ => None,
    }
}
