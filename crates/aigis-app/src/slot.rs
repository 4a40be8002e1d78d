//! The slot recording a person's open grant of a tool (entity `slot`,
//! keyed `<account>#<tool>`): at most one open grant per person and tool.

use crate::error::AppError;
use crate::names::{GRANT, SLOT};
use crate::repo;
use aigis_core::model::Grant;
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};

/// The slot value: the grant that holds it.
#[derive(Serialize, Deserialize)]
pub struct Slot {
    pub grant: String,
}

/// The open grant of `account` for `tool`, if any.
pub fn open_grant(p: &Platform, account: &str, tool: &str) -> Result<Option<Grant>, AppError> {
    let Some(slot) = repo::get::<Slot>(p, SLOT, &repo::slot_key(account, tool))? else {
        return Ok(None);
    };
    Ok(repo::get::<Grant>(p, GRANT, &slot.grant)?.filter(|g| g.status.is_open()))
}
