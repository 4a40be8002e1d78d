//! `manifest.json`: what the pack covers and the digest of every other file.

use super::{ProvenFrom, PruneAnchor, PublicKeyRecord, StoredCheckpoint};
use crate::Millis;
use crate::tlog::Frontier;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    /// [`super::FORMAT`].
    pub format: String,
    pub scope: Scope,
    pub window: Window,
    /// The export's query parameters, as given.
    pub query: serde_json::Value,
    pub generated_at: String,
    pub generated_at_ms: Millis,
    pub generator: String,
    pub requested_by: String,
    /// Rows (CSV), lines (JSONL) or array items (JSON) per file.
    pub records: BTreeMap<String, u64>,
    /// Seq of the first and last event in `audit.jsonl` (null if none).
    pub first_seq: Option<u64>,
    pub last_seq: Option<u64>,
    /// Every file but the manifest and the envelope.
    pub files: Vec<FileEntry>,
    /// The checkpoint made for this export: size = `lastSeq`.
    pub checkpoint: StoredCheckpoint,
    /// The previous export's checkpoint and the consistency proof from it.
    pub previous: Option<ManifestPrevious>,
    /// The log's public keys; exactly one is `current` (it signs this pack).
    pub keys: Vec<PublicKeyRecord>,
    /// Compact range of the tree before `firstSeq`: `size = firstSeq - 1`.
    pub prefix: Frontier,
    /// What retention pruned before `firstSeq`, if anything.
    pub prune: Option<PruneAnchor>,
    /// Where the tables are proven from: the `audit.state` event (seq 0:
    /// the empty state before seq 1) and the digest of `state.json`.
    pub proven_from: ProvenFrom,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scope {
    /// The log origin (the checkpoints' first line).
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Window {
    pub from: String,
    pub to: String,
    pub from_ms: Millis,
    pub to_ms: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileEntry {
    pub name: String,
    pub sha256: String,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManifestPrevious {
    pub checkpoint: StoredCheckpoint,
    /// Hex hashes: RFC 6962 consistency proof from the previous
    /// checkpoint's size to this pack's.
    pub consistency_proof: Vec<String>,
}
