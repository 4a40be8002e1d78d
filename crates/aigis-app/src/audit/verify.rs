//! `audit.verify` and the chain check behind it.

use super::checkpoints;
use super::store::{Anchor, StoredNodes, read_anchor};
use crate::access::Caller;
use crate::api::NoArgs;
use crate::error::AppError;
use crate::names::{ANCHOR_KEY, AUDIT, AUDIT_ANCHOR, AUDIT_HEAD, HEAD_KEY};
use crate::repo::{self, Change};
use aigis_core::audit::{AuditEvent, Break, Head, NewEvent, Report, Verifier};
use aigis_core::tlog;
use aigis_platform::{EntityQuery, Platform, RangeCondition, Secrets, Storage};
use serde::Serialize;
use serde_json::json;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// A checkpoint by its size, root and key.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CheckpointRef {
    pub size: u64,
    pub root: String,
    pub key_id: String,
}

/// The newest checkpoint, checked against the stored tree.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CheckpointCheck {
    pub size: u64,
    pub root: String,
    pub key_id: String,
    pub valid: bool,
    pub problem: Option<String>,
}

/// What `audit.verify` found.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Verified {
    #[serde(flatten)]
    pub report: Report,
    /// The chain is intact and the newest checkpoint (if any) valid.
    pub ok: bool,
    /// The first index verified (after a pruned prefix, if any).
    pub from_seq: u64,
    /// The exported checkpoint that anchors a pruned prefix.
    pub anchored_by: Option<CheckpointRef>,
    pub statement: String,
    pub checkpoint: Option<CheckpointCheck>,
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
    let head = match storage.entity_get(AUDIT_HEAD, HEAD_KEY)? {
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

/// The newest checkpoint, checked: its note verifies under the key on
/// record and its root is the stored tree's root at its size.
pub fn check_latest_checkpoint(p: &Platform) -> Result<Option<CheckpointCheck>, AppError> {
    let Some(cp) = checkpoints::latest_checkpoint(p)? else {
        return Ok(None);
    };
    let keys = checkpoints::log_keys(p)?;
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
    Ok(Some(CheckpointCheck {
        size: cp.size,
        root: cp.root,
        key_id: cp.key_id,
        valid: problem.is_none(),
        problem,
    }))
}

/// `audit.verify` (admin, rate-limited): the chain report, where it starts
/// (and which exported checkpoint anchors a pruned prefix), and the newest
/// checkpoint checked against the stored tree. The verification is itself
/// an audit event.
pub fn resolver(p: &Platform, caller: &Caller, _: NoArgs) -> Result<Verified, AppError> {
    crate::ratelimit::claim(p, &caller.account_id, "audit.verify")?;
    let report = verify(p.storage, p.secrets)?;
    let checkpoint = check_latest_checkpoint(p)?;
    let anchor = read_anchor(p.storage)?;
    let from = anchor.as_ref().map_or(1, |a| a.seq + 1);
    let anchored_by = anchor
        .as_ref()
        .and_then(|a| a.checkpoint.as_ref())
        .map(|c| CheckpointRef {
            size: c.size,
            root: c.root.clone(),
            key_id: c.key_id.clone(),
        });
    let statement = match &anchored_by {
        // The checkpoint by its tree size; `anchoredBy` has its root and key.
        Some(c) => format!(
            "verified from index {from}, anchored by checkpoint {}",
            c.size
        ),
        None => format!("verified from index {from} (genesis)"),
    };
    let checkpoint_valid = checkpoint.as_ref().map(|c| c.valid);
    let ok = report.intact && checkpoint_valid != Some(false);
    repo::commit(p, |_| {
        let mut c = Change::new();
        c.event(NewEvent::new(
            &caller.account_id,
            "audit.verified",
            "audit",
            json!({"intact": report.intact, "checked": report.checked, "headSeq": report.head_seq,
                   "fromSeq": from, "checkpointValid": checkpoint_valid}),
        ));
        Ok(((), c))
    })?;
    Ok(Verified {
        report,
        ok,
        from_seq: from,
        anchored_by,
        statement,
        checkpoint,
    })
}
