//! Reading a bound group's members: page by page from the saved link,
//! each page kept as a chunk until the read is complete.

use super::{DriftRun, DriftStatus, load_status, reconcile, save_status};
use crate::connectors::http::Fail;
use crate::connectors::provider::Directory;
use crate::connectors::{Binding, CREATE_GRACE, ConnectorRecord, ConnectorType, entra, okta};
use crate::error::AppError;
use crate::names::DRIFT_SCAN_PREFIX;
use crate::repo;
use aigis_core::Millis;
use aigis_core::drift::Member;
use aigis_platform::{Platform, SetOptions};
use serde::{Deserialize, Serialize};

/// One member as a chunk keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Row {
    pub i: String,
    /// Lower-case e-mail (users).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub e: String,
    pub a: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t: Option<String>,
}

impl Row {
    pub fn member(&self) -> Member {
        Member {
            id: self.i.clone(),
            non_user: self.t.clone(),
            active: self.a,
        }
    }
}

fn chunk_key(tool: &str, n: u32) -> String {
    format!("{DRIFT_SCAN_PREFIX}{tool}:{n:05}")
}

fn clear_chunks(p: &Platform, tool: &str, pages: u32) -> Result<(), AppError> {
    for n in 0..pages {
        p.storage.delete(&chunk_key(tool, n))?;
    }
    Ok(())
}

/// Forgets the scan in progress (its chunks and link).
fn restart(p: &Platform, st: &mut DriftStatus) -> Result<(), AppError> {
    clear_chunks(p, &st.tool, st.chunks)?;
    st.chunks = 0;
    st.pages = 0;
    st.members = 0;
    st.cursor = None;
    st.links.clear();
    st.scan_started_at = None;
    st.resumes = false;
    Ok(())
}

pub(super) fn run(
    p: &Platform,
    rec: &ConnectorRecord,
    b: &Binding,
    max_pages: u32,
    now: Millis,
    run: &mut DriftRun,
) -> Result<(), AppError> {
    match rec.kind {
        ConnectorType::OktaGroup => go(p, &okta::Okta::new(p, rec), rec, b, max_pages, now, run),
        ConnectorType::EntraGroup => go(p, &entra::Entra::new(p, rec), rec, b, max_pages, now, run),
    }
}

/// Ends the run incomplete with `f`'s reason: a transient failure keeps
/// the pages read (the next run resumes), any other restarts the read.
fn failed(p: &Platform, st: &mut DriftStatus, f: &Fail) -> Result<(), AppError> {
    match f {
        Fail::Retry { .. } | Fail::Timeout(_) => {}
        Fail::Unauthorized(_) | Fail::Terminal(_) => restart(p, st)?,
    }
    st.complete = false;
    st.reason = Some(format!(
        "the member list could not be read: {}; nothing is reported until a complete read",
        f.why()
    ));
    st.resumes = st.cursor.is_some();
    save_status(p, st)
}

