//! The SQL for declared indexes: expression indexes per index, and the
//! statements a query runs to seek them (partition, range, cursor).

use super::*;

/// The SQL for one declared index: the expressions its SQLite index is
/// built on, which queries must repeat verbatim for SQLite to use it.
#[derive(Debug, Clone)]
pub(crate) struct IndexPlan {
    /// Quoted SQLite index name.
    pub(crate) sql_name: String,
    pub(crate) partition_attrs: Vec<String>,
    pub(crate) range_attr: String,
    pub(crate) partition_exprs: Vec<String>,
    pub(crate) rank_expr: String,
    pub(crate) value_expr: String,
    pub(crate) create_sql: String,
}

/// Entity and index names go into index names; keep them to what the
/// manifest allows.
pub(crate) fn check_name(name: &str, what: &str) -> Result<(), StoreError> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(StoreError::Schema(format!(
            "{what} name {name:?} must be made of [A-Za-z0-9_-]"
        )));
    }
    Ok(())
}

/// An attribute name becomes a quoted label in a JSON path inside an SQL
/// string literal: refuse the characters that would break out of either.
pub(crate) fn json_path(attr: &str) -> Result<String, StoreError> {
    if attr
        .chars()
        .any(|c| c == '"' || c == '\'' || c == '\\' || c.is_control())
    {
        return Err(StoreError::Schema(format!(
            "attribute name {attr:?} contains a quote, backslash or control character"
        )));
    }
    Ok(format!("'$.\"{attr}\"'"))
}

/// `expr` evaluated only on rows whose value is well-formed JSON, so that a
/// tampered row (see [`Store::raw_entity_set`]) cannot break writes or queries.
pub(crate) fn guarded(expr: &str) -> String {
    format!("CASE WHEN json_valid(value) THEN {expr} END")
}

impl IndexPlan {
    pub(crate) fn new(
        schema: &EntitySchema,
        index: &aigis_platform::IndexSchema,
    ) -> Result<IndexPlan, StoreError> {
        // Like the in-memory backend: the first range attribute orders.
        let range_attr = index.range.first().cloned().unwrap_or_default();
        let partition_exprs = index
            .partition
            .iter()
            .map(|a| Ok(guarded(&format!("json_extract(value, {})", json_path(a)?))))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let path = json_path(&range_attr)?;
        let rank_expr = guarded(&format!(
            "CASE json_type(value, {path}) WHEN 'null' THEN 0 WHEN 'true' THEN 1 \
             WHEN 'false' THEN 1 WHEN 'integer' THEN 2 WHEN 'real' THEN 2 \
             WHEN 'text' THEN 3 WHEN 'array' THEN 4 WHEN 'object' THEN 5 END"
        ));
        let value_expr = guarded(&format!("ifnull(json_extract(value, {path}), 0)"));
        let sql_name = format!("\"idx_{}_{}\"", schema.name, index.name);
        let mut columns = vec!["entity".to_owned()];
        columns.extend(partition_exprs.iter().cloned());
        columns.push(rank_expr.clone());
        columns.push(value_expr.clone());
        columns.push("key".to_owned());
        let create_sql = format!(
            "CREATE INDEX {sql_name} ON entities ({})",
            columns.join(", ")
        );
        Ok(IndexPlan {
            sql_name,
            partition_attrs: index.partition.clone(),
            range_attr,
            partition_exprs,
            rank_expr,
            value_expr,
            create_sql,
        })
    }

