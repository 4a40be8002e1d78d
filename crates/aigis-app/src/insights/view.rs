//! `insights` (admin): the monthly rollups as the UI shows them.

use super::sweep::Rollup;
use crate::access::Caller;
use crate::error::AppError;
use crate::names::{INSIGHTS_MONTH_PREFIX as MONTH_PREFIX, INSIGHTS_WATERMARK as WATERMARK};
use crate::repo;
use aigis_platform::Platform;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// A month, `YYYY-MM`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct Month(pub String);

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let m = String::deserialize(d)?;
        let ok = m.len() == 7
            && m.as_bytes()[4] == b'-'
            && m[..4].chars().all(|c| c.is_ascii_digit())
            && m[5..].parse::<u32>().is_ok_and(|n| (1..=12).contains(&n));
        if ok {
            Ok(Month(m))
        } else {
            Err(serde::de::Error::custom(aigis_core::ids::RuleBroken(
                "must be a month, YYYY-MM",
            )))
        }
    }
}

/// `{from?, to?}`: months, inclusive.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct InsightsArgs {
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub from: Option<Month>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub to: Option<Month>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ToolCount {
    pub tool: String,
    pub requests: u32,
}

/// One month of activity.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MonthView {
    pub month: String,
    pub requests: u32,
    pub approvals: u32,
    pub auto_approvals: u32,
    pub denials: u32,
    pub grants_activated: u32,
    pub grants_ended: u32,
    /// Active grants at the end of the month.
    pub active_grants: i64,
    pub risk_mix: BTreeMap<String, u32>,
    /// The five most requested tools.
    pub top_tools: Vec<ToolCount>,
    pub median_minutes_to_decision: Option<f64>,
    pub mean_minutes_to_decision: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Insights {
    /// Oldest first.
    pub months: Vec<MonthView>,
    /// The audit sequence number the rollups are up to.
    pub through_seq: u64,
}

/// `insights` (admin): `{from?: "YYYY-MM", to?: "YYYY-MM"}` → `{months:
/// [{month, requests, approvals, autoApprovals, denials, grantsActivated,
/// grantsEnded, activeGrants, riskMix, topTools, medianMinutesToDecision,
/// meanMinutesToDecision}], throughSeq}`, oldest first.
pub fn insights(p: &Platform, _: &Caller, a: InsightsArgs) -> Result<Insights, AppError> {
    let mut months = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let page = p
            .storage
            .query_prefix(MONTH_PREFIX, cursor.as_deref(), 100)?;
        for (key, raw) in &page.items {
            let r: Rollup = repo::decode("insights", key, raw)?;
            if a.from.as_ref().is_some_and(|f| r.month < f.0)
                || a.to.as_ref().is_some_and(|t| r.month > t.0)
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
    months.sort_by(|x, y| x.month.cmp(&y.month));
    let through: u64 = repo::get_kv(p, WATERMARK)?.unwrap_or(0);
    Ok(Insights {
        months,
        through_seq: through,
    })
}

fn view(r: &Rollup) -> MonthView {
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
    let top_tools = top
        .into_iter()
        .take(5)
        .map(|(t, n)| ToolCount {
            tool: t.clone(),
            requests: *n,
        })
        .collect();
    MonthView {
        month: r.month.clone(),
        requests: r.requests,
        approvals: r.approvals,
        auto_approvals: r.auto_approvals,
        denials: r.denials,
        grants_activated: r.grants_activated,
        grants_ended: r.grants_ended,
        active_grants: r.active_grants,
        risk_mix: r.risk_mix.clone(),
        top_tools,
        median_minutes_to_decision: median,
        mean_minutes_to_decision: mean,
    }
}
