//! Reading, verifying and pruning the audit chain.
//!
//! Retention: events older than the retention are deleted from the start of
//! the chain, at most [`PRUNE_BATCH`] per commit. Each such commit also
//! moves a signed anchor (entity `auditanchor`, key `anchor`: the `seq` and
//! `entryHash` of the last deleted event, when, the MAC key id and an
//! HMAC-SHA256 over them) and appends an `audit.pruned` event, so the chain
//! stays verifiable: [`verify`] checks the anchor's MAC and starts from it
//! instead of genesis.

use crate::error::AppError;
use crate::repo::{self, AUDIT, AUDIT_HEAD, Change};
use aigis_core::Millis;
use aigis_core::audit::{self, AuditEvent, Break, Head, NewEvent, Report, Verifier};
use aigis_core::tlog::{self, Frontier, Hash, NodeSource, TlogError};
use aigis_platform::{EntityQuery, Platform, Secrets, Storage};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::cell::RefCell;
use std::collections::BTreeMap;

pub const AUDIT_ANCHOR: &str = "auditanchor";
const ANCHOR_KEY: &str = "anchor";
/// Events deleted per commit: with the anchor, the `audit.pruned` event and
/// the head, a prune commit holds 23 operations.
pub const PRUNE_BATCH: usize = 20;
/// Audit events are kept this long unless the intake says otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 365;

/// The signed checkpoint that replaces the pruned prefix of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Anchor {
    /// Sequence of the last deleted event.
    pub seq: u64,
    /// Its `entryHash`.
    pub hash: String,
    pub at: Millis,
    pub key_id: String,
    pub mac: String,
    /// The Merkle compact range `[0, seq)`, so the tree goes on verifying.
    #[serde(default)]
    pub frontier: Frontier,
}

fn anchor_text(seq: u64, hash: &str, at: Millis) -> String {
    format!("aigis.audit.anchor.v1\n{seq}\n{hash}\n{at}")
}

