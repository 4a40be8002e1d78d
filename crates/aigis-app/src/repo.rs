//! Typed storage access and the commit protocol.
//!
//! Invariant: every change to governed state (catalog, configuration,
//! requests, grants, jobs) is one [`commit`]: a single storage transaction
//! that also appends its audit events and moves the audit head, conditioned
//! on the head being where it was read. Two writers that read the same head
//! cannot both commit; the loser re-reads and re-decides. This serialises
//! writers (no duplicate grant from racing approvals) and keeps the audit
//! chain linear (no lost or forked event), with a fixed number of storage
//! calls per change whatever the size of the data.

use crate::error::AppError;
use crate::outbox::Notice;
use aigis_core::Millis;
use aigis_core::audit::{self, AuditEvent, Head, NewEvent};
use aigis_core::pack::fold::{self, RecordChange};
use aigis_core::tlog::hex_bytes;
use aigis_platform::{Condition, EntityQuery, FilterOp, Platform, SetOptions, StorageError, TxnOp};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::names::{AUDIT, AUDIT_HEAD, HEAD_KEY, MAC_KEY_ID};
/// Attempts before a commit gives up under contention.
pub(crate) const COMMIT_ATTEMPTS: usize = 8;

/// Decodes a stored item of `entity`.
pub fn decode<T: DeserializeOwned>(entity: &str, key: &str, raw: &str) -> Result<T, AppError> {
    serde_json::from_str(raw)
        .map_err(|e| AppError::internal(format!("stored {entity} {key} is unreadable: {e}")))
}

/// Reads and decodes one entity.
pub fn get<T: DeserializeOwned>(
    p: &Platform,
    entity: &str,
    key: &str,
) -> Result<Option<T>, AppError> {
    match p.storage.entity_get(entity, key)? {
        None => Ok(None),
        Some(raw) => decode(entity, key, &raw).map(Some),
    }
}

/// Visits every item an index query matches, page by page (at most 100 per
/// storage call), decoded as `T`; `visit` returns whether to go on.
pub fn scan<T: DeserializeOwned>(
    p: &Platform,
    mut query: EntityQuery,
    mut visit: impl FnMut(&str, T) -> Result<bool, AppError>,
) -> Result<(), AppError> {
    query.limit = 100;
    loop {
        let page = p.storage.entity_query(&query)?;
        for (key, raw) in page.items {
            let item = decode(&query.entity, &key, &raw)?;
            if !visit(&key, item)? {
                return Ok(());
            }
        }
        match page.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => return Ok(()),
        }
    }
}

/// Reads and decodes a KVS value.
pub fn get_kv<T: DeserializeOwned>(p: &Platform, key: &str) -> Result<Option<T>, AppError> {
    match p.storage.get(key)? {
        None => Ok(None),
        Some(raw) => serde_json::from_str(&raw)
            .map(Some)
            .map_err(|e| AppError::internal(format!("stored {key} is unreadable: {e}"))),
    }
}

/// The storage key of audit event `seq`: fixed width so keys sort by seq.
pub fn audit_key(seq: u64) -> String {
    format!("{seq:012}")
}

/// The slot that records a person's open grant for a tool.
pub fn slot_key(account: &str, tool: &str) -> String {
    format!("{account}#{tool}")
}

pub fn read_head(p: &Platform) -> Result<Option<Head>, AppError> {
    get(p, AUDIT_HEAD, HEAD_KEY)
}

/// What one commit writes.
#[derive(Default)]
pub struct Change {
    ops: Vec<TxnOp>,
    events: Vec<NewEvent>,
    /// The requests, grants and jobs written, for the events to carry
    /// (`aigis_core::pack::fold`).
    records: Vec<RecordChange>,
    notices: Vec<Notice>,
    gov_version: Option<u32>,
}

impl Change {
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes an entity.
    pub fn put<T: Serialize>(
        &mut self,
        entity: &str,
        key: &str,
        value: &T,
    ) -> Result<(), AppError> {
        self.ops.push(TxnOp::put(entity, key, to_json(value)?));
        self.record(entity, key, Some(value))
    }

