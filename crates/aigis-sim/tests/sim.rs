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

#[test]
fn the_invariants_catch_what_they_name() {
    use aigis_sim::invariants::{self as inv, State};
    use aigis_sim::ports::World;
    use serde_json::{Value, json};
    let w = World::new(1).expect("world");
    aigis_sim::ops::setup(&w).expect("set-up");
    let st = State::read(&w, true);
    assert!(inv::every_step(&st).is_ok());
    assert!(inv::audit_log_verifies(&w).is_ok());
    assert!(!st.audit.is_empty());

    // Two open grants of one person for one tool, with no approved request.
    for id in ["g-1", "g-2"] {
        let g = json!({"id": id, "account": "acc-rita", "tool": "claude", "status": "active", "request": "1"});
        w.storage().raw_entity_set("grant", id, &g.to_string());
    }
    let st = State::read(&w, true);
    let name = |c: inv::Check| c.expect_err("must fail").invariant;
    assert_eq!(
        name(inv::one_open_grant_per_person_and_tool(&st)),
        "one_open_grant_per_person_and_tool"
    );
    assert_eq!(
        name(inv::grants_trace_to_approved_requests(&st)),
        "grants_trace_to_approved_requests"
    );
    assert_eq!(name(inv::audit_matches_state(&st)), "audit_matches_state");
    w.storage().raw_entity_delete("grant", "g-1");
    w.storage().raw_entity_delete("grant", "g-2");

    // A notice posted twice.
    let (issue, _) = w.jira().portal_request("acc-rita", "acc-rita", json!({}));
    let body = json!({"body": {}, "properties": [{"key": "aigis.notice", "value": {"id": "n-1"}}]})
        .to_string();
    for _ in 0..2 {
        w.jira().handle(
            None,
            "POST",
            &format!("/rest/api/3/issue/{issue}/comment"),
            Some(&body),
        );
    }
    assert_eq!(
        name(inv::notices_at_most_once(&State::read(&w, false))),
        "notices_at_most_once"
    );

    // An audit event rewritten after the fact.
    let (key, raw) = w.storage().entities_of("audit")[0].clone();
    let mut e: Value = serde_json::from_str(&raw).expect("event");
    e["actor"] = json!("acc-mallory");
    w.storage().raw_entity_set("audit", &key, &e.to_string());
    assert_eq!(name(inv::audit_log_verifies(&w)), "audit_log_verifies");
}
