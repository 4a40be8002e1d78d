//! The audit log as an RFC 6962 Merkle tree, and its signed checkpoints.
//!
//! Leaf `i` of the tree is the canonical encoding of audit event `seq = i+1`
//! (see [`crate::audit::leaf_bytes`]), so an event's `entryHash` *is* its
//! RFC 6962 leaf hash, `SHA-256(0x00 || leaf)`. Proofs and their checks
//! come from `tlog_tiles` (a port of Go's `sumdb/tlog`); this module adds
//! the pieces our storage model needs and guards every input, so that
//! arbitrary (hostile) proofs and sizes give an error, never a panic.
//!
//! Storage model: when leaf `i` is appended it completes the perfect
//! subtrees `(level k, index i >> k)` for `k = 0..=trailing_ones(i)`; their
//! hashes ([`Frontier::push`]) are stored with the event. Node `(k, j)` is
//! therefore found on the event with `seq = (j + 1) << k` at position `k`.
//! The chain head keeps the [`Frontier`] (the compact range `[0, size)`:
//! one hash per set bit of `size`), so appending reads nothing else and the
//! root of the current tree is computed from the head alone.
//!
//! Checkpoints follow C2SP tlog-checkpoint (origin, size, base64 root) as a
//! C2SP signed note with an Ed25519 signature; the verifier key is the
//! note's `name+keyid+base64(0x01 || public key)` string.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use signed_note::{Note, Signer as _, StandardSigner, StandardVerifier, VerifierList};
use std::collections::BTreeMap;
use thiserror::Error;
pub use tlog_tiles::Hash;

/// Longest proof accepted: a tree of 2^64 leaves needs at most 64 hashes
/// for an inclusion proof and 2·64 for a consistency proof.
const MAX_PROOF: usize = 130;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TlogError {
    #[error("{0}")]
    Invalid(String),
    #[error("the proof does not verify")]
    ProofMismatch,
    #[error("node ({level}, {index}) is not available: {reason}")]
    MissingNode {
        level: u8,
        index: u64,
        reason: String,
    },
    #[error("checkpoint: {0}")]
    Checkpoint(String),
}

/// The root of the empty tree, SHA-256 of nothing (RFC 6962, 2.1).
pub const EMPTY_ROOT: Hash = tlog_tiles::EMPTY_HASH;

/// RFC 6962 leaf hash: `SHA-256(0x00 || leaf)`.
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    tlog_tiles::record_hash(leaf)
}

/// RFC 6962 interior node hash: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: Hash, right: Hash) -> Hash {
    tlog_tiles::node_hash(left, right)
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex of a hash.
pub fn hex(h: &Hash) -> String {
    hex_bytes(&h.0)
}

