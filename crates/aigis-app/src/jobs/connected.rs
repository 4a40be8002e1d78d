//! The connector of a stored connector record (`connectors`), built per
//! invocation: provisioning is membership of the tool's bound group.
//!
//! Already a member on add, or not a member on remove (the group confirmed
//! to exist), is success. A write that timed out, or a retried attempt, is
//! re-checked before it is repeated. A deactivated user is not provisioned
//! (terminal) but is still removed. A group gone at the provider is
//! terminal and never recreated, except right after Aigis created it (Graph
//! answers 404 for a while): then it is retried shortly. The removal for an
//! ended grant leaves the membership of a person who holds the tool again
//! (a newer open grant), and puts it back if that grant opened while the
//! removal was in flight.

use super::connector::{Connector, Outcome};
use crate::connectors::http::Fail;
use crate::connectors::provider::{Directory, ExtUser};
use crate::connectors::{self, Binding, ConnectorRecord, ConnectorType, entra, identities, okta};
use aigis_core::Millis;
use aigis_core::model::{Grant, Job};
use aigis_platform::Platform;
use std::sync::Mutex;

pub use crate::connectors::CREATE_GRACE;
/// The wait before retrying a group not visible yet.
pub const REPLICATION_RETRY: Millis = 5 * aigis_core::time::SECOND;

pub struct Stored {
    rec: ConnectorRecord,
    request_ids: Mutex<Vec<String>>,
}

/// The connector of record `id`, if one is stored and enabled.
pub fn build(p: &Platform, id: &str) -> Option<Stored> {
    let rec = connectors::load(p, id).ok()??;
    rec.enabled.then(|| Stored {
        rec,
        request_ids: Mutex::new(Vec::new()),
    })
}

