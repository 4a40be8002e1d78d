//! The committed transcripts (`tests/scenarios/<name>.expected.jsonl`) and
//! the one place that judges both hosts.
//!
//! Each runner (the wasmtime host in `scenarios.rs`, the Forge build in
//! `tests/forge-host/run.mjs`) only executes the steps and writes its raw
//! outcomes to `target/conformance/<name>.<host>.raw.jsonl`. Here, for each
//! host, every step's `expect` is checked on those outcomes, they are
//! normalised into the transcript, and the transcript must equal the
//! committed one; a difference prints the first differing steps. With
//! `UPDATE_EXPECT=1` the wasmtime host's transcripts are written as the
//! committed ones instead (the Forge build's must then still equal them).

use crate::expect;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The seed of both hosts' randomness (`Host::open_seeded`, `run.mjs`'s SEED):
/// keys, origins, MACs and pack bytes are then the same on every run.
pub const SEED: u64 = 1;

/// How many differing steps a failure shows.
const SHOWN_STEPS: usize = 3;
/// How many differing values of one step it shows.
const SHOWN_VALUES: usize = 8;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn scenarios_dir() -> PathBuf {
    repo().join("tests/scenarios")
}

pub fn conformance_dir() -> PathBuf {
    std::env::var_os("AIGIS_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/conformance"))
}

pub fn raw_path(name: &str, host: &str) -> PathBuf {
    conformance_dir().join(format!("{name}.{host}.raw.jsonl"))
}

fn expected_path(name: &str) -> PathBuf {
    scenarios_dir().join(format!("{name}.expected.jsonl"))
}

// ---- scenarios -----------------------------------------------------------------

pub struct Scenario {
    pub name: String,
    /// Milliseconds since the epoch of `start`.
    pub start: i64,
    pub steps: Vec<Value>,
}

impl Scenario {
    pub fn load(path: &Path) -> Scenario {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let v: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
        let start =
            aigis_host::clock::parse_rfc3339(v["start"].as_str().unwrap_or("2026-11-23T08:00:00Z"))
                .unwrap_or_else(|e| panic!("{}: start: {e}", path.display()));
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("scenario")
            .to_owned();
        let steps = v["steps"]
            .as_array()
            .unwrap_or_else(|| panic!("{}: no steps", path.display()))
            .clone();
        Scenario { name, start, steps }
    }

    /// Every `tests/scenarios/*.json`, by name.
    pub fn all() -> Vec<Scenario> {
        let dir = scenarios_dir();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no scenarios in {}", dir.display());
        files.iter().map(|f| Scenario::load(f)).collect()
    }

    /// The indices of the steps a runner executes (those with a `do`).
    pub fn runnable(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.steps.len()).filter(|&i| self.steps[i].get("do").is_some())
    }

    /// The comment (`{"note"}`) nearest before step `i`.
    fn note_before(&self, i: usize) -> Option<&str> {
        self.steps[..=i.min(self.steps.len().saturating_sub(1))]
            .iter()
            .rev()
            .find_map(|s| s.get("note").and_then(Value::as_str))
    }
}

// ---- raw outcomes -----------------------------------------------------------------

/// A runner's outcome of one step.
pub struct Outcome {
    pub step: usize,
    pub ok: bool,
    pub out: Value,
}

/// Writes `<name>.<host>.raw.jsonl`: a header `{host, scenario, site}` (the
/// URL the host's site had, which the transcript shows as `<site>`), then one
/// `{step, do, ok, out}` per executed step, as the runner saw it.
pub fn write_raw(scenario: &Scenario, host: &str, site: &str, outcomes: &[Outcome]) {
    let mut text = format!(
        "{}\n",
        json!({"host": host, "scenario": scenario.name, "site": site})
    );
    for o in outcomes {
        let line =
            json!({"step": o.step, "do": scenario.steps[o.step]["do"], "ok": o.ok, "out": o.out});
        text.push_str(&format!("{line}\n"));
    }
    let path = raw_path(&scenario.name, host);
    std::fs::create_dir_all(conformance_dir()).expect("conformance dir");
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Reads a raw file: (site, outcomes).
fn read_raw(scenario: &Scenario, host: &str) -> Result<(String, Vec<Outcome>), String> {
    let path = raw_path(&scenario.name, host);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: {e} (the {host} runner did not write it)",
            path.display()
        )
    })?;
    let bad = |n: usize, why: &str| format!("{} line {}: {why}", path.display(), n + 1);
    let mut lines = text.lines().enumerate();
    let (n, head) = lines.next().ok_or_else(|| bad(0, "empty"))?;
    let head: Value = serde_json::from_str(head).map_err(|e| bad(n, &e.to_string()))?;
    let site = head["site"]
        .as_str()
        .ok_or_else(|| bad(n, "no site in the header"))?
        .to_owned();
    let mut outcomes = Vec::new();
    for (n, line) in lines {
        let v: Value = serde_json::from_str(line).map_err(|e| bad(n, &e.to_string()))?;
        let (Some(step), Some(ok)) = (v["step"].as_u64(), v["ok"].as_bool()) else {
            return Err(bad(n, "not {step, do, ok, out}"));
        };
        let step = step as usize;
        if scenario.steps.get(step).map(|s| &s["do"]) != Some(&v["do"]) {
            return Err(bad(n, &format!("step {step} is not a {} step", v["do"])));
        }
        outcomes.push(Outcome {
            step,
            ok,
            out: v["out"].clone(),
        });
    }
    Ok((site, outcomes))
}

