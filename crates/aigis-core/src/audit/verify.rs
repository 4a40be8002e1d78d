//! Checking the chain: the one link check shared with the evidence-pack
//! verifier, and the streaming [`Verifier`].
//!
//! The verifier works on binary hashes: the stored hex strings are compared
//! with hashes hex-encoded on the stack, and the Merkle compact range is
//! kept decoded until [`Verifier::finish`]. [`Verifier::push_batch`]
//! computes the independent per-event work (canonical leaf, its SHA-256,
//! the MAC) on the available cores, then runs every check that depends on
//! the order (sequence numbers, `prevHash`, the tree, the first break)
//! sequentially, exactly as [`Verifier::push`] does one event at a time.

use super::{AuditEvent, Head, entry_hash_bin};
use crate::tlog::{self, Frontier, Hash, TlogError};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use std::collections::BTreeMap;

/// Where and why the chain broke.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Break {
    /// The sequence number expected at the break.
    pub seq: u64,
    pub reason: String,
}

/// Result of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub intact: bool,
    pub checked: u64,
    pub head_seq: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub first_break: Option<Break>,
}

/// Why an event does not extend the log before it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkFault {
    #[error("prevHash does not match the previous entry")]
    PrevHash,
    #[error("entryHash does not match the content")]
    EntryHash,
    #[error("Merkle tree: {0}")]
    Tree(TlogError),
    #[error("stored Merkle nodes do not match the tree")]
    Nodes,
}

/// Lower-case hex of 32 bytes, on the stack.
fn hex32(bytes: &[u8; 32]) -> [u8; 64] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 0x0f)];
    }
    out
}

/// Whether `stored` is the hex spelling [`tlog::hex`] gives `h`.
fn is_hex_of(stored: &str, h: &Hash) -> bool {
    stored.as_bytes() == hex32(&h.0)
}

/// Checks that `e` extends the log whose last entry hash is `prev` (when
/// known) and whose compact range is `frontier`: its `prevHash`, its
/// recomputed `entryHash`, and the Merkle nodes it stores. On success the
/// leaf has been pushed onto `frontier`; after a failure the log is broken
/// there and `frontier` is not to be used further.
/// The one link check of [`Verifier`] and the evidence-pack verifier.
pub fn check_link(
    e: &AuditEvent,
    prev: Option<&str>,
    frontier: &mut Frontier,
) -> Result<(), LinkFault> {
    if prev.is_some_and(|p| e.prev_hash != p) {
        return Err(LinkFault::PrevHash);
    }
    let leaf = entry_hash_bin(e);
    if !is_hex_of(&e.entry_hash, &leaf) {
        return Err(LinkFault::EntryHash);
    }
    let completed = frontier.push(leaf).map_err(LinkFault::Tree)?;
    nodes_match(&completed[1..], &e.nodes)
}

fn nodes_match(completed: &[Hash], stored: &[String]) -> Result<(), LinkFault> {
    if completed.len() == stored.len() && completed.iter().zip(stored).all(|(h, s)| is_hex_of(s, h))
    {
        Ok(())
    } else {
        Err(LinkFault::Nodes)
    }
}

/// The outcome of an event's MAC check, computed ahead of the sequential
/// checks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum MacCheck {
    Ok,
    Mismatch,
    NoKey,
}

/// The order-independent work for one event.
struct Pre {
    leaf: Hash,
    mac: MacCheck,
}

fn precompute(e: &AuditEvent, key: Option<&Hmac<Sha256>>) -> Pre {
    let mac = match key {
        None => MacCheck::NoKey,
        Some(k) => {
            let mut m = k.clone();
            m.update(e.entry_hash.as_bytes());
            let tag: [u8; 32] = m.finalize().into_bytes().into();
            if e.entry_mac.as_bytes() == hex32(&tag) {
                MacCheck::Ok
            } else {
                MacCheck::Mismatch
            }
        }
    };
    Pre {
        leaf: entry_hash_bin(e),
        mac,
    }
}