    /// The SELECTs for a query, to run in turn: together they yield the
    /// index's rows in query order, narrowed by partition, range and cursor
    /// (a superset of the answer; the Rust checks decide).
    ///
    /// SQLite seeks an expression index with equalities on a prefix of its
    /// columns and a range on the next one only (row-value comparisons are
    /// not used on expression columns), so the `(rank, value, key)` range is
    /// cut into segments with one kind rank each: `rank = k`, then a range on
    /// the value, or `value = v` and a range on the key where the cursor
    /// falls.
    pub(crate) fn segments(
        &self,
        query: &EntityQuery,
        cursor: Option<&(Value, String)>,
    ) -> Vec<(String, Vec<SqlValue>)> {
        let mut base_args: Vec<SqlValue> = vec![SqlValue::Text(query.entity.clone())];
        let mut base = vec!["entity = ?".to_owned()];
        for (expr, want) in self.partition_exprs.iter().zip(&query.partition) {
            // Arrays and objects come back from json_extract as JSON text whose
            // spelling may differ from serde's: leave them to the Rust check.
            if let Some(v) = scalar(want) {
                base_args.push(v);
                base.push(format!("{expr} IS ?"));
            }
        }
        let (mut lower, mut upper) = query.range.as_ref().map(bounds).unwrap_or_default();
        // The cursor is at least as tight as the range on its side: replace it.
        if let Some((rv, key)) = cursor {
            let seek = Bound {
                rank: rank(rv),
                side: Side::Cursor(sortable(rv), key.clone()),
            };
            match query.order {
                SortOrder::Asc => lower = Some(seek),
                SortOrder::Desc => upper = Some(seek),
            }
        }
        let dir = match query.order {
            SortOrder::Asc => "ASC",
            SortOrder::Desc => "DESC",
        };
        let select = |conds: Vec<SqlCond>, value_fixed: bool| {
            let mut wh = base.clone();
            let mut args = base_args.clone();
            for (c, a) in conds {
                wh.push(c);
                args.extend(a);
            }
            // Every segment fixes the rank, and some the value too: order by
            // what is left. (Naming an expression that an equality fixes in
            // ORDER BY makes SQLite sort needlessly.)
            let order = if value_fixed {
                format!("key {dir}")
            } else {
                format!("{} {dir}, key {dir}", self.value_expr)
            };
            let sql = format!(
                "SELECT key, value FROM entities INDEXED BY {} WHERE {} ORDER BY {order}",
                self.sql_name,
                wh.join(" AND "),
            );
            (sql, args)
        };
        let value = &self.value_expr;
        let mut out = Vec::new();
        let mut ranks: Vec<i64> = (0..=5).collect();
        if query.order == SortOrder::Desc {
            ranks.reverse();
        }
        for k in ranks {
            let Some(lo) = side_at(lower.as_ref(), k, true) else {
                continue;
            };
            let Some(hi) = side_at(upper.as_ref(), k, false) else {
                continue;
            };
            let rank_eq = (
                format!("{} = ?", self.rank_expr),
                Some(SqlValue::Integer(k)),
            );
            let value_cond = |side: &Option<Side>, ops: (&str, &str)| match side {
                Some(Side::Value(v, inclusive)) => Some((
                    format!("{value} {} ?", if *inclusive { ops.1 } else { ops.0 }),
                    Some(v.clone()),
                )),
                _ => None,
            };
            // Ascending sub-segments of this rank.
            let mut subs: Vec<(Vec<SqlCond>, bool)> = Vec::new();
            match (&lo, &hi) {
                (Some(Side::Cursor(v, key)), _) => {
                    // Ties with the cursor's value after its key, then the values above.
                    let mut ties = vec![
                        rank_eq.clone(),
                        (format!("{value} = ?"), Some(v.clone())),
                        ("key > ?".to_owned(), Some(SqlValue::Text(key.clone()))),
                    ];
                    ties.extend(value_cond(&hi, ("<", "<=")));
                    let mut above =
                        vec![rank_eq.clone(), (format!("{value} > ?"), Some(v.clone()))];
                    above.extend(value_cond(&hi, ("<", "<=")));
                    subs.push((ties, true));
                    subs.push((above, false));
                }
                (_, Some(Side::Cursor(v, key))) => {
                    let mut below =
                        vec![rank_eq.clone(), (format!("{value} < ?"), Some(v.clone()))];
                    below.extend(value_cond(&lo, (">", ">=")));
                    let mut ties = vec![
                        rank_eq.clone(),
                        (format!("{value} = ?"), Some(v.clone())),
                        ("key < ?".to_owned(), Some(SqlValue::Text(key.clone()))),
                    ];
                    ties.extend(value_cond(&lo, (">", ">=")));
                    subs.push((below, false));
                    subs.push((ties, true));
                }
                _ => {
                    let mut conds = vec![rank_eq.clone()];
                    conds.extend(value_cond(&lo, (">", ">=")));
                    conds.extend(value_cond(&hi, ("<", "<=")));
                    subs.push((conds, false));
                }
            }
            if query.order == SortOrder::Desc {
                subs.reverse();
            }
            out.extend(subs.into_iter().map(|(conds, fixed)| select(conds, fixed)));
        }
        out
    }
}

