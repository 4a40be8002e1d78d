//! A complete read compared with the open grants, the differences written
//! as reconciliation records (each change one commit with its audit
//! event, re-decided on fresh state, so two runs never write one twice),
//! and, when the connector enforces, the fixes queued as jobs.

use super::scan::Row;
use super::{DriftRun, findings_of};
use crate::connectors::http::Fail;
use crate::connectors::identities::{self, IdentityRecord, identity_key};
use crate::connectors::provider::Directory;
use crate::connectors::{Binding, ConnectorRecord};
use crate::error::AppError;
use crate::names::{GRANT, JOB, RECONCILIATION};
use crate::repo::{self, Change};
use aigis_core::Millis;
use aigis_core::audit::NewEvent;
use aigis_core::drift::{
    self, DriftKind, Finding, FindingChange, FindingStatus, Held, Reconciliation,
};
use aigis_core::model::{Grant, GrantStatus, Job, JobKind, JobMode, JobStatus};
use aigis_platform::{EntityQuery, Platform};
use serde_json::json;
use std::collections::BTreeMap;

const ACTOR: &str = "app:drift";
/// Findings written per commit (2 operations each, within Forge's 25).
const BATCH: usize = 10;

/// The open grants of `tool` (active and pending), through its index.
fn open_grants(p: &Platform, tool: &str) -> Result<Vec<Grant>, AppError> {
    let mut out = Vec::new();
    for status in ["active", "pendingProvision"] {
        repo::scan(
            p,
            EntityQuery {
                entity: GRANT.into(),
                index: "by-tool-status".into(),
                partition: vec![json!(tool), json!(status)],
                ..Default::default()
            },
            |_, g: Grant| {
                out.push(g);
                Ok(true)
            },
        )?;
    }
    Ok(out)
}

/// Who holds each open grant at the provider: the admin's mapping, else
/// the one listed member with the account's e-mail, else a directory
/// search (unresolved and ambiguous stay unresolved: drift does not guess).
fn holders(
    p: &Platform,
    d: &dyn Directory,
    rec: &ConnectorRecord,
    b: &Binding,
    rows: &[Row],
) -> Result<Result<Vec<Held>, Fail>, AppError> {
    let mut by_email: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.t.is_none() && !r.e.is_empty()) {
        by_email.entry(r.e.as_str()).or_default().push(r);
    }
    let by_id: BTreeMap<&str, &Row> = rows.iter().map(|r| (r.i.as_str(), r)).collect();
    let mut out = Vec::new();
    for g in open_grants(p, &b.tool)? {
        let mapped: Option<IdentityRecord> = repo::get_kv(p, &identity_key(&rec.id, &g.account))?;
        let email = match &mapped {
            Some(_) => None,
            None => match crate::jira::user_email(p, &g.account) {
                Ok(e) => e,
                Err(_) => {
                    return Ok(Err(Fail::Retry {
                        why: "Jira did not say who a grant's holder is".into(),
                        after: None,
                    }));
                }
            },
        };
        let listed = match (&mapped, &email) {
            (Some(m), _) => by_id.get(m.external_id.as_str()).copied(),
            (None, Some(e)) => match by_email.get(e.to_lowercase().as_str()) {
                Some(v) if v.len() == 1 => Some(v[0]),
                _ => None,
            },
            (None, None) => None,
        };
        let external = match listed {
            Some(r) => Some((r.i.clone(), r.a)),
            None => match identities::resolve(p, d, &rec.id, &g.account, email.as_deref()) {
                Ok(u) => Some((u.id, u.active)),
                // Unresolved or ambiguous: the grant's jobs say so.
                Err(Fail::Terminal(_)) => None,
                Err(f) => return Ok(Err(f)),
            },
        };
        out.push(Held {
            grant: g.id.clone(),
            account: g.account.clone(),
            in_place: g.status == GrantStatus::Active,
            external,
        });
    }
    Ok(Ok(out))
}

fn event_data(r: &Reconciliation) -> serde_json::Value {
    json!({"tool": r.tool, "connector": r.connector, "groupId": r.group_id, "kind": r.kind,
        "member": r.member, "memberType": r.member_type, "account": r.account, "grant": r.grant})
}

