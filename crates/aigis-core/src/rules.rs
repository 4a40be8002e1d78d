//! The lifecycle rules as pure state transitions. Each takes the current
//! state, the actor and `now`, and returns the next state or the rule that
//! forbids it.

use crate::Millis;
use crate::error::DomainError;
use crate::model::*;
use crate::snapshot::Snapshot;

/// Facts about an issue that ingestion needs, taken from the Jira event.
#[derive(Debug, Clone)]
pub struct IssueFacts {
    pub id: String,
    pub key: String,
    pub project_key: String,
    pub reporter: String,
    /// Who created the issue (a JSM agent raising it for the reporter, or
    /// the reporter themselves).
    pub creator: String,
    pub summary: String,
    /// The issue description as plain text (the requester's own words).
    pub description: String,
}

/// Longest description kept on a request, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;

/// Turns a validated snapshot into a pending request.
///
/// Refuses tools that are not in the catalog or not approved, durations over
/// the tool's maximum, and a second pending request of the same person for
/// the same tool (`pending_duplicate` is that request's issue key).
pub fn ingest(
    issue: &IssueFacts,
    snapshot: &Snapshot,
    tool: Option<&Tool>,
    pending_duplicate: Option<&str>,
    now: Millis,
) -> Result<Request, DomainError> {
    let tool = tool.ok_or_else(|| {
        DomainError::invalid(
            "toolId",
            format!("{:?} is not in the catalog", snapshot.tool_id),
        )
    })?;
    if tool.status != ToolStatus::Approved {
        return Err(DomainError::invalid(
            "toolId",
            format!(
                "{} is {} and cannot be requested",
                tool.name,
                tool.status.as_str()
            ),
        ));
    }
    check_duration(snapshot.duration_days, tool)?;
    if let Some(other) = pending_duplicate {
        return Err(DomainError::Conflict(format!(
            "a request for {} by the same person is already pending ({other})",
            tool.name
        )));
    }
    Ok(Request {
        id: issue.id.clone(),
        issue_key: issue.key.clone(),
        project_key: issue.project_key.clone(),
        requester: issue.reporter.clone(),
        raised_by: Some(issue.creator.clone()).filter(|c| !c.is_empty() && *c != issue.reporter),
        tool: tool.id.clone(),
        tool_name: tool.name.clone(),
        purpose: snapshot.purpose.clone(),
        duration_days: snapshot.duration_days,
        summary: issue.summary.clone(),
        description: issue
            .description
            .trim()
            .chars()
            .take(MAX_DESCRIPTION_CHARS)
            .collect(),
        decision: Decision::Pending,
        decision_source: None,
        decided_by: None,
        decided_at: None,
        rationale: None,
        grant: None,
        governance_version: None,
        security_review: false,
        first_approval: None,
        batch: None,
        policy: None,
        created_at: now,
    })
}

/// A duration must be within the tool's maximum, which is within its risk's.
pub fn check_duration(days: u32, tool: &Tool) -> Result<(), DomainError> {
    let max = tool.max_duration_days.min(tool.risk.default_max_days());
    if days == 0 || days > max {
        return Err(DomainError::invalid(
            "durationDays",
            format!(
                "must be 1..={max} days for {} ({:?} risk)",
                tool.name, tool.risk
            )
            .to_lowercase(),
        ));
    }
    Ok(())
}

fn check_rationale(rationale: &str, required: bool) -> Result<(), DomainError> {
    let n = rationale.trim().chars().count();
    if required && n == 0 {
        return Err(DomainError::invalid("rationale", "is required to deny"));
    }
    if n > 2000 {
        return Err(DomainError::invalid(
            "rationale",
            "must be at most 2000 characters",
        ));
    }
    Ok(())
}

fn check_pending(request: &Request) -> Result<(), DomainError> {
    if request.decision != Decision::Pending {
        return Err(DomainError::Conflict(format!(
            "{} is already {}",
            request.issue_key,
            request.decision.as_str()
        )));
    }
    Ok(())
}

