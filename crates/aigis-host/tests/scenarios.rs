//! The conformance scenarios (`tests/scenarios/*.json`, format in its README).
//!
//! Here the wasmtime host runs them: each against a fresh in-memory [`Host`]
//! seeded with [`golden::SEED`], its clock at the scenario's `start`, the Jira
//! simulator's demo site seeded and no app data; its raw outcomes go to
//! `target/conformance/<name>.wasmtime.raw.jsonl`. The Forge build's runner
//! (`tests/forge-host/run.mjs`) writes `<name>.forge.raw.jsonl` the same way.
//! `golden.rs` judges both: every `expect`, and the normalised transcript
//! against the committed `tests/scenarios/<name>.expected.jsonl`.

#[path = "scenarios/expect.rs"]
mod expect;
#[path = "scenarios/golden.rs"]
mod golden;

use aigis_host::{ClockConfig, Host, HostConfig};
use golden::{Outcome, Scenario};
use serde_json::{Map, Value, json};
use std::path::PathBuf;

/// The URL the simulator and the components see; the transcript shows `<site>`.
const SITE_URL: &str = "http://127.0.0.1";

use golden::repo;

fn components_dir() -> PathBuf {
    let dir = std::env::var_os("AIGIS_COMPONENTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/wasm32-wasip2/wasm"));
    assert!(
        dir.join("aigis_resolvers.wasm").is_file(),
        "components missing in {}: run `make components`",
        dir.display()
    );
    dir
}

// ---- the wasmtime host's side ------------------------------------------------

struct Run {
    host: Host,
    now: i64,
    vars: Map<String, Value>,
}

impl Run {
    /// A fresh host at `start`, seeded with [`golden::SEED`].
    fn new(start: i64) -> Run {
        Run::with_seed(start, Some(golden::SEED))
    }

    /// `None`: unseeded, as every real host is.
    fn with_seed(start: i64, seed: Option<u64>) -> Run {
        let config = HostConfig {
            state_dir: None,
            components_dir: components_dir(),
            manifest_path: repo().join("manifest.yml"),
            clock: ClockConfig::Fixed(start),
        };
        let host = match seed {
            Some(seed) => Host::open_seeded(config, seed),
            None => Host::open(config),
        }
        .expect("host opens");
        host.set_site_url(SITE_URL);
        host.sync_sim_clock();
        host.sim().seed_demo().expect("demo site");
        Run {
            host,
            now: start,
            vars: Map::new(),
        }
    }

    fn account(&self, who: &str) -> String {
        let email = if who.contains('@') {
            who.to_owned()
        } else {
            format!("{who}@aigis.example")
        };
        self.host
            .sim()
            .user_by_email(&email)
            .unwrap_or_else(|| panic!("no simulator user {email}"))
            .account_id
    }

    fn set_clock(&self, at: i64) {
        self.host.clock().set(at).expect("fixed clock moves");
        self.host.sync_sim_clock();
    }

    fn jira(
        &self,
        as_account: Option<&str>,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        self.host.sync_sim_clock();
        let body = body.map(Value::to_string);
        let r = self.host.sim().handle_as(
            as_account,
            method,
            path,
            &[("Content-Type".into(), "application/json".into())],
            body.as_deref(),
        );
        let parsed = serde_json::from_str(&r.body).unwrap_or(Value::String(r.body));
        (r.status, parsed)
    }

