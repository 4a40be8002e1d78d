//! The operations a seed chooses, and how each runs against the app.
//!
//! An operation names its target by a number (`pick`) resolved against the
//! state when it starts (the n-th pending request, open grant, ...), so any
//! subset of a generated list is still a valid list: that is what lets a
//! failure shrink.

use crate::jira::PROJECT;
use crate::ports::{Actor, Event, World};
use crate::rng::SimRng;
use aigis_core::time::HOUR;
use serde_json::{Value, json};

/// Approvers (and the admin, who may approve too).
pub const APPROVERS: &[&str] = &["acc-ada", "acc-arlo", "acc-bea", "acc-cole"];
/// People who request access: approvers among them, to test separation of duties.
pub const REQUESTERS: &[&str] = &["acc-rita", "acc-sam", "acc-tom", "acc-arlo", "acc-cole"];
/// Who raises a request for someone else (an approver, and an agent).
pub const RAISERS: &[&str] = &["acc-cole", "acc-ravi"];
/// Tools in the catalog after set-up, and one that is not.
pub const TOOLS: &[&str] = &["claude", "copilot", "gpt", "agentx", "nosuch"];
pub const ADMIN: &str = "acc-ada";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepKind {
    JobRunner,
    Escalation,
    Recertification,
    Retention,
    Analytics,
}

impl SweepKind {
    pub fn handler(self) -> &'static str {
        match self {
            SweepKind::JobRunner => "jobRunner",
            SweepKind::Escalation => "escalation",
            SweepKind::Recertification => "recertification",
            SweepKind::Retention => "retention",
            SweepKind::Analytics => "analytics",
        }
    }
    pub const ALL: [SweepKind; 5] = [
        SweepKind::JobRunner,
        SweepKind::Escalation,
        SweepKind::Recertification,
        SweepKind::Retention,
        SweepKind::Analytics,
    ];
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// A portal request: Jira makes the issue and queues its event.
    Request {
        who: u8,
        raised_by: Option<u8>,
        tool: u8,
        days: u16,
    },
    /// Delivers a queued product event (any of them: reordered, delayed);
    /// `dup` leaves it queued to be delivered again.
    Deliver {
        pick: u16,
        dup: bool,
    },
    Approve {
        by: u8,
        pick: u16,
    },
    Deny {
        by: u8,
        pick: u16,
    },
    Bulk {
        by: u8,
        picks: Vec<u16>,
        approve: bool,
    },
    Extend {
        by: u8,
        pick: u16,
        days: u16,
        stale: bool,
    },
    Revoke {
        by: u8,
        pick: u16,
    },
    Answer {
        by: u8,
        pick: u16,
        keep: bool,
    },
    Complete {
        by: u8,
        pick: u16,
    },
    /// A configuration, catalog or governance change (`variant` chooses which).
    Config {
        variant: u8,
        n: u16,
    },
    /// An evidence export (with its checkpoint), or `audit.verify`.
    Export {
        verify: bool,
    },
    /// A scheduled run: `runs` 0 = skipped, 1, or 2 = doubled (two at once).
    Sweep {
        kind: SweepKind,
        runs: u8,
    },
    /// The clock moves by `minutes` (negative: backwards).
    Clock {
        minutes: i64,
    },
    /// Someone changes a connected tool's group in the identity provider,
    /// behind Aigis's back: adds (or removes) a requester.
    OutOfBand {
        tool: u8,
        who: u8,
        add: bool,
    },
}

/// The furthest the clock jumps back: the skew between two hosts' clocks.
/// Leases (20 minutes: the longest invocation plus five) assume a skew below five minutes; a jump back longer
/// than a lease lets a runner whose clock is ahead take over a live claim.
pub const MAX_BACK_MINUTES: i64 = 2;

/// The operation list of a seed.
pub fn generate(rng: &mut SimRng, n: usize) -> Vec<Op> {
    (0..n).map(|_| one(rng)).collect()
}

