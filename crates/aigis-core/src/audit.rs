//! The audit hash chain, which is also an RFC 6962 Merkle tree.
//!
//! Every state change appends one [`AuditEvent`]. Event `n` stores the
//! `entry_hash` of event `n-1` as its `prev_hash`. Its *leaf* is the
//! canonical encoding of every field but the hashes, the MAC and the tree
//! nodes ([`leaf_bytes`]: JSON, keys sorted at every depth, no white space,
//! UTF-8); its `entry_hash` is the RFC 6962 leaf hash of that leaf,
//! `SHA-256(0x00 || leaf)`, so the hash chain and the Merkle tree of
//! [`crate::tlog`] agree; `entry_mac` is HMAC-SHA256 of the hex hash under
//! a per-site key kept in secret storage. Each event also carries the tree
//! nodes its leaf completes (levels 1 and up), and the head the compact
//! range of the whole tree, so roots and proofs need no other storage.
//! Altering, removing or reordering any event breaks the chain at that
//! event, and [`Verifier`] reports the first break.

use crate::Millis;
use crate::tlog::{self, Frontier, TlogError};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// The `format` field of every leaf: names the encoding.
pub const LEAF_FORMAT: &str = "aigis.audit.v1";

/// An event not yet placed in the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub data: Value,
}

impl NewEvent {
    pub fn new(actor: &str, action: &str, subject: &str, data: Value) -> Self {
        NewEvent {
            actor: actor.to_owned(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            data,
        }
    }
}

/// A sealed chain entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    pub seq: u64,
    pub at: Millis,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub data: Value,
    /// The governance version in force when the event was written.
    #[serde(default)]
    pub gov_version: Option<u32>,
    pub key_id: String,
    pub prev_hash: String,
    pub entry_hash: String,
    pub entry_mac: String,
    /// Hex hashes of the Merkle subtrees this leaf completes, levels 1 and
    /// up (level 0 is `entry_hash`). Not part of the leaf.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<String>,
}

/// The chain's tip: the last sequence number, its hash, the Merkle compact
/// range of the tree so far and the governance version in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Head {
    pub seq: u64,
    pub hash: String,
    #[serde(default)]
    pub frontier: Frontier,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gov_version: Option<u32>,
}

impl Head {
    pub fn genesis() -> Head {
        Head {
            seq: 0,
            hash: GENESIS_HASH.to_owned(),
            frontier: Frontier::empty(),
            gov_version: None,
        }
    }
}