fn go(
    p: &Platform,
    d: &dyn Directory,
    rec: &ConnectorRecord,
    b: &Binding,
    max_pages: u32,
    now: Millis,
    run: &mut DriftRun,
) -> Result<(), AppError> {
    let fresh = DriftStatus {
        tool: b.tool.clone(),
        connector: b.connector.clone(),
        group_id: b.group_id.clone(),
        ..DriftStatus::default()
    };
    let mut st = match load_status(p, &b.tool)? {
        Some(s) if s.group_id == b.group_id && s.connector == b.connector => s,
        Some(mut old) => {
            // Rebound: the old scan is of another group.
            restart(p, &mut old)?;
            fresh
        }
        None => fresh,
    };
    st.last_run_at = Some(now);
    // The group first: gone is a finding, and Aigis never recreates it.
    match d.group(&b.group_id) {
        Ok(Some(_)) => {}
        Ok(None) if b.created && now - b.bound_at < CREATE_GRACE => {
            st.complete = false;
            st.reason = Some("the group Aigis created is not visible at the provider yet".into());
            return save_status(p, &st);
        }
        Ok(None) => {
            restart(p, &mut st)?;
            st.complete = false;
            st.reason = Some(format!(
                "group {} ({}) no longer exists at the provider; Aigis does not recreate it",
                b.group_id, b.group_name
            ));
            reconcile::group_missing(p, rec, b, now, run)?;
            return save_status(p, &st);
        }
        Err(f) => return failed(p, &mut st, &f),
    }
    loop {
        if run.pages_read >= max_pages {
            st.complete = false;
            st.resumes = true;
            st.reason = Some(format!(
                "{} pages ({} members) read so far; the check resumes there next run",
                st.pages, st.members
            ));
            return save_status(p, &st);
        }
        let page = match d.members_page(&b.group_id, st.cursor.as_deref()) {
            Ok(page) => page,
            Err(f) => return failed(p, &mut st, &f),
        };
        if st.chunks == 0 {
            st.scan_started_at = Some(now);
            st.pages = 0;
            st.members = 0;
        }
        let rows: Vec<Row> = page
            .members
            .iter()
            .map(|m| Row {
                i: m.id.clone(),
                e: m.email.to_lowercase(),
                a: m.active,
                t: m.non_user.clone(),
            })
            .collect();
        let raw = serde_json::to_string(&rows)
            .map_err(|e| AppError::internal(format!("encoding: {e}")))?;
        p.storage
            .set(&chunk_key(&b.tool, st.chunks), &raw, SetOptions::default())?;
        st.chunks += 1;
        st.pages += 1;
        st.members += u32::try_from(rows.len()).unwrap_or(u32::MAX);
        run.pages_read += 1;
        match page.next {
            None => break,
            Some(link) => {
                let h = aigis_core::audit::sha256_hex(link.as_bytes())[..16].to_owned();
                if st.links.contains(&h) {
                    return failed(
                        p,
                        &mut st,
                        &Fail::Terminal("the provider gave the same page link twice".into()),
                    );
                }
                st.links.push(h);
                st.cursor = Some(link);
            }
        }
    }
    let mut rows: Vec<Row> = Vec::new();
    for n in 0..st.chunks {
        let chunk: Option<Vec<Row>> = repo::get_kv(p, &chunk_key(&b.tool, n))?;
        match chunk {
            Some(c) => rows.extend(c),
            None => {
                return failed(
                    p,
                    &mut st,
                    &Fail::Terminal("a page read earlier is no longer stored".into()),
                );
            }
        }
    }
    match reconcile::compare_and_record(p, d, rec, b, &rows, now, st.last_complete_at, run)? {
        Err(f) => failed(p, &mut st, &f),
        Ok(()) => {
            let (pages, members) = (st.pages, st.members);
            restart(p, &mut st)?;
            st.pages = pages;
            st.members = members;
            st.complete = true;
            st.reason = None;
            st.last_complete_at = Some(now);
            run.complete = true;
            save_status(p, &st)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::provider::{ExtGroup, ExtMember, ExtUser, MemberPage};
    use aigis_platform::memory::*;
    use aigis_platform::{HttpResponse, Jira, JiraError, JiraRequest, Storage};
    use std::cell::Cell;

    struct NoJira;
    impl Jira for NoJira {
        fn request_jira(&self, _: &JiraRequest) -> Result<HttpResponse, JiraError> {
            Err(JiraError::NotAllowed("no Jira in this test".into()))
        }
    }

    /// A directory whose pages link 1 -> 2 -> 1 (a loop), counting calls.
    struct Looping {
        pages: Cell<u32>,
    }

    impl Directory for Looping {
        fn authenticate(&self) -> Result<(), Fail> {
            Ok(())
        }
        fn users_by_email(&self, _: &str) -> Result<Vec<ExtUser>, Fail> {
            Ok(vec![])
        }
        fn user(&self, _: &str) -> Result<Option<ExtUser>, Fail> {
            Ok(None)
        }
        fn group(&self, id: &str) -> Result<Option<ExtGroup>, Fail> {
            Ok(Some(ExtGroup {
                id: id.into(),
                name: "g".into(),
                ungovernable: None,
            }))
        }
        fn create_group(&self, _: &str, _: &str) -> Result<ExtGroup, Fail> {
            Err(Fail::Terminal("never created".into()))
        }
        fn add_member(&self, _: &str, _: &str) -> Result<(), Fail> {
            Ok(())
        }
        fn remove_member(&self, _: &str, _: &str) -> Result<bool, Fail> {
            Ok(false)
        }
        fn is_member(&self, _: &str, _: &str) -> Result<bool, Fail> {
            Ok(false)
        }
        fn members_page(&self, _: &str, next: Option<&str>) -> Result<MemberPage, Fail> {
            self.pages.set(self.pages.get() + 1);
            let link = match next {
                Some("https://idp.example/p2") => "https://idp.example/p1",
                _ => "https://idp.example/p2",
            };
            Ok(MemberPage {
                members: vec![ExtMember {
                    id: format!("u{}", self.pages.get()),
                    email: String::new(),
                    active: true,
                    non_user: None,
                }],
                next: Some(link.into()),
            })
        }
    }

    #[test]
    fn a_repeated_link_ends_the_run_incomplete_and_forgets_the_pages() {
        let storage = MemoryStorage::new(vec![]);
        let secrets = MemorySecrets::default();
        let runtime = ManualRuntime::at(1_000);
        let random = SeededRandom::new(1);
        let queue = RecordingQueue::default();
        let p = Platform {
            storage: &storage,
            secrets: &secrets,
            jira: &NoJira,
            egress: &NoEgress,
            queue: &queue,
            runtime: &runtime,
            random: &random,
        };
        let rec = ConnectorRecord {
            id: "c".into(),
            name: "c".into(),
            kind: ConnectorType::OktaGroup,
            enabled: true,
            enforce: false,
            org_url: None,
            auth: None,
            client_id: None,
            key_id: None,
            tenant_id: None,
            credential_set_at: None,
            credential_version: 1,
            created_at: 0,
            updated_at: 0,
        };
        let b = Binding {
            tool: "t".into(),
            connector: "c".into(),
            group_id: "g".into(),
            group_name: "g".into(),
            created: false,
            bound_at: 0,
        };
        let d = Looping {
            pages: Cell::new(0),
        };
        let mut run = DriftRun::default();
        go(&p, &d, &rec, &b, 50, 1_000, &mut run).unwrap();
        assert!(!run.complete);
        assert_eq!(d.pages.get(), 3, "p1, p2, then p1's link again");
        let st = load_status(&p, "t").unwrap().unwrap();
        assert!(!st.complete);
        assert!(st.reason.unwrap().contains("same page link twice"));
        assert!(st.cursor.is_none() && st.chunks == 0, "the read restarts");
        let left = storage.query_prefix(DRIFT_SCAN_PREFIX, None, 10).unwrap();
        assert!(left.items.is_empty());
    }
}
