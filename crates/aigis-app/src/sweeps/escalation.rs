//! The hourly escalation sweep (see [`sweep`]).

use super::{PAGE, out_of_time};
use crate::access::load_intake;
use crate::error::AppError;
use crate::names::{ESCALATION_PREFIX, ESCALATION_WATERMARK, REQUEST};
use crate::outbox::{self, Notice};
use crate::repo::{self, Change};
use aigis_core::audit::NewEvent;
use aigis_core::intake::Intake;
use aigis_core::model::Request;
use aigis_platform::{EntityQuery, Platform, RangeCondition};
use serde::Serialize;
use serde_json::json;

/// KVS key recording the escalation of one request's SLA breach.
pub fn escalation_key(request: &str) -> String {
    format!("{ESCALATION_PREFIX}{request}")
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
    intake: &Intake,
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
pub fn sweep(p: &Platform) -> Result<EscalationSummary, AppError> {
    let now = p.runtime.now_millis();
    let mut s = EscalationSummary::default();
    let Some(intake) = load_intake(p)? else {
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
            let listed: Request = repo::decode(REQUEST, key, raw)?;
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
                let breached =
                    aigis_core::forecast::sla_breach_at(&req, sla).is_some_and(|t| t <= now);
                if !breached || repo::get_kv::<serde_json::Value>(p, &marker)?.is_some() {
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
