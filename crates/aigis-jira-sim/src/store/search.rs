//! Issue search: a resolved JQL filter ([`Filter`]) compiled to one SQL query.

use rusqlite::Connection;
use rusqlite::types::Value as SqlValue;

use crate::SimError;

/// A comparison of an ordered field with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    fn sql(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A JQL condition whose values are resolved to stored ids and account ids.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Every condition holds (`AND`); `All(vec![])` is true.
    All(Vec<Filter>),
    /// At least one holds (`OR`); `Any(vec![])` is false.
    Any(Vec<Filter>),
    Not(Box<Filter>),
    ProjectIn(Vec<i64>),
    StatusIn(Vec<i64>),
    IssueTypeIn(Vec<i64>),
    RequestTypeIn(Vec<i64>),
    HasRequestType,
    ReporterIn(Vec<String>),
    CreatorIn(Vec<String>),
    /// Upper-case issue keys.
    KeyIn(Vec<String>),
    Id(CmpOp, i64),
    LabelIn(Vec<String>),
    LabelsEmpty,
    /// Case-insensitive substring of the summary.
    SummaryContains(String),
    Created(CmpOp, i64),
    Updated(CmpOp, i64),
    /// The value at `path` of property `key` (or any element of an array
    /// there), as text (`true`/`false` for booleans), is one of `values`.
    PropertyIn {
        key: String,
        path: Vec<String>,
        values: Vec<String>,
    },
    /// Property `key` has a non-null value at `path`.
    PropertyExists {
        key: String,
        path: Vec<String>,
    },
}

/// A sort key of `ORDER BY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderKey {
    Created,
    Updated,
    Key,
    Id,
    Summary,
    Project,
    Status,
}

/// Which issues the caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    All,
    /// Only issues this account reported or created.
    ReporterOrCreator(String),
    /// No issue (portal-only accounts through the platform API).
    Nothing,
}

/// One page of matching issue ids, and whether more follow.
pub fn search_issue_ids(
    conn: &Connection,
    filter: &Filter,
    order: &[(OrderKey, bool)],
    visibility: &Visibility,
    offset: usize,
    limit: usize,
) -> Result<(Vec<i64>, bool), SimError> {
    let mut params: Vec<SqlValue> = Vec::new();
    let mut sql = String::from("SELECT issues.id FROM issues WHERE ");
    compile(filter, &mut sql, &mut params);
    if let Visibility::ReporterOrCreator(me) = visibility {
        sql.push_str(" AND (issues.reporter = ? OR issues.creator = ?)");
        params.push(SqlValue::Text(me.clone()));
        params.push(SqlValue::Text(me.clone()));
    }
    if let Visibility::Nothing = visibility {
        sql.push_str(" AND 0");
    }
    sql.push_str(" ORDER BY ");
    let order: Vec<(OrderKey, bool)> = if order.is_empty() {
        vec![(OrderKey::Created, true)]
    } else {
        order.to_vec()
    };
    for (key, desc) in &order {
        let dir = if *desc { "DESC" } else { "ASC" };
        let cols: &[&str] = match key {
            OrderKey::Created => &["issues.created"],
            OrderKey::Updated => &["issues.updated"],
            OrderKey::Id => &["issues.id"],
            OrderKey::Summary => &["issues.summary COLLATE NOCASE"],
            OrderKey::Project => &["(SELECT key FROM projects WHERE id = issues.project_id)"],
            OrderKey::Status => &["(SELECT name FROM statuses WHERE id = issues.status_id)"],
            OrderKey::Key => &[
                "(SELECT key FROM projects WHERE id = issues.project_id)",
                "CAST(substr(issues.key, instr(issues.key, '-') + 1) AS INTEGER)",
            ],
        };
        for c in cols {
            sql.push_str(c);
            sql.push(' ');
            sql.push_str(dir);
            sql.push_str(", ");
        }
    }
    // A stable tie-break in the direction of the last key.
    let last_desc = order.last().is_some_and(|(_, d)| *d);
    sql.push_str(if last_desc {
        "issues.id DESC"
    } else {
        "issues.id ASC"
    });
    sql.push_str(" LIMIT ? OFFSET ?");
    params.push(SqlValue::Integer(
        i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX),
    ));
    params.push(SqlValue::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| r.get::<_, i64>(0))?;
    let mut ids: Vec<i64> = rows.collect::<Result<_, _>>()?;
    let more = ids.len() > limit;
    ids.truncate(limit);
    Ok((ids, more))
}

