//! The wasmtime runtime against the test guest (tests/guest).

mod common;

use aigis_host::{ClockConfig, EgressHandler, Host, HostError};
use aigis_platform::{FetchError, FetchRequest, HttpResponse};
use serde_json::{Value, json};
use std::sync::Arc;

const T0: i64 = 1_767_323_045_000; // 2026-01-02T03:04:05Z

fn host(dir: &tempfile::TempDir) -> Host {
    Host::open(common::config(dir.path(), None, ClockConfig::Fixed(T0))).unwrap()
}

fn call(h: &Host, payload: &str) -> Result<Value, Value> {
    h.invoke_resolver("fn-key", &json!(payload), "acc-1", None)
        .unwrap()
        .result
}

#[test]
fn resolver_gets_forge_context_and_payload() {
    let dir = common::fixture();
    let h = host(&dir);
    let out = h
        .invoke_resolver("listTools", &json!("echo"), "acc-42", Some("admin"))
        .unwrap();
    let v = out.result.unwrap();
    assert_eq!(v["functionKey"], "listTools");
    assert_eq!(v["payload"], "echo");
    let ctx = &v["context"];
    assert_eq!(ctx["accountId"], "acc-42");
    assert_eq!(ctx["moduleKey"], "admin");
    assert_eq!(ctx["extension"]["type"], "jira:adminPage");
    assert_eq!(ctx["cloudId"], h.cloud_id());
    assert!(ctx["localId"].is_string());
    assert!(ctx["siteUrl"].is_string());
}

#[test]
fn storage_secrets_and_stats() {
    let dir = common::fixture();
    let h = host(&dir);
    let out = h
        .invoke_resolver("k", &json!("kv hello"), "acc", None)
        .unwrap();
    assert_eq!(out.result.unwrap(), json!("hello"));
    assert_eq!(out.stats.storage["set"], 1);
    assert_eq!(out.stats.storage["get"], 1);
    assert_eq!(out.stats.storage["secrets"], 2);
    assert_eq!(out.stats.storage_total, 4);
    let s = serde_json::to_value(&out.stats).unwrap();
    assert_eq!(s["storageTotal"], 4);
    use aigis_platform::{Secrets, Storage};
    assert_eq!(
        h.store().get("greeting").unwrap().as_deref(),
        Some("\"hello\"")
    );
    assert_eq!(
        h.store().get_secret("token").unwrap().as_deref(),
        Some("s3cret")
    );
}

#[test]
fn component_errors_are_json() {
    let dir = common::fixture();
    let h = host(&dir);
    let e = call(&h, "fail forbidden").unwrap_err();
    assert_eq!(e["code"], "forbidden");
}

#[test]
fn virtual_clock_and_logs() {
    let dir = common::fixture();
    let h = host(&dir);
    assert_eq!(call(&h, "now").unwrap(), json!(T0));
    h.clock().advance(3_600_000).unwrap();
    assert_eq!(call(&h, "now").unwrap(), json!(T0 + 3_600_000));
    let remaining: u64 = serde_json::from_value(call(&h, "remaining").unwrap()).unwrap();
    assert!(remaining > 20_000 && remaining <= 25_000, "{remaining}");
    let out = h
        .invoke_resolver("k", &json!("log hi there"), "a", None)
        .unwrap();
    assert!(
        out.logs
            .iter()
            .any(|l| l.level == "info" && l.message == "hi there")
    );
    assert!(
        out.logs
            .iter()
            .any(|l| l.level == "stdout" && l.message == "stdout line")
    );
}

#[test]
fn time_limit_traps() {
    let dir = common::fixture();
    let h = host(&dir);
    let started = std::time::Instant::now();
    let e = h
        .invoke_resolver("k", &json!("spin"), "a", Some("slow"))
        .unwrap_err();
    assert!(matches!(e, HostError::TimeLimit { .. }), "{e}");
    assert!(e.to_string().contains("time limit exceeded"));
    let took = started.elapsed().as_millis();
    assert!((900..5_000).contains(&took), "{took} ms");
    // The host is still usable.
    assert_eq!(call(&h, "now").unwrap(), json!(T0));
}

struct Canned;
impl EgressHandler for Canned {
    fn fetch(&self, host: &str, r: &FetchRequest) -> Result<HttpResponse, FetchError> {
        Ok(HttpResponse {
            status: 200,
            headers: vec![],
            body: format!("{host} {} {}", r.method, r.url),
        })
    }
}

#[test]
fn egress_allow_list_and_routing() {
    let dir = common::fixture();
    let h = host(&dir);
    let e = call(&h, "egress https://evil.example.com/x").unwrap_err();
    assert!(
        e["message"].as_str().unwrap().contains("HostNotAllowed"),
        "{e}"
    );
    let e = call(&h, "egress not-a-url").unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("InvalidUrl"), "{e}");
    let e = call(&h, "egress https://acme.okta.com/api/v1/groups").unwrap_err();
    let m = e["message"].as_str().unwrap();
    assert!(
        m.contains("Network") && m.contains("no route to acme.okta.com"),
        "{m}"
    );
    h.set_egress_handler(Some(Arc::new(Canned)));
    let v = call(&h, "egress https://acme.okta.com/api/v1/groups").unwrap();
    assert_eq!(v["status"], 200);
    assert_eq!(
        v["body"],
        "acme.okta.com GET https://acme.okta.com/api/v1/groups"
    );
}

