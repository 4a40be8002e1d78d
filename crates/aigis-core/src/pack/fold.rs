//! The fold: a pack's tables as a function of its log.
//!
//! Every audit event that changes a request, grant or job carries the
//! record as it is after the change in `data.records`:
//! `[{"entity": "request" | "grant" | "job" | "connector" | "reconciliation",
//! "key": id, "value": record | null}]`
//! (`null`: the record was deleted). A [`State`] is every record and every
//! decision so far; [`State::apply`] folds one event into it:
//!
//! 1. an `audit.state` event must carry the digest ([`State::digest`]) of
//!    the state before it (`data.digest`), and its `data.through` must be
//!    its seq − 1;
//! 2. each entry of `data.records`, in order, replaces (or, `null`,
//!    removes) the record of that entity and key;
//! 3. a `request.approved` / `request.denied` event on `request:<id>`
//!    appends a [`DecisionRow`] (see [`records::decision_of`]).
//!
//! The log commits to states: the retention sweep writes an `audit.state`
//! event before it prunes and every export writes one before its
//! checkpoint, so a pack proves its tables from the latest state event at
//! or before its window (or the empty state before seq 1) onward.

use super::records::{self, DecisionRow};
use crate::Millis;
use crate::audit::{AuditEvent, canonical_json, sha256_hex};
use crate::drift::Reconciliation;
use crate::model::{Grant, Job, Request};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The `format` of a [`State`].
pub const STATE_FORMAT: &str = "aigis.state.v1";
/// The action of a state-digest event.
pub const STATE_ACTION: &str = "audit.state";
/// The subject of a state-digest event.
pub const STATE_SUBJECT: &str = "audit:state";
/// The key in an event's `data` that lists the records it changes.
pub const RECORDS: &str = "records";

/// Every request, grant and job, and every decision, after the events
/// `1..=through`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct State {
    /// [`STATE_FORMAT`].
    pub format: String,
    /// The last event folded in (0: none).
    pub through: u64,
    pub requests: BTreeMap<String, Request>,
    pub grants: BTreeMap<String, Grant>,
    pub jobs: BTreeMap<String, Job>,
    /// In seq order.
    pub decisions: Vec<DecisionRow>,
    /// Connector records (settings only: a connector has no secret in its
    /// record), by id. Absent from the JSON when empty, so states without
    /// connectors keep their digests.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub connectors: BTreeMap<String, Value>,
    /// Drift findings of connected tools, by `<tool>:<kind>:<member>`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reconciliations: BTreeMap<String, Reconciliation>,
}

impl Default for State {
    fn default() -> Self {
        State::empty()
    }
}

/// Why an event cannot be folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldError {
    pub seq: u64,
    pub rule: &'static str,
    pub message: String,
}

/// One entry of an event's `data.records`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordChange {
    /// `request`, `grant` or `job`.
    pub entity: String,
    pub key: String,
    /// The record after the change; `None` (JSON `null`): deleted.
    pub value: Option<Value>,
}

/// The entities the fold follows (`connector`: the KVS connector records).
pub const FOLDED: [&str; 5] = ["request", "grant", "job", "connector", "reconciliation"];

impl State {
    /// The state before the first event.
    pub fn empty() -> State {
        State {
            format: STATE_FORMAT.to_owned(),
            through: 0,
            requests: BTreeMap::new(),
            grants: BTreeMap::new(),
            jobs: BTreeMap::new(),
            decisions: Vec::new(),
            connectors: BTreeMap::new(),
            reconciliations: BTreeMap::new(),
        }
    }

    /// The state as JSON.
    pub fn to_value(&self) -> Value {
        // A State is maps of strings to plain records: it always encodes.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// SHA-256 (hex) of the canonical JSON of the state (keys sorted at
    /// every depth, no white space, UTF-8).
    pub fn digest(&self) -> String {
        digest_value(&self.to_value())
    }

    /// Counts per kind, as a state event records them.
    pub fn counts(&self) -> Value {
        serde_json::json!({
            "requests": self.requests.len(),
            "grants": self.grants.len(),
            "jobs": self.jobs.len(),
            "decisions": self.decisions.len(),
        })
    }

    /// The `data` of the state-digest event written at `seq` over this
    /// state (which must be the fold of events `1..seq`).
    pub fn event_data(&self) -> Value {
        serde_json::json!({
            "format": STATE_FORMAT,
            "digest": self.digest(),
            "through": self.through,
            "counts": self.counts(),
        })
    }

    /// Folds `e` in (see the module notes).
    pub fn apply(&mut self, e: &AuditEvent) -> Result<(), FoldError> {
        let err = |rule: &'static str, message: String| FoldError {
            seq: e.seq,
            rule,
            message,
        };
        if e.seq != self.through + 1 {
            return Err(err(
                "fold.sequence",
                format!("event {} follows state through {}", e.seq, self.through),
            ));
        }
        if e.action == STATE_ACTION {
            let said = e.data.get("digest").and_then(Value::as_str);
            let through = e.data.get("through").and_then(Value::as_u64);
            let digest = self.digest();
            if said != Some(digest.as_str()) || through != Some(self.through) {
                return Err(err(
                    "fold.state",
                    format!(
                        "the state event commits to {}, but the fold of events 1..={} gives {digest}",
                        said.unwrap_or("nothing"),
                        self.through
                    ),
                ));
            }
        }
        if let Some(list) = e.data.get(RECORDS) {
            let changes: Vec<RecordChange> = serde_json::from_value(list.clone())
                .map_err(|x| err("fold.records", format!("data.records: {x}")))?;
            for c in changes {
                self.change(&c)
                    .map_err(|m| err("fold.records", format!("{} {}: {m}", c.entity, c.key)))?;
            }
        }
        if let Some(d) =
            records::decision_of(e, &|id| self.requests.get(id).map(|r| r.issue_key.clone()))
        {
            self.decisions.push(d);
        }
        self.through = e.seq;
        Ok(())
    }

