//! The Aigis local host: runs the Forge function components under wasmtime
//! with a local emulation of every Forge capability they import (storage and
//! secrets over `aigis-store`, Jira over `aigis-jira-sim`, egress, async-event
//! queues, a virtual clock), delivers product events and scheduled triggers as
//! `manifest.yml` binds them, and serves the simulator and the resolvers over
//! HTTP (`aigis up`).
//!
//! Library API: [`Host`]. The binary (`src/main.rs`) is the `aigis` CLI.

pub mod audit;
mod backends;
pub mod clock;
pub mod demo;
pub mod demo_connected;
mod error;
mod hostdb;
pub mod idp;
pub mod manifest;
mod runtime;
pub mod scheduler;
mod seeded;
pub mod server;
pub mod statedir;

pub use backends::{DemoSite, DemoUser, JiraSim, SimEvent, SimResponse, SimUser, Store};
pub use clock::Clock;
pub use error::{ErrorBody, HostError, component_error};
pub use manifest::Manifest;
pub use runtime::{LogLine, Stats, path_template};

use manifest::{FunctionDef, Handler};
use runtime::{Call, Invocation, Prepared, RawOutcome, Services};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// Routes `fetch` calls to allowed egress hosts (after the manifest allow list
/// check). With none registered, fetch fails with `network("no route ...")`.
pub trait EgressHandler: Send + Sync {
    fn fetch(
        &self,
        host: &str,
        request: &aigis_platform::FetchRequest,
    ) -> Result<aigis_platform::HttpResponse, aigis_platform::FetchError>;
}

/// How the virtual clock starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClockConfig {
    /// Real time plus the offset persisted in `host.db` (zero in memory).
    #[default]
    Persisted,
    /// Frozen at this instant (ms since the Unix epoch) until moved.
    Fixed(i64),
}

#[derive(Debug, Clone)]
pub struct HostConfig {
    /// `None`: everything in memory. Otherwise `forge.db`, `jira.db`,
    /// `host.db` and `cache/` live here.
    pub state_dir: Option<PathBuf>,
    pub components_dir: PathBuf,
    pub manifest_path: PathBuf,
    pub clock: ClockConfig,
}

/// A resolver call's result: `Ok` is the component's JSON result, `Err` its
/// JSON error object (`{"code", "message", "field"?}`).
#[derive(Debug, Clone, Serialize)]
pub struct InvokeOutcome {
    pub result: Result<Value, Value>,
    pub stats: Stats,
    pub logs: Vec<LogLine>,
}

/// A trigger or consumer delivery.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryOutcome {
    pub function: String,
    /// `Err` is the component's error text.
    pub result: Result<(), String>,
    pub stats: Stats,
    pub logs: Vec<LogLine>,
}

/// A scheduled function run.
#[derive(Debug, Clone, Serialize)]
pub struct SweepOutcome {
    pub key: String,
    pub function: String,
    /// Virtual time of the run.
    pub at_millis: i64,
    /// The JSON summary the function returned.
    pub summary: Value,
    pub stats: Stats,
    pub logs: Vec<LogLine>,
}

/// What [`Host::pump`] did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PumpReport {
    pub events_delivered: u64,
    pub events_failed: u64,
    pub messages_delivered: u64,
    pub messages_failed: u64,
}

/// The local host. Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct Host {
    inner: Arc<HostInner>,
}

struct HostInner {
    config: HostConfig,
    svc: Arc<Services>,
    cloud_id: String,
    site_url: RwLock<String>,
    cache_dir: Option<PathBuf>,
    components: Mutex<HashMap<String, Prepared>>,
    pump_lock: Mutex<()>,
    idp: Mutex<Option<Arc<idp::IdpSims>>>,
}

/// Where the components are by default: `target/wasm32-wasip2/wasm` of the
/// workspace that holds the executable or the current directory.
pub fn default_components_dir() -> PathBuf {
    let rel = Path::new("target").join("wasm32-wasip2").join("wasm");
    let mut starts = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        starts.push(cwd);
    }
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        starts.push(dir.to_path_buf());
    }
    for start in &starts {
        for dir in start.ancestors() {
            let candidate = dir.join(&rel);
            if candidate.is_dir() {
                return candidate;
            }
        }
    }
    starts.first().map(|d| d.join(&rel)).unwrap_or(rel)
}

