//! Approving and denying requests.

use crate::access::Caller;
use crate::error::{AppError, parse_payload};
use crate::outbox::{Notice, TransitionKind};
use crate::repo::{self, Change, GRANT, JOB, REQUEST, SLOT, TOOL};
use crate::{governance, intake};
use aigis_core::adf;
use aigis_core::audit::NewEvent;
use aigis_core::model::{Decision, DecisionSource, FirstApproval, Grant, JobMode, Request, Tool};
use aigis_core::rules;
use aigis_core::time;
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DecideArgs {
    request_id: String,
    #[serde(default)]
    rationale: String,
}

/// The slot value recording a person's open grant for a tool.
#[derive(Serialize, Deserialize)]
pub struct Slot {
    pub grant: String,
}

/// The open grant of `account` for `tool`, if any.
pub fn open_grant(p: &Platform, account: &str, tool: &str) -> Result<Option<Grant>, AppError> {
    let Some(slot) = repo::get::<Slot>(p, SLOT, &repo::slot_key(account, tool))? else {
        return Ok(None);
    };
    Ok(repo::get::<Grant>(p, GRANT, &slot.grant)?.filter(|g| g.status.is_open()))
}

fn load_request(p: &Platform, id: &str) -> Result<Request, AppError> {
    repo::get(p, REQUEST, id)?
        .ok_or_else(|| AppError::not_found(format!("request {id:?} does not exist")))
}

/// A retried decision by the same person with the same outcome succeeds
/// again without changing anything.
fn already(request: &Request, caller: &Caller, want: Decision) -> bool {
    request.decision == want && request.decided_by.as_deref() == Some(caller.account_id.as_str())
}

/// `requests.approve` (approver).
pub fn approve(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    let args: DecideArgs = parse_payload(payload)?;
    caller.require_approver(intake::load(p)?.as_ref())?;
    approve_one(p, caller, &args)
}

/// Approves one request; the caller's approver right is already checked.
fn approve_one(p: &Platform, caller: &Caller, args: &DecideArgs) -> Result<Value, AppError> {
    let now = repo::now(p);
    let done = repo::commit(p, |seq| {
        let mut c = Change::new();
        let request = load_request(p, &args.request_id)?;
        if already(&request, caller, Decision::Approved) {
            return Ok((request, c));
        }
        let tool: Tool = repo::get(p, TOOL, &request.tool)?.ok_or_else(|| {
            AppError::new(
                "conflict",
                format!("tool {:?} is no longer in the catalog", request.tool),
            )
        })?;
        let open = open_grant(p, &request.requester, &request.tool)?;
        let gov = governance::current(p)?;
        let mut a = rules::approve(
            &request,
            &tool,
            &caller.account_id,
            DecisionSource::Manual,
            &args.rationale,
            open.as_ref(),
            format!("j-{seq}"),
            JobMode::Manual,
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
        c.event(NewEvent::new(actor, "request.approved", &format!("request:{}", request.id),
            json!({"issueKey": request.issue_key, "source": "manual", "rationale": a.request.rationale, "governanceVersion": gov.version})));
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
    Ok(json!({ "request": done.value, "changed": !done.events.is_empty() }))
}

/// `requests.deny` (approver): the rationale is required.
pub fn deny(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    let args: DecideArgs = parse_payload(payload)?;
    caller.require_approver(intake::load(p)?.as_ref())?;
    deny_one(p, caller, &args)
}

/// Denies one request; the caller's approver right is already checked.
fn deny_one(p: &Platform, caller: &Caller, args: &DecideArgs) -> Result<Value, AppError> {
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
        c.put(REQUEST, &denied.id, &denied)?;
        c.event(NewEvent::new(
            &caller.account_id,
            "request.denied",
            &format!("request:{}", request.id),
            json!({"issueKey": request.issue_key, "rationale": denied.rationale, "governanceVersion": gov_version}),
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
    Ok(json!({ "request": done.value, "changed": !done.events.is_empty() }))
}

/// Most requests one bulk decision may name.
pub const BULK_MAX: usize = 50;

/// `requests.decide` (approver, rate-limited):
/// `{requestIds: [..1..=50], decision: "approve"|"deny", rationale}`.
/// Each request is decided in its own commit under the same rules as a
/// single decision; one failing item does not stop the others. Returns
/// `{results: [{requestId, ok, decision?, changed?, error?}], approved, denied, failed}`.
pub fn decide_many(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        request_ids: Vec<String>,
        decision: String,
        #[serde(default)]
        rationale: String,
    }
    let args: Args = parse_payload(payload)?;
    if args.request_ids.is_empty() || args.request_ids.len() > BULK_MAX {
        return Err(AppError::invalid(
            "requestIds",
            format!(
                "must name 1 to {BULK_MAX} requests (got {})",
                args.request_ids.len()
            ),
        ));
    }
    if let Some(i) = args
        .request_ids
        .iter()
        .position(|id| id.is_empty() || id.len() > 64)
    {
        return Err(AppError::invalid(
            &format!("requestIds[{i}]"),
            "must be 1 to 64 characters",
        ));
    }
    let approve = match args.decision.as_str() {
        "approve" => true,
        "deny" => false,
        _ => {
            return Err(AppError::invalid(
                "decision",
                "must be \"approve\" or \"deny\"",
            ));
        }
    };
    if args.rationale.chars().count() > 2000 {
        return Err(AppError::invalid(
            "rationale",
            "must be at most 2000 characters",
        ));
    }
    caller.require_approver(intake::load(p)?.as_ref())?;
    crate::ratelimit::claim(p, &caller.account_id, "requests.decide")?;
    let mut seen = std::collections::BTreeSet::new();
    let (mut ok, mut failed) = (0u32, 0u32);
    let mut results = Vec::with_capacity(args.request_ids.len());
    for id in &args.request_ids {
        if !seen.insert(id.clone()) {
            continue;
        }
        let one = DecideArgs {
            request_id: id.clone(),
            rationale: args.rationale.clone(),
        };
        let out = if approve {
            approve_one(p, caller, &one)
        } else {
            deny_one(p, caller, &one)
        };
        match out {
            Ok(v) => {
                ok += 1;
                results.push(json!({"requestId": id, "ok": true,
                    "decision": v["request"]["decision"], "changed": v["changed"]}));
            }
            Err(e) => {
                failed += 1;
                results.push(json!({"requestId": id, "ok": false, "error": e}));
            }
        }
    }
    Ok(json!({ "results": results, "succeeded": ok, "failed": failed }))
}

/// `requests.get`: the requester sees their own; approvers see any.
pub fn get(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        request_id: String,
    }
    let args: Args = parse_payload(payload)?;
    let request = load_request(p, &args.request_id)?;
    if request.requester != caller.account_id && !caller.is_approver(intake::load(p)?.as_ref())? {
        // Same answer as a missing request: existence is not disclosed.
        return Err(AppError::not_found(format!(
            "request {:?} does not exist",
            args.request_id
        )));
    }
    let grant: Option<Grant> = match &request.grant {
        Some(g) => repo::get(p, GRANT, g)?,
        None => None,
    };
    Ok(
        json!({ "request": request, "grant": grant, "expiresAt": grant.as_ref().map(|g| time::rfc3339(g.expires_at)) }),
    )
}
