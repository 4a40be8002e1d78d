//! The outbox of product events.

use rusqlite::{Connection, Transaction, params};

use crate::{SimError, SimEvent};

pub fn insert_event(
    tx: &Transaction<'_>,
    event_type: &str,
    payload: &serde_json::Value,
    now: i64,
) -> Result<i64, SimError> {
    tx.execute(
        "INSERT INTO outbox (event_type, payload, created) VALUES (?1, ?2, ?3)",
        params![event_type, payload.to_string(), now],
    )?;
    Ok(tx.last_insert_rowid())
}

pub fn pending_events(conn: &Connection) -> Result<Vec<SimEvent>, SimError> {
    let mut stmt =
        conn.prepare("SELECT id, event_type, payload FROM outbox WHERE acked = 0 ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, event_type, payload) = row?;
        out.push(SimEvent {
            id,
            event_type,
            payload: serde_json::from_str(&payload)?,
        });
    }
    Ok(out)
}

pub fn ack_event(tx: &Transaction<'_>, id: i64) -> Result<(), SimError> {
    let n = tx.execute("UPDATE outbox SET acked = 1 WHERE id = ?1", [id])?;
    if n == 0 {
        return Err(SimError::NotFound(format!("event {id}")));
    }
    Ok(())
}