/// What an approval creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub request: Request,
    pub grant: Grant,
    pub job: Job,
}

/// The id of the grant a request leads to (one request, at most one grant).
pub fn grant_id(request_id: &str) -> String {
    format!("g-{request_id}")
}

/// Approves a pending request: the grant waits for provisioning and a
/// provisioning job is queued.
///
/// Refused when the actor is the requester (separation of duties), when the
/// request is not pending, when the tool is no longer approved or the
/// duration exceeds its maximum, and when the same person already holds an
/// open grant for the tool (`open_grant`).
#[allow(clippy::too_many_arguments)]
pub fn approve(
    request: &Request,
    tool: &Tool,
    actor: &str,
    source: DecisionSource,
    rationale: &str,
    open_grant: Option<&Grant>,
    job_id: String,
    job_mode: JobMode,
    now: Millis,
) -> Result<Approval, DomainError> {
    check_pending(request)?;
    if source != DecisionSource::AutoPolicy && request.is_party(actor) {
        return Err(DomainError::Forbidden(
            "nobody may approve a request they made or raised".into(),
        ));
    }
    check_rationale(rationale, false)?;
    if tool.status != ToolStatus::Approved {
        return Err(DomainError::Conflict(format!(
            "{} is {} and can no longer be granted",
            tool.name,
            tool.status.as_str()
        )));
    }
    check_duration(request.duration_days, tool)?;
    if let Some(g) = open_grant.filter(|g| g.status.is_open()) {
        return Err(DomainError::Conflict(format!(
            "the requester already has an open grant for {} ({}, {})",
            tool.name,
            g.issue_key,
            g.status.as_str()
        )));
    }
    let gid = grant_id(&request.id);
    let mut decided = request.clone();
    decided.decision = Decision::Approved;
    decided.decision_source = Some(source);
    decided.decided_by = Some(actor.to_owned());
    decided.decided_at = Some(now);
    decided.rationale = Some(rationale.trim().to_owned()).filter(|r| !r.is_empty());
    decided.grant = Some(gid.clone());
    let grant = Grant {
        id: gid.clone(),
        request: request.id.clone(),
        issue_key: request.issue_key.clone(),
        account: request.requester.clone(),
        raised_by: request.raised_by.clone(),
        tool: request.tool.clone(),
        status: GrantStatus::PendingProvision,
        duration_days: request.duration_days,
        created_at: now,
        activated_at: None,
        expires_at: now + days(request.duration_days),
        ended_at: None,
        review_issue: None,
        review_window: None,
        review_answer: None,
    };
    let job = new_job(job_id, JobKind::Provision, &gid, job_mode, now);
    Ok(Approval {
        request: decided,
        grant,
        job,
    })
}

/// Denies a pending request; no grant is made. The rationale is required.
pub fn deny(
    request: &Request,
    actor: &str,
    rationale: &str,
    now: Millis,
) -> Result<Request, DomainError> {
    check_pending(request)?;
    if request.is_party(actor) {
        return Err(DomainError::Forbidden(
            "nobody may decide a request they made or raised".into(),
        ));
    }
    check_rationale(rationale, true)?;
    let mut decided = request.clone();
    decided.decision = Decision::Denied;
    decided.decision_source = Some(DecisionSource::Manual);
    decided.decided_by = Some(actor.to_owned());
    decided.decided_at = Some(now);
    decided.rationale = Some(rationale.trim().to_owned());
    Ok(decided)
}

/// Attempts of a connector job before it goes to the dead letters.
pub const JOB_MAX_ATTEMPTS: u32 = 5;
/// Backoff of a retried job: `base * factor^(attempts-1)`, at most `cap`.
pub const BACKOFF_BASE: Millis = 15 * crate::time::MINUTE;
pub const BACKOFF_FACTOR: i64 = 2;
pub const BACKOFF_CAP: Millis = crate::time::DAY;

