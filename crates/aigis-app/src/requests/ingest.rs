//! Ingestion: a created JSM issue becomes a pending request.

use crate::access::load_intake;
use crate::error::AppError;
use crate::grants::slot::{Slot, open_grant};
use crate::names::{GRANT, JOB, OUTBOX, REQUEST, SLOT, TOOL};
use crate::outbox::{Notice, TransitionKind};
use crate::repo::{self, Change};
use crate::{governance, jira};
use aigis_core::adf;
use aigis_core::audit::NewEvent;
use aigis_core::governance::{Governance, Policy, UnknownTools};
use aigis_core::model::{DecisionSource, Risk, ToolInput, ToolStatus};
use aigis_core::model::{Request, Tool};
use aigis_core::rules::{self, IssueFacts};
use aigis_core::snapshot::NewTool;
use aigis_core::snapshot::{PROPERTY_KEY, Snapshot};
use aigis_platform::{Condition, EntityQuery, LogLevel, Platform};
use serde_json::{Value, json};

/// What happened to one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A pending request was recorded.
    Created(String),
    /// The event was seen before: nothing changed.
    AlreadyIngested,
    /// The issue is not an Aigis request (other project, no snapshot, no intake configured).
    Ignored(&'static str),
    /// The snapshot broke a rule; the issue got a comment saying which.
    Rejected(String),
}

