//! `governance.get`, `governance.list`, `governance.set`: the rules by version.

use super::{current, save, version_key};
use crate::access::Caller;
use crate::api::NoArgs;
use crate::error::AppError;
use crate::names::GOVERNANCE;
use crate::repo;
use aigis_core::Millis;
use aigis_core::governance::{Governance, GovernancePatch};
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// `{version?}`: the current one when absent; 0 is the built-in default.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct VersionRef {
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub version: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GovernanceOut {
    pub governance: Governance,
    /// The version in force.
    pub current: u32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GovernanceSaved {
    pub governance: Governance,
}

/// One version, summarised.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct VersionSummary {
    pub version: u32,
    pub created_at: Millis,
    pub created_by: String,
    pub note: String,
    /// How many policies it holds.
    pub policies: u32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VersionList {
    pub current: u32,
    /// Newest first.
    pub versions: Vec<VersionSummary>,
}

/// `governance.get` (admin): `{version?}`; the current one when absent.
pub fn get(p: &Platform, _: &Caller, args: VersionRef) -> Result<GovernanceOut, AppError> {
    let cur = current(p)?;
    let g = match args.version {
        None => cur.clone(),
        Some(0) => Governance::default(),
        Some(v) => repo::get::<Governance>(p, GOVERNANCE, &version_key(v))?
            .ok_or_else(|| AppError::not_found(format!("governance version {v} does not exist")))?,
    };
    Ok(GovernanceOut {
        governance: g,
        current: cur.version,
    })
}

/// `governance.list` (admin): `{}`; every version, newest first (summaries).
pub fn list(p: &Platform, _: &Caller, _: NoArgs) -> Result<VersionList, AppError> {
    let cur = current(p)?;
    let mut versions = Vec::new();
    let query = aigis_platform::EntityQuery {
        entity: GOVERNANCE.into(),
        index: "by-version".into(),
        ..Default::default()
    };
    repo::scan(p, query, |_, g: Governance| {
        versions.push(VersionSummary {
            version: g.version,
            created_at: g.created_at,
            created_by: g.created_by,
            note: g.note,
            policies: g.policies.len() as u32,
        });
        Ok(true)
    })?;
    versions.reverse();
    Ok(VersionList {
        current: cur.version,
        versions,
    })
}

/// `governance.set` (admin): a [`GovernancePatch`]; writes the next version.
pub fn set(
    p: &Platform,
    caller: &Caller,
    patch: GovernancePatch,
) -> Result<GovernanceSaved, AppError> {
    let now = repo::now(p);
    // Validate before committing, so a bad payload writes nothing.
    current(p)?.apply(patch.clone(), &caller.account_id, now)?;
    let g = save(p, caller, "governance.updated", json!({}), |cur| {
        Ok(cur.apply(patch.clone(), &caller.account_id, now)?)
    })?;
    Ok(GovernanceSaved { governance: g })
}
