//! `governance.*` and `policies.*` (admin): versioned rules and
//! auto-approval policies, and the checks they put on approvals.
//!
//! Versions live in entity `governance` keyed by the zero-padded version
//! number; `config:governance` points at the version in force. Version 0 is
//! the built-in default and is never stored. Every change — rules or
//! policies — writes the next version ([`versions`], [`policies`]); old
//! versions stay readable. [`checks`] holds what an approval must pass.

pub mod checks;
pub mod policies;
pub mod versions;

use crate::access::Caller;
use crate::api::{Route, route};
use crate::error::AppError;
use crate::names::{GOVERNANCE, GOVERNANCE_POINTER};
use crate::repo::{self, Change};
use aigis_core::audit::NewEvent;
use aigis_core::governance::Governance;
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub use checks::{check_approval, check_reviewer};

pub const ROUTES: &[Route] = &[
    route!("governance.get", Admin, governance::versions::get),
    route!("governance.list", Admin, governance::versions::list),
    route!("governance.set", Admin, governance::versions::set),
    route!("policies.list", Admin, governance::policies::list),
    route!("policies.save", Admin, governance::policies::save),
    route!("policies.delete", Admin, governance::policies::delete),
];

#[derive(Serialize, Deserialize)]
struct Pointer {
    version: u32,
}

pub fn version_key(v: u32) -> String {
    format!("{v:08}")
}

/// The governance in force (the built-in default until an admin saves one).
pub fn current(p: &Platform) -> Result<Governance, AppError> {
    let Some(ptr) = repo::get_kv::<Pointer>(p, GOVERNANCE_POINTER)? else {
        return Ok(Governance::default());
    };
    repo::get(p, GOVERNANCE, &version_key(ptr.version))?
        .ok_or_else(|| AppError::internal(format!("governance version {} is missing", ptr.version)))
}

/// Whether an admin has saved any governance yet.
pub fn is_configured(p: &Platform) -> Result<bool, AppError> {
    Ok(repo::get_kv::<Pointer>(p, GOVERNANCE_POINTER)?.is_some())
}

/// Commits `next` (built from the current version by `make`) as the new
/// current version, with one audit event.
pub(crate) fn save(
    p: &Platform,
    caller: &Caller,
    action: &str,
    detail: Value,
    make: impl Fn(&Governance) -> Result<Governance, AppError>,
) -> Result<Governance, AppError> {
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        let cur = current(p)?;
        let next = make(&cur)?;
        c.create(GOVERNANCE, &version_key(next.version), &next)?;
        c.governance_version(next.version);
        c.put_kv(
            GOVERNANCE_POINTER,
            &Pointer {
                version: next.version,
            },
        )?;
        let mut data = detail.clone();
        if let Some(o) = data.as_object_mut() {
            o.insert("version".into(), json!(next.version));
            o.insert("previous".into(), json!(cur.version));
        }
        c.event(NewEvent::new(
            &caller.account_id,
            action,
            &format!("governance:{}", next.version),
            data,
        ));
        Ok((next, c))
    })?;
    Ok(done.value)
}
