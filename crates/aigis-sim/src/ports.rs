//! The simulated world and the ports an actor sees it through.
//!
//! [`World`] is the shared state: the platform's in-memory storage and
//! secrets (`aigis_platform::memory`, which apply Forge's limits), the
//! simulated Jira, the virtual clock and the queue of product events. An
//! [`Actor`] is one invocation's view: every port call first passes the
//! scheduler's yield point, which may switch actors or inject a fault.

use crate::idp::{Idp, Injected};
use crate::jira::FakeJira;
use crate::sched::{Fault, Point, Sched};
use aigis_platform::memory::{MemorySecrets, MemoryStorage, SeededRandom};
use aigis_platform::*;
use serde_json::Value;
use std::cell::Cell;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// Whether `AIGIS_SIM_TRACE` asks for a trace of calls and operations on stderr.
pub fn trace() -> bool {
    static TRACE: OnceLock<bool> = OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("AIGIS_SIM_TRACE").is_some())
}

/// 2026-11-23T12:00:00Z, as in the app's tests.
pub const T0: i64 = 1_795_435_200_000;

/// The entity schemas `manifest.yml` declares (read once per process).
pub fn schemas() -> Vec<EntitySchema> {
    static SCHEMAS: OnceLock<Vec<EntitySchema>> = OnceLock::new();
    SCHEMAS
        .get_or_init(|| {
            let text = include_str!("../../../manifest.yml");
            // The manifest is a file of this repository: a test parses it, so a
            // broken one fails the build's tests, not a simulation.
            let doc: Value = serde_norway::from_str(text).unwrap_or(Value::Null);
            serde_json::from_value(doc["app"]["storage"]["entities"].clone()).unwrap_or_default()
        })
        .clone()
}

fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Only one thread runs at a time; a poisoned lock means a caught panic,
    // which the run reports as a finding. The data is still usable.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A pending product event: the issue it announces.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub issue_id: String,
    pub issue_key: String,
}

impl Event {
    pub fn payload(&self) -> String {
        serde_json::json!({
            "eventType": "avi:jira:created:issue",
            "issue": {"id": self.issue_id, "key": self.issue_key, "fields": {"project": {"key": crate::jira::PROJECT}}},
        })
        .to_string()
    }
}

pub struct World {
    pub storage: Mutex<MemoryStorage>,
    pub secrets: Mutex<MemorySecrets>,
    pub jira: Mutex<FakeJira>,
    pub clock: AtomicI64,
    pub random: Mutex<SeededRandom>,
    pub events: Mutex<Vec<Event>>,
    /// Every log line the app wrote (searched for secrets at the end).
    pub logs: Mutex<Vec<String>>,
    /// Every value put in secret storage, to search answers and logs for.
    pub secret_values: Mutex<Vec<String>>,
    /// The identity providers of the connected tools.
    pub idp: Idp,
}

impl World {
    pub fn new(seed: u64) -> Result<World, String> {
        Ok(World {
            storage: Mutex::new(MemoryStorage::new(schemas())),
            secrets: Mutex::new(MemorySecrets::default()),
            jira: Mutex::new(FakeJira::new()),
            clock: AtomicI64::new(T0),
            random: Mutex::new(SeededRandom::new(seed ^ 0x5eed)),
            events: Mutex::new(Vec::new()),
            logs: Mutex::new(Vec::new()),
            secret_values: Mutex::new(Vec::new()),
            idp: Idp::new(T0)?,
        })
    }

    pub fn storage(&self) -> MutexGuard<'_, MemoryStorage> {
        guard(&self.storage)
    }
    pub fn secrets(&self) -> MutexGuard<'_, MemorySecrets> {
        guard(&self.secrets)
    }
    pub fn jira(&self) -> MutexGuard<'_, FakeJira> {
        guard(&self.jira)
    }
    pub fn events(&self) -> MutexGuard<'_, Vec<Event>> {
        guard(&self.events)
    }
    pub fn secret_values(&self) -> Vec<String> {
        guard(&self.secret_values).clone()
    }
    pub fn now(&self) -> i64 {
        self.clock.load(Ordering::SeqCst)
    }
    pub fn set_now(&self, t: i64) {
        self.clock.store(t, Ordering::SeqCst);
    }

    /// Every stored entity of a kind, decoded.
    pub fn entities(&self, entity: &str) -> Vec<Value> {
        self.storage()
            .entities_of(entity)
            .into_iter()
            .filter_map(|(_, v)| serde_json::from_str(&v).ok())
            .collect()
    }
}