#[test]
fn jira_paths_and_stats() {
    let dir = common::fixture();
    let h = host(&dir);
    let e = call(&h, "jira /wiki/api").unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("NotAllowed"), "{e}");
    let out = h
        .invoke_resolver("k", &json!("jira-user /rest/api/3/issue/AIG-7"), "a", None)
        .unwrap();
    assert!(out.result.is_ok(), "{:?}", out.result);
    assert_eq!(out.stats.jira["GET /rest/api/3/issue/{key}"], 1);
    assert_eq!(out.stats.jira_total, 1);
}

#[test]
fn queue_push_and_consumer_delivery() {
    let dir = common::fixture();
    let h = host(&dir);
    let e = call(&h, "queue nope").unwrap_err();
    assert!(
        e["message"].as_str().unwrap().contains("no consumer"),
        "{e}"
    );
    let job = call(&h, "queue work").unwrap();
    assert!(job.as_str().unwrap().starts_with("job-"));
    let r = h.pump().unwrap();
    assert_eq!(r.messages_delivered, 1);
    assert_eq!(call(&h, "count consumer:onWork:").unwrap(), json!(1));
    use aigis_platform::Storage;
    let body: Value =
        serde_json::from_str(&h.store().get("consumer:onWork:0").unwrap().unwrap()).unwrap();
    assert_eq!(body["queueName"], "work");
    assert_eq!(body["body"], json!({"n": 1}));
    assert_eq!(body["jobId"], job);
    // Delivered once.
    assert_eq!(h.pump().unwrap().messages_delivered, 0);
}

#[test]
fn product_events_reach_bound_triggers() {
    let dir = common::fixture();
    let h = host(&dir);
    let outs = h
        .deliver_event(
            "avi:jira:created:issue",
            &json!({"issue": {"key": "AIG-1"}}),
        )
        .unwrap();
    assert_eq!(outs.len(), 1);
    assert!(outs[0].result.is_ok());
    use aigis_platform::Storage;
    let stored: Value =
        serde_json::from_str(&h.store().get("trigger:onIssueCreated:0").unwrap().unwrap()).unwrap();
    assert_eq!(stored["event"]["issue"]["key"], "AIG-1");
    assert_eq!(stored["event"]["eventType"], "avi:jira:created:issue");
    assert_eq!(stored["context"]["moduleKey"], "issue-created");
    assert_eq!(stored["context"]["cloudId"], h.cloud_id());
    let outs = h
        .deliver_event("avi:jira:created:issue", &json!({"x": "fail"}))
        .unwrap();
    assert!(outs[0].result.is_err());
    assert!(
        h.deliver_event("avi:jira:updated:issue", &json!({}))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn scheduled_runs_at_a_chosen_time_and_on_schedule() {
    let dir = common::fixture();
    let h = host(&dir);
    let at = T0 + 30 * 86_400_000;
    let out = h.run_scheduled("hourly", Some(at)).unwrap();
    assert_eq!(out.summary["handler"], "hourly");
    let now = out.summary["now"].as_i64().unwrap();
    assert!(now >= at && now < at + 5_000);
    assert_eq!(out.at_millis, at);
    // By function key too.
    assert_eq!(
        h.run_scheduled("daily-sweep", None).unwrap().summary["now"],
        json!(T0)
    );
    use aigis_platform::Storage;
    let ev: Value =
        serde_json::from_str(&h.store().get("sweep:hourly:0").unwrap().unwrap()).unwrap();
    assert_eq!(ev["context"]["moduleKey"], "hourly");

    // Scheduler: both never ran -> due; then nothing until an hour passes.
    let runs = h.scheduler_tick().unwrap();
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|r| r.result.is_ok()));
    assert!(h.scheduler_tick().unwrap().is_empty());
    h.clock().advance(3_600_000).unwrap();
    let runs = h.scheduler_tick().unwrap();
    assert_eq!(
        runs.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
        ["hourly"]
    );
    h.clock().advance(3 * 86_400_000).unwrap();
    assert_eq!(h.scheduler_tick().unwrap().len(), 2);
    assert!(matches!(
        h.run_scheduled("nope", None),
        Err(HostError::NotBound(..))
    ));
}

#[test]
fn persistent_state_and_compiled_cache() {
    let dir = common::fixture();
    let state = dir.path().join("state");
    let cfg = common::config(dir.path(), Some(state.clone()), ClockConfig::Persisted);
    let cloud_id = {
        let h = Host::open(cfg.clone()).unwrap();
        assert_eq!(call(&h, "kv persisted").unwrap(), json!("persisted"));
        h.clock().advance(86_400_000).unwrap();
        h.cloud_id().to_string()
    };
    assert!(state.join("host.db").exists());
    let cached: Vec<_> = std::fs::read_dir(state.join("cache"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "cwasm"))
        .collect();
    assert_eq!(cached.len(), 1);
    let h = Host::open(cfg).unwrap();
    assert_eq!(h.cloud_id(), cloud_id);
    use aigis_platform::Storage;
    assert_eq!(
        h.store().get("greeting").unwrap().as_deref(),
        Some("\"persisted\"")
    );
    assert!(state.join("forge.db").exists());
    let offset = h.clock().now_millis() - aigis_host::clock::real_now_millis();
    assert!((offset - 86_400_000).abs() < 10_000, "{offset}");
}

#[test]
fn missing_component_says_make_components() {
    let dir = common::fixture();
    std::fs::remove_file(dir.path().join("components/aigis_sweeps.wasm")).unwrap();
    let h = host(&dir);
    let e = h.run_scheduled("hourly", None).unwrap_err();
    assert!(e.to_string().contains("make components"), "{e}");
}
