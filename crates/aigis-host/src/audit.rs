//! `aigis audit verify`: checks the audit hash chain in storage with the
//! same verifier the app uses (`aigis_app::audit::verify::verify`): every event's
//! sequence, `prevHash` link, `entryHash` and `entryMac` (under the site key
//! from secret storage), and the stored head.

use crate::{HostError, Store};
use aigis_core::audit::Report;

pub fn verify(store: &Store) -> Result<Report, HostError> {
    aigis_app::audit::verify::verify(store, store).map_err(|e| HostError::Backend {
        what: "audit",
        message: e.message,
    })
}

/// `aigis audit site-key`: the site's audit MAC key (id and key text, as
/// secret storage holds it), for `aigis verify --key`. Only the operator of
/// the host, who can read the state dir anyway, gets it; the app never
/// returns it.
pub fn site_key(store: &Store) -> Result<Option<(String, String)>, HostError> {
    use aigis_platform::{Secrets, Storage};
    let backend = |e: String| HostError::Backend {
        what: "audit",
        message: e,
    };
    let Some(raw) = store
        .get(aigis_app::names::MAC_KEY_ID)
        .map_err(|e| backend(e.to_string()))?
    else {
        return Ok(None);
    };
    let id: String = serde_json::from_str(&raw).map_err(|e| backend(e.to_string()))?;
    let key = store
        .get_secret(&aigis_app::names::mac_key_secret(&id))
        .map_err(|e| backend(e.to_string()))?
        .ok_or_else(|| backend(format!("MAC key {id} is missing from secret storage")))?;
    Ok(Some((id, key)))
}
