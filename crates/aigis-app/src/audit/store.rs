//! The stored log: its retention anchor, the Merkle nodes kept on events
//! and on the stubs of pruned ones, and single events.

use crate::error::AppError;
use crate::names::{ANCHOR_KEY, AUDIT, AUDIT_ANCHOR, AUDIT_NODE};
use crate::repo;
use aigis_core::Millis;
use aigis_core::audit::{self, AuditEvent};
use aigis_core::pack::StoredCheckpoint;
use aigis_core::tlog::{self, Frontier, Hash, NodeSource, TlogError};
use aigis_platform::Storage;
use serde::{Deserialize, Serialize};

/// Where the retained log starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Anchor {
    /// Sequence of the last pruned event.
    pub seq: u64,
    /// Its `entryHash`.
    pub hash: String,
    pub at: Millis,
    pub key_id: String,
    pub mac: String,
    /// The Merkle compact range `[0, seq)`, so the tree goes on verifying.
    #[serde(default)]
    pub frontier: Frontier,
    /// The exported checkpoint that covered the pruned events.
    #[serde(default)]
    pub checkpoint: Option<StoredCheckpoint>,
}

fn anchor_text(seq: u64, hash: &str, at: Millis, frontier: &Frontier) -> String {
    format!(
        "aigis.audit.anchor.v2\n{seq}\n{hash}\n{at}\n{}",
        frontier.hashes.join(",")
    )
}

impl Anchor {
    pub fn sign(
        seq: u64,
        hash: &str,
        at: Millis,
        frontier: Frontier,
        checkpoint: Option<StoredCheckpoint>,
        (key_id, key): (&str, &[u8]),
    ) -> Anchor {
        Anchor {
            seq,
            hash: hash.to_owned(),
            at,
            key_id: key_id.to_owned(),
            mac: audit::entry_mac(key, &anchor_text(seq, hash, at, &frontier)),
            frontier,
            checkpoint,
        }
    }
    pub fn valid(&self, key: &[u8]) -> bool {
        audit::entry_mac(
            key,
            &anchor_text(self.seq, &self.hash, self.at, &self.frontier),
        ) == self.mac
    }
}

pub fn read_anchor(storage: &dyn Storage) -> Result<Option<Anchor>, AppError> {
    match storage.entity_get(AUDIT_ANCHOR, ANCHOR_KEY)? {
        None => Ok(None),
        Some(raw) => serde_json::from_str(&raw)
            .map(Some)
            .map_err(|e| AppError::internal(format!("audit anchor unreadable: {e}"))),
    }
}

/// Reads Merkle nodes from the stored events (see [`aigis_core::tlog`]):
/// node `(level, index)` lives on event `(index + 1) << level`.
pub struct StoredNodes<'s>(pub &'s dyn Storage);

/// What the tree needs of an event: its hashes. Read from events and
/// stubs alike; written as the stub of a pruned event.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NodeRecord {
    #[serde(default)]
    pub seq: u64,
    pub entry_hash: String,
    #[serde(default)]
    pub nodes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pruned_at: Option<Millis>,
}

impl NodeSource for StoredNodes<'_> {
    fn node(&self, level: u8, index: u64) -> Result<Hash, TlogError> {
        let missing = |reason: String| TlogError::MissingNode {
            level,
            index,
            reason,
        };
        let (seq, pos) =
            tlog::node_home(level, index).ok_or_else(|| missing("out of range".into()))?;
        let key = repo::audit_key(seq);
        let mut raw = self
            .0
            .entity_get(AUDIT, &key)
            .map_err(|e| missing(e.to_string()))?;
        if raw.is_none() {
            raw = self
                .0
                .entity_get(AUDIT_NODE, &key)
                .map_err(|e| missing(e.to_string()))?;
        }
        let raw = raw.ok_or_else(|| missing(format!("event {seq} is not stored")))?;
        let n: NodeRecord = serde_json::from_str(&raw).map_err(|e| missing(e.to_string()))?;
        let hex = if pos == 0 {
            Some(&n.entry_hash)
        } else {
            n.nodes.get(pos - 1)
        };
        tlog::from_hex(hex.ok_or_else(|| missing(format!("event {seq} lacks level {level}")))?)
    }
}

/// One audit event by sequence number.
pub fn event(storage: &dyn Storage, seq: u64) -> Result<Option<AuditEvent>, AppError> {
    match storage.entity_get(AUDIT, &repo::audit_key(seq))? {
        None => Ok(None),
        Some(raw) => serde_json::from_str(&raw)
            .map(Some)
            .map_err(|e| AppError::internal(e.to_string())),
    }
}