/// Lower-case hex of any bytes.
pub fn hex_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX_DIGITS[usize::from(b >> 4)]));
        out.push(char::from(HEX_DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// The value of one lower-case hex digit.
fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// Parses 64 lower-case hex digits, the only form [`hex`] writes: every
/// hash has exactly one accepted spelling, so stored hashes that compare
/// equal as strings are equal as hashes and vice versa.
pub fn from_hex(s: &str) -> Result<Hash, TlogError> {
    let bytes = s.as_bytes();
    if bytes.len() != 64 {
        return Err(TlogError::Invalid(format!(
            "a hash is 64 hex digits, got {} bytes",
            bytes.len()
        )));
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        match (hex_digit(pair[0]), hex_digit(pair[1])) {
            (Some(h), Some(l)) => *o = (h << 4) | l,
            _ => {
                return Err(TlogError::Invalid(format!(
                    "{s:?} is not a lower-case hex hash"
                )));
            }
        }
    }
    Ok(Hash(out))
}

/// Base64 of a hash (the checkpoint's root encoding).
pub fn b64(h: &Hash) -> String {
    B64.encode(h.0)
}

/// The compact range `[0, size)`: the roots of the perfect subtrees that
/// make up a tree of `size` leaves, largest (leftmost) first, one per set
/// bit of `size`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frontier {
    pub size: u64,
    /// Hex hashes, leftmost subtree first.
    pub hashes: Vec<String>,
}

impl Frontier {
    pub fn empty() -> Frontier {
        Frontier::default()
    }

    /// Checks the shape (one hash per set bit of `size`) and decodes.
    pub fn decode(&self) -> Result<Vec<Hash>, TlogError> {
        self.check_shape()?;
        self.hashes.iter().map(|h| from_hex(h)).collect()
    }

    fn check_shape(&self) -> Result<(), TlogError> {
        if self.hashes.len() != self.size.count_ones() as usize {
            return Err(TlogError::Invalid(format!(
                "a compact range of size {} has {} hashes, not {}",
                self.size,
                self.size.count_ones(),
                self.hashes.len()
            )));
        }
        Ok(())
    }

    /// Appends leaf hash `leaf` (leaf index `self.size`) and returns the
    /// hashes of the subtrees it completes, level 0 (the leaf) first.
    pub fn push(&mut self, leaf: Hash) -> Result<Vec<Hash>, TlogError> {
        let index = self.size;
        let next = index
            .checked_add(1)
            .ok_or_else(|| TlogError::Invalid("the tree is full".into()))?;
        // Checks the whole range (shape and every hash) as `decode` does,
        // but only the subtrees this leaf merges with are kept decoded, and
        // only the new subtree is encoded: the rest of the range is unchanged.
        self.check_shape()?;
        // The range holds count_ones(index) >= trailing_ones(index) hashes.
        let merged = index.trailing_ones() as usize;
        let keep = self.hashes.len().saturating_sub(merged);
        for h in &self.hashes[..keep] {
            from_hex(h)?;
        }
        let lefts = self.hashes[keep..]
            .iter()
            .map(|h| from_hex(h))
            .collect::<Result<Vec<Hash>, _>>()?;
        let mut completed = Vec::with_capacity(merged + 1);
        completed.push(leaf);
        let mut h = leaf;
        // One subtree per set bit of the size; the trailing ones are the
        // smallest, rightmost subtrees, so merge from the right.
        for left in lefts.into_iter().rev() {
            h = node_hash(left, h);
            completed.push(h);
        }
        self.hashes.truncate(keep);
        self.hashes.push(hex(&h));
        self.size = next;
        Ok(completed)
    }

    /// Appends many leaf hashes.
    pub fn extend(&mut self, leaves: impl IntoIterator<Item = Hash>) -> Result<(), TlogError> {
        for l in leaves {
            self.push(l)?;
        }
        Ok(())
    }

    /// The RFC 6962 root of the tree of `size` leaves.
    pub fn root(&self) -> Result<Hash, TlogError> {
        let hashes = self.decode()?;
        let mut it = hashes.into_iter().rev();
        let Some(mut acc) = it.next() else {
            return Ok(EMPTY_ROOT);
        };
        for left in it {
            acc = node_hash(left, acc);
        }
        Ok(acc)
    }
}

/// Where proofs read stored node hashes from.
pub trait NodeSource {
    /// The hash of the perfect subtree at `level` and `index` (leaves
    /// `index << level .. (index + 1) << level`).
    fn node(&self, level: u8, index: u64) -> Result<Hash, TlogError>;
}

/// A log held in memory: its compact range and every node its leaves
/// completed, keyed as the audit log stores them. A [`NodeSource`] for
/// proofs over a tree rebuilt from leaves (verifiers, tests).
#[derive(Debug, Clone, Default)]
pub struct MemTree {
    pub frontier: Frontier,
    pub nodes: BTreeMap<(u8, u64), Hash>,
}

impl MemTree {
    /// Appends a leaf hash; returns the nodes it completed, level 0 first.
    pub fn push(&mut self, leaf: Hash) -> Result<Vec<Hash>, TlogError> {
        let index = self.frontier.size;
        let done = self.frontier.push(leaf)?;
        for (level, h) in (0u8..).zip(&done) {
            self.nodes.insert((level, index >> level), *h);
        }
        Ok(done)
    }
}

impl NodeSource for MemTree {
    fn node(&self, level: u8, index: u64) -> Result<Hash, TlogError> {
        self.nodes
            .get(&(level, index))
            .copied()
            .ok_or(TlogError::MissingNode {
                level,
                index,
                reason: "absent".into(),
            })
    }
}

/// The `seq` of the audit event that stores node `(level, index)`, and the
/// node's position in that event's list.
pub fn node_home(level: u8, index: u64) -> Option<(u64, usize)> {
    let seq = index.checked_add(1)?.checked_shl(u32::from(level))?;
    // checked_shl only rejects shift >= 64; also reject overflowed bits.
    if (seq >> level) != index + 1 {
        return None;
    }
    Some((seq, usize::from(level)))
}

struct Reader<'a, S: NodeSource + ?Sized>(&'a S);

