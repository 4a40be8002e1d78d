//! One simulation: the controller that starts operations on actors, injects
//! the controller-side faults, checks the invariants after every step, and
//! ends with the quiescent phase and the liveness checks.

use crate::invariants::{self as inv, State, Violation};
use crate::ops::{self, Op, SweepKind};
use crate::ports::{Actor, Event, World};
use crate::rng::SimRng;
use crate::sched::{CONTROLLER, FaultRates, Sched, Stats, Task, TaskOut};
use aigis_platform::Storage;
use serde_json::Value;
use std::collections::VecDeque;

/// Concurrent actors (worker threads) per simulation.
pub const ACTORS: usize = 3;
/// Full audit verification every this many steps (and at the end).
pub const VERIFY_EVERY: usize = 40;

#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    pub ops: usize,
    /// Run only these indices of the generated list (a shrunk case).
    pub keep: Option<Vec<usize>>,
}

#[derive(Debug, Clone)]
pub struct Failure {
    pub violation: Violation,
    /// The operation (index in the generated list) after which it was seen.
    pub after_op: Option<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub seed: u64,
    /// Operations completed, retries and doubled runs included.
    pub steps: u64,
    pub stats: Stats,
    pub ok_ops: u64,
    pub failed_ops: u64,
    pub quiet_rounds: u32,
    pub failure: Option<Failure>,
}

/// The generated operation list of a seed.
pub fn operations(seed: u64, n: usize) -> Vec<Op> {
    ops::generate(&mut SimRng::new(seed, 1), n)
}

fn violation(invariant: &'static str, detail: String, after_op: Option<usize>) -> Failure {
    Failure {
        violation: Violation { invariant, detail },
        after_op,
    }
}

/// Runs one simulation to the end or its first broken invariant.
pub fn run(cfg: &Config) -> Report {
    let all = operations(cfg.seed, cfg.ops);
    let list: Vec<(usize, Op)> = match &cfg.keep {
        Some(k) => k
            .iter()
            .filter(|&&i| i < all.len())
            .map(|&i| (i, all[i].clone()))
            .collect(),
        None => all.iter().cloned().enumerate().collect(),
    };
    let mut rng = SimRng::new(cfg.seed, 2);
    let faults = FaultRates::draw(&mut rng);
    // Faults stop after this index of the generated list.
    let fault_end = cfg.ops * (50 + rng.below(41) as usize) / 100;
    let switch = 0.05 + 0.45 * (rng.below(101) as f64 / 100.0);
    let mut report = Report {
        seed: cfg.seed,
        ..Default::default()
    };
    let w = match World::new(cfg.seed) {
        Ok(w) => w,
        Err(e) => {
            report.failure = Some(violation("setup", e, None));
            return report;
        }
    };
    if let Err(e) = ops::setup(&w) {
        report.failure = Some(violation("setup", e, None));
        return report;
    }
    let sched = Sched::new(ACTORS, rng, Some(faults), switch);
    std::thread::scope(|sc| {
        for slot in 0..ACTORS {
            let sched = &sched;
            let w = &w;
            sc.spawn(move || sched.worker(slot, w));
        }
        let r = Controller {
            w: &w,
            sched: &sched,
            report: &mut report,
            fault_end,
            all: &all,
            tries: Default::default(),
        }
        .drive(list);
        sched.shutdown();
        if let Err(f) = r {
            report.failure = Some(f);
        }
    });
    report.stats = sched.lock().stats.clone();
    if report.failure.is_none()
        && let Err(f) = quiescent(&w, &mut report)
    {
        report.failure = Some(f);
    }
    report
}

struct Controller<'a> {
    w: &'a World,
    sched: &'a Sched,
    report: &'a mut Report,
    fault_end: usize,
    /// The generated list, by index (a failed operation may be retried).
    all: &'a [Op],
    tries: std::collections::BTreeMap<usize, u8>,
}

/// Retries of one failed operation, as a user who saw an error would.
const MAX_TRIES: u8 = 2;

