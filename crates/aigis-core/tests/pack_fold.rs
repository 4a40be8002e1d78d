//! The tables are the fold of the log: forged packs, rebuilt and validly
//! re-signed by a key the test holds (the position of whoever runs the
//! site), are refused with a rule naming the table, line and field.

// Compiled for wasm32-unknown-unknown, each `#[test]` is a wasm-bindgen
// test (Node and headless Chromium: `make test-verifier-web`).
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[path = "pack_common/fixture.rs"]
mod fixture;

use aigis_core::pack::{self, PackInput, VerifyOptions, VerifyReport};
use fixture::*;

type Rows = Vec<(u64, Vec<String>)>;

fn parse(bytes: &[u8]) -> (Vec<String>, Rows) {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes);
    let mut out = vec![];
    let mut header = vec![];
    for (i, rec) in r.records().enumerate() {
        let rec = rec.unwrap();
        let at = rec.position().unwrap().byte() as usize;
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() as u64 + 1;
        let cells: Vec<String> = rec.iter().map(str::to_owned).collect();
        if i == 0 {
            header = cells;
        } else {
            out.push((line, cells));
        }
    }
    (header, out)
}

fn write(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(header).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

/// The pack of `input` with `table`'s rows replaced by `edit`'s, the
/// manifest's count updated, every digest recomputed and signed again.
fn forge(
    h: &History,
    input: &PackInput,
    table: &str,
    edit: impl FnOnce(&mut Vec<Vec<String>>),
) -> Vec<u8> {
    let (mut m, mut data) = pack::render_files(input).unwrap();
    let bytes = &mut data.iter_mut().find(|(n, _)| *n == table).unwrap().1;
    let (header, rows) = parse(bytes);
    let mut rows: Vec<Vec<String>> = rows.into_iter().map(|(_, r)| r).collect();
    edit(&mut rows);
    *bytes = write(&header, &rows);
    m.records.insert(table.to_owned(), rows.len() as u64);
    pack::assemble(m, &data, h.signer_at(input.checkpoint.size)).unwrap()
}

fn verify(zip: &[u8]) -> VerifyReport {
    pack::verify(zip, &VerifyOptions::default())
}

/// Refused on `file`, `rule`, `field` and `line` (for a dropped row: the
/// line of the row that took its place, so only that a line is named).
fn refused(r: &VerifyReport, file: &str, rule: &str, line: Option<u64>, field: &str) {
    let f = r
        .failure
        .as_ref()
        .unwrap_or_else(|| panic!("accepted: {r}"));
    assert_eq!(
        (f.file.as_str(), f.rule.as_str(), f.field),
        (file, rule, Some(field)),
        "{r}"
    );
    assert!(f.line.is_some(), "{r}");
    if line.is_some() {
        assert_eq!(f.line, line, "{r}");
    }
}

fn col(table: &str, name: &str) -> usize {
    let cols: &[&str] = match table {
        pack::REQUESTS => &pack::REQUEST_COLUMNS,
        pack::GRANTS => &pack::GRANT_COLUMNS,
        pack::JOBS => &pack::JOB_COLUMNS,
        _ => &pack::DECISION_COLUMNS,
    };
    cols.iter().position(|c| *c == name).unwrap()
}

fn columns(table: &str) -> &'static [&'static str] {
    match table {
        pack::REQUESTS => &pack::REQUEST_COLUMNS,
        pack::GRANTS => &pack::GRANT_COLUMNS,
        pack::JOBS => &pack::JOB_COLUMNS,
        _ => &pack::DECISION_COLUMNS,
    }
}

const TABLES: [&str; 4] = [pack::REQUESTS, pack::GRANTS, pack::JOBS, pack::DECISIONS];

/// A history with active and revoked grants, over all of it.
fn lived() -> (History, PackInput) {
    let h = (0..50)
        .map(|seed| History::random(seed, 60))
        .find(|h| {
            h.grants
                .iter()
                .any(|g| g.status == aigis_core::model::GrantStatus::Revoked)
        })
        .expect("a history with a revoked grant");
    let input = h.input(0, h.last_commit(), None);
    (h, input)
}

fn rows_of(input: &PackInput, table: &str) -> Rows {
    let (_, data) = pack::render_files(input).unwrap();
    parse(&data.iter().find(|(n, _)| *n == table).unwrap().1).1
}

