//! Connector jobs through the plug-in point, backoff, dead letters, claims
//! under concurrent runners, and pruning of finished jobs.

mod common;

use aigis_app::jobs::connector::{self, Connector, Outcome};
use aigis_core::model::{Grant, Job};
use aigis_platform::*;
use common::*;
use serde_json::{Value, json};
use std::cell::RefCell;
use std::sync::Arc;
use std::sync::Mutex;

/// A fake connector answering from a script, counting its calls.
struct Fake {
    script: Mutex<Vec<Outcome>>,
    calls: Mutex<u32>,
}

impl Fake {
    fn new(script: Vec<Outcome>) -> Arc<Fake> {
        Arc::new(Fake {
            script: Mutex::new(script),
            calls: Mutex::new(0),
        })
    }
    fn next(&self) -> Outcome {
        *self.calls.lock().unwrap() += 1;
        let mut s = self.script.lock().unwrap();
        if s.len() > 1 {
            s.remove(0)
        } else {
            s[0].clone()
        }
    }
    fn calls(&self) -> u32 {
        *self.calls.lock().unwrap()
    }
}

impl Connector for Fake {
    fn provision(&self, _: &Platform, _: &Job, _: &Grant) -> Outcome {
        self.next()
    }
    fn deprovision(&self, _: &Platform, _: &Job, _: &Grant) -> Outcome {
        self.next()
    }
    fn check(&self, _: &Platform, _: &Job, _: &Grant) -> Outcome {
        self.next()
    }
}

/// An approved request whose provisioning job goes through connector `name`.
fn connector_job(w: &World, name: &str) -> String {
    let (issue, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    w.ok("arlo", "requests.approve", json!({"requestId": issue}));
    let mut job = w.entities("job")[0].clone();
    job["mode"] = json!({"type": "connector", "connector": name});
    let id = job["id"].as_str().unwrap().to_owned();
    w.storage.raw_entity_set("job", &id, &job.to_string());
    id
}

fn job(w: &World, id: &str) -> Value {
    w.entities("job")
        .into_iter()
        .find(|j| j["id"] == id)
        .unwrap()
}

#[test]
fn success_activates_the_grant() {
    let w = World::configured();
    let fake = Fake::new(vec![Outcome::Ok]);
    connector::register("fake-ok", fake.clone());
    let id = connector_job(&w, "fake-ok");
    let s = w.sweep();
    assert_eq!(s["jobsAdvanced"], 1);
    assert_eq!(job(&w, &id)["status"], "succeeded");
    let g = &w.entities("grant")[0];
    assert_eq!(g["status"], "active");
    assert_eq!(g["expiresAt"], T0 + 10 * DAY);
    assert_eq!(fake.calls(), 1);
    // A second run does nothing more.
    w.sweep();
    assert_eq!(fake.calls(), 1);
    assert!(w.verify().intact);
}

#[test]
fn retryable_failures_back_off_exponentially_then_dead_letter() {
    let w = World::configured();
    let fake = Fake::new(vec![Outcome::Retryable("timeout".into(), None)]);
    connector::register("fake-retry", fake.clone());
    let id = connector_job(&w, "fake-retry");
    let mut now = T0;
    let mut waits = vec![];
    for attempt in 1..=4 {
        w.sweep();
        let j = job(&w, &id);
        assert_eq!(j["status"], "retry", "attempt {attempt}: {j}");
        assert_eq!(j["attempts"], attempt);
        let due = j["dueAt"].as_i64().unwrap();
        waits.push(due - now);
        // Not due yet: nothing happens.
        w.sweep();
        assert_eq!(fake.calls(), attempt);
        now = due;
        w.set_now(now);
    }
    assert!(waits.windows(2).all(|p| p[1] == 2 * p[0]), "{waits:?}");
    w.sweep();
    let j = job(&w, &id);
    assert_eq!(j["status"], "deadLetter");
    assert_eq!(j["attempts"], 5);
    assert_eq!(w.entities("grant")[0]["status"], "pendingProvision");
}

#[test]
fn terminal_failure_dead_letters_at_once() {
    let w = World::configured();
    let fake = Fake::new(vec![Outcome::Terminal("no such user".into())]);
    connector::register("fake-terminal", fake.clone());
    let id = connector_job(&w, "fake-terminal");
    w.sweep();
    let j = job(&w, &id);
    assert_eq!(j["status"], "deadLetter");
    assert_eq!(j["note"], "no such user");
    w.set_now(T0 + DAY);
    w.sweep();
    assert_eq!(fake.calls(), 1);
}

#[test]
fn unknown_connector_dead_letters() {
    let w = World::configured();
    let id = connector_job(&w, "not-registered");
    w.sweep();
    assert_eq!(job(&w, &id)["status"], "deadLetter");
}

#[test]
fn a_runner_that_died_mid_call_is_taken_over_after_the_lease() {
    let w = World::configured();
    let fake = Fake::new(vec![Outcome::Ok]);
    connector::register("fake-lease", fake.clone());
    let id = connector_job(&w, "fake-lease");
    let mut j = job(&w, &id);
    j["status"] = json!("running");
    j["attempts"] = json!(1);
    j["dueAt"] = json!(T0 + 15 * 60_000);
    w.storage.raw_entity_set("job", &id, &j.to_string());
    w.sweep();
    assert_eq!(job(&w, &id)["status"], "running", "lease still held");
    w.set_now(T0 + 16 * 60_000);
    w.sweep();
    assert_eq!(job(&w, &id)["status"], "retry");
    w.set_now(T0 + 2 * 3_600_000);
    w.sweep();
    assert_eq!(job(&w, &id)["status"], "succeeded");
    assert_eq!(fake.calls(), 1);
}

#[test]
fn concurrent_runners_do_not_run_a_job_twice() {
    let w = World::configured();
    let fake = Fake::new(vec![Outcome::Ok]);
    connector::register("fake-race", fake.clone());
    let id = connector_job(&w, "fake-race");
    let jira = SimJira {
        sim: &w.sim,
        user: RefCell::new(None),
        calls: RefCell::default(),
    };
    fn platform<'a>(w: &'a World, jira: &'a dyn Jira, storage: &'a dyn Storage) -> Platform<'a> {
        Platform {
            storage,
            secrets: &w.secrets,
            jira,
            egress: &w.egress,
            queue: &w.queue,
            runtime: &w.runtime,
            random: &w.random,
        }
    }
    let competing = || {
        let out = aigis_app::on_schedule(platform(&w, &jira, &w.storage), "jobRunner", "{}", "{}");
        assert!(out.is_ok(), "{out:?}");
    };
    let racing = Interleave {
        inner: &w.storage,
        before_commit: RefCell::new(Some(Box::new(competing))),
    };
    aigis_app::on_schedule(platform(&w, &jira, &racing), "jobRunner", "{}", "{}").unwrap();
    assert_eq!(fake.calls(), 1, "the connector ran once");
    assert_eq!(job(&w, &id)["status"], "succeeded");
    assert!(w.verify().intact);
}

