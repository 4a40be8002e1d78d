//! Signed checkpoints, the log signing key, evidence-pack exports, audit
//! search and inclusion proofs.
//!
//! The log signing key is Ed25519: its 32-byte seed lives in secret storage
//! (`audit-log-key-<keyId>`), its public half in KVS (`audit:log-keys`, with
//! the log origin) and in every pack. Creating and rotating it are audit
//! events. A checkpoint (entity `checkpoint`, keyed by tree size) is a C2SP
//! signed note over the RFC 6962 root of the first `size` events; it is
//! made from the audit head alone (the head keeps the compact range), so it
//! costs the same whatever the log's length. Exports make one, record the
//! consistency proof from the previous export's checkpoint and remember
//! theirs (`audit:last-export`) for the next export and for retention.

use crate::access::Caller;
use crate::auditlog::{self, StoredNodes};
use crate::error::{AppError, parse_payload};
use crate::repo::{self, AUDIT, Change, GOVERNANCE, GRANT, JOB, REQUEST};
use aigis_core::Millis;
use aigis_core::audit::{AuditEvent, NewEvent};
use aigis_core::model::{Grant, Job, Request, days};
use aigis_core::pack::{PackInput, PreviousExport, PruneAnchor, PublicKeyRecord, StoredCheckpoint};
use aigis_core::tlog::{self, LogSigner};
use aigis_platform::{
    Condition, EntityQuery, FilterOp, Platform, RangeCondition, SortOrder, TxnOp,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub const CHECKPOINT: &str = "checkpoint";
const KEYS: &str = "audit:log-keys";
const LAST_EXPORT: &str = "audit:last-export";
/// Default export window.
pub const DEFAULT_WINDOW_DAYS: u32 = 90;
/// Longest export window.
pub const MAX_WINDOW_DAYS: u32 = 365;

/// The log's identity and its signing keys (public halves).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogKeys {
    /// Checkpoint origin and note key name, e.g. `aigis.app/log/1f2e...`.
    pub origin: String,
    pub keys: Vec<PublicKeyRecord>,
}

impl LogKeys {
    pub fn current(&self) -> Result<&PublicKeyRecord, AppError> {
        self.keys
            .iter()
            .find(|k| k.current)
            .ok_or_else(|| AppError::internal("the audit log has no current signing key"))
    }

    /// The verifier key of key id `key_id`, current or retired.
    pub fn verifier_key(&self, key_id: &str) -> Option<&str> {
        self.keys
            .iter()
            .find(|k| k.key_id == key_id)
            .map(|k| k.verifier_key.as_str())
    }
}

/// What the last export committed to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastExport {
    pub checkpoint: StoredCheckpoint,
    pub at: Millis,
    pub by: String,
}

fn key_secret(key_id: &str) -> String {
    format!("audit-log-key-{key_id}")
}

pub fn log_keys(p: &Platform) -> Result<Option<LogKeys>, AppError> {
    repo::get_kv(p, KEYS)
}

/// Creates a new seed, stores it in secret storage and returns its record.
fn new_key(p: &Platform, origin: &str, seq: u64) -> Result<PublicKeyRecord, AppError> {
    let raw = repo::random_bytes(p, 32, "a signing key")?;
    let mut seed = [0u8; 32];
    seed.copy_from_slice(&raw);
    let signer =
        LogSigner::from_seed(origin, &seed).map_err(|e| AppError::internal(e.to_string()))?;
    p.secrets
        .set_secret(&key_secret(&signer.key_id()), &tlog::hex_bytes(&seed))?;
    Ok(PublicKeyRecord {
        key_id: signer.key_id(),
        verifier_key: signer.verifier_key(),
        created_at: repo::now(p),
        introduced_at_seq: seq,
        current: true,
    })
}

/// The log keys, created (with an `audit.key.created` event) on first use.
pub fn ensure_keys(p: &Platform) -> Result<LogKeys, AppError> {
    if let Some(k) = log_keys(p)? {
        return Ok(k);
    }
    let done = repo::commit(p, |seq| {
        if let Some(k) = log_keys(p)? {
            return Ok((k, Change::new()));
        }
        let origin = format!(
            "aigis.app/log/{}",
            tlog::hex_bytes(&repo::random_bytes(p, 8, "the log origin")?)
        );
        let key = new_key(p, &origin, seq)?;
        let mut c = Change::new();
        c.event(NewEvent::new(
            "app:audit",
            "audit.key.created",
            "audit:key",
            json!({"keyId": key.key_id, "verifierKey": key.verifier_key, "origin": origin}),
        ));
        let keys = LogKeys {
            origin,
            keys: vec![key],
        };
        c.put_kv(KEYS, &keys)?;
        Ok((keys, c))
    })?;
    Ok(done.value)
}

