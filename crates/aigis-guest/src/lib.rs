//! Guest glue: implements the platform ports over the WIT imports, so the
//! application layer runs inside a component exactly as it runs natively.
//!
//! The import bindings are generated once here; each component crate maps
//! its world's imports onto them with wit-bindgen's `with`.

#![allow(clippy::all)]

pub mod bindings {
    wit_bindgen::generate!({
        world: "imports",
        path: "../../wit",
        pub_export_macro: false,
    });
}

/// Generates a component's bindings for `world` in a private `bindings`
/// module, reusing this crate's import bindings (so the ports above serve
/// every component).
#[macro_export]
macro_rules! component_bindings {
    ($world:literal) => {
        mod bindings {
            wit_bindgen::generate!({
                world: $world,
                path: "../../wit",
                with: {
                    "aigis:forge/storage@0.1.0": aigis_guest::bindings::aigis::forge::storage,
                    "aigis:forge/secrets@0.1.0": aigis_guest::bindings::aigis::forge::secrets,
                    "aigis:forge/jira@0.1.0": aigis_guest::bindings::aigis::forge::jira,
                    "aigis:forge/egress@0.1.0": aigis_guest::bindings::aigis::forge::egress,
                    "aigis:forge/queue@0.1.0": aigis_guest::bindings::aigis::forge::queue,
                    "aigis:forge/runtime@0.1.0": aigis_guest::bindings::aigis::forge::runtime,
                },
            });
        }
    };
}

use aigis_platform::*;
use bindings::aigis::forge::{egress, jira, queue, runtime, secrets, storage};

fn storage_err(e: storage::StorageError) -> StorageError {
    use storage::StorageError as W;
    match e {
        W::InvalidKey(s) => StorageError::InvalidKey(s),
        W::InvalidValue(s) => StorageError::InvalidValue(s),
        W::KeyExists => StorageError::KeyExists,
        W::ConditionFailed => StorageError::ConditionFailed,
        W::InvalidTransaction(s) => StorageError::InvalidTransaction(s),
        W::UnknownEntity(s) => StorageError::UnknownEntity(s),
        W::InvalidCursor => StorageError::InvalidCursor,
        W::Backend(s) => StorageError::Backend(s),
    }
}

fn page(p: storage::QueryPage) -> QueryPage {
    QueryPage {
        items: p.items,
        next_cursor: p.next_cursor,
    }
}

fn json(v: &serde_json::Value) -> String {
    v.to_string()
}

fn filter_op(op: FilterOp) -> storage::FilterOp {
    use storage::FilterOp as W;
    match op {
        FilterOp::EqualTo => W::EqualTo,
        FilterOp::NotEqualTo => W::NotEqualTo,
        FilterOp::Exists => W::Exists,
        FilterOp::NotExists => W::NotExists,
        FilterOp::GreaterThan => W::GreaterThan,
        FilterOp::GreaterThanEqualTo => W::GreaterThanEqualTo,
        FilterOp::LessThan => W::LessThan,
        FilterOp::LessThanEqualTo => W::LessThanEqualTo,
        FilterOp::BeginsWith => W::BeginsWith,
        FilterOp::Contains => W::Contains,
        FilterOp::NotContains => W::NotContains,
    }
}

fn conditions(cs: &[Condition]) -> Vec<storage::Condition> {
    cs.iter()
        .map(|c| storage::Condition {
            attribute: c.attribute.clone(),
            op: filter_op(c.op),
            value: c.value.as_ref().map(json),
        })
        .collect()
}

fn range(r: &RangeCondition) -> storage::RangeCondition {
    use storage::RangeCondition as W;
    match r {
        RangeCondition::EqualTo(v) => W::EqualTo(json(v)),
        RangeCondition::BeginsWith(s) => W::BeginsWith(s.clone()),
        RangeCondition::Between(a, b) => W::Between((json(a), json(b))),
        RangeCondition::GreaterThan(v) => W::GreaterThan(json(v)),
        RangeCondition::GreaterThanEqualTo(v) => W::GreaterThanEqualTo(json(v)),
        RangeCondition::LessThan(v) => W::LessThan(json(v)),
        RangeCondition::LessThanEqualTo(v) => W::LessThanEqualTo(json(v)),
    }
}

/// Forge storage through the `storage` import.
pub struct GuestStorage;

impl Storage for GuestStorage {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        storage::get(key).map_err(storage_err)
    }
    fn set(&self, key: &str, value: &str, options: SetOptions) -> Result<(), StorageError> {
        storage::set(
            key,
            value,
            storage::SetOptions {
                fail_if_exists: options.fail_if_exists,
            },
        )
        .map_err(storage_err)
    }
    fn delete(&self, key: &str) -> Result<(), StorageError> {
        storage::delete(key).map_err(storage_err)
    }
    fn query_prefix(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<QueryPage, StorageError> {
        storage::query_prefix(prefix, cursor, limit)
            .map(page)
            .map_err(storage_err)
    }
    fn entity_get(&self, entity: &str, key: &str) -> Result<Option<String>, StorageError> {
        storage::entity_get(entity, key).map_err(storage_err)
    }
    fn entity_set(&self, entity: &str, key: &str, value: &str) -> Result<(), StorageError> {
        storage::entity_set(entity, key, value).map_err(storage_err)
    }
    fn entity_delete(&self, entity: &str, key: &str) -> Result<(), StorageError> {
        storage::entity_delete(entity, key).map_err(storage_err)
    }
    fn entity_query(&self, q: &EntityQuery) -> Result<QueryPage, StorageError> {
        let wq = storage::IndexQuery {
            entity: q.entity.clone(),
            index: q.index.clone(),
            partition: q.partition.iter().map(json).collect(),
            range: q.range.as_ref().map(range),
            filters: conditions(&q.filters),
            order: match q.order {
                SortOrder::Asc => storage::SortOrder::Asc,
                SortOrder::Desc => storage::SortOrder::Desc,
            },
            cursor: q.cursor.clone(),
            limit: q.limit,
        };
        storage::entity_query(&wq).map(page).map_err(storage_err)
    }
    fn transact(&self, ops: &[TxnOp]) -> Result<(), StorageError> {
        let wops: Vec<storage::TxnOp> = ops
            .iter()
            .map(|op| match op {
                TxnOp::Set {
                    key,
                    entity,
                    value,
                    conditions: cs,
                } => storage::TxnOp::Set(storage::TxnSet {
                    key: key.clone(),
                    entity: entity.clone(),
                    value: value.clone(),
                    conditions: conditions(cs),
                }),
                TxnOp::Delete {
                    key,
                    entity,
                    conditions: cs,
                } => storage::TxnOp::Delete(storage::TxnTarget {
                    key: key.clone(),
                    entity: entity.clone(),
                    conditions: conditions(cs),
                }),
                TxnOp::Check {
                    key,
                    entity,
                    conditions: cs,
                } => storage::TxnOp::Check(storage::TxnTarget {
                    key: key.clone(),
                    entity: entity.clone(),
                    conditions: conditions(cs),
                }),
            })
            .collect();
        storage::transact(&wops).map_err(storage_err)
    }
}