fn one(r: &mut SimRng) -> Op {
    let pick = |r: &mut SimRng| r.below(1 << 12) as u16;
    let by = |r: &mut SimRng| r.below(APPROVERS.len() as u64) as u8;
    match r.below(100) {
        0..=17 => Op::Request {
            who: r.below(REQUESTERS.len() as u64) as u8,
            raised_by: r.chance(0.2).then(|| r.below(RAISERS.len() as u64) as u8),
            tool: r.below(TOOLS.len() as u64) as u8,
            days: if r.chance(0.1) {
                r.range(0, 400) as u16
            } else {
                r.range(1, 30) as u16
            },
        },
        18..=33 => Op::Deliver {
            pick: pick(r),
            dup: r.chance(0.15),
        },
        34..=45 => Op::Approve {
            by: by(r),
            pick: pick(r),
        },
        46..=49 => Op::Deny {
            by: by(r),
            pick: pick(r),
        },
        50..=52 => {
            let n = r.range(1, 4) as usize;
            Op::Bulk {
                by: by(r),
                picks: (0..n).map(|_| pick(r)).collect(),
                approve: r.chance(0.7),
            }
        }
        53..=56 => Op::Extend {
            by: by(r),
            pick: pick(r),
            days: r.range(1, 20) as u16,
            stale: r.chance(0.2),
        },
        57..=59 => Op::Revoke {
            by: by(r),
            pick: pick(r),
        },
        60..=62 => Op::Answer {
            by: by(r),
            pick: pick(r),
            keep: r.chance(0.6),
        },
        63..=71 => Op::Complete {
            by: by(r),
            pick: pick(r),
        },
        72..=75 => Op::Config {
            variant: r.below(10) as u8,
            n: pick(r),
        },
        76..=77 => Op::Export {
            verify: r.chance(0.3),
        },
        78..=79 => Op::OutOfBand {
            tool: r.below(2) as u8,
            who: r.below(REQUESTERS.len() as u64) as u8,
            add: r.chance(0.5),
        },
        80..=91 => Op::Sweep {
            kind: SweepKind::ALL[r.below(5) as usize],
            runs: match r.below(10) {
                0 => 0,
                1 | 2 => 2,
                _ => 1,
            },
        },
        _ => Op::Clock {
            minutes: if r.chance(0.2) {
                -r.range(1, MAX_BACK_MINUTES)
            } else if r.chance(0.7) {
                r.range(5, 8 * 60)
            } else {
                r.range(1, 6) * 24 * 60
            },
        },
    }
}

/// The one-time set-up every run starts from (no faults): intake, catalog,
/// the two connectors and the tools bound to their groups.
pub fn setup(w: &World) -> Result<(), String> {
    let a = Actor::new(w, None, 0, Some(ADMIN.into()), 25_000);
    invoke(
        &a,
        "config.setIntake",
        json!({"projectKey": PROJECT, "approverGroups": [crate::jira::APPROVERS]}),
    )?;
    for (id, risk) in [
        ("claude", "high"),
        ("copilot", "low"),
        ("gpt", "medium"),
        ("agentx", "critical"),
    ] {
        invoke(
            &a,
            "catalog.add",
            json!({"id": id, "name": id, "provider": "Sim", "status": "approved", "risk": risk}),
        )?;
    }
    for (key, payload) in w.idp.setup_calls() {
        invoke(&a, key, payload)?;
    }
    Ok(())
}

/// Runs resolver `key` as the actor's user; an error is `code: message`.
pub fn invoke(a: &Actor, key: &str, payload: Value) -> Result<Value, String> {
    let ctx =
        json!({"accountId": a.user, "cloudId": "sim", "moduleKey": "aigis-admin"}).to_string();
    let out = aigis_app::invoke(a.platform(), key, &payload.to_string(), &ctx)
        .map_err(|e| format!("{}: {}", e.code, e.log_text()))?;
    serde_json::from_str(&out).map_err(|e| format!("internal: {key} answered no JSON: {e}"))
}

/// Runs scheduled handler `handler`; its summary gets the start time.
pub fn sweep(a: &Actor, handler: &str) -> Result<Value, String> {
    let started = a.w.now();
    let out = aigis_app::on_schedule(a.platform(), handler, "{}", "{}")
        .map_err(|e| format!("{}: {}", e.code, e.log_text()))?;
    let mut v: Value =
        serde_json::from_str(&out).map_err(|e| format!("internal: summary is no JSON: {e}"))?;
    if let Some(o) = v.as_object_mut() {
        o.insert("startedAt".into(), json!(started));
        o.insert("handler".into(), json!(handler));
    }
    Ok(v)
}

