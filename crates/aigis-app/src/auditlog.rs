//! Reading, verifying and pruning the audit log.
//!
//! Retention keeps the log verifiable. Events past the retention are pruned
//! only below the tree size of a signed checkpoint that has already been
//! exported (so a copy is outside our hands); without one, pruning is
//! refused. A prune first moves the anchor (entity `auditanchor`: the last
//! pruned seq, its `entryHash`, the compact range `[0, seq)` and that
//! checkpoint, MAC'd under the site key) in the same commit as an
//! `audit.pruned` event recording all of it; then it replaces each pruned
//! event by a stub in entity `auditnode` holding only its Merkle node
//! hashes, [`STUB_BATCH`] per transaction. Inclusion and consistency proofs
//! keep working (the nodes remain), and [`verify`] starts from the anchor.

use crate::error::AppError;
use crate::repo::{self, AUDIT, AUDIT_HEAD, Change};
use aigis_core::Millis;
use aigis_core::audit::{self, AuditEvent, Break, Head, NewEvent, Report, Verifier};
use aigis_core::pack::StoredCheckpoint;
use aigis_core::tlog::{self, Frontier, Hash, NodeSource, TlogError};
use aigis_platform::{EntityQuery, Platform, RangeCondition, Secrets, Storage, TxnOp};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::cell::RefCell;
use std::collections::BTreeMap;

