//! The CSV files: fixed columns, one row per record, and the decisions
//! derived from the audit events.

use super::{PackError, iso_millis};
use crate::Millis;
use crate::audit::AuditEvent;
use crate::model::{Grant, Job, JobMode, Request};
use serde_json::Value;

pub const REQUEST_COLUMNS: [&str; 22] = [
    "id",
    "issueKey",
    "projectKey",
    "requester",
    "tool",
    "toolName",
    "purpose",
    "durationDays",
    "summary",
    "description",
    "decision",
    "decisionSource",
    "decidedBy",
    "decidedAt",
    "rationale",
    "grant",
    "governanceVersion",
    "securityReview",
    "firstApprovalBy",
    "policy",
    "batch",
    "createdAt",
];

pub const GRANT_COLUMNS: [&str; 14] = [
    "id",
    "request",
    "issueKey",
    "account",
    "tool",
    "status",
    "durationDays",
    "createdAt",
    "activatedAt",
    "expiresAt",
    "endedAt",
    "reviewIssue",
    "reviewWindow",
    "reviewAnswer",
];

pub const JOB_COLUMNS: [&str; 12] = [
    "id",
    "kind",
    "grant",
    "mode",
    "connector",
    "status",
    "attempts",
    "dueAt",
    "createdAt",
    "updatedAt",
    "completedBy",
    "note",
];

pub const DECISION_COLUMNS: [&str; 11] = [
    "requestId",
    "issueKey",
    "decision",
    "decidedBy",
    "decidedAt",
    "source",
    "batch",
    "policy",
    "rationale",
    "governanceVersion",
    "seq",
];

pub const CONNECTOR_COLUMNS: [&str; 9] = [
    "id",
    "name",
    "type",
    "orgUrl",
    "tenantId",
    "enabled",
    "enforce",
    "credentialSetAt",
    "updatedAt",
];

pub const RECONCILIATION_COLUMNS: [&str; 14] = [
    "id",
    "tool",
    "connector",
    "groupId",
    "kind",
    "member",
    "memberType",
    "account",
    "grant",
    "status",
    "firstSeenAt",
    "lastSeenAt",
    "resolvedAt",
    "fixJob",
];

/// A connector record's row: its settings, never a credential (the record
/// holds none; the columns name what is shown).
pub fn connector_row(v: &Value) -> Vec<String> {
    let s = |k: &str| match v.get(k) {
        Some(Value::String(x)) => x.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    };
    let t = |k: &str| opt_time(v.get(k).and_then(Value::as_i64));
    vec![
        s("id"),
        s("name"),
        s("type"),
        s("orgUrl"),
        s("tenantId"),
        v.get("enabled")
            .and_then(Value::as_bool)
            .unwrap_or(false)
            .to_string(),
        v.get("enforce")
            .and_then(Value::as_bool)
            .unwrap_or(false)
            .to_string(),
        t("credentialSetAt"),
        t("updatedAt"),
    ]
}

pub fn reconciliation_row(r: &crate::drift::Reconciliation) -> Vec<String> {
    vec![
        r.id.clone(),
        r.tool.clone(),
        r.connector.clone(),
        r.group_id.clone(),
        r.kind.as_str().to_owned(),
        r.member.clone(),
        opt(&r.member_type),
        opt(&r.account),
        opt(&r.grant),
        match r.status {
            crate::drift::FindingStatus::Open => "open".to_owned(),
            crate::drift::FindingStatus::Resolved => "resolved".to_owned(),
        },
        iso_millis(r.first_seen_at),
        iso_millis(r.last_seen_at),
        opt_time(r.resolved_at),
        opt(&r.fix_job),
    ]
}

