//! `audit.prove`: an event's inclusion proof in a signed checkpoint,
//! checkable offline with `aigis verify-proof`.

use super::checkpoints::{checkpoint_now, ensure_keys, latest_checkpoint};
use super::store::StoredNodes;
use crate::access::Caller;
use crate::error::AppError;
use crate::repo;
use aigis_core::tlog;
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};

/// An RFC 6962 inclusion proof with the checkpoint it proves into.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Proof {
    pub seq: u64,
    pub leaf_index: u64,
    pub leaf_hash: String,
    pub tree_size: u64,
    pub root_hash: String,
    /// Hex hashes, leaf to root.
    pub proof: Vec<String>,
    /// The signed checkpoint note.
    pub checkpoint: String,
    pub verifier_key: String,
}

/// An inclusion proof of event `seq` in the newest checkpoint (made now if
/// none covers it), checkable offline with `aigis verify-proof`.
pub fn prove(p: &Platform, seq: u64) -> Result<Proof, AppError> {
    let head = repo::read_head(p)?.ok_or_else(|| AppError::not_found("the audit log is empty"))?;
    if seq == 0 || seq > head.seq {
        return Err(AppError::invalid(
            "seq",
            format!("must be between 1 and {}", head.seq),
        ));
    }
    let cp = match latest_checkpoint(p)? {
        Some(cp) if cp.size >= seq => cp,
        _ => checkpoint_now(p)?,
    };
    let keys = ensure_keys(p)?;
    let vkey = keys
        .verifier_key(&cp.key_id)
        .ok_or_else(|| AppError::internal(format!("key {} is not on record", cp.key_id)))?;
    let nodes = StoredNodes(p.storage);
    let tree_err = |e: tlog::TlogError| AppError::internal(format!("audit tree: {e}"));
    let leaf = tlog::NodeSource::node(&nodes, 0, seq - 1).map_err(tree_err)?;
    let proof = tlog::inclusion_proof(&nodes, seq - 1, cp.size).map_err(tree_err)?;
    Ok(Proof {
        seq,
        leaf_index: seq - 1,
        leaf_hash: tlog::hex(&leaf),
        tree_size: cp.size,
        root_hash: cp.root,
        proof: proof.iter().map(tlog::hex).collect(),
        checkpoint: cp.note,
        verifier_key: vkey.to_owned(),
    })
}

/// `{seq}`: an event by its sequence number.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SeqRef {
    pub seq: u64,
}

/// `audit.prove` (admin): `{seq}`.
pub fn resolver(p: &Platform, _: &Caller, a: SeqRef) -> Result<Proof, AppError> {
    prove(p, a.seq)
}
