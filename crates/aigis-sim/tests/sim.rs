//! The simulator's own tests: the kept regression seeds, determinism, a
//! few seeds end to end, and that the invariants do catch what they name.

use aigis_sim::regressions::REGRESSIONS;
use aigis_sim::{Config, run};

#[test]
fn regression_seeds_pass() {
    for r in REGRESSIONS {
        let keep = (!r.keep.is_empty()).then(|| r.keep.to_vec());
        let report = run(&Config {
            seed: r.seed,
            ops: r.ops,
            keep,
        });
        assert!(
            report.failure.is_none(),
            "seed {} ({}) fails again: {:?}",
            r.seed,
            r.found,
            report.failure
        );
        assert!(report.steps > 0);
    }
}

#[test]
fn a_seed_replays_identically() {
    let a = run(&Config {
        seed: 11,
        ops: 80,
        keep: None,
    });
    let b = run(&Config {
        seed: 11,
        ops: 80,
        keep: None,
    });
    assert_eq!(
        (
            a.steps,
            a.ok_ops,
            a.failed_ops,
            a.stats.points,
            a.stats.switches
        ),
        (
            b.steps,
            b.ok_ops,
            b.failed_ops,
            b.stats.points,
            b.stats.switches
        )
    );
    assert_eq!(
        a.failure.map(|f| f.violation),
        b.failure.map(|f| f.violation)
    );
}

#[test]
fn seeds_hold_every_invariant_and_meet_faults() {
    let mut faults = 0;
    for seed in 100..112 {
        let r = run(&Config {
            seed,
            ops: 120,
            keep: None,
        });
        assert!(
            r.failure.is_none(),
            "seed {seed}: {:?}\n  replay: {}",
            r.failure,
            aigis_sim::replay_command(seed, 120, None)
        );
        faults += r.stats.crashes + r.stats.conflicts + r.stats.http_errors + r.stats.timeouts;
        assert!(r.stats.switches > 0, "seed {seed} never interleaved");
    }
    assert!(faults > 0, "no fault was injected in twelve seeds");
}
