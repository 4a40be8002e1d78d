//! The conformance scenarios (`tests/scenarios/*.json`) on the wasmtime host.
//!
//! Each scenario runs against a fresh in-memory [`Host`] whose clock stands
//! at the scenario's `start`, with the Jira simulator's demo site seeded and
//! no app data. Every step's outcome goes to a normalised transcript,
//! `target/conformance/<name>.wasmtime.jsonl`, which must be identical to the
//! one the Forge build gives under Node (`tests/forge-host/run.mjs`); every
//! `expect` is asserted. The format is described in `tests/scenarios/README.md`;
//! the Node runner implements the same steps, matchers and normalisation.

use aigis_host::{ClockConfig, Host, HostConfig};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The URL the simulator and the components see; the transcript shows `<site>`.
const SITE_URL: &str = "http://127.0.0.1";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

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

fn conformance_dir() -> PathBuf {
    std::env::var_os("AIGIS_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/conformance"))
}

// ---- shared semantics (mirrored in tests/forge-host/scenario.mjs) ----------

/// Keys whose values differ between hosts by design (random MAC key, cloud id).
const VOLATILE_KEYS: &[&str] = &[
    "cloudId",
    "entryHash",
    "prevHash",
    "entryMac",
    "keyId",
    "hash",
    "mac",
    // Signed checkpoints and packs: keys and origins are random per site.
    "root",
    "rootHash",
    "leafHash",
    "proof",
    "note",
    "checkpoint",
    "origin",
    "verifierKey",
    "previousKeyId",
    "contentBase64",
    "sha256",
    "bytes",
    "nodes",
];

/// Canonical JSON: object keys sorted, no spaces.
fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let sorted: BTreeMap<&String, &Value> = m.iter().collect();
            let parts: Vec<String> = sorted
                .into_iter()
                .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), canonical(v)))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

fn normalise(v: &Value, site: &str) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let n = if VOLATILE_KEYS.contains(&k.as_str()) && !v.is_null() {
                        json!("<volatile>")
                    } else if k == "nextCursor" && !v.is_null() {
                        json!("<cursor>")
                    } else {
                        normalise(v, site)
                    };
                    (k.clone(), n)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|v| normalise(v, site)).collect()),
        Value::String(s) => Value::String(s.replace(site, "<site>")),
        other => other.clone(),
    }
}

