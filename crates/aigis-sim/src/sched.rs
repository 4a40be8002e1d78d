//! The seeded scheduler: several actors (one OS thread each), exactly one
//! of them running at a time, a baton passed at every port call.
//!
//! Each in-flight operation runs on its own worker thread, but a worker
//! only runs while it holds the turn. Every port call is a yield point
//! ([`Sched::point`]): under the one lock, the seeded stream decides
//! whether another actor (or the controller, which starts operations)
//! continues, and which fault, if any, this call meets. Because exactly one
//! thread runs at a time and every decision is drawn from one stream in the
//! order the calls happen, a seed replays the same interleaving.
//!
//! A crash marks the actor dead: that call and every later port call of the
//! actor fail without touching anything, so what it committed stays and
//! nothing after the crash is written.

use crate::ops::{self, Op};
use crate::ports::{Actor, World};
use crate::rng::SimRng;
use serde_json::Value;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// What kind of port call a yield point is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    Read,
    Write,
    Txn,
    Secret,
    JiraRead,
    JiraWrite,
    /// A call to an identity provider (egress): a read, or a change.
    EgressRead,
    EgressWrite,
}

/// What the scheduler makes of a port call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// The actor is (now) dead: the call fails and has no effect.
    Dead,
    /// A transaction loses to a concurrent writer: `ConditionFailed`, nothing written.
    Conflict,
    /// Jira answers this status without doing anything.
    Http(u16),
    /// Jira answers 429 with `Retry-After`.
    RateLimited,
    /// The call happens but its caller sees a timeout.
    Timeout,
    /// The call happens and eats the invocation's remaining time.
    Slow,
    /// The call happens, then the actor crashes before recording it.
    CrashAfter,
}

/// Probabilities per port call (the seed picks an intensity for each).
#[derive(Debug, Clone, Default)]
pub struct FaultRates {
    pub crash: f64,
    pub conflict: f64,
    pub http5xx: f64,
    pub rate_limited: f64,
    pub timeout: f64,
    pub slow: f64,
    pub crash_after: f64,
}

impl FaultRates {
    /// Rates drawn from the seed: each fault kind between off and its ceiling.
    pub fn draw(rng: &mut SimRng) -> FaultRates {
        let mut r = |ceiling: f64| {
            if rng.chance(0.2) {
                0.0
            } else {
                ceiling * rng.below(101) as f64 / 100.0
            }
        };
        FaultRates {
            crash: r(0.02),
            conflict: r(0.08),
            http5xx: r(0.08),
            rate_limited: r(0.05),
            timeout: r(0.05),
            slow: r(0.03),
            crash_after: r(0.03),
        }
    }
}

/// Counts of what the scheduler did, for the report.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub points: u64,
    pub switches: u64,
    pub crashes: u64,
    pub conflicts: u64,
    pub http_errors: u64,
    pub rate_limited: u64,
    pub timeouts: u64,
    pub slow: u64,
    pub crash_after: u64,
}

impl Stats {
    pub fn add(&mut self, o: &Stats) {
        self.points += o.points;
        self.switches += o.switches;
        self.crashes += o.crashes;
        self.conflicts += o.conflicts;
        self.http_errors += o.http_errors;
        self.rate_limited += o.rate_limited;
        self.timeouts += o.timeouts;
        self.slow += o.slow;
        self.crash_after += o.crash_after;
    }
}

/// What a task gives back.
#[derive(Debug, Clone)]
pub struct TaskOut {
    pub result: Result<Value, String>,
    /// The actor died (a crash fault) during the task.
    pub crashed: bool,
    /// The task panicked: always a finding.
    pub panicked: Option<String>,
}

/// One operation to run on an actor.
pub struct Task {
    /// Index of the operation in the generated list.
    pub op: usize,
    pub what: Op,
}

/// The controller's turn number; actor `i` has turn `i + 1`.
pub const CONTROLLER: usize = 0;

pub struct St {
    pub turn: usize,
    pub busy: Vec<bool>,
    pub dead: Vec<bool>,
    pub tasks: Vec<Option<Task>>,
    pub done: Vec<Option<(usize, TaskOut)>>,
    pub rng: SimRng,
    pub faults: Option<FaultRates>,
    /// Probability that a yield point passes the turn on.
    pub switch: f64,
    /// Whether the controller has operations to start (it may take the turn).
    pub controller_ready: bool,
    pub stop: bool,
    pub stats: Stats,
}

pub struct Sched {
    st: Mutex<St>,
    cvs: Vec<Condvar>,
}

/// A hung simulation (a bug in the simulator, or a deadlock) fails loudly.
const HANG: Duration = Duration::from_secs(120);

