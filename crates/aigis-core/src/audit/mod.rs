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
mod canonical;
mod par;
mod verify;

pub use verify::{Break, LinkFault, Report, Verifier, check_link};

use crate::tlog::{self, Frontier, Hash, TlogError};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::cell::RefCell;

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
    let mut out = Vec::new();
    canonical::write_value(v, &mut out);
    // serde_json writes UTF-8 only (strings come from `String`s).
    String::from_utf8(out).unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    tlog::hex_bytes(bytes)
}

/// The Merkle leaf of an event: the canonical JSON of
/// `{action, actor, at, data, format, govVersion, keyId, prevHash, seq, subject}`.
pub fn leaf_bytes(e: &AuditEvent) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    canonical::write_leaf(e, &mut out);
    out
}

thread_local! {
    /// The encoding buffer of [`entry_hash_bin`], reused across events.
    static LEAF_BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The RFC 6962 leaf hash of [`leaf_bytes`], binary (the hot path: no
/// allocation once the thread's buffer has grown).
pub fn entry_hash_bin(e: &AuditEvent) -> Hash {
    LEAF_BUF.with(|b| match b.try_borrow_mut() {
        Ok(mut buf) => canonical::leaf_hash_with(e, &mut buf),
        // Not re-entered in practice; a fresh buffer is always correct.
        Err(_) => canonical::leaf_hash_with(e, &mut Vec::new()),
    })
}

/// The hash of an event's content: the RFC 6962 leaf hash of
/// [`leaf_bytes`], hex.
pub fn entry_hash(e: &AuditEvent) -> String {
    tlog::hex(&entry_hash_bin(e))
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
        let leaf = entry_hash_bin(&e);
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

    /// The verifier as it was: hex strings throughout, the hex `Frontier`,
    /// one event at a time. The reference for the binary and batch paths.
    fn reference(anchor: &Head, events: &[(u64, AuditEvent)], head: &Head) -> Report {
        let mut expect = anchor.clone();
        let mut checked = 0;
        let mut broken = None;
        for (stored, e) in events {
            let want = expect.seq + 1;
            let fault = if *stored != want {
                Some(format!("event {want} is missing (next stored is {stored})"))
            } else if e.seq != want {
                Some(format!("event stored at {want} claims seq {}", e.seq))
            } else if let Err(f) = check_link(e, Some(&expect.hash), &mut expect.frontier) {
                Some(f.to_string())
            } else if e.key_id != "k1" {
                Some(format!("MAC key {} is not available", e.key_id))
            } else if entry_mac(KEY, &e.entry_hash) != e.entry_mac {
                Some("entryMac does not match".into())
            } else {
                None
            };
            if let Some(reason) = fault {
                broken = Some(Break { seq: want, reason });
                break;
            }
            checked += 1;
            expect.seq = e.seq;
            expect.hash = e.entry_hash.clone();
        }
        if broken.is_none() {
            let reason = if head.seq > expect.seq {
                Some((
                    expect.seq + 1,
                    format!(
                        "event {} is missing (head is at {})",
                        expect.seq + 1,
                        head.seq
                    ),
                ))
            } else if head.seq < expect.seq {
                Some((
                    head.seq + 1,
                    format!("event {} lies beyond the head ({})", head.seq + 1, head.seq),
                ))
            } else if head.hash != expect.hash {
                Some((head.seq, "head hash does not match the last entry".into()))
            } else if head.frontier != expect.frontier {
                Some((
                    head.seq,
                    "head Merkle range does not match the events".into(),
                ))
            } else {
                None
            };
            broken = reason.map(|(seq, reason)| Break { seq, reason });
        }
        Report {
            intact: broken.is_none(),
            checked,
            head_seq: head.seq,
            first_break: broken,
        }
    }

    #[test]
    fn batch_and_single_pushes_report_what_the_reference_reports() {
        let (events, head) = chain(1_300);
        let keys = |id: &str| (id == "k1").then(|| KEY.to_vec());
        type Tamper = fn(&mut Vec<(u64, AuditEvent)>, &mut Head, &mut Head);
        let tampers: Vec<(&str, Tamper)> = vec![
            ("none", |_, _, _| {}),
            ("data", |ev, _, _| ev[700].1.data = json!({"i": -1})),
            ("entry hash", |ev, _, _| {
                ev[513].1.entry_hash = ev[512].1.entry_hash.clone()
            }),
            ("upper-case hash", |ev, _, _| {
                ev[9].1.entry_hash = ev[9].1.entry_hash.to_uppercase()
            }),
            ("prev hash", |ev, _, _| {
                ev[1000].1.prev_hash = GENESIS_HASH.into()
            }),
            ("mac", |ev, _, _| {
                ev[1299].1.entry_mac = ev[0].1.entry_mac.clone()
            }),
            ("key id", |ev, _, _| ev[400].1.key_id = "k2".into()),
            ("node", |ev, _, _| ev[1023].1.nodes[3] = GENESIS_HASH.into()),
            ("extra node", |ev, _, _| {
                ev[1022].1.nodes.push(GENESIS_HASH.into())
            }),
            ("dropped node", |ev, _, _| {
                ev[1023].1.nodes.pop();
            }),
            ("removed", |ev, _, _| {
                ev.remove(600);
            }),
            ("swapped", |ev, _, _| ev.swap(3, 900)),
            ("stored key", |ev, _, _| ev[50].0 = 77),
            ("claimed seq", |ev, _, _| ev[51].1.seq = 7),
            ("truncated", |ev, _, _| ev.truncate(1_000)),
            ("head hash", |_, h, _| h.hash = GENESIS_HASH.into()),
            ("head range", |_, h, _| {
                h.frontier.hashes[0] = GENESIS_HASH.into()
            }),
            ("anchor range shape", |_, _, a| a.frontier.size = 3),
            ("anchor range hex", |_, _, a| {
                a.frontier = Frontier {
                    size: 1,
                    hashes: vec!["zz".into()],
                };
            }),
            ("anchor hash", |_, _, a| a.hash = "x".into()),
        ];
        for (name, tamper) in tampers {
            let mut evs: Vec<(u64, AuditEvent)> =
                events.iter().map(|e| (e.seq, e.clone())).collect();
            let (mut h, mut anchor) = (head.clone(), Head::genesis());
            tamper(&mut evs, &mut h, &mut anchor);
            let want = reference(&anchor, &evs, &h);
            assert_eq!(want.intact, name == "none", "{name}: {want:?}");

            let mut one = Verifier::new(anchor.clone(), &keys);
            for (stored, e) in &evs {
                one.push(*stored, e);
            }
            assert_eq!(one.finish(&h), want, "{name}: one by one");

            for (threads, batch) in [(1, 1_300), (2, 1_300), (4, 517), (3, 64)] {
                let mut v = Verifier::new(anchor.clone(), &keys).threads(threads);
                // Batches of consecutive stored keys; a stored-key gap
                // starts a new batch.
                let mut i = 0;
                while i < evs.len() {
                    let mut j = i + 1;
                    while j < evs.len() && j - i < batch && evs[j].0 == evs[j - 1].0 + 1 {
                        j += 1;
                    }
                    let part: Vec<AuditEvent> = evs[i..j].iter().map(|(_, e)| e.clone()).collect();
                    v.push_batch(evs[i].0, &part);
                    i = j;
                }
                assert_eq!(
                    v.finish(&h),
                    want,
                    "{name}: {threads} threads, batches of {batch}"
                );
            }
        }
    }
}
