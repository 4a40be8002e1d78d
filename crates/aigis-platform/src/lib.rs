//! Ports: the Forge capabilities Aigis uses, as Rust traits.
//!
//! Each trait mirrors one interface of `wit/` one to one, so the application
//! layer runs unchanged against the WIT imports inside a component, against
//! the SQLite-backed host, or against [`memory`] in fast native tests.
//!
//! [`limits`] holds Forge's documented storage limits and the semantics of
//! conditions, range conditions and ordering; every backend uses it, so a
//! value, key or transaction that one backend accepts, all accept.

pub mod limits;
pub mod memory;
pub mod schema;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod types;

pub use schema::{EntitySchema, IndexSchema};
pub use types::*;

/// Forge hosted storage (`@forge/kvs`). See `wit/storage.wit`.
pub trait Storage {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError>;
    fn set(&self, key: &str, value: &str, options: SetOptions) -> Result<(), StorageError>;
    fn delete(&self, key: &str) -> Result<(), StorageError>;
    fn query_prefix(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<QueryPage, StorageError>;
    fn entity_get(&self, entity: &str, key: &str) -> Result<Option<String>, StorageError>;
    fn entity_set(&self, entity: &str, key: &str, value: &str) -> Result<(), StorageError>;
    fn entity_delete(&self, entity: &str, key: &str) -> Result<(), StorageError>;
    fn entity_query(&self, query: &EntityQuery) -> Result<QueryPage, StorageError>;
    fn transact(&self, ops: &[TxnOp]) -> Result<(), StorageError>;
}

/// Forge secret storage. See `wit/secrets.wit`.
pub trait Secrets {
    fn get_secret(&self, key: &str) -> Result<Option<String>, SecretError>;
    fn set_secret(&self, key: &str, value: &str) -> Result<(), SecretError>;
    fn delete_secret(&self, key: &str) -> Result<(), SecretError>;
}

/// `requestJira` as app or as the invoking user. See `wit/jira.wit`.
pub trait Jira {
    fn request_jira(&self, request: &JiraRequest) -> Result<HttpResponse, JiraError>;
}

/// `fetch` to an allowed egress host. See `wit/egress.wit`.
pub trait Egress {
    fn fetch(&self, request: &FetchRequest) -> Result<HttpResponse, FetchError>;
}

/// Async-event queue push. See `wit/queue.wit`.
pub trait Queue {
    fn push(
        &self,
        queue_key: &str,
        events: &[String],
        delay_seconds: u32,
    ) -> Result<String, QueueError>;
}

/// Clock, log and invocation deadline. See `wit/runtime.wit`.
pub trait Runtime {
    fn now_millis(&self) -> i64;
    fn log(&self, level: LogLevel, message: &str);
    fn remaining_millis(&self) -> u64;
}

/// Random bytes (`wasi:random` inside a component; `crypto.getRandomValues`
/// on Forge). Used only for secrets such as the audit MAC key, never for ids.
pub trait Random {
    /// Fills `buf`; fails only when the host has no entropy source.
    fn fill(&self, buf: &mut [u8]) -> Result<(), String>;
}

/// Everything one invocation may call, borrowed for the invocation's length.
#[derive(Clone, Copy)]
pub struct Platform<'a> {
    pub storage: &'a dyn Storage,
    pub secrets: &'a dyn Secrets,
    pub jira: &'a dyn Jira,
    pub egress: &'a dyn Egress,
    pub queue: &'a dyn Queue,
    pub runtime: &'a dyn Runtime,
    pub random: &'a dyn Random,
}
