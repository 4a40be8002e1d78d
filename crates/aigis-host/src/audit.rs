//! `aigis audit verify`: checks the audit hash chain in storage with the
//! same verifier the app uses (`aigis_app::auditlog::verify`): every event's
//! sequence, `prevHash` link, `entryHash` and `entryMac` (under the site key
//! from secret storage), and the stored head.

use crate::{HostError, Store};
use aigis_core::audit::Report;

pub fn verify(store: &Store) -> Result<Report, HostError> {
    aigis_app::auditlog::verify(store, store).map_err(|e| HostError::Backend {
        what: "audit",
        message: e.message,
    })
}
