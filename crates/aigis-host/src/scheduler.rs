//! Scheduled triggers: each `scheduledTrigger` runs when virtual now ≥ its
//! last run + its interval. Last runs are persisted in `host.db`.
//!
//! A trigger that never ran is due at once. After a clock jump of several
//! intervals it runs once (at the new time), not once per missed interval:
//! Forge does not catch up either, and one run at the new time is what a
//! preview of "next month" needs.

use crate::{Host, HostError, SweepOutcome};

/// Whether a trigger with `interval_ms` that last ran at `last_run` is due at `now`.
pub fn is_due(last_run: Option<i64>, interval_ms: i64, now: i64) -> bool {
    match last_run {
        None => true,
        Some(last) => now >= last.saturating_add(interval_ms),
    }
}

/// One scheduled trigger's result in a tick.
#[derive(Debug)]
pub struct TickRun {
    pub key: String,
    pub result: Result<SweepOutcome, HostError>,
}

impl Host {
    /// Runs every due scheduled trigger once at virtual now; records the run
    /// (also when it failed: Forge never retries a scheduled trigger).
    pub fn scheduler_tick(&self) -> Result<Vec<TickRun>, HostError> {
        let now = self.clock().now_millis();
        let mut runs = Vec::new();
        let defs = self.manifest().scheduled.clone();
        let db = self.inner_hostdb();
        for def in defs {
            let last = db.last_run(&def.key)?;
            if !is_due(last, def.interval.millis(), now) {
                continue;
            }
            db.set_last_run(&def.key, now)?;
            tracing::info!(trigger = %def.key, "scheduled trigger due");
            let result = self.run_scheduled(&def.key, None);
            if let Err(e) = &result {
                tracing::warn!(trigger = %def.key, "scheduled trigger failed: {e}");
            }
            runs.push(TickRun {
                key: def.key,
                result,
            });
        }
        Ok(runs)
    }

    /// When each scheduled trigger last ran (virtual ms), by key.
    pub fn scheduler_last_runs(&self) -> Result<Vec<(String, Option<i64>)>, HostError> {
        let db = self.inner_hostdb();
        self.manifest()
            .scheduled
            .iter()
            .map(|d| Ok((d.key.clone(), db.last_run(&d.key)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_logic() {
        let hour = 3_600_000;
        assert!(is_due(None, hour, 0));
        assert!(!is_due(Some(1_000), hour, 1_000));
        assert!(!is_due(Some(1_000), hour, 1_000 + hour - 1));
        assert!(is_due(Some(1_000), hour, 1_000 + hour));
        assert!(is_due(Some(1_000), hour, 1_000 + 30 * hour));
        // A clock moved backwards is not due.
        assert!(!is_due(Some(1_000), hour, 0));
        assert!(!is_due(Some(i64::MAX), hour, i64::MAX - 1));
    }
}