fn new_record(rec: &ConnectorRecord, b: &Binding, f: &Finding, now: Millis) -> Reconciliation {
    Reconciliation {
        id: drift::finding_key(&b.tool, f.kind, &f.member),
        tool: b.tool.clone(),
        connector: rec.id.clone(),
        group_id: b.group_id.clone(),
        kind: f.kind,
        member: f.member.clone(),
        member_type: f.member_type.clone(),
        account: f.account.clone(),
        grant: f.grant.clone(),
        status: FindingStatus::Open,
        first_seen_at: now,
        last_seen_at: now,
        resolved_at: None,
        fix_job: None,
        history: Vec::new(),
    }
}

/// Writes `found` as open findings (new or found again). Returns how many changed.
fn record_found(
    p: &Platform,
    rec: &ConnectorRecord,
    b: &Binding,
    found: &[Finding],
    now: Millis,
) -> Result<u32, AppError> {
    let mut n = 0;
    for batch in found.chunks(BATCH) {
        let done = repo::commit(p, |_| {
            let mut c = Change::new();
            let mut k = 0u32;
            for f in batch {
                let fresh = new_record(rec, b, f, now);
                let before: Option<Reconciliation> = repo::get(p, RECONCILIATION, &fresh.id)?;
                let mut r = match before {
                    Some(r) if r.status == FindingStatus::Open => continue,
                    Some(mut r) => {
                        // Found again after it was resolved.
                        r.status = FindingStatus::Open;
                        r.resolved_at = None;
                        r.fix_job = None;
                        r.last_seen_at = now;
                        r.account = fresh.account.clone();
                        r.grant = fresh.grant.clone();
                        r
                    }
                    None => fresh,
                };
                r.step(now, FindingChange::Found, None);
                record(&mut c, &r, "drift.found")?;
                k += 1;
            }
            Ok((k, c))
        })?;
        n += done.value;
    }
    Ok(n)
}

/// Stores finding `r` and records `action` on it.
fn record(c: &mut Change, r: &Reconciliation, action: &str) -> Result<(), AppError> {
    c.put(RECONCILIATION, &r.id, r)?;
    c.event(NewEvent::new(
        ACTOR,
        action,
        &format!("{RECONCILIATION}:{}", r.id),
        event_data(r),
    ));
    Ok(())
}

/// Marks open findings no complete run finds any more as resolved.
fn record_resolved(
    p: &Platform,
    gone: &[Reconciliation],
    now: Millis,
    last_complete: Option<Millis>,
) -> Result<u32, AppError> {
    let mut n = 0;
    for batch in gone.chunks(BATCH) {
        let done = repo::commit(p, |_| {
            let mut c = Change::new();
            let mut k = 0u32;
            for g in batch {
                let Some(mut r) = repo::get::<Reconciliation>(p, RECONCILIATION, &g.id)? else {
                    continue;
                };
                if r.status != FindingStatus::Open {
                    continue;
                }
                r.status = FindingStatus::Resolved;
                r.resolved_at = Some(now);
                r.last_seen_at = r.last_seen_at.max(last_complete.unwrap_or(r.last_seen_at));
                r.step(now, FindingChange::Resolved, None);
                record(&mut c, &r, "drift.resolved")?;
                k += 1;
            }
            Ok((k, c))
        })?;
        n += done.value;
    }
    Ok(n)
}

/// The bound group is gone: one open `groupMissing` finding.
pub(super) fn group_missing(
    p: &Platform,
    rec: &ConnectorRecord,
    b: &Binding,
    now: Millis,
    run: &mut DriftRun,
) -> Result<(), AppError> {
    let f = Finding {
        kind: DriftKind::GroupMissing,
        member: b.group_id.clone(),
        member_type: None,
        account: None,
        grant: None,
    };
    run.found += record_found(p, rec, b, &[f], now)?;
    Ok(())
}

