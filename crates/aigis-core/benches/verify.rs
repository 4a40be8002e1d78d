//! Audit verification benchmark (`make bench`; method and results in
//! BENCHMARKS.md).
//!
//! 1. Seals 1,000,000 seeded audit events with `audit::seal`, in chunks of
//!    10,000 as the store does, writing them as JSON lines to a temp file.
//! 2. Reads the file back and only parses it (the I/O + JSON floor).
//! 3. Reads and parses it again, feeding batches of events to
//!    `audit::Verifier::push_batch`: hash chain, leaf hash, Merkle nodes,
//!    MAC, and the head at the end. Once on one thread, once on every core
//!    (parsing and the per-event hashes in parallel, the ordered checks on
//!    one thread).
//! 4. Runs `sha256sum` and `openssl dgst -sha256` over the same file, for
//!    scale (OpenSSL uses SHA-NI where the CPU has it).
//! 5. Recomputes the Merkle root from the leaf hashes with `tlog::Frontier`
//!    alone, and with a plain in-memory compact range (no hex strings).
//!
//! `AIGIS_BENCH_EVENTS` overrides the number of events.

use aigis_core::audit::{self, AuditEvent, Head, NewEvent, Verifier};
use aigis_core::tlog::{self, Frontier, Hash};
use serde_json::json;
use std::error::Error;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const DEFAULT_EVENTS: u64 = 1_000_000;
const CHUNK: u64 = 10_000;
const KEY: &[u8] = b"bench-site-key-0123456789abcdef!";
const KEY_ID: &str = "k1";

/// SplitMix64: seeded, so every run writes the same log.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        // The modulus is below items.len(), so the index is in range.
        items[(self.next() % items.len() as u64) as usize]
    }
}

const ACTORS: [&str; 6] = [
    "acct-5b1e",
    "acct-91c0",
    "acct-0f3a",
    "acct-77d2",
    "system",
    "sweep",
];
const ACTIONS: [&str; 6] = [
    "request.created",
    "request.approved",
    "review.answered",
    "grant.issued",
    "grant.revoked",
    "governance.changed",
];
const TOOLS: [&str; 5] = ["github", "jira", "slack", "openai", "figma"];

fn new_event(rng: &mut Rng, i: u64) -> NewEvent {
    let action = rng.pick(&ACTIONS);
    NewEvent::new(
        rng.pick(&ACTORS),
        action,
        &format!("request:{}", rng.next() % 100_000),
        json!({
            "i": i,
            "tool": rng.pick(&TOOLS),
            "risk": rng.next() % 5,
            "issue": format!("AIG-{}", rng.next() % 10_000),
            "note": if action == "review.answered" { "approved for the quarter" } else { "" },
        }),
    )
}

fn per_sec(n: f64, d: Duration) -> f64 {
    n / d.as_secs_f64()
}

fn generate(path: &Path, events: u64) -> Result<(Head, Vec<Hash>, u64), Box<dyn Error>> {
    let mut rng = Rng(0xa191_5b3c);
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut head = Head::genesis();
    let mut leaves = Vec::with_capacity(events as usize);
    let mut written = 0u64;
    let mut at = 1_760_000_000_000i64;
    while written < events {
        let n = CHUNK.min(events - written);
        let batch: Vec<NewEvent> = (0..n).map(|k| new_event(&mut rng, written + k)).collect();
        let (sealed, next) = audit::seal(&head, at, KEY_ID, KEY, batch)?;
        for e in &sealed {
            leaves.push(tlog::from_hex(&e.entry_hash)?);
            serde_json::to_writer(&mut out, e)?;
            out.write_all(b"\n")?;
        }
        head = next;
        written += n;
        at += 1_000;
    }
    out.flush()?;
    let bytes = std::fs::metadata(path)?.len();
    Ok((head, leaves, bytes))
}

fn parse_only(path: &Path) -> Result<u64, Box<dyn Error>> {
    let mut n = 0u64;
    for line in BufReader::with_capacity(1 << 20, File::open(path)?).lines() {
        let e: AuditEvent = serde_json::from_str(&line?)?;
        n += u64::from(e.seq > 0);
    }
    Ok(n)
}

/// Events per batch handed to `Verifier::push_batch`.
const BATCH: usize = 8_192;

/// Parses JSON lines on up to `threads` threads, in order.
fn parse_lines(lines: &[Vec<u8>], threads: usize) -> Result<Vec<AuditEvent>, String> {
    let parse = |part: &[Vec<u8>]| -> Result<Vec<AuditEvent>, String> {
        part.iter()
            .map(|l| serde_json::from_slice::<AuditEvent>(l).map_err(|e| e.to_string()))
            .collect()
    };
    if threads <= 1 || lines.len() < 2 * threads {
        return parse(lines);
    }
    let chunk = lines.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = lines
            .chunks(chunk)
            .map(|c| s.spawn(move || parse(c)))
            .collect();
        let mut out = Vec::with_capacity(lines.len());
        for h in handles {
            out.extend(
                h.join()
                    .map_err(|_| "a parse thread panicked".to_string())??,
            );
        }
        Ok(out)
    })
}

