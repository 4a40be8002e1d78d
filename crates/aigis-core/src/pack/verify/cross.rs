//! The tables (CSV) and their consistency with the log and each other.

use super::*;

pub(super) fn table(files: &BTreeMap<&str, &[u8]>, name: &str, header: &[&str]) -> Check<Table> {
    records::read_csv(files.get(name).copied().unwrap_or_default(), header).map_err(|(line, m)| {
        let rule = if line <= 1 { "csv.header" } else { "csv.parse" };
        fail(name, rule, m).line(line)
    })
}

pub(super) fn cross_check(
    files: &BTreeMap<&str, &[u8]>,
    v: &Verified,
    report: &mut VerifyReport,
) -> Check<()> {
    let m = &v.manifest;
    let requests = table(files, REQUESTS, &REQUEST_COLUMNS)?;
    let grants = table(files, GRANTS, &GRANT_COLUMNS)?;
    let jobs = table(files, JOBS, &JOB_COLUMNS)?;
    let decisions = table(files, DECISIONS, &DECISION_COLUMNS)?;
    let connectors = table(files, CONNECTORS, &CONNECTOR_COLUMNS)?;
    let reconciliation = table(files, RECONCILIATION, &RECONCILIATION_COLUMNS)?;
    let checkpoints: Vec<Value> =
        serde_json::from_slice(files.get(CHECKPOINTS).copied().unwrap_or_default())
            .map_err(|e| fail(CHECKPOINTS, "checkpoints.schema", e.to_string()))?;
    let state_count = {
        let raw = files.get(STATE_FILE).copied().unwrap_or_default();
        let st: State = serde_json::from_slice(raw)
            .map_err(|e| fail(STATE_FILE, "state.schema", format!("not a state: {e}")))?;
        st.requests.len()
            + st.grants.len()
            + st.jobs.len()
            + st.decisions.len()
            + st.connectors.len()
            + st.reconciliations.len()
    };
    let policies: Vec<Value> =
        serde_json::from_slice(files.get(POLICY_VERSIONS).copied().unwrap_or_default())
            .map_err(|e| fail(POLICY_VERSIONS, "policy.schema", e.to_string()))?;
    let counts: BTreeMap<String, u64> = [
        (REQUESTS, requests.rows.len()),
        (GRANTS, grants.rows.len()),
        (JOBS, jobs.rows.len()),
        (DECISIONS, decisions.rows.len()),
        (CONNECTORS, connectors.rows.len()),
        (RECONCILIATION, reconciliation.rows.len()),
        (AUDIT, v.events.len()),
        (CHECKPOINTS, checkpoints.len()),
        (POLICY_VERSIONS, policies.len()),
        (STATE_FILE, state_count),
    ]
    .into_iter()
    .map(|(k, n)| (k.to_owned(), n as u64))
    .collect();
    for (file, n) in &counts {
        if m.records.get(file) != Some(n) {
            return Err(fail(
                file,
                "records.count",
                format!("{n} records; the manifest says {:?}", m.records.get(file)),
            ));
        }
    }
    if m.records.len() != counts.len() {
        return Err(fail(
            MANIFEST,
            "records.count",
            "unexpected entries in records",
        ));
    }
    report.records = counts;

    // The tables: exactly the fold of the log from its proven state.
    let tables = super::tables::Csvs {
        requests: &requests,
        grants: &grants,
        jobs: &jobs,
        decisions: &decisions,
        connectors: &connectors,
        reconciliation: &reconciliation,
    };
    super::tables::check_fold(files, v, report, &tables)?;

    // Every decision's governance version is one policy-versions.json holds.
    if !policies.is_empty() {
        let versions: BTreeSet<u64> = policies
            .iter()
            .filter_map(|p| p.get("version").and_then(Value::as_u64))
            .collect();
        for (line, d) in &decisions.rows {
            let g = &d[DECISION_COLUMNS.len() - 2];
            let Ok(g) = g.parse::<u64>() else { continue };
            if !versions.is_empty() && !versions.contains(&g) {
                return Err(fail(
                    DECISIONS,
                    "cross.policy",
                    format!("governance version {g} is not in policy-versions.json"),
                )
                .line(*line)
                .field("governanceVersion"));
            }
        }
    }
    Ok(())
}