impl Anchor {
    pub fn sign(seq: u64, hash: &str, at: Millis, key_id: &str, key: &[u8]) -> Anchor {
        Anchor {
            seq,
            hash: hash.to_owned(),
            at,
            key_id: key_id.to_owned(),
            mac: audit::entry_mac(key, &anchor_text(seq, hash, at)),
            frontier: Frontier::empty(),
        }
    }
    pub fn valid(&self, key: &[u8]) -> bool {
        audit::entry_mac(key, &anchor_text(self.seq, &self.hash, self.at)) == self.mac
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

/// Verifies the chain page by page, from the retention anchor (or genesis)
/// to the stored head. Reads only storage and secret storage, so the host
/// can run it directly.
pub fn verify(storage: &dyn Storage, secrets: &dyn Secrets) -> Result<Report, AppError> {
    let keys: RefCell<BTreeMap<String, Option<Vec<u8>>>> = RefCell::default();
    let key_for = |id: &str| -> Option<Vec<u8>> {
        keys.borrow_mut()
            .entry(id.to_owned())
            .or_insert_with(|| {
                secrets
                    .get_secret(&format!("audit-mac-key-{id}"))
                    .ok()
                    .flatten()
                    .map(String::into_bytes)
            })
            .clone()
    };
    let head = match storage.entity_get(AUDIT_HEAD, "head")? {
        Some(raw) => serde_json::from_str(&raw)
            .map_err(|e| AppError::internal(format!("audit head unreadable: {e}")))?,
        None => Head::genesis(),
    };
    let start = match storage.entity_get(AUDIT_ANCHOR, ANCHOR_KEY)? {
        None => Head::genesis(),
        Some(raw) => {
            let anchor = serde_json::from_str::<Anchor>(&raw)
                .ok()
                .filter(|a| key_for(&a.key_id).is_some_and(|k| a.valid(&k)));
            match anchor {
                Some(a) => Head {
                    seq: a.seq,
                    hash: a.hash,
                    frontier: a.frontier,
                    gov_version: None,
                },
                None => {
                    return Ok(Report {
                        intact: false,
                        checked: 0,
                        head_seq: head.seq,
                        first_break: Some(Break {
                            seq: 0,
                            reason: "the retention anchor is altered or unsigned".into(),
                        }),
                    });
                }
            }
        }
    };
    let mut v = Verifier::new(start, &key_for);
    let mut cursor = None;
    loop {
        let page = storage.entity_query(&EntityQuery {
            entity: AUDIT.into(),
            index: "by-seq".into(),
            cursor,
            limit: 100,
            ..Default::default()
        })?;
        for (key, raw) in &page.items {
            let stored_seq: u64 = key.parse().unwrap_or(0);
            match serde_json::from_str::<AuditEvent>(raw) {
                Ok(e) => v.push(stored_seq, &e),
                Err(_) => {
                    // An unreadable entry breaks the chain where it stands.
                    let broken = AuditEvent {
                        seq: u64::MAX,
                        at: 0,
                        actor: String::new(),
                        action: String::new(),
                        subject: String::new(),
                        data: serde_json::Value::Null,
                        gov_version: None,
                        key_id: String::new(),
                        prev_hash: String::new(),
                        entry_hash: String::new(),
                        entry_mac: String::new(),
                        nodes: Vec::new(),
                    };
                    v.push(stored_seq, &broken);
                }
            }
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    Ok(v.finish(&head))
}

/// Reads Merkle nodes from the stored events (see [`aigis_core::tlog`]):
/// node `(level, index)` lives on event `(index + 1) << level`.
pub struct StoredNodes<'s>(pub &'s dyn Storage);

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NodesOnly {
    entry_hash: String,
    #[serde(default)]
    nodes: Vec<String>,
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
        let raw = self
            .0
            .entity_get(AUDIT, &repo::audit_key(seq))
            .map_err(|e| missing(e.to_string()))?
            .ok_or_else(|| missing(format!("event {seq} is not stored")))?;
        let n: NodesOnly = serde_json::from_str(&raw).map_err(|e| missing(e.to_string()))?;
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

/// `audit.verify` (admin, rate-limited): the chain report.
pub fn verify_resolver(
    p: &aigis_platform::Platform,
    caller: &crate::access::Caller,
) -> Result<serde_json::Value, AppError> {
    caller.require_admin()?;
    crate::ratelimit::claim(p, &caller.account_id, "audit.verify")?;
    let report = verify(p.storage, p.secrets)?;
    serde_json::to_value(&report).map_err(|e| AppError::internal(e.to_string()))
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RetentionSummary {
    pub events_pruned: u32,
    pub retention_days: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anchor_seq: Option<u64>,
    /// External identity metadata pruned: none is stored yet (no connector
    /// keeps identity data), so always 0 for now.
    pub identity_records_pruned: u32,
    pub stopped_early: bool,
}

/// The daily retention sweep: deletes audit events older than the
/// retention from the start of the chain, [`PRUNE_BATCH`] per commit, each
/// commit moving the signed anchor and appending `audit.pruned`. Reads only
/// the due prefix (plus the first event that is not due).
pub fn prune(p: &Platform, out_of_time: impl Fn() -> bool) -> Result<RetentionSummary, AppError> {
    let now = p.runtime.now_millis();
    let days = crate::intake::load(p)?
        .and_then(|i| i.audit_retention_days)
        .unwrap_or(DEFAULT_RETENTION_DAYS);
    let cutoff = now - aigis_core::model::days(days);
    let mut s = RetentionSummary {
        retention_days: days,
        ..Default::default()
    };
    loop {
        if out_of_time() {
            s.stopped_early = true;
            return Ok(s);
        }
        let page = p.storage.entity_query(&EntityQuery {
            entity: AUDIT.into(),
            index: "by-seq".into(),
            limit: PRUNE_BATCH as u32,
            ..Default::default()
        })?;
        let mut due: Vec<AuditEvent> = Vec::new();
        for (_, raw) in &page.items {
            let e: AuditEvent =
                serde_json::from_str(raw).map_err(|e| AppError::internal(e.to_string()))?;
            if e.at > cutoff {
                break;
            }
            due.push(e);
        }
        let Some(last) = due.last().cloned() else {
            return Ok(s);
        };
        let (key_id, key) = repo::mac_key(p)?;
        let done = repo::commit(p, |_| {
            let mut c = Change::new();
            let anchor = read_anchor(p.storage)?;
            // Another run pruned these already: re-read.
            if anchor.as_ref().is_some_and(|a| a.seq >= last.seq) {
                return Ok((0u32, c));
            }
            let from = anchor.as_ref().map_or(0, |a| a.seq);
            let mut n = 0u32;
            for e in due.iter().filter(|e| e.seq > from) {
                c.delete(AUDIT, &repo::audit_key(e.seq));
                n += 1;
            }
            let mut a = Anchor::sign(last.seq, &last.entry_hash, now, &key_id, &key);
            a.frontier = tlog::frontier_at(&StoredNodes(p.storage), last.seq)
                .map_err(|e| AppError::internal(format!("audit tree: {e}")))?;
            c.put(AUDIT_ANCHOR, ANCHOR_KEY, &a)?;
            c.event(NewEvent::new(
                "app:retention",
                "audit.pruned",
                "audit",
                json!({
                    "fromSeq": due.first().map_or(0, |e| e.seq),
                    "toSeq": last.seq,
                    "anchorHash": last.entry_hash,
                    "retentionDays": days,
                    "cutoff": cutoff,
                }),
            ));
            Ok((n, c))
        })?;
        s.events_pruned += done.value;
        s.anchor_seq = Some(last.seq);
        if due.len() < page.items.len() || page.next_cursor.is_none() {
            return Ok(s);
        }
    }
}