// ---- normalisation ------------------------------------------------------------------

/// Canonical JSON: object keys sorted, no spaces.
pub fn canonical(v: &Value) -> String {
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

/// The transcript's view of a value: the site's URL (the Forge runner's has a
/// port of the run) shown as `<site>`. Nothing else: both hosts run seeded, at
/// the same virtual time, on the same simulator, so every id, time, key, MAC,
/// cursor and pack byte must agree, on every run.
pub fn normalise(v: &Value, site: &str) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), normalise(v, site)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|v| normalise(v, site)).collect()),
        Value::String(s) => Value::String(s.replace(site, "<site>")),
        other => other.clone(),
    }
}

// ---- judging ----------------------------------------------------------------------

/// One host's run of one scenario, judged.
pub struct Judged {
    /// The normalised transcript, one canonical line per executed step.
    pub lines: Vec<String>,
    /// Failed expectations and malformed raw outcomes.
    pub failures: Vec<String>,
    pub passed: usize,
    pub failed: usize,
}

/// Checks every step's `expect` on the raw outcomes (with the variables the
/// steps saved, as the runner had them) and builds the transcript.
pub fn judge(scenario: &Scenario, site: &str, outcomes: &[Outcome]) -> Judged {
    let mut j = Judged {
        lines: Vec::new(),
        failures: Vec::new(),
        passed: 0,
        failed: 0,
    };
    let mut vars = Map::new();
    let mut outcomes = outcomes.iter();
    for i in scenario.runnable() {
        let step = expect::interpolate(&scenario.steps[i], &vars);
        let label = format!(
            "step {i} ({} {})",
            step["do"],
            step.get("key").or(step.get("path")).unwrap_or(&Value::Null)
        );
        let Some(o) = outcomes.next() else {
            j.failures.push(format!("{label}: never ran"));
            j.failed += 1;
            continue;
        };
        if o.step != i {
            j.failures
                .push(format!("{label}: the runner gave step {} instead", o.step));
            j.failed += 1;
            break;
        }
        let mut why = expect::check(step.get("expect"), o.ok, &o.out, scenario.start);
        why.extend(expect::apply_saves(&step, &o.out, &mut vars));
        if why.is_empty() {
            j.passed += 1;
        } else {
            j.failed += 1;
        }
        j.failures
            .extend(why.into_iter().map(|f| format!("{label}: {f}")));
        let mut record = Map::new();
        record.insert("step".into(), json!(i));
        record.insert("do".into(), step["do"].clone());
        for k in ["as", "key", "method", "path", "entity", "issue"] {
            if let Some(v) = step.get(k) {
                record.insert(k.into(), v.clone());
            }
        }
        record.insert("ok".into(), json!(o.ok));
        record.insert("out".into(), o.out.clone());
        j.lines
            .push(canonical(&normalise(&Value::Object(record), site)));
    }
    if outcomes.next().is_some() {
        j.failures
            .push("the runner gave more steps than the scenario has".into());
    }
    j
}

fn short(v: Option<&Value>) -> String {
    let text = v.map_or("<absent>".to_owned(), canonical);
    if text.chars().count() > 160 {
        format!("{}…", text.chars().take(160).collect::<String>())
    } else {
        text
    }
}

/// The leaves where `want` and `got` differ: `path: expected …, actual …`.
fn leaf_diffs(path: &str, want: Option<&Value>, got: Option<&Value>, out: &mut Vec<String>) {
    let sub = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match (want, got) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                leaf_diffs(&sub(k), a.get(k), b.get(k), out);
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            for n in 0..a.len().max(b.len()) {
                leaf_diffs(&sub(&n.to_string()), a.get(n), b.get(n), out);
            }
        }
        (a, b) if a != b => out.push(format!(
            "{}: expected {}, actual {}",
            if path.is_empty() { "<line>" } else { path },
            short(a),
            short(b)
        )),
        _ => {}
    }
}

