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

/// Whether the invocation must stop now to finish before its deadline.
pub fn out_of_time(p: &Platform) -> bool {
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

/// KVS key of the escalation watermark: the `createdAt` up to which every
/// pending request that breached its SLA has been escalated.
const ESCALATION_WATERMARK: &str = "escalation:watermark";

/// KVS key recording the escalation of one request's SLA breach.
pub fn escalation_key(request: &str) -> String {
    format!("escalation:{request}")
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EscalationSummary {
    pub escalated: u32,
    pub items_examined: u32,
    pub stopped_early: bool,
    /// Why nothing was examined, when nothing could be.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

/// The ADF comment telling the escalation targets about a breach.
fn escalation_comment(
    req: &aigis_core::model::Request,
    sla_hours: u32,
    intake: &crate::intake::Intake,
) -> serde_json::Value {
    let mut runs: Vec<serde_json::Value> = vec![json!({
        "type": "text",
        "text": "Approval overdue",
        "marks": [{"type": "strong"}]
    })];
    let mut para: Vec<serde_json::Value> = vec![json!({"type": "text", "text": format!(
        "This request for {} has waited more than {} hours for a decision. Escalated to: ",
        req.tool_name, sla_hours
    )})];
    for (i, a) in intake.escalation_accounts.iter().enumerate() {
        if i > 0 {
            para.push(json!({"type": "text", "text": ", "}));
        }
        para.push(json!({"type": "mention", "attrs": {"id": a}}));
    }
    if let Some(g) = &intake.escalation_group {
        let sep = if intake.escalation_accounts.is_empty() {
            ""
        } else {
            ", "
        };
        para.push(json!({"type": "text", "text": format!("{sep}group {g}")}));
    }
    if intake.escalation_accounts.is_empty() && intake.escalation_group.is_none() {
        para.push(json!({"type": "text", "text": "the approvers"}));
    }
    para.push(json!({"type": "text", "text": "."}));
    let heading = json!({"type": "paragraph", "content": runs.split_off(0)});
    json!({"type": "doc", "version": 1, "content": [heading, {"type": "paragraph", "content": para}]})
}

/// The hourly escalation sweep: every pending request whose approval SLA
/// has passed is escalated once — an ADF comment mentioning the escalation
/// targets (outbox notice), an audit event `request.escalated`, and a KVS
/// record `escalation:{request}` written in the same commit, so a rerun
/// (same time or later) escalates nothing twice.
///
/// Reads only what is due: the SLA is one site-wide number, so the requests
/// that breached it are exactly the pending ones created at or before
/// `now - SLA`, read from `request/by-decision` (partition `pending`, range
/// `createdAt`) starting at a watermark that moves with each escalation;
/// requests already escalated are not read again. Without an SLA in the
/// intake configuration nothing is escalated.
pub fn escalation(p: &Platform) -> Result<EscalationSummary, AppError> {
    use crate::repo::{self, Change, REQUEST};
    use aigis_core::audit::NewEvent;
    use aigis_core::model::{Decision, Request};
    let now = p.runtime.now_millis();
    let mut s = EscalationSummary::default();
    let Some(intake) = crate::intake::load(p)? else {
        s.skipped = Some("intake is not configured".into());
        return Ok(s);
    };
    let Some(sla) = intake.approval_sla_hours else {
        s.skipped = Some("no approvalSlaHours in the intake configuration".into());
        return Ok(s);
    };
    let cutoff = now - i64::from(sla) * aigis_core::time::HOUR;
    let from: i64 = repo::get_kv(p, ESCALATION_WATERMARK)?.unwrap_or(0);
    let mut cursor = None;
    loop {
        if out_of_time(p) {
            s.stopped_early = true;
            return Ok(s);
        }
        let page = p.storage.entity_query(&EntityQuery {
            entity: REQUEST.into(),
            index: "by-decision".into(),
            partition: vec![json!("pending")],
            range: Some(RangeCondition::Between(json!(from), json!(cutoff))),
            cursor,
            limit: PAGE,
            ..Default::default()
        })?;
        for (key, raw) in &page.items {
            if out_of_time(p) {
                s.stopped_early = true;
                return Ok(s);
            }
            s.items_examined += 1;
            let listed: Request =
                serde_json::from_str(raw).map_err(|e| AppError::internal(e.to_string()))?;
            let marker = escalation_key(key);
            let done = repo::commit(p, |_| {
                let mut c = Change::new();
                let Some(req) = repo::get::<Request>(p, REQUEST, key)? else {
                    return Ok((false, c));
                };
                let watermark: i64 = repo::get_kv(p, ESCALATION_WATERMARK)?.unwrap_or(0);
                if listed.created_at > watermark {
                    c.put_kv(ESCALATION_WATERMARK, &listed.created_at)?;
                }
                if req.decision != Decision::Pending
                    || repo::get_kv::<serde_json::Value>(p, &marker)?.is_some()
                {
                    return Ok((false, c));
                }
                c.put_kv(
                    &marker,
                    &json!({"request": key, "at": now, "slaHours": sla}),
                )?;
                c.notice(Notice::comment(
                    format!("escalation-{key}"),
                    &req.id,
                    escalation_comment(&req, sla, &intake),
                ));
                c.event(NewEvent::new(
                    "app:escalation",
                    "request.escalated",
                    &format!("request:{key}"),
                    json!({
                        "issueKey": req.issue_key,
                        "slaHours": sla,
                        "dueAt": req.created_at + i64::from(sla) * aigis_core::time::HOUR,
                        "accounts": intake.escalation_accounts,
                        "group": intake.escalation_group,
                    }),
                ));
                Ok((true, c))
            })?;
            outbox::deliver_all(p, &done.notices);
            s.escalated += u32::from(done.value);
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(s),
        }
    }
}