/// How long to wait before attempt `attempts + 1` of a job.
pub fn backoff(attempts: u32) -> Millis {
    let mut wait = BACKOFF_BASE;
    for _ in 1..attempts {
        wait = wait.saturating_mul(BACKOFF_FACTOR);
        if wait >= BACKOFF_CAP {
            return BACKOFF_CAP;
        }
    }
    wait.min(BACKOFF_CAP)
}

/// The shortest wait a provider's own retry hint can ask for.
pub const RETRY_AFTER_FLOOR: Millis = crate::time::SECOND;

/// How long to wait before attempt `attempts + 1` when the provider said how
/// long to wait (`retry_after`, ms: Okta's `X-Rate-Limit-Reset`, Graph's
/// `Retry-After`): exactly that (at least [`RETRY_AFTER_FLOOR`], at most
/// [`BACKOFF_CAP`]), since the provider knows when it will answer again;
/// without a hint, the exponential [`backoff`].
pub fn backoff_with(attempts: u32, retry_after: Option<Millis>) -> Millis {
    match retry_after {
        Some(w) => w.clamp(RETRY_AFTER_FLOOR, BACKOFF_CAP),
        None => backoff(attempts),
    }
}

/// A queued job, due now.
pub fn new_job(id: String, kind: JobKind, grant: &str, mode: JobMode, now: Millis) -> Job {
    Job {
        id,
        kind,
        grant: grant.to_owned(),
        mode,
        status: JobStatus::Queued,
        attempts: 0,
        due_at: now,
        created_at: now,
        updated_at: now,
        completed_by: None,
        note: None,
    }
}

/// The job runner's step for a manual job: hand it to a person.
pub fn hand_to_person(job: &Job, now: Millis) -> Result<Job, DomainError> {
    if job.mode != JobMode::Manual {
        return Err(DomainError::Conflict(format!(
            "job {} is not manual",
            job.id
        )));
    }
    if !matches!(job.status, JobStatus::Queued | JobStatus::Retry) {
        return Err(DomainError::Conflict(format!(
            "job {} is {}, not queued",
            job.id,
            job.status.as_str()
        )));
    }
    let mut next = job.clone();
    next.status = JobStatus::ManualPending;
    next.attempts += 1;
    next.updated_at = now;
    Ok(next)
}

/// A person completes a manual job with the outcome its kind expects
/// (`fulfilled`, `deprovisioned`, `verified`). Completing a provisioning job
/// activates the grant: its term starts now.
pub fn complete_manual(
    job: &Job,
    grant: &Grant,
    actor: &str,
    outcome: &str,
    note: &str,
    now: Millis,
) -> Result<(Job, Grant), DomainError> {
    if grant.is_party(actor) {
        return Err(DomainError::Forbidden(
            "nobody may complete the fulfilment of access they hold or requested for someone"
                .into(),
        ));
    }
    if job.status != JobStatus::ManualPending {
        return Err(DomainError::Conflict(format!(
            "job {} is {}, not waiting for a person",
            job.id,
            job.status.as_str()
        )));
    }
    let want = job.kind.manual_outcome();
    if outcome != want {
        return Err(DomainError::invalid(
            "outcome",
            format!("must be {want:?} for a {} job", job.kind.as_str()),
        ));
    }
    if note.chars().count() > 2000 {
        return Err(DomainError::invalid(
            "note",
            "must be at most 2000 characters",
        ));
    }
    let mut done = job.clone();
    done.status = JobStatus::Completed;
    done.completed_by = Some(actor.to_owned());
    done.note = Some(note.trim().to_owned()).filter(|n| !n.is_empty());
    done.updated_at = now;
    let mut g = grant.clone();
    if job.kind == JobKind::Provision {
        if g.status != GrantStatus::PendingProvision {
            return Err(DomainError::Conflict(format!(
                "grant {} is {}, not waiting for provisioning",
                g.id,
                g.status.as_str()
            )));
        }
        g.status = GrantStatus::Active;
        g.activated_at = Some(now);
        g.expires_at = now + days(g.duration_days);
    }
    Ok((done, g))
}

