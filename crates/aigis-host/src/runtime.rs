//! The wasmtime side: one engine per process with epoch interruption, the
//! WIT bindings per world, the import implementations (delegating to the
//! host services) and per-invocation stores.

use crate::backends::{JiraSim, Store};
use crate::clock::Clock;
use crate::hostdb::{HostDb, QueuedMessage};
use crate::manifest::{Manifest, url_host};
use crate::{EgressHandler, HostError};
use aigis_platform as plat;
use aigis_platform::{Secrets as _, Storage as _};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};
use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{Config, Engine};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// The import interfaces, generated once and shared by every world.
mod imports {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "imports",
    });
}

/// Bindings for a handler world, sharing the import interfaces generated
/// once in `imports` (each import Host trait is implemented once).
macro_rules! handler_world {
    ($module:ident, $world:literal) => {
        mod $module {
            wasmtime::component::bindgen!({
                path: "../../wit",
                world: $world,
                with: {
                    "aigis:forge/storage": super::imports::aigis::forge::storage,
                    "aigis:forge/secrets": super::imports::aigis::forge::secrets,
                    "aigis:forge/jira": super::imports::aigis::forge::jira,
                    "aigis:forge/egress": super::imports::aigis::forge::egress,
                    "aigis:forge/queue": super::imports::aigis::forge::queue,
                    "aigis:forge/runtime": super::imports::aigis::forge::runtime,
                },
            });
        }
    };
}

handler_world!(resolver_world, "resolver-component");
handler_world!(trigger_world, "trigger-component");
handler_world!(scheduled_world, "scheduled-component");
handler_world!(consumer_world, "consumer-component");

use imports::aigis::forge::{egress, jira, queue, runtime as rt, secrets, storage};

/// Epoch tick period; deadlines are counted in ticks.
const TICK: Duration = Duration::from_millis(10);
/// Captured guest stdout/stderr per invocation.
const PIPE_CAPACITY: usize = 1 << 20;

// ---- stats and logs ---------------------------------------------------------

/// What one invocation did, returned with every result.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// Storage calls by kind: get, set, delete, query, entity-get, entity-set,
    /// entity-delete, entity-query, transact, secrets.
    pub storage: BTreeMap<String, u64>,
    pub storage_total: u64,
    /// Jira calls by `METHOD /path/template` (ids replaced by `{id}`, issue keys by `{key}`).
    pub jira: BTreeMap<String, u64>,
    pub jira_total: u64,
    pub egress: u64,
    pub queue_pushes: u64,
    pub duration_ms: u64,
}

impl Stats {
    fn storage_call(&mut self, kind: &str) {
        *self.storage.entry(kind.to_string()).or_default() += 1;
        self.storage_total += 1;
    }
    fn jira_call(&mut self, method: &str, path: &str) {
        *self
            .jira
            .entry(format!(
                "{} {}",
                method.to_ascii_uppercase(),
                path_template(path)
            ))
            .or_default() += 1;
        self.jira_total += 1;
    }
}

