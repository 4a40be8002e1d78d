//! What the Okta and Microsoft Graph simulators share.
//!
//! * [`Clock`]: virtual time (fixed and moved by tests) or the system clock
//!   with an offset (for official SDKs that stamp their JWTs with real time).
//! * [`faults`]: injected 5xx, 429 and slow answers, matched per request.
//! * [`jose`]: JWS verification of `private_key_jwt` client assertions and
//!   DPoP proofs (RFC 9449), RFC 7638 JWK thumbprints.
//! * [`persist`]: the state behind one lock, in memory or in the simulator's
//!   own SQLite tables (one transaction per request, shared between processes).
//! * [`query`]: query strings and form bodies.
//! * [`SimResponse`]: the HTTP-like answer both simulators return.
//! * `serve` (feature `serve`): a simulator on a loopback port, over TLS
//!   with a generated test CA when asked, for the `serve` examples.

pub mod clock;
pub mod faults;
pub mod jose;
pub mod persist;
pub mod query;
#[cfg(feature = "serve")]
pub mod serve;

pub use clock::Clock;

/// Errors of a simulator's admin API (seeding, out-of-band changes).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SimError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("already exists: {0}")]
    AlreadyExists(String),
    #[error("invalid: {0}")]
    Invalid(String),
}

/// An HTTP-like response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Answer only after this many milliseconds (an injected slow answer).
    pub delay_ms: u64,
}

impl SimResponse {
    /// A JSON answer.
    pub fn json(status: u16, body: &serde_json::Value) -> SimResponse {
        SimResponse {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string(),
            delay_ms: 0,
        }
    }

    /// An answer without a body.
    pub fn empty(status: u16) -> SimResponse {
        SimResponse {
            status,
            headers: Vec::new(),
            body: String::new(),
            delay_ms: 0,
        }
    }

    /// Add a header.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> SimResponse {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// The body parsed as JSON (`Null` when empty or not JSON).
    pub fn body_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The first header with this name (case-insensitive) of a request.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// RFC 3339 UTC with milliseconds (`2026-11-23T12:00:00.000Z`) of epoch millis.
pub fn iso_millis(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// RFC 3339 UTC without fraction (`2026-11-23T12:00:00Z`).
pub fn iso_seconds(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The HTTP `Date` header value (IMF-fixdate) of epoch millis.
pub fn http_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(iso_millis(1_795_435_200_000), "2026-11-23T12:00:00.000Z");
        assert_eq!(
            http_date(1_795_435_200_000),
            "Mon, 23 Nov 2026 12:00:00 GMT"
        );
    }
}