/// Delivers the event (the trigger's invocation).
pub fn deliver(a: &Actor, e: &Event) -> Result<Value, String> {
    let ctx = json!({"cloudId": "sim", "moduleKey": "issue-created"}).to_string();
    aigis_app::on_event(a.platform(), "onIssueCreated", &e.payload(), &ctx)
        .map(|()| Value::Null)
        .map_err(|e| format!("{}: {}", e.code, e.log_text()))
}

fn nth(xs: &[Value], pick: u16) -> Option<&Value> {
    if xs.is_empty() {
        None
    } else {
        xs.get(pick as usize % xs.len())
    }
}

fn sorted(w: &World, entity: &str, keep: impl Fn(&Value) -> bool) -> Vec<Value> {
    let mut v: Vec<Value> = w.entities(entity).into_iter().filter(|x| keep(x)).collect();
    v.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    v
}

/// The user an operation acts as, and the time it may take.
pub fn identity(op: &Op) -> (Option<String>, u64) {
    let approver = |by: &u8| Some(APPROVERS[*by as usize % APPROVERS.len()].to_owned());
    match op {
        Op::Approve { by, .. }
        | Op::Deny { by, .. }
        | Op::Bulk { by, .. }
        | Op::Extend { by, .. }
        | Op::Revoke { by, .. }
        | Op::Answer { by, .. }
        | Op::Complete { by, .. } => (approver(by), 25_000),
        Op::Config { .. } | Op::Export { .. } => (Some(ADMIN.into()), 25_000),
        Op::Sweep { .. } => (None, 900_000),
        _ => (None, 25_000),
    }
}

/// Runs one operation on actor `a` (already given its user). `Request`,
/// `Clock` and `OutOfBand` run on the controller (see `run`), not here.
pub fn execute(a: &Actor, op: &Op) -> Result<Value, String> {
    let w = a.w;
    match op {
        Op::Request { .. } | Op::Clock { .. } | Op::OutOfBand { .. } => Ok(Value::Null),
        Op::Deliver { pick, dup } => {
            let e = {
                let mut q = w.events();
                if q.is_empty() {
                    return Ok(json!("no event"));
                }
                let i = *pick as usize % q.len();
                if *dup { q[i].clone() } else { q.remove(i) }
            };
            let out = deliver(a, &e);
            if out.is_err() && !*dup {
                // Forge delivers again after a failed invocation.
                w.events().push(e);
            }
            out
        }
        Op::Approve { pick, .. } | Op::Deny { pick, .. } => {
            let pending = sorted(w, "request", |r| r["decision"] == "pending");
            let target = match nth(&pending, *pick) {
                Some(r) => r.clone(),
                None => match nth(&sorted(w, "request", |_| true), *pick) {
                    Some(r) => r.clone(),
                    None => return Ok(json!("no request")),
                },
            };
            let id = target["id"].clone();
            if matches!(op, Op::Approve { .. }) {
                invoke(a, "requests.approve", json!({"requestId": id}))
            } else {
                invoke(
                    a,
                    "requests.deny",
                    json!({"requestId": id, "rationale": "not needed"}),
                )
            }
        }
        Op::Bulk { picks, approve, .. } => {
            let all = sorted(w, "request", |_| true);
            let ids: Vec<Value> = picks
                .iter()
                .filter_map(|p| nth(&all, *p))
                .map(|r| r["id"].clone())
                .collect();
            if ids.is_empty() {
                return Ok(json!("no request"));
            }
            let decision = if *approve { "approve" } else { "deny" };
            invoke(
                a,
                "requests.decide",
                json!({"requestIds": ids, "decision": decision, "rationale": "bulk"}),
            )
        }
        Op::Extend {
            pick, days, stale, ..
        } => {
            let open = sorted(w, "grant", |g| {
                g["status"] == "active" || g["status"] == "pendingProvision"
            });
            let Some(g) = nth(&open, *pick) else {
                return Ok(json!("no grant"));
            };
            let seen = g["expiresAt"].as_i64().unwrap_or(0) - if *stale { 1 } else { 0 };
            invoke(
                a,
                "grants.extend",
                json!({"grantId": g["id"], "days": days, "rationale": "still needed", "expectedExpiresAt": seen}),
            )
        }
        Op::Revoke { pick, .. } => {
            let open = sorted(w, "grant", |g| {
                g["status"] == "active" || g["status"] == "pendingProvision"
            });
            let Some(g) = nth(&open, *pick) else {
                return Ok(json!("no grant"));
            };
            invoke(
                a,
                "grants.revoke",
                json!({"grantId": g["id"], "rationale": "no longer needed"}),
            )
        }
        Op::Answer { pick, keep, .. } => {
            let open = sorted(w, "grant", |g| {
                g["reviewIssue"].is_string() && g["reviewAnswer"].is_null()
            });
            let Some(g) = nth(&open, *pick) else {
                return Ok(json!("no review"));
            };
            let answer = if *keep { "keep" } else { "revoke" };
            invoke(
                a,
                "reviews.answer",
                json!({"grantId": g["id"], "answer": answer, "rationale": "reviewed"}),
            )
        }
        Op::Complete { pick, .. } => {
            let jobs = sorted(w, "job", |j| j["status"] == "manualPending");
            let Some(j) = nth(&jobs, *pick) else {
                return Ok(json!("no job"));
            };
            let outcome = match j["kind"].as_str() {
                Some("deprovision") => "deprovisioned",
                Some("check") => "verified",
                _ => "fulfilled",
            };
            invoke(
                a,
                "jobs.complete",
                json!({"jobId": j["id"], "outcome": outcome, "note": "done by hand"}),
            )
        }
        Op::Config { variant, n } => config(a, *variant, *n),
        Op::Export { verify } => {
            if *verify {
                invoke(a, "audit.verify", json!({}))
            } else {
                invoke(a, "audit.export", json!({}))
            }
        }
        Op::Sweep { kind, .. } => sweep(a, kind.handler()),
    }
}

