//! Aigis application services: the use cases over the platform ports.
//!
//! The same code runs inside the wasm components (ports = WIT imports) and
//! natively in tests (ports = in-memory or SQLite backends). Entry points
//! mirror the Forge handler kinds: [`invoke`] for resolvers (through the
//! route table in [`routes`], typed handlers as [`api`] defines them), [`on_event`] for product triggers,
//! [`on_schedule`] for scheduled triggers.
//!
//! Rooms are named after what they serve: one module per resolver
//! namespace (`requests`, `grants`, `jobs`, `catalog`, `config`,
//! `governance`, `audit`, `insights`, `reviews`, plus `whoami` and
//! `readiness`), the scheduled sweeps in `sweeps`, and beneath them the
//! shared parts: `access` (who is calling), `repo` (the commit protocol),
//! `names` (storage names), `outbox` and `jira` (side effects), `ratelimit`.

pub mod access;
pub mod api;
pub mod audit;
pub mod catalog;
pub mod config;
pub mod connectors;
pub mod directory;
pub mod error;
pub mod governance;
pub mod grants;
pub mod insights;
pub mod jira;
pub mod jobs;
pub mod names;
pub mod outbox;
pub mod overview;
pub mod portal;
pub mod ratelimit;
pub mod readiness;
pub mod repo;
pub mod requests;
pub mod reviews;
pub mod routes;
pub mod slot;
pub mod sweeps;
pub mod whoami;

pub use error::AppError;

use access::Caller;
use aigis_platform::Platform;
use serde_json::Value;

/// Every resolver function key, in route-table order.
pub fn resolver_keys() -> Vec<&'static str> {
    routes::all().map(|r| r.key).collect()
}

fn parse_json(field: &str, text: &str) -> Result<Value, AppError> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(text).map_err(|_| AppError::invalid(field, "must be JSON"))
}

/// Runs resolver `function_key` for the user in `context`; returns JSON
/// text. An error's `detail` (what failed inside) goes to the log.
pub fn invoke(
    p: Platform,
    function_key: &str,
    payload: &str,
    context: &str,
) -> Result<String, AppError> {
    let result = (|| {
        let context = parse_json("context", context)?;
        let caller = Caller::from_context(p, &context)?;
        let payload = api::parse::payload(payload)?;
        routes::dispatch(&p, &caller, function_key, payload)
    })();
    match result {
        Ok(v) => Ok(v.to_string()),
        Err(e) => {
            if let Some(d) = &e.detail {
                p.runtime.log(
                    aigis_platform::LogLevel::Error,
                    &format!("{function_key}: {}: {d}", e.code),
                );
            }
            Err(e)
        }
    }
}

/// Handles a product event for trigger export `handler`.
pub fn on_event(p: Platform, handler: &str, event: &str, _context: &str) -> Result<(), AppError> {
    let event = parse_json("event", event)?;
    match handler {
        "onIssueCreated" => {
            let outcome = requests::ingest::on_issue_created(&p, &event)?;
            p.runtime.log(
                aigis_platform::LogLevel::Info,
                &format!("issue-created: {outcome:?}"),
            );
            Ok(())
        }
        other => Err(AppError::not_found(format!("no trigger handler {other:?}"))),
    }
}

/// Runs scheduled export `handler`; returns a JSON summary.
pub fn on_schedule(
    p: Platform,
    handler: &str,
    _event: &str,
    _context: &str,
) -> Result<String, AppError> {
    sweeps::run(&p, handler)
}
