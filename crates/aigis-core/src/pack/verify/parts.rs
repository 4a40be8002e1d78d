//! Reading the parts of a pack: events, stored checkpoints, key events.

use super::*;

/// The event that introduced a key names it: same key id and verifier key.
pub(super) fn is_key_event(e: &AuditEvent, key_id: &str, verifier_key: &str) -> bool {
    matches!(e.action.as_str(), "audit.key.rotated" | "audit.key.created")
        && e.data.get("keyId").and_then(Value::as_str) == Some(key_id)
        && e.data.get("verifierKey").and_then(Value::as_str) == Some(verifier_key)
}

/// Opens a stored checkpoint and checks its fields agree with the note.
pub(super) fn open_stored(
    c: &StoredCheckpoint,
    vkey: &str,
    origin: &str,
) -> Result<tlog::Checkpoint, (&'static str, String)> {
    let o = tlog::open_checkpoint(&c.note, vkey, None)
        .map_err(|e| ("checkpoint.signature", e.to_string()))?;
    if o.origin != origin {
        return Err((
            "checkpoint.origin",
            format!("origin {:?} is not the pack's {origin:?}", o.origin),
        ));
    }
    if o.size != c.size || tlog::hex(&o.root) != c.root {
        return Err((
            "checkpoint.fields",
            format!("size/root of checkpoint {} differ from its note", c.size),
        ));
    }
    Ok(o)
}

pub(super) fn parse_events(bytes: &[u8]) -> Check<Vec<(u64, AuditEvent)>> {
    let mut out = Vec::new();
    if bytes.is_empty() {
        return Ok(out);
    }
    if bytes.last() != Some(&b'\n') {
        let line = bytes.iter().filter(|b| **b == b'\n').count() as u64 + 1;
        return Err(fail(AUDIT, "audit.parse", "the last line is not terminated").line(line));
    }
    for (i, l) in bytes[..bytes.len() - 1].split(|b| *b == b'\n').enumerate() {
        let line = i as u64 + 1;
        let e: AuditEvent = serde_json::from_slice(l).map_err(|e| {
            fail(AUDIT, "audit.parse", format!("not an audit event: {e}")).line(line)
        })?;
        out.push((line, e));
    }
    Ok(out)
}
