//! Reading jobs: those waiting for a person, and the admin table.

use crate::access::Caller;
use crate::api::Cursor;
use crate::api::page::{self, PageArgs, TableArgs, TableIndexes};
use crate::error::AppError;
use crate::names::JOB;
use aigis_core::ids::GrantId;
use aigis_core::model::{Job, JobStatus};
use aigis_platform::{EntityQuery, Platform, SortOrder};
use serde::Serialize;
use serde_json::json;

/// A page of jobs.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct JobPage {
    pub jobs: Vec<Job>,
    pub next_cursor: Option<Cursor>,
}

/// `jobs.manual` (approver): jobs waiting for a person, oldest first.
pub fn manual(p: &Platform, _: &Caller, args: PageArgs) -> Result<JobPage, AppError> {
    let query = EntityQuery {
        entity: JOB.into(),
        index: "by-status-due".into(),
        partition: vec![json!("manualPending")],
        order: SortOrder::Asc,
        ..Default::default()
    };
    let (jobs, next_cursor) = page::read(p, "jobs.manual", query, &args)?;
    Ok(JobPage { jobs, next_cursor })
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
