//! Forge's documented storage limits and the meaning of conditions, shared
//! by every backend so that they agree on what is accepted and what matches.

use crate::{Condition, EntityQuery, FilterOp, RangeCondition, SortOrder, StorageError, TxnOp};
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::BTreeSet;

/// Longest key Forge accepts, in characters.
pub const MAX_KEY_CHARS: usize = 500;
/// Largest value Forge accepts: 240 KiB of JSON text.
pub const MAX_VALUE_BYTES: usize = 240 * 1024;
/// Most operations one transaction may hold.
pub const MAX_TXN_OPS: usize = 25;
/// Most items one query page returns.
pub const MAX_PAGE: u32 = 100;

/// Checks a KVS key or custom-entity key against Forge's key rules.
pub fn validate_key(key: &str) -> Result<(), StorageError> {
    let chars = key.chars().count();
    if chars == 0 {
        return Err(StorageError::InvalidKey("key must not be empty".into()));
    }
    if chars > MAX_KEY_CHARS {
        return Err(StorageError::InvalidKey(format!(
            "key is {chars} characters; the limit is {MAX_KEY_CHARS}"
        )));
    }
    if let Some(bad) = key.chars().find(|c| !key_char_allowed(*c)) {
        return Err(StorageError::InvalidKey(format!(
            "character {bad:?} is not allowed; keys use [a-zA-Z0-9:._\\s-#]"
        )));
    }
    Ok(())
}

fn key_char_allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '_' | '-' | '#') || c.is_whitespace()
}

/// Checks a value: JSON text of at most [`MAX_VALUE_BYTES`].
pub fn validate_value(value: &str) -> Result<Value, StorageError> {
    if value.len() > MAX_VALUE_BYTES {
        return Err(StorageError::InvalidValue(format!(
            "value is {} bytes; the limit is {MAX_VALUE_BYTES}",
            value.len()
        )));
    }
    serde_json::from_str(value)
        .map_err(|e| StorageError::InvalidValue(format!("value is not JSON: {e}")))
}

/// Checks an entity value: like [`validate_value`], and a JSON object.
pub fn validate_entity_value(value: &str) -> Result<Value, StorageError> {
    let v = validate_value(value)?;
    if !v.is_object() {
        return Err(StorageError::InvalidValue(
            "an entity value must be a JSON object".into(),
        ));
    }
    Ok(v)
}

/// Checks a transaction's shape: 1..=25 operations, each (entity, key) once,
/// valid keys and values, conditions only on entities.
pub fn validate_transaction(ops: &[TxnOp]) -> Result<(), StorageError> {
    if ops.is_empty() {
        return Err(StorageError::InvalidTransaction(
            "a transaction needs at least one operation".into(),
        ));
    }
    if ops.len() > MAX_TXN_OPS {
        return Err(StorageError::InvalidTransaction(format!(
            "{} operations; the limit is {MAX_TXN_OPS}",
            ops.len()
        )));
    }
    let mut seen = BTreeSet::new();
    for op in ops {
        let (entity, key) = op.target();
        validate_key(key)?;
        if !seen.insert((entity.map(str::to_owned), key.to_owned())) {
            return Err(StorageError::InvalidTransaction(format!(
                "key {key:?} appears twice"
            )));
        }
        if entity.is_none() && !op.conditions().is_empty() {
            return Err(StorageError::InvalidTransaction(
                "conditions apply to custom entities only".into(),
            ));
        }
        if entity.is_none() && matches!(op, TxnOp::Check { .. }) {
            return Err(StorageError::InvalidTransaction(
                "check applies to custom entities only".into(),
            ));
        }
        if let TxnOp::Set { value, entity, .. } = op {
            if entity.is_some() {
                validate_entity_value(value)?;
            } else {
                validate_value(value)?;
            }
        }
    }
    Ok(())
}

/// Clamps a requested page size into 1..=[`MAX_PAGE`].
pub fn page_limit(limit: u32) -> usize {
    limit.clamp(1, MAX_PAGE) as usize
}