/// JSON with object keys sorted and no insignificant white space, whatever
/// the map implementation serde_json was built with.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                // A string key serialises infallibly (JSON string escaping).
                out.push_str(&serde_json::to_string(k.as_str()).unwrap_or_default());
                out.push(':');
                write_canonical(&map[k.as_str()], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn hex(bytes: &[u8]) -> String {
    tlog::hex_bytes(bytes)
}

/// The Merkle leaf of an event: the canonical JSON of
/// `{action, actor, at, data, format, govVersion, keyId, prevHash, seq, subject}`.
pub fn leaf_bytes(e: &AuditEvent) -> Vec<u8> {
    let body = serde_json::json!({
        "format": LEAF_FORMAT,
        "seq": e.seq,
        "at": e.at,
        "actor": e.actor,
        "action": e.action,
        "subject": e.subject,
        "data": e.data,
        "govVersion": e.gov_version,
        "keyId": e.key_id,
        "prevHash": e.prev_hash,
    });
    canonical_json(&body).into_bytes()
}

/// The hash of an event's content: the RFC 6962 leaf hash of
/// [`leaf_bytes`], hex.
pub fn entry_hash(e: &AuditEvent) -> String {
    tlog::hex(&tlog::leaf_hash(&leaf_bytes(e)))
}

/// SHA-256 of arbitrary bytes, hex (file digests).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// HMAC-SHA256 of an entry hash under the site key.
pub fn entry_mac(key: &[u8], hash: &str) -> String {
    // HMAC accepts keys of any length, so construction cannot fail.
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(hash.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// Seals `events` after `head`, returning them and the new head. Fails
/// only if the head's compact range does not match its sequence number.
pub fn seal(
    head: &Head,
    at: Millis,
    key_id: &str,
    key: &[u8],
    events: Vec<NewEvent>,
) -> Result<(Vec<AuditEvent>, Head), TlogError> {
    let mut prev = head.clone();
    if prev.frontier.size != prev.seq {
        return Err(TlogError::Invalid(format!(
            "the audit head at {} holds a tree of size {}",
            prev.seq, prev.frontier.size
        )));
    }
    let mut sealed = Vec::with_capacity(events.len());
    for n in events {
        let mut e = AuditEvent {
            seq: prev.seq + 1,
            at,
            actor: n.actor,
            action: n.action,
            subject: n.subject,
            data: n.data,
            gov_version: prev.gov_version,
            key_id: key_id.to_owned(),
            prev_hash: prev.hash.clone(),
            entry_hash: String::new(),
            entry_mac: String::new(),
            nodes: Vec::new(),
        };
        let leaf = tlog::leaf_hash(&leaf_bytes(&e));
        let completed = prev.frontier.push(leaf)?;
        e.entry_hash = tlog::hex(&leaf);
        e.entry_mac = entry_mac(key, &e.entry_hash);
        e.nodes = completed.iter().skip(1).map(tlog::hex).collect();
        prev.seq = e.seq;
        prev.hash = e.entry_hash.clone();
        sealed.push(e);
    }
    Ok((sealed, prev))
}

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
    if entry_hash(e) != e.entry_hash {
        return Err(LinkFault::EntryHash);
    }
    let completed = tlog::from_hex(&e.entry_hash)
        .and_then(|leaf| frontier.push(leaf))
        .map_err(LinkFault::Tree)?;
    if completed
        .iter()
        .skip(1)
        .map(tlog::hex)
        .eq(e.nodes.iter().cloned())
    {
        Ok(())
    } else {
        Err(LinkFault::Nodes)
    }
}

/// Streaming verifier: feed events in storage order with [`Verifier::push`],
/// then [`Verifier::finish`] with the stored head.
pub struct Verifier<'k> {
    key_for: &'k dyn Fn(&str) -> Option<Vec<u8>>,
    expect: Head,
    checked: u64,
    broken: Option<Break>,
}

impl<'k> Verifier<'k> {
    /// Starts at `anchor` (the genesis head, or a retained checkpoint).
    pub fn new(anchor: Head, key_for: &'k dyn Fn(&str) -> Option<Vec<u8>>) -> Self {
        Verifier {
            key_for,
            expect: anchor,
            checked: 0,
            broken: None,
        }
    }

    fn fail(&mut self, seq: u64, reason: String) {
        if self.broken.is_none() {
            self.broken = Some(Break { seq, reason });
        }
    }

    /// Checks the next stored event; `stored_key` is the key it was stored
    /// under (its position), which must agree with its `seq`.
    pub fn push(&mut self, stored_seq: u64, e: &AuditEvent) {
        if self.broken.is_some() {
            return;
        }
        let want = self.expect.seq + 1;
        if stored_seq != want {
            return self.fail(
                want,
                format!("event {want} is missing (next stored is {stored_seq})"),
            );
        }
        if e.seq != want {
            return self.fail(want, format!("event stored at {want} claims seq {}", e.seq));
        }
        if let Err(fault) = check_link(e, Some(&self.expect.hash), &mut self.expect.frontier) {
            return self.fail(want, fault.to_string());
        }
        match (self.key_for)(&e.key_id) {
            Some(key) if entry_mac(&key, &e.entry_hash) == e.entry_mac => {}
            Some(_) => return self.fail(want, "entryMac does not match".into()),
            None => return self.fail(want, format!("MAC key {} is not available", e.key_id)),
        }
        self.checked += 1;
        self.expect.seq = e.seq;
        self.expect.hash = e.entry_hash.clone();
    }

    /// Checks the chain ends where the stored head says it does.
    pub fn finish(mut self, head: &Head) -> Report {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const KEY: &[u8] = b"site-key";

    fn chain(n: usize) -> (Vec<AuditEvent>, Head) {
        let events = (0..n)
            .map(|i| {
                NewEvent::new(
                    "acct-1",
                    "request.created",
                    &format!("request:{i}"),
                    json!({"i": i}),
                )
            })
            .collect();
        seal(&Head::genesis(), 1_000, "k1", KEY, events).unwrap()
    }

    fn verify(events: &[AuditEvent], head: &Head) -> Report {
        let keys = |id: &str| (id == "k1").then(|| KEY.to_vec());
        let mut v = Verifier::new(Head::genesis(), &keys);
        for (i, e) in events.iter().enumerate() {
            v.push(i as u64 + 1, e);
        }
        v.finish(head)
    }

    #[test]
    fn intact_chain_verifies() {
        let (events, head) = chain(5);
        let r = verify(&events, &head);
        assert!(r.intact, "{r:?}");
        assert_eq!(r.checked, 5);
        assert_eq!(events[1].prev_hash, events[0].entry_hash);
    }

    #[test]
    fn altered_event_is_the_first_break() {
        let (mut events, head) = chain(5);
        events[2].data = json!({"i": 99});
        let r = verify(&events, &head);
        assert_eq!(r.first_break.unwrap().seq, 3);
    }

    #[test]
    fn removed_event_is_reported() {
        let (mut events, head) = chain(5);
        events.remove(1);
        let keys = |_: &str| Some(KEY.to_vec());
        let mut v = Verifier::new(Head::genesis(), &keys);
        for e in &events {
            v.push(e.seq, e);
        }
        assert_eq!(v.finish(&head).first_break.unwrap().seq, 2);
        let (mut events, head) = chain(5);
        events.pop();
        assert_eq!(verify(&events, &head).first_break.unwrap().seq, 5);
    }

    #[test]
    fn reordered_events_are_reported() {
        let (mut events, head) = chain(5);
        events.swap(1, 3);
        assert_eq!(verify(&events, &head).first_break.unwrap().seq, 2);
    }

    #[test]
    fn wrong_key_fails_the_mac() {
        let (events, head) = chain(2);
        let keys = |_: &str| Some(b"other".to_vec());
        let mut v = Verifier::new(Head::genesis(), &keys);
        v.push(1, &events[0]);
        assert!(
            v.finish(&head)
                .first_break
                .unwrap()
                .reason
                .contains("entryMac")
        );
    }

    #[test]
    fn entry_hash_is_the_rfc6962_leaf_and_head_root_matches() {
        let (events, head) = chain(5);
        let mut f = Frontier::empty();
        for e in &events {
            let mut h = Sha256::new();
            h.update([0u8]);
            h.update(leaf_bytes(e));
            assert_eq!(hex(&h.finalize()), e.entry_hash);
            f.push(tlog::from_hex(&e.entry_hash).unwrap()).unwrap();
        }
        assert_eq!(f, head.frontier);
        // Leaf 3 (seq 4) completes levels 1 and 2.
        assert_eq!(events[3].nodes.len(), 2);
        let mut altered = events.clone();
        altered[3].nodes[0] = tlog::hex(&tlog::leaf_hash(b"x"));
        let keys = |_: &str| Some(KEY.to_vec());
        let mut v = Verifier::new(Head::genesis(), &keys);
        for e in &altered {
            v.push(e.seq, e);
        }
        let r = v.finish(&head);
        assert_eq!(r.first_break.unwrap().seq, 4);
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let v = json!({"b": 1, "a": {"d": [1, {"z": 0, "y": null}], "c": "x"}});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":{"c":"x","d":[1,{"y":null,"z":0}]},"b":1}"#
        );
    }
}
