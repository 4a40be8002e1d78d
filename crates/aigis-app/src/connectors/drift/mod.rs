//! `connectors.drift`, `connectors.checkDrift` (admin) and the daily drift
//! check of every connected tool (run from the recertification sweep:
//! Forge allows five scheduled triggers and Aigis uses them all).
//!
//! A run reads the bound group's members page by page, following only the
//! links the server gives (Okta `Link rel="next"`, Graph
//! `@odata.nextLink`; a link seen twice is an error), at most
//! [`PAGES_PER_RUN`] pages and never past the invocation's time: what it
//! read is kept (KVS `driftscan:<tool>:<n>`, one chunk per page) with the
//! next link, and the next run resumes there. Only a complete read is
//! compared with the open grants ([`aigis_core::drift::compare`]); a failed
//! page makes the run incomplete, and an incomplete run reports nothing and
//! fixes nothing.
//!
//! Findings are reconciliation records ([`reconcile`]): written with an
//! audit event when new, when resolved and when a fix is queued, never
//! when a run finds what the last one found. A connector with `enforce`
//! on has them fixed through jobs: a missing member by a provisioning job
//! of the grant, an extra member by a removal job (a deprovisioning job
//! whose `grant` is the finding's key). Inactive holders and non-user
//! members are reported only.
//!
//! A bound group gone at the provider is a `groupMissing` finding; the run
//! stops there (Aigis never recreates a group).

mod reconcile;
mod scan;
pub mod view;

use super::{BINDING_PREFIX, Binding, scan_kv};
use crate::error::AppError;
use crate::names::{DRIFT_LEASE_PREFIX, DRIFT_PREFIX, RECONCILIATION};
use crate::repo;
use aigis_core::Millis;
use aigis_core::drift::{FindingStatus, Reconciliation};
use aigis_platform::{EntityQuery, Platform, SetOptions, StorageError};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Pages one run reads per tool at most (Okta: 200 members a page, Graph:
/// 100), leaving the provider's rate limit to the customer's other
/// integrations; a larger group resumes from its saved link next run.
pub const PAGES_PER_RUN: u32 = 50;
/// How long a run holds its tool (another run of the same tool waits).
pub const LEASE_MS: Millis = 15 * aigis_core::time::MINUTE;

/// A tool's drift status (KVS `drift:<tool>`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DriftStatus {
    pub tool: String,
    pub connector: String,
    pub group_id: String,
    /// When a run last read anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub last_run_at: Option<Millis>,
    /// When a run last read the whole group and compared it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub last_complete_at: Option<Millis>,
    /// Whether the last run was complete.
    pub complete: bool,
    /// Why the last run was incomplete, in plain words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub reason: Option<String>,
    /// Pages and members of the scan in progress (or of the last complete one).
    pub pages: u32,
    pub members: u32,
    /// A scan in progress resumes at the server's next link.
    pub resumes: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub cursor: Option<String>,
    /// Digests of the links followed by the scan in progress.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub links: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub scan_started_at: Option<Millis>,
    /// Pages of the scan in progress kept in `driftscan:<tool>:<n>`.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub chunks: u32,
}

/// One run's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DriftRun {
    pub tool: String,
    pub complete: bool,
    pub pages_read: u32,
    pub found: u32,
    pub resolved: u32,
    pub fixes_queued: u32,
    /// Another run holds the tool, or its connector is disabled: nothing read.
    pub skipped: bool,
}

/// The drift sweep's summary fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DriftSummary {
    pub tools_checked: u32,
    pub tools_complete: u32,
    pub found: u32,
    pub resolved: u32,
    pub fixes_queued: u32,
}

pub fn status_key(tool: &str) -> String {
    format!("{DRIFT_PREFIX}{tool}")
}

pub(crate) fn load_status(p: &Platform, tool: &str) -> Result<Option<DriftStatus>, AppError> {
    repo::get_kv(p, &status_key(tool))
}

pub(crate) fn save_status(p: &Platform, s: &DriftStatus) -> Result<(), AppError> {
    let raw = serde_json::to_string(s).map_err(|e| AppError::internal(format!("encoding: {e}")))?;
    p.storage
        .set(&status_key(&s.tool), &raw, SetOptions::default())
        .map_err(AppError::from)
}

/// The reconciliation records of `tool` with `status`, oldest first.
pub(crate) fn findings_of(
    p: &Platform,
    tool: &str,
    status: FindingStatus,
) -> Result<Vec<Reconciliation>, AppError> {
    let label = match status {
        FindingStatus::Open => "open",
        FindingStatus::Resolved => "resolved",
    };
    let mut out = Vec::new();
    repo::scan(
        p,
        EntityQuery {
            entity: RECONCILIATION.into(),
            index: "by-tool-status".into(),
            partition: vec![json!(tool), json!(label)],
            ..Default::default()
        },
        |_, r: Reconciliation| {
            out.push(r);
            Ok(true)
        },
    )?;
    Ok(out)
}

/// Claims `tool` for one run (KVS `driftlease:<tool>` holding its expiry);
/// `false` when another run holds it.
fn lease(p: &Platform, tool: &str, now: Millis) -> Result<bool, AppError> {
    let key = format!("{DRIFT_LEASE_PREFIX}{tool}");
    for _ in 0..2 {
        match p.storage.set(
            &key,
            &json!(now + LEASE_MS).to_string(),
            SetOptions {
                fail_if_exists: true,
            },
        ) {
            Ok(()) => return Ok(true),
            Err(StorageError::KeyExists) => {
                let until: Option<Millis> = repo::get_kv(p, &key)?;
                if until.is_some_and(|u| u > now) {
                    return Ok(false);
                }
                // A run that died: its lease ran out.
                p.storage.delete(&key)?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(false)
}

fn release(p: &Platform, tool: &str) {
    let _ = p.storage.delete(&format!("{DRIFT_LEASE_PREFIX}{tool}"));
}

/// One drift run of the tool bound by `b`, reading at most `max_pages`
/// pages. The tool must be bound; a disabled connector is skipped.
pub fn run_tool(p: &Platform, b: &Binding, max_pages: u32) -> Result<DriftRun, AppError> {
    let now = repo::now(p);
    let mut run = DriftRun {
        tool: b.tool.clone(),
        ..DriftRun::default()
    };
    let Some(rec) = super::load(p, &b.connector)?.filter(|c| c.enabled) else {
        run.skipped = true;
        return Ok(run);
    };
    if !lease(p, &b.tool, now)? {
        run.skipped = true;
        return Ok(run);
    }
    let res = scan::run(p, &rec, b, max_pages, now, &mut run);
    release(p, &b.tool);
    res.map(|()| run)
}

/// The daily check of every connected tool (bindings are what is due),
/// while the invocation has time.
pub fn sweep(p: &Platform, out_of_time: impl Fn() -> bool) -> Result<DriftSummary, AppError> {
    let mut s = DriftSummary::default();
    for (_, b) in scan_kv::<Binding>(p, BINDING_PREFIX)? {
        if out_of_time() {
            break;
        }
        let run = run_tool(p, &b, PAGES_PER_RUN)?;
        if run.skipped {
            continue;
        }
        s.tools_checked += 1;
        s.tools_complete += u32::from(run.complete);
        s.found += run.found;
        s.resolved += run.resolved;
        s.fixes_queued += run.fixes_queued;
    }
    Ok(s)
}