/// Compares the complete read `rows` with the open grants and records the
/// differences (and, enforcing, queues their fixes). `Ok(Err(_))`: a
/// holder could not be looked up; nothing was written.
#[allow(clippy::too_many_arguments)]
pub(super) fn compare_and_record(
    p: &Platform,
    d: &dyn Directory,
    rec: &ConnectorRecord,
    b: &Binding,
    rows: &[Row],
    now: Millis,
    last_complete: Option<Millis>,
    run: &mut DriftRun,
) -> Result<Result<(), Fail>, AppError> {
    let held = match holders(p, d, rec, b, rows)? {
        Ok(h) => h,
        Err(f) => return Ok(Err(f)),
    };
    let members: Vec<_> = rows.iter().map(Row::member).collect();
    let found = drift::compare(&members, &held);
    let open = findings_of(p, &b.tool, FindingStatus::Open)?;
    let keys: Vec<String> = found
        .iter()
        .map(|f| drift::finding_key(&b.tool, f.kind, &f.member))
        .collect();
    let gone: Vec<Reconciliation> = open
        .iter()
        .filter(|r| !keys.contains(&r.id))
        .cloned()
        .collect();
    let new: Vec<Finding> = found
        .into_iter()
        .zip(&keys)
        .filter(|(_, k)| !open.iter().any(|r| &r.id == *k))
        .map(|(f, _)| f)
        .collect();
    run.found += record_found(p, rec, b, &new, now)?;
    run.resolved += record_resolved(p, &gone, now, last_complete)?;
    if rec.enforce {
        run.fixes_queued += enforce(p, rec, &b.tool, now)?;
    }
    Ok(Ok(()))
}

fn unfinished(j: &Job) -> bool {
    matches!(
        j.status,
        JobStatus::Queued | JobStatus::Running | JobStatus::Retry | JobStatus::ManualPending
    )
}

/// Whether a job for `grant` (a grant id, or a finding's key) is unfinished.
fn busy(p: &Platform, grant: &str) -> Result<bool, AppError> {
    let mut any = false;
    repo::scan(
        p,
        EntityQuery {
            entity: JOB.into(),
            index: "by-grant".into(),
            partition: vec![json!(grant)],
            ..Default::default()
        },
        |_, j: Job| {
            any |= unfinished(&j);
            Ok(!any)
        },
    )?;
    Ok(any)
}

/// Queues one fix per open extra or missing finding that has none: a
/// removal job of the member, or a provisioning job of the grant. Each is
/// one commit re-decided on fresh state: a second run sees the first's job.
fn enforce(p: &Platform, rec: &ConnectorRecord, tool: &str, now: Millis) -> Result<u32, AppError> {
    let mut n = 0;
    for f in findings_of(p, tool, FindingStatus::Open)? {
        if f.fix_job.is_some() || !matches!(f.kind, DriftKind::Extra | DriftKind::Missing) {
            continue;
        }
        let done = repo::commit(p, |seq| {
            let mut c = Change::new();
            let Some(mut r) = repo::get::<Reconciliation>(p, RECONCILIATION, &f.id)? else {
                return Ok((false, c));
            };
            if r.status != FindingStatus::Open || r.fix_job.is_some() {
                return Ok((false, c));
            }
            let (kind, target) = match (r.kind, &r.grant) {
                (DriftKind::Extra, _) => (JobKind::Deprovision, r.id.clone()),
                (DriftKind::Missing, Some(g)) => (JobKind::Provision, g.clone()),
                _ => return Ok((false, c)),
            };
            if busy(p, &target)? {
                return Ok((false, c));
            }
            let job = aigis_core::rules::new_job(
                format!("j-{seq}"),
                kind,
                &target,
                JobMode::Connector(rec.id.clone()),
                now,
            );
            r.fix_job = Some(job.id.clone());
            r.step(now, FindingChange::FixQueued, Some(job.id.clone()));
            c.create(JOB, &job.id, &job)?;
            c.put(RECONCILIATION, &r.id, &r)?;
            c.event(NewEvent::new(
                ACTOR,
                "job.queued",
                &format!("job:{}", job.id),
                json!({"kind": kind.as_str(), "grant": target, "mode": "connector", "drift": r.id}),
            ));
            c.event(NewEvent::new(
                ACTOR,
                "drift.fixQueued",
                &format!("{RECONCILIATION}:{}", r.id),
                json!({"tool": r.tool, "kind": r.kind, "member": r.member, "job": job.id}),
            ));
            Ok((true, c))
        })?;
        n += u32::from(done.value);
    }
    Ok(n)
}