const DEFAULT_SITE_URL: &str = "http://localhost";

impl Host {
    pub fn open(config: HostConfig) -> Result<Host, HostError> {
        Host::open_inner(config, None)
    }

    /// **Tests only** (conformance scenarios, `aigis up --random-seed`): like
    /// [`Host::open`], but the components' `wasi:random` is the ChaCha20
    /// stream of `seed` (see `seeded.rs`) and the host's own ids (the
    /// cloudId, job ids) derive from `seed`, so every run draws the same bytes.
    /// Never for a real site: its keys would be predictable.
    pub fn open_seeded(config: HostConfig, seed: u64) -> Result<Host, HostError> {
        Host::open_inner(config, Some(seeded::SeededRandom::new(seed)))
    }

    fn open_inner(
        config: HostConfig,
        random: Option<seeded::SeededRandom>,
    ) -> Result<Host, HostError> {
        let manifest = Arc::new(Manifest::load(&config.manifest_path)?);
        let schemas = manifest.entities.clone();
        let (store, sim, hostdb, cache_dir) = match &config.state_dir {
            Some(dir) => {
                statedir::prepare(dir)?;
                let store = Store::open(&dir.join("forge.db"), schemas)
                    .map_err(|e| HostError::backend("forge.db", e))?;
                let sim = JiraSim::open(&dir.join("jira.db"))
                    .map_err(|e| HostError::backend("jira.db", e))?;
                let hostdb = hostdb::HostDb::open(&dir.join("host.db"))?;
                // The side files SQLite created on open.
                statedir::tighten(dir)?;
                (store, sim, hostdb, Some(dir.join(statedir::CACHE_DIR)))
            }
            None => (
                Store::in_memory(schemas).map_err(|e| HostError::backend("storage", e))?,
                JiraSim::in_memory().map_err(|e| HostError::backend("jira sim", e))?,
                hostdb::HostDb::in_memory()?,
                None,
            ),
        };
        let hostdb = Arc::new(hostdb);
        let clock = match config.clock {
            ClockConfig::Fixed(ms) => Clock::fixed(ms),
            ClockConfig::Persisted if config.state_dir.is_some() => {
                Clock::persistent(hostdb.clone())
            }
            ClockConfig::Persisted => Clock::real(),
        };
        let svc = Arc::new(Services {
            store: Arc::new(store),
            sim: Arc::new(sim),
            hostdb: hostdb.clone(),
            clock,
            manifest,
            egress: RwLock::new(None),
            ids: AtomicU64::new(0),
            random,
        });
        let fresh = svc.new_id("");
        // A UUID-shaped id from 24 hex digits of a SHA-256 (see Services::new_id).
        let fresh = format!(
            "{}-{}-4{}-8{}-{}",
            &fresh[0..8],
            &fresh[8..12],
            &fresh[12..15],
            &fresh[15..18],
            &fresh[18..24].repeat(2)
        );
        let cloud_id = hostdb.meta_get_or_init("cloudId", &fresh)?;
        Ok(Host {
            inner: Arc::new(HostInner {
                config,
                svc,
                cloud_id,
                site_url: RwLock::new(DEFAULT_SITE_URL.into()),
                cache_dir,
                components: Mutex::new(HashMap::new()),
                pump_lock: Mutex::new(()),
                idp: Mutex::new(None),
            }),
        })
    }

