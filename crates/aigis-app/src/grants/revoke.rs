//! `grants.revoke`: access ends now; its removal is queued once.

use super::slot::Slot;
use super::{check_rationale, load_grant};
use crate::access::Caller;
use crate::error::AppError;
use crate::jobs;
use crate::names::{GRANT, JOB, SLOT};
use crate::outbox::Notice;
use crate::repo::{self, Change};
use aigis_core::adf;
use aigis_core::audit::NewEvent;
use aigis_core::ids::GrantId;
use aigis_core::model::{Grant, GrantStatus, Job, JobKind, JobStatus};
use aigis_core::rules;
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// `{grantId, rationale}`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RevokeArgs {
    pub grant_id: GrantId,
    pub rationale: String,
}

/// The revoked grant and its removal job.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Revoked {
    pub grant: Grant,
    pub job: Option<Job>,
    pub changed: bool,
}

/// `grants.revoke` (approver/admin). Queues a deprovisioning job unless one
/// is already queued, running or waiting for a person.
pub fn revoke(p: &Platform, caller: &Caller, args: RevokeArgs) -> Result<Revoked, AppError> {
    check_rationale(&args.rationale)?;
    let now = repo::now(p);
    let done = repo::commit(p, |seq| {
        let mut c = Change::new();
        let grant = load_grant(p, &args.grant_id)?;
        let jobs = jobs::of_grant(p, &grant.id)?;
        let pending = jobs
            .iter()
            .find(|j| j.kind == JobKind::Deprovision && jobs::unfinished(j))
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
            j.kind == JobKind::Provision && jobs::unfinished(j) && j.status != JobStatus::Running
        }) {
            jobs::cancel(&mut c, j, "revoked", &caller.account_id, now)?;
        }
        let job = match pending {
            Some(j) => j,
            None => {
                let job = rules::new_job(
                    format!("j-{seq}"),
                    JobKind::Deprovision,
                    &g.id,
                    jobs::mode_of(&jobs),
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
    Ok(Revoked {
        grant,
        job,
        changed: !done.events.is_empty(),
    })
}