/// A readable account of the first steps where two transcripts differ, or
/// `None` when they are identical.
pub fn diff(scenario: &Scenario, expected: &[String], actual: &[String]) -> Option<String> {
    if expected == actual {
        return None;
    }
    let parse = |lines: &[String]| -> BTreeMap<u64, Value> {
        lines
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter_map(|v| Some((v["step"].as_u64()?, v)))
            .collect()
    };
    let (want, got) = (parse(expected), parse(actual));
    let steps: BTreeSet<u64> = want.keys().chain(got.keys()).copied().collect();
    let mut text = String::new();
    let differing: Vec<u64> = steps
        .into_iter()
        .filter(|s| want.get(s) != got.get(s))
        .collect();
    for &s in differing.iter().take(SHOWN_STEPS) {
        let i = s as usize;
        let step = want.get(&s).or(got.get(&s)).unwrap_or(&Value::Null);
        text.push_str(&format!(
            "  step {i} ({} {}{}):\n",
            step["do"].as_str().unwrap_or("?"),
            step.get("key")
                .or(step.get("path"))
                .or(step.get("entity"))
                .and_then(Value::as_str)
                .unwrap_or(""),
            step.get("as")
                .and_then(Value::as_str)
                .map_or(String::new(), |a| format!(" as {a}")),
        ));
        if let Some(note) = scenario.note_before(i) {
            text.push_str(&format!("    after the note: {note}\n"));
        }
        let mut leaves = Vec::new();
        leaf_diffs("", want.get(&s), got.get(&s), &mut leaves);
        for l in leaves.iter().take(SHOWN_VALUES) {
            text.push_str(&format!("    {l}\n"));
        }
        if leaves.len() > SHOWN_VALUES {
            text.push_str(&format!("    … and {} more\n", leaves.len() - SHOWN_VALUES));
        }
    }
    if differing.len() > SHOWN_STEPS {
        text.push_str(&format!(
            "  … and {} more differing steps\n",
            differing.len() - SHOWN_STEPS
        ));
    }
    if differing.is_empty() {
        text.push_str("  the lines differ in form only (not canonical JSON?)\n");
    }
    Some(text)
}

fn read_expected(name: &str) -> Result<Vec<String>, String> {
    let path = expected_path(name);
    std::fs::read_to_string(&path)
        .map(|t| t.lines().map(str::to_owned).collect())
        .map_err(|e| {
            format!(
                "{}: {e} (write it with UPDATE_EXPECT=1 make test-conformance)",
                path.display()
            )
        })
}

/// Judges `host`'s raw outcomes of every scenario against the committed
/// transcripts (rewriting them first from these outcomes when `update`).
/// Returns the report, or every failure.
pub fn verify(host: &str, update: bool) -> Result<String, String> {
    let mut failures = Vec::new();
    let (mut passed, mut failed, mut same) = (0, 0, 0);
    let scenarios = Scenario::all();
    for scenario in &scenarios {
        let name = &scenario.name;
        let (site, outcomes) = match read_raw(scenario, host) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{name} ({host}): {e}"));
                continue;
            }
        };
        let j = judge(scenario, &site, &outcomes);
        passed += j.passed;
        failed += j.failed;
        failures.extend(j.failures.iter().map(|f| format!("{name} ({host}): {f}")));
        if update {
            let path = expected_path(name);
            std::fs::write(&path, format!("{}\n", j.lines.join("\n")))
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            println!("updated tests/scenarios/{name}.expected.jsonl");
        }
        match read_expected(name) {
            Err(e) => failures.push(format!("{name} ({host}): {e}")),
            Ok(expected) => match diff(scenario, &expected, &j.lines) {
                None => same += 1,
                Some(d) => failures.push(format!(
                    "{name} ({host}): the transcript differs from tests/scenarios/{name}.expected.jsonl \
                     (expected: committed, actual: this run; UPDATE_EXPECT=1 rewrites it if the change is intended):\n{d}"
                )),
            },
        }
    }
    let report = format!(
        "{host}: {passed} steps passed, {failed} failed; {same} of {} transcripts as committed",
        scenarios.len()
    );
    if failures.is_empty() {
        Ok(report)
    } else {
        Err(format!("{report}\n{}", failures.join("\n")))
    }
}

