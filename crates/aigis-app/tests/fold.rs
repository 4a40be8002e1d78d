//! Evidence packs whose tables are proven by the log (issue 12): a window
//! reaching back past retention, bulk decision sources, the order of
//! `audit.search`, and every governed write carried by an event.

mod common;

use aigis_core::pack::{VerifyOptions, verify};
use common::*;
use serde_json::{Value, json};

fn pack_of(out: &Value) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(out["contentBase64"].as_str().unwrap())
        .unwrap()
}

fn run(w: &World, handler: &str) -> Value {
    let out = w
        .with_platform(|p| aigis_app::on_schedule(p, handler, "{}", "{}"))
        .unwrap_or_else(|e| panic!("{handler}: {e:?}"));
    serde_json::from_str(&out).expect("summary JSON")
}

fn file(zip: &[u8], name: &str) -> String {
    let entries = aigis_core::pack::read_entries(zip).unwrap();
    let (_, b) = entries.iter().find(|(n, _)| n == name).unwrap();
    String::from_utf8(b.clone()).unwrap()
}

#[test]
fn a_window_reaching_back_past_retention_verifies_after_the_prune() {
    let w = World::configured();
    w.ok("ada", "config.setIntake", json!({"auditRetentionDays": 90}));
    let (grant, _) = w.active_grant("bea", 20);
    w.set_now(T0 + 100 * DAY);
    w.ok("ada", "audit.export", json!({}));
    let s = run(&w, "retention");
    assert!(s["eventsPruned"].as_u64().unwrap() > 5, "{s}");
    let from = aigis_core::time::rfc3339(T0 - DAY);
    let out = w.ok("ada", "audit.export", json!({ "from": from }));
    let zip = pack_of(&out);
    let r = verify(&zip, &VerifyOptions::default());
    assert!(r.ok, "{r}");
    assert!(r.anchor.is_some(), "{r:?}");
    let proven = r.proven_from.as_deref().unwrap_or("");
    assert!(proven.contains("audit.state event at seq"), "{proven}");
    // The grant and its approval, made before the pruned events' end, are
    // rows proven by the committed state.
    assert!(file(&zip, "grants.csv").contains(&grant));
    assert_eq!(r.records["decisions.csv"], 1, "{r:?}");
    assert_eq!(r.records["grants.csv"], 1, "{r:?}");
}

#[test]
fn bulk_decisions_record_their_batch_in_the_request_the_event_and_the_pack() {
    let w = World::configured();
    let (a, _) = w.portal_request("bea", World::snapshot("claude", 10));
    let (b, _) = w.portal_request("sam", World::snapshot("claude", 10));
    w.pump();
    let out = w.ok(
        "arlo",
        "requests.decide",
        json!({"requestIds": [a, b], "decision": "approve", "rationale": "Team rollout"}),
    );
    assert_eq!(out["succeeded"], 2, "{out}");
    let requests = w.entities("request");
    let batches: Vec<&str> = requests
        .iter()
        .map(|r| {
            assert_eq!(r["decisionSource"], "bulk", "{r}");
            r["batch"].as_str().expect("a batch id")
        })
        .collect();
    assert_eq!(batches[0], batches[1]);
    assert!(batches[0].starts_with("b-"));
    let events: Vec<Value> = w
        .entities("audit")
        .into_iter()
        .filter(|e| e["action"] == "request.approved")
        .collect();
    assert_eq!(events.len(), 2);
    for e in &events {
        assert_eq!(e["data"]["source"], "bulk");
        assert_eq!(e["data"]["batch"], batches[0]);
    }
    // A single decision stays manual; a bulk denial is bulk too.
    let (c, _) = w.portal_request("rita", World::snapshot("claude", 10));
    let (d, _) = w.portal_request("ada", World::snapshot("claude", 10));
    w.pump();
    w.ok("arlo", "requests.approve", json!({"requestId": c}));
    w.ok(
        "arlo",
        "requests.decide",
        json!({"requestIds": [d], "decision": "deny", "rationale": "No"}),
    );
    let zip = pack_of(&w.ok("ada", "audit.export", json!({})));
    let r = verify(&zip, &VerifyOptions::default());
    assert!(r.ok, "{r}");
    let decisions = file(&zip, "decisions.csv");
    assert_eq!(
        decisions.matches(&format!(",bulk,{},", batches[0])).count(),
        2,
        "{decisions}"
    );
    assert_eq!(decisions.matches(",manual,,,").count(), 1, "{decisions}");
    assert!(decisions.contains(",denied,"), "{decisions}");
    let requests_csv = file(&zip, "requests.csv");
    assert_eq!(requests_csv.matches(",bulk,").count(), 3, "{requests_csv}");
}

#[test]
fn audit_search_is_newest_first_by_sequence_number() {
    let w = World::configured();
    // Events written at virtual times out of order (as sweeps run at
    // their own `--at`): the later event has the earlier time.
    for (i, at) in [(0, T0 + 10 * DAY), (1, T0 + 2 * DAY), (2, T0 + 5 * DAY)] {
        w.set_now(at);
        w.with_platform(|p| {
            aigis_app::repo::commit(&p, |_| {
                let mut c = aigis_app::repo::Change::new();
                c.event(aigis_core::audit::NewEvent::new(
                    "test",
                    "test.event",
                    "test",
                    json!({ "i": i }),
                ));
                Ok(((), c))
            })
            .unwrap();
        });
    }
    let page = w.ok("ada", "audit.search", json!({}));
    let seqs: Vec<u64> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    let mut sorted = seqs.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(seqs, sorted);
    // With a time range too.
    let page = w.ok(
        "ada",
        "audit.search",
        json!({"from": aigis_core::time::rfc3339(T0 + DAY)}),
    );
    let seqs: Vec<u64> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs.len(), 3);
    assert!(seqs.windows(2).all(|p| p[0] > p[1]), "{seqs:?}");
}

#[test]
fn a_governed_write_without_an_event_is_refused() {
    let w = World::configured();
    let e = w.with_platform(|p| {
        aigis_app::repo::commit(&p, |_| {
            let mut c = aigis_app::repo::Change::new();
            c.delete("job", "j-1");
            Ok(((), c))
        })
        .err()
        .expect("refused")
    });
    assert_eq!(e.code.as_str(), "internal", "{e:?}");
}