/// Streaming verifier: feed events in storage order with [`Verifier::push`]
/// (or many at once with [`Verifier::push_batch`]), then
/// [`Verifier::finish`] with the stored head.
pub struct Verifier<'k> {
    key_for: &'k dyn Fn(&str) -> Option<Vec<u8>>,
    /// `seq` and `hash` are current; `frontier` is the anchor's until the
    /// first leaf is pushed, then rebuilt from `tree` at the end.
    expect: Head,
    size: u64,
    /// The compact range, decoded; the anchor's decoding error if it has
    /// none (reported at the first event that reaches the tree check).
    tree: Result<Vec<Hash>, TlogError>,
    tree_used: bool,
    /// Keyed HMAC states by key id, `None` for a key that is not available:
    /// `key_for` is asked once per key id. A `BTreeMap`: the core draws no
    /// randomness, not even a hasher seed.
    keys: Vec<Option<Hmac<Sha256>>>,
    key_slots: BTreeMap<String, usize>,
    threads: usize,
    checked: u64,
    broken: Option<Break>,
}

impl<'k> Verifier<'k> {
    /// Starts at `anchor` (the genesis head, or a retained checkpoint).
    pub fn new(anchor: Head, key_for: &'k dyn Fn(&str) -> Option<Vec<u8>>) -> Self {
        Verifier {
            key_for,
            size: anchor.frontier.size,
            tree: anchor.frontier.decode(),
            tree_used: false,
            expect: anchor,
            keys: Vec::new(),
            key_slots: BTreeMap::new(),
            threads: super::par::available(),
            checked: 0,
            broken: None,
        }
    }