/// Orders JSON scalars as Forge's indexes do: numbers numerically, strings
/// lexicographically, booleans false < true; across kinds by kind.
pub fn compare_values(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::Array(_) => 4,
            Value::Object(_) => 5,
        }
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => rank(a)
            .cmp(&rank(b))
            .then_with(|| a.to_string().cmp(&b.to_string())),
    }
}

/// Does an entity (JSON object) meet one filter clause?
pub fn condition_holds(entity: Option<&Value>, cond: &Condition) -> bool {
    let attr = entity.and_then(|e| e.get(&cond.attribute));
    match cond.op {
        FilterOp::NotExists => attr.is_none(),
        FilterOp::Exists => attr.is_some(),
        _ => {
            let (Some(a), Some(v)) = (attr, cond.value.as_ref()) else {
                return matches!(cond.op, FilterOp::NotEqualTo | FilterOp::NotContains)
                    && entity.is_some();
            };
            match cond.op {
                FilterOp::EqualTo => compare_values(a, v) == Ordering::Equal && same_kind(a, v),
                FilterOp::NotEqualTo => {
                    !(compare_values(a, v) == Ordering::Equal && same_kind(a, v))
                }
                FilterOp::GreaterThan => {
                    same_kind(a, v) && compare_values(a, v) == Ordering::Greater
                }
                FilterOp::GreaterThanEqualTo => {
                    same_kind(a, v) && compare_values(a, v) != Ordering::Less
                }
                FilterOp::LessThan => same_kind(a, v) && compare_values(a, v) == Ordering::Less,
                FilterOp::LessThanEqualTo => {
                    same_kind(a, v) && compare_values(a, v) != Ordering::Greater
                }
                FilterOp::BeginsWith => match (a, v) {
                    (Value::String(a), Value::String(p)) => a.starts_with(p.as_str()),
                    _ => false,
                },
                FilterOp::Contains => contains(a, v),
                FilterOp::NotContains => !contains(a, v),
                FilterOp::Exists | FilterOp::NotExists => unreachable!("handled above"),
            }
        }
    }
}

fn same_kind(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn contains(haystack: &Value, needle: &Value) -> bool {
    match (haystack, needle) {
        (Value::String(h), Value::String(n)) => h.contains(n.as_str()),
        (Value::Array(items), n) => items.iter().any(|i| i == n),
        _ => false,
    }
}

/// Do all clauses hold? A missing entity meets only a list of `NotExists`.
pub fn conditions_hold(entity: Option<&Value>, conds: &[Condition]) -> bool {
    conds.iter().all(|c| condition_holds(entity, c))
}

/// Does a range attribute value meet the query's range condition?
pub fn range_holds(value: &Value, range: &RangeCondition) -> bool {
    use RangeCondition::*;
    let cmp = |v: &Value| compare_values(value, v);
    match range {
        EqualTo(v) => cmp(v) == Ordering::Equal,
        BeginsWith(p) => value.as_str().is_some_and(|s| s.starts_with(p.as_str())),
        Between(lo, hi) => cmp(lo) != Ordering::Less && cmp(hi) != Ordering::Greater,
        GreaterThan(v) => cmp(v) == Ordering::Greater,
        GreaterThanEqualTo(v) => cmp(v) != Ordering::Less,
        LessThan(v) => cmp(v) == Ordering::Less,
        LessThanEqualTo(v) => cmp(v) != Ordering::Greater,
    }
}

/// The position a query resumes after: the range value and key of the last
/// item returned, encoded opaquely. Both backends use it, so cursors from one
/// query only make sense to the same query.
pub fn encode_cursor(range_value: &Value, key: &str) -> String {
    let raw = serde_json::json!([range_value, key]).to_string();
    hex_encode(raw.as_bytes())
}

pub fn decode_cursor(cursor: &str) -> Result<(Value, String), StorageError> {
    let bytes = hex_decode(cursor).ok_or(StorageError::InvalidCursor)?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| StorageError::InvalidCursor)?;
    match v {
        Value::Array(mut parts) if parts.len() == 2 => {
            let key = parts.pop().and_then(|k| k.as_str().map(str::to_owned));
            let range = parts.pop();
            match (range, key) {
                (Some(r), Some(k)) => Ok((r, k)),
                _ => Err(StorageError::InvalidCursor),
            }
        }
        _ => Err(StorageError::InvalidCursor),
    }
}

