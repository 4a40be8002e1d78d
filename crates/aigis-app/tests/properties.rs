//! Property-based: random sequences of requests, event deliveries,
//! decisions, extensions, revocations, job outcomes, runner runs and clock
//! jumps, with the invariants checked after every step.

mod common;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

const TOOLS: [&str; 3] = ["claude", "gemini", "copilot"];
const REQUESTERS: [&str; 3] = ["rita", "sam", "arlo"];
const DECIDERS: [&str; 4] = ["arlo", "bea", "ada", "rita"];
const HOUR: i64 = 3_600_000;

#[derive(Debug, Clone)]
enum Op {
    /// Files a request; the created-issue event is delivered once or twice.
    File {
        who: usize,
        tool: usize,
        days: u32,
        twice: bool,
    },
    Approve {
        who: usize,
        pick: usize,
    },
    Deny {
        who: usize,
        pick: usize,
    },
    Bulk {
        who: usize,
        picks: Vec<usize>,
        approve: bool,
    },
    Extend {
        who: usize,
        pick: usize,
        days: u32,
    },
    Revoke {
        who: usize,
        pick: usize,
    },
    /// Completes a manual job (with its kind's outcome, or a wrong one).
    Complete {
        who: usize,
        pick: usize,
        right: bool,
    },
    Sweep {
        twice: bool,
    },
    Jump {
        hours: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..3usize, 0..3usize, prop_oneof![1 => Just(0u32), 8 => 1..30u32, 1 => Just(400u32)], any::<bool>())
            .prop_map(|(who, tool, days, twice)| Op::File { who, tool, days, twice }),
        4 => (0..4usize, any::<usize>()).prop_map(|(who, pick)| Op::Approve { who, pick }),
        1 => (0..4usize, any::<usize>()).prop_map(|(who, pick)| Op::Deny { who, pick }),
        1 => (0..4usize, prop::collection::vec(any::<usize>(), 1..4), any::<bool>())
            .prop_map(|(who, picks, approve)| Op::Bulk { who, picks, approve }),
        1 => (0..4usize, any::<usize>(), prop_oneof![1..30u32, Just(0u32), Just(500u32)])
            .prop_map(|(who, pick, days)| Op::Extend { who, pick, days }),
        1 => (0..4usize, any::<usize>()).prop_map(|(who, pick)| Op::Revoke { who, pick }),
        4 => (0..4usize, any::<usize>(), prop::bool::weighted(0.85))
            .prop_map(|(who, pick, right)| Op::Complete { who, pick, right }),
        2 => any::<bool>().prop_map(|twice| Op::Sweep { twice }),
        2 => prop_oneof![1..24i64, 24..24 * 40i64].prop_map(|hours| Op::Jump { hours }),
    ]
}

fn world() -> World {
    let w = World::configured();
    for (id, name, risk) in [
        ("gemini", "Gemini", "medium"),
        ("copilot", "Copilot", "low"),
    ] {
        w.ok(
            "ada",
            "catalog.add",
            json!({"id": id, "name": name, "provider": "X", "status": "approved", "risk": risk}),
        );
    }
    w
}

fn pick(items: &[Value], i: usize) -> Option<&Value> {
    if items.is_empty() {
        None
    } else {
        Some(&items[i % items.len()])
    }
}

fn sorted(w: &World, entity: &str) -> Vec<Value> {
    let mut v = w.entities(entity);
    v.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    v
}