/// The signer of the current key.
pub fn signer(p: &Platform, keys: &LogKeys) -> Result<LogSigner, AppError> {
    let cur = keys.current()?;
    let seed_hex = p
        .secrets
        .get_secret(&key_secret(&cur.key_id))?
        .ok_or_else(|| {
            AppError::internal(format!(
                "signing key {} is missing from secret storage",
                cur.key_id
            ))
        })?;
    let mut seed = [0u8; 32];
    let h = tlog::from_hex(&seed_hex)
        .map_err(|_| AppError::internal("the signing key is unreadable"))?;
    seed.copy_from_slice(&h.0);
    LogSigner::from_seed(&keys.origin, &seed).map_err(|e| AppError::internal(e.to_string()))
}

fn checkpoint_key(size: u64) -> String {
    format!("{size:012}")
}

fn get_checkpoint(p: &Platform, size: u64) -> Result<Option<StoredCheckpoint>, AppError> {
    repo::get(p, CHECKPOINT, &checkpoint_key(size))
}

/// Signs (or returns the stored) checkpoint of the log as it stands.
pub fn checkpoint_now(p: &Platform) -> Result<StoredCheckpoint, AppError> {
    let keys = ensure_keys(p)?;
    let head = repo::read_head(p)?.ok_or_else(|| AppError::internal("the audit log is empty"))?;
    if let Some(cp) = get_checkpoint(p, head.seq)? {
        return Ok(cp);
    }
    let root = head
        .frontier
        .root()
        .map_err(|e| AppError::internal(format!("audit head: {e}")))?;
    let s = signer(p, &keys)?;
    let note = s
        .sign_checkpoint(&keys.origin, head.seq, root)
        .map_err(|e| AppError::internal(e.to_string()))?;
    let cp = StoredCheckpoint {
        size: head.seq,
        root: tlog::hex(&root),
        note,
        at: repo::now(p),
        key_id: s.key_id(),
    };
    let value = serde_json::to_string(&cp).map_err(|e| AppError::internal(e.to_string()))?;
    let op = TxnOp::Set {
        key: checkpoint_key(cp.size),
        entity: Some(CHECKPOINT.into()),
        value,
        conditions: vec![Condition {
            attribute: "size".into(),
            op: FilterOp::NotExists,
            value: None,
        }],
    };
    match p.storage.transact(&[op]) {
        Ok(()) => Ok(cp),
        // Another invocation signed this size first: its note stands.
        Err(aigis_platform::StorageError::ConditionFailed) => {
            get_checkpoint(p, head.seq)?.ok_or_else(|| AppError::internal("checkpoint vanished"))
        }
        Err(e) => Err(e.into()),
    }
}

/// The newest stored checkpoint.
pub fn latest_checkpoint(p: &Platform) -> Result<Option<StoredCheckpoint>, AppError> {
    let page = p.storage.entity_query(&EntityQuery {
        entity: CHECKPOINT.into(),
        index: "by-size".into(),
        order: SortOrder::Desc,
        limit: 1,
        ..Default::default()
    })?;
    match page.items.first() {
        None => Ok(None),
        Some((_, raw)) => serde_json::from_str(raw)
            .map(Some)
            .map_err(|e| AppError::internal(e.to_string())),
    }
}

pub fn last_export(p: &Platform) -> Result<Option<LastExport>, AppError> {
    repo::get_kv(p, LAST_EXPORT)
}

/// `audit.keys` (admin): the log origin and its public keys.
pub fn keys_resolver(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    crate::error::no_args(payload)?;
    caller.require_admin()?;
    let keys = ensure_keys(p)?;
    Ok(json!({
        "origin": keys.origin,
        "keys": keys.keys,
        "latestCheckpoint": latest_checkpoint(p)?,
        "lastExport": last_export(p)?,
    }))
}

