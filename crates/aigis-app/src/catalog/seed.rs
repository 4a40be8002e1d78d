//! `catalog.seed`: the built-in list of common AI tools, added once.

use crate::access::Caller;
use crate::api::NoArgs;
use crate::error::AppError;
use crate::names::TOOL;
use crate::repo::{self, Change};
use aigis_core::audit::NewEvent;
use aigis_core::builtins::BUILTINS;
use aigis_core::model::Tool;
use aigis_platform::Platform;
use serde::Serialize;
use serde_json::json;

/// The ids the seed added, and how many built-ins there are.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Seeded {
    pub added: Vec<String>,
    pub builtins: u32,
}

/// Tools added per commit by `catalog.seed` (2 operations each + the head).
const SEED_BATCH: usize = 10;

/// `catalog.seed` (admin): `{}`; adds the built-in tools not yet in the
/// catalog (by id). Idempotent: a second run adds nothing.
pub fn seed(p: &Platform, caller: &Caller, _: NoArgs) -> Result<Seeded, AppError> {
    let now = repo::now(p);
    let mut added = Vec::new();
    for batch in BUILTINS.chunks(SEED_BATCH) {
        let done = repo::commit(p, |_| {
            let mut c = Change::new();
            let mut ids = Vec::new();
            for b in batch {
                if repo::get::<Tool>(p, TOOL, b.id)?.is_some() {
                    continue;
                }
                let tool = b.input().into_tool(now)?;
                c.create(TOOL, &tool.id, &tool)?;
                c.event(NewEvent::new(
                    &caller.account_id,
                    "tool.added",
                    &format!("tool:{}", tool.id),
                    json!({"tool": tool, "source": "builtin"}),
                ));
                ids.push(tool.id);
            }
            Ok((ids, c))
        })?;
        added.extend(done.value);
    }
    Ok(Seeded {
        added,
        builtins: BUILTINS.len() as u32,
    })
}
