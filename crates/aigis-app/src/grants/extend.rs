//! `grants.extend`: more time for a grant, within its lifetime cap and,
//! after expiry, the grace window.

use super::slot::{Slot, open_grant};
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
use aigis_core::model::{Grant, GrantStatus, JobKind, days};
use aigis_core::{Millis, rules, time};
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Longest lifetime of a grant, counted from its original start.
pub const MAX_LIFETIME_DAYS: u32 = 180;
/// How long after expiry a grant may still be extended.
pub const GRACE_DAYS: u32 = 7;

/// The new expiry of `grant` extended by `n` days at `now`, under the
/// lifetime cap and the grace window.
pub fn extended_expiry(grant: &Grant, n: u32, now: Millis) -> Result<Millis, AppError> {
    match grant.status {
        GrantStatus::Active | GrantStatus::PendingProvision => {}
        GrantStatus::Expired => {
            if now > grant.expires_at + days(GRACE_DAYS) {
                return Err(AppError::conflict(format!(
                    "grant {} expired at {}; it can be extended only within {GRACE_DAYS} days of expiry",
                    grant.id,
                    time::rfc3339(grant.expires_at)
                )));
            }
        }
        GrantStatus::Revoked => {
            return Err(AppError::conflict(format!(
                "grant {} is revoked and cannot be extended",
                grant.id
            )));
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

/// `{grantId, days: 1..=180, rationale, expectedExpiresAt?}`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExtendArgs {
    pub grant_id: GrantId,
    pub days: u32,
    pub rationale: String,
    /// The expiry the caller saw (milliseconds): the extension applies only
    /// to that state, so a blind retry after a lost answer cannot extend twice.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub expected_expires_at: Option<Millis>,
}

/// The grant after a change; `changed` is false when it was already so.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GrantChanged {
    pub grant: Grant,
    pub changed: bool,
}

/// `grants.extend` (approver/admin, never the holder). Clients should send
/// `expectedExpiresAt`.
pub fn extend(p: &Platform, caller: &Caller, args: ExtendArgs) -> Result<GrantChanged, AppError> {
    if args.days == 0 || args.days > MAX_LIFETIME_DAYS {
        return Err(AppError::invalid(
            "days",
            format!("must be 1 to {MAX_LIFETIME_DAYS}"),
        ));
    }
    check_rationale(&args.rationale)?;
    let now = repo::now(p);
    let done = repo::commit(p, |seq| {
        let mut c = Change::new();
        let grant = load_grant(p, &args.grant_id)?;
        if grant.is_party(&caller.account_id) {
            return Err(AppError::forbidden(
                "nobody may extend a grant they hold or requested for someone",
            ));
        }
        if let Some(seen) = args
            .expected_expires_at
            .filter(|seen| *seen != grant.expires_at)
        {
            return Err(AppError::conflict(format!(
                "the grant changed since it was read: it expires at {}, not {}",
                time::rfc3339(grant.expires_at),
                time::rfc3339(seen)
            )));
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
                return Err(AppError::conflict(format!(
                    "the holder already has an open grant for this tool ({}, {})",
                    other.issue_key,
                    other.status.as_str()
                )));
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
            let jobs = jobs::of_grant(p, &g.id)?;
            let mut removed = false;
            for j in jobs.iter().filter(|j| j.kind == JobKind::Deprovision) {
                if jobs::unfinished(j) {
                    jobs::cancel(&mut c, j, "extended", &caller.account_id, now)?;
                } else {
                    removed = true;
                }
            }
            if removed {
                let job = rules::new_job(
                    format!("j-{seq}"),
                    JobKind::Provision,
                    &g.id,
                    jobs::mode_of(&jobs),
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
    Ok(GrantChanged {
        grant: done.value,
        changed: !done.events.is_empty(),
    })
}
