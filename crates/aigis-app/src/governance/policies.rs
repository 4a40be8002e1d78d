//! `policies.list`, `policies.save`, `policies.delete`: each change writes
//! the next governance version.

use super::current;
use crate::access::Caller;
use crate::api::NoArgs;
use crate::error::AppError;
use crate::repo;
use aigis_core::governance::Policy;
use aigis_core::ids::PolicyId;
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Most policies one governance version holds.
const MAX_POLICIES: usize = 100;

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct PolicyRef {
    pub id: PolicyId,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PolicyList {
    pub policies: Vec<Policy>,
    pub governance_version: u32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PolicySaved {
    pub policy: Policy,
    pub governance_version: u32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PolicyDeleted {
    pub deleted: PolicyId,
    pub governance_version: u32,
}

/// `policies.list` (admin): the policies of the current version.
pub fn list(p: &Platform, _: &Caller, _: NoArgs) -> Result<PolicyList, AppError> {
    let g = current(p)?;
    Ok(PolicyList {
        policies: g.policies,
        governance_version: g.version,
    })
}

/// `policies.save` (admin): a [`Policy`]; adds it or replaces the one with
/// the same id. Writes the next governance version.
pub fn save(p: &Platform, caller: &Caller, policy: Policy) -> Result<PolicySaved, AppError> {
    policy.check()?;
    let now = repo::now(p);
    let g = super::save(
        p,
        caller,
        "policy.saved",
        json!({"policy": policy}),
        |cur| {
            let mut next = cur.next(&caller.account_id, now);
            next.note = format!("policy {} saved", policy.id);
            match next.policies.iter_mut().find(|x| x.id == policy.id) {
                Some(x) => *x = policy.clone(),
                None => {
                    if next.policies.len() >= MAX_POLICIES {
                        return Err(AppError::invalid(
                            "id",
                            format!("at most {MAX_POLICIES} policies"),
                        ));
                    }
                    next.policies.push(policy.clone());
                }
            }
            Ok(next)
        },
    )?;
    Ok(PolicySaved {
        policy,
        governance_version: g.version,
    })
}

/// `policies.delete` (admin): `{id}`. Writes the next governance version.
pub fn delete(p: &Platform, caller: &Caller, args: PolicyRef) -> Result<PolicyDeleted, AppError> {
    if !current(p)?.policies.iter().any(|x| x.id == *args.id) {
        return Err(AppError::not_found(format!(
            "policy {:?} does not exist",
            args.id.as_str()
        )));
    }
    let now = repo::now(p);
    let g = super::save(
        p,
        caller,
        "policy.deleted",
        json!({"policy": args.id}),
        |cur| {
            let mut next = cur.next(&caller.account_id, now);
            next.note = format!("policy {} deleted", args.id);
            let before = next.policies.len();
            next.policies.retain(|x| x.id != *args.id);
            if next.policies.len() == before {
                return Err(AppError::not_found(format!(
                    "policy {:?} does not exist",
                    args.id.as_str()
                )));
            }
            Ok(next)
        },
    )?;
    Ok(PolicyDeleted {
        deleted: args.id,
        governance_version: g.version,
    })
}
