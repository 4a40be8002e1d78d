//! Aigis application services: the use cases over the platform ports.
//!
//! The same code runs inside the wasm components (ports = WIT imports) and
//! natively in tests (ports = in-memory or SQLite backends). Entry points
//! mirror the Forge handler kinds: [`invoke`] for resolvers, [`on_event`]
//! for product triggers, [`on_schedule`] for scheduled triggers.

pub mod access;
pub mod analytics;
pub mod auditlog;
pub mod catalog;
pub mod connector;
pub mod decide;
pub mod error;
pub mod evidence;
pub mod governance;
pub mod grants;
pub mod ingest;
pub mod intake;
pub mod jira;
pub mod jobs;
pub mod outbox;
pub mod ratelimit;
pub mod readiness;
pub mod reads;
pub mod repo;
pub mod reviews;
pub mod sweeps;

pub use error::AppError;

use access::Caller;
use aigis_platform::Platform;
use serde_json::Value;

/// Every resolver function key, for routing, docs and access tests.
pub const RESOLVERS: &[&str] = &[
    "whoami",
    "config.getIntake",
    "config.setIntake",
    "catalog.add",
    "catalog.list",
    "catalog.update",
    "catalog.retire",
    "catalog.history",
    "catalog.builtins",
    "catalog.seed",
    "governance.get",
    "governance.list",
    "governance.set",
    "policies.list",
    "policies.save",
    "policies.delete",
    "readiness",
    "requests.get",
    "requests.mine",
    "requests.pending",
    "requests.approve",
    "requests.deny",
    "requests.decide",
    "audit.verify",
    "audit.search",
    "audit.export",
    "audit.prove",
    "audit.keys",
    "audit.rotateKey",
    "grants.mine",
    "grants.extend",
    "grants.revoke",
    "jobs.manual",
    "jobs.complete",
    "requests.list",
    "grants.list",
    "jobs.list",
    "insights",
    "reviews.answer",
    "reviews.pending",
];

fn parse_json(field: &str, text: &str) -> Result<Value, AppError> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(text).map_err(|e| AppError::invalid(field, format!("must be JSON: {e}")))
}

/// Runs resolver `function_key` for the user in `context`; returns JSON text.
pub fn invoke(
    p: Platform,
    function_key: &str,
    payload: &str,
    context: &str,
) -> Result<String, AppError> {
    let context = parse_json("context", context)?;
    let caller = Caller::from_context(p, &context)?;
    let payload = if payload.trim().is_empty() || payload.trim() == "null" {
        "{}"
    } else {
        payload
    };
    let p = &p;
    let out = match function_key {
        "whoami" => reads::whoami(p, &caller),
        "config.getIntake" => intake::get(p, &caller),
        "config.setIntake" => intake::set(p, &caller, payload),
        "catalog.add" => catalog::add(p, &caller, payload),
        "catalog.list" => catalog::list(p, &caller, payload),
        "catalog.update" => catalog::update(p, &caller, payload),
        "catalog.retire" => catalog::retire(p, &caller, payload),
        "catalog.history" => catalog::history(p, &caller, payload),
        "catalog.builtins" => catalog::builtins(&caller, payload),
        "catalog.seed" => catalog::seed(p, &caller, payload),
        "governance.get" => governance::get(p, &caller, payload),
        "governance.list" => governance::list(p, &caller, payload),
        "governance.set" => governance::set(p, &caller, payload),
        "policies.list" => governance::policies_list(p, &caller, payload),
        "policies.save" => governance::policies_save(p, &caller, payload),
        "policies.delete" => governance::policies_delete(p, &caller, payload),
        "readiness" => readiness::readiness(p, &caller, payload),
        "requests.get" => decide::get(p, &caller, payload),
        "requests.mine" => reads::mine(p, &caller, payload),
        "requests.pending" => reads::pending(p, &caller, payload),
        "requests.approve" => decide::approve(p, &caller, payload),
        "requests.deny" => decide::deny(p, &caller, payload),
        "requests.decide" => decide::decide_many(p, &caller, payload),
        "audit.verify" => {
            crate::error::no_args(payload).and_then(|_| auditlog::verify_resolver(p, &caller))
        }
        "audit.search" => evidence::search(p, &caller, payload),
        "audit.export" => evidence::export(p, &caller, payload),
        "audit.prove" => evidence::prove_resolver(p, &caller, payload),
        "audit.keys" => evidence::keys_resolver(p, &caller, payload),
        "audit.rotateKey" => evidence::rotate_key(p, &caller, payload),
        "grants.mine" => reads::my_grants(p, &caller, payload),
        "grants.extend" => grants::extend(p, &caller, payload),
        "grants.revoke" => grants::revoke(p, &caller, payload),
        "jobs.manual" => reads::manual_jobs(p, &caller, payload),
        "jobs.complete" => jobs::complete(p, &caller, payload),
        "requests.list" => reads::admin_requests(p, &caller, payload),
        "grants.list" => reads::admin_grants(p, &caller, payload),
        "jobs.list" => reads::admin_jobs(p, &caller, payload),
        "insights" => analytics::insights(p, &caller, payload),
        "reviews.answer" => reviews::answer(p, &caller, payload),
        "reviews.pending" => reviews::pending(p, &caller, payload),
        other => Err(AppError::not_found(format!(
            "no resolver function {other:?}"
        ))),
    }?;
    Ok(out.to_string())
}

/// Handles a product event for trigger export `handler`.
pub fn on_event(p: Platform, handler: &str, event: &str, _context: &str) -> Result<(), AppError> {
    let event = parse_json("event", event)?;
    match handler {
        "onIssueCreated" => {
            let outcome = ingest::on_issue_created(&p, &event)?;
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
    match handler {
        "jobRunner" => Ok(serde_json::to_string(&sweeps::job_runner(&p)?).unwrap_or_default()),
        "escalation" => Ok(serde_json::to_string(&sweeps::escalation(&p)?).unwrap_or_default()),
        "recertification" => Ok(serde_json::to_string(&reviews::sweep(&p)?).unwrap_or_default()),
        "retention" => {
            // The daily checkpoint: signs the log as it stands (idempotent
            // per tree size, so a second run the same day signs nothing new).
            let checkpoint = match repo::read_head(&p)? {
                Some(_) => Some(evidence::checkpoint_now(&p)?.size),
                None => None,
            };
            let summary = auditlog::prune(&p, || sweeps::out_of_time(&p))?;
            let mut out = serde_json::to_value(&summary).unwrap_or_default();
            if let Some(o) = out.as_object_mut() {
                o.insert("checkpointSize".into(), serde_json::json!(checkpoint));
            }
            Ok(out.to_string())
        }
        "analytics" => Ok(serde_json::to_string(&analytics::sweep(&p)?).unwrap_or_default()),
        other => Err(AppError::not_found(format!(
            "no scheduled handler {other:?}"
        ))),
    }
}