/// A JSON path `$."a"."b"` for the segments of a property path.
fn json_path(path: &[String]) -> String {
    let mut p = String::from("$");
    for seg in path {
        p.push_str(".\"");
        p.push_str(&seg.replace('"', "\\\""));
        p.push('"');
    }
    p
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

fn compile(f: &Filter, sql: &mut String, params: &mut Vec<SqlValue>) {
    let ints = |col: &str, ids: &[i64], sql: &mut String, params: &mut Vec<SqlValue>| {
        if ids.is_empty() {
            sql.push('0');
            return;
        }
        sql.push_str(&format!("{col} IN ({})", placeholders(ids.len())));
        params.extend(ids.iter().map(|i| SqlValue::Integer(*i)));
    };
    let texts = |col: &str, vals: &[String], sql: &mut String, params: &mut Vec<SqlValue>| {
        if vals.is_empty() {
            sql.push('0');
            return;
        }
        sql.push_str(&format!("{col} IN ({})", placeholders(vals.len())));
        params.extend(vals.iter().map(|v| SqlValue::Text(v.clone())));
    };
    match f {
        Filter::All(fs) | Filter::Any(fs) if fs.is_empty() => {
            sql.push_str(if matches!(f, Filter::All(_)) {
                "1"
            } else {
                "0"
            });
        }
        Filter::All(fs) | Filter::Any(fs) => {
            let joiner = if matches!(f, Filter::All(_)) {
                " AND "
            } else {
                " OR "
            };
            sql.push('(');
            for (i, sub) in fs.iter().enumerate() {
                if i > 0 {
                    sql.push_str(joiner);
                }
                compile(sub, sql, params);
            }
            sql.push(')');
        }
        Filter::Not(inner) => {
            sql.push_str("NOT (");
            compile(inner, sql, params);
            sql.push(')');
        }
        Filter::ProjectIn(ids) => ints("issues.project_id", ids, sql, params),
        Filter::StatusIn(ids) => ints("issues.status_id", ids, sql, params),
        Filter::IssueTypeIn(ids) => ints("issues.issue_type_id", ids, sql, params),
        Filter::RequestTypeIn(ids) => ints("issues.request_type_id", ids, sql, params),
        Filter::HasRequestType => sql.push_str("issues.request_type_id IS NOT NULL"),
        Filter::ReporterIn(ids) => texts("issues.reporter", ids, sql, params),
        Filter::CreatorIn(ids) => texts("issues.creator", ids, sql, params),
        Filter::KeyIn(keys) => texts("issues.key", keys, sql, params),
        Filter::Id(op, id) => {
            sql.push_str(&format!("issues.id {} ?", op.sql()));
            params.push(SqlValue::Integer(*id));
        }
        Filter::LabelIn(labels) => {
            if labels.is_empty() {
                sql.push('0');
                return;
            }
            sql.push_str(&format!(
                "EXISTS (SELECT 1 FROM json_each(issues.labels) l WHERE l.value IN ({}))",
                placeholders(labels.len())
            ));
            params.extend(labels.iter().map(|v| SqlValue::Text(v.clone())));
        }
        Filter::LabelsEmpty => sql.push_str("json_array_length(issues.labels) = 0"),
        Filter::SummaryContains(text) => {
            let escaped = text
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            sql.push_str("lower(issues.summary) LIKE ? ESCAPE '\\'");
            params.push(SqlValue::Text(format!("%{escaped}%")));
        }
        Filter::Created(op, at) | Filter::Updated(op, at) => {
            let col = if matches!(f, Filter::Created(..)) {
                "issues.created"
            } else {
                "issues.updated"
            };
            sql.push_str(&format!("{col} {} ?", op.sql()));
            params.push(SqlValue::Integer(*at));
        }
        Filter::PropertyIn { key, path, values } => {
            if values.is_empty() {
                sql.push('0');
                return;
            }
            sql.push_str(&format!(
                "EXISTS (SELECT 1 FROM issue_properties p, json_each(p.value, ?) j
                 WHERE p.issue_id = issues.id AND p.key = ?
                 AND (CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'
                      ELSE CAST(j.value AS TEXT) END) IN ({}))",
                placeholders(values.len())
            ));
            params.push(SqlValue::Text(json_path(path)));
            params.push(SqlValue::Text(key.clone()));
            params.extend(values.iter().map(|v| SqlValue::Text(v.clone())));
        }
        Filter::PropertyExists { key, path } => {
            sql.push_str(
                "EXISTS (SELECT 1 FROM issue_properties p WHERE p.issue_id = issues.id
                 AND p.key = ? AND COALESCE(json_type(p.value, ?), 'null') != 'null')",
            );
            params.push(SqlValue::Text(key.clone()));
            params.push(SqlValue::Text(json_path(path)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths_quote_segments() {
        assert_eq!(json_path(&[]), "$");
        assert_eq!(
            json_path(&["a".into(), "b\"c".into()]),
            "$.\"a\".\"b\\\"c\""
        );
    }
}
