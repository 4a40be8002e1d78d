//! Building a pack: render every file from the [`PackInput`], list their
//! digests in the manifest, sign the manifest with a DSSE envelope, zip.

use super::dsse::{DsseEnvelope, Statement};
use super::manifest::{FileEntry, Manifest, ManifestPrevious, Scope, Window};
use super::records::{
    self, CONNECTOR_COLUMNS, DECISION_COLUMNS, GRANT_COLUMNS, JOB_COLUMNS, RECONCILIATION_COLUMNS,
    REQUEST_COLUMNS,
};
use super::*;
use crate::audit::sha256_hex;
use crate::tlog::LogSigner;
use std::collections::BTreeMap;

/// The data files, named, in [`DATA_FILES`] order.
pub type DataFiles = Vec<(&'static str, Vec<u8>)>;

const README_TEXT: &str = include_str!("README.txt");

fn json_err(what: &'static str) -> impl Fn(serde_json::Error) -> PackError {
    move |e| PackError::Json {
        what,
        message: e.to_string(),
    }
}

fn pretty<T: serde::Serialize>(what: &'static str, v: &T) -> Result<Vec<u8>, PackError> {
    let mut out = serde_json::to_vec_pretty(v).map_err(json_err(what))?;
    out.push(b'\n');
    Ok(out)
}

/// Renders the data files (all but the manifest and the envelope, in
/// [`DATA_FILES`] order) and the manifest that lists them, unsigned.
pub fn render_files(input: &PackInput) -> Result<(Manifest, DataFiles), PackError> {
    let mut requests: Vec<&crate::model::Request> = input.requests.iter().collect();
    requests.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let mut grants: Vec<&crate::model::Grant> = input.grants.iter().collect();
    grants.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let mut jobs: Vec<&crate::model::Job> = input.jobs.iter().collect();
    jobs.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let mut events: Vec<&crate::audit::AuditEvent> = input.events.iter().collect();
    events.sort_by_key(|e| e.seq);
    let mut checkpoints = input.checkpoints.clone();
    checkpoints.sort_by_key(|c| c.size);

    // The decisions are the fold's: from the starting state, every event
    // after it.
    let mut folded = input.state.clone();
    folded
        .apply_all(
            events
                .iter()
                .copied()
                .filter(|e| e.seq >= input.proven_from),
        )
        .map_err(|e| {
            PackError::Invalid(format!("the fold stops at seq {}: {}", e.seq, e.message))
        })?;
    // So are the connectors and the drift findings.
    let folded_tables = folded.tables(input.from, input.to);
    let decisions = folded_tables.decisions;

    let (requests_csv, n_requests) = records::write_csv(
        REQUESTS,
        &REQUEST_COLUMNS,
        requests.iter().map(|r| records::request_row(r)),
    )?;
    let (grants_csv, n_grants) = records::write_csv(
        GRANTS,
        &GRANT_COLUMNS,
        grants.iter().map(|g| records::grant_row(g)),
    )?;
    let (jobs_csv, n_jobs) =
        records::write_csv(JOBS, &JOB_COLUMNS, jobs.iter().map(|j| records::job_row(j)))?;
    let (decisions_csv, n_decisions) = records::write_csv(DECISIONS, &DECISION_COLUMNS, decisions)?;
    let (connectors_csv, n_connectors) =
        records::write_csv(CONNECTORS, &CONNECTOR_COLUMNS, folded_tables.connectors)?;
    let (reconciliation_csv, n_reconciliation) = records::write_csv(
        RECONCILIATION,
        &RECONCILIATION_COLUMNS,
        folded_tables.reconciliations,
    )?;
    let mut audit = Vec::new();
    for e in &events {
        audit.extend(serde_json::to_vec(e).map_err(json_err("audit event"))?);
        audit.push(b'\n');
    }
    let checkpoints_json = pretty(CHECKPOINTS, &checkpoints)?;
    let policy_json = pretty(POLICY_VERSIONS, &input.policy_versions)?;
    let state_json = pretty(STATE_FILE, &input.state)?;

    let records: BTreeMap<String, u64> = [
        (REQUESTS, n_requests),
        (GRANTS, n_grants),
        (JOBS, n_jobs),
        (DECISIONS, n_decisions),
        (CONNECTORS, n_connectors),
        (RECONCILIATION, n_reconciliation),
        (AUDIT, events.len() as u64),
        (CHECKPOINTS, checkpoints.len() as u64),
        (POLICY_VERSIONS, input.policy_versions.len() as u64),
        (
            STATE_FILE,
            (input.state.requests.len()
                + input.state.grants.len()
                + input.state.jobs.len()
                + input.state.decisions.len()
                + input.state.connectors.len()
                + input.state.reconciliations.len()) as u64,
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();

    let data: DataFiles = vec![
        (README, README_TEXT.as_bytes().to_vec()),
        (REQUESTS, requests_csv),
        (GRANTS, grants_csv),
        (JOBS, jobs_csv),
        (DECISIONS, decisions_csv),
        (CONNECTORS, connectors_csv),
        (RECONCILIATION, reconciliation_csv),
        (AUDIT, audit),
        (CHECKPOINTS, checkpoints_json),
        (POLICY_VERSIONS, policy_json),
        (STATE_FILE, state_json),
        (VERIFY_PAGE, input.verifier_page.as_bytes().to_vec()),
    ];
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        scope: Scope {
            origin: input.origin.clone(),
        },
        window: Window {
            from: iso_millis(input.from),
            to: iso_millis(input.to),
            from_ms: input.from,
            to_ms: input.to,
        },
        query: input.query.clone(),
        generated_at: iso_millis(input.generated_at),
        generated_at_ms: input.generated_at,
        generator: input.generator.clone(),
        requested_by: input.requested_by.clone(),
        records,
        first_seq: events.first().map(|e| e.seq),
        last_seq: events.last().map(|e| e.seq),
        files: Vec::new(),
        checkpoint: input.checkpoint.clone(),
        previous: input.previous.as_ref().map(|p| ManifestPrevious {
            checkpoint: p.checkpoint.clone(),
            consistency_proof: p.proof.clone(),
        }),
        keys: input.keys.clone(),
        prefix: input.prefix.clone(),
        prune: input.prune.clone(),
        proven_from: ProvenFrom {
            seq: input.proven_from,
            digest: input.state.digest(),
        },
    };
    Ok((manifest, data))
}

/// Lists `data` in `manifest.files` (overwriting it), signs the manifest
/// and zips everything. `data` must hold the [`DATA_FILES`], in order.
pub fn assemble(
    mut manifest: Manifest,
    data: &[(&str, Vec<u8>)],
    signer: &LogSigner,
) -> Result<Vec<u8>, PackError> {
    manifest.files = data
        .iter()
        .map(|(name, bytes)| FileEntry {
            name: (*name).to_owned(),
            sha256: sha256_hex(bytes),
            size: bytes.len() as u64,
        })
        .collect();
    let manifest_bytes = pretty(MANIFEST, &manifest)?;
    let manifest_sha = sha256_hex(&manifest_bytes);
    let mut subjects: Vec<(&str, String)> = vec![(MANIFEST, manifest_sha.clone())];
    subjects.extend(
        manifest
            .files
            .iter()
            .map(|f| (f.name.as_str(), f.sha256.clone())),
    );
    let envelope = DsseEnvelope::sign(&Statement::new(&subjects, &manifest_sha), signer)?;
    let envelope_bytes = pretty(ENVELOPE, &envelope)?;
    let mut entries: Vec<(&str, &[u8])> = vec![
        (MANIFEST, &manifest_bytes[..]),
        (ENVELOPE, &envelope_bytes[..]),
    ];
    entries.extend(data.iter().map(|(n, b)| (*n, &b[..])));
    write_zip(&entries)
}

/// Builds the evidence pack for `input`, signed by `signer` (the log's
/// current key). The same input gives the same bytes.
pub fn build(input: &PackInput, signer: &LogSigner) -> Result<Vec<u8>, PackError> {
    if !input
        .keys
        .iter()
        .any(|k| k.current && k.key_id == signer.key_id())
    {
        return Err(PackError::Invalid(format!(
            "the signing key {} is not the current key among the pack's keys",
            signer.key_id()
        )));
    }
    let (manifest, data) = render_files(input)?;
    assemble(manifest, &data, signer)
}