    /// Runs one step: (ok, out).
    fn step(&mut self, step: &Value) -> (bool, Value) {
        let s = |k: &str| step.get(k).and_then(Value::as_str).unwrap_or_default();
        match s("do") {
            "invoke" => {
                let payload = step.get("payload").cloned().unwrap_or_else(|| json!({}));
                let module = step.get("module").and_then(Value::as_str);
                let out = self
                    .host
                    .invoke_resolver_in(
                        s("key"),
                        &payload,
                        &self.account(s("as")),
                        module,
                        step.get("extension"),
                    )
                    .expect("invocation runs");
                match out.result {
                    Ok(v) => (true, v),
                    Err(e) => (false, e),
                }
            }
            "fileRequest" => {
                let tool = s("tool");
                let body = json!({
                    "fields": {
                        "project": {"key": step.get("project").and_then(Value::as_str).unwrap_or("AIR")},
                        "issuetype": {"name": "Service Request"},
                        "summary": format!("{tool} please"),
                    },
                    "properties": [{"key": "aigis.snapshot.v1", "value": {
                        "toolId": tool,
                        "purpose": step.get("purpose").and_then(Value::as_str).unwrap_or("Drafting customer replies"),
                        "durationDays": step.get("days").cloned().unwrap_or(json!(30)),
                    }}],
                });
                let account = self.account(s("as"));
                let (status, body) =
                    self.jira(Some(&account), "POST", "/rest/api/3/issue", Some(&body));
                let out = json!({"status": status, "id": body["id"], "key": body["key"]});
                (status == 201, out)
            }
            "deliverEvents" => {
                let times = if step.get("twice").and_then(Value::as_bool) == Some(true) {
                    2
                } else {
                    1
                };
                let (mut delivered, mut failed) = (0, 0);
                for ev in self.host.sim().pending_events().expect("events") {
                    self.host.sim().ack_event(ev.id).expect("ack");
                    let mut all_ok = true;
                    for _ in 0..times {
                        let outs = self
                            .host
                            .deliver_event(&ev.event_type, &ev.payload)
                            .expect("delivery runs");
                        all_ok &= outs.iter().all(|o| o.result.is_ok()) && !outs.is_empty();
                    }
                    if all_ok {
                        delivered += 1;
                    } else {
                        failed += 1;
                    }
                }
                (
                    failed == 0,
                    json!({"delivered": delivered, "failed": failed}),
                )
            }
            "sweep" => {
                let at = step
                    .get("at")
                    .and_then(Value::as_str)
                    .map_or(self.now, |a| expect::parse_at(a, self.now));
                self.set_clock(at);
                let out = self.host.run_scheduled(s("key"), None);
                self.set_clock(self.now);
                match out {
                    Ok(o) => (true, o.summary),
                    Err(e) => (false, json!({"error": e.to_string()})),
                }
            }
            "clock" => {
                self.now = expect::parse_at(s("at"), self.now);
                self.set_clock(self.now);
                (true, json!({"now": self.now}))
            }
            "jira" => {
                let as_account = step
                    .get("as")
                    .and_then(Value::as_str)
                    .map(|w| self.account(w));
                let (status, body) = self.jira(
                    as_account.as_deref(),
                    s("method"),
                    s("path"),
                    step.get("body"),
                );
                (
                    (200..300).contains(&status),
                    json!({"status": status, "body": body}),
                )
            }
            "comments" => {
                let path = format!("/rest/api/3/issue/{}/comment", s("issue"));
                let (status, body) = self.jira(None, "GET", &path, None);
                let texts: Vec<String> = body["comments"]
                    .as_array()
                    .map(|cs| {
                        cs.iter()
                            .map(|c| aigis_core::adf::plain_text(&c["body"]))
                            .collect()
                    })
                    .unwrap_or_default();
                (status == 200, json!({"count": texts.len(), "texts": texts}))
            }
            "count" => {
                let rows = self
                    .host
                    .store()
                    .entities_of(s("entity"))
                    .expect("entities");
                let empty = Map::new();
                let conds = step
                    .get("where")
                    .and_then(Value::as_object)
                    .unwrap_or(&empty);
                let n = rows
                    .iter()
                    .filter_map(|(_, v)| serde_json::from_str::<Value>(v).ok())
                    .filter(|v| conds.iter().all(|(k, want)| v.get(k) == Some(want)))
                    .count();
                (true, json!(n))
            }
            other => panic!("unknown step kind {other:?}"),
        }
    }
}

/// Runs one scenario: the raw outcome of every step with a `do`.
fn run_scenario(scenario: &Scenario) -> Vec<Outcome> {
    let mut run = Run::new(scenario.start);
    let mut outcomes = Vec::new();
    for i in scenario.runnable() {
        let step = expect::interpolate(&scenario.steps[i], &run.vars);
        let (ok, out) = run.step(&step);
        // A value that cannot be kept fails the step when judged.
        let _ = expect::apply_saves(&step, &out, &mut run.vars);
        outcomes.push(Outcome { step: i, ok, out });
    }
    outcomes
}

#[test]
fn scenarios_on_the_wasmtime_host() {
    for scenario in Scenario::all() {
        let outcomes = run_scenario(&scenario);
        golden::write_raw(&scenario, "wasmtime", SITE_URL, &outcomes);
    }
    match golden::verify("wasmtime", golden::update_requested()) {
        Ok(report) => println!("{report}"),
        Err(failures) => panic!("{failures}"),
    }
}

/// The Forge build's raw outcomes, judged like the wasmtime host's: run by
/// `make test-conformance` after `tests/forge-host/run.mjs` wrote them.
#[test]
#[ignore = "needs the Forge build's outcomes: make test-conformance"]
fn the_forge_build_gives_the_committed_transcripts() {
    match golden::verify("forge", false) {
        Ok(report) => println!("{report}"),
        Err(failures) => panic!("{failures}"),
    }
}

/// The log's origin and key of a fresh host (drawn on first use).
fn log_key(run: &mut Run) -> Value {
    let (ok, out) = run.step(&json!({"do": "invoke", "as": "ada", "key": "audit.keys"}));
    assert!(ok, "{out}");
    json!([
        out["origin"],
        out["keys"][0]["verifierKey"],
        run.host.cloud_id()
    ])
}

