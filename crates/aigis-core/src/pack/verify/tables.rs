//! The tables against the fold of the log (see [`crate::pack::fold`]):
//! the starting state is the one the log commits to, every event after it
//! is folded in, and each CSV must equal the fold's rows for the window:
//! no row the log does not prove (`fold.unproven`), no proven row missing
//! (`fold.missing`), no field that differs (`fold.field`), in the fold's
//! order (`fold.order`).

use super::*;
use crate::pack::fold::{STATE_ACTION, digest_value};

/// The pack's tables, as read.
pub(super) struct Csvs<'a> {
    pub requests: &'a Table,
    pub grants: &'a Table,
    pub jobs: &'a Table,
    pub decisions: &'a Table,
    pub connectors: &'a Table,
    pub reconciliation: &'a Table,
}

pub(super) fn check_fold(
    files: &BTreeMap<&str, &[u8]>,
    v: &Verified,
    report: &mut VerifyReport,
    csv: &Csvs,
) -> Check<()> {
    let m = &v.manifest;
    let from = &m.proven_from;
    let raw = files.get(STATE_FILE).copied().unwrap_or_default();
    let value: Value = serde_json::from_slice(raw)
        .map_err(|e| fail(STATE_FILE, "state.schema", format!("not JSON: {e}")))?;
    let digest = digest_value(&value);
    if digest != from.digest {
        return Err(fail(
            STATE_FILE,
            "state.digest",
            format!(
                "the state's digest is {digest}; the manifest's provenFrom says {}",
                from.digest
            ),
        ));
    }
    let state: State = serde_json::from_value(value)
        .map_err(|e| fail(STATE_FILE, "state.schema", format!("not a state: {e}")))?;
    if state.format != fold::STATE_FORMAT {
        return Err(fail(
            STATE_FILE,
            "state.schema",
            format!("format must be {}", fold::STATE_FORMAT),
        ));
    }
    let first = v.events.first().map_or(m.checkpoint.size + 1, |e| e.seq);
    if from.seq == 0 {
        if first != 1 || state != State::empty() {
            return Err(fail(
                MANIFEST,
                "state.start",
                format!(
                    "the tables are proven from the empty state, but the events start at seq {first} or the state is not empty"
                ),
            ));
        }
    } else {
        let Some(e) = v.events.iter().find(|e| e.seq == from.seq) else {
            return Err(fail(
                MANIFEST,
                "state.start",
                format!("provenFrom seq {} is not among the pack's events", from.seq),
            )
            .seq(from.seq));
        };
        if e.action != STATE_ACTION
            || e.data.get("digest").and_then(Value::as_str) != Some(from.digest.as_str())
        {
            return Err(fail(
                MANIFEST,
                "state.start",
                format!(
                    "the event at seq {} is not the audit.state event of this state",
                    from.seq
                ),
            )
            .seq(from.seq));
        }
        if state.through + 1 != from.seq {
            return Err(fail(
                STATE_FILE,
                "state.start",
                format!(
                    "the state is through seq {}; its event is at {}",
                    state.through, from.seq
                ),
            ));
        }
    }
    let mut folded = state;
    for (i, e) in v.events.iter().enumerate() {
        if e.seq < from.seq.max(1) {
            continue;
        }
        folded
            .apply(e)
            .map_err(|x| fail(AUDIT, x.rule, x.message).line(i as u64 + 1).seq(x.seq))?;
        report.events_folded += 1;
    }
    report.proven_from = Some(format!(
        "tables proven by the fold from {} (state {})",
        if from.seq == 0 {
            "the empty state before seq 1".to_owned()
        } else {
            format!("the audit.state event at seq {}", from.seq)
        },
        from.digest
    ));
    let t = folded.tables(m.window.from_ms, m.window.to_ms);
    same(REQUESTS, &REQUEST_COLUMNS, 0, &t.requests, csv.requests)?;
    same(GRANTS, &GRANT_COLUMNS, 0, &t.grants, csv.grants)?;
    same(JOBS, &JOB_COLUMNS, 0, &t.jobs, csv.jobs)?;
    same(
        DECISIONS,
        &DECISION_COLUMNS,
        DECISION_COLUMNS.len() - 1,
        &t.decisions,
        csv.decisions,
    )?;
    same(
        CONNECTORS,
        &CONNECTOR_COLUMNS,
        0,
        &t.connectors,
        csv.connectors,
    )?;
    same(
        RECONCILIATION,
        &RECONCILIATION_COLUMNS,
        0,
        &t.reconciliations,
        csv.reconciliation,
    )?;
    Ok(())
}

/// `actual` equals `want` row for row, `key` being the column that
/// identifies a row.
fn same(
    file: &str,
    columns: &[&'static str],
    key: usize,
    want: &[Vec<String>],
    actual: &Table,
) -> Check<()> {
    let want: Vec<Vec<String>> = want
        .iter()
        .map(|r| r.iter().map(|c| records::csv_cell(c)).collect())
        .collect();
    let index: BTreeMap<&str, usize> = want
        .iter()
        .enumerate()
        .map(|(i, r)| (r[key].as_str(), i))
        .collect();
    let mut seen = BTreeSet::new();
    for (line, row) in &actual.rows {
        let id = row[key].as_str();
        let Some(&i) = index.get(id) else {
            return Err(fail(
                file,
                "fold.unproven",
                format!("{} {id:?}: the log proves no such row", columns[key]),
            )
            .line(*line)
            .field(columns[key]));
        };
        if !seen.insert(id) {
            return Err(fail(
                file,
                "fold.unproven",
                format!("{} {id:?} appears twice", columns[key]),
            )
            .line(*line)
            .field(columns[key]));
        }
        if let Some(c) = (0..columns.len()).find(|&c| want[i][c] != row[c]) {
            return Err(fail(
                file,
                "fold.field",
                format!(
                    "{} {id:?}: {} is {:?}; the log says {:?}",
                    columns[key], columns[c], row[c], want[i][c]
                ),
            )
            .line(*line)
            .field(columns[c]));
        }
    }
    if let Some((i, r)) = want
        .iter()
        .enumerate()
        .find(|(_, r)| !seen.contains(r[key].as_str()))
    {
        return Err(fail(
            file,
            "fold.missing",
            format!(
                "{} {:?}, proven by the log, has no row",
                columns[key], r[key]
            ),
        )
        // The line where the row belongs: that of the row now in its place.
        .line(
            actual
                .rows
                .get(i)
                .or(actual.rows.last())
                .map_or(2, |(l, _)| if i < actual.rows.len() { *l } else { l + 1 }),
        )
        .field(columns[key]));
    }
    for (pos, (line, row)) in actual.rows.iter().enumerate() {
        let id = row[key].as_str();
        let i = index.get(id).copied().unwrap_or(pos);
        if i != pos {
            return Err(fail(
                file,
                "fold.order",
                format!(
                    "{} {id:?} is row {}; the log's order puts it at row {}",
                    columns[key],
                    pos + 1,
                    i + 1
                ),
            )
            .line(*line)
            .field(columns[key]));
        }
    }
    Ok(())
}
