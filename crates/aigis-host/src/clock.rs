//! The virtual clock: `now-millis` for components, the Jira simulator's time
//! and the scheduler's time.
//!
//! A persistent clock is stored in `host.db` as an offset from real time
//! (virtual now = real now + offset), so it keeps running and every `aigis`
//! process sharing the state dir sees the same time. A fixed clock (tests)
//! stands still until told to move.

use crate::hostdb::HostDb;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

const OFFSET_KEY: &str = "clock.offset_ms";

/// Real time in milliseconds since the Unix epoch.
pub fn real_now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[derive(Clone)]
pub struct Clock {
    inner: Arc<Inner>,
}

enum Inner {
    Fixed(AtomicI64),
    /// Offset from real time; persisted when `db` is set.
    Offset {
        offset: Mutex<i64>,
        db: Option<Arc<HostDb>>,
    },
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clock")
            .field("now_millis", &self.now_millis())
            .field("fixed", &self.is_fixed())
            .finish()
    }
}

impl Clock {
    /// A clock frozen at `now_millis` until [`Clock::set`] / [`Clock::advance`].
    pub fn fixed(now_millis: i64) -> Clock {
        Clock {
            inner: Arc::new(Inner::Fixed(AtomicI64::new(now_millis))),
        }
    }

    /// Real time, not persisted (offset starts at zero).
    pub fn real() -> Clock {
        Clock {
            inner: Arc::new(Inner::Offset {
                offset: Mutex::new(0),
                db: None,
            }),
        }
    }

    /// Real time plus the offset stored in `host.db`.
    pub(crate) fn persistent(db: Arc<HostDb>) -> Clock {
        Clock {
            inner: Arc::new(Inner::Offset {
                offset: Mutex::new(0),
                db: Some(db),
            }),
        }
    }

    pub fn is_fixed(&self) -> bool {
        matches!(*self.inner, Inner::Fixed(_))
    }

    fn offset(&self, offset: &Mutex<i64>, db: &Option<Arc<HostDb>>) -> i64 {
        let mut cached = offset.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(db) = db {
            // Read on every call: another process may have moved the clock.
            // A read failure keeps the last known offset.
            if let Ok(v) = db.meta_get(OFFSET_KEY) {
                *cached = v.and_then(|s| s.parse().ok()).unwrap_or(0);
            }
        }
        *cached
    }

    /// Virtual now, in milliseconds since the Unix epoch.
    pub fn now_millis(&self) -> i64 {
        match &*self.inner {
            Inner::Fixed(v) => v.load(Ordering::SeqCst),
            Inner::Offset { offset, db } => real_now_millis() + self.offset(offset, db),
        }
    }

    /// Moves virtual now to `millis`.
    pub fn set(&self, millis: i64) -> Result<(), rusqlite::Error> {
        match &*self.inner {
            Inner::Fixed(v) => {
                v.store(millis, Ordering::SeqCst);
                Ok(())
            }
            Inner::Offset { offset, db } => {
                let new = millis - real_now_millis();
                if let Some(db) = db {
                    db.meta_set(OFFSET_KEY, &new.to_string())?;
                }
                *offset.lock().unwrap_or_else(|p| p.into_inner()) = new;
                Ok(())
            }
        }
    }

    /// Moves virtual now by `delta_millis` (may be negative).
    pub fn advance(&self, delta_millis: i64) -> Result<(), rusqlite::Error> {
        match &*self.inner {
            Inner::Fixed(v) => {
                v.fetch_add(delta_millis, Ordering::SeqCst);
                Ok(())
            }
            Inner::Offset { offset, db } => {
                let new = self.offset(offset, db) + delta_millis;
                if let Some(db) = db {
                    db.meta_set(OFFSET_KEY, &new.to_string())?;
                }
                *offset.lock().unwrap_or_else(|p| p.into_inner()) = new;
                Ok(())
            }
        }
    }