fn lock(m: &Mutex<St>) -> MutexGuard<'_, St> {
    // A panic while holding the lock is caught and reported by the worker;
    // the state is still consistent for reporting.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Sched {
    pub fn new(actors: usize, rng: SimRng, faults: Option<FaultRates>, switch: f64) -> Sched {
        Sched {
            st: Mutex::new(St {
                turn: CONTROLLER,
                busy: vec![false; actors],
                dead: vec![false; actors],
                tasks: (0..actors).map(|_| None).collect(),
                done: (0..actors).map(|_| None).collect(),
                rng,
                faults,
                switch,
                controller_ready: false,
                stop: false,
                stats: Stats::default(),
            }),
            cvs: (0..=actors).map(|_| Condvar::new()).collect(),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, St> {
        lock(&self.st)
    }

    fn wait_turn<'a>(&'a self, mut g: MutexGuard<'a, St>, me: usize) -> MutexGuard<'a, St> {
        while g.turn != me && !g.stop {
            let (g2, timeout) = self.cvs[me]
                .wait_timeout(g, HANG)
                .unwrap_or_else(|e| e.into_inner());
            g = g2;
            if timeout.timed_out() && g.turn != me && !g.stop {
                g.stop = true;
                for cv in &self.cvs {
                    cv.notify_all();
                }
                panic!("simulation hung: turn {} never came back to {me}", g.turn);
            }
        }
        g
    }

    /// Gives the turn to `to` and waits until it comes back to `me`.
    pub fn hand<'a>(
        &'a self,
        mut g: MutexGuard<'a, St>,
        me: usize,
        to: usize,
    ) -> MutexGuard<'a, St> {
        g.turn = to;
        self.cvs[to].notify_one();
        self.wait_turn(g, me)
    }

    /// Starts `task` on the idle actor `slot` and waits for the turn to come back.
    pub fn start<'a>(
        &'a self,
        mut g: MutexGuard<'a, St>,
        slot: usize,
        task: Task,
    ) -> MutexGuard<'a, St> {
        g.busy[slot] = true;
        g.dead[slot] = false;
        g.tasks[slot] = Some(task);
        self.hand(g, CONTROLLER, slot + 1)
    }

    /// Ends the worker threads.
    pub fn shutdown(&self) {
        let mut g = self.lock();
        g.stop = true;
        for cv in &self.cvs {
            cv.notify_all();
        }
        drop(g);
    }

    /// The loop of worker `slot`: runs each task it is given, one turn at a time.
    pub fn worker(&self, slot: usize, w: &World) {
        let me = slot + 1;
        let mut g = self.lock();
        loop {
            g = self.wait_turn(g, me);
            if g.stop {
                return;
            }
            let Some(task) = g.tasks[slot].take() else {
                // The turn came without a task (cannot happen: `start` sets one).
                g.turn = CONTROLLER;
                self.cvs[CONTROLLER].notify_one();
                continue;
            };
            drop(g);
            let op = task.op;
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let (user, remaining) = ops::identity(&task.what);
                ops::execute(
                    &Actor::new(w, Some(self), slot, user, remaining),
                    &task.what,
                )
            }));
            g = self.lock();
            let crashed = g.dead[slot];
            let out = match out {
                Ok(result) => TaskOut {
                    result,
                    crashed,
                    panicked: None,
                },
                Err(p) => {
                    let msg = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_else(|| "panic".into());
                    TaskOut {
                        result: Err(format!("panic: {msg}")),
                        crashed,
                        panicked: Some(msg),
                    }
                }
            };
            g.done[slot] = Some((op, out));
            g.busy[slot] = false;
            g.turn = CONTROLLER;
            self.cvs[CONTROLLER].notify_one();
        }
    }

    /// A yield point of actor `slot` before a port call of kind `point`.
    pub fn point(&self, slot: usize, point: Point) -> Fault {
        let me = slot + 1;
        let mut g = self.lock();
        if g.dead[slot] || g.stop {
            return Fault::Dead;
        }
        g.stats.points += 1;
        let n_busy = g
            .busy
            .iter()
            .enumerate()
            .filter(|&(j, &b)| b && j != slot)
            .count();
        let candidates = n_busy + usize::from(g.controller_ready);
        if candidates > 0 {
            let p = g.switch;
            if g.rng.chance(p) {
                let k = g.rng.below(candidates as u64) as usize;
                let to = if k < n_busy {
                    g.busy
                        .iter()
                        .enumerate()
                        .filter(|&(j, &b)| b && j != slot)
                        .nth(k)
                        .map(|(j, _)| j + 1)
                        .unwrap_or(CONTROLLER)
                } else {
                    CONTROLLER
                };
                g.stats.switches += 1;
                g = self.hand(g, me, to);
                if g.stop {
                    return Fault::Dead;
                }
            }
        }
        let Some(r) = g.faults.clone() else {
            return Fault::None;
        };
        let rng = &mut g.rng;
        let f = match point {
            Point::Read => Fault::None,
            Point::Write | Point::Secret => {
                if rng.chance(r.crash) {
                    Fault::Dead
                } else {
                    Fault::None
                }
            }
            Point::Txn => {
                if rng.chance(r.crash) {
                    Fault::Dead
                } else if rng.chance(r.conflict) {
                    Fault::Conflict
                } else {
                    Fault::None
                }
            }
            Point::JiraRead | Point::JiraWrite | Point::EgressRead | Point::EgressWrite => {
                let x = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                let mut acc = 0.0;
                let mut pick = Fault::None;
                let write = matches!(point, Point::JiraWrite | Point::EgressWrite);
                for (p, f) in [
                    (
                        r.http5xx,
                        Fault::Http(if rng.chance(0.5) { 503 } else { 500 }),
                    ),
                    (r.rate_limited, Fault::RateLimited),
                    (r.timeout, Fault::Timeout),
                    (r.slow, Fault::Slow),
                    (if write { r.crash_after } else { 0.0 }, Fault::CrashAfter),
                    (r.crash, Fault::Dead),
                ] {
                    acc += p;
                    if x < acc {
                        pick = f;
                        break;
                    }
                }
                pick
            }
        };
        match f {
            Fault::Dead => {
                g.dead[slot] = true;
                g.stats.crashes += 1;
            }
            Fault::Conflict => g.stats.conflicts += 1,
            Fault::Http(_) => g.stats.http_errors += 1,
            Fault::RateLimited => g.stats.rate_limited += 1,
            Fault::Timeout => g.stats.timeouts += 1,
            Fault::Slow => g.stats.slow += 1,
            Fault::CrashAfter => g.stats.crash_after += 1,
            Fault::None => {}
        }
        f
    }

    /// Marks actor `slot` dead (after a call that happened: `CrashAfter`).
    pub fn kill(&self, slot: usize) {
        self.lock().dead[slot] = true;
    }
}