/// One invocation's ports. Without a scheduler (`sched: None`) calls run
/// directly, fault-free: the set-up and the quiescent phase.
pub struct Actor<'w> {
    pub w: &'w World,
    sched: Option<&'w Sched>,
    slot: usize,
    pub user: Option<String>,
    /// When Forge ends the invocation (its start plus its time limit).
    deadline: Cell<i64>,
}

fn dead_storage() -> StorageError {
    StorageError::Backend("the invocation ended (simulated crash)".into())
}

impl<'w> Actor<'w> {
    pub fn new(
        w: &'w World,
        sched: Option<&'w Sched>,
        slot: usize,
        user: Option<String>,
        remaining: u64,
    ) -> Actor<'w> {
        Actor {
            w,
            sched,
            slot,
            user,
            deadline: Cell::new(w.now() + remaining as i64),
        }
    }

    pub fn platform(&self) -> Platform<'_> {
        Platform {
            storage: self,
            secrets: self,
            jira: self,
            egress: self,
            queue: self,
            runtime: self,
            random: self,
        }
    }

    fn point(&self, p: Point) -> Fault {
        let Some(s) = self.sched else {
            return Fault::None;
        };
        let f = s.point(self.slot, p);
        // The clock may have moved while others ran: past its time limit,
        // Forge has ended the invocation, so it makes no further call.
        if f != Fault::Dead && self.w.now() > self.deadline.get() {
            s.kill(self.slot);
            return Fault::Dead;
        }
        f
    }

    fn write(&self, p: Point) -> Result<Fault, StorageError> {
        match self.point(p) {
            Fault::Dead => Err(dead_storage()),
            f => Ok(f),
        }
    }

    fn read(&self) -> Result<(), StorageError> {
        match self.point(Point::Read) {
            Fault::Dead => Err(dead_storage()),
            _ => Ok(()),
        }
    }
}

impl Storage for Actor<'_> {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.read()?;
        self.w.storage().get(key)
    }
    fn set(&self, key: &str, value: &str, options: SetOptions) -> Result<(), StorageError> {
        self.write(Point::Write)?;
        self.w.storage().set(key, value, options)
    }
    fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.write(Point::Write)?;
        self.w.storage().delete(key)
    }
    fn query_prefix(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<QueryPage, StorageError> {
        self.read()?;
        self.w.storage().query_prefix(prefix, cursor, limit)
    }
    fn entity_get(&self, entity: &str, key: &str) -> Result<Option<String>, StorageError> {
        self.read()?;
        self.w.storage().entity_get(entity, key)
    }
    fn entity_set(&self, entity: &str, key: &str, value: &str) -> Result<(), StorageError> {
        self.write(Point::Write)?;
        self.w.storage().entity_set(entity, key, value)
    }
    fn entity_delete(&self, entity: &str, key: &str) -> Result<(), StorageError> {
        self.write(Point::Write)?;
        self.w.storage().entity_delete(entity, key)
    }
    fn entity_query(&self, query: &EntityQuery) -> Result<QueryPage, StorageError> {
        self.read()?;
        self.w.storage().entity_query(query)
    }
    fn transact(&self, ops: &[TxnOp]) -> Result<(), StorageError> {
        match self.write(Point::Txn)? {
            Fault::Conflict => {
                // Still validated: a malformed transaction is refused as Forge would.
                aigis_platform::limits::validate_transaction(ops)?;
                Err(StorageError::ConditionFailed)
            }
            _ => self.w.storage().transact(ops),
        }
    }
}

impl Secrets for Actor<'_> {
    fn get_secret(&self, key: &str) -> Result<Option<String>, SecretError> {
        if self.point(Point::Read) == Fault::Dead {
            return Err(SecretError::Backend("the invocation ended".into()));
        }
        self.w.secrets().get_secret(key)
    }
    fn set_secret(&self, key: &str, value: &str) -> Result<(), SecretError> {
        if self.point(Point::Secret) == Fault::Dead {
            return Err(SecretError::Backend("the invocation ended".into()));
        }
        guard(&self.w.secret_values).push(value.to_owned());
        self.w.secrets().set_secret(key, value)
    }
    fn delete_secret(&self, key: &str) -> Result<(), SecretError> {
        if self.point(Point::Secret) == Fault::Dead {
            return Err(SecretError::Backend("the invocation ended".into()));
        }
        self.w.secrets().delete_secret(key)
    }
}

fn answer(status: u16, headers: Vec<(String, String)>, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers,
        body: body.to_owned(),
    }
}

