//! `connectors.drift`, `connectors.checkDrift` (admin).

use super::{DriftRun, DriftStatus, PAGES_PER_RUN, findings_of, load_status, run_tool};
use crate::access::Caller;
use crate::connectors::{BINDING_PREFIX, Binding, scan_kv};
use crate::error::AppError;
use aigis_core::drift::{FindingStatus, Reconciliation};
use aigis_core::ids::ToolId;
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};

/// A tool's drift as answered.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ToolDrift {
    pub tool: String,
    pub connector: String,
    pub group_id: String,
    pub group_name: String,
    pub enforce: bool,
    /// `None`: never checked.
    #[cfg_attr(feature = "ts", ts(optional))]
    pub status: Option<DriftStatus>,
    /// Open findings first, then resolved ones, newest first. An open
    /// finding's `lastSeenAt` is the last complete run.
    pub findings: Vec<Reconciliation>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct DriftArgs {
    /// One tool; absent: every connected tool.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub tool: Option<ToolId>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DriftReport {
    pub tools: Vec<ToolDrift>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct CheckDriftArgs {
    pub tool: ToolId,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DriftChecked {
    pub run: DriftRun,
    pub drift: ToolDrift,
}

fn tool_drift(p: &Platform, b: &Binding) -> Result<ToolDrift, AppError> {
    let status = load_status(p, &b.tool)?
        .filter(|s| s.group_id == b.group_id)
        .map(|mut s| {
            // What the provider's links say stays inside.
            s.cursor = None;
            s.links.clear();
            s
        });
    let enforce = crate::connectors::load(p, &b.connector)?.is_some_and(|c| c.enforce);
    let mut findings = findings_of(p, &b.tool, FindingStatus::Open)?;
    if let Some(at) = status.as_ref().and_then(|s| s.last_complete_at) {
        for f in &mut findings {
            f.last_seen_at = f.last_seen_at.max(at);
        }
    }
    findings.reverse();
    let mut resolved = findings_of(p, &b.tool, FindingStatus::Resolved)?;
    resolved.sort_by_key(|r| std::cmp::Reverse(r.resolved_at));
    findings.extend(resolved);
    Ok(ToolDrift {
        tool: b.tool.clone(),
        connector: b.connector.clone(),
        group_id: b.group_id.clone(),
        group_name: b.group_name.clone(),
        enforce,
        status,
        findings,
    })
}

fn bound(p: &Platform, tool: &str) -> Result<Binding, AppError> {
    crate::connectors::load_binding(p, tool)?.ok_or_else(|| {
        AppError::not_found(format!("tool {tool:?} is not bound to a connector group"))
    })
}

/// `connectors.drift` (admin): each connected tool's last run and findings.
pub fn drift(p: &Platform, _: &Caller, args: DriftArgs) -> Result<DriftReport, AppError> {
    let bindings: Vec<Binding> = match &args.tool {
        Some(t) => vec![bound(p, t)?],
        None => scan_kv::<Binding>(p, BINDING_PREFIX)?
            .into_iter()
            .map(|(_, b)| b)
            .collect(),
    };
    let tools = bindings
        .iter()
        .map(|b| tool_drift(p, b))
        .collect::<Result<_, _>>()?;
    Ok(DriftReport { tools })
}

/// `connectors.checkDrift` (admin): runs the check of one tool now.
pub fn check_drift(
    p: &Platform,
    _: &Caller,
    args: CheckDriftArgs,
) -> Result<DriftChecked, AppError> {
    let b = bound(p, &args.tool)?;
    let run = run_tool(p, &b, PAGES_PER_RUN)?;
    Ok(DriftChecked {
        run,
        drift: tool_drift(p, &b)?,
    })
}