fn opt_time(t: Option<Millis>) -> String {
    t.map(iso_millis).unwrap_or_default()
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

pub fn request_row(r: &Request) -> Vec<String> {
    vec![
        r.id.clone(),
        r.issue_key.clone(),
        r.project_key.clone(),
        r.requester.clone(),
        r.tool.clone(),
        r.tool_name.clone(),
        r.purpose.clone(),
        r.duration_days.to_string(),
        r.summary.clone(),
        r.description.clone(),
        r.decision.as_str().to_owned(),
        r.decision_source
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        opt(&r.decided_by),
        opt_time(r.decided_at),
        opt(&r.rationale),
        opt(&r.grant),
        opt(&r.governance_version),
        r.security_review.to_string(),
        r.first_approval
            .as_ref()
            .map(|f| f.by.clone())
            .unwrap_or_default(),
        opt(&r.policy),
        opt(&r.batch),
        iso_millis(r.created_at),
    ]
}

pub fn grant_row(g: &Grant) -> Vec<String> {
    vec![
        g.id.clone(),
        g.request.clone(),
        g.issue_key.clone(),
        g.account.clone(),
        g.tool.clone(),
        g.status.as_str().to_owned(),
        g.duration_days.to_string(),
        iso_millis(g.created_at),
        opt_time(g.activated_at),
        iso_millis(g.expires_at),
        opt_time(g.ended_at),
        opt(&g.review_issue),
        opt_time(g.review_window),
        opt(&g.review_answer),
    ]
}

pub fn job_row(j: &Job) -> Vec<String> {
    let (mode, connector) = match &j.mode {
        JobMode::Manual => ("manual", String::new()),
        JobMode::Connector(c) => ("connector", c.clone()),
    };
    vec![
        j.id.clone(),
        j.kind.as_str().to_owned(),
        j.grant.clone(),
        mode.to_owned(),
        connector,
        j.status.as_str().to_owned(),
        j.attempts.to_string(),
        iso_millis(j.due_at),
        iso_millis(j.created_at),
        iso_millis(j.updated_at),
        opt(&j.completed_by),
        opt(&j.note),
    ]
}

/// One decision, as derived from its audit event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecisionRow {
    pub request_id: String,
    pub issue_key: String,
    /// `approved` or `denied`.
    pub decision: String,
    pub decided_by: String,
    pub decided_at: Millis,
    /// `manual`, `bulk` or `auto-policy` (other values as recorded).
    pub source: String,
    /// The bulk decision it belonged to (source `bulk`), else empty.
    #[serde(default)]
    pub batch: String,
    /// The auto-approval policy (source `auto-policy`), else empty; its
    /// version is the governance version.
    #[serde(default)]
    pub policy: String,
    pub rationale: String,
    pub governance_version: Option<u64>,
    pub seq: u64,
}

impl DecisionRow {
    pub fn to_row(&self) -> Vec<String> {
        vec![
            self.request_id.clone(),
            self.issue_key.clone(),
            self.decision.clone(),
            self.decided_by.clone(),
            iso_millis(self.decided_at),
            self.source.clone(),
            self.batch.clone(),
            self.policy.clone(),
            self.rationale.clone(),
            opt(&self.governance_version),
            self.seq.to_string(),
        ]
    }
}