    pub fn config(&self) -> &HostConfig {
        &self.inner.config
    }
    pub fn manifest(&self) -> &Manifest {
        &self.inner.svc.manifest
    }
    pub fn store(&self) -> &Store {
        &self.inner.svc.store
    }
    pub fn sim(&self) -> &JiraSim {
        &self.inner.svc.sim
    }
    pub fn clock(&self) -> &Clock {
        &self.inner.svc.clock
    }
    pub fn cloud_id(&self) -> &str {
        &self.inner.cloud_id
    }
    pub fn site_url(&self) -> String {
        self.inner
            .site_url
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
    /// The URL components see as `siteUrl` (the server sets its own address).
    pub fn set_site_url(&self, url: &str) {
        *self
            .inner
            .site_url
            .write()
            .unwrap_or_else(|p| p.into_inner()) = url.to_string();
        self.inner.svc.sim.set_base_url(url.to_string());
    }
    /// Routes egress to allowed hosts through `handler`.
    pub fn set_egress_handler(&self, handler: Option<Arc<dyn EgressHandler>>) {
        *self
            .inner
            .svc
            .egress
            .write()
            .unwrap_or_else(|p| p.into_inner()) = handler;
    }

    /// Brings the local site's identity-provider simulators (see [`idp`]):
    /// opens them over the state dir (in memory without one) and routes the
    /// components' egress to them. Idempotent: a second call returns the same
    /// simulators.
    pub fn enable_idp_sims(&self) -> Result<Arc<idp::IdpSims>, HostError> {
        let mut slot = self.inner.idp.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sims) = slot.as_ref() {
            return Ok(sims.clone());
        }
        let dir = self.inner.config.state_dir.as_deref();
        let sims = Arc::new(idp::IdpSims::open(dir, self.clock().clone())?);
        if let Some(dir) = dir {
            // The side files SQLite created on open.
            statedir::tighten(dir)?;
        }
        self.set_egress_handler(Some(Arc::new(idp::SimEgress::new(sims.clone()))));
        *slot = Some(sims.clone());
        Ok(sims)
    }

    /// The identity-provider simulators, when [`Host::enable_idp_sims`] brought them.
    pub fn idp_sims(&self) -> Option<Arc<idp::IdpSims>> {
        self.inner
            .idp
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Counts of queued async events by status (pending, done, dead).
    pub fn queue_counts(&self) -> Result<Vec<(String, u64)>, HostError> {
        Ok(self.inner.svc.hostdb.queue_counts()?)
    }

    fn inner_hostdb(&self) -> &hostdb::HostDb {
        &self.inner.svc.hostdb
    }

    /// The Jira simulator's clock follows the virtual clock.
    pub fn sync_sim_clock(&self) {
        self.inner.svc.sim.set_clock(self.clock().now_millis());
    }

    fn function(&self, key: &str) -> Result<&FunctionDef, HostError> {
        self.manifest()
            .function(key)
            .ok_or_else(|| HostError::UnknownFunction(key.to_string()))
    }

    fn component(&self, handler: &Handler) -> Result<Prepared, HostError> {
        let file = handler.component_file();
        if let Some(c) = self
            .inner
            .components
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&file)
        {
            return Ok(c.clone());
        }
        let path = self.inner.config.components_dir.join(&file);
        if !path.is_file() {
            return Err(HostError::ComponentMissing {
                message: "not found".into(),
                path,
            });
        }
        let c = runtime::load_component(&path, self.inner.cache_dir.as_deref())?;
        self.inner
            .components
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(file, c.clone());
        Ok(c)
    }

    fn run(
        &self,
        function: &FunctionDef,
        account_id: Option<&str>,
        pinned_now: Option<i64>,
        call: Call<'_>,
    ) -> Result<RawOutcome, HostError> {
        let component = self.component(&function.handler)?;
        let span = tracing::info_span!("invoke", function = %function.key);
        let _g = span.enter();
        let out = runtime::invoke(
            &self.inner.svc,
            &component,
            Invocation {
                function_key: function.key.clone(),
                account_id: account_id.map(str::to_string),
                timeout: Duration::from_secs(u64::from(function.timeout_seconds())),
                pinned_now,
            },
            call,
        )?;
        tracing::debug!(
            storage = out.stats.storage_total,
            jira = out.stats.jira_total,
            ms = out.stats.duration_ms,
            ok = out.result.is_ok(),
            "invocation done"
        );
        Ok(out)
    }

    fn product_context(&self, module_key: &str) -> Value {
        json!({ "cloudId": self.cloud_id(), "moduleKey": module_key })
    }

    /// Calls resolver `function_key` (the key the UI passes to `invoke`) as
    /// `account_id`, through the function bound to the UI module `module_key`
    /// (default: the first module with a resolver).
    pub fn invoke_resolver(
        &self,
        function_key: &str,
        payload: &Value,
        account_id: &str,
        module_key: Option<&str>,
    ) -> Result<InvokeOutcome, HostError> {
        self.invoke_resolver_in(function_key, payload, account_id, module_key, None)
    }

