//! The scenario format's semantics (`tests/scenarios/README.md`): paths into
//! an outcome, times, `${var}` interpolation, `save` and `expect`. One place
//! for both hosts: the runners only execute steps; `golden.rs` judges every
//! host's raw outcomes with these.

use serde_json::{Map, Value};

/// `a.b.0.c` into a value; `None` when absent.
pub fn at_path<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    if path.is_empty() {
        return Some(v);
    }
    path.split('.').try_fold(v, |cur, seg| match cur {
        Value::Object(m) => m.get(seg),
        Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

pub fn parse_at(text: &str, now: i64) -> i64 {
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
pub fn check(expect: Option<&Value>, ok: bool, out: &Value, start: i64) -> Vec<String> {
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
pub fn interpolate(v: &Value, vars: &Map<String, Value>) -> Value {
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

/// Keeps values of a step's outcome as variables: `"save": "r1"` on
/// `fileRequest` keeps the issue (`${r1}` its id, `${r1.key}` its key);
/// `"save": {"job": "jobs.0.id"}` on any step keeps that path of `out`.
/// Returns why a value could not be kept.
pub fn apply_saves(step: &Value, out: &Value, vars: &mut Map<String, Value>) -> Vec<String> {
    let mut failures = Vec::new();
    match step.get("save") {
        Some(Value::String(name)) if step["do"] == "fileRequest" => {
            vars.insert(name.clone(), out["id"].clone());
            vars.insert(format!("{name}.key"), out["key"].clone());
        }
        Some(Value::Object(saves)) => {
            for (name, p) in saves {
                match at_path(out, p.as_str().unwrap_or_default()) {
                    Some(v) => {
                        vars.insert(name.clone(), v.clone());
                    }
                    None => failures.push(format!("nothing at {p} to save")),
                }
            }
        }
        _ => {}
    }
    failures
}