fn secret_err(e: secrets::SecretError) -> SecretError {
    match e {
        secrets::SecretError::InvalidKey(s) => SecretError::InvalidKey(s),
        secrets::SecretError::Backend(s) => SecretError::Backend(s),
    }
}

/// Forge secret storage through the `secrets` import.
pub struct GuestSecrets;

impl Secrets for GuestSecrets {
    fn get_secret(&self, key: &str) -> Result<Option<String>, SecretError> {
        secrets::get(key).map_err(secret_err)
    }
    fn set_secret(&self, key: &str, value: &str) -> Result<(), SecretError> {
        secrets::set(key, value).map_err(secret_err)
    }
    fn delete_secret(&self, key: &str) -> Result<(), SecretError> {
        secrets::delete(key).map_err(secret_err)
    }
}

/// `requestJira` through the `jira` import.
pub struct GuestJira;

impl Jira for GuestJira {
    fn request_jira(&self, r: &JiraRequest) -> Result<HttpResponse, JiraError> {
        let req = jira::Request {
            principal: match r.principal {
                Principal::App => jira::Principal::App,
                Principal::User => jira::Principal::User,
            },
            method: r.method.clone(),
            path: r.path.clone(),
            headers: r.headers.clone(),
            body: r.body.clone(),
        };
        match jira::request_jira(&req) {
            Ok(resp) => Ok(HttpResponse {
                status: resp.status,
                headers: resp.headers,
                body: resp.body,
            }),
            Err(jira::JiraError::NotAllowed(s)) => Err(JiraError::NotAllowed(s)),
            Err(jira::JiraError::Network(s)) => Err(JiraError::Network(s)),
        }
    }
}

/// `fetch` through the `egress` import.
pub struct GuestEgress;

impl Egress for GuestEgress {
    fn fetch(&self, r: &FetchRequest) -> Result<HttpResponse, FetchError> {
        let req = egress::Request {
            method: r.method.clone(),
            url: r.url.clone(),
            headers: r.headers.clone(),
            body: r.body.clone(),
        };
        match egress::fetch(&req) {
            Ok(resp) => Ok(HttpResponse {
                status: resp.status,
                headers: resp.headers,
                body: resp.body,
            }),
            Err(egress::FetchError::HostNotAllowed(s)) => Err(FetchError::HostNotAllowed(s)),
            Err(egress::FetchError::InvalidUrl(s)) => Err(FetchError::InvalidUrl(s)),
            Err(egress::FetchError::Network(s)) => Err(FetchError::Network(s)),
        }
    }
}

/// Async-event queue through the `queue` import.
pub struct GuestQueue;

impl Queue for GuestQueue {
    fn push(
        &self,
        queue_key: &str,
        events: &[String],
        delay_seconds: u32,
    ) -> Result<String, QueueError> {
        queue::push(queue_key, events, delay_seconds).map_err(|e| match e {
            queue::QueueError::InvalidPush(s) => QueueError::InvalidPush(s),
            queue::QueueError::Backend(s) => QueueError::Backend(s),
        })
    }
}

/// Clock, log and deadline through the `runtime` import.
pub struct GuestRuntime;

impl Runtime for GuestRuntime {
    fn now_millis(&self) -> i64 {
        runtime::now_millis()
    }
    fn log(&self, level: LogLevel, message: &str) {
        let l = match level {
            LogLevel::Debug => runtime::Level::Debug,
            LogLevel::Info => runtime::Level::Info,
            LogLevel::Warn => runtime::Level::Warn,
            LogLevel::Error => runtime::Level::Error,
        };
        runtime::log(l, message);
    }
    fn remaining_millis(&self) -> u64 {
        runtime::remaining_millis()
    }
}

/// Randomness from `wasi:random` (Forge: `crypto.getRandomValues`).
pub struct GuestRandom;

impl Random for GuestRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), String> {
        getrandom::fill(buf).map_err(|e| format!("wasi:random is unavailable: {e}"))
    }
}

/// Runs `f` with the platform made of the WIT imports.
pub fn with_platform<R>(f: impl FnOnce(Platform) -> R) -> R {
    f(Platform {
        storage: &GuestStorage,
        secrets: &GuestSecrets,
        jira: &GuestJira,
        egress: &GuestEgress,
        queue: &GuestQueue,
        runtime: &GuestRuntime,
        random: &GuestRandom,
    })
}
