//! A small, self-consistent audit history for pack tests: requests,
//! decisions, grants and jobs, sealed with `audit::seal`, checkpoints
//! signed by a `LogSigner` from a fixed seed. Shared by the core tests, the
//! host CLI test and the fuzz targets (included with `#[path]`).
#![allow(dead_code)]

use aigis_core::Millis;
use aigis_core::audit::{self, AuditEvent, Head, NewEvent};
use aigis_core::model::*;
use aigis_core::pack::fold::{self, RecordChange, State};
use aigis_core::pack::{PackInput, PreviousExport, PruneAnchor, PublicKeyRecord, StoredCheckpoint};
use aigis_core::tlog::{self, Frontier, Hash, LogSigner, NodeSource, TlogError};
use serde_json::json;

pub const ORIGIN: &str = "aigis.test/site-1/audit";
pub const SITE_KEY: &[u8] = b"test-site-key";
pub const T0: Millis = 1_767_225_600_000; // 2026-01-01T00:00:00Z
pub const STEP: Millis = 60_000;

pub fn signer(seed: u8) -> LogSigner {
    LogSigner::from_seed(ORIGIN, &[seed; 32]).expect("valid key name")
}

pub struct History {
    pub events: Vec<AuditEvent>,
    pub requests: Vec<Request>,
    pub grants: Vec<Grant>,
    pub jobs: Vec<Job>,
    /// (signer, seq of the event that introduced it)
    pub signers: Vec<(LogSigner, u64)>,
    /// Last seq of every commit, in order.
    pub commit_ends: Vec<u64>,
    /// `at` of every commit.
    pub commit_at: Vec<Millis>,
    /// Seqs of the `audit.state` events.
    pub states: Vec<u64>,
}

impl NodeSource for History {
    fn node(&self, level: u8, index: u64) -> Result<Hash, TlogError> {
        let missing = || TlogError::MissingNode {
            level,
            index,
            reason: "absent".into(),
        };
        let (seq, pos) = tlog::node_home(level, index).ok_or_else(missing)?;
        let e = self
            .events
            .get((seq as usize).wrapping_sub(1))
            .ok_or_else(missing)?;
        let h = if pos == 0 {
            &e.entry_hash
        } else {
            e.nodes.get(pos - 1).ok_or_else(missing)?
        };
        tlog::from_hex(h)
    }
}

struct Builder {
    head: Head,
    h: History,
    key_id: String,
}

/// The record change of `value` (a request, grant or job) for `data.records`.
pub fn rec<T: serde::Serialize>(entity: &str, key: &str, value: &T) -> RecordChange {
    RecordChange {
        entity: entity.into(),
        key: key.into(),
        value: Some(serde_json::to_value(value).expect("json")),
    }
}

impl Builder {
    /// When the next commit happens.
    fn next_at(&self) -> Millis {
        T0 + STEP * (self.h.commit_at.len() as Millis + 1)
    }

    /// Commits `events` with the record changes attached as the app does.
    fn commit_with(&mut self, mut events: Vec<NewEvent>, changes: Vec<RecordChange>) -> Millis {
        let left = fold::attach_records(&mut events, changes);
        assert!(left.is_empty());
        self.commit(events)
    }

    /// Commits an `audit.state` event over everything so far.
    fn state_event(&mut self) {
        let mut st = State::empty();
        st.apply_all(&self.h.events).expect("the fixture folds");
        self.commit(vec![NewEvent::new(
            "app:retention",
            fold::STATE_ACTION,
            fold::STATE_SUBJECT,
            st.event_data(),
        )]);
        self.h.states.push(self.head.seq);
    }

    fn commit(&mut self, events: Vec<NewEvent>) -> Millis {
        let at = self.next_at();
        let (sealed, head) =
            audit::seal(&self.head, at, &self.key_id, SITE_KEY, events).expect("seal");
        self.head = head;
        self.h.events.extend(sealed);
        self.h.commit_ends.push(self.head.seq);
        self.h.commit_at.push(at);
        at
    }
}

