//! `grants.*`: a grant after approval: extended ([`extend`]), revoked
//! ([`revoke`]), read by its holder and by admins ([`reads`]); the slot
//! that keeps one open grant per person and tool ([`slot`]).

pub mod extend;
pub mod reads;
pub mod revoke;
pub use crate::slot;

use crate::api::{Route, route};
use crate::error::AppError;
use crate::names::GRANT;
use crate::repo;
use aigis_core::model::Grant;
use aigis_platform::Platform;

pub const ROUTES: &[Route] = &[
    route!("grants.mine", SignedIn, grants::reads::mine),
    route!("grants.list", Admin, grants::reads::list),
    route!("grants.extend", Approver, grants::extend::extend),
    route!("grants.revoke", Approver, grants::revoke::revoke),
];

pub(crate) fn load_grant(p: &Platform, id: &str) -> Result<Grant, AppError> {
    repo::get(p, GRANT, id)?
        .ok_or_else(|| AppError::not_found(format!("grant {id:?} does not exist")))
}

pub(crate) fn check_rationale(r: &str) -> Result<(), AppError> {
    let n = r.trim().chars().count();
    if n == 0 || n > 2000 {
        return Err(AppError::invalid(
            "rationale",
            "must be 1 to 2000 characters",
        ));
    }
    Ok(())
}
