//! The invariants, each a named function over the world's state. The
//! cheap ones run after every step; the audit verification at intervals and
//! at the end; the liveness ones once faults have stopped and the quiescent
//! phase has spent the retry budget.

use crate::ports::World;
use aigis_platform::Storage;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// A broken invariant: which, and what was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub invariant: &'static str,
    pub detail: String,
}

pub type Check = Result<(), Violation>;

fn fail(invariant: &'static str, detail: String) -> Check {
    Err(Violation { invariant, detail })
}

/// The state the checks read, decoded once.
pub struct State {
    pub requests: Vec<Value>,
    pub grants: Vec<Value>,
    pub jobs: Vec<Value>,
    pub notices: Vec<Value>,
    pub audit: Vec<Value>,
    pub markers: BTreeMap<String, u32>,
}

impl State {
    /// The state with its audit log and outbox (`with_audit`) or without (cheaper).
    pub fn read(w: &World, with_audit: bool) -> State {
        let mut audit = if with_audit {
            w.entities("audit")
        } else {
            Vec::new()
        };
        audit.sort_by_key(|e| e["seq"].as_u64());
        State {
            requests: w.entities("request"),
            grants: w.entities("grant"),
            jobs: w.entities("job"),
            notices: if with_audit {
                w.entities("outbox")
            } else {
                Vec::new()
            },
            audit,
            markers: w.jira().marker_counts(),
        }
    }
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// At most one open (pending provision or active) grant per person and tool.
pub fn one_open_grant_per_person_and_tool(st: &State) -> Check {
    let mut seen: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for g in &st.grants {
        if (g["status"] == "active" || g["status"] == "pendingProvision")
            && let Some(other) = seen.insert((s(&g["account"]), s(&g["tool"])), s(&g["id"]))
        {
            return fail(
                "one_open_grant_per_person_and_tool",
                format!(
                    "{} and {} are both open for {} / {}",
                    other, g["id"], g["account"], g["tool"]
                ),
            );
        }
    }
    Ok(())
}

/// Every grant belongs to an approved request of its holder.
pub fn grants_trace_to_approved_requests(st: &State) -> Check {
    let requests: BTreeMap<&str, &Value> = st.requests.iter().map(|r| (s(&r["id"]), r)).collect();
    for g in &st.grants {
        match requests.get(s(&g["request"])) {
            Some(r)
                if r["decision"] == "approved"
                    && r["requester"] == g["account"]
                    && r["grant"] == g["id"] => {}
            Some(r) => {
                return fail(
                    "grants_trace_to_approved_requests",
                    format!(
                        "grant {} has request {} decided {} for {} (grant {})",
                        g["id"], r["id"], r["decision"], r["requester"], r["grant"]
                    ),
                );
            }
            None => {
                return fail(
                    "grants_trace_to_approved_requests",
                    format!("grant {} has no request {}", g["id"], g["request"]),
                );
            }
        }
    }
    Ok(())
}

/// Whoever raised or benefits from a request never approved it, and nobody
/// completed the provisioning of a grant they hold or raised.
pub fn duties_separated(st: &State) -> Check {
    for r in &st.requests {
        let parties = [s(&r["requester"]), s(&r["raisedBy"])];
        for by in [&r["decidedBy"], &r["firstApproval"]["by"]] {
            if r["decision"] == "approved" && by.is_string() && parties.contains(&s(by)) {
                return fail(
                    "duties_separated",
                    format!("request {} was approved by its party {by}", r["id"]),
                );
            }
        }
    }
    let grants: BTreeMap<&str, &Value> = st.grants.iter().map(|g| (s(&g["id"]), g)).collect();
    for j in &st.jobs {
        if let (Some(by), Some(g)) = (j["completedBy"].as_str(), grants.get(s(&j["grant"])))
            && (g["account"] == by || g["raisedBy"] == by)
        {
            return fail(
                "duties_separated",
                format!(
                    "job {} of grant {} was completed by its party {by}",
                    j["id"], g["id"]
                ),
            );
        }
    }
    Ok(())
}

/// Each outbox notice reaches Jira at most once: no marker on two comments.
pub fn notices_at_most_once(st: &State) -> Check {
    match st.markers.iter().find(|(_, n)| **n > 1) {
        Some((m, n)) => fail(
            "notices_at_most_once",
            format!("notice {m} was posted {n} times"),
        ),
        None => Ok(()),
    }
}

/// Every state change has exactly one audit event: replaying the events
/// gives each request, grant and job exactly the state stored, every
/// stored item has its creating event once, the log has no gap, and no
/// event speaks of an item that was lost.
pub fn audit_matches_state(st: &State) -> Check {
    const NAME: &str = "audit_matches_state";
    for (i, e) in st.audit.iter().enumerate() {
        if e["seq"].as_u64() != Some(i as u64 + 1) {
            return fail(
                NAME,
                format!("audit event {} is at position {}", e["seq"], i + 1),
            );
        }
    }
    let mut created: BTreeMap<String, u32> = BTreeMap::new();
    let mut status: BTreeMap<String, String> = BTreeMap::new();
    let mut expiry: BTreeMap<String, i64> = BTreeMap::new();
    let mut pruned: BTreeSet<String> = BTreeSet::new();
    for e in &st.audit {
        let subject = s(&e["subject"]).to_owned();
        let data = &e["data"];
        let set = |status: &mut BTreeMap<String, String>, v: &str| {
            status.insert(subject.clone(), v.to_owned());
        };
        match s(&e["action"]) {
            "request.created" | "grant.created" | "job.queued" => {
                *created.entry(subject.clone()).or_default() += 1;
                let first = match s(&e["action"]) {
                    "request.created" => "pending",
                    "grant.created" => "pendingProvision",
                    _ => "queued",
                };
                set(&mut status, first);
            }
            "request.approved" => set(&mut status, "approved"),
            "request.denied" => set(&mut status, "denied"),
            "grant.activated" => {
                set(&mut status, s(&data["status"]));
                expiry.insert(subject.clone(), data["expiresAt"].as_i64().unwrap_or(0));
            }
            "grant.extended" => {
                if data["revived"] == true {
                    set(&mut status, "revived");
                }
                expiry.insert(subject.clone(), data["expiresAt"].as_i64().unwrap_or(0));
            }
            "grant.expired" => set(&mut status, "expired"),
            "grant.revoked" => set(&mut status, "revoked"),
            "job.manualPending" => set(&mut status, "manualPending"),
            "job.completed" | "job.cancelled" => set(&mut status, "completed"),
            "job.running" => set(&mut status, "running"),
            "job.retry" => set(&mut status, "retry"),
            "job.succeeded" => set(&mut status, "succeeded"),
            "job.deadLetter" => set(&mut status, "deadLetter"),
            "jobs.pruned" => {
                for k in data["jobs"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                {
                    pruned.insert(format!("job:{}", s(k)));
                }
            }
            _ => {}
        }
    }
    let mut stored: BTreeSet<String> = BTreeSet::new();
    let items = st
        .requests
        .iter()
        .map(|r| ("request", r, s(&r["decision"])))
        .chain(st.grants.iter().map(|g| ("grant", g, s(&g["status"]))))
        .chain(st.jobs.iter().map(|j| ("job", j, s(&j["status"]))));
    for (kind, item, state) in items {
        let subject = format!("{kind}:{}", s(&item["id"]));
        let n = created.get(&subject).copied().unwrap_or(0);
        if n != 1 {
            return fail(NAME, format!("{subject} has {n} creating events"));
        }
        let replayed = status.get(&subject).map(String::as_str).unwrap_or("");
        let same = replayed == state
            || (replayed == "revived" && (state == "active" || state == "pendingProvision"));
        if !same {
            return fail(
                NAME,
                format!("{subject} is {state} but its events say {replayed}"),
            );
        }
        if kind == "grant"
            && state == "active"
            && let Some(x) = expiry.get(&subject)
            && item["expiresAt"].as_i64() != Some(*x)
        {
            return fail(
                NAME,
                format!(
                    "{subject} expires at {} but its events say {x}",
                    item["expiresAt"]
                ),
            );
        }
        stored.insert(subject);
    }
    for subject in created.keys() {
        if !stored.contains(subject) && !pruned.contains(subject) {
            return fail(NAME, format!("{subject} has events but is not stored"));
        }
    }
    Ok(())
}

/// The hash chain, the Merkle tree, the MACs and every checkpoint verify
/// (the app's own verifier, `aigis_app::audit::verify`).
pub fn audit_log_verifies(w: &World) -> Check {
    const NAME: &str = "audit_log_verifies";
    let storage = w.storage();
    let secrets = w.secrets();
    match aigis_app::audit::verify::verify(&*storage, &*secrets) {
        Ok(r) if r.intact => {}
        Ok(r) => return fail(NAME, format!("chain broken: {:?}", r.first_break)),
        Err(e) => return fail(NAME, format!("verify failed: {}", e.log_text())),
    }
    let keys: Option<aigis_app::audit::checkpoints::LogKeys> = storage
        .get(aigis_app::names::LOG_KEYS)
        .ok()
        .flatten()
        .and_then(|raw| serde_json::from_str(&raw).ok());
    for (k, raw) in storage.entities_of(aigis_app::names::CHECKPOINT) {
        let cp: Value = serde_json::from_str(&raw).unwrap_or(Value::Null);
        let Some(vkey) = keys
            .as_ref()
            .and_then(|ks| ks.verifier_key(s(&cp["keyId"])))
        else {
            return fail(
                NAME,
                format!("checkpoint {k}: key {} is not on record", cp["keyId"]),
            );
        };
        let opened = match aigis_core::tlog::open_checkpoint(s(&cp["note"]), vkey, None) {
            Ok(o) => o,
            Err(e) => return fail(NAME, format!("checkpoint {k}: {e}")),
        };
        let nodes = aigis_app::audit::store::StoredNodes(&*storage);
        match aigis_core::tlog::root_at(&nodes, opened.size) {
            Ok(root) if root == opened.root => {}
            Ok(_) => {
                return fail(
                    NAME,
                    format!("checkpoint {k}: the stored tree does not match the signed root"),
                );
            }
            Err(e) => return fail(NAME, format!("checkpoint {k}: {e}")),
        }
    }
    Ok(())
}

/// No secret value the site holds appears in a log line.
pub fn secrets_stay_secret(w: &World, secrets: &[String]) -> Check {
    let logs = w.logs.lock().unwrap_or_else(|e| e.into_inner());
    for line in logs.iter() {
        if let Some(sec) = secrets
            .iter()
            .find(|sec| sec.len() >= 16 && line.contains(sec.as_str()))
        {
            return fail(
                "secrets_stay_secret",
                format!("a log line holds secret {}…", &sec[..4]),
            );
        }
    }
    Ok(())
}

/// The checks that hold at every step (the audit replay only when the
/// state was read with its audit log).
pub fn every_step(st: &State) -> Check {
    one_open_grant_per_person_and_tool(st)?;
    grants_trace_to_approved_requests(st)?;
    duties_separated(st)?;
    notices_at_most_once(st)?;
    if st.audit.is_empty() {
        return Ok(());
    }
    audit_matches_state(st)
}

/// After faults stopped and the retry budget was spent: every notice
/// delivered (or given up after all its attempts), exactly once.
pub fn notices_delivered(st: &State, max_attempts: u32) -> Check {
    for n in &st.notices {
        let id = s(&n["id"]);
        let comment = n["action"]["type"] == "comment";
        match s(&n["status"]) {
            "sent" if comment && st.markers.get(id).copied().unwrap_or(0) != 1 => {
                return fail(
                    "notices_delivered",
                    format!(
                        "notice {id} is sent but Jira has {} comments with its marker",
                        st.markers.get(id).copied().unwrap_or(0)
                    ),
                );
            }
            "sent" => {}
            "failed" if n["attempts"].as_u64() >= Some(u64::from(max_attempts)) => {}
            other => {
                return fail(
                    "notices_delivered",
                    format!(
                        "notice {id} is still {other} after {} attempts",
                        n["attempts"]
                    ),
                );
            }
        }
    }
    Ok(())
}

/// Once retries are spent every job is settled.
pub fn jobs_settled(st: &State) -> Check {
    for j in &st.jobs {
        if !matches!(
            s(&j["status"]),
            "succeeded" | "completed" | "deadLetter" | "manualPending"
        ) {
            return fail(
                "jobs_settled",
                format!("job {} is still {}", j["id"], j["status"]),
            );
        }
    }
    Ok(())
}

/// No grant is active past its expiry (`now`: when the last clean job-runner run started).
pub fn no_grant_active_past_expiry(st: &State, now: i64) -> Check {
    for g in &st.grants {
        if g["status"] == "active" && g["expiresAt"].as_i64().is_some_and(|x| x <= now) {
            return fail(
                "no_grant_active_past_expiry",
                format!(
                    "grant {} expired at {} but is active at {now}",
                    g["id"], g["expiresAt"]
                ),
            );
        }
    }
    Ok(())
}

/// Every revoked or expired grant has its removal queued or done.
pub fn ended_grants_have_removal(st: &State) -> Check {
    for g in st
        .grants
        .iter()
        .filter(|g| g["status"] == "revoked" || g["status"] == "expired")
    {
        let removal = st
            .jobs
            .iter()
            .any(|j| j["grant"] == g["id"] && j["kind"] == "deprovision");
        let never_provisioned = g["activatedAt"].is_null();
        if !removal && !never_provisioned {
            return fail(
                "ended_grants_have_removal",
                format!("grant {} is {} without a removal job", g["id"], g["status"]),
            );
        }
    }
    Ok(())
}

/// Every product event was handled: each portal issue became a request,
/// or was rejected with a reason on the issue.
pub fn events_handled(w: &World, st: &State) -> Check {
    let requests: BTreeSet<&str> = st.requests.iter().map(|r| s(&r["id"])).collect();
    let rejected: BTreeSet<String> = st
        .audit
        .iter()
        .filter(|e| e["action"] == "request.rejected")
        .map(|e| s(&e["subject"]).trim_start_matches("issue:").to_owned())
        .collect();
    let jira = w.jira();
    for i in jira
        .issues
        .iter()
        .filter(|i| i.issue_type == "Service Request")
    {
        if !requests.contains(i.id.as_str()) && !rejected.contains(&i.id) {
            return fail(
                "events_handled",
                format!("issue {} was neither ingested nor rejected", i.key),
            );
        }
    }
    Ok(())
}

/// Connected tools, once settled: the group holds exactly who Aigis says.
/// For each person the identity provider knows (pairs changed out of band
/// are left to drift): a member holds an open grant, or the removal that
/// ended theirs is visibly unfinished (dead-lettered or handed to a
/// person); and an active grant whose provisioning succeeded through the
/// connector is a member.
pub fn connected_groups_match_grants(w: &World, st: &State) -> Check {
    for t in &w.idp.tools {
        let members = match w.idp.members(t) {
            Ok(m) => m,
            Err(e) => return fail("connected_groups_match_grants", e),
        };
        for account in t.users.keys() {
            if w.idp.touched(t.tool, account) {
                continue;
            }
            let grants: Vec<&Value> = st
                .grants
                .iter()
                .filter(|g| s(&g["account"]) == account && s(&g["tool"]) == t.tool)
                .collect();
            let jobs_of = |kind: &str| -> Vec<&Value> {
                st.jobs
                    .iter()
                    .filter(|j| j["kind"] == kind && grants.iter().any(|g| g["id"] == j["grant"]))
                    .collect()
            };
            let open = grants
                .iter()
                .any(|g| g["status"] == "active" || g["status"] == "pendingProvision");
            let member = members.contains(account);
            if member && !open {
                let unfinished = jobs_of("deprovision")
                    .iter()
                    .any(|j| matches!(j["status"].as_str(), Some("deadLetter" | "manualPending")));
                if !unfinished {
                    return fail(
                        "connected_groups_match_grants",
                        format!(
                            "{account} is in the {} group without an open grant, and no removal is left unfinished (jobs {:?})",
                            t.tool,
                            jobs_of("deprovision")
                        ),
                    );
                }
            }
            let provisioned = grants.iter().any(|g| {
                g["status"] == "active"
                    && st.jobs.iter().any(|j| {
                        j["grant"] == g["id"]
                            && j["kind"] == "provision"
                            && j["status"] == "succeeded"
                            && j["mode"]["type"] == "connector"
                    })
            });
            if provisioned && !member {
                return fail(
                    "connected_groups_match_grants",
                    format!(
                        "{account} holds an active {} grant provisioned through the connector but is not in its group",
                        t.tool
                    ),
                );
            }
        }
    }
    Ok(())
}
