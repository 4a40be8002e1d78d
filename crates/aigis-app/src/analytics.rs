//! Insights: monthly rollups of requests, decisions and grants, kept up to
//! date by the daily `analytics` sweep.
//!
//! The sweep reads only the audit events appended since its last run (the
//! saved watermark is an audit sequence number, read through the `by-seq`
//! index), folds them into per-month rollups, and writes the touched
//! rollups together with the new watermark in one transaction, page by
//! page. A rerun starts from the watermark, so running it twice gives the
//! same rollups.

use crate::access::Caller;
use crate::error::{AppError, parse_payload};
use crate::repo::{self, AUDIT, REQUEST, TOOL};
use aigis_core::audit::AuditEvent;
use aigis_core::model::{Request, Tool};
use aigis_core::time;
use aigis_platform::{EntityQuery, Platform, RangeCondition, TxnOp};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const WATERMARK: &str = "insights:watermark";
const MONTH_PREFIX: &str = "insights:month:";
const TOTALS: &str = "insights:totals";
const PAGE: u32 = 100;
/// Decision times kept per month for the median (a sample beyond this).
const MAX_SAMPLES: usize = 20_000;
const DEADLINE_MARGIN_MS: u64 = 10_000;

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Rollup {
    pub month: String,
    pub requests: u32,
    pub approvals: u32,
    pub auto_approvals: u32,
    pub denials: u32,
    pub grants_activated: u32,
    pub grants_ended: u32,
    /// Active grants at the end of the month (as of the last event seen).
    pub active_grants: i64,
    pub risk_mix: BTreeMap<String, u32>,
    pub tools: BTreeMap<String, u32>,
    /// Minutes from request to decision, one per decision.
    pub decision_minutes: Vec<u64>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Totals {
    active_grants: i64,
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsSummary {
    pub events_read: u32,
    pub months_updated: u32,
    pub through_seq: u64,
    pub stopped_early: bool,
}

fn month_of(at: i64) -> String {
    time::date(at).chars().take(7).collect()
}

fn load_month(p: &Platform, month: &str) -> Result<Rollup, AppError> {
    Ok(
        repo::get_kv::<Rollup>(p, &format!("{MONTH_PREFIX}{month}"))?.unwrap_or(Rollup {
            month: month.to_owned(),
            ..Default::default()
        }),
    )
}

/// The daily sweep: folds audit events after the watermark into rollups.
pub fn sweep(p: &Platform) -> Result<AnalyticsSummary, AppError> {
    let mut s = AnalyticsSummary::default();
    let mut mark: u64 = repo::get_kv(p, WATERMARK)?.unwrap_or(0);
    let mut totals: Totals = repo::get_kv(p, TOTALS)?.unwrap_or_default();
    let mut risks: BTreeMap<String, String> = BTreeMap::new();
    loop {
        if p.runtime.remaining_millis() < DEADLINE_MARGIN_MS {
            s.stopped_early = true;
            break;
        }
        let page = p.storage.entity_query(&EntityQuery {
            entity: AUDIT.into(),
            index: "by-seq".into(),
            range: Some(RangeCondition::GreaterThan(json!(mark))),
            limit: PAGE,
            ..Default::default()
        })?;
        if page.items.is_empty() {
            break;
        }
        let mut months: BTreeMap<String, Rollup> = BTreeMap::new();
        for (_, raw) in &page.items {
            let e: AuditEvent =
                serde_json::from_str(raw).map_err(|e| AppError::internal(e.to_string()))?;
            s.events_read += 1;
            mark = mark.max(e.seq);
            let month = month_of(e.at);
            if !months.contains_key(&month) {
                months.insert(month.clone(), load_month(p, &month)?);
            }
            let Some(r) = months.get_mut(&month) else {
                continue;
            };
            fold(p, &e, r, &mut totals, &mut risks)?;
            r.active_grants = totals.active_grants;
        }
        // Rollups of one page plus the watermark and totals: one transaction.
        let mut ops = Vec::new();
        for (m, r) in &months {
            ops.push(kv_set(&format!("{MONTH_PREFIX}{m}"), r)?);
        }
        ops.push(kv_set(TOTALS, &totals)?);
        ops.push(kv_set(WATERMARK, &mark)?);
        for chunk in ops.chunks(25) {
            // Months of one page are few (events are in time order); the
            // watermark goes last, so a partial write is redone next run.
            p.storage.transact(chunk)?;
        }
        s.months_updated += u32::try_from(months.len()).unwrap_or(0);
        if page.next_cursor.is_none() {
            break;
        }
    }
    s.through_seq = mark;
    Ok(s)
}

fn kv_set<T: Serialize>(key: &str, v: &T) -> Result<TxnOp, AppError> {
    Ok(TxnOp::Set {
        key: key.to_owned(),
        entity: None,
        value: serde_json::to_string(v).map_err(|e| AppError::internal(e.to_string()))?,
        conditions: vec![],
    })
}

fn subject_id<'a>(e: &'a AuditEvent, kind: &str) -> Option<&'a str> {
    e.subject.strip_prefix(kind)?.strip_prefix(':')
}

