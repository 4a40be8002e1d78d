//! `requests.byIssue`: everything about the request on one Jira issue, for
//! the issue panel and the portal request-detail panel: the request, its
//! decision, grant, jobs, the subject's audit trail with each event's
//! inclusion proof, and what the viewer may do now.
//!
//! Visible to Jira admins, approvers and the request's parties (requester,
//! raiser); anyone else (a portal customer looking at someone else's
//! request, a stranger) is told it does not exist, as for a missing one.

use super::decide::load_request;
use crate::access::Caller;
use crate::audit::proofs::{Proof, prove};
use crate::error::AppError;
use crate::grants::extend::GRACE_DAYS;
use crate::grants::reads::label;
use crate::jira::{self, enc};
use crate::names::{AUDIT, GRANT};
use crate::{jobs, repo};
use aigis_core::audit::AuditEvent;
use aigis_core::ids::IssueKey;
use aigis_core::model::{
    Decision, DecisionSource, Grant, GrantStatus, Job, JobStatus, Request, days,
};
use aigis_core::{Millis, time};
use aigis_platform::{EntityQuery, Platform, Principal, SortOrder};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// `{issueKey}`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IssueRef {
    pub issue_key: IssueKey,
}

/// Who decided, when, how, under which governance version.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DecisionInfo {
    pub decision: Decision,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<Millis>,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<DecisionSource>,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub governance_version: Option<u32>,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    /// The auto-approval policy, when one decided.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

/// The grant with its expiry as text and label.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GrantInfo {
    pub grant: Grant,
    /// `expiresAt` as an RFC 3339 instant.
    pub expires_at_text: String,
    /// expired / expires today / N days remaining, in the holder's time
    /// zone; none before access is in place.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry_label: Option<String>,
}

/// One audit event of the request, its grant or its jobs, with its
/// inclusion proof in a signed checkpoint.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TrailEntry {
    pub event: AuditEvent,
    pub proof: Proof,
}

/// What the viewer may do now (each still checked when done).
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Can {
    pub approve: bool,
    pub deny: bool,
    pub extend: bool,
    pub revoke: bool,
    pub answer_review: bool,
    pub complete_job: bool,
}

/// The request on an issue and all that hangs on it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct IssueRequest {
    pub request: Request,
    pub decision: DecisionInfo,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant: Option<GrantInfo>,
    pub jobs: Vec<Job>,
    /// Oldest first.
    pub trail: Vec<TrailEntry>,
    pub can: Can,
}

/// Events read per subject (a request's story is a few dozen at most).
const TRAIL_PER_SUBJECT: u32 = 50;

fn not_found(key: &IssueKey) -> AppError {
    AppError::not_found(format!("no AI access request on issue {key}"))
}

/// The issue id of `key`: from the extension when it names that issue,
/// else from Jira (as the app: a customer may not browse the issue).
fn issue_id(p: &Platform, caller: &Caller, key: &IssueKey) -> Result<Option<String>, AppError> {
    if caller.extension.issue_key.as_ref() == Some(key)
        && let Some(id) = &caller.extension.issue_id
    {
        return Ok(Some(id.clone()));
    }
    let a = jira::call(
        p,
        Principal::App,
        "GET",
        &format!("/rest/api/3/issue/{}?fields=project", enc(key)),
        None,
    )?;
    if a.status == 404 {
        return Ok(None);
    }
    Ok(a.require("issue")?["id"].as_str().map(str::to_owned))
}

fn events_of(p: &Platform, subject: &str) -> Result<Vec<AuditEvent>, AppError> {
    let page = p.storage.entity_query(&EntityQuery {
        entity: AUDIT.into(),
        index: "by-subject".into(),
        partition: vec![json!(subject)],
        order: SortOrder::Asc,
        limit: TRAIL_PER_SUBJECT,
        ..Default::default()
    })?;
    page.items
        .iter()
        .map(|(key, raw)| repo::decode(AUDIT, key, raw))
        .collect()
}