fn run(w: &World, op: &Op) -> Result<(), String> {
    // Errors of the operations themselves are allowed (refusals are part of
    // the game); an internal error is not.
    let check = |r: Result<Value, aigis_app::AppError>| match r {
        Err(e) if e.code == "internal" || e.code == "unavailable" => Err(format!("{op:?}: {e:?}")),
        _ => Ok(()),
    };
    match op {
        Op::File {
            who,
            tool,
            days,
            twice,
        } => {
            w.portal_request(REQUESTERS[*who], World::snapshot(TOOLS[*tool], *days));
            for e in w.sim.pending_events().expect("events") {
                w.deliver(&e.payload);
                if *twice {
                    w.deliver(&e.payload);
                }
                w.sim.ack_event(e.id).expect("ack");
            }
            Ok(())
        }
        Op::Approve { who, pick: i } | Op::Deny { who, pick: i } => {
            let pending: Vec<Value> = sorted(w, "request")
                .into_iter()
                .filter(|r| r["decision"] == "pending")
                .collect();
            let Some(r) = pick(&pending, *i) else {
                return Ok(());
            };
            let (key, payload) = if matches!(op, Op::Approve { .. }) {
                ("requests.approve", json!({"requestId": r["id"]}))
            } else {
                (
                    "requests.deny",
                    json!({"requestId": r["id"], "rationale": "Not now"}),
                )
            };
            check(w.invoke(DECIDERS[*who], key, payload.clone()))?;
            // A retried decision changes nothing.
            let head = w.entities("audit").len();
            let grants = w.entities("grant").len();
            let _ = w.invoke(DECIDERS[*who], key, payload);
            if w.entities("audit").len() != head || w.entities("grant").len() != grants {
                return Err(format!("retrying {op:?} wrote again"));
            }
            Ok(())
        }
        Op::Bulk {
            who,
            picks,
            approve,
        } => {
            let all = sorted(w, "request");
            let ids: BTreeSet<&str> = picks
                .iter()
                .filter_map(|i| pick(&all, *i))
                .filter_map(|r| r["id"].as_str())
                .collect();
            if ids.is_empty() {
                return Ok(());
            }
            check(w.invoke(
                DECIDERS[*who],
                "requests.decide",
                json!({"requestIds": ids, "decision": if *approve {"approve"} else {"deny"}, "rationale": "Batch"}),
            ))
        }
        Op::Extend { who, pick: i, days } => {
            let grants = sorted(w, "grant");
            let Some(g) = pick(&grants, *i) else {
                return Ok(());
            };
            check(w.invoke(
                DECIDERS[*who],
                "grants.extend",
                json!({"grantId": g["id"], "days": days, "rationale": "Longer"}),
            ))
        }
        Op::Revoke { who, pick: i } => {
            let grants = sorted(w, "grant");
            let Some(g) = pick(&grants, *i) else {
                return Ok(());
            };
            check(w.invoke(
                DECIDERS[*who],
                "grants.revoke",
                json!({"grantId": g["id"], "rationale": "No longer needed"}),
            ))
        }
        Op::Complete {
            who,
            pick: i,
            right,
        } => {
            let jobs: Vec<Value> = sorted(w, "job")
                .into_iter()
                .filter(|j| j["status"] == "manualPending" || j["status"] == "queued")
                .collect();
            let Some(j) = pick(&jobs, *i) else {
                return Ok(());
            };
            let outcome = match (j["kind"].as_str(), right) {
                (Some("provision"), true) => "fulfilled",
                (Some("deprovision"), true) => "deprovisioned",
                (Some("check"), true) => "verified",
                (Some("provision"), false) => "deprovisioned",
                _ => "fulfilled",
            };
            check(w.invoke(
                DECIDERS[*who],
                "jobs.complete",
                json!({"jobId": j["id"], "outcome": outcome}),
            ))
        }
        Op::Sweep { twice } => {
            w.sweep();
            if *twice {
                // A rerun at the same time finds nothing left to do.
                let head = w.entities("audit").len();
                let s = w.sweep();
                if w.entities("audit").len() != head {
                    return Err(format!("a second sweep at the same time wrote: {s}"));
                }
            }
            Ok(())
        }
        Op::Jump { hours } => {
            w.set_now(w.runtime.now.get() + hours * HOUR);
            Ok(())
        }
    }
}

/// What the invariants compare from one step to the next.
#[derive(Default)]
struct Seen {
    /// entity:id → the fields whose change must be audited.
    state: BTreeMap<String, Value>,
    audit_len: usize,
}