impl Controller<'_> {
    fn drive(&mut self, list: Vec<(usize, Op)>) -> Result<(), Failure> {
        let mut todo: VecDeque<(usize, Op)> = list.into_iter().collect();
        let mut steps_since_verify = 0usize;
        let mut g = self.sched.lock();
        loop {
            // What finished since the controller last had the turn.
            for slot in 0..ACTORS {
                if let Some((op, out)) = g.done[slot].take() {
                    drop(g);
                    steps_since_verify += 1;
                    let full = steps_since_verify >= VERIFY_EVERY;
                    let retry = self.finished(op, &out, full)?;
                    if full {
                        steps_since_verify = 0;
                        inv::audit_log_verifies(self.w).map_err(|v| Failure {
                            violation: v,
                            after_op: Some(op),
                        })?;
                    }
                    g = self.sched.lock();
                    let tries = self.tries.entry(op).or_default();
                    if retry && g.faults.is_some() && *tries < MAX_TRIES && g.rng.chance(0.5) {
                        *tries += 1;
                        let at = (g.rng.below(4) as usize).min(todo.len());
                        todo.insert(at, (op, self.all[op].clone()));
                    }
                }
            }
            if todo.front().is_some_and(|(i, _)| *i >= self.fault_end) && g.faults.is_some() {
                g.faults = None;
            }
            let free: Vec<usize> = (0..ACTORS).filter(|&i| !g.busy[i]).collect();
            let busy: Vec<usize> = (0..ACTORS).filter(|&i| g.busy[i]).collect();
            let need = match todo.front() {
                Some((_, Op::Sweep { runs, .. })) => (*runs as usize).max(1),
                Some(_) => 1,
                None => usize::MAX,
            };
            let can_start = need <= free.len();
            g.controller_ready = can_start;
            let start = can_start && (busy.is_empty() || g.rng.chance(0.5));
            if start {
                let Some((i, op)) = todo.pop_front() else {
                    break;
                };
                if crate::ports::trace() {
                    eprintln!("op {i} t={} start {op:?}", self.w.now());
                }
                match &op {
                    Op::Request {
                        who,
                        raised_by,
                        tool,
                        days,
                    } => {
                        self.request(*who, *raised_by, *tool, *days);
                        self.report.steps += 1;
                    }
                    Op::OutOfBand { tool, who, add } => {
                        let done = self.w.idp.out_of_band(*tool, *who, *add);
                        if crate::ports::trace() {
                            eprintln!("op {i} out of band: {done}");
                        }
                        self.report.steps += 1;
                    }
                    Op::Clock { minutes } => {
                        self.w
                            .set_now(self.w.now() + minutes * aigis_core::time::MINUTE);
                        self.report.steps += 1;
                    }
                    Op::Sweep { runs: 0, .. } => self.report.steps += 1,
                    Op::Sweep { runs, .. } => {
                        // Doubled: the same scheduled run starts twice at once.
                        for slot in free.iter().take(*runs as usize) {
                            g.busy[*slot] = true;
                            g.dead[*slot] = false;
                            g.tasks[*slot] = Some(Task {
                                op: i,
                                what: op.clone(),
                            });
                        }
                        let first = free[0];
                        g = self.sched.hand(g, CONTROLLER, first + 1);
                    }
                    _ => {
                        g = self.sched.start(
                            g,
                            free[0],
                            Task {
                                op: i,
                                what: op.clone(),
                            },
                        );
                    }
                }
                continue;
            }
            if busy.is_empty() {
                break;
            }
            let to = busy[g.rng.below(busy.len() as u64) as usize];
            g = self.sched.hand(g, CONTROLLER, to + 1);
        }
        Ok(())
    }

    fn request(&self, who: u8, raised_by: Option<u8>, tool: u8, days: u16) {
        let requester = ops::REQUESTERS[who as usize % ops::REQUESTERS.len()];
        let creator =
            raised_by.map_or(requester, |r| ops::RAISERS[r as usize % ops::RAISERS.len()]);
        let snapshot = serde_json::json!({
            "toolId": ops::TOOLS[tool as usize % ops::TOOLS.len()],
            "purpose": "Summarising customer tickets",
            "durationDays": days,
        });
        let (issue_id, issue_key) = self.w.jira().portal_request(requester, creator, snapshot);
        self.w.events().push(Event {
            issue_id,
            issue_key,
        });
    }

    /// Checks after one finished task; returns the op to retry, if any.
    fn finished(&mut self, op: usize, out: &TaskOut, full: bool) -> Result<bool, Failure> {
        self.report.steps += 1;
        if crate::ports::trace() {
            eprintln!(
                "op {op} done crashed={} {:?}",
                out.crashed,
                out.result
                    .as_ref()
                    .map(|v| v.to_string().chars().take(160).collect::<String>())
            );
        }
        if let Some(p) = &out.panicked {
            return Err(violation("no_panic", p.clone(), Some(op)));
        }
        let st = State::read(self.w, full);
        inv::every_step(&st).map_err(|v| Failure {
            violation: v,
            after_op: Some(op),
        })?;
        let secrets = self.w.secret_values();
        match &out.result {
            Ok(v) => {
                self.report.ok_ops += 1;
                let text = v.to_string();
                if let Some(s) = secrets
                    .iter()
                    .find(|s| s.len() >= 16 && text.contains(s.as_str()))
                {
                    return Err(violation(
                        "secrets_stay_secret",
                        format!("an answer holds secret {}…", &s[..4]),
                        Some(op),
                    ));
                }
                if v["handler"] == "jobRunner" && v["stoppedEarly"] == false {
                    let at = v["startedAt"].as_i64().unwrap_or(0);
                    inv::no_grant_active_past_expiry(&st, at).map_err(|v| Failure {
                        violation: v,
                        after_op: Some(op),
                    })?;
                }
                Ok(false)
            }
            Err(e) => {
                self.report.failed_ops += 1;
                if e.starts_with("internal") && !out.crashed {
                    return Err(violation("no_internal_error", e.clone(), Some(op)));
                }
                Ok(true)
            }
        }
    }
}