pub const AUDIT_ANCHOR: &str = "auditanchor";
/// Pruned events: their Merkle nodes only.
pub const AUDIT_NODE: &str = "auditnode";
const ANCHOR_KEY: &str = "anchor";
/// Events turned into stubs per transaction (two operations each).
pub const STUB_BATCH: usize = 12;
/// Audit events are kept this long unless the intake says otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 365;

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
                    .get_secret(&repo::secret_name(id))
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
    let from = start.seq;
    let mut v = Verifier::new(start, &key_for);
    let mut cursor = None;
    loop {
        let page = storage.entity_query(&EntityQuery {
            entity: AUDIT.into(),
            index: "by-seq".into(),
            range: Some(RangeCondition::GreaterThan(json!(from))),
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

/// What the tree needs of an event: its hashes. Read from events and
/// stubs alike; written as the stub of a pruned event.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NodeRecord {
    #[serde(default)]
    seq: u64,
    entry_hash: String,
    #[serde(default)]
    nodes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pruned_at: Option<Millis>,
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

/// The newest checkpoint, checked: its note verifies under the key on
/// record and its root is the stored tree's root at its size.
pub fn check_latest_checkpoint(p: &Platform) -> Result<serde_json::Value, AppError> {
    let Some(cp) = crate::evidence::latest_checkpoint(p)? else {
        return Ok(serde_json::Value::Null);
    };
    let keys = crate::evidence::log_keys(p)?;
    let vkey = keys.as_ref().and_then(|k| k.verifier_key(&cp.key_id));
    let problem = match vkey {
        None => Some(format!("key {} is not on record", cp.key_id)),
        Some(vkey) => match tlog::open_checkpoint(&cp.note, vkey, None) {
            Err(e) => Some(e.to_string()),
            Ok(opened) => match tlog::root_at(&StoredNodes(p.storage), opened.size) {
                Err(e) => Some(e.to_string()),
                Ok(root) if root != opened.root || opened.size != cp.size => {
                    Some("the stored tree does not match the signed root".into())
                }
                Ok(_) => None,
            },
        },
    };
    Ok(json!({"size": cp.size, "root": cp.root, "keyId": cp.key_id,
              "valid": problem.is_none(), "problem": problem}))
}

/// `audit.verify` (admin, rate-limited): the chain report, where it starts
/// (and which exported checkpoint anchors a pruned prefix), and the newest
/// checkpoint checked against the stored tree. The verification is itself
/// an audit event.
pub fn verify_resolver(
    p: &aigis_platform::Platform,
    caller: &crate::access::Caller,
) -> Result<serde_json::Value, AppError> {
    caller.require_admin()?;
    crate::ratelimit::claim(p, &caller.account_id, "audit.verify")?;
    let report = verify(p.storage, p.secrets)?;
    let checkpoint = check_latest_checkpoint(p)?;
    let anchor = read_anchor(p.storage)?;
    let from = anchor.as_ref().map_or(1, |a| a.seq + 1);
    let anchored_by = anchor
        .as_ref()
        .and_then(|a| a.checkpoint.as_ref())
        .map(|c| json!({"size": c.size, "root": c.root, "keyId": c.key_id}));
    let statement = match &anchored_by {
        // The checkpoint by its tree size; `anchoredBy` has its root and key.
        Some(c) => format!(
            "verified from index {from}, anchored by checkpoint {}",
            c["size"]
        ),
        None => format!("verified from index {from} (genesis)"),
    };
    let ok = report.intact && checkpoint["valid"] != false;
    repo::commit(p, |_| {
        let mut c = Change::new();
        c.event(NewEvent::new(
            &caller.account_id,
            "audit.verified",
            "audit",
            json!({"intact": report.intact, "checked": report.checked, "headSeq": report.head_seq,
                   "fromSeq": from, "checkpointValid": checkpoint["valid"]}),
        ));
        Ok(((), c))
    })?;
    let mut out = serde_json::to_value(&report).map_err(|e| AppError::internal(e.to_string()))?;
    if let Some(o) = out.as_object_mut() {
        o.insert("ok".into(), json!(ok));
        o.insert("fromSeq".into(), json!(from));
        o.insert(
            "anchoredBy".into(),
            anchored_by.unwrap_or(serde_json::Value::Null),
        );
        o.insert("statement".into(), json!(statement));
        o.insert("checkpoint".into(), checkpoint);
    }
    Ok(out)
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RetentionSummary {
    pub events_pruned: u32,
    pub retention_days: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anchor_seq: Option<u64>,
    /// Why events past retention were kept, when they were.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    /// External identity metadata pruned: none is stored yet (no connector
    /// keeps identity data), so always 0 for now.
    pub identity_records_pruned: u32,
    pub stopped_early: bool,
}

/// Replaces retained events up to `through` by node stubs, a batch per
/// transaction. Idempotent: a stub written twice is the same stub.
fn stub_through(
    p: &Platform,
    through: u64,
    now: Millis,
    out_of_time: &impl Fn() -> bool,
) -> Result<(u32, bool), AppError> {
    let mut n = 0u32;
    loop {
        if out_of_time() {
            return Ok((n, true));
        }
        let page = p.storage.entity_query(&EntityQuery {
            entity: AUDIT.into(),
            index: "by-seq".into(),
            range: Some(RangeCondition::LessThanEqualTo(json!(through))),
            limit: STUB_BATCH as u32,
            ..Default::default()
        })?;
        if page.items.is_empty() {
            return Ok((n, false));
        }
        let mut ops = Vec::with_capacity(page.items.len() * 2);
        for (key, raw) in &page.items {
            let e: AuditEvent =
                serde_json::from_str(raw).map_err(|e| AppError::internal(e.to_string()))?;
            let stub = NodeRecord {
                seq: e.seq,
                entry_hash: e.entry_hash,
                nodes: e.nodes,
                pruned_at: Some(now),
            };
            let value =
                serde_json::to_string(&stub).map_err(|e| AppError::internal(e.to_string()))?;
            ops.push(TxnOp::put(AUDIT_NODE, key, value));
            ops.push(TxnOp::Delete {
                key: key.clone(),
                entity: Some(AUDIT.into()),
                conditions: vec![],
            });
        }
        p.storage.transact(&ops)?;
        n += page.items.len() as u32;
    }
}

/// The daily retention sweep (see the module notes). Reads only the due
/// prefix of the log (plus one page), whatever its length.
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
    let anchor = read_anchor(p.storage)?;
    let pruned = anchor.as_ref().map_or(0, |a| a.seq);
    s.anchor_seq = anchor.as_ref().map(|a| a.seq);
    // An earlier run may have stopped before stubbing everything.
    let (n, stopped) = stub_through(p, pruned, now, &out_of_time)?;
    s.events_pruned += n;
    if stopped {
        s.stopped_early = true;
        return Ok(s);
    }
    let exported = crate::evidence::last_export(p)?.map(|l| l.checkpoint);
    // The last event past retention that an exported checkpoint covers.
    let mut target: Option<AuditEvent> = None;
    let mut due_beyond_export = false;
    let mut cursor = None;
    'scan: loop {
        let page = p.storage.entity_query(&EntityQuery {
            entity: AUDIT.into(),
            index: "by-seq".into(),
            range: Some(RangeCondition::GreaterThan(json!(pruned))),
            cursor,
            limit: 100,
            ..Default::default()
        })?;
        for (_, raw) in &page.items {
            let e: AuditEvent =
                serde_json::from_str(raw).map_err(|e| AppError::internal(e.to_string()))?;
            if e.at > cutoff {
                break 'scan;
            }
            if exported.as_ref().is_none_or(|cp| e.seq > cp.size) {
                due_beyond_export = true;
                break 'scan;
            }
            target = Some(e);
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    if due_beyond_export {
        s.refused = Some(match &exported {
            None => "events past retention are kept: no checkpoint has been exported yet".into(),
            Some(cp) => format!(
                "events past retention after {} are kept until an export's checkpoint covers them",
                cp.size
            ),
        });
    }
    let (Some(last), Some(cp)) = (target, exported) else {
        return Ok(s);
    };
    let (key_id, key) = repo::mac_key(p)?;
    let frontier = tlog::frontier_at(&StoredNodes(p.storage), last.seq)
        .map_err(|e| AppError::internal(format!("audit tree: {e}")))?;
    repo::commit(p, |_| {
        let mut c = Change::new();
        // Another run moved the anchor already.
        if read_anchor(p.storage)?.is_some_and(|a| a.seq >= last.seq) {
            return Ok(((), c));
        }
        let a = Anchor::sign(
            last.seq,
            &last.entry_hash,
            now,
            frontier.clone(),
            Some(cp.clone()),
            (&key_id, &key),
        );
        c.put(AUDIT_ANCHOR, ANCHOR_KEY, &a)?;
        c.event(NewEvent::new(
            "app:retention",
            "audit.pruned",
            "audit",
            json!({
                "fromSeq": pruned + 1,
                "throughSeq": last.seq,
                "anchorHash": last.entry_hash,
                "prefix": frontier,
                "checkpoint": {"size": cp.size, "root": cp.root, "keyId": cp.key_id, "note": cp.note},
                "retentionDays": days,
                "cutoff": cutoff,
            }),
        ));
        Ok(((), c))
    })?;
    s.anchor_seq = Some(last.seq);
    let (n, stopped) = stub_through(p, last.seq, now, &out_of_time)?;
    s.events_pruned += n;
    s.stopped_early = stopped;
    Ok(s)
}