/// Is `UPDATE_EXPECT` set (to anything but `0` or empty)?
pub fn update_requested() -> bool {
    std::env::var("UPDATE_EXPECT").is_ok_and(|v| !v.is_empty() && v != "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(steps: Value) -> Scenario {
        Scenario {
            name: "t".into(),
            start: 0,
            steps: steps.as_array().cloned().unwrap_or_default(),
        }
    }

    fn outcome(step: usize, ok: bool, out: Value) -> Outcome {
        Outcome { step, ok, out }
    }

    #[test]
    fn a_changed_outcome_is_shown_by_step_note_and_path() {
        let s = scenario(json!([
            {"note": "Approval."},
            {"do": "invoke", "as": "arlo", "key": "requests.approve"},
            {"do": "count", "entity": "grant"},
        ]));
        let want = judge(
            &s,
            "http://x",
            &[
                outcome(
                    1,
                    true,
                    json!({"request": {"decision": "approved"}, "n": [1]}),
                ),
                outcome(2, true, json!(1)),
            ],
        );
        let got = judge(
            &s,
            "http://x",
            &[
                outcome(
                    1,
                    true,
                    json!({"request": {"decision": "pending"}, "n": [1, 2]}),
                ),
                outcome(2, true, json!(1)),
            ],
        );
        assert_eq!(diff(&s, &want.lines, &want.lines), None);
        let d = diff(&s, &want.lines, &got.lines).expect("they differ");
        assert!(
            d.contains("step 1 (invoke requests.approve as arlo)"),
            "{d}"
        );
        assert!(d.contains("after the note: Approval."), "{d}");
        assert!(
            d.contains(r#"out.request.decision: expected "approved", actual "pending""#),
            "{d}"
        );
        assert!(d.contains("out.n.1: expected <absent>, actual 2"), "{d}");
        assert!(!d.contains("step 2"), "{d}");
    }

    #[test]
    fn expectations_see_the_variables_earlier_steps_saved() {
        let s = scenario(json!([
            {"do": "fileRequest", "as": "rita", "tool": "claude", "save": "r1"},
            {"do": "invoke", "as": "arlo", "key": "requests.approve", "payload": {"requestId": "${r1}"},
             "expect": {"match": {"request.id": "${r1}", "request.key": "${r1.key}"}}},
            {"do": "jira", "method": "GET", "path": "/rest/api/3/issue/${r1}"},
        ]));
        let filed = outcome(
            0,
            true,
            json!({"status": 201, "id": "10001", "key": "AIR-2"}),
        );
        let good = judge(
            &s,
            "http://x",
            &[
                outcome(0, true, filed.out.clone()),
                outcome(1, true, json!({"request": {"id": "10001", "key": "AIR-2"}})),
                outcome(2, true, json!({"status": 200})),
            ],
        );
        assert!(good.failures.is_empty(), "{:?}", good.failures);
        assert_eq!(good.passed, 3);
        assert!(
            good.lines[2].contains(r#""path":"/rest/api/3/issue/10001""#),
            "{}",
            good.lines[2]
        );
        let bad = judge(
            &s,
            "http://x",
            &[
                filed,
                outcome(1, true, json!({"request": {"id": "10002", "key": "AIR-2"}})),
                outcome(2, true, json!({"status": 200})),
            ],
        );
        assert_eq!((bad.passed, bad.failed), (2, 1));
        assert!(bad.failures[0].starts_with("step 1 "), "{:?}", bad.failures);
        assert!(bad.failures[0].contains("request.id"), "{:?}", bad.failures);
    }

    #[test]
    fn a_runner_that_skips_or_reorders_steps_fails() {
        let s = scenario(json!([
            {"do": "count", "entity": "grant"},
            {"do": "count", "entity": "job"},
        ]));
        let skipped = judge(&s, "http://x", &[outcome(1, true, json!(0))]);
        assert!(
            skipped.failures[0].contains("gave step 1"),
            "{:?}",
            skipped.failures
        );
        let short = judge(&s, "http://x", &[outcome(0, true, json!(0))]);
        assert!(
            short.failures[0].contains("never ran"),
            "{:?}",
            short.failures
        );
    }

    #[test]
    fn only_the_site_is_normalised() {
        let v = json!({"self": "http://127.0.0.1:4321/rest/api/3/issue/1", "keyId": "cfd50ea7", "nextCursor": "5b31"});
        assert_eq!(
            normalise(&v, "http://127.0.0.1:4321"),
            json!({"self": "<site>/rest/api/3/issue/1", "keyId": "cfd50ea7", "nextCursor": "5b31"})
        );
        assert_eq!(
            canonical(&json!({"b": 1, "a": [true, null]})),
            r#"{"a":[true,null],"b":1}"#
        );
    }
}
