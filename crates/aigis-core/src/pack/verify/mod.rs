//! Verifying a pack with nothing but its bytes (and, optionally, the site
//! key, an older pack and a trusted verifier key).
//!
//! Checks run in a fixed order and stop at the first failure, which names
//! the file, the line or seq, and the rule broken. The order is chosen so
//! that a change to one file is reported against that file: the envelope
//! and the manifest are parsed first, the envelope's signature is checked
//! with the manifest's current key, then the manifest against the signed
//! statement, then every other file against the manifest; only then the
//! content (chain, Merkle root, checkpoints, cross-file consistency).

use super::dsse::{DsseEnvelope, PAYLOAD_TYPE, PREDICATE_TYPE, STATEMENT_TYPE, Statement, pae};
use super::manifest::Manifest;
use super::records::{
    self, CONNECTOR_COLUMNS, DECISION_COLUMNS, GRANT_COLUMNS, JOB_COLUMNS, RECONCILIATION_COLUMNS,
    REQUEST_COLUMNS, Table,
};
use super::*;
use crate::audit::{self, AuditEvent, GENESIS_HASH, sha256_hex};
use crate::tlog::{self, Frontier, Hash};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

mod cross;
mod link;
mod parts;
mod tables;

use cross::cross_check;
use link::link;
use parts::{is_key_event, open_stored, parse_events};

/// The site's HMAC key, to check `entryMac`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteKey {
    /// The key id it applies to; `None`: every event.
    pub key_id: Option<String>,
    pub key: Vec<u8>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Check `entryMac` of the events under this key.
    pub site_key: Option<SiteKey>,
    /// An older pack of the same log this one must extend.
    pub previous: Option<Vec<u8>>,
    /// The verifier key (`name+keyid+base64`) the pack must be signed with.
    pub trusted_key: Option<String>,
}

/// The first check that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(rename = "PackFailure", optional_fields)
)]
pub struct Failure {
    /// The pack entry at fault (`(archive)` for the zip itself;
    /// `previous/<entry>` for the older pack).
    pub file: String,
    /// 1-based line in that file, where lines make sense.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The audit seq (or checkpoint size) concerned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// The column at fault, for a table row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    /// A stable name of the rule broken, e.g. `file.digest`.
    pub rule: String,
    pub message: String,
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct VerifyReport {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    pub files_checked: u64,
    pub events_checked: u64,
    /// Events whose `entryMac` was checked (needs the site key).
    pub macs_checked: u64,
    pub checkpoints_checked: u64,
    /// Records per file, as counted.
    pub records: BTreeMap<String, u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint_size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint_root: Option<String>,
    /// The note key id of the key that signed the pack.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// The verifier key that signed the pack (as the pack lists it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verifier_key: Option<String>,
    /// Whether the signing key was pinned: by `--trusted-key`, or by an
    /// older pack (`--previous`) this one extends.
    pub key_pinned: bool,
    /// Without a pin: that the key was taken from the pack itself, its id,
    /// and how to pin it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unpinned: Option<String>,
    /// Events folded into the tables (see `pack::fold`).
    pub events_folded: u64,
    /// From which event and state the tables are proven.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proven_from: Option<String>,
    /// Set when retention pruned the log before this pack's first event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
    /// Set when an older pack was given and this one extends it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.failure {
            None => writeln!(f, "OK: the evidence pack verifies")?,
            Some(x) => {
                write!(f, "FAILED: {} ", x.file)?;
                if let Some(l) = x.line {
                    write!(f, "line {l} ")?;
                }
                if let Some(s) = x.seq {
                    write!(f, "seq {s} ")?;
                }
                if let Some(c) = &x.field {
                    write!(f, "field {c} ")?;
                }
                writeln!(f, "[{}]: {}", x.rule, x.message)?;
            }
        }
        if let Some(o) = &self.origin {
            writeln!(f, "log origin:        {o}")?;
        }
        if let Some(k) = &self.key_id {
            writeln!(f, "signing key id:    {k}")?;
        }
        if let (Some(s), Some(r)) = (self.checkpoint_size, &self.checkpoint_root) {
            writeln!(f, "checkpoint:        size {s}, root {r}")?;
        }
        if let Some(s) = self.first_seq {
            writeln!(f, "first event seq:   {s}")?;
        }
        writeln!(f, "files checked:     {}", self.files_checked)?;
        writeln!(
            f,
            "events checked:    {} (entryMac checked: {})",
            self.events_checked, self.macs_checked
        )?;
        writeln!(f, "checkpoints:       {}", self.checkpoints_checked)?;
        for (file, n) in &self.records {
            writeln!(f, "records {file:<20} {n}")?;
        }
        if let Some(p) = &self.proven_from {
            writeln!(f, "{p}; {} events folded", self.events_folded)?;
        }
        if let Some(a) = &self.anchor {
            writeln!(f, "{a}")?;
        }
        if let Some(p) = &self.previous {
            writeln!(f, "{p}")?;
        }
        if let Some(u) = &self.unpinned {
            writeln!(f, "{u}")?;
        }
        Ok(())
    }
}