#[test]
fn the_four_forgeries_of_issue_12_are_refused_with_table_line_and_field() {
    let (h, input) = lived();
    assert!(verify(&pack::build(&input, h.signer_at(input.checkpoint.size)).unwrap()).ok);
    let grants = rows_of(&input, pack::GRANTS);
    let requests = rows_of(&input, pack::REQUESTS);
    assert!(grants.len() > 2 && requests.len() > 2);

    // 1. A grant row removed while its grant.created event is in the pack.
    let z = forge(&h, &input, pack::GRANTS, |rows| {
        rows.remove(1);
    });
    refused(&verify(&z), pack::GRANTS, "fold.missing", None, "id");

    // 2. A request row removed while its request.created event is there.
    let z = forge(&h, &input, pack::REQUESTS, |rows| {
        rows.remove(2);
    });
    refused(&verify(&z), pack::REQUESTS, "fold.missing", None, "id");

    // 3. A grant's expiresAt moved a year later.
    let e = col(pack::GRANTS, "expiresAt");
    let later = {
        let t = aigis_core::time::parse_rfc3339(&grants[0].1[e]).unwrap();
        pack::iso_millis(t + 365 * 86_400_000)
    };
    let z = forge(&h, &input, pack::GRANTS, |rows| rows[0][e] = later.clone());
    refused(
        &verify(&z),
        pack::GRANTS,
        "fold.field",
        Some(grants[0].0),
        "expiresAt",
    );

    // 4. A revoked grant shown as active.
    let s = col(pack::GRANTS, "status");
    let i = grants
        .iter()
        .position(|(_, r)| r[s] == "revoked")
        .expect("a revoked grant row");
    let z = forge(&h, &input, pack::GRANTS, |rows| {
        rows[i][s] = "active".into()
    });
    refused(
        &verify(&z),
        pack::GRANTS,
        "fold.field",
        Some(grants[i].0),
        "status",
    );
}

/// A different value for a cell.
fn other(v: &str) -> String {
    match v {
        "" => "x".into(),
        "true" => "false".into(),
        "false" => "true".into(),
        _ => format!("{v}x"),
    }
}

/// How many single changes of one kind were made to a table, and how many
/// of them were refused.
#[derive(Default, Clone, Copy)]
struct Made {
    made: usize,
    detected: usize,
}

/// The mutation counts of [`every_field_of_every_table_is_mutated_and_detected`]
/// as the Markdown table BENCHMARKS.md quotes between its markers.
fn counts_table(counts: &[(String, String, Made)]) -> String {
    let mut out = String::from(
        "| Table | Field or change | Made | Detected |\n| --- | --- | ---: | ---: |\n",
    );
    let (mut made, mut detected) = (0, 0);
    for (table, what, n) in counts {
        out.push_str(&format!(
            "| `{table}` | {what} | {} | {} |\n",
            n.made, n.detected
        ));
        made += n.made;
        detected += n.detected;
    }
    out.push_str(&format!("| all | | {made} | {detected} |\n"));
    out
}

const COUNTS_BEGIN: &str =
    "<!-- fold-mutations:begin (generated by aigis-core tests/pack_fold.rs) -->\n";
const COUNTS_END: &str = "<!-- fold-mutations:end -->";

/// BENCHMARKS.md must quote the counts this test makes;
/// `UPDATE_EXPECT=1 cargo test -p aigis-core --test pack_fold` rewrites them.
fn check_quoted(table: &str) {
    let doc = include_str!("../../../BENCHMARKS.md");
    let quoted = doc
        .split_once(COUNTS_BEGIN)
        .and_then(|(_, rest)| rest.split_once(COUNTS_END))
        .map(|(q, _)| q);
    if quoted != Some(table) && rewrite(doc, table) {
        return;
    }
    assert_eq!(
        quoted,
        Some(table),
        "BENCHMARKS.md quotes other mutation counts: UPDATE_EXPECT=1 cargo test -p aigis-core --test pack_fold"
    );
}

/// With `UPDATE_EXPECT` set (natively), writes `table` between the markers.
#[cfg(not(target_arch = "wasm32"))]
fn rewrite(doc: &str, table: &str) -> bool {
    if std::env::var_os("UPDATE_EXPECT").is_none() {
        return false;
    }
    let (head, rest) = doc
        .split_once(COUNTS_BEGIN)
        .expect("BENCHMARKS.md has the begin marker");
    let (_, tail) = rest
        .split_once(COUNTS_END)
        .expect("BENCHMARKS.md has the end marker");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../BENCHMARKS.md");
    std::fs::write(
        path,
        format!("{head}{COUNTS_BEGIN}{table}{COUNTS_END}{tail}"),
    )
    .unwrap();
    true
}

/// Compiled to wasm, the test only compares.
#[cfg(target_arch = "wasm32")]
fn rewrite(_: &str, _: &str) -> bool {
    false
}