/// Handles `avi:jira:created:issue`. Safe to deliver any number of times.
pub fn on_issue_created(p: &Platform, event: &Value) -> Result<Outcome, AppError> {
    let issue_id = event["issue"]["id"]
        .as_str()
        .ok_or_else(|| AppError::invalid("issue.id", "the event must carry the issue id"))?;
    if !aigis_core::ids::is_jira_id(issue_id) {
        return Err(AppError::invalid(
            "issue.id",
            "the event must carry a numeric Jira issue id",
        ));
    }
    let event_project = event["issue"]["fields"]["project"]["key"].as_str();
    let Some(intake) = load_intake(p)? else {
        return Ok(Outcome::Ignored("intake is not configured"));
    };
    if event_project.is_some_and(|k| k != intake.project_key) {
        return Ok(Outcome::Ignored("issue is outside the intake project"));
    }
    if repo::get::<Request>(p, REQUEST, issue_id)?.is_some() {
        return Ok(Outcome::AlreadyIngested);
    }
    // Read the issue from Jira rather than trusting the event's copy.
    let Some(issue) = jira::issue(p, issue_id)? else {
        return Ok(Outcome::Ignored("issue no longer exists"));
    };
    let fields = &issue["fields"];
    let facts = IssueFacts {
        id: issue_id.to_owned(),
        key: issue["key"].as_str().unwrap_or(issue_id).to_owned(),
        project_key: fields["project"]["key"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        reporter: fields["reporter"]["accountId"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        creator: fields["creator"]["accountId"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        summary: fields["summary"].as_str().unwrap_or_default().to_owned(),
        description: match &fields["description"] {
            Value::String(text) => text.clone(),
            Value::Null => String::new(),
            adf => aigis_core::adf::plain_text(adf),
        },
    };
    if facts.project_key != intake.project_key {
        return Ok(Outcome::Ignored("issue is outside the intake project"));
    }
    if !intake.admits(&fields[crate::jira::REQUEST_TYPE_FIELD]) {
        return Ok(Outcome::Ignored(
            "issue is not of an allowed portal request type",
        ));
    }
    if facts.reporter.is_empty() {
        return Ok(Outcome::Ignored("issue has no reporter"));
    }
    let Some(raw) = jira::issue_property(p, issue_id, PROPERTY_KEY)? else {
        p.runtime.log(
            LogLevel::Info,
            &format!("{} has no {PROPERTY_KEY}; not an Aigis request", facts.key),
        );
        return Ok(Outcome::Ignored("issue has no Aigis snapshot"));
    };
    let snapshot = match Snapshot::parse(&raw) {
        Ok(s) => s,
        Err(rule) => return reject(p, &facts, &rule.to_string()),
    };
    let now = repo::now(p);
    let gov = governance::current(p)?;
    // A tool that is not in the catalog: governance decides.
    if let Some(new_tool) = &snapshot.new_tool
        && repo::get::<Tool>(p, TOOL, &snapshot.tool_id)?.is_none()
    {
        return match gov.unknown_tools {
            UnknownTools::Block => reject(
                p,
                &facts,
                &format!(
                    "{} is not in the catalog, and governance (version {}) blocks requests for unlisted tools",
                    new_tool.name, gov.version
                ),
            ),
            UnknownTools::SecurityReview => {
                ingest_new_tool(p, &facts, &snapshot, new_tool, &gov, now)
            }
        };
    }
    // Groups are looked up only when a policy could auto-approve.
    let covering = gov
        .policies
        .iter()
        .any(|pol| pol.covers(&facts.project_key, &snapshot.tool_id));
    let groups = if covering {
        jira::user_groups(p, &facts.reporter)?
    } else {
        vec![]
    };
    // The rule runs inside the commit, so a racing request for the same tool
    // is seen on retry.
    let done = repo::commit(p, |seq| {
        let mut c = Change::new();
        if repo::get::<Request>(p, REQUEST, &facts.id)?.is_some() {
            return Ok((Ok(Outcome::AlreadyIngested), c));
        }
        let tool: Option<Tool> = repo::get(p, TOOL, &snapshot.tool_id)?;
        let dup = pending_duplicate(p, &facts.reporter, &snapshot.tool_id)?;
        let request = match rules::ingest(&facts, &snapshot, tool.as_ref(), dup.as_deref(), now)
            .and_then(|r| match &tool {
                Some(t) => gov.check_duration(r.duration_days, t).map(|_| r),
                None => Ok(r),
            }) {
            Ok(r) => r,
            Err(rule) => return Ok((Err(rule.to_string()), c)),
        };
        let Some(tool) = tool else {
            return Ok((Err("the tool is not in the catalog".to_owned()), c));
        };
        c.event(NewEvent::new(
            &request.requester,
            "request.created",
            &format!("request:{}", request.id),
            json!({"issueKey": request.issue_key, "tool": request.tool, "durationDays": request.duration_days, "purpose": request.purpose}),
        ));
        let auto = match auto_policy(&gov, &request, &tool, &groups) {
            Auto::Applies { policy, group } => {
                match auto_approve(p, &gov, &request, &tool, policy, &group, seq, now, &mut c) {
                    Ok(()) => return Ok((Ok(Outcome::Created(request.id.clone())), c)),
                    Err(why) => Some(why),
                }
            }
            Auto::NotApplied(why) => Some(why),
            Auto::NoPolicy => None,
        };
        c.create(REQUEST, &request.id, &request)?;
        let mut lines = vec![
            format!("Tool: {}", request.tool_name),
            format!("Duration: {} days", request.duration_days),
            "It is waiting for an approver.".to_owned(),
        ];
        if let Some(why) = auto {
            c.event(NewEvent::new(
                &request.requester,
                "request.autoPolicy.notApplied",
                &format!("request:{}", request.id),
                json!({"reason": why, "governanceVersion": gov.version}),
            ));
            lines.push(format!("Auto-approval did not apply: {why}"));
        }
        c.notice(Notice::comment(
            format!("request-{}-received", request.id),
            &facts.id,
            adf::notice("Aigis received this request", &lines),
        ));
        Ok((Ok(Outcome::Created(request.id.clone())), c))
    })?;
    crate::outbox::deliver_all(p, &done.notices);
    match done.value {
        Ok(outcome) => Ok(outcome),
        Err(why) => reject(p, &facts, &why),
    }
}

/// What the auto-approval policies say about a new request.
enum Auto<'g> {
    NoPolicy,
    NotApplied(String),
    Applies { policy: &'g Policy, group: String },
}

/// The first policy covering the request whose conditions all hold; or why
/// none applied (the reason of the first covering policy).
fn auto_policy<'g>(
    gov: &'g Governance,
    request: &Request,
    tool: &Tool,
    groups: &[String],
) -> Auto<'g> {
    let mut first_reason = None;
    for policy in gov
        .policies
        .iter()
        .filter(|pol| pol.covers(&request.project_key, &request.tool))
    {
        let group = policy
            .allowed_groups
            .iter()
            .find(|g| groups.contains(g))
            .cloned();
        let reason = if !policy.auto_approve {
            Some(format!("policy {} does not auto-approve", policy.id))
        } else if gov.needs_security_review(tool.risk) {
            Some(format!(
                "{} risk needs security review (governance version {})",
                format!("{:?}", tool.risk).to_lowercase(),
                gov.version
            ))
        } else if group.is_none() {
            Some(format!(
                "the requester is in none of the groups policy {} allows ({})",
                policy.id,
                policy.allowed_groups.join(", ")
            ))
        } else if request.duration_days > policy.max_duration_days {
            Some(format!(
                "{} days exceeds the {} days policy {} allows",
                request.duration_days, policy.max_duration_days, policy.id
            ))
        } else {
            None
        };
        match (reason, group) {
            (None, Some(group)) => return Auto::Applies { policy, group },
            (Some(r), _) => {
                first_reason.get_or_insert(r);
            }
            (None, None) => {}
        }
    }
    match first_reason {
        Some(r) => Auto::NotApplied(r),
        None => Auto::NoPolicy,
    }
}

/// Approves `request` by `policy` inside the ingestion commit: grant,
/// provisioning job, evidence comment. Err = why it could not (the request
/// then stays pending).
#[allow(clippy::too_many_arguments)]
fn auto_approve(
    p: &Platform,
    gov: &Governance,
    request: &Request,
    tool: &Tool,
    policy: &Policy,
    group: &str,
    seq: u64,
    now: aigis_core::Millis,
    c: &mut Change,
) -> Result<(), String> {
    let open = open_grant(p, &request.requester, &request.tool).map_err(|e| e.message)?;
    governance::check_approval(p, gov, tool, request).map_err(|e| e.message)?;
    let actor = format!("policy:{}", policy.id);
    let mut a = rules::approve(
        request,
        tool,
        &actor,
        DecisionSource::AutoPolicy,
        &format!("auto-approved by policy {}", policy.id),
        open.as_ref(),
        format!("j-{seq}"),
        crate::connectors::mode_for_tool(p, &tool.id).map_err(|e| e.message)?,
        now,
    )
    .map_err(|e| e.to_string())?;
    a.request.governance_version = Some(gov.version);
    a.request.policy = Some(policy.id.clone());
    let enc = |e: AppError| e.message;
    c.create(REQUEST, &a.request.id, &a.request).map_err(enc)?;
    c.create(GRANT, &a.grant.id, &a.grant).map_err(enc)?;
    c.create(JOB, &a.job.id, &a.job).map_err(enc)?;
    c.put(
        SLOT,
        &repo::slot_key(&a.grant.account, &a.grant.tool),
        &Slot {
            grant: a.grant.id.clone(),
        },
    )
    .map_err(enc)?;
    let evidence = json!({
        "issueKey": request.issue_key, "source": "autoPolicy", "policy": policy.id,
        "group": group, "durationDays": request.duration_days,
        "policyMaxDays": policy.max_duration_days, "governanceVersion": gov.version,
    });
    c.event(NewEvent::new(
        &actor,
        "request.approved",
        &format!("request:{}", request.id),
        evidence,
    ));
    c.event(NewEvent::new(&actor, "grant.created", &format!("grant:{}", a.grant.id),
        json!({"account": a.grant.account, "tool": a.grant.tool, "status": a.grant.status.as_str(), "durationDays": a.grant.duration_days})));
    c.event(NewEvent::new(
        &actor,
        "job.queued",
        &format!("job:{}", a.job.id),
        json!({"kind": a.job.kind.as_str(), "grant": a.grant.id, "mode": "manual"}),
    ));
    c.notice(Notice::comment(
        format!("request-{}-decided", request.id),
        &request.id,
        adf::notice(
            "Approved automatically",
            &[
                format!("{} for {} days.", tool.name, request.duration_days),
                format!("Policy: {} ({})", policy.name, policy.id),
                format!("Requester is in the allowed group: {group}"),
                format!(
                    "Duration: {} days, within the policy maximum of {} days",
                    request.duration_days, policy.max_duration_days
                ),
                format!("Governance version: {}", gov.version),
                "Access will be set up by hand; this issue is updated when it is in place."
                    .to_owned(),
            ],
        ),
    ));
    c.notice(Notice::transition(
        format!("request-{}-transition", request.id),
        &request.id,
        TransitionKind::Approve,
    ));
    Ok(())
}

/// A request for a tool not in the catalog, under `securityReview`: the
/// tool enters the catalog as `denied` (high risk) with the requested URL,
/// and the request is recorded as pending, flagged for security review.
/// Once an admin approves the catalog entry, an approver can decide it.
fn ingest_new_tool(
    p: &Platform,
    facts: &IssueFacts,
    snapshot: &Snapshot,
    new_tool: &NewTool,
    gov: &Governance,
    now: aigis_core::Millis,
) -> Result<Outcome, AppError> {
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        if repo::get::<Request>(p, REQUEST, &facts.id)?.is_some() {
            return Ok((Ok(Outcome::AlreadyIngested), c));
        }
        let mut tool = ToolInput {
            id: snapshot.tool_id.clone(),
            name: new_tool.name.clone(),
            provider: "unknown".into(),
            status: ToolStatus::Denied,
            risk: Risk::High,
            default_duration_days: None,
            max_duration_days: None,
            guidance: "Requested by a user; awaiting security review.".into(),
            fulfilment_notes: String::new(),
            risk_rationale: "Not yet reviewed: treated as high risk until security review.".into(),
            entitlement: None,
        }
        .into_tool(now)?;
        tool.requested_url = Some(new_tool.url.clone());
        if let Err(rule) = gov.check_duration(snapshot.duration_days, &tool) {
            return Ok((Err(rule.to_string()), c));
        }
        let mut approved_view = tool.clone();
        approved_view.status = ToolStatus::Approved;
        let mut request = match rules::ingest(facts, snapshot, Some(&approved_view), None, now) {
            Ok(r) => r,
            Err(rule) => return Ok((Err(rule.to_string()), c)),
        };
        request.security_review = true;
        c.create(TOOL, &tool.id, &tool)?;
        c.create(REQUEST, &request.id, &request)?;
        c.event(NewEvent::new(
            &request.requester,
            "tool.added",
            &format!("tool:{}", tool.id),
            json!({"tool": tool, "source": "request", "issueKey": request.issue_key}),
        ));
        c.event(NewEvent::new(
            &request.requester,
            "request.created",
            &format!("request:{}", request.id),
            json!({"issueKey": request.issue_key, "tool": request.tool, "durationDays": request.duration_days, "purpose": request.purpose, "securityReview": true, "url": new_tool.url, "governanceVersion": gov.version}),
        ));
        c.notice(Notice::comment(
            format!("request-{}-received", request.id),
            &facts.id,
            adf::notice(
                "Aigis received this request for a new tool",
                &[
                    format!("Tool: {} ({})", new_tool.name, new_tool.url),
                    format!("Duration: {} days", request.duration_days),
                    "The tool is not in the catalog yet: it goes to security review first."
                        .to_owned(),
                ],
            ),
        ));
        Ok((Ok(Outcome::Created(request.id.clone())), c))
    })?;
    crate::outbox::deliver_all(p, &done.notices);
    match done.value {
        Ok(outcome) => Ok(outcome),
        Err(why) => reject(p, facts, &why),
    }
}

