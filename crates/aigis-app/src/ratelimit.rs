//! Per-person rate limit on sensitive operations (bulk decisions, exports,
//! audit verification): at most [`PER_MINUTE`] a minute.
//!
//! Each call claims one of the person's slots for the current minute,
//! `rate:{account}:{minute}:{n}` for n in 1..=5, with a fail-if-exists
//! write: two racing calls can never claim the same slot, so the limit
//! holds under concurrency, at no more than five writes per call. The job
//! runner deletes the slots of past minutes ([`prune`]).

use crate::error::AppError;
use aigis_core::Millis;
use aigis_core::time::MINUTE;
use aigis_platform::{Platform, SetOptions, StorageError};

pub const PER_MINUTE: u32 = 5;
use crate::names::RATE_PREFIX as PREFIX;

fn window(now: Millis) -> i64 {
    now.div_euclid(MINUTE)
}

/// Claims one sensitive operation for `account` now, or refuses with
/// `rate-limited` and the seconds until the next minute.
pub fn claim(p: &Platform, account: &str, operation: &str) -> Result<(), AppError> {
    let now = p.runtime.now_millis();
    let minute = window(now);
    for n in 1..=PER_MINUTE {
        let key = format!("{PREFIX}{account}:{minute}:{n}");
        let value = serde_json::json!({ "at": now, "op": operation }).to_string();
        match p.storage.set(
            &key,
            &value,
            SetOptions {
                fail_if_exists: true,
            },
        ) {
            Ok(()) => return Ok(()),
            Err(StorageError::KeyExists) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    let wait_ms = (minute + 1) * MINUTE - now;
    let secs = u64::try_from((wait_ms + 999) / 1000).unwrap_or(60).max(1);
    let mut e = AppError::new(
        aigis_core::ErrorCode::RateLimited,
        format!("at most {PER_MINUTE} sensitive operations a minute; try again in {secs} s"),
    );
    e.retry_after = Some(secs);
    Err(e)
}

/// Deletes slots of minutes before the current one, page by page, at most
/// `budget` deletions. Returns how many were deleted.
pub fn prune(p: &Platform, budget: u32) -> Result<u32, AppError> {
    let current = window(p.runtime.now_millis());
    let mut deleted = 0;
    let mut cursor: Option<String> = None;
    loop {
        let page = p.storage.query_prefix(PREFIX, cursor.as_deref(), 100)?;
        for (key, _) in &page.items {
            if deleted >= budget {
                return Ok(deleted);
            }
            let minute = key
                .rsplit(':')
                .nth(1)
                .and_then(|m| m.parse::<i64>().ok())
                .unwrap_or(i64::MIN);
            if minute < current {
                p.storage.delete(key)?;
                deleted += 1;
            }
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(deleted),
        }
    }
}
