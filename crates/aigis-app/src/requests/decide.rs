//! `requests.approve` and `requests.deny`: one decision, one commit.

use crate::access::Caller;
use crate::error::AppError;
use crate::governance;
use crate::grants::slot::{Slot, open_grant};
use crate::names::{GRANT, JOB, REQUEST, SLOT, TOOL};
use crate::outbox::{Notice, TransitionKind};
use crate::repo::{self, Change};
use aigis_core::adf;
use aigis_core::audit::NewEvent;
use aigis_core::ids::RequestId;
use aigis_core::model::{Decision, DecisionSource, FirstApproval, Request, Tool};
use aigis_core::rules;
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// One decision on one request.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecideArgs {
    pub request_id: RequestId,
    /// Why; required to deny.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub rationale: String,
}

/// The request after a decision; `changed` is false when it was already so.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Decided {
    pub request: Request,
    pub changed: bool,
}

pub(crate) fn load_request(p: &Platform, id: &str) -> Result<Request, AppError> {
    repo::get(p, REQUEST, id)?
        .ok_or_else(|| AppError::not_found(format!("request {id:?} does not exist")))
}

/// A retried decision by the same person with the same outcome succeeds
/// again without changing anything.
fn already(request: &Request, caller: &Caller, want: Decision) -> bool {
    request.decision == want && request.decided_by.as_deref() == Some(caller.account_id.as_str())
}

/// `requests.approve` (approver).
pub fn approve(p: &Platform, caller: &Caller, args: DecideArgs) -> Result<Decided, AppError> {
    approve_one(p, caller, &args, DecisionSource::Manual, None)
}

/// Approves one request as `source` (within bulk decision `batch`, if
/// any); the caller's approver right is already checked.
pub(crate) fn approve_one(
    p: &Platform,
    caller: &Caller,
    args: &DecideArgs,
    source: DecisionSource,
    batch: Option<&str>,
) -> Result<Decided, AppError> {
    let now = repo::now(p);
    let done = repo::commit(p, |seq| {
        let mut c = Change::new();
        let request = load_request(p, &args.request_id)?;
        if already(&request, caller, Decision::Approved) {
            return Ok((request, c));
        }
        let tool: Tool = repo::get(p, TOOL, &request.tool)?.ok_or_else(|| {
            AppError::conflict(format!(
                "tool {:?} is no longer in the catalog",
                request.tool
            ))
        })?;
        let open = open_grant(p, &request.requester, &request.tool)?;
        let gov = governance::current(p)?;
        let mut a = rules::approve(
            &request,
            &tool,
            &caller.account_id,
            source,
            &args.rationale,
            open.as_ref(),
            format!("j-{seq}"),
            crate::connectors::mode_for_tool(p, &tool.id)?,
            now,
        )?;
        governance::check_approval(p, &gov, &tool, &request)?;
        // Security-reviewed risk levels need two approvals by different
        // people, the second by a security reviewer.
        if gov.needs_security_review(tool.risk) {
            match &request.first_approval {
                Some(first) if first.by == caller.account_id => {
                    return Ok((request, c));
                }
                Some(_) => governance::check_reviewer(&gov, tool.risk, caller)?,
                None => {
                    let mut waiting = request.clone();
                    waiting.first_approval = Some(FirstApproval {
                        by: caller.account_id.clone(),
                        at: now,
                    });
                    c.put(REQUEST, &waiting.id, &waiting)?;
                    c.event(NewEvent::new(
                        &caller.account_id,
                        "request.firstApproval",
                        &format!("request:{}", request.id),
                        json!({"issueKey": request.issue_key, "governanceVersion": gov.version, "rationale": args.rationale.trim()}),
                    ));
                    c.notice(Notice::comment(
                        format!("request-{}-first-approval", request.id),
                        &request.id,
                        adf::notice(
                            "First approval recorded",
                            &[format!(
                                "{} is a {} risk tool: a security reviewer must approve too.",
                                tool.name,
                                format!("{:?}", tool.risk).to_lowercase()
                            )],
                        ),
                    ));
                    return Ok((waiting, c));
                }
            }
        }
        a.request.governance_version = Some(gov.version);
        a.request.batch = batch.map(str::to_owned);
        c.put(REQUEST, &a.request.id, &a.request)?;
        c.create(GRANT, &a.grant.id, &a.grant)?;
        c.create(JOB, &a.job.id, &a.job)?;
        c.put(
            SLOT,
            &repo::slot_key(&a.grant.account, &a.grant.tool),
            &Slot {
                grant: a.grant.id.clone(),
            },
        )?;
        let actor = &caller.account_id;
        let mut data = json!({"issueKey": request.issue_key, "source": source, "rationale": a.request.rationale, "governanceVersion": gov.version});
        if let Some(b) = batch {
            data["batch"] = json!(b);
        }
        c.event(NewEvent::new(
            actor,
            "request.approved",
            &format!("request:{}", request.id),
            data,
        ));
        c.event(NewEvent::new(actor, "grant.created", &format!("grant:{}", a.grant.id),
            json!({"account": a.grant.account, "tool": a.grant.tool, "status": a.grant.status.as_str(), "durationDays": a.grant.duration_days})));
        c.event(NewEvent::new(
            actor,
            "job.queued",
            &format!("job:{}", a.job.id),
            json!({"kind": a.job.kind.as_str(), "grant": a.grant.id, "mode": "manual"}),
        ));
        let mut lines = vec![
            format!("{} for {} days.", tool.name, request.duration_days),
            "Access will be set up by hand; this issue is updated when it is in place.".to_owned(),
        ];
        if let Some(r) = &a.request.rationale {
            lines.push(format!("Rationale: {r}"));
        }
        c.notice(Notice::comment(
            format!("request-{}-decided", request.id),
            &request.id,
            adf::notice("Approved", &lines),
        ));
        c.notice(Notice::transition(
            format!("request-{}-transition", request.id),
            &request.id,
            TransitionKind::Approve,
        ));
        Ok((a.request, c))
    })?;
    crate::outbox::deliver_all(p, &done.notices);
    Ok(Decided {
        request: done.value,
        changed: !done.events.is_empty(),
    })
}

