//! Jira side effects are claimed before they are made and checked before
//! they are repeated (issue 13, defects 1 and 2): a notice delivered by the
//! committing call and by a job runner at the same time is posted once, and
//! a delivery that crashed between Jira's answer and the outbox write is not
//! posted again by the retry.

mod common;

use aigis_platform::*;
use common::*;
use serde_json::{Value, json};
use std::cell::{Cell, RefCell};

/// Comments on `issue` that carry the marker of notice `id`.
fn marked(w: &World, issue: &str, id: &str) -> usize {
    let all = w
        .sim
        .handle_as(
            None,
            "GET",
            &format!("/rest/api/3/issue/{issue}/comment?expand=properties&maxResults=100"),
            &[],
            None,
        )
        .body;
    let v: Value = serde_json::from_str(&all).unwrap();
    v["comments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["properties"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["value"]["id"] == id))
        })
        .count()
}

/// A Jira port that runs `during` (once) right after its first comment POST
/// reached Jira: what a concurrent invocation sees at that moment.
struct HookedJira<'a> {
    inner: SimJira<'a>,
    during: RefCell<Option<Box<dyn FnOnce() + 'a>>>,
}

impl Jira for HookedJira<'_> {
    fn request_jira(&self, r: &JiraRequest) -> Result<HttpResponse, JiraError> {
        let out = self.inner.request_jira(r);
        if r.method == "POST"
            && r.path.ends_with("/comment")
            && let Some(f) = self.during.borrow_mut().take()
        {
            f();
        }
        out
    }
}

/// Storage whose writes to the outbox fail while `broken` is set: a crash
/// between Jira's answer and the write that records it.
struct CrashingOutbox<'a> {
    inner: &'a dyn Storage,
    broken: &'a Cell<bool>,
}

impl Storage for CrashingOutbox<'_> {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &str, o: SetOptions) -> Result<(), StorageError> {
        self.inner.set(key, value, o)
    }
    fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.inner.delete(key)
    }
    fn query_prefix(&self, p: &str, c: Option<&str>, l: u32) -> Result<QueryPage, StorageError> {
        self.inner.query_prefix(p, c, l)
    }
    fn entity_get(&self, e: &str, k: &str) -> Result<Option<String>, StorageError> {
        self.inner.entity_get(e, k)
    }
    fn entity_set(&self, e: &str, k: &str, v: &str) -> Result<(), StorageError> {
        if e == "outbox" && self.broken.get() {
            return Err(StorageError::Backend("crashed".into()));
        }
        self.inner.entity_set(e, k, v)
    }
    fn entity_delete(&self, e: &str, k: &str) -> Result<(), StorageError> {
        self.inner.entity_delete(e, k)
    }
    fn entity_query(&self, q: &EntityQuery) -> Result<QueryPage, StorageError> {
        self.inner.entity_query(q)
    }
    fn transact(&self, ops: &[TxnOp]) -> Result<(), StorageError> {
        let writes_outbox = ops.iter().any(|op| match op {
            TxnOp::Set { entity, .. } => entity.as_deref() == Some("outbox"),
            _ => false,
        });
        // The commit that creates the notice also writes the audit head; the
        // crash hits only the outbox-only writes of the delivery.
        let delivery_only = ops.iter().all(|op| match op {
            TxnOp::Set { entity, .. } | TxnOp::Delete { entity, .. } => {
                entity.as_deref() == Some("outbox")
            }
            _ => false,
        });
        if writes_outbox && delivery_only && self.broken.get() {
            return Err(StorageError::Backend("crashed".into()));
        }
        self.inner.transact(ops)
    }
}

#[test]
fn a_notice_delivered_by_the_commit_and_a_runner_at_once_is_posted_once() {
    let w = World::configured();
    let (issue, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    let arlo = w.account("arlo");
    let ctx = json!({"accountId": arlo, "cloudId": "local"}).to_string();
    // While Arlo's approval posts its comment, the hourly runner runs: the
    // notice is due (created now), so it tries to deliver it too.
    let jira = HookedJira {
        inner: SimJira {
            sim: &w.sim,
            user: RefCell::new(Some(arlo.clone())),
            calls: RefCell::default(),
        },
        during: RefCell::new(Some(Box::new(|| {
            w.sweep();
        }))),
    };
    let p = Platform {
        storage: &w.storage,
        secrets: &w.secrets,
        jira: &jira,
        egress: &w.egress,
        queue: &w.queue,
        runtime: &w.runtime,
        random: &w.random,
    };
    let out = aigis_app::invoke(
        p,
        "requests.approve",
        &json!({"requestId": issue}).to_string(),
        &ctx,
    );
    assert!(out.is_ok(), "{out:?}");
    let notice = format!("request-{issue}-decided");
    assert_eq!(
        marked(&w, &issue, &notice),
        1,
        "the Approved comment is posted once"
    );
    // Later runs find it sent and post nothing more.
    w.set_now(T0 + 2 * 3_600_000);
    w.sweep();
    assert_eq!(marked(&w, &issue, &notice), 1);
    assert!(w.verify().intact);
}

#[test]
fn a_retry_after_a_crash_between_post_and_record_does_not_post_again() {
    let w = World::configured();
    let (issue, _) = w.portal_request("rita", World::snapshot("claude", 10));
    w.pump();
    let arlo = w.account("arlo");
    let broken = Cell::new(false);
    let storage = CrashingOutbox {
        inner: &w.storage,
        broken: &broken,
    };
    // The crash comes right after Jira accepted the comment.
    let jira = HookedJira {
        inner: SimJira {
            sim: &w.sim,
            user: RefCell::new(Some(arlo.clone())),
            calls: RefCell::default(),
        },
        during: RefCell::new(Some(Box::new(|| broken.set(true)))),
    };
    let p = Platform {
        storage: &storage,
        secrets: &w.secrets,
        jira: &jira,
        egress: &w.egress,
        queue: &w.queue,
        runtime: &w.runtime,
        random: &w.random,
    };
    let ctx = json!({"accountId": arlo, "cloudId": "local"}).to_string();
    // The approval commits; its delivery posts to Jira, then the process
    // "crashes" before the outbox records it (the write fails).
    let _ = aigis_app::invoke(
        p,
        "requests.approve",
        &json!({"requestId": issue}).to_string(),
        &ctx,
    );
    broken.set(false);
    let notice = format!("request-{issue}-decided");
    assert_eq!(marked(&w, &issue, &notice), 1);
    // The runner retries once the notice is due again: it finds the comment
    // by its marker and records the notice as sent, without posting.
    for hour in 1..=3 {
        w.set_now(T0 + hour * 3_600_000);
        w.sweep();
    }
    assert_eq!(
        marked(&w, &issue, &notice),
        1,
        "posted once across the crash"
    );
    let stored: Vec<Value> = w.entities("outbox");
    let n = stored.iter().find(|n| n["id"] == notice.as_str()).unwrap();
    assert_eq!(n["status"], "sent", "{n}");
}
