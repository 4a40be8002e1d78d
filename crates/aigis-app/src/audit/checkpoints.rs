//! The log signing key (created on first use, rotated by `audit.rotateKey`),
//! signed checkpoints, and `audit.keys`.
//!
//! The key is Ed25519: its 32-byte seed lives in secret storage
//! (`audit-log-key-<keyId>`), its public half in KVS (`audit:log-keys`, with
//! the log origin) and in every pack. Creating and rotating it are audit
//! events. A checkpoint (entity `checkpoint`, keyed by tree size) is a C2SP
//! signed note over the RFC 6962 root of the first `size` events; it is
//! made from the audit head alone (the head keeps the compact range), so it
//! costs the same whatever the log's length.

use crate::access::Caller;
use crate::api::NoArgs;
use crate::error::AppError;
use crate::names::{CHECKPOINT, LAST_EXPORT, LOG_KEYS};
use crate::repo::{self, Change};
use aigis_core::Millis;
use aigis_core::audit::NewEvent;
use aigis_core::pack::{PublicKeyRecord, StoredCheckpoint};
use aigis_core::tlog::{self, LogSigner};
use aigis_platform::{Condition, EntityQuery, FilterOp, Platform, SortOrder, TxnOp};
use serde::{Deserialize, Serialize};
use serde_json::json;

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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LastExport {
    pub checkpoint: StoredCheckpoint,
    pub at: Millis,
    pub by: String,
}

fn key_secret(key_id: &str) -> String {
    crate::names::log_key_secret(key_id)
}

pub fn log_keys(p: &Platform) -> Result<Option<LogKeys>, AppError> {
    repo::get_kv(p, LOG_KEYS)
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
        c.put_kv(LOG_KEYS, &keys)?;
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
    // A failed condition is either another invocation that signed this size
    // first (its note stands) or a conflicting transaction (Forge reports both
    // alike): the latter is tried again.
    for _ in 0..CHECKPOINT_ATTEMPTS {
        match p.storage.transact(std::slice::from_ref(&op)) {
            Ok(()) => return Ok(cp),
            Err(aigis_platform::StorageError::ConditionFailed) => {
                if let Some(stored) = get_checkpoint(p, head.seq)? {
                    return Ok(stored);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict(
        "the checkpoint could not be stored just now; try again",
    ))
}

/// Attempts to store a checkpoint before giving up under contention.
const CHECKPOINT_ATTEMPTS: usize = 4;

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
        Some((key, raw)) => repo::decode(CHECKPOINT, key, raw).map(Some),
    }
}

pub fn last_export(p: &Platform) -> Result<Option<LastExport>, AppError> {
    repo::get_kv(p, LAST_EXPORT)
}

/// The log's identity, its keys, its newest checkpoint and last export.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct KeysOut {
    pub origin: String,
    pub keys: Vec<PublicKeyRecord>,
    pub latest_checkpoint: Option<StoredCheckpoint>,
    pub last_export: Option<LastExport>,
}

/// `audit.keys` (admin): the log origin and its public keys.
pub fn keys(p: &Platform, _: &Caller, _: NoArgs) -> Result<KeysOut, AppError> {
    let keys = ensure_keys(p)?;
    Ok(KeysOut {
        origin: keys.origin,
        keys: keys.keys,
        latest_checkpoint: latest_checkpoint(p)?,
        last_export: last_export(p)?,
    })
}

/// The new key and the checkpoint the old one signed first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Rotated {
    pub key: PublicKeyRecord,
    pub checkpoint_before: StoredCheckpoint,
}

/// `audit.rotateKey` (admin, rate-limited): a new signing key; the old one
/// signs a checkpoint of the log first, and the rotation is an event.
pub fn rotate_key(p: &Platform, caller: &Caller, _: NoArgs) -> Result<Rotated, AppError> {
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
        c.put_kv(LOG_KEYS, &keys)?;
        Ok((key, c))
    })?;
    Ok(Rotated {
        key: done.value,
        checkpoint_before: before,
    })
}