/// Is (range value, key) strictly after the cursor position in query order?
pub fn after_cursor(
    range_value: &Value,
    key: &str,
    cursor: &(Value, String),
    order: SortOrder,
) -> bool {
    let ord = compare_values(range_value, &cursor.0).then_with(|| key.cmp(cursor.1.as_str()));
    match order {
        SortOrder::Asc => ord == Ordering::Greater,
        SortOrder::Desc => ord == Ordering::Less,
    }
}

/// Does a stored entity belong to the query's partition?
pub fn in_partition(entity: &Value, partition_attrs: &[String], query: &EntityQuery) -> bool {
    partition_attrs.len() == query.partition.len()
        && partition_attrs
            .iter()
            .zip(&query.partition)
            .all(|(attr, want)| entity.get(attr).is_some_and(|v| v == want))
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_follow_forge_rules() {
        assert!(validate_key("grant:abc-1_2.3#x y").is_ok());
        assert!(validate_key("").is_err());
        assert!(validate_key(&"a".repeat(500)).is_ok());
        assert!(validate_key(&"a".repeat(501)).is_err());
        assert!(validate_key("a/b").is_err());
        assert!(validate_key("é").is_err());
    }

    #[test]
    fn values_are_json_within_240_kib() {
        assert!(validate_value("{\"a\":1}").is_ok());
        assert!(validate_value("not json").is_err());
        let big = format!("\"{}\"", "x".repeat(MAX_VALUE_BYTES));
        assert!(matches!(
            validate_value(&big),
            Err(StorageError::InvalidValue(_))
        ));
        assert!(validate_entity_value("[1]").is_err());
    }

    #[test]
    fn transactions_are_bounded_and_keys_unique() {
        let op = |k: &str| TxnOp::Set {
            key: k.into(),
            entity: None,
            value: "1".into(),
            conditions: vec![],
        };
        assert!(validate_transaction(&[]).is_err());
        let ops: Vec<_> = (0..25).map(|i| op(&format!("k{i}"))).collect();
        assert!(validate_transaction(&ops).is_ok());
        let ops: Vec<_> = (0..26).map(|i| op(&format!("k{i}"))).collect();
        assert!(validate_transaction(&ops).is_err());
        assert!(validate_transaction(&[op("a"), op("a")]).is_err());
    }

    #[test]
    fn conditions_compare_like_forge() {
        let e = json!({"seq": 4, "status": "active", "tags": ["x"]});
        assert!(condition_holds(
            Some(&e),
            &Condition::equal("seq", json!(4))
        ));
        assert!(!condition_holds(
            Some(&e),
            &Condition::equal("seq", json!("4"))
        ));
        assert!(condition_holds(
            Some(&e),
            &Condition::new("seq", FilterOp::LessThan, json!(10))
        ));
        assert!(condition_holds(
            Some(&e),
            &Condition::new("status", FilterOp::BeginsWith, json!("act"))
        ));
        assert!(condition_holds(
            Some(&e),
            &Condition::new("tags", FilterOp::Contains, json!("x"))
        ));
        let missing = Condition {
            attribute: "nope".into(),
            op: FilterOp::NotExists,
            value: None,
        };
        assert!(condition_holds(Some(&e), &missing));
        assert!(condition_holds(None, &missing));
        assert!(!condition_holds(None, &Condition::equal("seq", json!(4))));
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = encode_cursor(&json!(17), "k:1");
        assert_eq!(decode_cursor(&c).unwrap(), (json!(17), "k:1".to_owned()));
        assert_eq!(decode_cursor("zz"), Err(StorageError::InvalidCursor));
        assert!(after_cursor(
            &json!(18),
            "a",
            &(json!(17), "k".into()),
            SortOrder::Asc
        ));
        assert!(!after_cursor(
            &json!(17),
            "k",
            &(json!(17), "k".into()),
            SortOrder::Asc
        ));
        assert!(after_cursor(
            &json!(17),
            "j",
            &(json!(17), "k".into()),
            SortOrder::Desc
        ));
    }
}
