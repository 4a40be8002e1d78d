//! Stated answers (`# -> ...` in the README) and how an answer is checked
//! against them.

use serde_json::Value;

/// One stated answer.
#[derive(Debug)]
pub enum Expect {
    /// `# -> exit N`: the command's exit status (otherwise it must be 0).
    Exit(i32),
    /// `# -> {...}` or `# -> [...]`: a JSON value in the answer contains
    /// these members with these values (see [`subset`]).
    Json(Value),
    /// `# -> text`: the answer contains the text (runs of white space
    /// compare equal).
    Text(String),
}

/// What a command answered.
#[derive(Debug)]
pub struct Answer {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
}

/// Reads the text after `->`.
pub fn parse_expect(stated: &str) -> Result<Expect, String> {
    let stated = stated.trim();
    if let Some(n) = stated.strip_prefix("exit ") {
        return n
            .trim()
            .parse()
            .map(Expect::Exit)
            .map_err(|_| format!("`exit` takes a number, not {n:?}"));
    }
    if stated.starts_with('{') || stated.starts_with('[') {
        let json = strip_ellipses(stated);
        return serde_json::from_str(&json)
            .map(Expect::Json)
            .map_err(|e| format!("the stated answer {stated} is not JSON: {e}"));
    }
    if stated.is_empty() {
        return Err("an empty stated answer".into());
    }
    Ok(Expect::Text(stated.to_owned()))
}

/// Removes `...` (outside strings) and the comma beside it: `{"a":1,...}`
/// reads as `{"a":1}`, since the match is by subset anyway.
fn strip_ellipses(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_str = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if in_str {
            out.push(c);
            match c {
                '\\' => out.extend(chars.next()),
                '"' => in_str = false,
                _ => {}
            }
            continue;
        }
        if c == '.' && s_starts(&mut chars, "..") {
            chars.next();
            chars.next();
            // Drop a comma before it, or else one after it.
            let trimmed = out.trim_end().len();
            if out[..trimmed].ends_with(',') {
                out.truncate(trimmed - 1);
            } else {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                if chars.peek() == Some(&',') {
                    chars.next();
                }
            }
            continue;
        }
        if c == '"' {
            in_str = true;
        }
        out.push(c);
    }
    out
}

fn s_starts(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, prefix: &str) -> bool {
    let rest: String = chars.clone().take(prefix.len()).collect();
    rest == prefix
}

/// The JSON values in an output: those the output starts with (a stream of
/// values, perhaps followed by other text, as `{...} HTTP 409`), and each
/// line that is an object or array (e.g. a JSON error after log lines).
pub fn json_values(out: &str) -> Vec<Value> {
    let mut values = Vec::new();
    for v in serde_json::Deserializer::from_str(out).into_iter::<Value>() {
        match v {
            Ok(v) => values.push(v),
            Err(_) => {
                values.extend(
                    out.lines()
                        .filter_map(|l| serde_json::from_str::<Value>(l.trim()).ok())
                        .filter(|v| v.is_object() || v.is_array()),
                );
                break;
            }
        }
    }
    values
}

/// Whether `actual` holds `expected`: objects need every expected member
/// (others may be there), arrays need the expected elements in order
/// (others may be between them), anything else must be equal. The error
/// names the first place where it does not hold.
pub fn subset(expected: &Value, actual: &Value) -> Result<(), String> {
    at(expected, actual, "")
}

fn at(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(want), Value::Object(have)) => {
            for (k, w) in want {
                let p = format!("{path}.{k}");
                match have.get(k) {
                    Some(h) => at(w, h, &p)?,
                    None => return Err(format!("{p} is missing")),
                }
            }
            Ok(())
        }
        (Value::Array(want), Value::Array(have)) => {
            let mut rest = have.iter().enumerate();
            for (i, w) in want.iter().enumerate() {
                if !rest.any(|(j, h)| at(w, h, &format!("{path}[{j}]")).is_ok()) {
                    return Err(format!(
                        "{path}: no element (in order) matches the stated element {i}, {w}"
                    ));
                }
            }
            Ok(())
        }
        (w, h) if w == h => Ok(()),
        (w, h) => Err(format!(
            "{}: stated {w}, answered {}",
            if path.is_empty() { "the answer" } else { path },
            short(&h.to_string())
        )),
    }
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Shortens a long answer for a message.
pub fn short(s: &str) -> String {
    const MAX: usize = 1500;
    let s = s.trim_end();
    if s.chars().count() <= MAX {
        return s.to_owned();
    }
    let cut: String = s.chars().take(MAX).collect();
    format!("{cut}... ({} characters in all)", s.chars().count())
}