fn outcome(f: Fail) -> Outcome {
    match f {
        Fail::Retry { why, after } => Outcome::Retryable(why, after),
        Fail::Timeout(why) => Outcome::Retryable(why, None),
        Fail::Unauthorized(why) | Fail::Terminal(why) => Outcome::Terminal(why),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Remove,
    Check,
}

impl Stored {
    fn with_directory(
        &self,
        p: &Platform,
        f: impl FnOnce(&dyn Directory) -> Result<(), Fail>,
    ) -> Outcome {
        let (res, ids) = match self.rec.kind {
            ConnectorType::OktaGroup => {
                let d = okta::Okta::new(p, &self.rec);
                (f(&d), d.request_ids())
            }
            ConnectorType::EntraGroup => {
                let d = entra::Entra::new(p, &self.rec);
                (f(&d), d.request_ids())
            }
        };
        if let Ok(mut all) = self.request_ids.lock() {
            all.extend(ids);
        }
        match res {
            Ok(()) => Outcome::Ok,
            Err(f) => outcome(f),
        }
    }

    fn run(&self, p: &Platform, job: &Job, grant: &Grant, op: Op) -> Outcome {
        let binding = match connectors::load_binding(p, &grant.tool) {
            Ok(Some(b)) if b.connector == self.rec.id => b,
            Ok(_) => {
                return Outcome::Terminal(format!(
                    "tool {} is no longer bound to a group of connector {}",
                    grant.tool, self.rec.id
                ));
            }
            Err(_) => return Outcome::Retryable("storage is unavailable".into(), None),
        };
        let email = match crate::jira::user_email(p, &grant.account) {
            Ok(e) => e,
            Err(_) => return Outcome::Retryable("Jira did not say who the user is".into(), None),
        };
        let now = p.runtime.now_millis();
        let retried = job.attempts > 1;
        self.with_directory(p, |d| {
            present_group(d, &binding, now)?;
            let user = identities::resolve(p, d, &self.rec.id, &grant.account, email.as_deref())?;
            match op {
                Op::Add => {
                    // Revoked or ended before it was provisioned: nothing
                    // to add (its removal job settles the rest).
                    if !still_open(p, grant)? {
                        return Ok(());
                    }
                    add(d, &binding, &user, retried)?;
                    // Ended while the add was in flight: its removal may
                    // already have run, so take the membership back,
                    // unless the person holds the tool again.
                    if !still_open(p, grant)? && !successor(p, grant)? {
                        return remove(d, &binding, &user);
                    }
                    Ok(())
                }
                Op::Remove => {
                    // The person holds the tool again (a new grant): its
                    // membership stays.
                    if successor(p, grant)? {
                        return Ok(());
                    }
                    remove(d, &binding, &user)?;
                    // A new grant opened while the removal was in flight
                    // (its provisioning may have found them a member).
                    if successor(p, grant)? && user.active {
                        return add(d, &binding, &user, false);
                    }
                    Ok(())
                }
                Op::Check => {
                    if d.is_member(&binding.group_id, &user.id)? {
                        Ok(())
                    } else {
                        Err(Fail::Terminal(
                            "the user is not a member of the group".into(),
                        ))
                    }
                }
            }
        })
    }
}

fn storage_retry() -> Fail {
    Fail::Retry {
        why: "storage is unavailable".into(),
        after: None,
    }
}

/// Whether the grant is still open (pending provision or active) as stored now.
fn still_open(p: &Platform, grant: &Grant) -> Result<bool, Fail> {
    match crate::repo::get::<Grant>(p, crate::names::GRANT, &grant.id) {
        Ok(g) => Ok(g.is_some_and(|g| g.status.is_open())),
        Err(_) => Err(storage_retry()),
    }
}

/// Whether another grant of the same person and tool is open: the one that
/// holds their slot now, which needs the membership an ended grant's
/// removal would take away.
fn successor(p: &Platform, ended: &Grant) -> Result<bool, Fail> {
    match crate::slot::open_grant(p, &ended.account, &ended.tool) {
        Ok(open) => Ok(open.is_some_and(|g| g.id != ended.id)),
        Err(_) => Err(storage_retry()),
    }
}

impl Stored {
    /// Removes the member of a drift finding (an extra member: no grant)
    /// from the group it was found in, if the tool is still bound there.
    pub fn remove_extra(&self, p: &Platform, f: &aigis_core::drift::Reconciliation) -> Outcome {
        let binding = match connectors::load_binding(p, &f.tool) {
            Ok(Some(b)) if b.connector == self.rec.id && b.group_id == f.group_id => b,
            Ok(_) => {
                return Outcome::Terminal(format!(
                    "tool {} is no longer bound to group {}",
                    f.tool, f.group_id
                ));
            }
            Err(_) => return Outcome::Retryable("storage is unavailable".into(), None),
        };
        let now = p.runtime.now_millis();
        let user = ExtUser {
            id: f.member.clone(),
            email: String::new(),
            active: true,
        };
        self.with_directory(p, |d| {
            present_group(d, &binding, now)?;
            remove(d, &binding, &user)
        })
    }
}

/// The bound group, which must exist and be governable.
fn present_group(d: &dyn Directory, b: &Binding, now: Millis) -> Result<(), Fail> {
    match d.group(&b.group_id)? {
        Some(g) => match g.ungovernable {
            Some((field, reason)) => Err(Fail::Terminal(format!(
                "group {} can no longer be governed: {reason} ({field})",
                b.group_id
            ))),
            None => Ok(()),
        },
        None if b.created && now - b.bound_at < CREATE_GRACE => Err(Fail::Retry {
            why: format!("group {} is not visible at the provider yet", b.group_id),
            after: Some(REPLICATION_RETRY),
        }),
        None => Err(Fail::Terminal(format!(
            "group {} ({}) no longer exists at the provider; Aigis does not recreate it",
            b.group_id, b.group_name
        ))),
    }
}

fn add(d: &dyn Directory, b: &Binding, user: &ExtUser, retried: bool) -> Result<(), Fail> {
    if !user.active {
        return Err(Fail::Terminal(
            "the user is deactivated at the provider: access is not provisioned".into(),
        ));
    }
    // A previous attempt may have been applied without an answer.
    if retried && d.is_member(&b.group_id, &user.id)? {
        return Ok(());
    }
    match d.add_member(&b.group_id, &user.id) {
        Err(Fail::Timeout(why)) => {
            if d.is_member(&b.group_id, &user.id)? {
                Ok(())
            } else {
                Err(Fail::Timeout(why))
            }
        }
        other => other,
    }
}

fn remove(d: &dyn Directory, b: &Binding, user: &ExtUser) -> Result<(), Fail> {
    match d.remove_member(&b.group_id, &user.id) {
        Ok(_) => Ok(()),
        Err(Fail::Timeout(why)) => {
            if d.is_member(&b.group_id, &user.id)? {
                Err(Fail::Timeout(why))
            } else {
                Ok(())
            }
        }
        Err(f) => Err(f),
    }
}

impl Connector for Stored {
    fn provision(&self, p: &Platform, job: &Job, grant: &Grant) -> Outcome {
        self.run(p, job, grant, Op::Add)
    }
    fn deprovision(&self, p: &Platform, job: &Job, grant: &Grant) -> Outcome {
        self.run(p, job, grant, Op::Remove)
    }
    fn check(&self, p: &Platform, job: &Job, grant: &Grant) -> Outcome {
        self.run(p, job, grant, Op::Check)
    }
    fn request_ids(&self) -> Vec<String> {
        self.request_ids
            .lock()
            .map(|v| v.clone())
            .unwrap_or_default()
    }
}
