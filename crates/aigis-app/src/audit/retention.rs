//! The daily retention sweep (see the module notes of [`super`]).

use super::checkpoints;
use super::store::{Anchor, NodeRecord, StoredNodes, read_anchor};
use crate::error::AppError;
use crate::names::{ANCHOR_KEY, AUDIT, AUDIT_ANCHOR, AUDIT_NODE};
use crate::repo::{self, Change};
use aigis_core::Millis;
use aigis_core::audit::{AuditEvent, NewEvent};
use aigis_core::tlog;
use aigis_platform::{EntityQuery, Platform, RangeCondition, TxnOp};
use serde::Serialize;
use serde_json::json;

/// Events turned into stubs per transaction (two operations each).
pub const STUB_BATCH: usize = 12;
/// Audit events are kept this long unless the intake says otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 365;

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
    /// External identity records (`connectors::identities`) last changed
    /// before the cutoff, pruned with the audit log's retention.
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
            let e: AuditEvent = repo::decode(AUDIT, key, raw)?;
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
    let days = crate::access::load_intake(p)?
        .and_then(|i| i.audit_retention_days)
        .unwrap_or(DEFAULT_RETENTION_DAYS);
    let cutoff = now - aigis_core::model::days(days);
    let mut s = RetentionSummary {
        retention_days: days,
        ..Default::default()
    };
    s.identity_records_pruned = crate::connectors::identities::prune(p, cutoff)?;
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
    let exported = checkpoints::last_export(p)?.map(|l| l.checkpoint);
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
        for (key, raw) in &page.items {
            let e: AuditEvent = repo::decode(AUDIT, key, raw)?;
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
    // The state after everything so far, committed in the log before any
    // of it is pruned: packs of later windows are proven from it.
    super::state::write(p, "app:retention")?;
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
