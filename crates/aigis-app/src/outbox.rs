//! Jira side effects (comments, transitions) as durable notices.
//!
//! A notice is written in the same commit as the state change that causes
//! it, under a key derived from that change, so a retried change writes no
//! second notice. It is delivered right after the commit and, if that fails,
//! by the job runner with backoff.
//!
//! Invariant: a side effect is claimed before it is made and checked before
//! it is repeated. A delivery first claims the notice (one conditional
//! write: `attempts` n → n+1, due again only when the claim's lease ends), so
//! the committing call and a job runner that both see it due cannot both
//! send it: the second claim fails and that caller leaves it. The first
//! attempt posts at once; any later one (the previous may have reached Jira
//! and crashed before recording it) first looks for the comment's marker
//! property and only posts when it is absent. The result is recorded on the
//! condition that the claim still holds.

use crate::error::AppError;
use crate::jira;
use crate::names::OUTBOX;
use aigis_core::Millis;
use aigis_core::time::MINUTE;
use aigis_core::workflow;
use aigis_platform::{Condition, FilterOp, Platform, TxnOp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Deliveries attempted before a notice is given up as failed.
pub const MAX_ATTEMPTS: u32 = 8;
/// How long a claimed delivery may take before another caller may retry it:
/// longer than any invocation may run (a scheduled trigger's 900 s) plus five
/// minutes for clock skew between hosts, so a claim runs out only after its
/// claimer has stopped and can no longer post. (A 5-minute lease could be
/// overtaken while a 900 s sweep was still delivering the notice.)
pub const LEASE: Millis = 20 * MINUTE;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TransitionKind {
    Approve,
    Deny,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Action {
    /// An ADF comment.
    Comment { body: Value },
    /// The workflow transition matching a decision, where there is one.
    Transition { kind: TransitionKind },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    pub id: String,
    /// Issue id or key.
    pub issue: String,
    pub action: Action,
    /// pending | sent | failed
    pub status: String,
    pub due_at: Millis,
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

impl Notice {
    pub fn comment(id: String, issue: &str, body: Value) -> Notice {
        Self::new(id, issue, Action::Comment { body })
    }
    pub fn transition(id: String, issue: &str, kind: TransitionKind) -> Notice {
        Self::new(id, issue, Action::Transition { kind })
    }
    fn new(id: String, issue: &str, action: Action) -> Notice {
        Notice {
            id,
            issue: issue.to_owned(),
            action,
            status: "pending".into(),
            due_at: 0,
            attempts: 0,
            last_error: None,
            outcome: None,
        }
    }

    /// The transaction operation that stores the notice, once only.
    pub fn create_op(&self, now: Millis) -> Result<TxnOp, AppError> {
        let mut n = self.clone();
        n.due_at = now;
        Ok(TxnOp::Set {
            key: n.id.clone(),
            entity: Some(OUTBOX.into()),
            value: serde_json::to_string(&n).map_err(|e| AppError::internal(e.to_string()))?,
            conditions: vec![Condition {
                attribute: "id".into(),
                op: FilterOp::NotExists,
                value: None,
            }],
        })
    }
}

/// The notice as its writer saw it, `attempts` unchanged since: the
/// condition of a claim and of recording its result.
fn unchanged(n: &Notice) -> Vec<Condition> {
    vec![
        Condition::equal("attempts", serde_json::json!(n.attempts)),
        Condition::equal("status", serde_json::json!("pending")),
    ]
}

fn write(p: &Platform, n: &Notice, conditions: Vec<Condition>) -> Result<bool, AppError> {
    let value = serde_json::to_string(n).map_err(|e| AppError::internal(e.to_string()))?;
    let op = TxnOp::Set {
        key: n.id.clone(),
        entity: Some(OUTBOX.into()),
        value,
        conditions,
    };
    match p.storage.transact(&[op]) {
        Ok(()) => Ok(true),
        Err(aigis_platform::StorageError::ConditionFailed) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Tries to deliver one notice (as last read: from its commit or a runner's
/// page) and records the result. Returns whether it is now sent; false also
/// when another caller holds or took the claim.
pub fn deliver(p: &Platform, notice: &Notice) -> Result<bool, AppError> {
    let now = p.runtime.now_millis();
    let mut claimed = notice.clone();
    claimed.attempts += 1;
    claimed.due_at = now + LEASE;
    if !write(p, &claimed, unchanged(notice))? {
        return Ok(false);
    }
    // Not the first attempt: the previous one may have reached Jira.
    let result = attempt(p, &claimed, claimed.attempts > 1);
    let mut n = claimed.clone();
    match result {
        Ok(outcome) => {
            n.status = "sent".into();
            n.outcome = Some(outcome);
            n.last_error = None;
        }
        Err(e) => {
            n.last_error = Some(e.log_text());
            if n.attempts >= MAX_ATTEMPTS {
                n.status = "failed".into();
            } else {
                n.due_at = now + MINUTE * (1 << n.attempts.min(10));
            }
        }
    }
    // Recorded only while the claim holds (a lease that ran out lets another
    // caller retry, and that caller checks the marker first).
    write(p, &n, unchanged(&claimed))?;
    Ok(n.status == "sent")
}

fn attempt(p: &Platform, n: &Notice, retry: bool) -> Result<String, AppError> {
    match &n.action {
        Action::Comment { body } => {
            if retry && jira::has_marked_comment(p, &n.issue, &n.id)? {
                return Ok("comment already present".into());
            }
            jira::add_comment(p, &n.issue, body, &n.id)?;
            Ok("commented".into())
        }
        Action::Transition { kind } => {
            let names = match kind {
                TransitionKind::Approve => workflow::APPROVE_NAMES,
                TransitionKind::Deny => workflow::DENY_NAMES,
            };
            let available = jira::transitions(p, &n.issue)?;
            match workflow::pick_transition(&available, names) {
                Some(id) => {
                    jira::do_transition(p, &n.issue, id)?;
                    Ok(format!("transitioned ({id})"))
                }
                None => Ok("no matching transition in this workflow".into()),
            }
        }
    }
}

/// Delivers the notices a commit just wrote.
pub fn deliver_all(p: &Platform, notices: &[Notice]) {
    for n in notices {
        if let Err(e) = deliver(p, n) {
            p.runtime.log(
                aigis_platform::LogLevel::Warn,
                &format!("notice {} not delivered yet: {}", n.id, e.log_text()),
            );
        }
    }
}