/// `audit.rotateKey` (admin, rate-limited): a new signing key; the old one
/// signs a checkpoint of the log first, and the rotation is an event.
pub fn rotate_key(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    crate::error::no_args(payload)?;
    caller.require_admin()?;
    crate::ratelimit::claim(p, &caller.account_id, "audit.rotateKey")?;
    ensure_keys(p)?;
    let before = checkpoint_now(p)?;
    let done = repo::commit(p, |seq| {
        let mut keys = log_keys(p)?.ok_or_else(|| AppError::internal("log keys vanished"))?;
        let previous = keys.current()?.key_id.clone();
        let key = new_key(p, &keys.origin, seq)?;
        for k in &mut keys.keys {
            k.current = false;
        }
        let mut c = Change::new();
        c.event(NewEvent::new(
            &caller.account_id,
            "audit.key.rotated",
            "audit:key",
            json!({"keyId": key.key_id, "verifierKey": key.verifier_key, "previousKeyId": previous,
                   "checkpointSize": before.size}),
        ));
        keys.keys.push(key.clone());
        c.put_kv(KEYS, &keys)?;
        Ok((key, c))
    })?;
    Ok(json!({"key": done.value, "checkpointBefore": before}))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum When {
    Millis(i64),
    Text(String),
}

fn parse_when(field: &str, w: &When, end_of_day: bool) -> Result<Millis, AppError> {
    match w {
        When::Millis(ms) if *ms >= 0 => Ok(*ms),
        When::Millis(_) => Err(AppError::invalid(field, "must not be negative")),
        When::Text(s) => {
            if let Some(ms) = aigis_core::time::parse_rfc3339(s) {
                return Ok(ms);
            }
            let day = format!("{s}T00:00:00Z");
            match aigis_core::time::parse_rfc3339(&day) {
                Some(ms) if s.len() == 10 => Ok(if end_of_day { ms + days(1) - 1 } else { ms }),
                _ => Err(AppError::invalid(
                    field,
                    "must be a date (YYYY-MM-DD), an RFC 3339 time or Unix milliseconds",
                )),
            }
        }
    }
}

/// A validated export window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: Millis,
    pub to: Millis,
}

/// `{from?, to?}`: 90 days up to now by default, at most 365 days.
pub fn parse_window(payload: &str, now: Millis) -> Result<(Window, Value), AppError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        #[serde(default)]
        from: Option<When>,
        #[serde(default)]
        to: Option<When>,
    }
    let a: Args = parse_payload(payload)?;
    let to = match &a.to {
        Some(w) => parse_when("to", w, true)?,
        None => now,
    };
    let from = match &a.from {
        Some(w) => parse_when("from", w, false)?,
        None => to - days(DEFAULT_WINDOW_DAYS),
    };
    if from > to {
        return Err(AppError::invalid("from", "must not be after `to`"));
    }
    if to - from > days(MAX_WINDOW_DAYS) {
        return Err(AppError::invalid(
            "from",
            format!("the window is at most {MAX_WINDOW_DAYS} days"),
        ));
    }
    let query: Value = serde_json::from_str(payload).unwrap_or(Value::Null);
    Ok((Window { from, to }, query))
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
    let anchor = auditlog::read_anchor(p.storage)?;
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
        Some((_, raw)) => {
            serde_json::from_str::<AuditEvent>(raw)
                .map_err(|e| AppError::internal(e.to_string()))?
                .seq
        }
        None => cp.size + 1,
    }
    .max(pruned + 1)
    .min(cp.size + 1);
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
    })
}

/// `audit.export` (admin, rate-limited): `{from?, to?}` → the evidence pack
/// (`{fileName, bytes, sha256, contentBase64, checkpoint}`). The export is
/// itself an audit event, and its checkpoint becomes the one the next
/// export proves consistency from.
pub fn export(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    let (w, query) = parse_window(payload, repo::now(p))?;
    caller.require_admin()?;
    crate::ratelimit::claim(p, &caller.account_id, "audit.export")?;
    export_window(p, &caller.account_id, w, query)
}

/// The export itself (also what the host's `aigis export` runs).
pub fn export_window(p: &Platform, by: &str, w: Window, query: Value) -> Result<Value, AppError> {
    let keys = ensure_keys(p)?;
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
    Ok(json!({
        "fileName": file_name,
        "bytes": zip.len(),
        "sha256": digest,
        "contentBase64": base64::engine::general_purpose::STANDARD.encode(&zip),
        "checkpoint": {"size": cp.size, "root": cp.root, "keyId": cp.key_id},
        "counts": {"events": input.events.len(), "requests": input.requests.len(),
                   "grants": input.grants.len(), "jobs": input.jobs.len()},
    }))
}