/// `requests.byIssue`: `{issueKey}`.
pub fn by_issue(p: &Platform, caller: &Caller, args: IssueRef) -> Result<IssueRequest, AppError> {
    let key = &args.issue_key;
    let id = issue_id(p, caller, key)?.ok_or_else(|| not_found(key))?;
    let request = match load_request(p, &id) {
        Ok(r) if r.issue_key == key.as_str() => r,
        Ok(_) => return Err(not_found(key)),
        Err(e) if e.code == aigis_core::ErrorCode::NotFound => return Err(not_found(key)),
        Err(e) => return Err(e),
    };
    let party = request.is_party(&caller.account_id);
    let approver = caller.is_approver()?;
    if !party && !approver {
        return Err(not_found(key));
    }
    let grant: Option<Grant> = match &request.grant {
        Some(g) => repo::get(p, GRANT, g)?,
        None => None,
    };
    let jobs = match &grant {
        Some(g) => jobs::of_grant(p, &g.id)?,
        None => vec![],
    };
    let now = p.runtime.now_millis();
    let grant_info = match &grant {
        Some(g) => {
            let tz = match g.status {
                GrantStatus::Active => jira::user_time_zone(p, &g.account).unwrap_or(None),
                _ => None,
            }
            .unwrap_or_else(|| "UTC".to_owned());
            Some(GrantInfo {
                expires_at_text: time::rfc3339(g.expires_at),
                expiry_label: label(g, now, &tz),
                grant: g.clone(),
            })
        }
        None => None,
    };
    let mut events = events_of(p, &format!("request:{}", request.id))?;
    if let Some(g) = &grant {
        events.extend(events_of(p, &format!("grant:{}", g.id))?);
    }
    for j in &jobs {
        events.extend(events_of(p, &format!("job:{}", j.id))?);
    }
    events.sort_by_key(|e| e.seq);
    events.dedup_by_key(|e| e.seq);
    let trail = events
        .into_iter()
        .map(|event| {
            Ok(TrailEntry {
                proof: prove(p, event.seq)?,
                event,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let can = can(&request, grant.as_ref(), &jobs, caller, approver, now);
    Ok(IssueRequest {
        decision: DecisionInfo {
            decision: request.decision,
            by: request.decided_by.clone(),
            at: request.decided_at,
            source: request.decision_source,
            governance_version: request.governance_version,
            rationale: request.rationale.clone(),
            policy: request.policy.clone(),
        },
        request,
        grant: grant_info,
        jobs,
        trail,
        can,
    })
}

/// What `caller` may do: approvers who are not a party to the request.
fn can(
    request: &Request,
    grant: Option<&Grant>,
    jobs: &[Job],
    caller: &Caller,
    approver: bool,
    now: Millis,
) -> Can {
    let me = caller.account_id.as_str();
    if !approver || request.is_party(me) || grant.is_some_and(|g| g.is_party(me)) {
        return Can::default();
    }
    let pending = request.decision == Decision::Pending;
    let open = grant.is_some_and(|g| g.status.is_open());
    // As `grants.extend` allows: open, or expired within the grace window.
    let extendable = grant.is_some_and(|g| {
        g.status.is_open()
            || (g.status == GrantStatus::Expired && now <= g.expires_at + days(GRACE_DAYS))
    });
    Can {
        approve: pending,
        deny: pending,
        extend: extendable,
        revoke: open,
        answer_review: grant.is_some_and(|g| g.review_issue.is_some() && g.review_answer.is_none()),
        complete_job: jobs
            .iter()
            .any(|j| j.status == JobStatus::ManualPending && j.completed_by.as_deref() != Some(me)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_keys_are_checked_as_they_are_parsed() {
        let bad: Result<IssueRef, _> = serde_json::from_value(json!({"issueKey": "air-1"}));
        assert!(bad.is_err());
        let ok: IssueRef = serde_json::from_value(json!({"issueKey": "AIR-1"})).unwrap();
        assert_eq!(ok.issue_key.as_str(), "AIR-1");
    }
}