/// Checks an answer against the stated ones; one message per mismatch.
pub fn check(expects: &[(usize, Expect)], answer: &Answer) -> Vec<String> {
    let mut failures = Vec::new();
    let status = expects
        .iter()
        .find_map(|(l, e)| match e {
            Expect::Exit(n) => Some((Some(*l), *n)),
            _ => None,
        })
        .unwrap_or((None, 0));
    if answer.status != status.1 {
        let why = match status.0 {
            Some(l) => format!("line {l} states exit {}", status.1),
            None => "no exit status is stated, so it must be 0".to_owned(),
        };
        failures.push(format!("exited {} ({why})", answer.status));
    }
    let values: Vec<Value> = json_values(&answer.stdout)
        .into_iter()
        .chain(json_values(&answer.stderr))
        .collect();
    for (line, e) in expects {
        match e {
            Expect::Exit(_) => {}
            Expect::Json(want) => {
                if values.iter().any(|v| subset(want, v).is_ok()) {
                    continue;
                }
                let why = if values.is_empty() {
                    "the answer holds no JSON".to_owned()
                } else {
                    values
                        .iter()
                        .filter_map(|v| subset(want, v).err())
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                failures.push(format!("line {line} states {want}: {why}"));
            }
            Expect::Text(want) => {
                let all = format!("{}\n{}", answer.stdout, answer.stderr);
                if !squash(&all).contains(&squash(want)) {
                    failures.push(format!(
                        "line {line} states the text {want:?}: not in the answer"
                    ));
                }
            }
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(stdout: &str, stderr: &str, status: i32) -> Answer {
        Answer {
            stdout: stdout.into(),
            stderr: stderr.into(),
            status,
        }
    }

    #[test]
    fn stated_answers_parse_and_ellipses_mean_more_members() {
        assert!(matches!(parse_expect("exit 1"), Ok(Expect::Exit(1))));
        assert!(parse_expect("exit one").is_err());
        let Ok(Expect::Json(v)) = parse_expect(r#"{"id":"10000","key":"AIR-1",...}"#) else {
            panic!("not JSON")
        };
        assert_eq!(v, json!({"id":"10000","key":"AIR-1"}));
        let Ok(Expect::Json(v)) = parse_expect(r#"{"grants":[..., {"s":"a..."}, ...]}"#) else {
            panic!("not JSON")
        };
        assert_eq!(v, json!({"grants":[{"s":"a..."}]}));
        assert!(parse_expect(r#"{"a":1} and more"#).is_err());
        assert!(matches!(parse_expect("OK: verified"), Ok(Expect::Text(t)) if t == "OK: verified"));
        assert!(parse_expect("  ").is_err());
    }

    #[test]
    fn subset_needs_every_stated_member_and_elements_in_order() {
        let have = json!({"a":1,"b":{"c":[1,2,3],"d":"x"},"e":null});
        assert!(subset(&json!({"b":{"d":"x"}}), &have).is_ok());
        assert!(subset(&json!({"b":{"c":[1,3]}}), &have).is_ok());
        assert!(subset(&json!({"e":null}), &have).is_ok());
        let e = subset(&json!({"b":{"c":[3,1]}}), &have).unwrap_err();
        assert!(e.contains(".b.c"), "{e}");
        let e = subset(&json!({"b":{"d":"y"}}), &have).unwrap_err();
        assert_eq!(e, r#".b.d: stated "y", answered "x""#);
        assert_eq!(subset(&json!({"z":1}), &have).unwrap_err(), ".z is missing");
        assert!(subset(&json!({"a":"1"}), &have).is_err());
        // Two stated elements need two answered ones.
        assert!(subset(&json!([{"a":1},{"a":1}]), &json!([{"a":1,"b":2}])).is_err());
    }

    #[test]
    fn json_is_found_in_streams_and_among_log_lines() {
        assert_eq!(json_values("{\"a\":1}\n{\"b\":2}\n").len(), 2);
        assert_eq!(json_values("{\n  \"a\": 1\n}\n"), vec![json!({"a":1})]);
        let v = json_values("INFO something\n{\"code\":\"forbidden\"}\n");
        assert_eq!(v, vec![json!({"code":"forbidden"})]);
        assert!(json_values("OK: the pack verifies\n").is_empty());
        let v = json_values("{\"code\":\"conflict\"} HTTP 409");
        assert_eq!(v, vec![json!({"code":"conflict"})]);
    }

    #[test]
    fn check_reports_each_mismatch_and_the_exit_status() {
        let ok = answer("{\"checked\":21}\n", "", 0);
        let e = vec![(7, parse_expect("{\"checked\":20}").unwrap())];
        let f = check(&e, &ok);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].contains("line 7") && f[0].contains("stated 20, answered 21"),
            "{f:?}"
        );
        assert!(check(&[(7, parse_expect("{\"checked\":21}").unwrap())], &ok).is_empty());

        let refused = answer("", "{\"code\":\"forbidden\",\"message\":\"no\"}\n", 1);
        let f = check(
            &[(3, parse_expect("{\"code\":\"forbidden\"}").unwrap())],
            &refused,
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].contains("exited 1"), "{f:?}");
        let stated = [
            (3, parse_expect("{\"code\":\"forbidden\"}").unwrap()),
            (4, parse_expect("exit 1").unwrap()),
        ];
        assert!(check(&stated, &refused).is_empty());

        let text = answer(
            "OK: the evidence pack verifies\nevents checked:    21 (x)\n",
            "",
            0,
        );
        assert!(check(&[(1, parse_expect("events checked: 21").unwrap())], &text).is_empty());
        let f = check(&[(1, parse_expect("events checked: 20").unwrap())], &text);
        assert_eq!(f.len(), 1);
        let f = check(&[(1, parse_expect("{\"a\":1}").unwrap())], &text);
        assert!(f[0].contains("holds no JSON"), "{f:?}");
    }
}