const ARCHIVE: &str = "(archive)";

fn fail(file: &str, rule: &str, message: impl Into<String>) -> Failure {
    Failure {
        file: file.to_owned(),
        line: None,
        seq: None,
        field: None,
        rule: rule.to_owned(),
        message: message.into(),
    }
}

impl Failure {
    fn line(mut self, line: u64) -> Failure {
        self.line = Some(line);
        self
    }
    fn seq(mut self, seq: u64) -> Failure {
        self.seq = Some(seq);
        self
    }
    fn field(mut self, field: &'static str) -> Failure {
        self.field = Some(field);
        self
    }
}

type Check<T> = Result<T, Failure>;

/// What a verified pack holds, for linking with an older one.
struct Verified {
    manifest: Manifest,
    events: Vec<AuditEvent>,
    /// `roots[i]`: the root of the tree of `base + i` leaves.
    base: u64,
    roots: Vec<Hash>,
    current: PublicKeyRecord,
}

impl Verified {
    fn root_at(&self, size: u64) -> Option<Hash> {
        let i = usize::try_from(size.checked_sub(self.base)?).ok()?;
        self.roots.get(i).copied()
    }
}

/// Verifies the pack `zip`. Never panics; stops at the first failure.
pub fn verify(zip: &[u8], opts: &VerifyOptions) -> VerifyReport {
    let mut report = VerifyReport::default();
    let outcome = check(zip, opts, &mut report).and_then(|new| match &opts.previous {
        Some(old) => link(old, &new, opts, &mut report),
        None => Ok(()),
    });
    if let Err(f) = outcome {
        report.failure = Some(f);
    }
    report.ok = report.failure.is_none();
    report.key_pinned = opts.trusted_key.is_some() || opts.previous.is_some();
    if !report.key_pinned
        && let (Some(id), Some(vk)) = (&report.key_id, &report.verifier_key)
    {
        report.unpinned = Some(format!(
            "NOTE: the signing key is not pinned: key {id} was taken from the pack itself, \
             so anyone holding a key could have made this pack. Pin it with \
             --trusted-key {vk} (or check against an older pack with --previous OLDER.zip)."
        ));
    }
    report
}