#[test]
fn every_field_of_every_table_is_mutated_and_detected() {
    let (h, mut input) = lived();
    // Fewer signed checkpoints to open: the same tables, a faster verify.
    input.checkpoints.clear();
    // Compiled to wasm (and run in Node and Chromium, ten times slower),
    // each field is mutated on its table's first row only: the same rules,
    // and the full counts are the native run's.
    let per_table = if cfg!(target_arch = "wasm32") {
        1
    } else {
        usize::MAX
    };
    let mut counts: Vec<(String, String, Made)> = Vec::new();
    let mut tally = |table: &str, what: String, detected: bool| {
        let at = match counts.iter().position(|(t, w, _)| t == table && *w == what) {
            Some(at) => at,
            None => {
                counts.push((table.to_owned(), what, Made::default()));
                counts.len() - 1
            }
        };
        counts[at].2.made += 1;
        counts[at].2.detected += usize::from(detected);
    };
    for table in TABLES {
        let rows = rows_of(&input, table);
        assert!(!rows.is_empty(), "{table} is empty");
        let cols = columns(table);
        let key = if table == pack::DECISIONS {
            cols.len() - 1
        } else {
            0
        };
        for (c, name) in cols.iter().enumerate() {
            for (i, (line, row)) in rows.iter().enumerate().take(per_table) {
                let z = forge(&h, &input, table, |rows| rows[i][c] = other(&row[c]));
                let rule = if c == key {
                    "fold.unproven"
                } else {
                    "fold.field"
                };
                let r = verify(&z);
                tally(table, format!("`{name}`"), r.failure.is_some());
                refused(&r, table, rule, Some(*line), name);
            }
        }
        for (i, (_, row)) in rows.iter().enumerate().take(per_table) {
            // The row dropped.
            let z = forge(&h, &input, table, |rows| {
                rows.remove(i);
            });
            let r = verify(&z);
            tally(table, "row dropped".into(), r.failure.is_some());
            refused(&r, table, "fold.missing", None, cols[key]);
            // A copy of the row added: the same id twice.
            let z = forge(&h, &input, table, |rows| rows.insert(i + 1, row.clone()));
            let f = verify(&z).failure;
            tally(table, "row added (a copy)".into(), f.is_some());
            let f = f.expect("refused");
            assert_eq!((f.file.as_str(), f.rule.as_str()), (table, "fold.unproven"));
        }
    }
    let fields: usize = TABLES.iter().map(|t| columns(t).len()).sum();
    assert_eq!(
        counts.iter().filter(|(_, w, _)| w.starts_with('`')).count(),
        fields,
        "every field of every table was mutated"
    );
    assert!(
        counts
            .iter()
            .all(|(_, _, n)| n.made == n.detected && n.made > 0)
    );
    let table = counts_table(&counts);
    println!("fold tamper suite:\n{table}");
    if per_table == usize::MAX {
        check_quoted(&table);
    }
}

/// A seeded random pick.
struct Pick(u64);

impl Pick {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n.max(1) as u64) as usize
    }
}

#[test]
fn random_lifecycles_verify_in_any_window_and_any_one_change_is_refused() {
    let mut pick = Pick(12);
    let (mut windows, mut pruned_windows, mut mutations) = (0, 0, 0);
    let seeds = if cfg!(target_arch = "wasm32") { 8 } else { 40 };
    for seed in 0..seeds {
        let h = History::random(1000 + seed, 40 + pick.below(120));
        let last = h.last_commit();
        let a = pick.below(last + 1);
        let b = a + pick.below(last + 1 - a);
        let size = h.commit_ends[b];
        let window_first = if a == 0 { 1 } else { h.commit_ends[a - 1] + 1 };
        // Pruning at a random point, sometimes past the window's start;
        // only where a state event after it exists (retention writes one).
        let mut pruned = if pick.below(2) == 0 {
            pick.below(size as usize) as u64
        } else {
            0
        };
        if !h.states.iter().any(|s| *s > pruned && *s <= size) {
            pruned = 0;
        }
        let mut input = h.input_pruned(a, b, None, pruned);
        input.checkpoints.truncate(2);
        let zip = pack::build(&input, h.signer_at(size)).unwrap();
        let r = verify(&zip);
        assert!(r.ok, "seed {seed} window {a}..={b} pruned {pruned}: {r}");
        windows += 1;
        if pruned >= window_first {
            pruned_windows += 1;
        }
        for _ in 0..6 {
            let table = TABLES[pick.below(4)];
            let rows = rows_of(&input, table);
            let cols = columns(table);
            let what = pick.below(3);
            let z = match (what, rows.len()) {
                (0, n) if n > 0 => {
                    let (i, c) = (pick.below(n), pick.below(cols.len()));
                    let v = other(&rows[i].1[c]);
                    forge(&h, &input, table, |rs| rs[i][c] = v)
                }
                (1, n) if n > 0 => {
                    let i = pick.below(n);
                    forge(&h, &input, table, |rs| {
                        rs.remove(i);
                    })
                }
                (_, n) => {
                    // A row the log does not prove: a copy with a new key.
                    let key = if table == pack::DECISIONS {
                        cols.len() - 1
                    } else {
                        0
                    };
                    let mut row = if n > 0 {
                        rows[pick.below(n)].1.clone()
                    } else {
                        vec!["1".to_owned(); cols.len()]
                    };
                    row[key] = "999999".into();
                    let at = pick.below(n + 1);
                    forge(&h, &input, table, |rs| rs.insert(at, row))
                }
            };
            let r = verify(&z);
            let f = r
                .failure
                .as_ref()
                .unwrap_or_else(|| panic!("seed {seed}: a changed {table} was accepted: {r}"));
            assert_eq!(f.file, table, "{r}");
            assert!(f.rule.starts_with("fold."), "{r}");
            mutations += 1;
        }
    }
    println!(
        "property: {windows} windows ({pruned_windows} starting in pruned history), {mutations} mutations refused"
    );
    assert!(pruned_windows > 0);
}
