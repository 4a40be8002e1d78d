//! Points in time as callers give them (a date, an RFC 3339 time or Unix
//! milliseconds) and the export window they bound.

use crate::error::AppError;
use aigis_core::Millis;
use aigis_core::ids::RuleBroken;
use aigis_core::model::days;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// Default export window.
pub const DEFAULT_WINDOW_DAYS: u32 = 90;
/// Longest export window.
pub const MAX_WINDOW_DAYS: u32 = 365;

const RULE: &str = "must be a date (YYYY-MM-DD), an RFC 3339 time or Unix milliseconds";

/// A point in time as given: milliseconds, or text read by [`When::millis`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "number | string"))]
pub enum When {
    Millis(Millis),
    Text(String),
}

/// As given: a number or a string.
impl Serialize for When {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            When::Millis(ms) => s.serialize_i64(*ms),
            When::Text(t) => s.serialize_str(t),
        }
    }
}

impl<'de> Deserialize<'de> for When {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = When;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(RULE)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<When, E> {
                Millis::try_from(v)
                    .map(When::Millis)
                    .map_err(|_| E::custom(RuleBroken(RULE)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<When, E> {
                if v < 0 {
                    Err(E::custom(RuleBroken("must not be negative")))
                } else {
                    Ok(When::Millis(v))
                }
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<When, E> {
                Err(E::custom(RuleBroken(RULE)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<When, E> {
                Ok(When::Text(v.to_owned()))
            }
        }
        d.deserialize_any(V).map_err(|e: D::Error| {
            // Anything else (true, a list) gets the same rule.
            let text = e.to_string();
            if text.starts_with(aigis_core::ids::RULE_MARK) {
                e
            } else {
                de::Error::custom(RuleBroken(RULE))
            }
        })
    }
}

impl When {
    /// The instant; a date alone is its first millisecond, or with
    /// `end_of_day` its last.
    pub fn millis(&self, field: &str, end_of_day: bool) -> Result<Millis, AppError> {
        match self {
            When::Millis(ms) => Ok(*ms),
            When::Text(s) => {
                if let Some(ms) = aigis_core::time::parse_rfc3339(s) {
                    return Ok(ms);
                }
                let day = format!("{s}T00:00:00Z");
                match aigis_core::time::parse_rfc3339(&day) {
                    Some(ms) if s.len() == 10 => Ok(if end_of_day { ms + days(1) - 1 } else { ms }),
                    _ => Err(AppError::invalid(field, RULE)),
                }
            }
        }
    }
}

/// `{from?, to?}` of an export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct WindowArgs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub from: Option<When>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub to: Option<When>,
}

/// A validated export window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: Millis,
    pub to: Millis,
}

impl WindowArgs {
    /// 90 days up to now by default, at most 365 days.
    pub fn window(&self, now: Millis) -> Result<Window, AppError> {
        let to = match &self.to {
            Some(w) => w.millis("to", true)?,
            None => now,
        };
        let from = match &self.from {
            Some(w) => w.millis("from", false)?,
            None => to - days(DEFAULT_WINDOW_DAYS),
        };
        if from > to {
            return Err(AppError::invalid("from", "must not be after `to`"));
        }
        if to - from > days(MAX_WINDOW_DAYS) {
            return Err(AppError::invalid(
                "from",
                format!("the window is at most {MAX_WINDOW_DAYS} days"),
            ));
        }
        Ok(Window { from, to })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: serde_json::Value) -> Result<WindowArgs, AppError> {
        crate::api::parse::args(v)
    }

    #[test]
    fn times_parse_and_refuse_in_plain_words() {
        let a =
            parse(serde_json::json!({"from": "2026-01-01", "to": 1_800_000_000_000u64})).unwrap();
        assert_eq!(a.from, Some(When::Text("2026-01-01".into())));
        assert_eq!(a.to, Some(When::Millis(1_800_000_000_000)));
        for (bad, rule) in [
            (serde_json::json!({"to": 1e300}), RULE),
            (serde_json::json!({"to": -5}), "must not be negative"),
            (serde_json::json!({"to": true}), RULE),
            (serde_json::json!({"to": [1]}), RULE),
        ] {
            let e = parse(bad.clone()).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("to"), "{bad}");
            assert_eq!(e.message, format!("to: {rule}"), "{bad}");
        }
        let e = When::Text("yesterday".into())
            .millis("from", false)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("from"));
    }

    #[test]
    fn the_window_is_bounded() {
        let now = 400 * days(1);
        let w = WindowArgs::default().window(now).unwrap();
        assert_eq!(w.to - w.from, days(DEFAULT_WINDOW_DAYS));
        let long = WindowArgs {
            from: Some(When::Millis(0)),
            to: None,
        };
        assert_eq!(long.window(now).unwrap_err().field.as_deref(), Some("from"));
    }
}