fn str_field(data: &Value, key: &str) -> Option<String> {
    data.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// The decision `e` records, if it is a `request.approved` /
/// `request.denied` event on a `request:<id>` subject: decided by the
/// event's actor at its time; the issue key from `data.issueKey`, else
/// `issue_key_of(id)`; source `manual` (absent or `manual`), `bulk`
/// or `auto-policy` (`autoPolicy`), with `data.batch` and `data.policy`;
/// `data.rationale`; `data.governanceVersion`, else the event's
/// `govVersion`; the event's seq.
pub fn decision_of(
    e: &AuditEvent,
    issue_key_of: &dyn Fn(&str) -> Option<String>,
) -> Option<DecisionRow> {
    let decision = match e.action.as_str() {
        "request.approved" => "approved",
        "request.denied" => "denied",
        _ => return None,
    };
    let request_id = e.subject.strip_prefix("request:")?.to_owned();
    let issue_key = str_field(&e.data, "issueKey")
        .or_else(|| issue_key_of(&request_id))
        .unwrap_or_default();
    let source = match str_field(&e.data, "source").as_deref() {
        None | Some("manual") => "manual".to_owned(),
        Some("autoPolicy") | Some("auto-policy") => "auto-policy".to_owned(),
        Some(other) => other.to_owned(),
    };
    Some(DecisionRow {
        request_id,
        issue_key,
        decision: decision.to_owned(),
        decided_by: e.actor.clone(),
        decided_at: e.at,
        source,
        batch: str_field(&e.data, "batch").unwrap_or_default(),
        policy: str_field(&e.data, "policy").unwrap_or_default(),
        rationale: str_field(&e.data, "rationale").unwrap_or_default(),
        governance_version: e
            .data
            .get("governanceVersion")
            .and_then(Value::as_u64)
            .or(e.gov_version.map(u64::from)),
        seq: e.seq,
    })
}

/// A cell as written: text a spreadsheet would run as a formula (starting
/// with `=`, `+`, `-`, `@`, tab or carriage return) gets a leading `'`
/// (OWASP's CSV-injection advice). Numbers with a minus sign are left alone.
pub fn csv_cell(s: &str) -> String {
    let risky = s.starts_with(['=', '+', '@', '\t', '\r'])
        || (s.starts_with('-') && s[1..].parse::<f64>().is_err());
    if risky { format!("'{s}") } else { s.to_owned() }
}

/// A CSV file: the header, then `rows` (cells through [`csv_cell`]).
pub fn write_csv(
    what: &'static str,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<(Vec<u8>, u64), PackError> {
    let err = |e: csv::Error| PackError::Csv {
        what,
        message: e.to_string(),
    };
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(header).map_err(err)?;
    let mut n = 0u64;
    for r in rows {
        w.write_record(r.iter().map(|c| csv_cell(c))).map_err(err)?;
        n += 1;
    }
    let bytes = w.into_inner().map_err(|e| PackError::Csv {
        what,
        message: e.to_string(),
    })?;
    Ok((bytes, n))
}

/// A parsed CSV: rows with their (1-based) line numbers.
pub struct Table {
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Parses a CSV with exactly `header` as its first row and rows of the
/// same width. On failure: the line and a message.
pub fn read_csv(bytes: &[u8], header: &[&str]) -> Result<Table, (u64, String)> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = Vec::new();
    let mut first = true;
    for rec in r.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            (line, format!("not valid CSV: {e}"))
        })?;
        // The 1-based line the record starts on, counted in the bytes.
        let line = rec.position().map_or(0, |p| {
            let at = usize::try_from(p.byte())
                .unwrap_or(usize::MAX)
                .min(bytes.len());
            bytes[..at].iter().filter(|b| **b == b'\n').count() as u64 + 1
        });
        if first {
            first = false;
            if rec.iter().ne(header.iter().copied()) {
                return Err((line, format!("the header must be {}", header.join(","))));
            }
            continue;
        }
        if rec.len() != header.len() {
            return Err((
                line,
                format!("{} fields where the header has {}", rec.len(), header.len()),
            ));
        }
        rows.push((line, rec.iter().map(str::to_owned).collect()));
    }
    if first {
        return Err((1, "the header row is missing".into()));
    }
    Ok(Table { rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_cells_are_neutralised() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("+1+1"), "'+1+1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("-cmd"), "'-cmd");
        assert_eq!(csv_cell("-12.5"), "-12.5");
        assert_eq!(csv_cell("Drafting"), "Drafting");
        let (bytes, n) = write_csv("t", &["a"], vec![vec!["=1".to_owned()]]).unwrap();
        assert_eq!(n, 1);
        assert_eq!(String::from_utf8(bytes).unwrap(), "a\r\n'=1\r\n");
    }
}
