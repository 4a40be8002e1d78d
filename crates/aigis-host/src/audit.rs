//! `aigis audit verify`: checks the audit hash chain in storage.
//!
//! PLACEHOLDER: the real chain check comes from `aigis-core`; this version
//! only counts the audit entities and reports the chain as unchecked-but-ok.

use crate::{HostError, Store};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    /// False when the chain is broken; the CLI then exits non-zero.
    pub ok: bool,
    /// Audit events examined.
    pub events: u64,
    /// The first broken sequence number, if any.
    pub broken_at: Option<u64>,
    pub message: String,
}

pub fn verify(store: &Store) -> Result<VerifyReport, HostError> {
    let events = store
        .entities_of("audit")
        .map_err(|e| HostError::Backend {
            what: "storage",
            message: e.to_string(),
        })?
        .len() as u64;
    Ok(VerifyReport {
        ok: true,
        events,
        broken_at: None,
        message: "placeholder: the hash chain is not checked yet".into(),
    })
}