    /// Uses at most `n` threads for [`Verifier::push_batch`] (default: the
    /// available cores; always 1 on wasm).
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = n.max(1);
        self
    }

    fn fail(&mut self, seq: u64, reason: String) {
        if self.broken.is_none() {
            self.broken = Some(Break { seq, reason });
        }
    }

    fn key_slot(&mut self, key_id: &str) -> usize {
        if let Some(&slot) = self.key_slots.get(key_id) {
            return slot;
        }
        // HMAC accepts keys of any length, so construction cannot fail.
        let state =
            (self.key_for)(key_id).and_then(|k| <Hmac<Sha256> as Mac>::new_from_slice(&k).ok());
        self.keys.push(state);
        let slot = self.keys.len() - 1;
        self.key_slots.insert(key_id.to_owned(), slot);
        slot
    }

    /// Checks the next stored event; `stored_seq` is the key it was stored
    /// under (its position), which must agree with its `seq`.
    pub fn push(&mut self, stored_seq: u64, e: &AuditEvent) {
        if self.broken.is_some() {
            return;
        }
        let slot = self.key_slot(&e.key_id);
        let pre = precompute(e, self.keys[slot].as_ref());
        if self.check(stored_seq, e, &pre, None).is_ok() {
            self.expect.hash.clone_from(&e.entry_hash);
        }
    }

    /// Checks the next `events`, stored at `first_stored_seq` and the keys
    /// after it: the same checks and the same first break as pushing them
    /// one by one, with the leaf hashes and MACs computed in parallel.
    pub fn push_batch(&mut self, first_stored_seq: u64, events: &[AuditEvent]) {
        if self.broken.is_some() || events.is_empty() {
            return;
        }
        let mut last: Option<(&str, usize)> = None;
        let slots: Vec<usize> = events
            .iter()
            .map(|e| match last {
                // Runs of one key id are the rule: skip the map lookup.
                Some((id, slot)) if id == e.key_id => slot,
                _ => {
                    let slot = self.key_slot(&e.key_id);
                    last = Some((&e.key_id, slot));
                    slot
                }
            })
            .collect();
        let jobs: Vec<(&AuditEvent, Option<&Hmac<Sha256>>)> = events
            .iter()
            .zip(&slots)
            .map(|(e, &s)| (e, self.keys[s].as_ref()))
            .collect();
        let pre = super::par::map(&jobs, self.threads, |(e, k)| precompute(e, *k));
        drop(jobs);
        let mut last_ok: Option<&AuditEvent> = None;
        for (i, (e, p)) in events.iter().zip(&pre).enumerate() {
            let stored = first_stored_seq.saturating_add(i as u64);
            let prev = last_ok.map(|l| l.entry_hash.as_str());
            if self.check(stored, e, p, prev).is_err() {
                break;
            }
            last_ok = Some(e);
        }
        if let Some(l) = last_ok {
            self.expect.hash.clone_from(&l.entry_hash);
        }
    }

    /// The ordered checks of one event whose leaf hash and MAC are in
    /// `pre`; `prev` is the previous entry hash when not yet in `expect`.
    fn check(
        &mut self,
        stored_seq: u64,
        e: &AuditEvent,
        pre: &Pre,
        prev: Option<&str>,
    ) -> Result<(), ()> {
        if self.broken.is_some() {
            return Err(());
        }
        let want = self.expect.seq + 1;
        if stored_seq != want {
            self.fail(
                want,
                format!("event {want} is missing (next stored is {stored_seq})"),
            );
            return Err(());
        }
        if e.seq != want {
            self.fail(want, format!("event stored at {want} claims seq {}", e.seq));
            return Err(());
        }
        if let Err(fault) = self.link(e, pre.leaf, prev) {
            self.fail(want, fault.to_string());
            return Err(());
        }
        match pre.mac {
            MacCheck::Ok => {}
            MacCheck::Mismatch => {
                self.fail(want, "entryMac does not match".into());
                return Err(());
            }
            MacCheck::NoKey => {
                self.fail(want, format!("MAC key {} is not available", e.key_id));
                return Err(());
            }
        }
        self.checked += 1;
        self.expect.seq = e.seq;
        Ok(())
    }

    /// [`check_link`] on the decoded compact range.
    fn link(&mut self, e: &AuditEvent, leaf: Hash, prev: Option<&str>) -> Result<(), LinkFault> {
        if e.prev_hash != prev.unwrap_or(&self.expect.hash) {
            return Err(LinkFault::PrevHash);
        }
        if !is_hex_of(&e.entry_hash, &leaf) {
            return Err(LinkFault::EntryHash);
        }
        let index = self.size;
        let next = index
            .checked_add(1)
            .ok_or_else(|| LinkFault::Tree(TlogError::Invalid("the tree is full".into())))?;
        let hashes = self
            .tree
            .as_mut()
            .map_err(|err| LinkFault::Tree(err.clone()))?;
        // The range holds one hash per set bit of `index`, so at least
        // trailing_ones(index) of them; merge those from the right.
        let merged = index.trailing_ones() as usize;
        let keep = hashes.len().saturating_sub(merged);
        if e.nodes.len() != hashes.len() - keep {
            return Err(LinkFault::Nodes);
        }
        let mut h = leaf;
        for (left, stored) in hashes[keep..].iter().rev().zip(&e.nodes) {
            h = tlog::node_hash(*left, h);
            if !is_hex_of(stored, &h) {
                return Err(LinkFault::Nodes);
            }
        }
        hashes.truncate(keep);
        hashes.push(h);
        self.size = next;
        self.tree_used = true;
        Ok(())
    }

    /// Checks the chain ends where the stored head says it does.
    pub fn finish(mut self, head: &Head) -> Report {
        if self.tree_used
            && let Ok(hashes) = &self.tree
        {
            self.expect.frontier = Frontier {
                size: self.size,
                hashes: hashes.iter().map(tlog::hex).collect(),
            };
        }
        if self.broken.is_none() {
            if head.seq > self.expect.seq {
                let missing = self.expect.seq + 1;
                self.fail(
                    missing,
                    format!("event {missing} is missing (head is at {})", head.seq),
                );
            } else if head.seq < self.expect.seq {
                let extra = head.seq + 1;
                self.fail(
                    extra,
                    format!("event {extra} lies beyond the head ({})", head.seq),
                );
            } else if head.hash != self.expect.hash {
                self.fail(head.seq, "head hash does not match the last entry".into());
            } else if head.frontier != self.expect.frontier {
                self.fail(
                    head.seq,
                    "head Merkle range does not match the events".into(),
                );
            }
        }
        Report {
            intact: self.broken.is_none(),
            checked: self.checked,
            head_seq: head.seq,
            first_break: self.broken,
        }
    }
}