#[test]
fn pruning_reads_only_what_is_due() {
    let w = World::configured();
    // 30 old finished jobs, 500 recent ones, 40 still queued in the future.
    let put = |i: usize, status: &str, updated: i64| {
        let j = json!({"id": format!("x-{i}"), "kind": "provision", "grant": "g-x",
            "mode": {"type": "manual"}, "status": status, "attempts": 1,
            "dueAt": T0 + 365 * DAY, "createdAt": updated, "updatedAt": updated});
        w.storage
            .raw_entity_set("job", &format!("x-{i}"), &j.to_string());
    };
    for i in 0..30 {
        put(
            i,
            ["succeeded", "completed", "deadLetter"][i % 3],
            T0 - 100 * DAY,
        );
    }
    for i in 30..530 {
        put(i, "succeeded", T0 - 10 * DAY);
    }
    for i in 530..570 {
        put(i, "queued", T0 - 200 * DAY);
    }
    let before = w.storage.calls.get();
    let s = w.sweep();
    let used = w.storage.calls.get() - before;
    assert_eq!(s["jobsPruned"], 30, "{s}");
    assert_eq!(w.entities("job").len(), 540);
    // Cost follows the 30 due, not the 570 stored.
    assert!(used < 120, "{used} storage calls");
    assert!(
        w.entities("audit")
            .iter()
            .any(|e| e["action"] == "jobs.pruned")
    );
    assert_eq!(w.sweep()["jobsPruned"], 0);
    assert!(w.verify().intact);
}