fn config(a: &Actor, variant: u8, n: u16) -> Result<Value, String> {
    let risk = ["low", "medium", "high", "critical"][n as usize % 4];
    let tool = TOOLS[n as usize % 4];
    match variant {
        0 => invoke(
            a,
            "governance.set",
            json!({"maxDays": {"low": 90, "medium": 60 + n % 30, "high": 30, "critical": 14}, "note": "sim"}),
        ),
        1 => invoke(
            a,
            "policies.save",
            json!({"id": "auto-copilot", "name": "Copilot for staff", "projectKey": PROJECT, "toolId": "copilot",
                "autoApprove": true, "allowedGroups": ["staff"], "maxDurationDays": 30}),
        ),
        2 => invoke(a, "policies.delete", json!({"id": "auto-copilot"})),
        3 => invoke(a, "catalog.update", json!({"id": tool, "risk": risk})),
        4 => invoke(
            a,
            "config.setIntake",
            json!({"approvalSlaHours": 1 + n % 48, "escalationAccounts": ["acc-bea"]}),
        ),
        5 => invoke(
            a,
            "config.setIntake",
            json!({"reviewWindowDays": 1 + n % 30}),
        ),
        6 => invoke(
            a,
            "governance.set",
            json!({"maxCriticalPerPerson": n % 3, "note": "sim"}),
        ),
        7 => invoke(
            a,
            "catalog.update",
            json!({"id": tool, "status": if n.is_multiple_of(2) { "approved" } else { "blocked" }}),
        ),
        // The review issue type: sometimes one the project lacks (Jira refuses it).
        8 => invoke(
            a,
            "config.setIntake",
            json!({"reviewIssueType": if n.is_multiple_of(3) { "Review" } else { "Task" }}),
        ),
        _ => invoke(a, "audit.rotateKey", json!({})),
    }
}

/// How far the clock moves in the quiescent phase per round.
pub const QUIET_STEP: i64 = HOUR;
/// The retry budget once faults stop: a notice's backoffs (2, 4, ... 256
/// minutes over its 8 attempts, 8.5 hours) plus its lease. Jobs of manual
/// tools are handed to a person by the first runner run; those of
/// connected tools retry over 15 + 30 + 60 + 120 minutes (3.75 hours).
pub const RETRY_BUDGET: i64 = 9 * HOUR;