    /// Back to real time (offset zero); a fixed clock is unchanged.
    pub fn reset(&self) -> Result<(), rusqlite::Error> {
        match &*self.inner {
            Inner::Fixed(_) => Ok(()),
            Inner::Offset { offset, db } => {
                if let Some(db) = db {
                    db.meta_set(OFFSET_KEY, "0")?;
                }
                *offset.lock().unwrap_or_else(|p| p.into_inner()) = 0;
                Ok(())
            }
        }
    }
}

/// Parses a duration such as `3d`, `12h`, `90m`, `30s`, `1w`, `500ms`, or a
/// sum of them (`1d12h`); a leading `-` goes back in time.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let (sign, body) = match t.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    if body.is_empty() {
        return Err(format!("empty duration `{text}`"));
    }
    let mut total: i64 = 0;
    let mut rest = body;
    while !rest.is_empty() {
        let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return Err(format!("`{text}`: expected a number before `{rest}`"));
        }
        let n: i64 = rest[..digits]
            .parse()
            .map_err(|_| format!("`{text}`: number too large"))?;
        rest = &rest[digits..];
        let unit_len = rest.chars().take_while(|c| c.is_ascii_alphabetic()).count();
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let mult = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" | "min" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 7 * 86_400_000,
            "" => return Err(format!("`{text}`: missing unit (ms, s, m, h, d, w)")),
            u => return Err(format!("`{text}`: unknown unit `{u}` (ms, s, m, h, d, w)")),
        };
        total = n
            .checked_mul(mult)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| format!("`{text}`: too large"))?;
    }
    Ok(sign * total)
}

/// Parses an RFC 3339 timestamp into milliseconds since the Unix epoch.
pub fn parse_rfc3339(text: &str) -> Result<i64, String> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|d| d.timestamp_millis())
        .map_err(|e| format!("`{text}` is not an RFC 3339 time: {e}"))
}

/// Formats milliseconds since the Unix epoch as RFC 3339 (UTC).
pub fn format_rfc3339(millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_else(|| millis.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_moves_only_when_told() {
        let c = Clock::fixed(1_000);
        assert_eq!(c.now_millis(), 1_000);
        c.advance(500).unwrap();
        assert_eq!(c.now_millis(), 1_500);
        c.set(10).unwrap();
        assert_eq!(c.now_millis(), 10);
        assert!(c.is_fixed());
    }

    #[test]
    fn persistent_clock_is_shared_through_host_db() {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(HostDb::open(&dir.path().join("host.db")).unwrap());
        let a = Clock::persistent(db.clone());
        let start = real_now_millis();
        assert!((a.now_millis() - start).abs() < 5_000);
        a.advance(3 * 86_400_000).unwrap();
        // A second process (another connection) sees the same offset.
        let db2 = Arc::new(HostDb::open(&dir.path().join("host.db")).unwrap());
        let b = Clock::persistent(db2);
        let diff = b.now_millis() - real_now_millis();
        assert!((diff - 3 * 86_400_000).abs() < 5_000, "{diff}");
        b.set(0).unwrap();
        assert!(a.now_millis().abs() < 5_000);
        a.reset().unwrap();
        assert!((b.now_millis() - real_now_millis()).abs() < 5_000);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("3d").unwrap(), 3 * 86_400_000);
        assert_eq!(parse_duration("12h").unwrap(), 12 * 3_600_000);
        assert_eq!(parse_duration("1d12h").unwrap(), 36 * 3_600_000);
        assert_eq!(parse_duration("-90m").unwrap(), -90 * 60_000);
        assert_eq!(parse_duration("500ms").unwrap(), 500);
        assert_eq!(parse_duration("2w").unwrap(), 14 * 86_400_000);
        assert!(parse_duration("3").is_err());
        assert!(parse_duration("d").is_err());
        assert!(parse_duration("3y").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn rfc3339_round_trip() {
        let ms = parse_rfc3339("2026-01-02T03:04:05Z").unwrap();
        assert_eq!(ms, 1_767_323_045_000);
        assert_eq!(format_rfc3339(ms), "2026-01-02T03:04:05.000Z");
        assert_eq!(parse_rfc3339("2026-01-02T05:04:05+02:00").unwrap(), ms);
        assert!(parse_rfc3339("yesterday").is_err());
    }
}