/// A Jira path with its variable segments replaced, so calls group by endpoint.
pub fn path_template(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').collect();
    segments
        .iter()
        .enumerate()
        .map(|(i, &seg)| {
            // The API version (`/rest/api/3`, `/rest/agile/1.0`) stays.
            if i > 0 && matches!(segments[i - 1], "api" | "agile") {
                return seg;
            }
            let is_issue_key = seg.split_once('-').is_some_and(|(p, n)| {
                !p.is_empty()
                    && p.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                    && p.chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                    && !n.is_empty()
                    && n.chars().all(|c| c.is_ascii_digit())
            });
            if is_issue_key {
                "{key}"
            } else if (!seg.is_empty() && seg.chars().all(|c| c.is_ascii_digit()))
                || seg.contains(':')
                || (seg.len() >= 16
                    && seg.chars().any(|c| c.is_ascii_digit())
                    && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            {
                "{id}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LogLine {
    /// debug, info, warn, error; `stdout` / `stderr` for raw WASI output.
    pub level: String,
    pub message: String,
}

// ---- shared services --------------------------------------------------------

/// Everything the imports delegate to; shared by all invocations of a host.
pub(crate) struct Services {
    pub store: Arc<Store>,
    pub sim: Arc<JiraSim>,
    pub hostdb: Arc<HostDb>,
    pub clock: Clock,
    pub manifest: Arc<Manifest>,
    pub egress: RwLock<Option<Arc<dyn EgressHandler>>>,
    pub ids: AtomicU64,
    /// Tests only: the seeded `wasi:random` of every invocation (None: the OS's).
    pub random: Option<crate::seeded::SeededRandom>,
}

impl Services {
    pub fn new_id(&self, prefix: &str) -> String {
        let n = self.ids.fetch_add(1, Ordering::SeqCst);
        let mut h = Sha256::new();
        match &self.random {
            Some(r) => h.update(r.seed().to_le_bytes()),
            None => {
                h.update(crate::clock::real_now_millis().to_le_bytes());
                h.update(std::process::id().to_le_bytes());
            }
        }
        h.update(n.to_le_bytes());
        let d = h.finalize();
        let hex: String = d.iter().take(12).map(|b| format!("{b:02x}")).collect();
        format!("{prefix}{hex}")
    }
}

/// Per-invocation store data.
pub(crate) struct InvState {
    wasi: WasiCtx,
    table: ResourceTable,
    svc: Arc<Services>,
    /// The invoking user (resolvers only): `asUser()` runs as this account.
    account_id: Option<String>,
    started: Instant,
    timeout: Duration,
    /// Virtual time at the start of the invocation when pinned (`sweep --at`).
    pinned_now: Option<i64>,
    function_key: String,
    stats: Stats,
    logs: Vec<LogLine>,
}

impl InvState {
    fn now_millis(&self) -> i64 {
        match self.pinned_now {
            Some(at) => at + self.started.elapsed().as_millis() as i64,
            None => self.svc.clock.now_millis(),
        }
    }
}

impl WasiView for InvState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

// ---- conversions --------------------------------------------------------------

fn storage_err(e: plat::StorageError) -> storage::StorageError {
    use plat::StorageError as P;
    use storage::StorageError as W;
    match e {
        P::InvalidKey(s) => W::InvalidKey(s),
        P::InvalidValue(s) => W::InvalidValue(s),
        P::KeyExists => W::KeyExists,
        P::ConditionFailed => W::ConditionFailed,
        P::InvalidTransaction(s) => W::InvalidTransaction(s),
        P::UnknownEntity(s) => W::UnknownEntity(s),
        P::InvalidCursor => W::InvalidCursor,
        P::Backend(s) => W::Backend(s),
    }
}

fn secret_err(e: plat::SecretError) -> secrets::SecretError {
    match e {
        plat::SecretError::InvalidKey(s) => secrets::SecretError::InvalidKey(s),
        plat::SecretError::Backend(s) => secrets::SecretError::Backend(s),
    }
}

fn json(text: &str) -> Result<serde_json::Value, storage::StorageError> {
    serde_json::from_str(text)
        .map_err(|e| storage::StorageError::InvalidValue(format!("not JSON: {e}")))
}

fn page(p: plat::QueryPage) -> storage::QueryPage {
    storage::QueryPage {
        items: p.items,
        next_cursor: p.next_cursor,
    }
}

fn condition(c: storage::Condition) -> Result<plat::Condition, storage::StorageError> {
    use plat::FilterOp as P;
    use storage::FilterOp as W;
    let op = match c.op {
        W::EqualTo => P::EqualTo,
        W::NotEqualTo => P::NotEqualTo,
        W::Exists => P::Exists,
        W::NotExists => P::NotExists,
        W::GreaterThan => P::GreaterThan,
        W::GreaterThanEqualTo => P::GreaterThanEqualTo,
        W::LessThan => P::LessThan,
        W::LessThanEqualTo => P::LessThanEqualTo,
        W::BeginsWith => P::BeginsWith,
        W::Contains => P::Contains,
        W::NotContains => P::NotContains,
    };
    Ok(plat::Condition {
        attribute: c.attribute,
        op,
        value: c.value.as_deref().map(json).transpose()?,
    })
}

fn conditions(cs: Vec<storage::Condition>) -> Result<Vec<plat::Condition>, storage::StorageError> {
    cs.into_iter().map(condition).collect()
}

fn index_query(q: storage::IndexQuery) -> Result<plat::EntityQuery, storage::StorageError> {
    use plat::RangeCondition as P;
    use storage::RangeCondition as W;
    let range = match q.range {
        None => None,
        Some(W::EqualTo(v)) => Some(P::EqualTo(json(&v)?)),
        Some(W::BeginsWith(s)) => Some(P::BeginsWith(s)),
        Some(W::Between((a, b))) => Some(P::Between(json(&a)?, json(&b)?)),
        Some(W::GreaterThan(v)) => Some(P::GreaterThan(json(&v)?)),
        Some(W::GreaterThanEqualTo(v)) => Some(P::GreaterThanEqualTo(json(&v)?)),
        Some(W::LessThan(v)) => Some(P::LessThan(json(&v)?)),
        Some(W::LessThanEqualTo(v)) => Some(P::LessThanEqualTo(json(&v)?)),
    };
    Ok(plat::EntityQuery {
        entity: q.entity,
        index: q.index,
        partition: q
            .partition
            .iter()
            .map(|p| json(p))
            .collect::<Result<_, _>>()?,
        range,
        filters: conditions(q.filters)?,
        order: match q.order {
            storage::SortOrder::Asc => plat::SortOrder::Asc,
            storage::SortOrder::Desc => plat::SortOrder::Desc,
        },
        cursor: q.cursor,
        limit: q.limit,
    })
}

fn txn_op(op: storage::TxnOp) -> Result<plat::TxnOp, storage::StorageError> {
    Ok(match op {
        storage::TxnOp::Set(s) => plat::TxnOp::Set {
            key: s.key,
            entity: s.entity,
            value: s.value,
            conditions: conditions(s.conditions)?,
        },
        storage::TxnOp::Delete(t) => plat::TxnOp::Delete {
            key: t.key,
            entity: t.entity,
            conditions: conditions(t.conditions)?,
        },
        storage::TxnOp::Check(t) => plat::TxnOp::Check {
            key: t.key,
            entity: t.entity,
            conditions: conditions(t.conditions)?,
        },
    })
}

// ---- import implementations ---------------------------------------------------

impl storage::Host for InvState {
    fn get(&mut self, key: String) -> Result<Option<String>, storage::StorageError> {
        self.stats.storage_call("get");
        self.svc.store.get(&key).map_err(storage_err)
    }

    fn set(
        &mut self,
        key: String,
        value: String,
        options: storage::SetOptions,
    ) -> Result<(), storage::StorageError> {
        self.stats.storage_call("set");
        let options = plat::SetOptions {
            fail_if_exists: options.fail_if_exists,
        };
        self.svc
            .store
            .set(&key, &value, options)
            .map_err(storage_err)
    }

    fn delete(&mut self, key: String) -> Result<(), storage::StorageError> {
        self.stats.storage_call("delete");
        self.svc.store.delete(&key).map_err(storage_err)
    }

    fn query_prefix(
        &mut self,
        prefix: String,
        cursor: Option<String>,
        limit: u32,
    ) -> Result<storage::QueryPage, storage::StorageError> {
        self.stats.storage_call("query");
        self.svc
            .store
            .query_prefix(&prefix, cursor.as_deref(), limit)
            .map(page)
            .map_err(storage_err)
    }

    fn entity_get(
        &mut self,
        entity: String,
        key: String,
    ) -> Result<Option<String>, storage::StorageError> {
        self.stats.storage_call("entity-get");
        self.svc
            .store
            .entity_get(&entity, &key)
            .map_err(storage_err)
    }

    fn entity_set(
        &mut self,
        entity: String,
        key: String,
        value: String,
    ) -> Result<(), storage::StorageError> {
        self.stats.storage_call("entity-set");
        self.svc
            .store
            .entity_set(&entity, &key, &value)
            .map_err(storage_err)
    }

    fn entity_delete(&mut self, entity: String, key: String) -> Result<(), storage::StorageError> {
        self.stats.storage_call("entity-delete");
        self.svc
            .store
            .entity_delete(&entity, &key)
            .map_err(storage_err)
    }

    fn entity_query(
        &mut self,
        query: storage::IndexQuery,
    ) -> Result<storage::QueryPage, storage::StorageError> {
        self.stats.storage_call("entity-query");
        let q = index_query(query)?;
        self.svc
            .store
            .entity_query(&q)
            .map(page)
            .map_err(storage_err)
    }

    fn transact(&mut self, ops: Vec<storage::TxnOp>) -> Result<(), storage::StorageError> {
        self.stats.storage_call("transact");
        let ops = ops.into_iter().map(txn_op).collect::<Result<Vec<_>, _>>()?;
        self.svc.store.transact(&ops).map_err(storage_err)
    }
}

impl secrets::Host for InvState {
    fn get(&mut self, key: String) -> Result<Option<String>, secrets::SecretError> {
        self.stats.storage_call("secrets");
        self.svc.store.get_secret(&key).map_err(secret_err)
    }

    fn set(&mut self, key: String, value: String) -> Result<(), secrets::SecretError> {
        self.stats.storage_call("secrets");
        self.svc.store.set_secret(&key, &value).map_err(secret_err)
    }

    fn delete(&mut self, key: String) -> Result<(), secrets::SecretError> {
        self.stats.storage_call("secrets");
        self.svc.store.delete_secret(&key).map_err(secret_err)
    }
}

impl jira::Host for InvState {
    fn request_jira(&mut self, request: jira::Request) -> Result<jira::Response, jira::JiraError> {
        self.stats.jira_call(&request.method, &request.path);
        if !request.path.starts_with("/rest/") {
            return Err(jira::JiraError::NotAllowed(format!(
                "`{}` is not a Jira REST path (must start with /rest/)",
                request.path
            )));
        }
        let as_account = match request.principal {
            jira::Principal::App => None,
            jira::Principal::User => match &self.account_id {
                Some(a) => Some(a.as_str()),
                None => {
                    return Err(jira::JiraError::NotAllowed(
                        "asUser() outside a user invocation".into(),
                    ));
                }
            },
        };
        let now = self.now_millis();
        self.svc.sim.set_clock(now);
        let r = self.svc.sim.handle_as(
            as_account,
            &request.method.to_ascii_uppercase(),
            &request.path,
            &request.headers,
            request.body.as_deref(),
        );
        Ok(jira::Response {
            status: r.status,
            headers: r.headers,
            body: r.body,
        })
    }
}

impl egress::Host for InvState {
    fn fetch(&mut self, request: egress::Request) -> Result<egress::Response, egress::FetchError> {
        self.stats.egress += 1;
        let host = url_host(&request.url).map_err(egress::FetchError::InvalidUrl)?;
        if !self.svc.manifest.egress.allows(&host) {
            return Err(egress::FetchError::HostNotAllowed(host));
        }
        let handler = self
            .svc
            .egress
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let Some(handler) = handler else {
            return Err(egress::FetchError::Network(format!(
                "no route to {host} in the local host"
            )));
        };
        let req = plat::FetchRequest {
            method: request.method,
            url: request.url,
            headers: request.headers,
            body: request.body,
        };
        match handler.fetch(&host, &req) {
            Ok(r) => Ok(egress::Response {
                status: r.status,
                headers: r.headers,
                body: r.body,
            }),
            Err(plat::FetchError::HostNotAllowed(s)) => Err(egress::FetchError::HostNotAllowed(s)),
            Err(plat::FetchError::InvalidUrl(s)) => Err(egress::FetchError::InvalidUrl(s)),
            Err(plat::FetchError::Network(s)) => Err(egress::FetchError::Network(s)),
        }
    }
}

/// Forge's async-event limits.
const MAX_EVENTS_PER_PUSH: usize = 50;
const MAX_EVENT_BYTES: usize = 200 * 1024;
const MAX_DELAY_SECONDS: u32 = 900;

impl queue::Host for InvState {
    fn push(
        &mut self,
        queue_key: String,
        events: Vec<String>,
        delay_seconds: u32,
    ) -> Result<String, queue::QueueError> {
        self.stats.queue_pushes += 1;
        if self.svc.manifest.consumer_for(&queue_key).is_none() {
            return Err(queue::QueueError::InvalidPush(format!(
                "no consumer is bound to queue `{queue_key}` in manifest.yml"
            )));
        }
        if events.is_empty() || events.len() > MAX_EVENTS_PER_PUSH {
            return Err(queue::QueueError::InvalidPush(format!(
                "{} events (1..={MAX_EVENTS_PER_PUSH} per push)",
                events.len()
            )));
        }
        if let Some(big) = events.iter().find(|e| e.len() > MAX_EVENT_BYTES) {
            return Err(queue::QueueError::InvalidPush(format!(
                "an event of {} bytes (at most {MAX_EVENT_BYTES})",
                big.len()
            )));
        }
        if delay_seconds > MAX_DELAY_SECONDS {
            return Err(queue::QueueError::InvalidPush(format!(
                "delay of {delay_seconds} s (at most {MAX_DELAY_SECONDS})"
            )));
        }
        let job_id = self.svc.new_id("job-");
        let due = self.now_millis() + i64::from(delay_seconds) * 1000;
        let messages: Vec<QueuedMessage> = events
            .into_iter()
            .map(|body| QueuedMessage {
                id: self.svc.new_id("msg-"),
                job_id: job_id.clone(),
                queue_key: queue_key.clone(),
                body,
                due_ms: due,
                attempts: 0,
            })
            .collect();
        self.svc
            .hostdb
            .enqueue(&messages)
            .map_err(|e| queue::QueueError::Backend(e.to_string()))?;
        Ok(job_id)
    }
}

impl rt::Host for InvState {
    fn now_millis(&mut self) -> i64 {
        InvState::now_millis(self)
    }

    fn log(&mut self, level: rt::Level, message: String) {
        let fk = self.function_key.as_str();
        let level = match level {
            rt::Level::Debug => {
                tracing::debug!(target: "aigis::guest", function = fk, "{message}");
                "debug"
            }
            rt::Level::Info => {
                tracing::info!(target: "aigis::guest", function = fk, "{message}");
                "info"
            }
            rt::Level::Warn => {
                tracing::warn!(target: "aigis::guest", function = fk, "{message}");
                "warn"
            }
            rt::Level::Error => {
                tracing::error!(target: "aigis::guest", function = fk, "{message}");
                "error"
            }
        };
        self.logs.push(LogLine {
            level: level.into(),
            message,
        });
    }

    fn remaining_millis(&mut self) -> u64 {
        self.timeout
            .saturating_sub(self.started.elapsed())
            .as_millis() as u64
    }
}

// ---- engine, linker and compiled components -----------------------------------

struct Runtime {
    engine: Engine,
    linker: Linker<InvState>,
    /// Compiled components by the wasm's SHA-256.
    compiled: Mutex<HashMap<String, Component>>,
}

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

fn runtime() -> Result<&'static Runtime, HostError> {
    RUNTIME
        .get_or_init(|| build_runtime().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| HostError::Wasm(e.clone()))
}

fn build_runtime() -> wasmtime::Result<Runtime> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    let engine = Engine::new(&config)?;
    let mut linker: Linker<InvState> = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    imports::Imports::add_to_linker::<InvState, HasSelf<InvState>>(&mut linker, |s| s)?;
    let ticker = engine.weak();
    std::thread::Builder::new()
        .name("aigis-epoch".into())
        .spawn(move || {
            while let Some(engine) = ticker.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(TICK);
            }
        })?;
    Ok(Runtime {
        engine,
        linker,
        compiled: Mutex::new(HashMap::new()),
    })
}

/// Loads (compiling at most once per process, and at most once per wasm
/// content when a cache dir is given) the component at `path`.
pub(crate) fn load_component(
    path: &Path,
    cache_dir: Option<&Path>,
) -> Result<Component, HostError> {
    let rt = runtime()?;
    let bytes = std::fs::read(path).map_err(|e| HostError::ComponentMissing {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let sha: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let cached_file: Option<PathBuf> = cache_dir.map(|d| d.join(format!("{sha}.cwasm")));
    let in_memory = rt
        .compiled
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&sha)
        .cloned();
    if let Some(c) = in_memory {
        // Compiled earlier in this process (maybe for another state dir).
        if let Some(file) = cached_file.as_deref().filter(|f| !f.exists())
            && let Err(e) = write_cache(&c, file)
        {
            tracing::warn!("cannot write compiled cache {}: {e}", file.display());
        }
        return Ok(c);
    }
    let started = Instant::now();
    let mut component = None;
    if let Some(file) = cached_file.as_deref().filter(|f| f.exists()) {
        // SAFETY: `deserialize_file` trusts its input. Files in the cache dir
        // are written only by `Component::serialize` below (by this program,
        // named after the SHA-256 of the wasm they were compiled from, and
        // moved into place atomically); wasmtime also checks its version and
        // engine configuration in the header and refuses a mismatch, in which
        // case we recompile.
        match unsafe { Component::deserialize_file(&rt.engine, file) } {
            Ok(c) => component = Some(c),
            Err(e) => tracing::warn!("stale compiled cache {}: {e}", file.display()),
        }
    }
    let component = match component {
        Some(c) => c,
        None => {
            let c = Component::new(&rt.engine, &bytes)
                .map_err(|e| HostError::Wasm(format!("compiling {}: {e:#}", path.display())))?;
            if let Some(file) = &cached_file
                && let Err(e) = write_cache(&c, file)
            {
                tracing::warn!("cannot write compiled cache {}: {e}", file.display());
            }
            c
        }
    };
    tracing::debug!(
        "loaded {} in {} ms",
        path.display(),
        started.elapsed().as_millis()
    );
    rt.compiled
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(sha, component.clone());
    Ok(component)
}

fn write_cache(c: &Component, file: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let bytes = c.serialize()?;
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, file)?;
    Ok(())
}

/// Which export to call.
pub(crate) enum Call<'a> {
    Resolver {
        function_key: &'a str,
        payload: &'a str,
        context: &'a str,
    },
    Trigger {
        handler: &'a str,
        event: &'a str,
        context: &'a str,
    },
    Scheduled {
        handler: &'a str,
        event: &'a str,
        context: &'a str,
    },
    Consumer {
        handler: &'a str,
        event: &'a str,
        context: &'a str,
    },
}