    /// Remembers a write of a folded entity for the change's events.
    fn record<T: Serialize>(
        &mut self,
        entity: &str,
        key: &str,
        value: Option<&T>,
    ) -> Result<(), AppError> {
        if fold::FOLDED.contains(&entity) {
            let value = value
                .map(serde_json::to_value)
                .transpose()
                .map_err(|e| AppError::internal(format!("encoding: {e}")))?;
            self.records.push(RecordChange {
                entity: entity.to_owned(),
                key: key.to_owned(),
                value,
            });
        }
        Ok(())
    }

    /// Writes an entity that must not exist yet (its `id` attribute absent).
    pub fn create<T: Serialize>(
        &mut self,
        entity: &str,
        key: &str,
        value: &T,
    ) -> Result<(), AppError> {
        self.ops.push(TxnOp::Set {
            key: key.to_owned(),
            entity: Some(entity.to_owned()),
            value: to_json(value)?,
            conditions: vec![Condition {
                attribute: "id".into(),
                op: FilterOp::NotExists,
                value: None,
            }],
        });
        self.record(entity, key, Some(value))
    }

    pub fn delete(&mut self, entity: &str, key: &str) {
        self.ops.push(TxnOp::Delete {
            key: key.to_owned(),
            entity: Some(entity.to_owned()),
            conditions: vec![],
        });
        if fold::FOLDED.contains(&entity) {
            self.records.push(RecordChange {
                entity: entity.to_owned(),
                key: key.to_owned(),
                value: None,
            });
        }
    }

    /// Writes a plain KVS value.
    pub fn put_kv<T: Serialize>(&mut self, key: &str, value: &T) -> Result<(), AppError> {
        self.ops.push(TxnOp::Set {
            key: key.to_owned(),
            entity: None,
            value: to_json(value)?,
            conditions: vec![],
        });
        Ok(())
    }

    /// Writes a plain KVS value that the fold follows as `entity:key`
    /// (a connector record): its events carry it like an entity's.
    pub fn put_kv_folded<T: Serialize>(
        &mut self,
        kv_key: &str,
        entity: &str,
        key: &str,
        value: &T,
    ) -> Result<(), AppError> {
        self.put_kv(kv_key, value)?;
        self.record(entity, key, Some(value))
    }

    /// Deletes a plain KVS value that the fold follows as `entity:key`.
    pub fn delete_kv_folded(&mut self, kv_key: &str, entity: &str, key: &str) {
        self.delete_kv(kv_key);
        if fold::FOLDED.contains(&entity) {
            self.records.push(RecordChange {
                entity: entity.to_owned(),
                key: key.to_owned(),
                value: None,
            });
        }
    }

    /// Deletes a plain KVS value.
    pub fn delete_kv(&mut self, key: &str) {
        self.ops.push(TxnOp::Delete {
            key: key.to_owned(),
            entity: None,
            conditions: vec![],
        });
    }

    pub fn event(&mut self, e: NewEvent) {
        self.events.push(e);
    }

    /// Makes governance version `v` the one in force from this change on:
    /// its events and every later one record it.
    pub fn governance_version(&mut self, v: u32) {
        self.gov_version = Some(v);
    }

    /// A Jira side effect to deliver once the change is committed.
    pub fn notice(&mut self, n: Notice) {
        self.notices.push(n);
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty() && self.events.is_empty() && self.notices.is_empty()
    }

    /// The events with the records they change attached. A change of a
    /// request, grant or job without an audit event is refused: the log
    /// must prove every record (invariant of the evidence packs).
    fn sealed_events(&mut self) -> Result<Vec<NewEvent>, AppError> {
        let mut events = std::mem::take(&mut self.events);
        let left = fold::attach_records(&mut events, std::mem::take(&mut self.records));
        if let Some(c) = left.first() {
            return Err(AppError::internal(format!(
                "a change of {} {} without an audit event",
                c.entity, c.key
            )));
        }
        Ok(events)
    }
}

fn to_json<T: Serialize>(v: &T) -> Result<String, AppError> {
    serde_json::to_string(v).map_err(|e| AppError::internal(format!("encoding: {e}")))
}

/// The outcome of [`commit`].
pub struct Committed<R> {
    pub value: R,
    /// Audit events this commit appended.
    pub events: Vec<AuditEvent>,
    /// Outbox notices it wrote, to deliver now.
    pub notices: Vec<Notice>,
}