fn check(zip: &[u8], opts: &VerifyOptions, report: &mut VerifyReport) -> Check<Verified> {
    // 1. The archive: readable, exactly the expected entries.
    let entries = read_entries(zip)
        .map_err(|z| fail(z.entry.as_deref().unwrap_or(ARCHIVE), z.rule, z.message))?;
    let files: BTreeMap<&str, &[u8]> = entries
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    for name in ALL_FILES {
        if !files.contains_key(name) {
            return Err(fail(name, "zip.missing", format!("{name} is missing")));
        }
    }
    if let Some(extra) = files.keys().find(|n| !ALL_FILES.contains(n)) {
        return Err(fail(
            extra,
            "zip.unexpected",
            format!("{extra} is not part of an evidence pack"),
        ));
    }
    let get = |name: &str| files.get(name).copied().unwrap_or_default();
    let manifest_bytes = get(MANIFEST);
    let manifest_sha = sha256_hex(manifest_bytes);

    // 2. The envelope and the manifest parse.
    let envelope: DsseEnvelope = serde_json::from_slice(get(ENVELOPE))
        .map_err(|e| fail(ENVELOPE, "dsse.schema", format!("not a DSSE envelope: {e}")))?;
    if envelope.payload_type != PAYLOAD_TYPE {
        return Err(fail(
            ENVELOPE,
            "dsse.payload-type",
            format!("payloadType must be {PAYLOAD_TYPE}"),
        ));
    }
    let body = B64.decode(envelope.payload.as_bytes()).map_err(|e| {
        fail(
            ENVELOPE,
            "dsse.schema",
            format!("payload is not base64: {e}"),
        )
    })?;
    // One encoding only: the envelope as the builder writes it, one
    // signature, canonical base64.
    let canonical = serde_json::to_vec_pretty(&envelope).map(|mut v| {
        v.push(b'\n');
        v
    });
    if canonical.ok().as_deref() != Some(get(ENVELOPE))
        || B64.encode(&body) != envelope.payload
        || envelope.signatures.len() != 1
    {
        return Err(fail(
            ENVELOPE,
            "dsse.schema",
            "the envelope is not in its canonical form (pretty JSON, one signature)",
        ));
    }
    let statement: Statement = serde_json::from_slice(&body).map_err(|e| {
        fail(
            ENVELOPE,
            "dsse.statement",
            format!("payload is not an in-toto statement: {e}"),
        )
    })?;
    if statement.type_ != STATEMENT_TYPE || statement.predicate_type != PREDICATE_TYPE {
        return Err(fail(
            ENVELOPE,
            "dsse.statement",
            format!("the statement must be a {STATEMENT_TYPE} with predicate {PREDICATE_TYPE}"),
        ));
    }
    let manifest: Manifest = serde_json::from_slice(manifest_bytes).map_err(|e| {
        fail(
            MANIFEST,
            "manifest.schema",
            format!("not a pack manifest: {e}"),
        )
    })?;
    if manifest.format != FORMAT {
        return Err(fail(
            MANIFEST,
            "manifest.schema",
            format!("format must be {FORMAT}"),
        ));
    }
    report.origin = Some(manifest.scope.origin.clone());

    // 3. The keys.
    let mut ids = BTreeSet::new();
    for k in &manifest.keys {
        let (_, id) = tlog::parse_verifier_key(&k.verifier_key)
            .map_err(|e| fail(MANIFEST, "key.invalid", format!("key {}: {e}", k.key_id)))?;
        if id != k.key_id {
            return Err(fail(
                MANIFEST,
                "key.invalid",
                format!("key id {} does not match its verifier key ({id})", k.key_id),
            ));
        }
        if !ids.insert(id.clone()) {
            return Err(fail(
                MANIFEST,
                "key.invalid",
                format!("key {id} is listed twice"),
            ));
        }
    }
    let current = match manifest
        .keys
        .iter()
        .filter(|k| k.current)
        .collect::<Vec<_>>()[..]
    {
        [k] => k.clone(),
        ref ks => {
            return Err(fail(
                MANIFEST,
                "key.current",
                format!("{} keys are marked current; exactly one must be", ks.len()),
            ));
        }
    };
    report.key_id = Some(current.key_id.clone());
    report.verifier_key = Some(current.verifier_key.clone());
    if let Some(trusted) = &opts.trusted_key
        && trusted.trim() != current.verifier_key
    {
        return Err(fail(
            MANIFEST,
            "key.untrusted",
            format!(
                "the pack is signed by {}, not by the trusted key",
                current.verifier_key
            ),
        ));
    }

    // 4. The envelope's signature, by the current key.
    let manifest_subject_ok = statement.predicate.manifest_sha256 == manifest_sha
        && statement
            .subject
            .iter()
            .any(|s| s.name == MANIFEST && s.digest.sha256 == manifest_sha);
    let Some(sig) = envelope
        .signatures
        .iter()
        .find(|s| s.keyid == current.key_id)
    else {
        // Either the envelope or the manifest's key changed: the
        // statement tells which (it names the manifest's digest).
        let file = if manifest_subject_ok {
            ENVELOPE
        } else {
            MANIFEST
        };
        return Err(fail(
            file,
            "dsse.keyid",
            format!(
                "the envelope has no signature by the current key {}",
                current.key_id
            ),
        ));
    };
    let raw_sig = B64
        .decode(sig.sig.as_bytes())
        .ok()
        .filter(|r| B64.encode(r) == sig.sig)
        .ok_or_else(|| fail(ENVELOPE, "dsse.signature", "sig is not canonical base64"))?;
    tlog::verify_raw(
        &current.verifier_key,
        &pae(&envelope.payload_type, &body),
        &raw_sig,
    )
    .map_err(|e| fail(ENVELOPE, "dsse.signature", format!("envelope: {e}")))?;

    // 5. The manifest is the one the statement names; the statement names
    //    every file; every file matches the manifest.
    if !manifest_subject_ok {
        return Err(fail(
            MANIFEST,
            "dsse.subject",
            "manifest.json does not match the digest in the signed statement",
        ));
    }
    let listed: Vec<&str> = manifest.files.iter().map(|f| f.name.as_str()).collect();
    if listed != DATA_FILES {
        return Err(fail(
            MANIFEST,
            "manifest.files",
            format!("files must list {}", DATA_FILES.join(", ")),
        ));
    }
    let mut subjects = BTreeMap::new();
    for s in &statement.subject {
        if subjects
            .insert(s.name.as_str(), s.digest.sha256.as_str())
            .is_some()
        {
            return Err(fail(
                ENVELOPE,
                "dsse.subject",
                format!("subject {} appears twice", s.name),
            ));
        }
    }
    let expected: BTreeSet<&str> = ALL_FILES
        .iter()
        .copied()
        .filter(|n| *n != ENVELOPE)
        .collect();
    if subjects.keys().copied().collect::<BTreeSet<_>>() != expected {
        return Err(fail(
            ENVELOPE,
            "dsse.subject",
            "the statement's subjects are not the pack's files",
        ));
    }
    for f in &manifest.files {
        if subjects.get(f.name.as_str()) != Some(&f.sha256.as_str()) {
            return Err(fail(
                ENVELOPE,
                "dsse.subject",
                format!(
                    "the statement's digest of {} differs from the manifest's",
                    f.name
                ),
            ));
        }
    }
    for f in &manifest.files {
        let bytes = get(&f.name);
        if bytes.len() as u64 != f.size {
            return Err(fail(
                &f.name,
                "file.size",
                format!("{} bytes; the manifest says {}", bytes.len(), f.size),
            ));
        }
        if sha256_hex(bytes) != f.sha256 {
            return Err(fail(
                &f.name,
                "file.digest",
                "the SHA-256 does not match the manifest",
            ));
        }
        report.files_checked += 1;
    }
    report.files_checked += 2;

    // From here on every byte is signed; what follows checks the content.
    let origin = manifest.scope.origin.as_str();
    let key_for = |id: &str| manifest.keys.iter().find(|k| k.key_id == id);

    // 6. The export checkpoint.
    let cp = &manifest.checkpoint;
    if cp.key_id != current.key_id {
        return Err(fail(
            MANIFEST,
            "checkpoint.signature",
            format!(
                "the checkpoint is signed by {}, not the current key",
                cp.key_id
            ),
        ));
    }
    let opened = open_stored(cp, &current.verifier_key, origin)
        .map_err(|(rule, m)| fail(MANIFEST, rule, format!("checkpoint: {m}")).seq(cp.size))?;
    report.checkpoints_checked += 1;

    // 7. checkpoints.json parses and each note verifies.
    let checkpoints: Vec<StoredCheckpoint> = serde_json::from_slice(get(CHECKPOINTS))
        .map_err(|e| fail(CHECKPOINTS, "checkpoints.schema", e.to_string()))?;
    let mut opened_all = Vec::with_capacity(checkpoints.len());
    for c in &checkpoints {
        let k = key_for(&c.key_id).ok_or_else(|| {
            fail(
                CHECKPOINTS,
                "checkpoints.signature",
                format!("checkpoint {} names unknown key {}", c.size, c.key_id),
            )
            .seq(c.size)
        })?;
        let o = open_stored(c, &k.verifier_key, origin).map_err(|(rule, m)| {
            fail(
                CHECKPOINTS,
                &rule.replacen("checkpoint.", "checkpoints.", 1),
                m,
            )
            .seq(c.size)
        })?;
        opened_all.push(o);
        report.checkpoints_checked += 1;
    }

    // 8. The chain over audit.jsonl, and the Merkle tree from the prefix.
    let events = parse_events(get(AUDIT))?;
    let mut frontier: Frontier = manifest.prefix.clone();
    let base = frontier.size;
    let mut roots = Vec::with_capacity(events.len() + 1);
    roots.push(
        frontier
            .root()
            .map_err(|e| fail(MANIFEST, "audit.anchor", format!("prefix: {e}")))?,
    );
    if manifest.first_seq != events.first().map(|(_, e)| e.seq)
        || manifest.last_seq != events.last().map(|(_, e)| e.seq)
    {
        return Err(fail(
            MANIFEST,
            "records.range",
            "firstSeq/lastSeq do not match audit.jsonl",
        ));
    }
    let mut prev_hash: Option<String> = None;
    for (line, e) in &events {
        let want = frontier.size + 1;
        let at = |rule: &str, m: String| fail(AUDIT, rule, m).line(*line).seq(e.seq);
        if e.seq != want {
            let rule = if prev_hash.is_none() {
                "audit.anchor"
            } else {
                "audit.seq"
            };
            return Err(at(rule, format!("seq {} where {want} was expected", e.seq)));
        }
        let expect_prev = match &prev_hash {
            Some(h) => Some(h.as_str()),
            None if base == 0 => Some(GENESIS_HASH),
            None => None,
        };
        if let Err(fault) = audit::check_link(e, expect_prev, &mut frontier) {
            let rule = match fault {
                audit::LinkFault::PrevHash => "audit.prev-hash",
                audit::LinkFault::EntryHash => "audit.entry-hash",
                audit::LinkFault::Tree(_) | audit::LinkFault::Nodes => "audit.nodes",
            };
            return Err(at(rule, fault.to_string()));
        }
        if let Some(k) = &opts.site_key
            && k.key_id.as_deref().is_none_or(|id| id == e.key_id)
        {
            if audit::entry_mac(&k.key, &e.entry_hash) != e.entry_mac {
                return Err(at(
                    "audit.mac",
                    "entryMac does not match under the site key".into(),
                ));
            }
            report.macs_checked += 1;
        }
        roots.push(
            frontier
                .root()
                .map_err(|err| at("audit.nodes", format!("Merkle tree: {err}")))?,
        );
        prev_hash = Some(e.entry_hash.clone());
        report.events_checked += 1;
    }
    report.first_seq = events.first().map(|(_, e)| e.seq);
    let events: Vec<AuditEvent> = events.into_iter().map(|(_, e)| e).collect();
    let verified = Verified {
        base,
        roots,
        events,
        current,
        manifest: manifest.clone(),
    };
    let size = frontier.size;
    let root = verified.root_at(size).unwrap_or(tlog::EMPTY_ROOT);

    // 9. The root and size equal the checkpoint's.
    if opened.size != size {
        return Err(fail(
            MANIFEST,
            "checkpoint.size",
            format!(
                "the events end at {size}; the checkpoint has size {}",
                opened.size
            ),
        )
        .seq(opened.size));
    }
    if opened.root != root {
        return Err(fail(
            MANIFEST,
            "checkpoint.root",
            "the Merkle root of the events differs from the checkpoint's root",
        )
        .seq(size));
    }
    report.checkpoint_size = Some(size);
    report.checkpoint_root = Some(tlog::hex(&root));
    for (c, o) in checkpoints.iter().zip(&opened_all) {
        match verified.root_at(o.size) {
            Some(r) if o.size > base || (o.size == base && base > 0) => {
                if r != o.root {
                    return Err(fail(
                        CHECKPOINTS,
                        "checkpoints.root",
                        format!("checkpoint {} does not match the recomputed root", c.size),
                    )
                    .seq(c.size));
                }
            }
            _ => {
                return Err(fail(
                    CHECKPOINTS,
                    "checkpoints.range",
                    format!("checkpoint {} lies outside the pack's events", c.size),
                )
                .seq(c.size));
            }
        }
    }

    // 10. The previous export's checkpoint and the consistency proof.
    if let Some(p) = &manifest.previous {
        let k = key_for(&p.checkpoint.key_id).ok_or_else(|| {
            fail(
                MANIFEST,
                "previous.signature",
                format!(
                    "previous checkpoint names unknown key {}",
                    p.checkpoint.key_id
                ),
            )
        })?;
        let old = open_stored(&p.checkpoint, &k.verifier_key, origin).map_err(|(rule, m)| {
            fail(MANIFEST, &rule.replacen("checkpoint.", "previous.", 1), m).seq(p.checkpoint.size)
        })?;
        let proof = p
            .consistency_proof
            .iter()
            .map(|h| tlog::from_hex(h))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| fail(MANIFEST, "previous.proof", e.to_string()))?;
        tlog::verify_consistency(&proof, old.size, old.root, size, root).map_err(|e| {
            fail(
                MANIFEST,
                "previous.proof",
                format!("previous checkpoint {} -> {size}: {e}", old.size),
            )
            .seq(old.size)
        })?;
        report.checkpoints_checked += 1;
    }

    // 11. The retention anchor.
    if let Some(pr) = &manifest.prune {
        let k = key_for(&pr.checkpoint.key_id).ok_or_else(|| {
            fail(
                MANIFEST,
                "prune.anchor",
                format!(
                    "anchor checkpoint names unknown key {}",
                    pr.checkpoint.key_id
                ),
            )
        })?;
        let a = open_stored(&pr.checkpoint, &k.verifier_key, origin)
            .map_err(|(_, m)| fail(MANIFEST, "prune.anchor", m))?;
        if pr.pruned_through > base || a.size < pr.pruned_through {
            return Err(fail(
                MANIFEST,
                "prune.anchor",
                format!(
                    "events 1..={} were pruned but the pack starts after {base} (anchor size {})",
                    pr.pruned_through, a.size
                ),
            ));
        }
        if let Some(r) = verified.root_at(a.size)
            && r != a.root
        {
            return Err(fail(
                MANIFEST,
                "prune.anchor",
                "the anchor checkpoint does not match the recomputed root",
            )
            .seq(a.size));
        }
        report.checkpoints_checked += 1;
        report.anchor = Some(format!(
            "verified from index {base} (seq {}), anchored by checkpoint {} (size {}, root {})",
            base + 1,
            pr.checkpoint.key_id,
            a.size,
            tlog::hex(&a.root)
        ));
    }

    // 12. Keys are introduced by key events.
    for k in &manifest.keys {
        if let Some(e) = verified
            .events
            .iter()
            .find(|e| e.seq == k.introduced_at_seq)
            && !is_key_event(e, &k.key_id, &k.verifier_key)
        {
            return Err(fail(
                AUDIT,
                "key.introduced",
                format!(
                    "key {} is said to be introduced at seq {}, which is a {} event",
                    k.key_id, e.seq, e.action
                ),
            )
            .seq(e.seq));
        }
    }

    // 13. The tables and cross-file consistency.
    cross_check(&files, &verified, report)?;
    Ok(verified)
}
