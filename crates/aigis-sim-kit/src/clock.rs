//! Virtual time.

use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Time stands at this epoch millisecond until moved.
    Fixed(i64),
    /// The system clock plus this offset (ms).
    System(i64),
}

/// The simulators' clock: fixed (tests move it) or the system clock with an
/// offset (official SDKs put real `iat`/`exp` in their JWTs).
#[derive(Debug)]
pub struct Clock(Mutex<Mode>);

impl Clock {
    /// A clock standing at `ms`.
    pub fn fixed(ms: i64) -> Clock {
        Clock(Mutex::new(Mode::Fixed(ms)))
    }

    /// The system clock.
    pub fn system() -> Clock {
        Clock(Mutex::new(Mode::System(0)))
    }

    fn mode(&self) -> Mode {
        match self.0.lock() {
            Ok(g) => *g,
            Err(p) => *p.into_inner(),
        }
    }

    fn set_mode(&self, m: Mode) {
        match self.0.lock() {
            Ok(mut g) => *g = m,
            Err(p) => *p.into_inner() = m,
        }
    }

    /// Now, epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        match self.mode() {
            Mode::Fixed(ms) => ms,
            Mode::System(offset) => system_ms() + offset,
        }
    }

    /// Now, epoch seconds.
    pub fn now_s(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    /// Stand still at `ms`.
    pub fn set(&self, ms: i64) {
        self.set_mode(Mode::Fixed(ms));
    }

    /// Move forward (or back) by `ms`, in either mode.
    pub fn advance(&self, ms: i64) {
        let m = match self.mode() {
            Mode::Fixed(t) => Mode::Fixed(t + ms),
            Mode::System(o) => Mode::System(o + ms),
        };
        self.set_mode(m);
    }

    /// Follow the system clock from now on.
    pub fn use_system(&self) {
        self.set_mode(Mode::System(0));
    }
}

fn system_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_moves_only_when_told() {
        let c = Clock::fixed(1_000);
        assert_eq!(c.now_ms(), 1_000);
        c.advance(2_500);
        assert_eq!(c.now_ms(), 3_500);
        assert_eq!(c.now_s(), 3);
        c.set(10);
        assert_eq!(c.now_ms(), 10);
    }

    #[test]
    fn system_clock_keeps_its_offset() {
        let c = Clock::system();
        c.advance(3_600_000);
        assert!(c.now_ms() - system_ms() >= 3_599_000);
    }
}
