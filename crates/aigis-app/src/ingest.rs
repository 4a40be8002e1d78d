//! Ingestion: a created JSM issue becomes a pending request.

use crate::error::AppError;
use crate::intake;
use crate::jira;
use crate::outbox::Notice;
use crate::repo::{self, Change, OUTBOX, REQUEST, TOOL};
use aigis_core::adf;
use aigis_core::audit::NewEvent;
use aigis_core::model::{Request, Tool};
use aigis_core::rules::{self, IssueFacts};
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
    let event_project = event["issue"]["fields"]["project"]["key"].as_str();
    let Some(intake) = intake::load(p)? else {
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
        summary: fields["summary"].as_str().unwrap_or_default().to_owned(),
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
    // The rule runs inside the commit, so a racing request for the same tool
    // is seen on retry.
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        if repo::get::<Request>(p, REQUEST, &facts.id)?.is_some() {
            return Ok((Ok(Outcome::AlreadyIngested), c));
        }
        let tool: Option<Tool> = repo::get(p, TOOL, &snapshot.tool_id)?;
        let dup = pending_duplicate(p, &facts.reporter, &snapshot.tool_id)?;
        let request = match rules::ingest(&facts, &snapshot, tool.as_ref(), dup.as_deref(), now) {
            Ok(r) => r,
            Err(rule) => return Ok((Err(rule.to_string()), c)),
        };
        c.create(REQUEST, &request.id, &request)?;
        c.event(NewEvent::new(
            &request.requester,
            "request.created",
            &format!("request:{}", request.id),
            json!({"issueKey": request.issue_key, "tool": request.tool, "durationDays": request.duration_days, "purpose": request.purpose}),
        ));
        c.notice(Notice::comment(
            format!("request-{}-received", request.id),
            &facts.id,
            adf::notice(
                "Aigis received this request",
                &[
                    format!("Tool: {}", request.tool_name),
                    format!("Duration: {} days", request.duration_days),
                    "It is waiting for an approver.".to_owned(),
                ],
            ),
        ));
        Ok((Ok(Outcome::Created(request.id.clone())), c))
    })?;
    crate::outbox::deliver_all(p, &done.notices);
    match done.value {
        Ok(outcome) => Ok(outcome),
        Err(why) => reject(p, &facts, &why),
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