fn fold(
    p: &Platform,
    e: &AuditEvent,
    r: &mut Rollup,
    totals: &mut Totals,
    risks: &mut BTreeMap<String, String>,
) -> Result<(), AppError> {
    match e.action.as_str() {
        "request.created" => {
            r.requests += 1;
            if let Some(req) = subject_id(e, "request")
                .map(|id| repo::get::<Request>(p, REQUEST, id))
                .transpose()?
                .flatten()
            {
                *r.tools.entry(req.tool.clone()).or_default() += 1;
                if !risks.contains_key(&req.tool) {
                    let risk = repo::get::<Tool>(p, TOOL, &req.tool)?
                        .map(|t| format!("{:?}", t.risk).to_lowercase())
                        .unwrap_or_else(|| "unknown".into());
                    risks.insert(req.tool.clone(), risk);
                }
                if let Some(risk) = risks.get(&req.tool) {
                    *r.risk_mix.entry(risk.clone()).or_default() += 1;
                }
            }
        }
        "request.approved" | "request.denied" => {
            if e.action == "request.approved" {
                r.approvals += 1;
                if e.data["source"] == "auto-policy" || e.data["source"] == "autoPolicy" {
                    r.auto_approvals += 1;
                }
            } else {
                r.denials += 1;
            }
            if let Some(req) = subject_id(e, "request")
                .map(|id| repo::get::<Request>(p, REQUEST, id))
                .transpose()?
                .flatten()
                && r.decision_minutes.len() < MAX_SAMPLES
            {
                let minutes = (e.at - req.created_at).max(0) / time::MINUTE;
                r.decision_minutes.push(u64::try_from(minutes).unwrap_or(0));
            }
        }
        "grant.activated" => {
            r.grants_activated += 1;
            totals.active_grants += 1;
        }
        "grant.expired" => {
            r.grants_ended += 1;
            totals.active_grants -= 1;
        }
        "grant.revoked" if e.data["from"] == "active" => {
            r.grants_ended += 1;
            totals.active_grants -= 1;
        }
        "grant.extended" if e.data["revived"] == true => {
            totals.active_grants += 1;
        }
        _ => {}
    }
    Ok(())
}

/// `insights` (admin): `{from?: "YYYY-MM", to?: "YYYY-MM"}` → `{months:
/// [{month, requests, approvals, autoApprovals, denials, grantsActivated,
/// grantsEnded, activeGrants, riskMix, topTools, medianMinutesToDecision,
/// meanMinutesToDecision}], throughSeq}`, oldest first.
pub fn insights(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        #[serde(default)]
        from: Option<String>,
        #[serde(default)]
        to: Option<String>,
    }
    let a: Args = parse_payload(payload)?;
    for (field, v) in [("from", &a.from), ("to", &a.to)] {
        if let Some(m) = v {
            let ok = m.len() == 7
                && m.as_bytes()[4] == b'-'
                && m[..4].chars().all(|c| c.is_ascii_digit())
                && m[5..].parse::<u32>().is_ok_and(|n| (1..=12).contains(&n));
            if !ok {
                return Err(AppError::invalid(field, "must be a month, YYYY-MM"));
            }
        }
    }
    caller.require_admin()?;
    let mut months = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let page = p
            .storage
            .query_prefix(MONTH_PREFIX, cursor.as_deref(), 100)?;
        for (_, raw) in &page.items {
            let r: Rollup =
                serde_json::from_str(raw).map_err(|e| AppError::internal(e.to_string()))?;
            if a.from.as_ref().is_some_and(|f| r.month < *f)
                || a.to.as_ref().is_some_and(|t| r.month > *t)
            {
                continue;
            }
            months.push(view(&r));
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    months.sort_by(|x, y| x["month"].as_str().cmp(&y["month"].as_str()));
    let through: u64 = repo::get_kv(p, WATERMARK)?.unwrap_or(0);
    Ok(json!({ "months": months, "throughSeq": through }))
}

fn view(r: &Rollup) -> Value {
    let mut sorted = r.decision_minutes.clone();
    sorted.sort_unstable();
    let median = match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2] as f64),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
    };
    let mean = if sorted.is_empty() {
        None
    } else {
        Some(sorted.iter().sum::<u64>() as f64 / sorted.len() as f64)
    };
    let mut top: Vec<(&String, &u32)> = r.tools.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let top: Vec<Value> = top
        .into_iter()
        .take(5)
        .map(|(t, n)| json!({"tool": t, "requests": n}))
        .collect();
    json!({
        "month": r.month,
        "requests": r.requests,
        "approvals": r.approvals,
        "autoApprovals": r.auto_approvals,
        "denials": r.denials,
        "grantsActivated": r.grants_activated,
        "grantsEnded": r.grants_ended,
        "activeGrants": r.active_grants,
        "riskMix": r.risk_mix,
        "topTools": top,
        "medianMinutesToDecision": median,
        "meanMinutesToDecision": mean,
    })
}