/// Ends an active grant whose term is over.
pub fn expire(grant: &Grant, now: Millis) -> Result<Grant, DomainError> {
    if grant.status != GrantStatus::Active || grant.expires_at > now {
        return Err(DomainError::Conflict(format!(
            "grant {} is {} until {}",
            grant.id,
            grant.status.as_str(),
            crate::time::rfc3339(grant.expires_at)
        )));
    }
    let mut g = grant.clone();
    g.status = GrantStatus::Expired;
    g.ended_at = Some(now);
    Ok(g)
}

#[cfg(test)]
mod tests {

    #[test]
    fn backoff_grows_exponentially_up_to_the_cap() {
        assert_eq!(backoff(1), BACKOFF_BASE);
        assert_eq!(backoff(2), 2 * BACKOFF_BASE);
        assert_eq!(backoff(3), 4 * BACKOFF_BASE);
        assert_eq!(backoff(30), BACKOFF_CAP);
        assert!((1..10).all(|a| backoff(a) <= backoff(a + 1)));
    }

    #[test]
    fn a_providers_wait_replaces_the_backoff_within_bounds() {
        assert_eq!(backoff_with(3, None), backoff(3));
        assert_eq!(backoff_with(3, Some(42_000)), 42_000);
        assert_eq!(backoff_with(1, Some(0)), RETRY_AFTER_FLOOR);
        assert_eq!(backoff_with(1, Some(-5)), RETRY_AFTER_FLOOR);
        assert_eq!(backoff_with(1, Some(10 * BACKOFF_CAP)), BACKOFF_CAP);
    }

    use super::*;
    use crate::time::DAY;

    fn tool() -> Tool {
        ToolInput {
            id: "claude".into(),
            name: "Claude".into(),
            provider: "Anthropic".into(),
            status: ToolStatus::Approved,
            risk: Risk::High,
            default_duration_days: None,
            max_duration_days: None,
            guidance: String::new(),
            fulfilment_notes: String::new(),
            risk_rationale: String::new(),
            entitlement: None,
        }
        .into_tool(0)
        .unwrap()
    }

    fn issue() -> IssueFacts {
        IssueFacts {
            id: "10001".into(),
            key: "AIR-1".into(),
            project_key: "AIR".into(),
            reporter: "rita".into(),
            creator: "rita".into(),
            summary: "Claude please".into(),
            description: "  For the support pilot.\n".into(),
        }
    }

    fn snap(days: u32) -> Snapshot {
        Snapshot {
            tool_id: "claude".into(),
            purpose: "Summarising support tickets".into(),
            duration_days: days,
            new_tool: None,
        }
    }

    fn pending() -> Request {
        ingest(&issue(), &snap(20), Some(&tool()), None, 100).unwrap()
    }

    fn approval() -> Approval {
        approve(
            &pending(),
            &tool(),
            "arlo",
            DecisionSource::Manual,
            "ok",
            None,
            "j-1".into(),
            JobMode::Manual,
            200,
        )
        .unwrap()
    }

    #[test]
    fn ingest_refuses_unknown_blocked_too_long_and_duplicates() {
        assert_eq!(
            ingest(&issue(), &snap(20), None, None, 0)
                .unwrap_err()
                .field(),
            Some("toolId")
        );
        let mut blocked = tool();
        blocked.status = ToolStatus::Blocked;
        assert!(
            ingest(&issue(), &snap(20), Some(&blocked), None, 0)
                .unwrap_err()
                .to_string()
                .contains("blocked")
        );
        assert_eq!(
            ingest(&issue(), &snap(31), Some(&tool()), None, 0)
                .unwrap_err()
                .field(),
            Some("durationDays")
        );
        assert_eq!(
            ingest(&issue(), &snap(20), Some(&tool()), Some("AIR-0"), 0)
                .unwrap_err()
                .code(),
            "conflict"
        );
        assert_eq!(pending().decision, Decision::Pending);
        assert_eq!(pending().description, "For the support pilot.");
    }

