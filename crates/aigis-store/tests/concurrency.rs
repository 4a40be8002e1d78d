//! Several handles and threads on one database file.

mod common;

use aigis_platform::{Condition, EntitySchema, Secrets, SetOptions, Storage, StorageError, TxnOp};
use aigis_store::Store;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::{Arc, Barrier};

fn schemas() -> Vec<EntitySchema> {
    serde_json::from_value(json!([{
        "name": "counter",
        "attributes": {"seq": {"type": "integer"}},
        "indexes": [{"name": "by-seq", "range": ["seq"]}]
    }]))
    .unwrap()
}

fn read_seq(s: &dyn Storage) -> i64 {
    let raw = s
        .entity_get("counter", "c")
        .unwrap()
        .expect("counter exists");
    serde_json::from_str::<Value>(&raw).unwrap()["seq"]
        .as_i64()
        .unwrap()
}

/// 200 compare-and-set increments: read seq, write seq+1 only if seq is
/// still what was read; retry when another writer got there first.
/// Returns how many attempts lost the race.
fn increments(s: &dyn Storage, n: usize, barrier: &Barrier) -> usize {
    barrier.wait();
    let mut conflicts = 0;
    for _ in 0..n {
        loop {
            let seq = read_seq(s);
            let op = TxnOp::Set {
                key: "c".into(),
                entity: Some("counter".into()),
                value: json!({ "seq": seq + 1 }).to_string(),
                conditions: vec![Condition::equal("seq", json!(seq))],
            };
            match s.transact(&[op]) {
                Ok(()) => break,
                Err(StorageError::ConditionFailed) => conflicts += 1,
                Err(e) => panic!("transact failed: {e}"),
            }
        }
    }
    conflicts
}

fn seed(path: &Path) -> Store {
    let s = Store::open(path, schemas()).unwrap();
    s.entity_set("counter", "c", r#"{"seq":0}"#).unwrap();
    s
}

#[test]
fn no_lost_update_with_two_threads_on_one_store() {
    let dir = common::TempDir::new("cas-shared");
    let store = Arc::new(seed(&dir.file("db.sqlite")));
    let barrier = Arc::new(Barrier::new(2));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (store, barrier) = (Arc::clone(&store), Arc::clone(&barrier));
            std::thread::spawn(move || increments(&*store, 200, &barrier))
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    assert_eq!(read_seq(&*store), 400);
}

/// Each thread with its own connection, as two processes would have: the
/// SQLite write lock (BEGIN IMMEDIATE + busy timeout) is what serialises them.
#[test]
fn no_lost_update_with_two_connections_on_one_file() {
    let dir = common::TempDir::new("cas-separate");
    let path = dir.file("db.sqlite");
    let first = seed(&path);
    let barrier = Arc::new(Barrier::new(2));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let path = path.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let own = Store::open(&path, schemas()).unwrap();
                increments(&own, 200, &barrier)
            })
        })
        .collect();
    let conflicts: usize = workers.into_iter().map(|w| w.join().unwrap()).sum();
    assert_eq!(read_seq(&first), 400, "{conflicts} conflicts were retried");
}

