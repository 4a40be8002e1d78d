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
    /// Windows another run is opening right now (a fresh claim without an
    /// issue key yet); they are left to it.
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

/// The KVS key of the first claim of a grant's review window; a recovery
/// claims `<key>:r<n>` (generation n) in turn.
pub fn claim_key(grant: &str, window: Millis) -> String {
    format!("{REVIEW_CLAIM_PREFIX}{grant}:{window}")
}

fn generation_key(base: &str, n: u32) -> String {
    if n == 0 {
        base.to_owned()
    } else {
        format!("{base}:r{n}")
    }
}

/// How long a claim without an issue key stands for a creation in
/// progress; older, it was left by a run that died before Jira answered.
/// Longer than the sweep may run (900 s) plus five minutes of clock skew,
/// as for [`crate::outbox::LEASE`].
pub const CLAIM_LEASE: Millis = 20 * time::MINUTE;
/// Recoveries of one window before the sweep gives it up as failed.
const MAX_GENERATIONS: u32 = 20;

/// The outcome of claiming a window.
enum Claimed {
    /// This run holds generation `generation` under `key`; generations before it
    /// were left by runs that died, so the issue may exist already.
    Fresh { key: String, generation: u32 },
    /// A claim already knows the issue.
    Known { issue: String },
    /// Another run is opening it now.
    InProgress,
}

/// Claims the window with fail-if-exists writes: the first free generation,
/// provided each earlier one is stale and knows no issue. Two runs never
/// hold the same generation, so they never both create an issue.
fn claim_window(p: &Platform, g: &Grant, now: Millis) -> Result<Claimed, AppError> {
    let base = claim_key(&g.id, g.expires_at);
    let fresh = Claim {
        grant: g.id.clone(),
        window: g.expires_at,
        at: now,
        issue: None,
    };
    let raw = serde_json::to_string(&fresh).map_err(|e| AppError::internal(e.to_string()))?;
    for generation in 0..MAX_GENERATIONS {
        let key = generation_key(&base, generation);
        match p.storage.set(
            &key,
            &raw,
            SetOptions {
                fail_if_exists: true,
            },
        ) {
            Ok(()) => return Ok(Claimed::Fresh { key, generation }),
            Err(StorageError::KeyExists) => match repo::get_kv::<Claim>(p, &key)? {
                Some(Claim {
                    issue: Some(issue), ..
                }) => return Ok(Claimed::Known { issue }),
                Some(c) if now - c.at < CLAIM_LEASE => return Ok(Claimed::InProgress),
                // Stale (or unreadable): its run died; try the next generation.
                _ => continue,
            },
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::internal(format!(
        "review of grant {} was interrupted {MAX_GENERATIONS} times",
        g.id
    )))
}

/// The review issue of `g`'s window, if a run that died made it: found by
/// its `aigis.review.v1` property.
fn find_review_issue(p: &Platform, g: &Grant) -> Result<Option<String>, AppError> {
    let jql = format!(
        "issue.property[{PROPERTY}].grantId = \"{}\" ORDER BY created ASC",
        g.id
    );
    let found = jira::call(
        p,
        Principal::App,
        "GET",
        &format!(
            "/rest/api/3/search/jql?jql={}&fields=summary&properties={PROPERTY}&maxResults=50",
            enc(&jql)
        ),
        None,
    )?
    .require("search for the review issue")?;
    let issues = found["issues"].as_array().cloned().unwrap_or_default();
    Ok(issues.iter().find_map(|i| {
        let window = &i["properties"][PROPERTY]["window"];
        (window.as_i64() == Some(g.expires_at))
            .then(|| i["key"].as_str().map(str::to_owned))
            .flatten()
    }))
}

/// Links the review issue to the request's issue unless it is linked already.
fn ensure_link(p: &Platform, review: &str, g: &Grant, known: bool) -> Result<(), AppError> {
    if known {
        let issue = jira::call(
            p,
            Principal::App,
            "GET",
            &format!("/rest/api/3/issue/{}?fields=issuelinks", enc(review)),
            None,
        )?
        .require("read the review issue's links")?;
        let linked = issue["fields"]["issuelinks"]
            .as_array()
            .is_some_and(|links| {
                links.iter().any(|l| {
                    l["outwardIssue"]["key"] == g.issue_key.as_str()
                        || l["inwardIssue"]["key"] == g.issue_key.as_str()
                })
            });
        if linked {
            return Ok(());
        }
    }
    jira::call(
        p,
        Principal::App,
        "POST",
        "/rest/api/3/issueLink",
        Some(&json!({
            "type": {"name": "Relates"},
            "inwardIssue": {"key": review},
            "outwardIssue": {"key": g.issue_key},
        })),
    )?
    .require("link the review issue")?;
    Ok(())
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
            if !aigis_core::forecast::review_due(&g, now, window_days) {
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
    let issue_key = match claim_window(p, g, now)? {
        Claimed::InProgress => return Ok(Opened::Stuck),
        Claimed::Known { issue, .. } => {
            ensure_link(p, &issue, g, true)?;
            issue
        }
        Claimed::Fresh { key, generation } => {
            // A run that died may have made the issue already: look first.
            let found = if generation > 0 {
                find_review_issue(p, g)?
            } else {
                None
            };
            let (issue, known) = match found {
                Some(k) => (k, true),
                None => match create_issue(p, cfg, g) {
                    Ok(k) => (k, false),
                    Err(Create::Refused(e)) => {
                        // Jira said no (a bad issue type, a missing field):
                        // nothing was made, so the claim is released and a
                        // later run tries again.
                        p.storage.delete(&key)?;
                        return Err(e);
                    }
                    // Jira may or may not have made it: the claim stays, and
                    // once its lease ends a later run looks before creating.
                    Err(Create::Unknown(e)) => return Err(e),
                },
            };
            let claim = Claim {
                grant: g.id.clone(),
                window: g.expires_at,
                at: now,
                issue: Some(issue.clone()),
            };
            let raw =
                serde_json::to_string(&claim).map_err(|e| AppError::internal(e.to_string()))?;
            p.storage.set(&key, &raw, SetOptions::default())?;
            ensure_link(p, &issue, g, known)?;
            issue
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

/// Why a create did not give an issue key.
enum Create {
    /// Jira answered 4xx: nothing was made.
    Refused(AppError),
    /// No answer, or a server error: something may have been made.
    Unknown(AppError),
}

fn create_issue(p: &Platform, cfg: &Intake, g: &Grant) -> Result<String, Create> {
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
    let answer = jira::call(p, Principal::App, "POST", "/rest/api/3/issue", Some(&body))
        .map_err(Create::Unknown)?;
    let clean_refusal = (400..500).contains(&answer.status);
    let a = answer.require("create the review issue").map_err(|e| {
        if clean_refusal {
            Create::Refused(e)
        } else {
            Create::Unknown(e)
        }
    })?;
    a["key"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| Create::Unknown(AppError::internal("Jira returned no issue key")))
}
