//! Two connections (as two processes would) sharing one database file, and
//! internal failures that must not leak into answers.

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};

use aigis_jira_sim::JiraSim;
use serde_json::json;

use super::*;

#[test]
fn two_connections_racing_to_comment_never_collide() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("jira.db");
    let first = JiraSim::open(&db).expect("open");
    let site = first.seed_demo().expect("seed");
    let second = JiraSim::open(&db).expect("open again");
    assert_eq!(second.seed_demo().expect("seed again"), site);
    let (_, key) = create_request(&first, &site, "rita");
    let sims = [Arc::new(first), Arc::new(second)];
    const PER_WRITER: usize = 25;
    let barrier = Arc::new(Barrier::new(sims.len()));
    let path = format!("/rest/api/3/issue/{key}/comment");
    let threads: Vec<_> = sims
        .iter()
        .enumerate()
        .map(|(n, sim)| {
            let (sim, barrier, path) = (sim.clone(), barrier.clone(), path.clone());
            std::thread::spawn(move || {
                barrier.wait();
                (0..PER_WRITER)
                    .map(|i| {
                        let body = json!({"body": adf(&format!("writer {n} comment {i}"))});
                        let r = sim.handle_as(None, "POST", &path, &[], Some(&body.to_string()));
                        (
                            r.status,
                            r.json()["id"].as_str().unwrap_or_default().to_string(),
                            r.body,
                        )
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut ids = BTreeSet::new();
    for t in threads {
        for (status, id, body) in t.join().expect("writer thread") {
            assert_eq!(status, 201, "{body}");
            assert!(ids.insert(id.clone()), "comment id {id} given twice");
        }
    }
    assert_eq!(ids.len(), 2 * PER_WRITER);
    // Both connections see all of them.
    for sim in &sims {
        let page = sim.handle_as(None, "GET", &path, &[], None).json();
        assert_eq!(page["total"], 2 * PER_WRITER);
    }
    // Issues created from both sides get distinct keys too.
    let mut keys = BTreeSet::new();
    for sim in &sims {
        keys.insert(create_request(sim, &site, "sam").1);
    }
    assert_eq!(keys.len(), 2);
}

#[test]
fn an_internal_failure_is_a_generic_500() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("jira.db");
    let sim = JiraSim::open(&db).expect("open");
    let site = sim.seed_demo().expect("seed");
    sim.set_clock(T0);
    let (_, key) = create_request(&sim, &site, "rita");
    // Break the database behind the simulator's back.
    let raw = rusqlite::Connection::open(&db).expect("raw connection");
    raw.execute_batch("DROP TABLE comments; UPDATE issue_properties SET value = 'not json';")
        .expect("sabotage");
    for (method, path, body) in [
        ("GET", format!("/rest/api/3/issue/{key}/comment"), None),
        (
            "POST",
            format!("/rest/api/3/issue/{key}/comment"),
            Some(json!({"body": adf("x")})),
        ),
        (
            "GET",
            format!("/rest/api/3/issue/{key}/properties/aigis.snapshot.v1"),
            None,
        ),
    ] {
        let r = call(&sim, &site, "ada", method, &path, body);
        assert_eq!(r.status, 500, "{method} {path}: {}", r.body);
        let v = r.json();
        assert_eq!(
            v,
            json!({"errorMessages": ["Internal server error. The request could not be completed."], "errors": {}})
        );
        let lower = r.body.to_lowercase();
        for word in [
            "sql", "sqlite", "table", "rusqlite", "serde", "json", "comments",
        ] {
            assert!(
                !lower.contains(word),
                "{path}: answer mentions {word}: {}",
                r.body
            );
        }
    }
    // JSM routes answer their own shape.
    raw.execute_batch("DROP TABLE request_types;")
        .expect("sabotage");
    let r = call(
        &sim,
        &site,
        "rita",
        "GET",
        "/rest/servicedeskapi/servicedesk/1/requesttype",
        None,
    );
    assert_eq!(r.status, 500);
    assert_eq!(
        r.json()["errorMessage"],
        "Internal server error. The request could not be completed."
    );
    assert!(!r.body.to_lowercase().contains("sql"));
}
