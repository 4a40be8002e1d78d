//! `catalog.*`: the tool catalog. Entries are added, edited and retired
//! ([`edit`]), listed with their history ([`reads`]), and seeded from the
//! built-in list ([`seed`]).

pub mod edit;
pub mod reads;
pub mod seed;

use crate::api::{Route, route};
use crate::error::AppError;
use crate::names::TOOL;
use crate::repo;
use aigis_core::model::Tool;
use aigis_platform::Platform;

pub const ROUTES: &[Route] = &[
    route!("catalog.list", SignedIn, catalog::reads::list),
    route!("catalog.history", Admin, catalog::reads::history),
    route!("catalog.builtins", Admin, catalog::reads::builtins),
    route!("catalog.add", Admin, catalog::edit::add),
    route!("catalog.update", Admin, catalog::edit::update),
    route!("catalog.retire", Admin, catalog::edit::retire),
    route!("catalog.seed", Admin, catalog::seed::seed),
];

pub(crate) fn load_tool(p: &Platform, id: &str) -> Result<Tool, AppError> {
    repo::get(p, TOOL, id)?
        .ok_or_else(|| AppError::not_found(format!("tool {id:?} does not exist")))
}
