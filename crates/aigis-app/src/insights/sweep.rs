//! The daily `analytics` sweep: audit events since the watermark folded
//! into monthly rollups.

use crate::error::AppError;
use crate::names::{
    AUDIT, INSIGHTS_MONTH_PREFIX as MONTH_PREFIX, INSIGHTS_TOTALS as TOTALS,
    INSIGHTS_WATERMARK as WATERMARK, REQUEST, TOOL,
};
use crate::repo;
use aigis_core::audit::AuditEvent;
use aigis_core::model::{Request, Tool};
use aigis_core::time;
use aigis_platform::{EntityQuery, Platform, RangeCondition, TxnOp};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
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
        for (key, raw) in &page.items {
            let e: AuditEvent = repo::decode(AUDIT, key, raw)?;
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
