//! `audit.export` (and the host's `aigis export`): the evidence pack of a
//! window, built by [`aigis_core::pack`]. Each export makes a checkpoint,
//! records the consistency proof from the previous export's checkpoint and
//! remembers its own (`audit:last-export`) for the next export and for
//! retention.

use super::checkpoints::{LastExport, LogKeys, checkpoint_now, ensure_keys, last_export, signer};
use super::store::{StoredNodes, read_anchor};
use super::verify::CheckpointRef;
use super::when::{Window, WindowArgs};
use crate::access::Caller;
use crate::error::AppError;
use crate::names::{AUDIT, CHECKPOINT, GOVERNANCE, GRANT, JOB, LAST_EXPORT, REQUEST};
use crate::repo::{self, Change};
use aigis_core::audit::{AuditEvent, NewEvent};
use aigis_core::model::{Grant, Job, Request};
use aigis_core::pack::{PackInput, PreviousExport, PruneAnchor, StoredCheckpoint};
use aigis_core::tlog;
use aigis_platform::{EntityQuery, Platform, RangeCondition};
use serde::Serialize;
use serde_json::{Value, json};

/// How much of each kind a pack holds.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PackCounts {
    pub events: u64,
    pub requests: u64,
    pub grants: u64,
    pub jobs: u64,
}

/// An evidence pack, inline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    pub file_name: String,
    pub bytes: u64,
    /// SHA-256 of the zip, hex.
    pub sha256: String,
    pub content_base64: String,
    pub checkpoint: CheckpointRef,
    pub counts: PackCounts,
}

/// Every item of an index query (paged).
fn collect<T: serde::de::DeserializeOwned>(
    p: &Platform,
    query: EntityQuery,
    mut keep: impl FnMut(&T) -> bool,
) -> Result<Vec<T>, AppError> {
    let mut out = Vec::new();
    repo::scan(p, query, |_, item: T| {
        if keep(&item) {
            out.push(item);
        }
        Ok(true)
    })?;
    Ok(out)
}

fn created_between(entity: &str, w: Window) -> EntityQuery {
    EntityQuery {
        entity: entity.into(),
        index: "by-created".into(),
        range: Some(RangeCondition::Between(json!(w.from), json!(w.to))),
        ..Default::default()
    }
}

/// Gathers everything an export of `w` holds, at checkpoint `cp`.
pub fn gather(
    p: &Platform,
    w: Window,
    query: Value,
    requested_by: &str,
    cp: &StoredCheckpoint,
    keys: &LogKeys,
) -> Result<PackInput, AppError> {
    let tree_err = |e: tlog::TlogError| AppError::internal(format!("audit tree: {e}"));
    let anchor = read_anchor(p.storage)?;
    let pruned = anchor.as_ref().map_or(0, |a| a.seq);
    // The first retained event at or after `from` starts the pack.
    let first = p.storage.entity_query(&EntityQuery {
        entity: AUDIT.into(),
        index: "by-at".into(),
        range: Some(RangeCondition::GreaterThanEqualTo(json!(w.from))),
        limit: 1,
        ..Default::default()
    })?;
    let first_seq = match first.items.first() {
        Some((key, raw)) => repo::decode::<AuditEvent>(AUDIT, key, raw)?.seq,
        None => cp.size + 1,
    }
    .max(pruned + 1)
    .min(cp.size + 1);
    // The tables are proven from a committed state at or before the
    // window (or the empty state): the events start there.
    let (proven_from, state) = super::state::start_for(p, first_seq, pruned)?;
    let first_seq = if proven_from == 0 {
        1
    } else {
        first_seq.min(proven_from)
    };
    let events: Vec<AuditEvent> = if first_seq <= cp.size {
        collect(
            p,
            EntityQuery {
                entity: AUDIT.into(),
                index: "by-seq".into(),
                range: Some(RangeCondition::Between(json!(first_seq), json!(cp.size))),
                ..Default::default()
            },
            |_| true,
        )?
    } else {
        vec![]
    };
    let nodes = StoredNodes(p.storage);
    let prefix = tlog::frontier_at(&nodes, first_seq - 1).map_err(tree_err)?;
    let requests: Vec<Request> = collect(p, created_between(REQUEST, w), |_| true)?;
    let grants: Vec<Grant> = collect(p, created_between(GRANT, w), |_| true)?;
    let jobs: Vec<Job> = collect(
        p,
        EntityQuery {
            entity: JOB.into(),
            index: "by-updated".into(),
            range: Some(RangeCondition::GreaterThanEqualTo(json!(w.from))),
            ..Default::default()
        },
        |j: &Job| j.created_at >= w.from && j.created_at <= w.to,
    )?;
    let checkpoints: Vec<StoredCheckpoint> = collect(
        p,
        EntityQuery {
            entity: CHECKPOINT.into(),
            index: "by-size".into(),
            range: Some(RangeCondition::Between(json!(first_seq), json!(cp.size))),
            ..Default::default()
        },
        |_| true,
    )?;
    let policy_versions: Vec<Value> = collect(
        p,
        EntityQuery {
            entity: GOVERNANCE.into(),
            index: "by-version".into(),
            ..Default::default()
        },
        |_| true,
    )?;
    let previous = match last_export(p)? {
        Some(last) if last.checkpoint.size <= cp.size => {
            let proof = if last.checkpoint.size == cp.size {
                vec![]
            } else {
                tlog::consistency_proof(&nodes, last.checkpoint.size, cp.size)
                    .map_err(tree_err)?
                    .iter()
                    .map(tlog::hex)
                    .collect()
            };
            Some(PreviousExport {
                checkpoint: last.checkpoint,
                proof,
            })
        }
        _ => None,
    };
    let prune = anchor.and_then(|a| {
        a.checkpoint.map(|checkpoint| PruneAnchor {
            pruned_through: a.seq,
            checkpoint,
        })
    });
    Ok(PackInput {
        origin: keys.origin.clone(),
        from: w.from,
        to: w.to,
        query,
        generated_at: repo::now(p),
        generator: format!("aigis {}", env!("CARGO_PKG_VERSION")),
        requested_by: requested_by.to_owned(),
        requests,
        grants,
        jobs,
        events,
        prefix,
        checkpoint: cp.clone(),
        checkpoints,
        previous,
        policy_versions,
        keys: keys.keys.clone(),
        prune,
        proven_from,
        state,
        verifier_page: aigis_verify_page::VERIFY_HTML.to_owned(),
    })
}