/// `requests.deny` (approver): the rationale is required.
pub fn deny(p: &Platform, caller: &Caller, args: DecideArgs) -> Result<Decided, AppError> {
    deny_one(p, caller, &args, None)
}

/// Denies one request (within bulk decision `batch`, if any); the
/// caller's approver right is already checked.
pub(crate) fn deny_one(
    p: &Platform,
    caller: &Caller,
    args: &DecideArgs,
    batch: Option<&str>,
) -> Result<Decided, AppError> {
    let now = repo::now(p);
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        let request = load_request(p, &args.request_id)?;
        if already(&request, caller, Decision::Denied) {
            return Ok((request, c));
        }
        let mut denied = rules::deny(&request, &caller.account_id, &args.rationale, now)?;
        let gov_version = governance::current(p)?.version;
        denied.governance_version = Some(gov_version);
        let mut data = json!({"issueKey": request.issue_key, "rationale": denied.rationale, "governanceVersion": gov_version});
        if let Some(b) = batch {
            denied.decision_source = Some(DecisionSource::Bulk);
            denied.batch = Some(b.to_owned());
            data["source"] = json!(DecisionSource::Bulk);
            data["batch"] = json!(b);
        }
        c.put(REQUEST, &denied.id, &denied)?;
        c.event(NewEvent::new(
            &caller.account_id,
            "request.denied",
            &format!("request:{}", request.id),
            data,
        ));
        c.notice(Notice::comment(
            format!("request-{}-decided", request.id),
            &request.id,
            adf::notice(
                "Denied",
                &[
                    format!("{} was not granted.", request.tool_name),
                    format!("Rationale: {}", args.rationale.trim()),
                ],
            ),
        ));
        c.notice(Notice::transition(
            format!("request-{}-transition", request.id),
            &request.id,
            TransitionKind::Deny,
        ));
        Ok((denied, c))
    })?;
    crate::outbox::deliver_all(p, &done.notices);
    Ok(Decided {
        request: done.value,
        changed: !done.events.is_empty(),
    })
}
