//! `whoami`: the caller and their rights.

use crate::access::Caller;
use crate::api::{NoArgs, Route, route};
use crate::error::AppError;
use aigis_platform::Platform;
use serde::Serialize;

pub const ROUTES: &[Route] = &[route!("whoami", SignedIn, whoami::whoami)];

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub account_id: String,
    pub is_admin: bool,
    pub is_approver: bool,
}

/// `whoami`: who is calling and whether they administer or approve.
pub fn whoami(_: &Platform, caller: &Caller, _: NoArgs) -> Result<Me, AppError> {
    Ok(Me {
        account_id: caller.account_id.clone(),
        is_admin: caller.is_admin()?,
        is_approver: caller.is_approver()?,
    })
}
