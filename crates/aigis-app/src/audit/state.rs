//! Committed states: the fold of the log (`aigis_core::pack::fold`) at an
//! `audit.state` event, from which an evidence pack proves its tables.
//!
//! [`write`] folds the events since the last committed state into it,
//! stores the result in KVS chunks (`audit:state:<digest>:<n>`, written
//! before the commit and named by their digest, so a retry rewrites the
//! same bytes), and commits the `audit.state` event with the list of
//! states (`audit:states`). The retention sweep writes one before it
//! prunes and every export one before its checkpoint, so a window that
//! starts after pruned history is proven from a state the log holds.

use crate::error::AppError;
use crate::names::{AUDIT, AUDIT_STATE_PREFIX, AUDIT_STATES};
use crate::repo::{self, Change};
use aigis_core::audit::{AuditEvent, NewEvent};
use aigis_core::pack::State;
use aigis_core::pack::fold::{STATE_ACTION, STATE_SUBJECT};
use aigis_platform::{EntityQuery, Platform, RangeCondition, SetOptions};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Characters per chunk: well under a KVS value's 240 KiB, even escaped.
const CHUNK_CHARS: usize = 100_000;

/// One committed state: its event's seq, digest and number of chunks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatePointer {
    pub seq: u64,
    pub digest: String,
    pub chunks: u32,
}

/// Every committed state, oldest first.
pub fn list(p: &Platform) -> Result<Vec<StatePointer>, AppError> {
    Ok(repo::get_kv(p, AUDIT_STATES)?.unwrap_or_default())
}

fn chunk_key(digest: &str, i: u32) -> String {
    format!("{AUDIT_STATE_PREFIX}{digest}:{i}")
}

/// The state a pointer names, checked against its digest.
pub fn load(p: &Platform, ptr: &StatePointer) -> Result<State, AppError> {
    let mut text = String::new();
    for i in 0..ptr.chunks {
        let part: String = repo::get_kv(p, &chunk_key(&ptr.digest, i))?
            .ok_or_else(|| AppError::internal(format!("state {} lacks chunk {i}", ptr.digest)))?;
        text.push_str(&part);
    }
    let state: State = serde_json::from_str(&text)
        .map_err(|e| AppError::internal(format!("state {} is unreadable: {e}", ptr.digest)))?;
    if state.digest() != ptr.digest {
        return Err(AppError::internal(format!(
            "state {} does not match its digest",
            ptr.digest
        )));
    }
    Ok(state)
}

fn save(p: &Platform, state: &State, digest: &str) -> Result<u32, AppError> {
    let text = serde_json::to_string(state).map_err(|e| AppError::internal(e.to_string()))?;
    let chars: Vec<char> = text.chars().collect();
    let mut n = 0u32;
    for part in chars.chunks(CHUNK_CHARS) {
        let part: String = part.iter().collect();
        let value = serde_json::to_string(&part).map_err(|e| AppError::internal(e.to_string()))?;
        p.storage
            .set(&chunk_key(digest, n), &value, SetOptions::default())?;
        n += 1;
    }
    Ok(n)
}

/// Events `from..=to`, in seq order.
fn events(p: &Platform, from: u64, to: u64) -> Result<Vec<AuditEvent>, AppError> {
    let mut out = Vec::new();
    if from > to {
        return Ok(out);
    }
    repo::scan(
        p,
        EntityQuery {
            entity: AUDIT.into(),
            index: "by-seq".into(),
            range: Some(RangeCondition::Between(json!(from), json!(to))),
            ..Default::default()
        },
        |_, e: AuditEvent| {
            out.push(e);
            Ok(true)
        },
    )?;
    Ok(out)
}

/// The fold of events `1..=through` from the latest committed state.
fn fold_through(p: &Platform, states: &[StatePointer], through: u64) -> Result<State, AppError> {
    let (mut state, next) = match states.last() {
        Some(ptr) => (load(p, ptr)?, ptr.seq),
        None => (State::empty(), 1),
    };
    let events = events(p, next, through)?;
    if events.first().map(|e| e.seq).unwrap_or(through + 1) != next {
        return Err(AppError::internal(format!(
            "the log from seq {next} is not stored: no state to fold from"
        )));
    }
    state
        .apply_all(&events)
        .map_err(|e| AppError::internal(format!("fold at seq {}: {}", e.seq, e.message)))?;
    Ok(state)
}

/// What one attempt of [`write`] found.
enum Attempt {
    /// The latest committed state (none: the log is empty).
    Done(Option<StatePointer>),
    /// A state committed after the head this attempt read: the head it
    /// folds through is stale, and so is every read after it.
    Stale,
}

/// Commits an `audit.state` event over the whole log, unless the last
/// event already is one. Returns the latest committed state.
///
/// The head and the list of states are two reads: a concurrent writer
/// (another export, a retention sweep that then prunes behind its state)
/// may commit between them. A list naming a state at or after the seq
/// being committed means the head was stale; the attempt is dropped and
/// made again from a fresh head rather than folded from the log the
/// newer state lets retention prune.
pub fn write(p: &Platform, actor: &str) -> Result<Option<StatePointer>, AppError> {
    for _ in 0..repo::COMMIT_ATTEMPTS {
        let done = repo::commit(p, |seq| {
            let mut c = Change::new();
            let mut states = list(p)?;
            if states.last().is_some_and(|s| s.seq >= seq) {
                return Ok((Attempt::Stale, c));
            }
            if states.last().is_some_and(|s| s.seq + 1 == seq) || seq == 1 {
                return Ok((Attempt::Done(states.pop()), c));
            }
            let state = fold_through(p, &states, seq - 1)?;
            let digest = state.digest();
            let chunks = save(p, &state, &digest)?;
            c.event(NewEvent::new(
                actor,
                STATE_ACTION,
                STATE_SUBJECT,
                state.event_data(),
            ));
            let ptr = StatePointer {
                seq,
                digest,
                chunks,
            };
            states.push(ptr.clone());
            c.put_kv(AUDIT_STATES, &states)?;
            Ok((Attempt::Done(Some(ptr)), c))
        })?;
        if let Attempt::Done(ptr) = done.value {
            return Ok(ptr);
        }
    }
    Err(AppError::conflict("too many concurrent changes; try again"))
}

/// Where a pack whose window starts at event `first` (events `..=pruned`
/// pruned) proves its tables from: the latest retained state at or before
/// `first`; else the empty state, when nothing is pruned; else the
/// earliest state after the pruned events. Returns its seq (0: empty) and
/// the state.
pub fn start_for(p: &Platform, first: u64, pruned: u64) -> Result<(u64, State), AppError> {
    let states = list(p)?;
    let chosen = states
        .iter()
        .rev()
        .find(|s| s.seq <= first && s.seq > pruned)
        .or_else(|| {
            (pruned > 0)
                .then(|| states.iter().find(|s| s.seq > pruned))
                .flatten()
        });
    match chosen {
        Some(ptr) => Ok((ptr.seq, load(p, ptr)?)),
        None if pruned == 0 => Ok((0, State::empty())),
        None => Err(AppError::internal(format!(
            "no committed state after the pruned events 1..={pruned}"
        ))),
    }
}