/// Faults have stopped: deliver what is queued, then run every sweep with
/// the clock moving on until nothing is left to retry; then the liveness checks.
fn quiescent(w: &World, report: &mut Report) -> Result<(), Failure> {
    let fail = |v: Violation| Failure {
        violation: v,
        after_op: None,
    };
    // Each call is an invocation of its own, with its own time limit.
    let app = || Actor::new(w, None, 0, None, 900_000);
    let mut seen = Vec::new();
    let events: Vec<Event> = std::mem::take(&mut *w.events());
    for e in events {
        if !seen.contains(&e) {
            ops::deliver(&app(), &e).map_err(|e| {
                fail(Violation {
                    invariant: "events_delivered",
                    detail: e,
                })
            })?;
            seen.push(e);
        }
    }
    let start = w.now();
    let mut last_runner = start;
    // The retry budget, spent: whatever is not settled now never will be.
    for round in 0..u32::MAX {
        report.quiet_rounds = round + 1;
        w.set_now(w.now() + ops::QUIET_STEP);
        let due = due_for_runner(w);
        let calls = w.storage().calls.get();
        let summary = ops::sweep(&app(), "jobRunner").map_err(|e| {
            fail(Violation {
                invariant: "sweeps_succeed",
                detail: e,
            })
        })?;
        let used = w.storage().calls.get() - calls;
        inv_sweep_bounded(&summary, due, used).map_err(fail)?;
        last_runner = summary["startedAt"].as_i64().unwrap_or(0);
        for kind in [
            SweepKind::Escalation,
            SweepKind::Recertification,
            SweepKind::Retention,
            SweepKind::Analytics,
        ] {
            ops::sweep(&app(), kind.handler()).map_err(|e| {
                fail(Violation {
                    invariant: "sweeps_succeed",
                    detail: e,
                })
            })?;
        }
        if w.now() - start > ops::RETRY_BUDGET {
            break;
        }
    }
    // One more runner run with nothing due: its cost is a constant.
    let calls = w.storage().calls.get();
    let summary = ops::sweep(&app(), "jobRunner").map_err(|e| {
        fail(Violation {
            invariant: "sweeps_succeed",
            detail: e,
        })
    })?;
    let idle = w.storage().calls.get() - calls;
    inv_sweep_bounded(&summary, due_for_runner(w), idle).map_err(fail)?;
    let st = State::read(w, true);
    inv::every_step(&st).map_err(fail)?;
    inv::audit_log_verifies(w).map_err(fail)?;
    inv::notices_delivered(&st, aigis_app::outbox::MAX_ATTEMPTS).map_err(fail)?;
    inv::jobs_settled(&st).map_err(fail)?;
    inv::no_grant_active_past_expiry(&st, last_runner).map_err(fail)?;
    inv::ended_grants_have_removal(&st).map_err(fail)?;
    inv::connected_groups_match_grants(w, &st).map_err(fail)?;
    inv::events_handled(w, &st).map_err(fail)?;
    inv::secrets_stay_secret(w, &w.secret_values()).map_err(fail)?;
    Ok(())
}

/// What the job runner has due now: grants past expiry, due jobs and
/// notices, finished jobs old enough to prune, and rate-limit slots.
fn due_for_runner(w: &World) -> u64 {
    let now = w.now();
    let prune_before = now - aigis_core::model::days(aigis_app::sweeps::JOB_RETENTION_DAYS);
    let at = |v: &Value, f: &str| v[f].as_i64().unwrap_or(i64::MAX);
    let grants = w
        .entities("grant")
        .iter()
        .filter(|g| g["status"] == "active" && at(g, "expiresAt") <= now)
        .count();
    let jobs = w
        .entities("job")
        .iter()
        .filter(|j| {
            (matches!(j["status"].as_str(), Some("queued" | "retry" | "running"))
                && at(j, "dueAt") <= now)
                || (matches!(
                    j["status"].as_str(),
                    Some("succeeded" | "completed" | "deadLetter")
                ) && at(j, "updatedAt") <= prune_before)
        })
        .count();
    let notices = w
        .entities("outbox")
        .iter()
        .filter(|n| n["status"] == "pending" && at(n, "dueAt") <= now)
        .count();
    let slots = w
        .storage()
        .query_prefix(aigis_app::names::RATE_PREFIX, None, 100)
        .map(|p| p.items.len())
        .unwrap_or(0);
    (grants + jobs + notices + slots) as u64
}

/// Sweeps' work is bounded by what was due: the items the runner examined,
/// and its storage calls, grow with what was due, not with the data.
fn inv_sweep_bounded(summary: &Value, due: u64, calls: u64) -> Result<(), Violation> {
    let examined = summary["itemsExamined"].as_u64().unwrap_or(0);
    // An item due may add two more in the same run (an expired grant queues
    // its removal job and a notice); nothing due, nothing examined.
    let limit = 16 + 60 * due;
    if examined > 3 * due || calls > limit {
        return Err(Violation {
            invariant: "sweeps_bounded_by_what_was_due",
            detail: format!(
                "the job runner examined {examined} items and made {calls} storage calls with {due} due (limit {limit})"
            ),
        });
    }
    Ok(())
}