    #[test]
    fn approval_creates_pending_grant_and_queued_job() {
        let a = approval();
        assert_eq!(a.request.decision, Decision::Approved);
        assert_eq!(a.request.grant.as_deref(), Some("g-10001"));
        assert_eq!(a.grant.status, GrantStatus::PendingProvision);
        assert_eq!(a.grant.account, "rita");
        assert_eq!(a.job.status, JobStatus::Queued);
        assert_eq!(a.job.kind, JobKind::Provision);
        assert_eq!(a.grant.expires_at, 200 + 20 * DAY);
    }

    #[test]
    fn nobody_approves_their_own_request() {
        let e = approve(
            &pending(),
            &tool(),
            "rita",
            DecisionSource::Manual,
            "",
            None,
            "j".into(),
            JobMode::Manual,
            1,
        )
        .unwrap_err();
        assert_eq!(e.code(), "forbidden");
        assert_eq!(
            deny(&pending(), "rita", "no", 1).unwrap_err().code(),
            "forbidden"
        );
    }

    #[test]
    fn open_grant_blocks_approval_but_ended_one_does_not() {
        let existing = approval().grant;
        let e = approve(
            &pending(),
            &tool(),
            "arlo",
            DecisionSource::Manual,
            "",
            Some(&existing),
            "j".into(),
            JobMode::Manual,
            1,
        )
        .unwrap_err();
        assert_eq!(e.code(), "conflict");
        let mut ended = existing;
        ended.status = GrantStatus::Expired;
        assert!(
            approve(
                &pending(),
                &tool(),
                "arlo",
                DecisionSource::Manual,
                "",
                Some(&ended),
                "j".into(),
                JobMode::Manual,
                1
            )
            .is_ok()
        );
    }

    #[test]
    fn decided_requests_cannot_be_decided_again() {
        let a = approval();
        assert_eq!(
            deny(&a.request, "bea", "no", 3).unwrap_err().code(),
            "conflict"
        );
        let d = deny(&pending(), "bea", "Not needed", 3).unwrap();
        assert_eq!(d.decision, Decision::Denied);
        assert_eq!(
            deny(&pending(), "bea", "  ", 3).unwrap_err().field(),
            Some("rationale")
        );
    }

    #[test]
    fn manual_job_completion_activates_grant_from_now() {
        let a = approval();
        let job = hand_to_person(&a.job, 300).unwrap();
        assert_eq!(job.status, JobStatus::ManualPending);
        assert_eq!(
            complete_manual(&job, &a.grant, "arlo", "deprovisioned", "", 400)
                .unwrap_err()
                .field(),
            Some("outcome")
        );
        let (done, g) =
            complete_manual(&job, &a.grant, "arlo", "fulfilled", "set up", 400).unwrap();
        assert_eq!(done.status, JobStatus::Completed);
        assert_eq!(g.status, GrantStatus::Active);
        assert_eq!(g.expires_at, 400 + 20 * DAY);
        assert_eq!(
            complete_manual(&done, &g, "arlo", "fulfilled", "", 500)
                .unwrap_err()
                .code(),
            "conflict"
        );
    }

    #[test]
    fn only_overdue_active_grants_expire() {
        let a = approval();
        let job = hand_to_person(&a.job, 300).unwrap();
        let (_, g) = complete_manual(&job, &a.grant, "arlo", "fulfilled", "", 400).unwrap();
        assert!(expire(&g, g.expires_at - 1).is_err());
        let e = expire(&g, g.expires_at).unwrap();
        assert_eq!(e.status, GrantStatus::Expired);
        assert!(expire(&e, g.expires_at + DAY).is_err());
        assert!(expire(&a.grant, g.expires_at + DAY).is_err());
    }
}