/// `audit.export` (admin, rate-limited): `{from?, to?}` → the evidence pack
/// (`{fileName, bytes, sha256, contentBase64, checkpoint}`). The export is
/// itself an audit event, and its checkpoint becomes the one the next
/// export proves consistency from.
pub fn export(p: &Platform, caller: &Caller, args: WindowArgs) -> Result<Exported, AppError> {
    let w = args.window(repo::now(p))?;
    crate::ratelimit::claim(p, &caller.account_id, "audit.export")?;
    let query = serde_json::to_value(&args).map_err(|e| AppError::internal(e.to_string()))?;
    export_window(p, &caller.account_id, w, query)
}

/// The export itself (also what the host's `aigis export` runs).
pub fn export_window(
    p: &Platform,
    by: &str,
    w: Window,
    query: Value,
) -> Result<Exported, AppError> {
    let keys = ensure_keys(p)?;
    // A state the next exports can be proven from, under this checkpoint.
    super::state::write(p, "app:aigis")?;
    let cp = checkpoint_now(p)?;
    let input = gather(p, w, query, by, &cp, &keys)?;
    let s = signer(p, &keys)?;
    let zip = aigis_core::pack::build(&input, &s)
        .map_err(|e| AppError::internal(format!("building the pack: {e}")))?;
    let digest = aigis_core::audit::sha256_hex(&zip);
    let file_name = format!(
        "aigis-evidence-{}-{}-{}.zip",
        aigis_core::time::date(w.from),
        aigis_core::time::date(w.to),
        cp.size
    );
    repo::commit(p, |_| {
        let mut c = Change::new();
        c.event(NewEvent::new(
            by,
            "audit.exported",
            &format!("export:{}", cp.size),
            json!({"from": w.from, "to": w.to, "checkpointSize": cp.size, "root": cp.root,
                   "sha256": digest, "bytes": zip.len(), "events": input.events.len(),
                   "previousSize": input.previous.as_ref().map(|x| x.checkpoint.size)}),
        ));
        c.put_kv(
            LAST_EXPORT,
            &LastExport {
                checkpoint: cp.clone(),
                at: repo::now(p),
                by: by.to_owned(),
            },
        )?;
        Ok(((), c))
    })?;
    use base64::Engine;
    let n = |len: usize| u64::try_from(len).unwrap_or(u64::MAX);
    Ok(Exported {
        file_name,
        bytes: n(zip.len()),
        sha256: digest,
        content_base64: base64::engine::general_purpose::STANDARD.encode(&zip),
        checkpoint: CheckpointRef {
            size: cp.size,
            root: cp.root,
            key_id: cp.key_id,
        },
        counts: PackCounts {
            events: n(input.events.len()),
            requests: n(input.requests.len()),
            grants: n(input.grants.len()),
            jobs: n(input.jobs.len()),
        },
    })
}