#[test]
fn two_handles_on_one_file_see_each_others_writes() {
    let dir = common::TempDir::new("two-handles");
    let path = dir.file("db.sqlite");
    let server = Store::open(&path, schemas()).unwrap();
    let cli = Store::open(&path, schemas()).unwrap();
    server.set("k", "1", SetOptions::default()).unwrap();
    assert_eq!(cli.get("k").unwrap().as_deref(), Some("1"));
    cli.entity_set("counter", "c", r#"{"seq":7}"#).unwrap();
    assert_eq!(read_seq(&server), 7);
    // fail-if-exists holds across handles.
    let once = SetOptions {
        fail_if_exists: true,
    };
    assert_eq!(cli.set("k", "2", once), Err(StorageError::KeyExists));
    cli.delete("k").unwrap();
    assert_eq!(server.get("k").unwrap(), None);
    server.set("k", "3", once).unwrap();
    assert_eq!(cli.get("k").unwrap().as_deref(), Some("3"));
    // Transactions and queries too.
    cli.transact(&[TxnOp::Set {
        key: "c".into(),
        entity: Some("counter".into()),
        value: r#"{"seq":8}"#.into(),
        conditions: vec![Condition::equal("seq", json!(7))],
    }])
    .unwrap();
    let q = aigis_platform::EntityQuery {
        entity: "counter".into(),
        index: "by-seq".into(),
        limit: 10,
        ..Default::default()
    };
    let page = server.entity_query(&q).unwrap();
    assert_eq!(
        page.items,
        vec![("c".to_owned(), r#"{"seq":8}"#.to_owned())]
    );
    // Secrets too.
    server.set_secret("token", "s3cret").unwrap();
    assert_eq!(cli.get_secret("token").unwrap().as_deref(), Some("s3cret"));
    drop(server);
    drop(cli);
    // And a reopened file keeps everything.
    let reopened = Store::open(&path, schemas()).unwrap();
    assert_eq!(reopened.get("k").unwrap().as_deref(), Some("3"));
    assert_eq!(read_seq(&reopened), 8);
    assert_eq!(
        reopened.get_secret("token").unwrap().as_deref(),
        Some("s3cret")
    );
}

#[test]
fn a_changed_index_declaration_is_rebuilt_on_open() {
    let dir = common::TempDir::new("reindex");
    let path = dir.file("db.sqlite");
    let s = Store::open(&path, schemas()).unwrap();
    s.entity_set("counter", "a", r#"{"seq":2,"alt":1}"#)
        .unwrap();
    s.entity_set("counter", "b", r#"{"seq":1,"alt":2}"#)
        .unwrap();
    drop(s);
    let changed: Vec<EntitySchema> = serde_json::from_value(json!([{
        "name": "counter",
        "attributes": {"seq": {"type": "integer"}, "alt": {"type": "integer"}},
        "indexes": [{"name": "by-seq", "range": ["alt"]}]
    }]))
    .unwrap();
    let s = Store::open(&path, changed).unwrap();
    let q = aigis_platform::EntityQuery {
        entity: "counter".into(),
        index: "by-seq".into(),
        limit: 10,
        ..Default::default()
    };
    let keys: Vec<String> = s
        .entity_query(&q)
        .unwrap()
        .items
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys, ["a", "b"]);
}

const CHILD_DB: &str = "AIGIS_STORE_CAS_CHILD_DB";

/// Runs only as a child of `no_lost_update_across_processes`: 200 increments
/// on the file that test names.
#[test]
#[ignore = "run by no_lost_update_across_processes in a child process"]
fn cas_child_process() {
    let Some(path) = std::env::var_os(CHILD_DB) else {
        return;
    };
    let s = Store::open(Path::new(&path), schemas()).unwrap();
    // Start together with the sibling process, at the instant the parent named.
    let start: u128 = std::env::var(CHILD_START).unwrap().parse().unwrap();
    while now_millis() < start {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    increments(&s, PER_PROCESS, &Barrier::new(1));
}

const CHILD_START: &str = "AIGIS_STORE_CAS_CHILD_START";
const PER_PROCESS: usize = 300;

fn now_millis() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

/// Two real processes on one file: the SQLite write lock keeps every
/// compare-and-set atomic.
#[test]
fn no_lost_update_across_processes() {
    let dir = common::TempDir::new("cas-processes");
    let path = dir.file("db.sqlite");
    drop(seed(&path));
    let exe = std::env::current_exe().unwrap();
    let start = (now_millis() + 700).to_string();
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(&exe)
                .args(["--exact", "cas_child_process", "--ignored", "--quiet"])
                .env(CHILD_DB, &path)
                .env(CHILD_START, &start)
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success(), "child process failed");
    }
    let s = Store::open(&path, schemas()).unwrap();
    assert_eq!(read_seq(&s), 2 * PER_PROCESS as i64);
}
