//! `aigis:forge/runtime`: the virtual clock, the function's log and its
//! remaining time.

use super::super::bindings::runtime as rt;
use super::super::ctx::{ForgeCtxView, LogLine};
use aigis_platform::LogLevel;

impl rt::Host for ForgeCtxView<'_> {
    fn now_millis(&mut self) -> i64 {
        self.ctx.now_millis()
    }

    fn log(&mut self, level: rt::Level, message: String) {
        let fk = self.ctx.function_key.as_str();
        let level = match LogLevel::from(level) {
            LogLevel::Debug => {
                tracing::debug!(target: "aigis::guest", function = fk, "{message}");
                "debug"
            }
            LogLevel::Info => {
                tracing::info!(target: "aigis::guest", function = fk, "{message}");
                "info"
            }
            LogLevel::Warn => {
                tracing::warn!(target: "aigis::guest", function = fk, "{message}");
                "warn"
            }
            LogLevel::Error => {
                tracing::error!(target: "aigis::guest", function = fk, "{message}");
                "error"
            }
        };
        self.ctx.logs.push(LogLine {
            level: level.into(),
            message,
        });
    }

    fn remaining_millis(&mut self) -> u64 {
        self.ctx.remaining_millis()
    }
}