/// An inclusion proof of event `seq` in the newest checkpoint (made now if
/// none covers it), checkable offline with `aigis verify-proof`.
pub fn prove(p: &Platform, seq: u64) -> Result<Value, AppError> {
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
    Ok(json!({
        "seq": seq,
        "leafIndex": seq - 1,
        "leafHash": tlog::hex(&leaf),
        "treeSize": cp.size,
        "rootHash": cp.root,
        "proof": proof.iter().map(tlog::hex).collect::<Vec<_>>(),
        "checkpoint": cp.note,
        "verifierKey": vkey,
    }))
}

/// `audit.prove` (admin): `{seq}`.
pub fn prove_resolver(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        seq: u64,
    }
    let a: Args = parse_payload(payload)?;
    caller.require_admin()?;
    prove(p, a.seq)
}

/// `audit.search` (admin): `{from?, to?, actor?, type?, subject?, cursor?,
/// limit?}` → `{events, nextCursor}`, newest first. One index query per
/// page: the most selective of subject, actor and type is the partition,
/// the rest are filters.
pub fn search(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        #[serde(default)]
        from: Option<When>,
        #[serde(default)]
        to: Option<When>,
        #[serde(default)]
        actor: Option<String>,
        #[serde(default, rename = "type")]
        kind: Option<String>,
        #[serde(default)]
        subject: Option<String>,
        #[serde(default)]
        cursor: Option<String>,
        #[serde(default)]
        limit: Option<u32>,
    }
    let a: Args = parse_payload(payload)?;
    for (field, v) in [
        ("actor", &a.actor),
        ("type", &a.kind),
        ("subject", &a.subject),
    ] {
        if let Some(s) = v
            && (s.is_empty() || s.len() > 200)
        {
            return Err(AppError::invalid(field, "must be 1 to 200 characters"));
        }
    }
    let limit = a.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(AppError::invalid("limit", "must be between 1 and 100"));
    }
    if a.cursor.as_ref().is_some_and(|c| c.len() > 1000) {
        return Err(AppError::invalid(
            "cursor",
            "is not a cursor this function returned",
        ));
    }
    let from = a
        .from
        .as_ref()
        .map(|w| parse_when("from", w, false))
        .transpose()?;
    let to =
        a.to.as_ref()
            .map(|w| parse_when("to", w, true))
            .transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(AppError::invalid("from", "must not be after `to`"));
    }
    caller.require_admin()?;
    let eq = |attr: &str, v: &str| Condition::equal(attr, json!(v));
    let mut filters = vec![];
    let (index, partition) = if let Some(s) = &a.subject {
        a.actor.iter().for_each(|x| filters.push(eq("actor", x)));
        a.kind.iter().for_each(|x| filters.push(eq("action", x)));
        ("by-subject", vec![json!(s)])
    } else if let Some(x) = &a.actor {
        a.kind.iter().for_each(|k| filters.push(eq("action", k)));
        ("by-actor", vec![json!(x)])
    } else if let Some(k) = &a.kind {
        ("by-action", vec![json!(k)])
    } else {
        ("by-at", vec![])
    };
    let range = if index == "by-at" {
        match (from, to) {
            (Some(f), Some(t)) => Some(RangeCondition::Between(json!(f), json!(t))),
            (Some(f), None) => Some(RangeCondition::GreaterThanEqualTo(json!(f))),
            (None, Some(t)) => Some(RangeCondition::LessThanEqualTo(json!(t))),
            (None, None) => None,
        }
    } else {
        if let Some(f) = from {
            filters.push(Condition {
                attribute: "at".into(),
                op: FilterOp::GreaterThanEqualTo,
                value: Some(json!(f)),
            });
        }
        if let Some(t) = to {
            filters.push(Condition {
                attribute: "at".into(),
                op: FilterOp::LessThanEqualTo,
                value: Some(json!(t)),
            });
        }
        None
    };
    let page = p.storage.entity_query(&EntityQuery {
        entity: AUDIT.into(),
        index: index.into(),
        partition,
        range,
        filters,
        order: SortOrder::Desc,
        cursor: a.cursor.clone(),
        limit,
    })?;
    let events: Vec<AuditEvent> = page
        .items
        .iter()
        .map(|(_, raw)| serde_json::from_str(raw).map_err(|e| AppError::internal(e.to_string())))
        .collect::<Result<_, _>>()?;
    Ok(json!({"events": events, "nextCursor": page.next_cursor}))
}