impl Jira for Actor<'_> {
    fn request_jira(&self, r: &JiraRequest) -> Result<HttpResponse, JiraError> {
        let kind = if r.method == "GET" {
            Point::JiraRead
        } else {
            Point::JiraWrite
        };
        let fault = self.point(kind);
        match fault {
            Fault::Dead => {
                return Err(JiraError::Network(
                    "the invocation ended (simulated crash)".into(),
                ));
            }
            Fault::Http(s) => {
                return Ok(answer(
                    s,
                    vec![],
                    r#"{"errorMessages":["Internal server error"]}"#,
                ));
            }
            Fault::RateLimited => {
                return Ok(answer(
                    429,
                    vec![("Retry-After".into(), "30".into())],
                    r#"{"errorMessages":["Rate limit exceeded."]}"#,
                ));
            }
            _ => {}
        }
        let as_user = match r.principal {
            Principal::App => None,
            Principal::User => Some(
                self.user
                    .clone()
                    .ok_or_else(|| JiraError::NotAllowed("no user in this invocation".into()))?,
            ),
        };
        let resp = self
            .w
            .jira()
            .handle(as_user.as_deref(), &r.method, &r.path, r.body.as_deref());
        if trace() {
            eprintln!(
                "  [actor {}] t={} {} {} -> {} {:?}",
                self.slot,
                self.w.now(),
                r.method,
                r.path,
                resp.status,
                fault
            );
        }
        match fault {
            Fault::Timeout => Err(JiraError::Network("timed out".into())),
            Fault::Slow => {
                self.deadline
                    .set(self.deadline.get().min(self.w.now() + 5_000));
                Ok(resp)
            }
            Fault::CrashAfter => {
                if let Some(s) = self.sched {
                    s.kill(self.slot);
                }
                Err(JiraError::Network(
                    "the invocation ended (simulated crash)".into(),
                ))
            }
            _ => Ok(resp),
        }
    }
}

fn host_and_path(url: &str) -> Result<(&str, &str), FetchError> {
    let rest = url
        .strip_prefix("https://")
        .ok_or_else(|| FetchError::InvalidUrl(url.into()))?;
    let i = rest.find('/').unwrap_or(rest.len());
    Ok((&rest[..i], if i == rest.len() { "/" } else { &rest[i..] }))
}

impl Egress for Actor<'_> {
    fn fetch(&self, r: &FetchRequest) -> Result<HttpResponse, FetchError> {
        let kind = if r.method == "GET" {
            Point::EgressRead
        } else {
            Point::EgressWrite
        };
        let fault = self.point(kind);
        let injected = match fault {
            Fault::Dead => {
                return Err(FetchError::Network(
                    "the invocation ended (simulated crash)".into(),
                ));
            }
            Fault::Http(s) => Some(Injected::Status(s)),
            Fault::RateLimited => Some(Injected::RateLimited),
            _ => None,
        };
        let (host, path) = host_and_path(&r.url)?;
        let resp = self
            .w
            .idp
            .handle(self.w.now(), (host, path), r, injected)
            .ok_or_else(|| FetchError::HostNotAllowed(host.into()))?;
        if trace() {
            eprintln!(
                "  [actor {}] t={} {} {} -> {} {:?}",
                self.slot,
                self.w.now(),
                r.method,
                r.url,
                resp.status,
                fault
            );
        }
        match fault {
            Fault::Timeout => Err(FetchError::Network("timed out".into())),
            Fault::Slow => {
                self.deadline
                    .set(self.deadline.get().min(self.w.now() + 5_000));
                Ok(to_http(resp))
            }
            Fault::CrashAfter => {
                if let Some(s) = self.sched {
                    s.kill(self.slot);
                }
                Err(FetchError::Network(
                    "the invocation ended (simulated crash)".into(),
                ))
            }
            _ => Ok(to_http(resp)),
        }
    }
}

fn to_http(r: aigis_okta_sim::SimResponse) -> HttpResponse {
    HttpResponse {
        status: r.status,
        headers: r.headers,
        body: r.body,
    }
}

impl Queue for Actor<'_> {
    fn push(&self, _queue_key: &str, events: &[String], _delay: u32) -> Result<String, QueueError> {
        Ok(format!("job-{}", events.len()))
    }
}

impl Runtime for Actor<'_> {
    fn now_millis(&self) -> i64 {
        self.w.now()
    }
    fn log(&self, _level: LogLevel, message: &str) {
        guard(&self.w.logs).push(message.to_owned());
    }
    fn remaining_millis(&self) -> u64 {
        u64::try_from(self.deadline.get() - self.w.now()).unwrap_or(0)
    }
}

impl Random for Actor<'_> {
    fn fill(&self, buf: &mut [u8]) -> Result<(), String> {
        guard(&self.w.random).fill(buf)
    }
}
