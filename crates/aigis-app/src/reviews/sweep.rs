//! The daily recertification sweep: one review issue per grant and window
//! (see the module notes of [`super`]).

use super::{DEFAULT_ISSUE_TYPE, DEFAULT_WINDOW_DAYS, PROPERTY};
use crate::access::load_intake;
use crate::error::AppError;
use crate::jira::{self, enc};
use crate::names::{GRANT, REVIEW_CLAIM_PREFIX};
use crate::outbox::{self, Notice};
use crate::repo::{self, Change};
use aigis_core::Millis;
use aigis_core::adf;
use aigis_core::audit::NewEvent;
use aigis_core::intake::Intake;
use aigis_core::model::{Grant, days};
use aigis_core::time;
use aigis_platform::{EntityQuery, Platform, Principal, RangeCondition, SetOptions, StorageError};
use serde::{Deserialize, Serialize};
use serde_json::json;

const PAGE: u32 = 50;
const DEADLINE_MARGIN_MS: u64 = 10_000;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RecertSummary {
    pub reviews_opened: u32,
    pub items_examined: u32,
    /// Claims left without an issue key by an interrupted run.
    pub stuck: u32,
    pub failed: u32,
    pub stopped_early: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Claim {
    grant: String,
    window: Millis,
    at: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issue: Option<String>,
}

pub fn claim_key(grant: &str, window: Millis) -> String {
    format!("{REVIEW_CLAIM_PREFIX}{grant}:{window}")
}

fn out_of_time(p: &Platform) -> bool {
    p.runtime.remaining_millis() < DEADLINE_MARGIN_MS
}

fn display_name(p: &Platform, account: &str) -> String {
    jira::call(
        p,
        Principal::App,
        "GET",
        &format!("/rest/api/3/user?accountId={}", enc(account)),
        None,
    )
    .ok()
    .filter(|a| a.ok())
    .and_then(|a| a.body["displayName"].as_str().map(str::to_owned))
    .unwrap_or_else(|| account.to_owned())
}

/// The daily recertification sweep.
pub fn sweep(p: &Platform) -> Result<RecertSummary, AppError> {
    let now = p.runtime.now_millis();
    let mut s = RecertSummary::default();
    let Some(cfg) = load_intake(p)? else {
        s.skipped = Some("intake is not configured".into());
        return Ok(s);
    };
    let window_days = cfg.review_window_days.unwrap_or(DEFAULT_WINDOW_DAYS);
    let horizon = now + days(window_days);
    let mut cursor = None;
    loop {
        if out_of_time(p) {
            s.stopped_early = true;
            return Ok(s);
        }
        let page = p.storage.entity_query(&EntityQuery {
            entity: GRANT.into(),
            index: "by-status-expiry".into(),
            partition: vec![json!("active")],
            range: Some(RangeCondition::Between(json!(now + 1), json!(horizon))),
            cursor,
            limit: PAGE,
            ..Default::default()
        })?;
        for (key, raw) in &page.items {
            if out_of_time(p) {
                s.stopped_early = true;
                return Ok(s);
            }
            s.items_examined += 1;
            let g: Grant = repo::decode(GRANT, key, raw)?;
            if g.review_window == Some(g.expires_at) {
                continue;
            }
            match open_review(p, &cfg, &g, now) {
                Ok(Opened::Yes) => s.reviews_opened += 1,
                Ok(Opened::Stuck) => s.stuck += 1,
                Ok(Opened::No) => {}
                Err(e) => {
                    s.failed += 1;
                    p.runtime.log(
                        aigis_platform::LogLevel::Warn,
                        &format!("review of grant {} not opened: {}", g.id, e.log_text()),
                    );
                }
            }
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(s),
        }
    }
}

enum Opened {
    Yes,
    No,
    Stuck,
}

fn open_review(p: &Platform, cfg: &Intake, g: &Grant, now: Millis) -> Result<Opened, AppError> {
    let key = claim_key(&g.id, g.expires_at);
    let mut claim = Claim {
        grant: g.id.clone(),
        window: g.expires_at,
        at: now,
        issue: None,
    };
    let raw = serde_json::to_string(&claim).map_err(|e| AppError::internal(e.to_string()))?;
    match p.storage.set(
        &key,
        &raw,
        SetOptions {
            fail_if_exists: true,
        },
    ) {
        Ok(()) => {}
        Err(StorageError::KeyExists) => match repo::get_kv::<Claim>(p, &key)? {
            Some(c) if c.issue.is_some() => claim = c,
            _ => return Ok(Opened::Stuck),
        },
        Err(e) => return Err(e.into()),
    }
    let issue_key = match &claim.issue {
        Some(k) => k.clone(),
        None => {
            let k = create_issue(p, cfg, g)?;
            claim.issue = Some(k.clone());
            let raw =
                serde_json::to_string(&claim).map_err(|e| AppError::internal(e.to_string()))?;
            p.storage.set(&key, &raw, SetOptions::default())?;
            jira::call(
                p,
                Principal::App,
                "POST",
                "/rest/api/3/issueLink",
                Some(&json!({
                    "type": {"name": "Relates"},
                    "inwardIssue": {"key": k},
                    "outwardIssue": {"key": g.issue_key},
                })),
            )?
            .require("link the review issue")?;
            k
        }
    };
    let window = g.expires_at;
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        let Some(cur) = repo::get::<Grant>(p, GRANT, &g.id)? else {
            return Ok((false, c));
        };
        if cur.review_window == Some(window) || cur.expires_at != window {
            return Ok((false, c));
        }
        let mut next = cur.clone();
        next.review_issue = Some(issue_key.clone());
        next.review_window = Some(window);
        next.review_answer = None;
        c.put(GRANT, &next.id, &next)?;
        c.event(NewEvent::new(
            "app:recertification",
            "grant.review.opened",
            &format!("grant:{}", g.id),
            json!({"reviewIssue": issue_key, "window": window, "expiresAt": window}),
        ));
        c.notice(Notice::comment(
            format!("{}-review-{}", g.id, window),
            &g.request,
            adf::notice(
                "Access review opened",
                &[format!(
                    "Review {issue_key} asks an approver whether to keep or revoke this access before it expires on {}.",
                    time::date(window)
                )],
            ),
        ));
        Ok((true, c))
    })?;
    outbox::deliver_all(p, &done.notices);
    Ok(if done.value { Opened::Yes } else { Opened::No })
}

fn create_issue(p: &Platform, cfg: &Intake, g: &Grant) -> Result<String, AppError> {
    let person = display_name(p, &g.account);
    let issue_type = cfg
        .review_issue_type
        .clone()
        .unwrap_or_else(|| DEFAULT_ISSUE_TYPE.to_owned());
    let expiry = time::date(g.expires_at);
    let description = adf::notice(
        "Access review before expiry",
        &[
            format!("Person: {person} ({})", g.account),
            format!("Tool: {}", g.tool),
            format!("Expires: {}", time::rfc3339(g.expires_at)),
            format!("Original request: {}", g.issue_key),
            "An approver answers keep or revoke in Aigis.".to_owned(),
        ],
    );
    let body = json!({
        "fields": {
            "project": {"key": cfg.project_key},
            "issuetype": {"name": issue_type},
            "summary": format!("Access review: {person} - {} - expires {expiry}", g.tool),
            "description": description,
        },
        "properties": [{"key": PROPERTY, "value": {"grantId": g.id, "window": g.expires_at}}],
    });
    let a = jira::call(p, Principal::App, "POST", "/rest/api/3/issue", Some(&body))?
        .require("create the review issue")?;
    a["key"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| AppError::internal("Jira returned no issue key"))
}
