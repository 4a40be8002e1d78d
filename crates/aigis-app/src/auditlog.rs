//! Reading and verifying the audit chain.

use crate::error::AppError;
use crate::repo::{self, AUDIT, AUDIT_HEAD};
use aigis_core::audit::{AuditEvent, Head, Report, Verifier};
use aigis_platform::{EntityQuery, Secrets, Storage};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// Verifies the whole chain page by page, from genesis to the stored head.
/// Reads only storage and secret storage, so the host can run it directly.
pub fn verify(storage: &dyn Storage, secrets: &dyn Secrets) -> Result<Report, AppError> {
    let keys: RefCell<BTreeMap<String, Option<Vec<u8>>>> = RefCell::default();
    let key_for = |id: &str| -> Option<Vec<u8>> {
        keys.borrow_mut()
            .entry(id.to_owned())
            .or_insert_with(|| {
                secrets
                    .get_secret(&format!("audit-mac-key-{id}"))
                    .ok()
                    .flatten()
                    .map(String::into_bytes)
            })
            .clone()
    };
    let mut v = Verifier::new(Head::genesis(), &key_for);
    let mut cursor = None;
    loop {
        let page = storage.entity_query(&EntityQuery {
            entity: AUDIT.into(),
            index: "by-seq".into(),
            cursor,
            limit: 100,
            ..Default::default()
        })?;
        for (key, raw) in &page.items {
            let stored_seq: u64 = key.parse().unwrap_or(0);
            match serde_json::from_str::<AuditEvent>(raw) {
                Ok(e) => v.push(stored_seq, &e),
                Err(_) => {
                    // An unreadable entry breaks the chain where it stands.
                    let broken = AuditEvent {
                        seq: u64::MAX,
                        at: 0,
                        actor: String::new(),
                        action: String::new(),
                        subject: String::new(),
                        data: serde_json::Value::Null,
                        key_id: String::new(),
                        prev_hash: String::new(),
                        entry_hash: String::new(),
                        entry_mac: String::new(),
                    };
                    v.push(stored_seq, &broken);
                }
            }
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let head = match storage.entity_get(AUDIT_HEAD, "head")? {
        Some(raw) => serde_json::from_str(&raw)
            .map_err(|e| AppError::internal(format!("audit head unreadable: {e}")))?,
        None => Head::genesis(),
    };
    Ok(v.finish(&head))
}

/// One audit event by sequence number.
pub fn event(storage: &dyn Storage, seq: u64) -> Result<Option<AuditEvent>, AppError> {
    match storage.entity_get(AUDIT, &repo::audit_key(seq))? {
        None => Ok(None),
        Some(raw) => serde_json::from_str(&raw)
            .map(Some)
            .map_err(|e| AppError::internal(e.to_string())),
    }
}

/// `audit.verify` (admin, rate-limited): the chain report.
pub fn verify_resolver(
    p: &aigis_platform::Platform,
    caller: &crate::access::Caller,
) -> Result<serde_json::Value, AppError> {
    caller.require_admin()?;
    crate::ratelimit::claim(p, &caller.account_id, "audit.verify")?;
    let report = verify(p.storage, p.secrets)?;
    serde_json::to_value(&report).map_err(|e| AppError::internal(e.to_string()))
}