/// One invocation's setup.
pub(crate) struct Invocation {
    pub function_key: String,
    pub account_id: Option<String>,
    pub timeout: Duration,
    pub pinned_now: Option<i64>,
}

/// What the guest returned (`Ok(None)` for exports returning `result<_, string>`).
pub(crate) struct RawOutcome {
    pub result: Result<Option<String>, String>,
    pub stats: Stats,
    pub logs: Vec<LogLine>,
}

/// Instantiates `component` in a fresh store and calls one export.
pub(crate) fn invoke(
    svc: &Arc<Services>,
    component: &Component,
    inv: Invocation,
    call: Call<'_>,
) -> Result<RawOutcome, HostError> {
    let rt = runtime()?;
    let stdout = MemoryOutputPipe::new(PIPE_CAPACITY);
    let stderr = MemoryOutputPipe::new(PIPE_CAPACITY);
    let mut wasi = WasiCtxBuilder::new();
    wasi.stdout(stdout.clone())
        .stderr(stderr.clone())
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false);
    if let Some(r) = &svc.random {
        crate::seeded::install(&mut wasi, r);
    }
    let wasi = wasi.build();
    let state = InvState {
        wasi,
        table: ResourceTable::new(),
        svc: svc.clone(),
        account_id: inv.account_id,
        started: Instant::now(),
        timeout: inv.timeout,
        pinned_now: inv.pinned_now,
        function_key: inv.function_key.clone(),
        stats: Stats::default(),
        logs: Vec::new(),
    };
    let mut store = wasmtime::Store::new(&rt.engine, state);
    let ticks = (inv.timeout.as_millis() / TICK.as_millis()).max(1) as u64;
    store.set_epoch_deadline(ticks);
    store.epoch_deadline_trap();

    let fk = inv.function_key.as_str();
    let wasm_err = |e: wasmtime::Error| HostError::Wasm(format!("{fk}: {e:#}"));
    let result: wasmtime::Result<Result<Option<String>, String>> = (|| {
        let pre = rt.linker.instantiate_pre(component)?;
        Ok(match call {
            Call::Resolver {
                function_key,
                payload,
                context,
            } => {
                let b = resolver_world::ResolverComponentPre::new(pre)?.instantiate(&mut store)?;
                b.aigis_forge_resolver()
                    .call_invoke(&mut store, function_key, payload, context)?
                    .map(Some)
            }
            Call::Trigger {
                handler,
                event,
                context,
            } => {
                let b = trigger_world::TriggerComponentPre::new(pre)?.instantiate(&mut store)?;
                b.aigis_forge_product_trigger()
                    .call_on_event(&mut store, handler, event, context)?
                    .map(|()| None)
            }
            Call::Scheduled {
                handler,
                event,
                context,
            } => {
                let b =
                    scheduled_world::ScheduledComponentPre::new(pre)?.instantiate(&mut store)?;
                b.aigis_forge_scheduled_trigger()
                    .call_on_schedule(&mut store, handler, event, context)?
                    .map(Some)
            }
            Call::Consumer {
                handler,
                event,
                context,
            } => {
                let b = consumer_world::ConsumerComponentPre::new(pre)?.instantiate(&mut store)?;
                b.aigis_forge_queue_consumer()
                    .call_on_message(&mut store, handler, event, context)?
                    .map(|()| None)
            }
        })
    })();

    let mut state = store.into_data();
    for (pipe, level) in [(&stdout, "stdout"), (&stderr, "stderr")] {
        let text = String::from_utf8_lossy(&pipe.contents()).into_owned();
        for line in text.lines().filter(|l| !l.is_empty()) {
            tracing::info!(target: "aigis::guest", function = fk, stream = level, "{line}");
            state.logs.push(LogLine {
                level: level.into(),
                message: line.to_string(),
            });
        }
    }
    state.stats.duration_ms = state.started.elapsed().as_millis() as u64;
    match result {
        Ok(result) => Ok(RawOutcome {
            result,
            stats: state.stats,
            logs: state.logs,
        }),
        Err(e) => {
            if e.downcast_ref::<wasmtime::Trap>() == Some(&wasmtime::Trap::Interrupt) {
                Err(HostError::TimeLimit {
                    function: fk.to_string(),
                    seconds: inv.timeout.as_secs_f64(),
                })
            } else {
                Err(wasm_err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jira_path_templates() {
        assert_eq!(
            path_template("/rest/api/3/issue/AIG-12/comment"),
            "/rest/api/3/issue/{key}/comment"
        );
        assert_eq!(
            path_template("/rest/api/3/issue/10023?expand=x"),
            "/rest/api/3/issue/{id}"
        );
        assert_eq!(
            path_template("/rest/api/3/user?accountId=5b10a2844c20165700ede21g"),
            "/rest/api/3/user"
        );
        assert_eq!(
            path_template("/rest/api/3/issue/AIG-1/properties/aigis.snapshot.v1"),
            "/rest/api/3/issue/{key}/properties/aigis.snapshot.v1"
        );
        assert_eq!(path_template("/rest/api/3/myself"), "/rest/api/3/myself");
    }
}
