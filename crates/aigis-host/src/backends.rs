//! The services behind the imports: the storage backend (`aigis_store::Store`,
//! storage and secrets in `forge.db`) and the Jira Cloud simulator
//! (`aigis_jira_sim::JiraSim`, `jira.db`).

pub use aigis_jira_sim::{DemoSite, DemoUser, JiraSim, SimEvent, SimResponse, SimUser};
pub use aigis_store::Store;