    /// The module a resolver call goes through: `module_key`, else the
    /// first module of the extension's `type`, else the first module with a
    /// resolver.
    pub fn resolver_module_for(
        &self,
        module_key: Option<&str>,
        extension: Option<&Value>,
    ) -> Result<manifest::ResolverModule, HostError> {
        let by_type = extension
            .and_then(|e| e.get("type"))
            .and_then(Value::as_str)
            .filter(|_| module_key.is_none())
            .and_then(|t| {
                self.manifest()
                    .resolver_modules
                    .iter()
                    .find(|m| m.module_type == t)
            });
        by_type
            .or_else(|| self.manifest().resolver_module(module_key))
            .cloned()
            .ok_or_else(|| {
                HostError::NotBound(module_key.unwrap_or("<any module>").into(), "a resolver")
            })
    }

    /// [`Host::invoke_resolver`] with the module's `extension` (what Forge
    /// puts in `context.extension`: the issue, the portal and request type);
    /// its `type` is always the module's.
    pub fn invoke_resolver_in(
        &self,
        function_key: &str,
        payload: &Value,
        account_id: &str,
        module_key: Option<&str>,
        extension: Option<&Value>,
    ) -> Result<InvokeOutcome, HostError> {
        let module = self.resolver_module_for(module_key, extension)?;
        let function = self.function(&module.function)?.clone();
        let mut ext = match extension {
            Some(Value::Object(o)) => o.clone(),
            _ => serde_json::Map::new(),
        };
        ext.insert("type".into(), json!(module.module_type));
        let context = json!({
            "accountId": account_id,
            "cloudId": self.cloud_id(),
            "localId": format!("{}-local", module.key),
            "moduleKey": module.key,
            "siteUrl": self.site_url(),
            "extension": ext,
        })
        .to_string();
        let payload = payload.to_string();
        let out = self.run(
            &function,
            Some(account_id),
            None,
            Call::Resolver {
                function_key,
                payload: &payload,
                context: &context,
            },
        )?;
        let parse = |text: &str| -> Result<Value, HostError> {
            serde_json::from_str(text).map_err(|e| HostError::BadResult {
                function: function.key.clone(),
                message: format!("not JSON: {e}"),
            })
        };
        let result = match out.result {
            Ok(Some(text)) => Ok(parse(&text)?),
            Ok(None) => Ok(Value::Null),
            // A JSON error is the component's answer; any other text is a
            // fault of the component, answered as `internal`.
            Err(text) => Err(parse(&text)
                .unwrap_or_else(|_| component_error(function_key, &Value::String(text)).1)),
        };
        Ok(InvokeOutcome {
            result,
            stats: out.stats,
            logs: out.logs,
        })
    }

    /// Delivers one product event to every trigger bound to `event_type`.
    pub fn deliver_event(
        &self,
        event_type: &str,
        payload: &Value,
    ) -> Result<Vec<DeliveryOutcome>, HostError> {
        let mut event = payload.clone();
        if let Some(obj) = event.as_object_mut() {
            obj.entry("eventType")
                .or_insert_with(|| Value::String(event_type.to_string()));
        }
        let event = event.to_string();
        let triggers: Vec<_> = self.manifest().triggers_for(event_type).cloned().collect();
        let mut outcomes = Vec::new();
        for t in triggers {
            let function = self.function(&t.function)?.clone();
            let context = self.product_context(&t.key).to_string();
            self.sync_sim_clock();
            let out = self.run(
                &function,
                None,
                None,
                Call::Trigger {
                    handler: &function.handler.export,
                    event: &event,
                    context: &context,
                },
            )?;
            outcomes.push(DeliveryOutcome {
                function: function.key.clone(),
                result: out.result.map(|_| ()),
                stats: out.stats,
                logs: out.logs,
            });
        }
        Ok(outcomes)
    }