impl History {
    /// `n` requests: two in three approved (manual, auto-policy), one in
    /// three denied. With `rotate`, the log key rotates half way.
    pub fn new(n: usize, key_seed: u8, rotate: bool) -> History {
        History::with_tag(n, key_seed, rotate, "")
    }

    /// [`History::new`] with `tag` in every purpose: a different log.
    pub fn with_tag(n: usize, key_seed: u8, rotate: bool, tag: &str) -> History {
        let mut b = Builder {
            head: Head::genesis(),
            h: History {
                events: vec![],
                requests: vec![],
                grants: vec![],
                jobs: vec![],
                signers: vec![],
                commit_ends: vec![],
                commit_at: vec![],
                states: vec![],
            },
            key_id: "site-k1".into(),
        };
        let first = signer(key_seed);
        let connector_at = b.next_at();
        let connector = json!({"id": "okta", "name": "Okta, prod", "type": "okta-group",
            "enabled": true, "enforce": false, "orgUrl": "https://acme.okta.com", "auth": "ssws",
            "credentialSetAt": connector_at, "credentialVersion": 1,
            "createdAt": connector_at, "updatedAt": connector_at});
        b.commit_with(
            vec![
                NewEvent::new(
                    "app:aigis",
                    "audit.key.created",
                    "audit:key",
                    json!({"keyId": first.key_id(), "verifierKey": first.verifier_key()}),
                ),
                NewEvent::new(
                    "acct-admin",
                    "governance.updated",
                    "config:governance",
                    json!({"version": 1}),
                ),
                NewEvent::new(
                    "acct-admin",
                    "connector.created",
                    "connector:okta",
                    json!({"name": "Okta, prod", "type": "okta-group"}),
                ),
            ],
            vec![rec("connector", "okta", &connector)],
        );
        b.h.signers.push((first, 1));
        for i in 0..n {
            if rotate && i == n / 2 {
                let next = signer(key_seed.wrapping_add(100));
                b.commit(vec![NewEvent::new(
                    "app:aigis",
                    "audit.key.rotated",
                    "audit:key",
                    json!({"keyId": next.key_id(), "verifierKey": next.verifier_key()}),
                )]);
                let seq = b.head.seq;
                b.h.signers.push((next, seq));
            }
            let id = format!("{}", 10_000 + i);
            let key = format!("AI-{}", i + 1);
            let requester = format!("acct-{}", i % 7);
            let tool = ["chatgpt", "claude", "copilot"][i % 3].to_owned();
            if i > 0 && i % 4 == 0 {
                b.state_event();
            }
            let purpose = format!("Drafting, \"summaries\"\nfor team {i}{tag}");
            let created = b.next_at();
            let mut r = Request {
                id: id.clone(),
                issue_key: key.clone(),
                project_key: "AI".into(),
                requester: requester.clone(),
                raised_by: None,
                tool: tool.clone(),
                tool_name: tool.to_uppercase(),
                purpose,
                duration_days: 30,
                summary: format!("Access to {tool}"),
                description: String::new(),
                decision: Decision::Pending,
                decision_source: None,
                decided_by: None,
                decided_at: None,
                rationale: None,
                grant: None,
                governance_version: None,
                security_review: false,
                first_approval: None,
                batch: None,
                policy: None,
                created_at: created,
            };
            let mut events = vec![NewEvent::new(
                &requester,
                "request.created",
                &format!("request:{id}"),
                json!({"issueKey": key, "tool": tool, "durationDays": 30, "purpose": r.purpose}),
            )];
            let mut changes = vec![rec("request", &id, &r)];
            if i == 1 {
                // A drift finding of a connected tool, found by the daily check.
                let f = aigis_core::drift::Reconciliation {
                    id: "claude:extra:00u9".into(),
                    tool: "claude".into(),
                    connector: "okta".into(),
                    group_id: "00g1".into(),
                    kind: aigis_core::drift::DriftKind::Extra,
                    member: "00u9".into(),
                    member_type: None,
                    account: None,
                    grant: None,
                    status: aigis_core::drift::FindingStatus::Open,
                    first_seen_at: created,
                    last_seen_at: created,
                    resolved_at: None,
                    fix_job: None,
                    history: vec![],
                };
                events.push(NewEvent::new(
                    "app:drift",
                    "drift.found",
                    "reconciliation:claude:extra:00u9",
                    json!({"tool": "claude", "kind": "extra", "member": "00u9"}),
                ));
                changes.push(rec("reconciliation", &f.id, &f));
            }
            b.commit_with(events, changes);
            if i % 3 == 2 {
                let rationale = format!("not needed, case {i}");
                let at = b.next_at();
                r.decision = Decision::Denied;
                r.decision_source = Some(DecisionSource::Manual);
                r.decided_by = Some("acct-approver".into());
                r.decided_at = Some(at);
                r.rationale = Some(rationale.clone());
                r.governance_version = Some(1);
                b.commit_with(
                    vec![NewEvent::new(
                        "acct-approver",
                        "request.denied",
                        &format!("request:{id}"),
                        json!({"issueKey": key, "rationale": rationale, "governanceVersion": 1}),
                    )],
                    vec![rec("request", &id, &r)],
                );
            } else {
                let auto = i % 3 == 1;
                let actor = if auto { "app:aigis" } else { "acct-approver" };
                let gid = format!("g-{i}");
                let jid = format!("j-{i}");
                let data = if auto {
                    json!({"issueKey": key, "source": "autoPolicy", "policy": "p1", "governanceVersion": 1})
                } else {
                    json!({"issueKey": key, "source": "manual", "rationale": "ok", "governanceVersion": 1})
                };
                let at = b.next_at();
                r.decision = Decision::Approved;
                r.decision_source = Some(if auto {
                    DecisionSource::AutoPolicy
                } else {
                    DecisionSource::Manual
                });
                r.decided_by = Some(actor.into());
                r.decided_at = Some(at);
                r.rationale = (!auto).then(|| "ok".to_owned());
                r.grant = Some(gid.clone());
                r.governance_version = Some(1);
                r.policy = auto.then(|| "p1".to_owned());
                b.h.grants.push(Grant {
                    id: gid.clone(),
                    request: id.clone(),
                    issue_key: key.clone(),
                    account: requester.clone(),
                    raised_by: None,
                    tool: tool.clone(),
                    status: GrantStatus::PendingProvision,
                    duration_days: 30,
                    created_at: at,
                    activated_at: None,
                    expires_at: at + 30 * 86_400_000,
                    ended_at: None,
                    review_issue: None,
                    review_window: None,
                    review_answer: None,
                });
                b.h.jobs.push(Job {
                    id: jid.clone(),
                    kind: JobKind::Provision,
                    grant: gid.clone(),
                    mode: if auto {
                        JobMode::Connector("okta".into())
                    } else {
                        JobMode::Manual
                    },
                    status: JobStatus::ManualPending,
                    attempts: 0,
                    due_at: at,
                    created_at: at,
                    updated_at: at,
                    completed_by: None,
                    note: Some("note, with comma".into()),
                });
                let events = vec![
                    NewEvent::new(actor, "request.approved", &format!("request:{id}"), data),
                    NewEvent::new(
                        actor,
                        "grant.created",
                        &format!("grant:{gid}"),
                        json!({"account": requester, "tool": tool, "status": "pendingProvision", "durationDays": 30}),
                    ),
                    NewEvent::new(
                        actor,
                        "job.queued",
                        &format!("job:{jid}"),
                        json!({"kind": "provision", "grant": gid, "mode": "manual"}),
                    ),
                ];
                let changes = vec![
                    rec("request", &id, &r),
                    rec("grant", &gid, b.h.grants.last().expect("pushed")),
                    rec("job", &jid, b.h.jobs.last().expect("pushed")),
                ];
                b.commit_with(events, changes);
            }
            b.h.requests.push(r);
        }
        b.h
    }

