//! Resolver payloads into typed arguments, once, at the route table.
//!
//! Errors name the field by its path (`rationale`, `items[3].id`) and say
//! what it must be in plain words: serde's own messages name Rust types
//! (`u32`, `struct DecideArgs`), so each is rewritten here, and one that no
//! rule recognises becomes "is not valid here" rather than leak.

use crate::error::AppError;
use aigis_core::ids::RULE_MARK;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Parses the payload text Forge hands a resolver: empty or `null` is `{}`,
/// anything else must be a JSON object.
pub fn payload(text: &str) -> Result<Value, AppError> {
    let text = text.trim();
    if text.is_empty() || text == "null" {
        return Ok(Value::Object(Default::default()));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let inner = e.to_string();
        let rule = inner.split(" at line ").next().unwrap_or(&inner).to_owned();
        AppError::invalid("payload", format!("must be a JSON object ({rule})"))
    })?;
    match value {
        Value::Object(_) => Ok(value),
        Value::Null => Ok(Value::Object(Default::default())),
        // serde reads a struct from an array too (fields by position): every
        // payload is an object, so anything else is refused here.
        _ => Err(AppError::invalid("payload", "must be a JSON object")),
    }
}

/// Deserialises `value` into `T`, naming the failing field.
pub fn args<T: DeserializeOwned>(value: Value) -> Result<T, AppError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.inner().to_string();
        let raw = inner.split(" at line ").next().unwrap_or(&inner).to_owned();
        // For unknown or missing fields serde names the field itself.
        let named = raw
            .split('`')
            .nth(1)
            .filter(|_| raw.starts_with("unknown field") || raw.starts_with("missing field"));
        let path = e.path().to_string();
        let field = match (named, path.as_str()) {
            (Some(n), "." | "") => n.to_owned(),
            (Some(n), p) if raw.starts_with("missing field") => format!("{p}.{n}"),
            (Some(n), p) if raw.starts_with("unknown field") && !p.ends_with(n) => {
                format!("{p}.{n}")
            }
            (_, "." | "") => "payload".to_owned(),
            (_, p) => p.to_owned(),
        };
        AppError::invalid(&field, plain(&raw))
    })
}

/// Words that must never reach a caller, matched anywhere in any case:
/// they name our implementation.
pub const LEAKY_WORDS: &[&str] = &[
    "serde",
    "storage",
    "sqlite",
    "sql",
    "untagged",
    "variant",
    "wasm",
    "panicked",
    "rust",
    "stack backtrace",
];

/// Rust type names, matched as whole words with their case.
pub const LEAKY_TYPES: &[&str] = &[
    "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize", "f32",
    "f64", "String", "Option", "Vec", "HashMap", "BTreeMap", "struct", "enum", "Value",
];

/// Whether `text` carries any of [`LEAKY_WORDS`] or [`LEAKY_TYPES`].
pub fn leaks(text: &str) -> bool {
    let lower = text.to_lowercase();
    LEAKY_WORDS.iter().any(|w| lower.contains(w))
        || text
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .any(|word| LEAKY_TYPES.contains(&word))
}

/// serde's message for a refused value, in plain words.
pub fn plain(raw: &str) -> String {
    let out = rewrite(raw);
    if leaks(&out) {
        "is not valid here".to_owned()
    } else {
        out
    }
}

fn rewrite(raw: &str) -> String {
    if let Some(rule) = raw.strip_prefix(RULE_MARK) {
        return rule.to_owned();
    }
    if raw.starts_with("missing field") {
        return "is required".to_owned();
    }
    if let Some(rest) = raw.strip_prefix("unknown field ") {
        let expected = rest.split_once(", ").map_or("", |(_, e)| e);
        return if expected.starts_with("there are no fields") {
            "is not an argument of this function (it takes none)".to_owned()
        } else {
            format!(
                "is not an argument of this function (it takes {})",
                names(
                    expected
                        .trim_start_matches("expected one of ")
                        .trim_start_matches("expected ")
                )
            )
        };
    }
    if let Some(rest) = raw.strip_prefix("unknown variant ") {
        let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let expected = expected.trim_start_matches("one of ");
        return format!(
            "must be one of {} (got {})",
            names(expected),
            got.trim_matches('`')
        );
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = raw.strip_prefix(prefix)
            && let Some((got, expected)) = rest.split_once(", expected ")
        {
            return format!(
                "must be {} (got {})",
                expected_words(expected),
                got_words(got)
            );
        }
    }
    if let Some(rest) = raw.strip_prefix("invalid length ")
        && let Some((n, expected)) = rest.split_once(", expected ")
    {
        return format!("must be {} (got {n} items)", expected_words(expected));
    }
    if raw.starts_with("duplicate field") {
        return "is given twice".to_owned();
    }
    // A custom message of ours (a `Deserialize` impl with a plain rule).
    raw.to_owned()
}