/// One WHERE term with `?` placeholders and the argument it binds, if any.
type SqlCond = (String, Option<SqlValue>);

/// One side of a range over `(rank, value, key)`.
#[derive(Debug, Clone)]
pub(crate) struct Bound {
    rank: i64,
    side: Side,
}

#[derive(Debug, Clone)]
pub(crate) enum Side {
    /// Every value of the rank (inclusive) or none of it (exclusive).
    Rank(bool),
    /// The value, inclusive or not.
    Value(SqlValue, bool),
    /// Strictly beyond (value, key): a cursor.
    Cursor(SqlValue, String),
}

/// What a bound asks of rows of rank `k`: `None` when no row of that rank
/// can meet it, `Some(None)` when every row can, else the condition.
pub(crate) fn side_at(bound: Option<&Bound>, k: i64, is_lower: bool) -> Option<Option<Side>> {
    let Some(b) = bound else {
        return Some(None);
    };
    if k != b.rank {
        // A lower bound admits every higher rank, an upper bound every lower one.
        return ((k > b.rank) == is_lower).then_some(None);
    }
    match &b.side {
        Side::Rank(true) => Some(None),
        Side::Rank(false) => None,
        other => Some(Some(other.clone())),
    }
}

/// The kind rank of a JSON value, as the index's rank expression computes it.
pub(crate) fn rank(v: &Value) -> i64 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Number(_) => 2,
        Value::String(_) => 3,
        Value::Array(_) => 4,
        Value::Object(_) => 5,
    }
}

/// A JSON value as the index's value expression holds it.
pub(crate) fn sortable(v: &Value) -> SqlValue {
    match v {
        Value::Null => SqlValue::Integer(0),
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Array(_) | Value::Object(_) => SqlValue::Text(v.to_string()),
    }
}

/// A partition value as `json_extract` returns it; `None` for arrays and objects.
pub(crate) fn scalar(v: &Value) -> Option<SqlValue> {
    match v {
        Value::Null => Some(SqlValue::Null),
        Value::Array(_) | Value::Object(_) => None,
        other => Some(sortable(other)),
    }
}

/// The bounds of a range condition in `(rank, value)` space, matching
/// [`limits::range_holds`] (which orders across kinds by rank).
pub(crate) fn bounds(range: &RangeCondition) -> (Option<Bound>, Option<Bound>) {
    use RangeCondition::*;
    let b = |v: &Value, inclusive| {
        Some(Bound {
            rank: rank(v),
            side: Side::Value(sortable(v), inclusive),
        })
    };
    match range {
        EqualTo(v) => (b(v, true), b(v, true)),
        Between(lo, hi) => (b(lo, true), b(hi, true)),
        GreaterThan(v) => (b(v, false), None),
        GreaterThanEqualTo(v) => (b(v, true), None),
        LessThan(v) => (None, b(v, false)),
        LessThanEqualTo(v) => (None, b(v, true)),
        BeginsWith(p) => {
            let lo = Bound {
                rank: 3,
                side: Side::Value(SqlValue::Text(p.clone()), true),
            };
            let hi = match successor(p) {
                Some(s) => Side::Value(SqlValue::Text(s), false),
                // No string above every string with this prefix: all strings.
                None => Side::Rank(true),
            };
            (Some(lo), Some(Bound { rank: 3, side: hi }))
        }
    }
}

/// The least string greater than every string starting with `prefix`, in
/// byte (= code point) order; `None` when there is none.
pub(crate) fn successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match last as u32 {
            0xD7FF => Some('\u{E000}'),
            c => char::from_u32(c + 1),
        };
        if let Some(n) = next {
            chars.push(n);
            return Some(chars.into_iter().collect());
        }
    }
    None
}
