//! `audit.*`: the audit log as a hash chain and RFC 6962 Merkle tree.
//!
//! [`store`] reads what is stored (the retention anchor, Merkle nodes,
//! events), [`checkpoints`] signs the tree with the log key, [`verify`]
//! checks chain and checkpoints, [`retention`] prunes behind an exported
//! checkpoint, [`export`] builds evidence packs, [`proofs`] inclusion
//! proofs, [`search`] finds events.
//!
//! Retention keeps the log verifiable. Events past the retention are pruned
//! only below the tree size of a signed checkpoint that has already been
//! exported (so a copy is outside our hands); without one, pruning is
//! refused. A prune first moves the anchor (entity `auditanchor`: the last
//! pruned seq, its `entryHash`, the compact range `[0, seq)` and that
//! checkpoint, MAC'd under the site key) in the same commit as an
//! `audit.pruned` event recording all of it; then it replaces each pruned
//! event by a stub in entity `auditnode` holding only its Merkle node
//! hashes, [`retention::STUB_BATCH`] per transaction. Inclusion and
//! consistency proofs keep working (the nodes remain), and
//! [`verify::verify`] starts from the anchor.

pub mod checkpoints;
pub mod export;
pub mod proofs;
pub mod retention;
pub mod search;
pub mod state;
pub mod store;
pub mod verify;
pub mod when;

use crate::api::{Route, route};

pub const ROUTES: &[Route] = &[
    route!("audit.verify", Admin, audit::verify::resolver),
    route!("audit.search", Admin, audit::search::search),
    route!("audit.export", Admin, audit::export::export),
    route!("audit.prove", Admin, audit::proofs::resolver),
    route!("audit.keys", Admin, audit::checkpoints::keys),
    route!("audit.rotateKey", Admin, audit::checkpoints::rotate_key),
];