/// "`a`, `b` or `c`" -> "a, b or c"
fn names(list: &str) -> String {
    list.replace('`', "")
}

fn expected_words(expected: &str) -> String {
    let e = expected.trim();
    match e {
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number, 0 or more".into(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        "a borrowed string" | "a string" => "a string".into(),
        "a boolean" => "true or false".into(),
        "a sequence" => "a list".into(),
        "a map" => "an object".into(),
        "unit" => "null".into(),
        // What serde expects of an enum read from a JSON value.
        "string or map" => "one of the values this field takes".into(),
        _ if e.starts_with("struct ") => "an object".into(),
        _ if e.starts_with("tuple struct ") => "a list".into(),
        _ if e.starts_with("enum ") || e.starts_with("variant ") => {
            "one of the values this field takes".into()
        }
        _ if e.starts_with("a sequence of ") || e.starts_with("an array of ") => e
            .replace("a sequence", "a list")
            .replace("an array", "a list"),
        _ if e.starts_with('`') => format!("one of {}", names(e.trim_start_matches("one of "))),
        _ => e.to_owned(),
    }
}

fn got_words(got: &str) -> String {
    let g = got.trim();
    if let Some(n) = g
        .strip_prefix("integer ")
        .or_else(|| g.strip_prefix("floating point "))
    {
        return format!("the number {}", n.trim_matches('`'));
    }
    if let Some(b) = g.strip_prefix("boolean ") {
        return b.trim_matches('`').to_owned();
    }
    if g.starts_with("string ") {
        return "a string".into();
    }
    match g {
        "null" | "unit value" | "unit" => "null".into(),
        "map" => "an object".into(),
        "sequence" => "a list".into(),
        "char" => "a string".into(),
        _ => "something else".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    #[allow(dead_code)]
    struct P {
        request_id: aigis_core::ids::RequestId,
        #[serde(default)]
        days: Option<u32>,
        #[serde(default)]
        items: Vec<Item>,
        #[serde(default)]
        risk: Option<aigis_core::model::Risk>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        id: String,
    }

    fn err(s: &str) -> AppError {
        args::<P>(payload(s).unwrap()).unwrap_err()
    }

    #[test]
    fn errors_name_the_field_and_the_rule_in_plain_words() {
        let cases = [
            (
                r#"{"requestId":"1","x":2}"#,
                "x",
                "is not an argument of this function (it takes requestId, days, items, risk)",
            ),
            (r#"{}"#, "requestId", "is required"),
            (
                r#"{"requestId":5}"#,
                "requestId",
                "must be a string (got the number 5)",
            ),
            (
                r#"{"requestId":"a/b"}"#,
                "requestId",
                aigis_core::ids::RequestId::RULE,
            ),
            (
                r#"{"requestId":"1","days":-1}"#,
                "days",
                "must be a whole number, 0 or more (got the number -1)",
            ),
            (
                r#"{"requestId":"1","days":1e300}"#,
                "days",
                "must be a whole number, 0 or more (got the number 1e+300)",
            ),
            (
                r#"{"requestId":"1","days":"3"}"#,
                "days",
                "must be a whole number, 0 or more (got a string)",
            ),
            (
                r#"{"requestId":"1","items":[{"id":"a"},{"id":3}]}"#,
                "items[1].id",
                "must be a string (got the number 3)",
            ),
            (
                r#"{"requestId":"1","items":{}}"#,
                "items",
                "must be a list (got an object)",
            ),
            (
                r#"{"requestId":"1","risk":"huge"}"#,
                "risk",
                "must be one of low, medium, high, critical (got huge)",
            ),
            (
                r#"{"requestId":"1","risk":true}"#,
                "risk",
                "must be one of the values this field takes (got true)",
            ),
        ];
        for (input, field, rule) in cases {
            let e = err(input);
            assert_eq!(e.code, "invalid", "{input}");
            assert_eq!(e.field.as_deref(), Some(field), "{input}");
            assert_eq!(e.message, format!("{field}: {rule}"), "{input}");
            assert!(!leaks(&e.message), "{input}: {}", e.message);
        }
    }

    #[test]
    fn payloads_must_be_objects_and_json() {
        for bad in ["[1,2]", "3", "\"x\"", "{\"requestId\"", "nope"] {
            let e = payload(bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("payload"), "{bad}");
            assert!(!leaks(&e.message), "{bad}: {}", e.message);
        }
        assert_eq!(payload("").unwrap(), serde_json::json!({}));
        assert_eq!(payload(" null ").unwrap(), serde_json::json!({}));
    }

    #[test]
    fn unknown_messages_never_leak() {
        assert_eq!(
            plain("data did not match any variant of untagged enum When"),
            "is not valid here"
        );
        assert_eq!(
            plain("invalid type: sequence, expected struct Foo"),
            "must be an object (got a list)"
        );
        assert!(leaks("expected u32"));
        assert!(leaks("Storage: invalid key"));
        assert!(!leaks("must be a string (got the number 5)"));
    }
}