fn observe(w: &World) -> Seen {
    let mut state = BTreeMap::new();
    for g in w.entities("grant") {
        state.insert(
            format!("grant:{}", g["id"].as_str().unwrap()),
            json!([g["status"], g["expiresAt"]]),
        );
    }
    for r in w.entities("request") {
        state.insert(
            format!("request:{}", r["id"].as_str().unwrap()),
            json!([r["decision"]]),
        );
    }
    for j in w.entities("job") {
        state.insert(
            format!("job:{}", j["id"].as_str().unwrap()),
            json!([j["status"]]),
        );
    }
    Seen {
        state,
        audit_len: w.entities("audit").len(),
    }
}

fn invariants(w: &World, op: &Op, before: &Seen) -> Result<Seen, String> {
    let grants = w.entities("grant");
    let requests: BTreeMap<String, Value> = w
        .entities("request")
        .into_iter()
        .map(|r| (r["id"].as_str().unwrap().to_owned(), r))
        .collect();
    // At most one open grant per person and tool.
    let mut open = BTreeSet::new();
    for g in &grants {
        if g["status"] == "pendingProvision" || g["status"] == "active" {
            let k = (g["account"].to_string(), g["tool"].to_string());
            if !open.insert(k) {
                return Err(format!("two open grants for {g}"));
            }
        }
    }
    // Right after a runner run, nothing active is past its expiry.
    if matches!(op, Op::Sweep { .. }) {
        let now = w.runtime.now.get();
        if let Some(g) = grants
            .iter()
            .find(|g| g["status"] == "active" && g["expiresAt"].as_i64().unwrap() <= now)
        {
            return Err(format!("active past expiry after a run: {g}"));
        }
    }
    // Every grant traces to an approved request that names it.
    for g in &grants {
        let r = requests
            .get(g["request"].as_str().unwrap())
            .ok_or_else(|| format!("grant without request: {g}"))?;
        if r["decision"] != "approved" || r["grant"] != g["id"] {
            return Err(format!("grant {g} does not trace to approved request {r}"));
        }
    }
    // Every state change has its audit event.
    let now = observe(w);
    let audit = w.entities("audit");
    let fresh: BTreeSet<&str> = audit
        .iter()
        .filter(|e| e["seq"].as_u64().unwrap() as usize > before.audit_len)
        .filter_map(|e| e["subject"].as_str())
        .collect();
    for (subject, state) in &now.state {
        if before.state.get(subject) != Some(state) && !fresh.contains(subject.as_str()) {
            return Err(format!(
                "{subject} changed ({:?} -> {state}) without an audit event",
                before.state.get(subject)
            ));
        }
    }
    let report = w.verify();
    if !report.intact {
        return Err(format!("audit chain broken: {report:?}"));
    }
    Ok(now)
}

#[test]
fn random_lifecycles_keep_the_invariants() {
    let config = Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[42; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    // How far the random walks got, so the test cannot pass by doing nothing.
    let reached = std::cell::RefCell::new(BTreeMap::<String, u32>::new());
    runner
        .run(&prop::collection::vec(op(), 1..50), |ops| {
            let w = world();
            let mut seen = observe(&w);
            for (i, op) in ops.iter().enumerate() {
                run(&w, op).map_err(|e| TestCaseError::fail(format!("step {i}: {e}")))?;
                seen = invariants(&w, op, &seen)
                    .map_err(|e| TestCaseError::fail(format!("step {i} {op:?}: {e}")))?;
            }
            let mut reached = reached.borrow_mut();
            for e in w.entities("audit") {
                *reached
                    .entry(e["action"].as_str().unwrap().to_owned())
                    .or_default() += 1;
            }
            Ok(())
        })
        .unwrap();
    let reached = reached.into_inner();
    eprintln!("audit actions reached: {reached:?}");
    for action in [
        "request.approved",
        "request.denied",
        "grant.activated",
        "grant.expired",
        "grant.extended",
        "grant.revoked",
        "job.completed",
    ] {
        assert!(
            reached.contains_key(action),
            "no case reached {action}: {reached:?}"
        );
    }
}
