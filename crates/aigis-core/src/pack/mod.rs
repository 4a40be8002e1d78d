//! Evidence packs: a zip an auditor verifies offline, without trusting us.
//!
//! [`PackInput`] is everything the app gathers for one export; `build`
//! turns it into the zip (deterministic bytes for the same input) and
//! `verify` checks a zip with no other state. The same code runs natively
//! (`aigis verify`), inside the wasm components and, later, in the browser.

use crate::Millis;
use crate::audit::AuditEvent;
use crate::model::{Grant, Job, Request};
use crate::tlog::Frontier;
use serde::{Deserialize, Serialize};

/// A checkpoint the log signed, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct StoredCheckpoint {
    /// Tree size (the last event's seq).
    pub size: u64,
    /// Hex root hash.
    pub root: String,
    /// The C2SP signed note text.
    pub note: String,
    pub at: Millis,
    /// Note key id (8 hex digits) of the signing key.
    pub key_id: String,
}

/// A log signing key's public half, as shown to admins and put in packs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyRecord {
    /// Note key id, 8 hex digits.
    pub key_id: String,
    /// `name+keyid+base64(0x01 || ed25519 public key)`.
    pub verifier_key: String,
    pub created_at: Millis,
    /// Seq of the `audit.key.rotated` (or `audit.key.created`) event that
    /// introduced the key.
    pub introduced_at_seq: u64,
    /// Whether this is the key that signs now.
    pub current: bool,
}

/// The checkpoint of the previous export and the consistency proof from it
/// to this pack's checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviousExport {
    pub checkpoint: StoredCheckpoint,
    /// Hex hashes (RFC 6962 consistency proof, old size -> new size).
    pub proof: Vec<String>,
}

/// What retention pruned before this pack's first event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PruneAnchor {
    /// Events `1..=pruned_through` have no content any more.
    pub pruned_through: u64,
    /// The exported checkpoint that covered them when they were pruned.
    pub checkpoint: StoredCheckpoint,
}

/// Everything one export gathers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackInput {
    /// Log origin (checkpoint first line), e.g. `aigis.local/site-1/audit`.
    pub origin: String,
    /// Window start and end (inclusive), Unix ms.
    pub from: Millis,
    pub to: Millis,
    /// The query parameters exactly as given (recorded in the manifest).
    pub query: serde_json::Value,
    pub generated_at: Millis,
    /// e.g. `aigis 0.1.0`.
    pub generator: String,
    /// accountId (or `app:...`) that asked for the export.
    pub requested_by: String,
    /// Requests, grants and jobs created within the window.
    pub requests: Vec<Request>,
    pub grants: Vec<Grant>,
    pub jobs: Vec<Job>,
    /// Audit events, contiguous by seq, from the first event at or after
    /// `from` up to the checkpoint's tree size (so the root can be
    /// recomputed). Empty only if the log is empty.
    pub events: Vec<AuditEvent>,
    /// Compact range `[0, first event seq - 1)`: the tree before `events`.
    pub prefix: Frontier,
    /// The checkpoint made for this export (size = last event's seq).
    pub checkpoint: StoredCheckpoint,
    /// Every stored checkpoint whose size lies within the pack's events.
    pub checkpoints: Vec<StoredCheckpoint>,
    pub previous: Option<PreviousExport>,
    /// Every governance version (JSON as stored), oldest first.
    pub policy_versions: Vec<serde_json::Value>,
    pub keys: Vec<PublicKeyRecord>,
    pub prune: Option<PruneAnchor>,
    /// Seq of the `audit.state` event the tables are folded from (0: the
    /// empty state before seq 1); it lies within `events`.
    pub proven_from: u64,
    /// The state that event commits to (the fold of events before it).
    pub state: State,
    /// `verify.html`, the offline verifier page shipped in the pack (built
    /// by `aigis-verify-page`; the core cannot embed it, the page holds
    /// the core). Listed in the manifest and covered by its digests like
    /// every data file.
    #[serde(skip)]
    pub verifier_page: String,
}

