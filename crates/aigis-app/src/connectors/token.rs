//! The access-token cache of a connector, in secret storage (a token is a
//! credential): used until shortly before it expires, and only for the
//! credential it was issued to.

use super::token_secret;
use aigis_core::Millis;
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};

/// A token is renewed this long before it expires.
pub const EXPIRY_MARGIN: Millis = 2 * aigis_core::time::MINUTE;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cached {
    pub token: String,
    /// `Bearer` or `DPoP`.
    pub token_type: String,
    pub expires_at: Millis,
    /// The connector's credential version the token was issued for.
    pub credential_version: u32,
}

/// The cached token of connector `id`, if still good at `now`.
pub fn cached(p: &Platform, id: &str, credential_version: u32, now: Millis) -> Option<Cached> {
    let raw = p.secrets.get_secret(&token_secret(id)).ok()??;
    let c: Cached = serde_json::from_str(&raw).ok()?;
    (c.credential_version == credential_version && now < c.expires_at - EXPIRY_MARGIN).then_some(c)
}

/// Stores a new token (a failure only costs a new token next time).
pub fn store(p: &Platform, id: &str, c: &Cached) {
    if let Ok(raw) = serde_json::to_string(c) {
        let _ = p.secrets.set_secret(&token_secret(id), &raw);
    }
}

/// Forgets the cached token (after a 401).
pub fn forget(p: &Platform, id: &str) {
    let _ = p.secrets.delete_secret(&token_secret(id));
}

/// `n` random bytes as lowercase hex (for `jti`s).
pub fn random_hex(p: &Platform, n: usize) -> Result<String, String> {
    let mut buf = vec![0u8; n];
    p.random.fill(&mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}