/// `a.b.0.c` into a value; `None` when absent.
fn at_path<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    if path.is_empty() {
        return Some(v);
    }
    path.split('.').try_fold(v, |cur, seg| match cur {
        Value::Object(m) => m.get(seg),
        Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

fn parse_at(text: &str, now: i64) -> i64 {
    if text.starts_with('+') || text.starts_with('-') {
        now + aigis_host::clock::parse_duration(text).unwrap_or_else(|e| panic!("{e}"))
    } else {
        aigis_host::clock::parse_rfc3339(text).unwrap_or_else(|e| panic!("{e}"))
    }
}

/// Does `actual` meet `matcher`? Err is why not.
fn matches(actual: Option<&Value>, matcher: &Value, start: i64) -> Result<(), String> {
    let show = |a: Option<&Value>| a.map_or("<absent>".to_owned(), Value::to_string);
    if let Value::Object(m) = matcher
        && m.len() == 1
        && let Some((op, arg)) = m.iter().next()
        && op.starts_with('$')
    {
        let texts = || -> Vec<String> {
            actual
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|t| t.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let arg_s = arg.as_str().unwrap_or_default();
        let ok = match op.as_str() {
            "$len" => {
                let len = match actual {
                    Some(Value::Array(a)) => Some(a.len()),
                    Some(Value::String(s)) => Some(s.chars().count()),
                    Some(Value::Object(o)) => Some(o.len()),
                    _ => None,
                };
                len.is_some_and(|l| Some(l as u64) == arg.as_u64())
            }
            "$exists" => actual.is_some() == arg.as_bool().unwrap_or(true),
            "$ne" => actual != Some(arg),
            "$contains" => match actual {
                Some(Value::String(s)) => s.contains(arg_s),
                Some(Value::Array(a)) => a.contains(arg),
                _ => false,
            },
            "$startsWith" => actual
                .and_then(Value::as_str)
                .is_some_and(|s| s.starts_with(arg_s)),
            "$someStartsWith" => texts().iter().any(|t| t.starts_with(arg_s)),
            "$someContains" => texts().iter().any(|t| t.contains(arg_s)),
            "$time" => actual.and_then(Value::as_i64) == Some(parse_at(arg_s, start)),
            other => return Err(format!("unknown matcher {other}")),
        };
        return if ok {
            Ok(())
        } else {
            Err(format!("{} does not meet {matcher}", show(actual)))
        };
    }
    if actual == Some(matcher) {
        Ok(())
    } else {
        Err(format!("{} is not {matcher}", show(actual)))
    }
}

/// Every failed expectation of one step.
fn check(expect: Option<&Value>, ok: bool, out: &Value, start: i64) -> Vec<String> {
    let mut failures = Vec::new();
    let Some(expect) = expect else {
        if !ok {
            failures.push(format!("failed: {out}"));
        }
        return failures;
    };
    let Value::Object(e) = expect else {
        if let Err(why) = matches(Some(out), expect, start) {
            failures.push(why);
        }
        return failures;
    };
    let want_ok = match (e.get("ok"), e.get("error")) {
        (Some(v), _) => v.as_bool().unwrap_or(true),
        (None, Some(_)) => false,
        (None, None) => true,
    };
    if ok != want_ok {
        failures.push(format!("ok is {ok}, expected {want_ok}: {out}"));
    }
    if let Some(code) = e.get("error")
        && out.get("code") != Some(code)
    {
        failures.push(format!("error code {:?}, expected {code}", out.get("code")));
    }
    if let Some(Value::Object(m)) = e.get("match") {
        for (path, matcher) in m {
            if let Err(why) = matches(at_path(out, path), matcher, start) {
                failures.push(format!("{path}: {why}"));
            }
        }
    }
    failures
}

/// Replaces `${var}` in every string; a string that is exactly `${var}` takes
/// the variable's JSON value.
fn interpolate(v: &Value, vars: &Map<String, Value>) -> Value {
    match v {
        Value::String(s) => {
            if let Some(name) = s.strip_prefix("${").and_then(|r| r.strip_suffix('}'))
                && let Some(val) = vars.get(name)
            {
                return val.clone();
            }
            let mut out = s.clone();
            for (k, val) in vars {
                let text = val.as_str().map_or_else(|| val.to_string(), str::to_owned);
                out = out.replace(&format!("${{{k}}}"), &text);
            }
            Value::String(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|v| interpolate(v, vars)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), interpolate(v, vars)))
                .collect(),
        ),
        other => other.clone(),
    }
}

// ---- the wasmtime host's side ------------------------------------------------

struct Run {
    host: Host,
    start: i64,
    now: i64,
    vars: Map<String, Value>,
}

impl Run {
    fn new(start: i64) -> Run {
        let host = Host::open(HostConfig {
            state_dir: None,
            components_dir: components_dir(),
            manifest_path: repo().join("manifest.yml"),
            clock: ClockConfig::Fixed(start),
        })
        .expect("host opens");
        host.set_site_url(SITE_URL);
        host.sync_sim_clock();
        host.sim().seed_demo().expect("demo site");
        Run {
            host,
            start,
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
                let out = self
                    .host
                    .invoke_resolver(s("key"), &payload, &self.account(s("as")), None)
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
                if let Some(name) = step.get("save").and_then(Value::as_str) {
                    self.vars.insert(name.to_owned(), body["id"].clone());
                    self.vars.insert(format!("{name}.key"), body["key"].clone());
                }
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
                    .map_or(self.now, |a| parse_at(a, self.now));
                self.set_clock(at);
                let out = self.host.run_scheduled(s("key"), None);
                self.set_clock(self.now);
                match out {
                    Ok(o) => (true, o.summary),
                    Err(e) => (false, json!({"error": e.to_string()})),
                }
            }
            "clock" => {
                self.now = parse_at(s("at"), self.now);
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

/// Runs one scenario file: (transcript lines, failures, steps passed, steps failed).
fn run_scenario(path: &Path) -> (Vec<String>, Vec<String>, usize, usize) {
    let text = std::fs::read_to_string(path).expect("scenario readable");
    let scenario: Value = serde_json::from_str(&text).expect("scenario is JSON");
    let start = aigis_host::clock::parse_rfc3339(
        scenario["start"].as_str().unwrap_or("2026-11-23T08:00:00Z"),
    )
    .expect("start is RFC 3339");
    let mut run = Run::new(start);
    let mut lines = Vec::new();
    let mut failures = Vec::new();
    let (mut passed, mut failed_steps) = (0, 0);
    for (i, raw) in scenario["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .enumerate()
    {
        if raw.get("do").is_none() {
            continue;
        }
        let step = interpolate(raw, &run.vars);
        let (ok, out) = run.step(&step);
        let mut failed = check(step.get("expect"), ok, &out, run.start);
        if let Some(Value::Object(saves)) = step.get("save") {
            for (name, p) in saves {
                let v = at_path(&out, p.as_str().unwrap_or_default()).cloned();
                match v {
                    Some(v) => {
                        run.vars.insert(name.clone(), v);
                    }
                    None => failed.push(format!("nothing at {p} to save")),
                }
            }
        }
        if failed.is_empty() {
            passed += 1;
        } else {
            failed_steps += 1;
        }
        for f in failed {
            failures.push(format!(
                "step {i} ({} {}): {f}",
                step["do"],
                step.get("key").or(step.get("path")).unwrap_or(&Value::Null)
            ));
        }
        let mut record = Map::new();
        record.insert("step".into(), json!(i));
        record.insert("do".into(), step["do"].clone());
        for k in ["as", "key", "method", "path", "entity", "issue"] {
            if let Some(v) = step.get(k) {
                record.insert(k.into(), v.clone());
            }
        }
        record.insert("ok".into(), json!(ok));
        record.insert("out".into(), out);
        lines.push(canonical(&normalise(&Value::Object(record), SITE_URL)));
    }
    (lines, failures, passed, failed_steps)
}

#[test]
fn scenarios_on_the_wasmtime_host() {
    let dir = repo().join("tests/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/scenarios")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scenarios in {}", dir.display());
    let out_dir = conformance_dir();
    std::fs::create_dir_all(&out_dir).expect("conformance dir");
    let (mut passed, mut failed) = (0, 0);
    let mut all_failures = Vec::new();
    for file in files {
        let name = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("scenario")
            .to_owned();
        let (lines, failures, ok_steps, bad_steps) = run_scenario(&file);
        let mut text = lines.join("\n");
        text.push('\n');
        std::fs::write(out_dir.join(format!("{name}.wasmtime.jsonl")), text)
            .expect("transcript written");
        passed += ok_steps;
        failed += bad_steps;
        all_failures.extend(failures.into_iter().map(|f| format!("{name}: {f}")));
    }
    println!("wasmtime: {passed} passed, {failed} failed");
    assert!(all_failures.is_empty(), "{}", all_failures.join("\n"));
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
    let plain = serve(router(run.host.clone(), None));
    let addr = serve(router_with_bridge(
        run.host.clone(),
        None,
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
