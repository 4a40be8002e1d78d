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

/// Parses an HTTP `Date` (IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`) into milliseconds.
pub fn parse_http_date(s: &str) -> Option<Millis> {
    DateTime::parse_from_rfc2822(s.trim())
        .ok()
        .map(|d| d.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_http_dates() {
        let t = parse_http_date("Mon, 23 Nov 2026 10:00:05 GMT").unwrap();
        assert_eq!(rfc3339(t), "2026-11-23T10:00:05Z");
        assert_eq!(parse_http_date("soon"), None);
    }

    #[test]
    fn formats_and_parses_round_trip() {
        let t = parse_rfc3339("2026-11-23T10:00:00Z").unwrap();
        assert_eq!(rfc3339(t), "2026-11-23T10:00:00Z");
        assert_eq!(date(t + 14 * HOUR), "2026-11-24");
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}

/// How a grant's expiry reads for its holder, by calendar days in their
/// time zone `tz` (IANA name; unknown or empty names fall back to UTC):
/// `expired`, `expires today`, `expires tomorrow` or `N days remaining`.
pub fn expiry_label(expires_at: Millis, now: Millis, tz: &str) -> String {
    use chrono::TimeZone;
    if expires_at <= now {
        return "expired".to_owned();
    }
    let zone: chrono_tz::Tz = tz.parse().unwrap_or(chrono_tz::UTC);
    let day = |at: Millis| {
        zone.timestamp_millis_opt(at)
            .single()
            .map(|d| d.date_naive())
    };
    let (Some(end), Some(today)) = (day(expires_at), day(now)) else {
        return "expired".to_owned();
    };
    match (end - today).num_days() {
        n if n <= 0 => "expires today".to_owned(),
        1 => "expires tomorrow".to_owned(),
        n => format!("{n} days remaining"),
    }
}

#[cfg(test)]
mod label_tests {
    use super::*;

    fn at(s: &str) -> Millis {
        parse_rfc3339(s).unwrap()
    }

    #[test]
    fn expired_when_past() {
        let t0 = at("2026-11-23T12:00:00Z");
        assert_eq!(expiry_label(t0, t0, "UTC"), "expired");
        assert_eq!(expiry_label(t0 - 1, t0, "Europe/Paris"), "expired");
    }

    #[test]
    fn labels_follow_the_zone_around_midnight() {
        // Expires 2026-11-24T02:00Z. Now 2026-11-23T22:30Z.
        let exp = at("2026-11-24T02:00:00Z");
        let now = at("2026-11-23T22:30:00Z");
        // UTC: now the 23rd, expiry the 24th -> tomorrow.
        assert_eq!(expiry_label(exp, now, "UTC"), "expires tomorrow");
        // Tokyo (+9): now 24th 07:30, expiry 24th 11:00 -> today.
        assert_eq!(expiry_label(exp, now, "Asia/Tokyo"), "expires today");
        // Los Angeles (-8): now 23rd 14:30, expiry 23rd 18:00 -> today.
        assert_eq!(
            expiry_label(exp, now, "America/Los_Angeles"),
            "expires today"
        );
        // Paris (+1): now 23rd 23:30, expiry 24th 03:00 -> tomorrow.
        assert_eq!(expiry_label(exp, now, "Europe/Paris"), "expires tomorrow");
    }

    #[test]
    fn days_remaining_counts_calendar_days() {
        let t0 = at("2026-11-23T12:00:00Z");
        let exp = t0 + 10 * DAY;
        assert_eq!(expiry_label(exp, t0, "UTC"), "10 days remaining");
        // Kiritimati (+14): now 24th 02:00, expiry 4th Dec 02:00 -> 10 days.
        assert_eq!(
            expiry_label(exp, t0, "Pacific/Kiritimati"),
            "10 days remaining"
        );
        // Expiry just after UTC midnight: the next day in UTC, the day
        // before in New York.
        let exp = at("2026-11-26T00:01:00Z");
        assert_eq!(expiry_label(exp, t0, "UTC"), "3 days remaining");
        assert_eq!(
            expiry_label(exp, t0, "America/New_York"),
            "2 days remaining"
        );
    }

    #[test]
    fn unknown_zone_is_utc() {
        let exp = at("2026-11-24T02:00:00Z");
        let now = at("2026-11-23T22:30:00Z");
        assert_eq!(expiry_label(exp, now, "Mars/Base"), "expires tomorrow");
        assert_eq!(expiry_label(exp, now, ""), "expires tomorrow");
    }
}
