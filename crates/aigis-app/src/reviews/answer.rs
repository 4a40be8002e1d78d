//! `reviews.answer`: an approver keeps or revokes access under review.

use crate::access::Caller;
use crate::error::AppError;
use crate::grants::revoke::{self, RevokeArgs, Revoked};
use crate::names::GRANT;
use crate::outbox::{self, Notice};
use crate::repo::{self, Change};
use aigis_core::adf;
use aigis_core::audit::NewEvent;
use aigis_core::ids::GrantId;
use aigis_core::model::{Grant, GrantStatus};
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ReviewAnswer {
    Keep,
    Revoke,
}

impl ReviewAnswer {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewAnswer::Keep => "keep",
            ReviewAnswer::Revoke => "revoke",
        }
    }
}

/// `{grantId, answer: keep|revoke, rationale}`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnswerArgs {
    pub grant_id: GrantId,
    pub answer: ReviewAnswer,
    pub rationale: String,
}

/// The grant after the answer, and the revocation a `revoke` made.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Answered {
    pub grant: Grant,
    pub revocation: Option<Revoked>,
    pub changed: bool,
}

/// `reviews.answer` (approver, not the holder): `{grantId, answer, rationale}`.
/// `keep` records the review as passed (no extension); `revoke` revokes the
/// grant as `grants.revoke` does, which queues deprovisioning.
pub fn answer(p: &Platform, caller: &Caller, args: AnswerArgs) -> Result<Answered, AppError> {
    let n = args.rationale.trim().chars().count();
    if n == 0 || n > 2000 {
        return Err(AppError::invalid(
            "rationale",
            "must be 1 to 2000 characters",
        ));
    }
    let grant: Grant = repo::get(p, GRANT, &args.grant_id)?
        .ok_or_else(|| AppError::not_found(format!("no grant {}", args.grant_id)))?;
    if grant.is_party(&caller.account_id) {
        return Err(AppError::forbidden(
            "nobody answers the review of their own access",
        ));
    }
    if grant.review_issue.is_none() {
        return Err(AppError::conflict("this grant has no open review"));
    }
    if let Some(a) = &grant.review_answer {
        if a == args.answer.as_str() {
            return Ok(Answered {
                grant,
                revocation: None,
                changed: false,
            });
        }
        return Err(AppError::conflict(format!(
            "the review was already answered: {a}"
        )));
    }
    let mut revocation = None;
    if args.answer == ReviewAnswer::Revoke {
        revocation = Some(revoke::revoke(
            p,
            caller,
            RevokeArgs {
                grant_id: args.grant_id.clone(),
                rationale: args.rationale.clone(),
            },
        )?);
    } else if grant.status != GrantStatus::Active {
        return Err(AppError::conflict(format!(
            "the grant is {}, not active",
            grant.status.as_str()
        )));
    }
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        let Some(cur) = repo::get::<Grant>(p, GRANT, &args.grant_id)? else {
            return Err(AppError::not_found(format!("no grant {}", args.grant_id)));
        };
        if cur.review_answer.is_some() {
            return Ok((cur, c));
        }
        let mut next = cur.clone();
        next.review_answer = Some(args.answer.as_str().to_owned());
        c.put(GRANT, &next.id, &next)?;
        c.event(NewEvent::new(
            &caller.account_id,
            if args.answer == ReviewAnswer::Keep {
                "grant.review.kept"
            } else {
                "grant.review.revoked"
            },
            &format!("grant:{}", next.id),
            json!({
                "reviewIssue": next.review_issue,
                "window": next.review_window,
                "rationale": args.rationale.trim(),
            }),
        ));
        if let Some(issue) = &next.review_issue {
            c.notice(Notice::comment(
                format!(
                    "{}-review-{}-answer",
                    next.id,
                    next.review_window.unwrap_or(0)
                ),
                issue,
                adf::notice(
                    if args.answer == ReviewAnswer::Keep {
                        "Review answered: keep access"
                    } else {
                        "Review answered: revoke access"
                    },
                    &[format!("Rationale: {}", args.rationale.trim())],
                ),
            ));
        }
        Ok((next, c))
    })?;
    outbox::deliver_all(p, &done.notices);
    Ok(Answered {
        grant: done.value,
        revocation,
        changed: !done.events.is_empty(),
    })
}