    fn change(&mut self, c: &RecordChange) -> Result<(), String> {
        fn put<T: serde::de::DeserializeOwned>(
            map: &mut BTreeMap<String, T>,
            c: &RecordChange,
            id: impl Fn(&T) -> &str,
        ) -> Result<(), String> {
            match &c.value {
                None => {
                    map.remove(&c.key);
                }
                Some(v) => {
                    let r: T = serde_json::from_value(v.clone()).map_err(|e| e.to_string())?;
                    if id(&r) != c.key {
                        return Err(format!("the record's id is {:?}", id(&r)));
                    }
                    map.insert(c.key.clone(), r);
                }
            }
            Ok(())
        }
        match c.entity.as_str() {
            "request" => put(&mut self.requests, c, |r: &Request| &r.id),
            "grant" => put(&mut self.grants, c, |g: &Grant| &g.id),
            "job" => put(&mut self.jobs, c, |j: &Job| &j.id),
            "reconciliation" => put(&mut self.reconciliations, c, |r: &Reconciliation| &r.id),
            "connector" => put(&mut self.connectors, c, |v: &Value| {
                v.get("id").and_then(Value::as_str).unwrap_or_default()
            }),
            other => Err(format!("{other:?} is not a folded entity")),
        }
    }

    /// Folds every event of `events` in order.
    pub fn apply_all<'a>(
        &mut self,
        events: impl IntoIterator<Item = &'a AuditEvent>,
    ) -> Result<(), FoldError> {
        for e in events {
            self.apply(e)?;
        }
        Ok(())
    }

    /// The rows of the tables for the window `[from, to]`: records
    /// created and decisions made within it, every connector, and the
    /// drift findings open at its end or found or resolved within it.
    pub fn tables(&self, from: Millis, to: Millis) -> Tables {
        let within = |t: Millis| t >= from && t <= to;
        let mut requests: Vec<&Request> = self
            .requests
            .values()
            .filter(|r| within(r.created_at))
            .collect();
        requests.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        let mut grants: Vec<&Grant> = self
            .grants
            .values()
            .filter(|g| within(g.created_at))
            .collect();
        grants.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        let mut jobs: Vec<&Job> = self
            .jobs
            .values()
            .filter(|j| within(j.created_at))
            .collect();
        jobs.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        // Drift findings open at the end of the window, or found or
        // resolved within it.
        let reconciliations = self
            .reconciliations
            .values()
            .filter(|r| {
                r.first_seen_at <= to
                    && (r.resolved_at.is_none_or(|t| t >= from) || within(r.first_seen_at))
            })
            .map(records::reconciliation_row)
            .collect();
        Tables {
            connectors: self
                .connectors
                .values()
                .map(records::connector_row)
                .collect(),
            reconciliations,
            requests: requests.into_iter().map(records::request_row).collect(),
            grants: grants.into_iter().map(records::grant_row).collect(),
            jobs: jobs.into_iter().map(records::job_row).collect(),
            decisions: self
                .decisions
                .iter()
                .filter(|d| within(d.decided_at))
                .map(DecisionRow::to_row)
                .collect(),
        }
    }
}

/// The rows (cells as values, before CSV escaping) of the tables.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tables {
    pub requests: Vec<Vec<String>>,
    pub grants: Vec<Vec<String>>,
    pub jobs: Vec<Vec<String>>,
    pub decisions: Vec<Vec<String>>,
    /// Every connector as of the end of the log, by id.
    pub connectors: Vec<Vec<String>>,
    /// Findings open at the window's end or found or resolved within it, by id.
    pub reconciliations: Vec<Vec<String>>,
}

/// SHA-256 (hex) of the canonical JSON of `v`.
pub fn digest_value(v: &Value) -> String {
    sha256_hex(canonical_json(v).as_bytes())
}

/// Where a pack's proven history starts: the `audit.state` event at `seq`
/// committing to the state `digest` (the fold of events `1..seq`), or
/// `seq` 0 and the empty state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProvenFrom {
    pub seq: u64,
    pub digest: String,
}

/// Attaches to `events` (one commit's) the records it writes: each change
/// goes to the event whose subject is `<entity>:<key>`, else to the last
/// event. Returns the changes it could not place (no events).
pub fn attach_records(
    events: &mut [crate::audit::NewEvent],
    changes: Vec<RecordChange>,
) -> Vec<RecordChange> {
    if events.is_empty() {
        return changes;
    }
    let last = events.len() - 1;
    let mut per: Vec<Vec<RecordChange>> = vec![Vec::new(); events.len()];
    for c in changes {
        let subject = format!("{}:{}", c.entity, c.key);
        let i = events
            .iter()
            .position(|e| e.subject == subject)
            .unwrap_or(last);
        per[i].push(c);
    }
    for (e, list) in events.iter_mut().zip(per) {
        if list.is_empty() {
            continue;
        }
        let list = serde_json::to_value(list).unwrap_or(Value::Null);
        match &mut e.data {
            Value::Object(m) => {
                m.insert(RECORDS.to_owned(), list);
            }
            other => {
                let mut m = serde_json::Map::new();
                if !other.is_null() {
                    m.insert("value".to_owned(), other.take());
                }
                m.insert(RECORDS.to_owned(), list);
                *other = Value::Object(m);
            }
        }
    }
    Vec::new()
}
