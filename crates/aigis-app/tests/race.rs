//! Many invocations appending to the audit log at once, each on its own
//! SQLite connection (as concurrent Forge invocations share one store):
//! no fork, no gap, no lost event, and the Merkle tree and chain verify.

use aigis_app::repo::{self, Change};
use aigis_core::audit::NewEvent;
use aigis_platform::memory::{ManualRuntime, NoEgress, RecordingQueue, SeededRandom};
use aigis_platform::{HttpResponse, Jira, JiraError, JiraRequest, Platform};
use aigis_store::Store;
use serde_json::json;
use std::path::Path;

struct NoJira;
impl Jira for NoJira {
    fn request_jira(&self, _: &JiraRequest) -> Result<HttpResponse, JiraError> {
        Err(JiraError::Network("no Jira in this test".into()))
    }
}

fn schemas() -> Vec<aigis_platform::schema::EntitySchema> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../manifest.yml"))
        .unwrap();
    let doc: serde_json::Value = serde_norway::from_str(&text).unwrap();
    serde_json::from_value(doc["app"]["storage"]["entities"].clone()).unwrap()
}

const APPENDERS: u64 = 8;
const EACH: u64 = 25;

fn appender(db: &Path, who: u64) -> (u64, u64) {
    let store = Store::open(db, schemas()).unwrap();
    let runtime = ManualRuntime::at(1_800_000_000_000);
    let random = SeededRandom::new(1000 + who);
    let queue = RecordingQueue::default();
    let p = Platform {
        storage: &store,
        secrets: &store,
        jira: &NoJira,
        egress: &NoEgress,
        queue: &queue,
        runtime: &runtime,
        random: &random,
    };
    let (mut done, mut conflicts) = (0, 0);
    while done < EACH {
        let r = repo::commit(&p, |_| {
            let mut c = Change::new();
            c.event(NewEvent::new(
                &format!("appender-{who}"),
                "test.append",
                &format!("appender:{who}"),
                json!({"n": done}),
            ));
            Ok(((), c))
        });
        match r {
            Ok(_) => done += 1,
            // A client retries a contended commit; nothing was written.
            Err(e) if e.code == "conflict" => conflicts += 1,
            Err(e) => panic!("appender {who}: {e:?}"),
        }
    }
    (done, conflicts)
}

#[test]
fn many_concurrent_appenders_neither_fork_nor_lose_events() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("forge.db");
    Store::open(&db, schemas()).unwrap();
    let handles: Vec<_> = (0..APPENDERS)
        .map(|who| {
            let db = db.clone();
            std::thread::spawn(move || appender(&db, who))
        })
        .collect();
    let mut total = 0;
    for h in handles {
        total += h.join().unwrap().0;
    }
    assert_eq!(total, APPENDERS * EACH);
    let store = Store::open(&db, schemas()).unwrap();
    let events = store.entities_of("audit").unwrap();
    let mut seqs: Vec<u64> = events
        .iter()
        .map(|(_, raw)| {
            serde_json::from_str::<serde_json::Value>(raw).unwrap()["seq"]
                .as_u64()
                .unwrap()
        })
        .collect();
    seqs.sort();
    // Contiguous 1..=N: no gap, no duplicate.
    assert_eq!(seqs, (1..=APPENDERS * EACH).collect::<Vec<_>>());
    // Each appender's events all landed, in its own order.
    for who in 0..APPENDERS {
        let mut ns: Vec<(u64, u64)> = events
            .iter()
            .map(|(_, raw)| serde_json::from_str::<serde_json::Value>(raw).unwrap())
            .filter(|e| e["actor"] == format!("appender-{who}"))
            .map(|e| (e["seq"].as_u64().unwrap(), e["data"]["n"].as_u64().unwrap()))
            .collect();
        ns.sort();
        assert_eq!(
            ns.iter().map(|x| x.1).collect::<Vec<_>>(),
            (0..EACH).collect::<Vec<_>>()
        );
    }
    let report = aigis_app::audit::verify::verify(&store, &store).unwrap();
    assert!(report.intact, "{report:?}");
    assert_eq!(report.checked, APPENDERS * EACH);
}
