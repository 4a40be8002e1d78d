//! Page cursors: opaque tokens the app issued.
//!
//! A cursor names the listing it belongs to (its scope, e.g.
//! `requests.mine`) and wraps the storage cursor of the next page, as
//! base64url text. A cursor from another listing, or one the app never
//! issued, is `invalid` on `cursor`; so is one the store refuses. Nothing
//! is gained by forging one: it only positions a page within a listing the
//! caller may already read.

use crate::error::AppError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Deserializer, Serialize};

/// Longest cursor accepted (storage cursors are short).
const MAX_LEN: usize = 2048;
const VERSION: &str = "c1";
const RULE: &str = "is not a cursor this function returned";

/// A page cursor as callers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[serde(transparent)]
pub struct Cursor(String);

impl Cursor {
    /// The cursor of the page after this one in listing `scope`.
    pub fn issue(scope: &str, storage: &str) -> Cursor {
        Cursor(URL_SAFE_NO_PAD.encode(format!("{VERSION}\n{scope}\n{storage}")))
    }

    /// The next-page cursor for `scope`, if the store returned one.
    pub fn next(scope: &str, storage: Option<String>) -> Option<Cursor> {
        storage.map(|s| Cursor::issue(scope, &s))
    }

    /// The storage cursor inside, if this cursor belongs to `scope`.
    pub fn open(&self, scope: &str) -> Result<String, AppError> {
        let bad = || AppError::invalid("cursor", RULE);
        let raw = URL_SAFE_NO_PAD.decode(&self.0).map_err(|_| bad())?;
        let text = String::from_utf8(raw).map_err(|_| bad())?;
        let mut parts = text.splitn(3, '\n');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(VERSION), Some(s), Some(storage)) if s == scope && !storage.is_empty() => {
                Ok(storage.to_owned())
            }
            _ => Err(bad()),
        }
    }

    /// Opens an optional cursor.
    pub fn open_opt(c: &Option<Cursor>, scope: &str) -> Result<Option<String>, AppError> {
        c.as_ref().map(|c| c.open(scope)).transpose()
    }
}

impl<'de> Deserialize<'de> for Cursor {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let ok = (1..=MAX_LEN).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Cursor(s))
        } else {
            Err(serde::de::Error::custom(aigis_core::ids::RuleBroken(RULE)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_opens_only_in_its_own_listing() {
        let c = Cursor::issue("requests.mine", "eyJ2IjoxfQ");
        assert_eq!(c.open("requests.mine").unwrap(), "eyJ2IjoxfQ");
        let e = c.open("grants.mine").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("cursor"));
        for forged in [
            "zz",
            "YWJj",
            "c1",
            &URL_SAFE_NO_PAD.encode("c1\nrequests.mine\n"),
        ] {
            let e = Cursor(forged.to_owned()).open("requests.mine").unwrap_err();
            assert_eq!(e.code, "invalid", "{forged}");
        }
    }

    #[test]
    fn a_cursor_with_foreign_characters_is_refused_when_parsed() {
        let e = serde_json::from_value::<Cursor>(serde_json::json!("a/b")).unwrap_err();
        assert!(e.to_string().ends_with(RULE));
        assert!(serde_json::from_value::<Cursor>(serde_json::json!("")).is_err());
        assert!(serde_json::from_value::<Cursor>(serde_json::json!("abc_-9")).is_ok());
    }
}
