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
    let checkpoints: Vec<Value> =
        serde_json::from_slice(files.get(CHECKPOINTS).copied().unwrap_or_default())
            .map_err(|e| fail(CHECKPOINTS, "checkpoints.schema", e.to_string()))?;
    let policies: Vec<Value> =
        serde_json::from_slice(files.get(POLICY_VERSIONS).copied().unwrap_or_default())
            .map_err(|e| fail(POLICY_VERSIONS, "policy.schema", e.to_string()))?;
    let counts: BTreeMap<String, u64> = [
        (REQUESTS, requests.rows.len()),
        (GRANTS, grants.rows.len()),
        (JOBS, jobs.rows.len()),
        (DECISIONS, decisions.rows.len()),
        (AUDIT, v.events.len()),
        (CHECKPOINTS, checkpoints.len()),
        (POLICY_VERSIONS, policies.len()),
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

    let find = |action: &str, subject: &str| {
        v.events
            .iter()
            .find(|e| e.action == action && e.subject == subject)
    };
    let s = |e: &AuditEvent, k: &str| e.data.get(k).and_then(Value::as_str).map(str::to_owned);

    // Decisions: exactly the ones the events record, in order.
    let issue_of = |id: &str| {
        requests
            .rows
            .iter()
            .find(|(_, r)| r[0] == id)
            .map(|(_, r)| r[1].clone())
    };
    let derived =
        records::derive_decisions_with(&v.events, m.window.from_ms, m.window.to_ms, &issue_of);
    for (i, (line, row)) in decisions.rows.iter().enumerate() {
        match derived.get(i) {
            Some(d)
                if d.to_row()
                    .iter()
                    .map(|c| records::csv_cell(c))
                    .eq(row.iter().cloned()) => {}
            Some(d) => {
                return Err(fail(
                    DECISIONS,
                    "cross.decision",
                    format!("the row does not match the audit event at seq {}", d.seq),
                )
                .line(*line)
                .seq(d.seq));
            }
            None => {
                return Err(fail(
                    DECISIONS,
                    "cross.decision",
                    "no audit event records this decision",
                )
                .line(*line));
            }
        }
    }
    if let Some(d) = derived.get(decisions.rows.len()) {
        return Err(fail(
            DECISIONS,
            "cross.decision",
            format!("the decision recorded at seq {} has no row", d.seq),
        )
        .seq(d.seq));
    }
    if !policies.is_empty() {
        let versions: BTreeSet<u64> = policies
            .iter()
            .filter_map(|p| p.get("version").and_then(Value::as_u64))
            .collect();
        for ((line, _), d) in decisions.rows.iter().zip(&derived) {
            if let Some(g) = d.governance_version
                && !versions.is_empty()
                && !versions.contains(&g)
            {
                return Err(fail(
                    DECISIONS,
                    "cross.policy",
                    format!("governance version {g} is not in policy-versions.json"),
                )
                .line(*line)
                .seq(d.seq));
            }
        }
    }

    // Grants: an approval decision and a grant.created event each.
    for (line, g) in &grants.rows {
        if !derived
            .iter()
            .any(|d| d.request_id == g[1] && d.decision == "approved")
        {
            return Err(fail(
                GRANTS,
                "cross.grant",
                format!(
                    "grant {} has no approval of request {} in decisions.csv",
                    g[0], g[1]
                ),
            )
            .line(*line));
        }
        let Some(e) = find("grant.created", &format!("grant:{}", g[0])) else {
            return Err(fail(
                GRANTS,
                "cross.grant",
                format!("grant {} has no grant.created event", g[0]),
            )
            .line(*line));
        };
        if s(e, "account").is_some_and(|a| a != g[3]) || s(e, "tool").is_some_and(|t| t != g[4]) {
            return Err(fail(
                GRANTS,
                "cross.grant",
                format!("grant {} differs from its grant.created event", g[0]),
            )
            .line(*line)
            .seq(e.seq));
        }
    }

    // Requests: a request.created event when the events cover its creation.
    let (first_at, last_at) = match (v.events.first(), v.events.last()) {
        (Some(a), Some(b)) => (a.at, b.at),
        _ => (i64::MAX, i64::MIN),
    };
    for (line, r) in &requests.rows {
        let created = crate::time::parse_rfc3339(&r[20])
            .ok_or_else(|| fail(REQUESTS, "csv.parse", "createdAt is not a time").line(*line))?;
        match find("request.created", &format!("request:{}", r[0])) {
            Some(e) => {
                let n = e.data.get("durationDays").and_then(Value::as_u64);
                if e.actor != r[3]
                    || s(e, "issueKey").is_some_and(|k| k != r[1])
                    || s(e, "tool").is_some_and(|t| t != r[4])
                    || n.is_some_and(|n| n.to_string() != r[7])
                {
                    return Err(fail(
                        REQUESTS,
                        "cross.request",
                        format!("request {} differs from its request.created event", r[0]),
                    )
                    .line(*line)
                    .seq(e.seq));
                }
            }
            None if created > first_at && created <= last_at => {
                return Err(fail(
                    REQUESTS,
                    "cross.request",
                    format!("request {} has no request.created event", r[0]),
                )
                .line(*line));
            }
            None => {}
        }
    }

    // Jobs: when the log records the job's queuing, the grant agrees.
    for (line, j) in &jobs.rows {
        if let Some(e) = find("job.queued", &format!("job:{}", j[0]))
            && s(e, "grant").is_some_and(|g| g != j[2])
        {
            return Err(fail(
                JOBS,
                "cross.job",
                format!("job {} differs from its job.queued event", j[0]),
            )
            .line(*line)
            .seq(e.seq));
        }
    }
    Ok(())
}