#[test]
fn only_a_seeded_host_draws_the_same_keys_twice() {
    let start = 1_795_420_800_000;
    let (a, b) = (
        log_key(&mut Run::with_seed(start, None)),
        log_key(&mut Run::with_seed(start, None)),
    );
    for i in 0..2 {
        assert_ne!(a[i], b[i], "unseeded hosts draw from the OS: {a} {b}");
    }
    let seeded = log_key(&mut Run::with_seed(start, Some(7)));
    assert_eq!(log_key(&mut Run::with_seed(start, Some(7))), seeded);
    assert_ne!(log_key(&mut Run::with_seed(start, Some(8))), seeded);
}

// ---- the test bridge the Node runner uses ----------------------------------------

fn http(addr: &str, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, Value) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    let auth = token.map_or(String::new(), |t| format!("X-Aigis-Bridge-Token: {t}\r\n"));
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[test]
fn the_test_bridge_needs_its_token_and_hands_over_events() {
    use aigis_host::server::{Bridge, router, router_with_bridge};
    let run = Run::new(1_795_420_800_000);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let serve = |app: axum::Router| {
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        rt.spawn(async move { axum::serve(listener, app).await });
        addr
    };
    let plain = serve(router(run.host.clone()));
    let addr = serve(router_with_bridge(
        run.host.clone(),
        Some(Bridge::new("s3cret")),
    ));

    // Only `up --test-bridge` serves it, and only with the token.
    assert_eq!(
        http(
            &plain,
            "POST",
            "/api/host/bridge/events",
            Some("s3cret"),
            "{}"
        )
        .0,
        404
    );
    assert_eq!(
        http(&addr, "POST", "/api/host/bridge/events", None, "{}").0,
        401
    );
    assert_eq!(
        http(&addr, "POST", "/api/host/bridge/events", Some("nope"), "{}").0,
        401
    );

    // The clock: milliseconds or RFC 3339; the simulator follows.
    let (status, v) = http(
        &addr,
        "POST",
        "/api/host/bridge/clock",
        Some("s3cret"),
        r#"{"at":"2026-12-01T00:00:00Z"}"#,
    );
    assert_eq!(
        (status, v["nowMillis"].as_i64()),
        (200, Some(1_796_083_200_000))
    );
    assert_eq!(run.host.sim().now_millis(), 1_796_083_200_000);
    assert_eq!(
        http(
            &addr,
            "POST",
            "/api/host/bridge/clock",
            Some("s3cret"),
            r#"{"at":true}"#
        )
        .0,
        400
    );

    // requestJira as a user: the simulator's answer, verbatim; the event waits for the runner.
    let rita = run.account("rita");
    let create = json!({
        "as": rita, "method": "POST", "path": "/rest/api/3/issue",
        "headers": [["Content-Type", "application/json"]],
        "body": json!({"fields": {"project": {"key": "AIR"}, "issuetype": {"name": "Service Request"}, "summary": "x"}}).to_string(),
    });
    let (status, v) = http(
        &addr,
        "POST",
        "/api/host/bridge/jira",
        Some("s3cret"),
        &create.to_string(),
    );
    assert_eq!((status, v["status"].as_u64()), (200, Some(201)), "{v}");
    let issue: Value =
        serde_json::from_str(v["body"].as_str().unwrap_or_default()).expect("issue JSON");
    let (_, v) = http(
        &addr,
        "POST",
        "/api/host/bridge/events",
        Some("s3cret"),
        "{}",
    );
    let events = v["events"].as_array().expect("events");
    assert_eq!(events.len(), 1, "{v}");
    assert_eq!(events[0]["eventType"], "avi:jira:created:issue");
    assert_eq!(events[0]["payload"]["eventType"], "avi:jira:created:issue");
    assert_eq!(events[0]["payload"]["issue"]["id"], issue["id"]);
    let (_, v) = http(
        &addr,
        "POST",
        "/api/host/bridge/events",
        Some("s3cret"),
        "{}",
    );
    assert_eq!(v["events"], json!([]), "taken events are acknowledged");

    // asApp is `as: null`; an unknown account is the simulator's 401.
    let get = json!({"as": null, "method": "GET", "path": format!("/rest/api/3/issue/{}", issue["key"].as_str().unwrap_or_default())});
    let (_, v) = http(
        &addr,
        "POST",
        "/api/host/bridge/jira",
        Some("s3cret"),
        &get.to_string(),
    );
    assert_eq!(v["status"], 200, "{v}");
    let ghost = json!({"as": "nobody", "method": "GET", "path": "/rest/api/3/myself"});
    let (_, v) = http(
        &addr,
        "POST",
        "/api/host/bridge/jira",
        Some("s3cret"),
        &ghost.to_string(),
    );
    assert_eq!(v["status"], 401, "{v}");
}
