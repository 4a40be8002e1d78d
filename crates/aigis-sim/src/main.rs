//! `aigis-sim`: runs seeds of the deterministic simulation.
//!
//! `aigis-sim --seeds 2000 --ops 200` runs seeds 0..2000; `--seed N` one
//! seed; `--keep 3,7,9` only those operations of its list (a shrunk case).
//! A failure prints its seed, shrinks, and prints the command replaying it.

use aigis_sim::{Config, replay_command, run, shrink};
use clap::Parser;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

#[derive(Parser)]
#[command(about = "Deterministic simulation of Aigis under faults")]
struct Args {
    /// Run this one seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Number of seeds to run (from --start).
    #[arg(long, default_value_t = 100)]
    seeds: u64,
    #[arg(long, default_value_t = 0)]
    start: u64,
    /// Operations per seed.
    #[arg(long, default_value_t = 200)]
    ops: usize,
    /// Only these indices of the generated list (comma-separated).
    #[arg(long, value_delimiter = ',')]
    keep: Option<Vec<usize>>,
    /// Simulations run at once.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
    /// Do not shrink a failure.
    #[arg(long)]
    no_shrink: bool,
    /// Print simulated operations per second.
    #[arg(long)]
    bench: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let seeds: Vec<u64> = match args.seed {
        Some(s) => vec![s],
        None => (args.start..args.start + args.seeds).collect(),
    };
    let began = Instant::now();
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let totals = Mutex::new((0u64, aigis_sim::sched::Stats::default(), 0u64, 0u64));
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|sc| {
        for _ in 0..args.jobs.max(1) {
            sc.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst) as usize;
                    if i >= seeds.len() || stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let seed = seeds[i];
                    let r = run(&Config {
                        seed,
                        ops: args.ops,
                        keep: args.keep.clone(),
                    });
                    let mut t = totals.lock().unwrap_or_else(|e| e.into_inner());
                    t.0 += r.steps;
                    t.1.add(&r.stats);
                    t.2 += r.ok_ops;
                    t.3 += r.failed_ops;
                    drop(t);
                    if let Some(f) = r.failure {
                        stop.store(true, Ordering::SeqCst);
                        failures
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((seed, f));
                    }
                }
            });
        }
    });
    let secs = began.elapsed().as_secs_f64();
    let (steps, stats, ok, failed) = totals.into_inner().unwrap_or_else(|e| e.into_inner());
    let failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    let ran = next.load(Ordering::SeqCst).min(seeds.len() as u64);
    println!(
        "aigis-sim: {ran} seeds x {} operations: {steps} steps ({ok} answered, {failed} failed under faults) in {secs:.1} s",
        args.ops
    );
    println!(
        "  yield points {}, switches {}, crashes {}, conflicts {}, jira 5xx {}, 429 {}, timeouts {}, slow {}, crash after call {}",
        stats.points,
        stats.switches,
        stats.crashes,
        stats.conflicts,
        stats.http_errors,
        stats.rate_limited,
        stats.timeouts,
        stats.slow,
        stats.crash_after
    );
    if args.bench {
        println!(
            "  simulated operations per second: {:.0}",
            steps as f64 / secs
        );
    }
    let Some((seed, f)) = failures.into_iter().min_by_key(|(s, _)| *s) else {
        return Ok(());
    };
    println!(
        "FAILED seed {seed}: {} — {} (after operation {:?})",
        f.violation.invariant, f.violation.detail, f.after_op
    );
    println!(
        "  replay: {}",
        replay_command(seed, args.ops, args.keep.as_deref())
    );
    if !args.no_shrink && args.keep.is_none() {
        let keep = shrink::shrink(seed, args.ops, f.violation.invariant, f.after_op, 400);
        let ops = aigis_sim::run::operations(seed, args.ops);
        println!("  shrunk to {} operations:", keep.len());
        for i in &keep {
            println!("    {i}: {:?}", ops[*i]);
        }
        println!("  replay: {}", replay_command(seed, args.ops, Some(&keep)));
    }
    std::process::exit(1);
}