    /// Runs scheduled trigger `key_or_function` once, at virtual time
    /// `at_millis` (default: virtual now). Does not touch the scheduler's
    /// record of last runs.
    pub fn run_scheduled(
        &self,
        key_or_function: &str,
        at_millis: Option<i64>,
    ) -> Result<SweepOutcome, HostError> {
        let def = self
            .manifest()
            .scheduled(key_or_function)
            .ok_or_else(|| HostError::NotBound(key_or_function.into(), "a scheduledTrigger"))?
            .clone();
        let function = self.function(&def.function)?.clone();
        let at = at_millis.unwrap_or_else(|| self.clock().now_millis());
        let context = self.product_context(&def.key);
        let event = json!({ "context": context }).to_string();
        let context = context.to_string();
        self.inner.svc.sim.set_clock(at);
        let out = self.run(
            &function,
            None,
            at_millis,
            Call::Scheduled {
                handler: &function.handler.export,
                event: &event,
                context: &context,
            },
        )?;
        let summary = match out.result {
            Ok(Some(text)) => serde_json::from_str(&text).unwrap_or(Value::String(text)),
            Ok(None) => Value::Null,
            Err(error) => {
                return Err(HostError::Failed {
                    function: function.key,
                    error,
                });
            }
        };
        Ok(SweepOutcome {
            key: def.key,
            function: function.key,
            at_millis: at,
            summary,
            stats: out.stats,
            logs: out.logs,
        })
    }

    /// Delivers every pending simulator event to its triggers (acking each
    /// once all its triggers succeeded; a failure leaves it pending for the
    /// next pump), then every due queue message to its consumer.
    pub fn pump(&self) -> Result<PumpReport, HostError> {
        let _guard = self
            .inner
            .pump_lock
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let mut report = PumpReport::default();
        let events = self
            .sim()
            .pending_events()
            .map_err(|e| HostError::backend("jira sim events", e))?;
        for ev in events {
            let ok = match self.deliver_event(&ev.event_type, &ev.payload) {
                Ok(outs) => {
                    let failed: Vec<_> = outs.iter().filter(|o| o.result.is_err()).collect();
                    for f in &failed {
                        tracing::warn!(
                            event = ev.id,
                            function = %f.function,
                            "trigger failed: {:?}",
                            f.result
                        );
                    }
                    failed.is_empty()
                }
                Err(e) => {
                    tracing::warn!(event = ev.id, "trigger delivery failed: {e}");
                    false
                }
            };
            if ok {
                self.sim()
                    .ack_event(ev.id)
                    .map_err(|e| HostError::backend("jira sim ack", e))?;
                report.events_delivered += 1;
            } else {
                report.events_failed += 1;
            }
        }
        let now = self.clock().now_millis();
        for m in self.inner.svc.hostdb.due_messages(now, 500)? {
            match self.deliver_message(&m) {
                Ok(()) => {
                    self.inner.svc.hostdb.message_done(&m.id)?;
                    report.messages_delivered += 1;
                }
                Err(e) => {
                    tracing::warn!(message = %m.id, queue = %m.queue_key, "consumer failed: {e}");
                    let backoff = 1_000i64 << m.attempts.min(10);
                    self.inner
                        .svc
                        .hostdb
                        .message_failed(&m.id, &e.to_string(), now + backoff)?;
                    report.messages_failed += 1;
                }
            }
        }
        Ok(report)
    }

    fn deliver_message(&self, m: &hostdb::QueuedMessage) -> Result<(), HostError> {
        let consumer = self
            .manifest()
            .consumer_for(&m.queue_key)
            .ok_or_else(|| HostError::NotBound(m.queue_key.clone(), "a consumer queue"))?
            .clone();
        let function = self.function(&consumer.function)?.clone();
        let body: Value =
            serde_json::from_str(&m.body).unwrap_or_else(|_| Value::String(m.body.clone()));
        let event = json!({
            "queueName": m.queue_key,
            "jobId": m.job_id,
            "eventId": m.id,
            "body": body,
            "retryContext": { "retryCount": m.attempts },
        })
        .to_string();
        let context = self.product_context(&consumer.key).to_string();
        self.sync_sim_clock();
        let out = self.run(
            &function,
            None,
            None,
            Call::Consumer {
                handler: &function.handler.export,
                event: &event,
                context: &context,
            },
        )?;
        out.result.map(|_| ()).map_err(|error| HostError::Failed {
            function: function.key,
            error,
        })
    }
}
