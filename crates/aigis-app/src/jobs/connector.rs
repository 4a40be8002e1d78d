//! The connector plug-in point: how a job with `JobMode::Connector(name)`
//! is carried out. A connector provisions, deprovisions or checks one
//! grant's access in an external system (an Okta or Entra group later) and
//! says whether it worked, may work on a retry, or cannot work.
//!
//! The job runner first looks for a stored connector record of that id
//! (`connectors`, built per invocation: [`super::connected`]); connectors
//! registered here by name (tests) come second.

use aigis_core::model::{Grant, Job};
use aigis_platform::Platform;
use std::sync::{Arc, RwLock};

/// The result of one connector call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// A transient failure (timeout, 5xx, rate limit): try again later,
    /// after the wait the provider asked for (ms) when it said.
    Retryable(String, Option<aigis_core::Millis>),
    /// A failure a retry will not fix (unknown user, missing group).
    Terminal(String),
}

pub trait Connector: Send + Sync {
    fn provision(&self, p: &Platform, job: &Job, grant: &Grant) -> Outcome;
    fn deprovision(&self, p: &Platform, job: &Job, grant: &Grant) -> Outcome;
    fn check(&self, p: &Platform, job: &Job, grant: &Grant) -> Outcome;
    /// The provider's request ids of the last call, for the job's events.
    fn request_ids(&self) -> Vec<String> {
        Vec::new()
    }
}

type Registry = Vec<(String, Arc<dyn Connector>)>;

static REGISTRY: RwLock<Registry> = RwLock::new(Vec::new());

/// Registers (or replaces) the connector called `name`.
pub fn register(name: &str, c: Arc<dyn Connector>) {
    if let Ok(mut r) = REGISTRY.write() {
        r.retain(|(n, _)| n != name);
        r.push((name.to_owned(), c));
    }
}

/// The connector called `name`, if registered.
pub fn lookup(name: &str) -> Option<Arc<dyn Connector>> {
    REGISTRY
        .read()
        .ok()?
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, c)| Arc::clone(c))
}