/// Runs `decide` against current state and commits what it returns, with
/// its audit events, atomically. `decide` receives the sequence number the
/// first audit event will get (use it for ids that must be unique).
/// On contention the whole decision is re-made on fresh state.
pub fn commit<R>(
    p: &Platform,
    mut decide: impl FnMut(u64) -> Result<(R, Change), AppError>,
) -> Result<Committed<R>, AppError> {
    for _ in 0..COMMIT_ATTEMPTS {
        let head = read_head(p)?;
        let mut base = head.clone().unwrap_or_else(Head::genesis);
        let (value, mut change) = decide(base.seq + 1)?;
        if change.is_empty() {
            return Ok(Committed {
                value,
                events: vec![],
                notices: vec![],
            });
        }
        let now = p.runtime.now_millis();
        let (key_id, key) = mac_key(p)?;
        if change.gov_version.is_some() {
            base.gov_version = change.gov_version;
        }
        let events = change.sealed_events()?;
        let (sealed, new_head) = audit::seal(&base, now, &key_id, &key, events)
            .map_err(|e| AppError::internal(format!("audit log: {e}")))?;
        let mut ops = change.ops;
        for n in &change.notices {
            ops.push(n.create_op(now)?);
        }
        for e in &sealed {
            ops.push(TxnOp::put(AUDIT, &audit_key(e.seq), to_json(e)?));
        }
        if !sealed.is_empty() {
            let cond = match &head {
                Some(h) => Condition::equal("seq", serde_json::json!(h.seq)),
                None => Condition {
                    attribute: "seq".into(),
                    op: FilterOp::NotExists,
                    value: None,
                },
            };
            ops.push(TxnOp::Set {
                key: HEAD_KEY.into(),
                entity: Some(AUDIT_HEAD.into()),
                value: to_json(&new_head)?,
                conditions: vec![cond],
            });
        }
        match p.storage.transact(&ops) {
            Ok(()) => {
                return Ok(Committed {
                    value,
                    events: sealed,
                    notices: change.notices,
                });
            }
            Err(StorageError::ConditionFailed) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict("too many concurrent changes; try again"))
}

/// The site's audit MAC key: its id (KVS) and bytes (secret storage).
/// Created on first use; when two invocations race to create it, the one
/// that claims the id first wins and the other adopts it.
pub fn mac_key(p: &Platform) -> Result<(String, Vec<u8>), AppError> {
    if let Some(id) = p.storage.get(MAC_KEY_ID)? {
        let id: String =
            serde_json::from_str(&id).map_err(|e| AppError::internal(e.to_string()))?;
        return load_key(p, &id).map(|k| (id, k));
    }
    let raw = random_bytes(p, 40, "the audit key")?;
    let id = hex_bytes(&raw[..8]);
    let key = hex_bytes(&raw[8..]);
    p.secrets.set_secret(&secret_name(&id), &key)?;
    match p.storage.set(
        MAC_KEY_ID,
        &to_json(&id)?,
        SetOptions {
            fail_if_exists: true,
        },
    ) {
        Ok(()) => Ok((id, key.into_bytes())),
        Err(StorageError::KeyExists) => {
            p.secrets.delete_secret(&secret_name(&id))?;
            mac_key(p)
        }
        Err(e) => Err(e.into()),
    }
}

/// Loads the MAC key with a given id (for verification).
pub fn load_key(p: &Platform, id: &str) -> Result<Vec<u8>, AppError> {
    p.secrets
        .get_secret(&secret_name(id))?
        .map(String::into_bytes)
        .ok_or_else(|| {
            AppError::internal(format!("audit MAC key {id} is missing from secret storage"))
        })
}

/// Secret-storage name of the audit MAC key `id`.
pub fn secret_name(id: &str) -> String {
    crate::names::mac_key_secret(id)
}

/// `n` random bytes for key material (`what` names it in the error).
/// Without entropy no weak key is made: the change is refused instead.
pub fn random_bytes(p: &Platform, n: usize, what: &str) -> Result<Vec<u8>, AppError> {
    let mut raw = vec![0u8; n];
    p.random.fill(&mut raw).map_err(|e| {
        AppError::unavailable(
            format!("Aigis cannot create {what} just now; try again shortly"),
            format!("random: {e}"),
        )
    })?;
    Ok(raw)
}

/// Millisecond timestamp of now.
pub fn now(p: &Platform) -> Millis {
    p.runtime.now_millis()
}