/// Drops a batch on `threads` threads (freeing a parsed event costs about
/// a third of parsing it).
fn free(mut events: Vec<AuditEvent>, threads: usize) {
    if threads <= 1 {
        return;
    }
    let chunk = events.len().div_ceil(threads);
    std::thread::scope(|s| {
        while events.len() > chunk {
            let tail = events.split_off(events.len() - chunk);
            s.spawn(move || drop(tail));
        }
        drop(events);
    });
}

/// Read, parse and verify: batches of lines parsed on `threads` threads and
/// fed to `Verifier::push_batch` (leaf hashes and MACs on `threads`
/// threads, the ordered checks on this one).
fn verify(path: &Path, head: &Head, threads: usize) -> Result<audit::Report, Box<dyn Error>> {
    let keys = |id: &str| (id == KEY_ID).then(|| KEY.to_vec());
    let mut v = Verifier::new(Head::genesis(), &keys).threads(threads);
    let mut reader = BufReader::with_capacity(1 << 20, File::open(path)?);
    let mut lines: Vec<Vec<u8>> = (0..BATCH).map(|_| Vec::with_capacity(1024)).collect();
    let mut next = 1u64;
    loop {
        let mut n = 0;
        while n < BATCH {
            let buf = &mut lines[n];
            buf.clear();
            if reader.read_until(b'\n', buf)? == 0 {
                break;
            }
            n += 1;
        }
        if n == 0 {
            break;
        }
        let events = parse_lines(&lines[..n], threads)?;
        v.push_batch(next, &events);
        free(events, threads);
        next += n as u64;
    }
    Ok(v.finish(head))
}

/// The RFC 6962 root from leaf hashes with a plain stack of hashes.
fn raw_root(leaves: &[Hash]) -> Hash {
    let mut stack: Vec<Hash> = Vec::with_capacity(64);
    for (i, leaf) in leaves.iter().enumerate() {
        let mut h = *leaf;
        for _ in 0..(i as u64).trailing_ones() {
            match stack.pop() {
                Some(left) => h = tlog::node_hash(left, h),
                None => break,
            }
        }
        stack.push(h);
    }
    let mut it = stack.into_iter().rev();
    let Some(mut acc) = it.next() else {
        return Frontier::empty().root().unwrap_or_default();
    };
    for left in it {
        acc = tlog::node_hash(left, acc);
    }
    acc
}

/// Where the Verifier's time goes, per event, over the first `n` events
/// held in memory: the leaf hash (canonical JSON + SHA-256), the MAC, and
/// the Merkle tree (decode the entry hash, push it on the frontier).
fn breakdown(path: &Path, n: usize) -> Result<(), Box<dyn Error>> {
    let mut events = Vec::with_capacity(n);
    for line in BufReader::new(File::open(path)?).lines().take(n) {
        events.push(serde_json::from_str::<AuditEvent>(&line?)?);
    }
    let count = events.len() as f64;
    let us = |d: Duration| d.as_secs_f64() * 1e6 / count;

    let t = Instant::now();
    let mut ok = 0usize;
    for e in &events {
        ok += usize::from(tlog::hex(&audit::entry_hash_bin(e)) == e.entry_hash);
    }
    let hash_time = t.elapsed();

    let t = Instant::now();
    for e in &events {
        ok += usize::from(audit::entry_mac(KEY, &e.entry_hash) == e.entry_mac);
    }
    let mac_time = t.elapsed();

    let t = Instant::now();
    let mut f = Frontier::empty();
    for e in &events {
        let nodes = f.push(tlog::from_hex(&e.entry_hash)?)?;
        ok += usize::from(nodes.len() == e.nodes.len() + 1);
    }
    let tree_time = t.elapsed();
    if ok != 3 * events.len() {
        return Err("breakdown: an event did not check out".into());
    }
    println!(
        "    per event over the first {}: leaf hash {:.2} us, MAC {:.2} us, Merkle push {:.2} us",
        events.len(),
        us(hash_time),
        us(mac_time),
        us(tree_time)
    );
    Ok(())
}

struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let events: u64 = match std::env::var("AIGIS_BENCH_EVENTS") {
        Ok(s) => s.parse()?,
        Err(_) => DEFAULT_EVENTS,
    };
    let file = TempFile(
        std::env::temp_dir().join(format!("aigis-bench-audit-{}.jsonl", std::process::id())),
    );
    let path = file.0.as_path();
    println!(
        "audit verification benchmark: {events} events -> {}",
        path.display()
    );

    let t = Instant::now();
    let (head, leaves, bytes) = generate(path, events)?;
    let gen_time = t.elapsed();
    println!(
        "seal + write       {:>8.2} s  {:>12.0} events/s  ({} bytes, {:.0} bytes/event)",
        gen_time.as_secs_f64(),
        per_sec(events as f64, gen_time),
        bytes,
        bytes as f64 / events as f64
    );

    let t = Instant::now();
    let parsed = parse_only(path)?;
    let parse_time = t.elapsed();
    if parsed != events {
        return Err(format!("parsed {parsed} of {events} events").into());
    }
    println!(
        "read + parse only  {:>8.2} s  {:>12.0} events/s  {:>8.1} MB/s",
        parse_time.as_secs_f64(),
        per_sec(events as f64, parse_time),
        per_sec(bytes as f64, parse_time) / 1e6
    );

    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let t = Instant::now();
    let report = verify(path, &head, 1)?;
    let one_time = t.elapsed();
    if !report.intact || report.checked != events {
        return Err(format!("verification failed: {report:?}").into());
    }
    println!(
        "(a1) Verifier, 1 thread {:>5.2} s  {:>12.0} events/s  {:>8.1} MB/s  (intact, {} checked)",
        one_time.as_secs_f64(),
        per_sec(events as f64, one_time),
        per_sec(bytes as f64, one_time) / 1e6,
        report.checked
    );

    let t = Instant::now();
    let report = verify(path, &head, threads)?;
    let verify_time = t.elapsed();
    if !report.intact || report.checked != events {
        return Err(format!("verification failed: {report:?}").into());
    }
    println!(
        "(a) Verifier, {threads} threads {:>4.2} s  {:>12.0} events/s  {:>8.1} MB/s  (intact, {} checked)",
        verify_time.as_secs_f64(),
        per_sec(events as f64, verify_time),
        per_sec(bytes as f64, verify_time) / 1e6,
        report.checked
    );

    breakdown(path, 100_000)?;

    let t = Instant::now();
    let out = Command::new("sha256sum").arg(path).output()?;
    let sha_time = t.elapsed();
    if !out.status.success() {
        return Err(format!("sha256sum failed: {}", out.status).into());
    }
    let digest = String::from_utf8_lossy(&out.stdout);
    println!(
        "(b) sha256sum      {:>8.2} s  {:>12.0} events/s  {:>8.1} MB/s  ({})",
        sha_time.as_secs_f64(),
        per_sec(events as f64, sha_time),
        per_sec(bytes as f64, sha_time) / 1e6,
        digest.split_whitespace().next().unwrap_or("?")
    );

    let t = Instant::now();
    let out = Command::new("openssl")
        .args(["dgst", "-sha256"])
        .arg(path)
        .output()?;
    let openssl_time = t.elapsed();
    if !out.status.success() {
        return Err(format!("openssl dgst failed: {}", out.status).into());
    }
    let line = String::from_utf8_lossy(&out.stdout);
    println!(
        "(b') openssl dgst   {:>8.2} s  {:>12.0} events/s  {:>8.1} MB/s  ({})",
        openssl_time.as_secs_f64(),
        per_sec(events as f64, openssl_time),
        per_sec(bytes as f64, openssl_time) / 1e6,
        line.rsplit(' ').next().unwrap_or("?").trim()
    );

    let want = head.frontier.root()?;
    let t = Instant::now();
    let mut f = Frontier::empty();
    f.extend(leaves.iter().copied())?;
    let root = f.root()?;
    let frontier_time = t.elapsed();
    if root != want {
        return Err("Frontier root differs from the head's".into());
    }
    println!(
        "(c) Frontier root  {:>8.2} s  {:>12.0} leaves/s  (root {})",
        frontier_time.as_secs_f64(),
        per_sec(events as f64, frontier_time),
        tlog::hex(&root)
    );

    let t = Instant::now();
    let raw = raw_root(&leaves);
    let raw_time = t.elapsed();
    if raw != want {
        return Err("raw compact-range root differs from the head's".into());
    }
    println!(
        "    raw stack root {:>8.2} s  {:>12.0} leaves/s  (no hex; node hashes only)",
        raw_time.as_secs_f64(),
        per_sec(events as f64, raw_time),
    );
    println!(
        "Verifier / sha256sum time: {:.2}x",
        verify_time.as_secs_f64() / sha_time.as_secs_f64()
    );
    println!(
        "Verifier / openssl dgst -sha256 time: {:.2}x",
        verify_time.as_secs_f64() / openssl_time.as_secs_f64()
    );
    Ok(())
}
