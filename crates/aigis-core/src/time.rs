//! Time helpers over Unix milliseconds.

use crate::Millis;
use chrono::{DateTime, SecondsFormat, Utc};

pub const SECOND: Millis = 1_000;
pub const MINUTE: Millis = 60 * SECOND;
pub const HOUR: Millis = 60 * MINUTE;
pub const DAY: Millis = 24 * HOUR;

/// RFC 3339 in UTC with second precision, e.g. `2026-11-23T10:00:00Z`.
pub fn rfc3339(at: Millis) -> String {
    DateTime::<Utc>::from_timestamp_millis(at)
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_else(|| at.to_string())
}

/// The calendar date (UTC) of an instant, e.g. `2026-11-23`.
pub fn date(at: Millis) -> String {
    DateTime::<Utc>::from_timestamp_millis(at)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| at.to_string())
}

/// Parses an RFC 3339 instant into milliseconds.
pub fn parse_rfc3339(s: &str) -> Option<Millis> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_round_trip() {
        let t = parse_rfc3339("2026-11-23T10:00:00Z").unwrap();
        assert_eq!(rfc3339(t), "2026-11-23T10:00:00Z");
        assert_eq!(date(t + 14 * HOUR), "2026-11-24");
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