    /// The signer in force for a tree of `size` leaves.
    pub fn signer_at(&self, size: u64) -> &LogSigner {
        &self
            .signers
            .iter()
            .rev()
            .find(|(_, seq)| *seq <= size.max(1))
            .expect("a first signer")
            .0
    }

    pub fn root(&self, size: u64) -> Hash {
        tlog::root_at(self, size).expect("root")
    }

    pub fn checkpoint(&self, size: u64) -> StoredCheckpoint {
        let s = self.signer_at(size);
        let root = self.root(size);
        StoredCheckpoint {
            size,
            root: tlog::hex(&root),
            note: s.sign_checkpoint(ORIGIN, size, root).expect("sign"),
            at: T0 + size as Millis,
            key_id: s.key_id(),
        }
    }

    pub fn keys(&self, size: u64) -> Vec<PublicKeyRecord> {
        let current = self.signer_at(size).key_id();
        self.signers
            .iter()
            .filter(|(_, seq)| *seq <= size.max(1))
            .map(|(s, seq)| PublicKeyRecord {
                key_id: s.key_id(),
                verifier_key: s.verifier_key(),
                created_at: T0,
                introduced_at_seq: *seq,
                current: s.key_id() == current,
            })
            .collect()
    }

    /// The pack for commits `from_commit..=to_commit`, its checkpoint at
    /// the end of `to_commit`, linked to the checkpoint of `previous` size.
    pub fn input(&self, from_commit: usize, to_commit: usize, previous: Option<u64>) -> PackInput {
        self.input_pruned(from_commit, to_commit, previous, 0)
    }

