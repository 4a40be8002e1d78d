//! A deterministic simulation of the whole application, in the spirit of
//! FoundationDB's simulator and TigerBeetle's VOPR.
//!
//! One seed drives everything: the operations (`ops`: requests through the
//! issue-created trigger, decisions single and bulk, extensions,
//! revocations, review answers, job completions, configuration and
//! governance changes, exports, sweeps, clock jumps), the interleaving of
//! several concurrent actors at every port call (`sched`), and the faults
//! (crashes, transaction conflicts, Jira and identity-provider errors,
//! rate limits, timeouts and slow calls, duplicated and reordered events,
//! doubled and skipped runs, out-of-band group changes). `aigis-app` runs
//! unchanged over the platform ports (`ports`): the in-memory storage of
//! `aigis-platform`, an in-process Jira (`jira`) and, for connected tools,
//! the Okta and Graph simulators behind egress (`idp`). The invariants
//! (`invariants`) are checked after every step and at the end; a failure
//! shrinks (`shrink`) and prints the command that replays it.

pub mod idp;
pub mod invariants;
pub mod jira;
pub mod ops;
pub mod ports;
pub mod regressions;
pub mod rng;
pub mod run;
pub mod sched;
pub mod shrink;

pub use run::{Config, Report, run};

/// The one-line command that replays a case.
pub fn replay_command(seed: u64, ops: usize, keep: Option<&[usize]>) -> String {
    let mut cmd = format!("cargo run --release -p aigis-sim -- --seed {seed} --ops {ops}");
    if let Some(k) = keep {
        let list: Vec<String> = k.iter().map(usize::to_string).collect();
        cmd.push_str(&format!(" --keep {}", list.join(",")));
    }
    cmd
}
