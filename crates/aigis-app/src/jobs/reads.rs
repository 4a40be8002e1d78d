//! Reading jobs: those waiting for a person, and the admin table.

use crate::access::Caller;
use crate::api::Cursor;
use crate::api::page::{self, PageArgs, TableArgs, TableIndexes};
use crate::error::AppError;
use crate::names::{GRANT, JOB, TOOL};
use crate::repo;
use aigis_core::ids::GrantId;
use aigis_core::model::{Grant, Job, JobStatus, Tool};
use aigis_platform::{EntityQuery, Platform, SortOrder};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

/// A page of jobs.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct JobPage {
    pub jobs: Vec<Job>,
    pub next_cursor: Option<Cursor>,
}

/// A job waiting for a person, with what they need to do it: whose access,
/// to which tool, on which issue, and the tool's fulfilment notes.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ManualJob {
    #[serde(flatten)]
    pub job: Job,
    /// The account whose access the job sets up or removes.
    pub person: String,
    pub tool_id: String,
    pub tool_name: String,
    /// The request's Jira issue.
    pub issue_key: String,
    /// The catalog's fulfilment instructions for the tool ("" if none).
    pub fulfilment_notes: String,
}

/// A page of manual jobs.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ManualJobPage {
    pub jobs: Vec<ManualJob>,
    pub next_cursor: Option<Cursor>,
}

/// `jobs.manual` (approver): jobs waiting for a person, oldest first, each
/// with its person, tool, issue and fulfilment notes (two reads per job,
/// each tool read once per page); without those of grants the caller is a
/// party to (holds, or raised the request for), which they may not complete.
pub fn manual(p: &Platform, caller: &Caller, args: PageArgs) -> Result<ManualJobPage, AppError> {
    let query = EntityQuery {
        entity: JOB.into(),
        index: "by-status-due".into(),
        partition: vec![json!("manualPending")],
        order: SortOrder::Asc,
        ..Default::default()
    };
    let (jobs, next_cursor) = page::read::<Job>(p, "jobs.manual", query, &args)?;
    let mut tools: BTreeMap<String, Option<Tool>> = BTreeMap::new();
    let mut out = Vec::with_capacity(jobs.len());
    for job in jobs {
        let grant: Option<Grant> = repo::get(p, GRANT, &job.grant)?;
        let Some(grant) = grant else {
            // A job outlives nothing it belongs to; show it as it is.
            out.push(ManualJob {
                person: String::new(),
                tool_id: String::new(),
                tool_name: String::new(),
                issue_key: String::new(),
                fulfilment_notes: String::new(),
                job,
            });
            continue;
        };
        if grant.is_party(&caller.account_id) {
            continue;
        }
        if !tools.contains_key(&grant.tool) {
            let t: Option<Tool> = repo::get(p, TOOL, &grant.tool)?;
            tools.insert(grant.tool.clone(), t);
        }
        let tool = tools.get(&grant.tool).and_then(Option::as_ref);
        out.push(ManualJob {
            person: grant.account.clone(),
            tool_name: tool.map_or_else(|| grant.tool.clone(), |t| t.name.clone()),
            fulfilment_notes: tool.map(|t| t.fulfilment_notes.clone()).unwrap_or_default(),
            tool_id: grant.tool,
            issue_key: grant.issue_key,
            job,
        });
    }
    Ok(ManualJobPage {
        jobs: out,
        next_cursor,
    })
}

/// `jobs.list` (admin): `{status?, account?, cursor?, limit?}`, newest
/// first; jobs belong to grants, so `account` names the grant here and
/// `tool` is not a filter.
pub fn list(
    p: &Platform,
    _: &Caller,
    a: TableArgs<JobStatus, GrantId>,
) -> Result<JobPage, AppError> {
    const IX: TableIndexes = TableIndexes {
        entity: JOB,
        status_attr: "status",
        by_account: "by-grant",
        by_status: "by-status-updated",
        by_all: "by-updated",
    };
    if a.tool.is_some() {
        return Err(AppError::invalid(
            "tool",
            "jobs are filtered by status or grant",
        ));
    }
    let (jobs, next_cursor) = page::table(
        p,
        "jobs.list",
        &IX,
        a.status.map(JobStatus::as_str),
        None,
        a.account.as_deref(),
        &a.page(),
    )?;
    Ok(JobPage { jobs, next_cursor })
}