    /// [`History::input`] of a log whose events `1..=pruned` were pruned.
    /// As the app exports: the tables are proven from the latest state event
    /// at or before the window's first retained event; else from the empty
    /// state (nothing pruned: the events start at 1); else from the
    /// earliest state event after the pruned ones. The events start at the
    /// earlier of that event and the window's first retained event.
    pub fn input_pruned(
        &self,
        from_commit: usize,
        to_commit: usize,
        previous: Option<u64>,
        pruned: u64,
    ) -> PackInput {
        let from = self.commit_at[from_commit];
        let to = self.commit_at[to_commit];
        let size = self.commit_ends[to_commit];
        let window_first = if from_commit == 0 {
            1
        } else {
            self.commit_ends[from_commit - 1] + 1
        };
        let s0 = window_first.max(pruned + 1);
        let proven_from = self
            .states
            .iter()
            .rev()
            .find(|s| **s <= s0 && **s > pruned)
            .or_else(|| {
                (pruned > 0)
                    .then(|| self.states.iter().find(|s| **s > pruned && **s <= size))
                    .flatten()
            })
            .copied()
            .unwrap_or(0);
        assert!(
            pruned == 0 || proven_from > 0,
            "no state after the pruned events"
        );
        let first = if proven_from == 0 {
            1
        } else {
            s0.min(proven_from)
        };
        let mut state = State::empty();
        state
            .apply_all(&self.events[..proven_from.max(1) as usize - 1])
            .expect("the fixture folds");
        let mut prefix = Frontier::empty();
        for e in &self.events[..(first - 1) as usize] {
            prefix
                .push(tlog::from_hex(&e.entry_hash).expect("hex"))
                .expect("push");
        }
        let in_window = |t: Millis| t >= from && t <= to;
        let mut at_end = State::empty();
        at_end
            .apply_all(&self.events[..size as usize])
            .expect("the fixture folds");
        let checkpoints = self
            .commit_ends
            .iter()
            .enumerate()
            .filter(|(i, end)| i % 4 == 3 && **end >= first && **end <= size)
            .map(|(_, end)| self.checkpoint(*end))
            .collect();
        PackInput {
            origin: ORIGIN.into(),
            from,
            to,
            query: json!({"from": aigis_core::time::rfc3339(from), "to": aigis_core::time::rfc3339(to), "projects": ["AI"]}),
            generated_at: to + 5_000,
            generator: "aigis 0.1.0".into(),
            requested_by: "acct-admin".into(),
            // The records as they were at the checkpoint.
            requests: at_end
                .requests
                .values()
                .filter(|r| in_window(r.created_at))
                .cloned()
                .collect(),
            grants: at_end
                .grants
                .values()
                .filter(|g| in_window(g.created_at))
                .cloned()
                .collect(),
            jobs: at_end
                .jobs
                .values()
                .filter(|j| in_window(j.created_at))
                .cloned()
                .collect(),
            events: self.events[(first - 1) as usize..size as usize].to_vec(),
            prefix,
            checkpoint: self.checkpoint(size),
            checkpoints,
            previous: previous.map(|old| PreviousExport {
                checkpoint: self.checkpoint(old),
                proof: tlog::consistency_proof(self, old, size)
                    .expect("proof")
                    .iter()
                    .map(tlog::hex)
                    .collect(),
            }),
            policy_versions: vec![json!({"version": 1, "approvalDefaults": {"maxDays": 90}})],
            keys: self.keys(size),
            prune: (first > 1).then(|| PruneAnchor {
                pruned_through: first - 1,
                checkpoint: self.checkpoint(first - 1),
            }),
            proven_from,
            state,
            // The real page is built by aigis-verify-page; to the core it
            // is one more file under the manifest's digests.
            verifier_page: "<!doctype html><title>verifier</title>\n".into(),
        }
    }