mod build;
mod dsse;
pub mod fold;
mod manifest;
mod records;
mod verify;
mod zipio;

pub use build::{DataFiles, assemble, build, render_files};
pub use dsse::{
    DsseEnvelope, DsseSignature, PAYLOAD_TYPE, PREDICATE_TYPE, STATEMENT_TYPE, Statement, pae,
};
pub use fold::{ProvenFrom, State};
pub use manifest::{FileEntry, Manifest, ManifestPrevious, Scope, Window};
pub use records::{
    CONNECTOR_COLUMNS, DECISION_COLUMNS, DecisionRow, GRANT_COLUMNS, JOB_COLUMNS,
    RECONCILIATION_COLUMNS, REQUEST_COLUMNS, connector_row, csv_cell, decision_of, grant_row,
    job_row, reconciliation_row, request_row,
};
pub use verify::{Failure, SiteKey, VerifyOptions, VerifyReport, verify};
pub use zipio::{MAX_ENTRIES, MAX_ENTRY_BYTES, read_entries, write_zip};

use thiserror::Error;

/// The manifest's `format` value: names this layout.
pub const FORMAT: &str = "aigis.evidence-pack.v1";
pub const MANIFEST: &str = "manifest.json";
pub const ENVELOPE: &str = "manifest.dsse.json";
pub const README: &str = "README.txt";
pub const REQUESTS: &str = "requests.csv";
pub const GRANTS: &str = "grants.csv";
pub const JOBS: &str = "jobs.csv";
pub const DECISIONS: &str = "decisions.csv";
pub const CONNECTORS: &str = "connectors.csv";
pub const RECONCILIATION: &str = "reconciliation.csv";
pub const AUDIT: &str = "audit.jsonl";
pub const CHECKPOINTS: &str = "checkpoints.json";
pub const POLICY_VERSIONS: &str = "policy-versions.json";
pub const STATE_FILE: &str = "state.json";
pub const VERIFY_PAGE: &str = "verify.html";

/// Every entry of a pack, in zip order.
pub const ALL_FILES: [&str; 14] = [
    MANIFEST,
    ENVELOPE,
    README,
    REQUESTS,
    GRANTS,
    JOBS,
    DECISIONS,
    CONNECTORS,
    RECONCILIATION,
    AUDIT,
    CHECKPOINTS,
    POLICY_VERSIONS,
    STATE_FILE,
    VERIFY_PAGE,
];

/// The files the manifest lists with digest and size: all but the
/// manifest and the envelope, in zip order.
pub const DATA_FILES: [&str; 12] = [
    README,
    REQUESTS,
    GRANTS,
    JOBS,
    DECISIONS,
    CONNECTORS,
    RECONCILIATION,
    AUDIT,
    CHECKPOINTS,
    POLICY_VERSIONS,
    STATE_FILE,
    VERIFY_PAGE,
];

/// Why a pack could not be built.
#[derive(Debug, Error)]
pub enum PackError {
    #[error("JSON encoding of {what}: {message}")]
    Json { what: &'static str, message: String },
    #[error("CSV encoding of {what}: {message}")]
    Csv { what: &'static str, message: String },
    #[error("zip: {0}")]
    Zip(String),
    #[error("signing: {0}")]
    Sign(#[from] crate::tlog::TlogError),
    #[error("invalid pack input: {0}")]
    Invalid(String),
}

/// ISO-8601 (RFC 3339) in UTC with millisecond precision, e.g.
/// `2026-11-23T10:00:00.000Z`; reversible with [`crate::time::parse_rfc3339`].
pub fn iso_millis(at: crate::Millis) -> String {
    use chrono::{DateTime, SecondsFormat, Utc};
    DateTime::<Utc>::from_timestamp_millis(at)
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Millis, true))
        .unwrap_or_else(|| at.to_string())
}