fn reject(p: &Platform, facts: &IssueFacts, why: &str) -> Result<Outcome, AppError> {
    let notice_id = format!("request-{}-rejected", facts.id);
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        if repo::get::<Value>(p, OUTBOX, &notice_id)?.is_some() {
            return Ok((Outcome::Rejected(why.to_owned()), c));
        }
        c.event(NewEvent::new(
            &facts.reporter,
            "request.rejected",
            &format!("issue:{}", facts.id),
            json!({"issueKey": facts.key, "reason": why}),
        ));
        c.notice(Notice::comment(
            notice_id.clone(),
            &facts.id,
            adf::notice("Aigis could not accept this request", &[why.to_owned()]),
        ));
        Ok((Outcome::Rejected(why.to_owned()), c))
    })?;
    crate::outbox::deliver_all(p, &done.notices);
    Ok(done.value)
}

/// The issue key of a pending request of `requester` for `tool`, if any.
fn pending_duplicate(
    p: &Platform,
    requester: &str,
    tool: &str,
) -> Result<Option<String>, AppError> {
    let page = p.storage.entity_query(&EntityQuery {
        entity: REQUEST.into(),
        index: "by-requester".into(),
        partition: vec![json!(requester)],
        filters: vec![
            Condition::equal("tool", json!(tool)),
            Condition::equal("decision", json!("pending")),
        ],
        limit: 1,
        ..Default::default()
    })?;
    Ok(page
        .items
        .first()
        .and_then(|(_, raw)| serde_json::from_str::<Request>(raw).ok())
        .map(|r| r.issue_key))
}