impl<S: NodeSource + ?Sized> tlog_tiles::HashReader for Reader<'_, S> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        indexes
            .iter()
            .map(|i| {
                let (level, n) = tlog_tiles::split_stored_hash_index(*i);
                self.0
                    .node(level, n)
                    .map_err(|_| tlog_tiles::Error::IndexesNotInTree)
            })
            .collect()
    }
}

fn check_sizes(index: u64, size: u64, what: &str) -> Result<(), TlogError> {
    if index >= size {
        return Err(TlogError::Invalid(format!(
            "{what} {index} is not below the tree size {size}"
        )));
    }
    if size >= 1 << 62 {
        return Err(TlogError::Invalid(format!("tree size {size} is too large")));
    }
    Ok(())
}

/// Proves leaf `index` is in the tree of `size` leaves (RFC 6962 audit path).
pub fn inclusion_proof(
    src: &(impl NodeSource + ?Sized),
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, TlogError> {
    check_sizes(index, size, "leaf index")?;
    tlog_tiles::prove_record(size, index, &Reader(src))
        .map_err(|e| TlogError::Invalid(format!("cannot prove leaf {index} in {size}: {e}")))
}

/// Proves the tree of `old` leaves is a prefix of the tree of `new` leaves.
pub fn consistency_proof(
    src: &(impl NodeSource + ?Sized),
    old: u64,
    new: u64,
) -> Result<Vec<Hash>, TlogError> {
    if old == 0 || old > new {
        return Err(TlogError::Invalid(format!(
            "no consistency proof from size {old} to size {new}"
        )));
    }
    check_sizes(old - 1, new, "old size")?;
    tlog_tiles::prove_tree(new, old, &Reader(src))
        .map_err(|e| TlogError::Invalid(format!("cannot prove {old} -> {new}: {e}")))
}

/// The root of the tree of `size` leaves, from stored nodes.
pub fn root_at(src: &(impl NodeSource + ?Sized), size: u64) -> Result<Hash, TlogError> {
    if size >= 1 << 62 {
        return Err(TlogError::Invalid(format!("tree size {size} is too large")));
    }
    tlog_tiles::tree_hash(size, &Reader(src))
        .map_err(|e| TlogError::Invalid(format!("cannot compute root {size}: {e}")))
}

/// The compact range `[0, size)` from stored nodes.
pub fn frontier_at(src: &(impl NodeSource + ?Sized), size: u64) -> Result<Frontier, TlogError> {
    let mut hashes = Vec::new();
    let mut start = 0u64;
    for level in (0..64u8).rev() {
        if size & (1u64 << level) != 0 {
            hashes.push(hex(&src.node(level, start >> level)?));
            start += 1u64 << level;
        }
    }
    Ok(Frontier { size, hashes })
}

/// Checks an inclusion proof of `leaf` at `index` against `root` of `size`.
pub fn verify_inclusion(
    proof: &[Hash],
    index: u64,
    size: u64,
    leaf: Hash,
    root: Hash,
) -> Result<(), TlogError> {
    check_sizes(index, size, "leaf index")?;
    if proof.len() > MAX_PROOF {
        return Err(TlogError::Invalid("the proof is too long".into()));
    }
    tlog_tiles::check_record(&proof.to_vec(), size, root, index, leaf)
        .map_err(|_| TlogError::ProofMismatch)
}

/// Checks that `old_root` of `old` leaves is a prefix of `new_root` of
/// `new` leaves. Equal sizes need an empty proof and equal roots.
pub fn verify_consistency(
    proof: &[Hash],
    old: u64,
    old_root: Hash,
    new: u64,
    new_root: Hash,
) -> Result<(), TlogError> {
    if old == 0 || old > new {
        return Err(TlogError::Invalid(format!(
            "no consistency from size {old} to size {new}"
        )));
    }
    check_sizes(old - 1, new, "old size")?;
    if proof.len() > MAX_PROOF {
        return Err(TlogError::Invalid("the proof is too long".into()));
    }
    if old == new {
        return if proof.is_empty() && old_root == new_root {
            Ok(())
        } else {
            Err(TlogError::ProofMismatch)
        };
    }
    tlog_tiles::check_tree(&proof.to_vec(), new, new_root, old, old_root)
        .map_err(|_| TlogError::ProofMismatch)
}

/// An Ed25519 log signing key: the key name (also the checkpoint origin's
/// signer) and the 32-byte seed kept in secret storage.
pub struct LogSigner {
    name: String,
    signer: StandardSigner,
    public: [u8; 32],
}

impl LogSigner {
    /// `name` must be a valid note key name (no spaces, no `+`).
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<LogSigner, TlogError> {
        if !signed_note::is_key_name_valid(name) {
            return Err(TlogError::Checkpoint(format!(
                "{name:?} is not a valid key name"
            )));
        }
        let sk = ed25519_dalek::SigningKey::from_bytes(seed);
        let public = sk.verifying_key().to_bytes();
        let mut pk = vec![0x01];
        pk.extend_from_slice(&public);
        let id = signed_note::key_id(name, &pk);
        let mut raw = vec![0x01];
        raw.extend_from_slice(seed);
        let skey = format!("PRIVATE+KEY+{name}+{id:08x}+{}", B64.encode(raw));
        let signer = StandardSigner::new(&skey)
            .map_err(|e| TlogError::Checkpoint(format!("signing key: {e}")))?;
        Ok(LogSigner {
            name: name.to_owned(),
            signer,
            public,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The note key id (first 4 bytes of SHA-256 over name, newline,
    /// 0x01 and the public key), as 8 hex digits.
    pub fn key_id(&self) -> String {
        format!("{:08x}", self.signer.key_id())
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.public
    }

    /// The verifier key: `name+keyid+base64(0x01 || public key)`.
    pub fn verifier_key(&self) -> String {
        let mut pk = vec![0x01];
        pk.extend_from_slice(&self.public);
        format!("{}+{}+{}", self.name, self.key_id(), B64.encode(pk))
    }

    /// A raw Ed25519 signature over `msg` (used for DSSE envelopes).
    pub fn sign_raw(&self, msg: &[u8]) -> Result<Vec<u8>, TlogError> {
        self.signer
            .sign(msg)
            .map_err(|e| TlogError::Checkpoint(format!("signing failed: {e}")))
    }

    /// A signed checkpoint note for the tree of `size` leaves with `root`.
    pub fn sign_checkpoint(
        &self,
        origin: &str,
        size: u64,
        root: Hash,
    ) -> Result<String, TlogError> {
        // The origin is the first line of the signed body: a line break in
        // it would let the caller forge the size and root lines that a
        // reader parses (tlog_tiles does not check this).
        if origin.is_empty() || origin.chars().any(char::is_control) {
            return Err(TlogError::Checkpoint(format!(
                "{origin:?} is not a valid checkpoint origin"
            )));
        }
        let cp = tlog_tiles::Checkpoint::new(origin, size, root, "")
            .map_err(|e| TlogError::Checkpoint(format!("{e}")))?;
        let mut note =
            Note::new(&cp.to_bytes(), &[]).map_err(|e| TlogError::Checkpoint(format!("{e}")))?;
        note.add_sigs(&[&self.signer])
            .map_err(|e| TlogError::Checkpoint(format!("{e}")))?;
        String::from_utf8(note.to_bytes())
            .map_err(|_| TlogError::Checkpoint("note is not UTF-8".into()))
    }
}

/// A checkpoint whose signature verified.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

/// Parses a verifier key string, checking its key id.
pub fn parse_verifier_key(vkey: &str) -> Result<(String, String), TlogError> {
    let v = StandardVerifier::new(vkey)
        .map_err(|e| TlogError::Checkpoint(format!("verifier key: {e}")))?;
    Ok((
        signed_note::Verifier::name(&v).to_owned(),
        format!("{:08x}", signed_note::Verifier::key_id(&v)),
    ))
}

/// Verifies a signed checkpoint note against verifier key `vkey` and
/// returns its content. Fails if the note is malformed, carries no valid
/// signature by that key, or its origin differs from `origin` (if given).
pub fn open_checkpoint(
    note: &str,
    vkey: &str,
    origin: Option<&str>,
) -> Result<Checkpoint, TlogError> {
    open_checkpoint_bytes(note.as_bytes(), vkey, origin)
}

/// [`open_checkpoint`] on the raw bytes of a note, as received: bytes that
/// are not UTF-8 are a malformed note.
pub fn open_checkpoint_bytes(
    note: &[u8],
    vkey: &str,
    origin: Option<&str>,
) -> Result<Checkpoint, TlogError> {
    if std::str::from_utf8(note).is_err() {
        return Err(TlogError::Checkpoint("malformed note: not UTF-8".into()));
    }
    let v = StandardVerifier::new(vkey)
        .map_err(|e| TlogError::Checkpoint(format!("verifier key: {e}")))?;
    let list = VerifierList::new(vec![Box::new(v)]);
    let parsed = Note::from_bytes(note)
        .map_err(|e| TlogError::Checkpoint(format!("malformed note: {e}")))?;
    let (verified, _) = parsed
        .verify(&list)
        .map_err(|e| TlogError::Checkpoint(format!("signature: {e}")))?;
    if verified.is_empty() {
        return Err(TlogError::Checkpoint(
            "no valid signature by the log key".into(),
        ));
    }
    let cp = tlog_tiles::Checkpoint::from_bytes(parsed.text())
        .map_err(|_| TlogError::Checkpoint("malformed checkpoint body".into()))?;
    if let Some(o) = origin
        && cp.origin() != o
    {
        return Err(TlogError::Checkpoint(format!(
            "origin {:?} is not the expected {o:?}",
            cp.origin()
        )));
    }
    Ok(Checkpoint {
        origin: cp.origin().to_owned(),
        size: cp.size(),
        root: *cp.hash(),
    })
}

/// Verifies a raw Ed25519 signature by the key in `vkey`.
pub fn verify_raw(vkey: &str, msg: &[u8], sig: &[u8]) -> Result<(), TlogError> {
    let v = StandardVerifier::new(vkey)
        .map_err(|e| TlogError::Checkpoint(format!("verifier key: {e}")))?;
    if signed_note::Verifier::verify(&v, msg, sig) {
        Ok(())
    } else {
        Err(TlogError::Checkpoint(
            "the signature does not verify".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(n: u64) -> (MemTree, Vec<Hash>) {
        let mut m = MemTree::default();
        let mut roots = vec![EMPTY_ROOT];
        for i in 0..n {
            m.push(leaf_hash(format!("leaf {i}").as_bytes())).unwrap();
            roots.push(m.frontier.root().unwrap());
        }
        (m, roots)
    }

    #[test]
    fn frontier_root_matches_stored_tree_hash_and_proofs_verify() {
        let (mem, roots) = build(70);
        for size in 1..=70u64 {
            assert_eq!(
                root_at(&mem, size).unwrap(),
                roots[size as usize],
                "size {size}"
            );
            assert_eq!(
                frontier_at(&mem, size).unwrap().root().unwrap(),
                roots[size as usize]
            );
            for i in [0, size / 2, size - 1] {
                let p = inclusion_proof(&mem, i, size).unwrap();
                let leaf = mem.node(0, i).unwrap();
                verify_inclusion(&p, i, size, leaf, roots[size as usize]).unwrap();
                assert!(
                    verify_inclusion(&p, i, size, leaf, roots[size as usize - 1]).is_err()
                        || size == 1
                );
            }
            for old in [1, size / 2 + 1, size] {
                let p = consistency_proof(&mem, old, size).unwrap();
                verify_consistency(&p, old, roots[old as usize], size, roots[size as usize])
                    .unwrap();
            }
        }
    }

    #[test]
    fn node_home_places_each_node_on_the_event_that_completes_it() {
        assert_eq!(node_home(0, 0), Some((1, 0)));
        assert_eq!(node_home(1, 0), Some((2, 1)));
        assert_eq!(node_home(2, 1), Some((8, 2)));
        assert_eq!(node_home(63, 4), None);
    }

    #[test]
    fn checkpoint_signs_and_opens_and_rejects_other_keys() {
        let s = LogSigner::from_seed("aigis.test/audit", &[7u8; 32]).unwrap();
        let root = leaf_hash(b"x");
        let note = s.sign_checkpoint("aigis.test/audit", 5, root).unwrap();
        assert!(note.starts_with("aigis.test/audit\n5\n"));
        let cp = open_checkpoint(&note, &s.verifier_key(), Some("aigis.test/audit")).unwrap();
        assert_eq!((cp.size, cp.root), (5, root));
        let other = LogSigner::from_seed("aigis.test/audit", &[8u8; 32]).unwrap();
        assert!(open_checkpoint(&note, &other.verifier_key(), None).is_err());
        let altered = note.replacen("\n5\n", "\n6\n", 1);
        assert!(open_checkpoint(&altered, &s.verifier_key(), None).is_err());
        assert!(open_checkpoint(&note, &s.verifier_key(), Some("elsewhere")).is_err());
    }
}