    pub fn pack(&self, from_commit: usize, to_commit: usize, previous: Option<u64>) -> Vec<u8> {
        let input = self.input(from_commit, to_commit, previous);
        let size = input.checkpoint.size;
        aigis_core::pack::build(&input, self.signer_at(size)).expect("build")
    }

    pub fn last_commit(&self) -> usize {
        self.commit_ends.len() - 1
    }
}

/// SplitMix64 for the random lifecycles.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

impl History {
    /// A random lifecycle of `steps` commits from `seed`: requests created,
    /// approved (manual, bulk or auto-policy) or denied; grants activated,
    /// extended and revoked; jobs completed and pruned; state events.
    pub fn random(seed: u64, steps: usize) -> History {
        let mut rng = Mix(seed);
        let mut b = Builder {
            head: Head::genesis(),
            h: History {
                events: vec![],
                requests: vec![],
                grants: vec![],
                jobs: vec![],
                signers: vec![],
                commit_ends: vec![],
                commit_at: vec![],
                states: vec![],
            },
            key_id: "site-k1".into(),
        };
        let first = signer(seed as u8);
        b.commit(vec![NewEvent::new(
            "app:aigis",
            "audit.key.created",
            "audit:key",
            json!({"keyId": first.key_id(), "verifierKey": first.verifier_key()}),
        )]);
        b.h.signers.push((first, 1));
        let mut reqs: Vec<Request> = vec![];
        let mut grants: Vec<Grant> = vec![];
        let mut jobs: Vec<Job> = vec![];
        let tools = ["chatgpt", "claude", "copilot"];
        for step in 0..steps {
            let at = b.next_at();
            let pending: Vec<usize> = (0..reqs.len())
                .filter(|i| reqs[*i].decision == Decision::Pending)
                .collect();
            let roll = rng.below(10);
            if roll < 3 || pending.is_empty() && roll < 6 {
                let n = reqs.len();
                let id = format!("{}", 20_000 + n);
                let tool = tools[rng.below(3)].to_owned();
                let r = Request {
                    id: id.clone(),
                    issue_key: format!("AI-{}", n + 1),
                    project_key: "AI".into(),
                    requester: format!("acct-{}", rng.below(5)),
                    raised_by: None,
                    tool: tool.clone(),
                    tool_name: tool.to_uppercase(),
                    purpose: format!("step {step}, with \"quotes\", and =formula"),
                    duration_days: 10 + rng.below(50) as u32,
                    summary: format!("Access to {tool}"),
                    description: if rng.below(2) == 0 {
                        String::new()
                    } else {
                        "line\nbreak".into()
                    },
                    decision: Decision::Pending,
                    decision_source: None,
                    decided_by: None,
                    decided_at: None,
                    rationale: None,
                    grant: None,
                    governance_version: None,
                    security_review: rng.below(4) == 0,
                    first_approval: None,
                    policy: None,
                    batch: None,
                    created_at: at,
                };
                b.commit_with(
                    vec![NewEvent::new(
                        &r.requester,
                        "request.created",
                        &format!("request:{id}"),
                        json!({"issueKey": r.issue_key}),
                    )],
                    vec![rec("request", &id, &r)],
                );
                reqs.push(r);
            } else if roll < 6 && !pending.is_empty() {
                let i = pending[rng.below(pending.len())];
                let r = &mut reqs[i];
                let id = r.id.clone();
                if rng.below(3) == 0 {
                    r.decision = Decision::Denied;
                    r.decision_source = Some(DecisionSource::Manual);
                    r.decided_by = Some("acct-approver".into());
                    r.decided_at = Some(at);
                    r.rationale = Some(format!("no, step {step}"));
                    r.governance_version = Some(1);
                    b.commit_with(
                        vec![NewEvent::new("acct-approver", "request.denied", &format!("request:{id}"),
                            json!({"issueKey": r.issue_key, "rationale": r.rationale, "governanceVersion": 1}))],
                        vec![rec("request", &id, &*r)],
                    );
                } else {
                    let how = rng.below(3);
                    let (source, actor) = match how {
                        0 => (DecisionSource::Manual, "acct-approver"),
                        1 => (DecisionSource::Bulk, "acct-approver"),
                        _ => (DecisionSource::AutoPolicy, "app:aigis"),
                    };
                    let gid = format!("g-{id}");
                    let jid = format!("j-{}", b.head.seq + 1);
                    r.decision = Decision::Approved;
                    r.decision_source = Some(source);
                    r.decided_by = Some(actor.into());
                    r.decided_at = Some(at);
                    r.grant = Some(gid.clone());
                    r.governance_version = Some(1);
                    r.batch = (how == 1).then(|| format!("b-{step}"));
                    r.policy = (how == 2).then(|| "p1".to_owned());
                    let mut data =
                        json!({"issueKey": r.issue_key, "source": source, "governanceVersion": 1});
                    if let Some(bt) = &r.batch {
                        data["batch"] = json!(bt);
                    }
                    if let Some(p) = &r.policy {
                        data["policy"] = json!(p);
                    }
                    let g = Grant {
                        id: gid.clone(),
                        request: id.clone(),
                        issue_key: r.issue_key.clone(),
                        account: r.requester.clone(),
                        raised_by: None,
                        tool: r.tool.clone(),
                        status: GrantStatus::PendingProvision,
                        duration_days: r.duration_days,
                        created_at: at,
                        activated_at: None,
                        expires_at: at + i64::from(r.duration_days) * 86_400_000,
                        ended_at: None,
                        review_issue: None,
                        review_window: None,
                        review_answer: None,
                    };
                    let j = Job {
                        id: jid.clone(),
                        kind: JobKind::Provision,
                        grant: gid.clone(),
                        mode: if how == 2 {
                            JobMode::Connector("okta".into())
                        } else {
                            JobMode::Manual
                        },
                        status: JobStatus::ManualPending,
                        attempts: 0,
                        due_at: at,
                        created_at: at,
                        updated_at: at,
                        completed_by: None,
                        note: None,
                    };
                    b.commit_with(
                        vec![
                            NewEvent::new(
                                actor,
                                "request.approved",
                                &format!("request:{id}"),
                                data,
                            ),
                            NewEvent::new(
                                actor,
                                "grant.created",
                                &format!("grant:{gid}"),
                                json!({}),
                            ),
                            NewEvent::new(actor, "job.queued", &format!("job:{jid}"), json!({})),
                        ],
                        vec![
                            rec("request", &id, &*r),
                            rec("grant", &gid, &g),
                            rec("job", &jid, &j),
                        ],
                    );
                    grants.push(g);
                    jobs.push(j);
                }
            } else if roll < 8 && !grants.is_empty() {
                let k = rng.below(grants.len());
                let g = &mut grants[k];
                let gid = g.id.clone();
                match g.status {
                    GrantStatus::PendingProvision => {
                        let Some(j) = jobs
                            .iter_mut()
                            .find(|j| j.grant == gid && j.status == JobStatus::ManualPending)
                        else {
                            continue;
                        };
                        j.status = JobStatus::Completed;
                        j.completed_by = Some("acct-approver".into());
                        j.updated_at = at;
                        g.status = GrantStatus::Active;
                        g.activated_at = Some(at);
                        g.expires_at = at + i64::from(g.duration_days) * 86_400_000;
                        let jid = j.id.clone();
                        b.commit_with(
                            vec![
                                NewEvent::new(
                                    "acct-approver",
                                    "job.completed",
                                    &format!("job:{jid}"),
                                    json!({}),
                                ),
                                NewEvent::new(
                                    "acct-approver",
                                    "grant.activated",
                                    &format!("grant:{gid}"),
                                    json!({}),
                                ),
                            ],
                            vec![rec("job", &jid, &*j), rec("grant", &gid, &*g)],
                        );
                    }
                    GrantStatus::Active if rng.below(2) == 0 => {
                        g.expires_at += 7 * 86_400_000;
                        g.review_answer = Some("keep".into());
                        b.commit_with(
                            vec![NewEvent::new(
                                "acct-approver",
                                "grant.extended",
                                &format!("grant:{gid}"),
                                json!({"days": 7}),
                            )],
                            vec![rec("grant", &gid, &*g)],
                        );
                    }
                    GrantStatus::Active => {
                        g.status = GrantStatus::Revoked;
                        g.ended_at = Some(at);
                        let jid = format!("j-{}", b.head.seq + 1);
                        let j = Job {
                            id: jid.clone(),
                            kind: JobKind::Deprovision,
                            grant: gid.clone(),
                            mode: JobMode::Manual,
                            status: JobStatus::Queued,
                            attempts: 0,
                            due_at: at,
                            created_at: at,
                            updated_at: at,
                            completed_by: None,
                            note: Some("revoked".into()),
                        };
                        b.commit_with(
                            vec![
                                NewEvent::new(
                                    "acct-approver",
                                    "grant.revoked",
                                    &format!("grant:{gid}"),
                                    json!({}),
                                ),
                                NewEvent::new(
                                    "acct-approver",
                                    "job.queued",
                                    &format!("job:{jid}"),
                                    json!({}),
                                ),
                            ],
                            vec![rec("grant", &gid, &*g), rec("job", &jid, &j)],
                        );
                        jobs.push(j);
                    }
                    _ => continue,
                }
            } else if roll == 8 {
                let done: Vec<usize> = (0..jobs.len())
                    .filter(|i| jobs[*i].status == JobStatus::Completed)
                    .collect();
                if done.is_empty() {
                    continue;
                }
                let j = jobs.remove(done[rng.below(done.len())]);
                b.commit_with(
                    vec![NewEvent::new(
                        "app:job-runner",
                        "jobs.pruned",
                        "jobs:completed",
                        json!({"jobs": [j.id]}),
                    )],
                    vec![RecordChange {
                        entity: "job".into(),
                        key: j.id.clone(),
                        value: None,
                    }],
                );
            } else {
                b.state_event();
            }
        }
        b.h.requests = reqs;
        b.h.grants = grants;
        b.h.jobs = jobs;
        b.h
    }
}
