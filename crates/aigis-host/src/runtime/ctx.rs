//! The store data of one invocation, split as wasmtime's WASI crates split
//! theirs: a *context* per capability (WASI's [`WasiCtx`], the Forge
//! imports' [`ForgeCtx`]) and a *view* the import implementations work
//! through ([`ForgeCtxView`], borrowed from any store data that implements
//! [`ForgeView`]), so the implementations in `host/` know nothing of the
//! store type they are linked into.

use crate::EgressHandler;
use crate::backends::{JiraSim, Store};
use crate::clock::Clock;
use crate::hostdb::HostDb;
use crate::manifest::Manifest;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::stats::Stats;

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
    /// A fresh id: `prefix` and 24 hex digits, unique within the process
    /// (a counter) and across processes (real time and pid).
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

/// A line of a function's log.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LogLine {
    /// debug, info, warn, error; `stdout` / `stderr` for raw WASI output.
    pub level: String,
    pub message: String,
}

/// One invocation's setup.
pub(crate) struct Invocation {
    pub function_key: String,
    pub account_id: Option<String>,
    pub timeout: Duration,
    pub pinned_now: Option<i64>,
}

/// The Forge imports' state for one invocation.
pub(crate) struct ForgeCtx {
    pub(crate) svc: Arc<Services>,
    /// The invoking user (resolvers only): `asUser()` runs as this account.
    pub(crate) account_id: Option<String>,
    pub(crate) started: Instant,
    pub(crate) timeout: Duration,
    /// Virtual time at the start of the invocation when pinned (`sweep --at`).
    pinned_now: Option<i64>,
    pub(crate) function_key: String,
    pub(crate) stats: Stats,
    pub(crate) logs: Vec<LogLine>,
}

impl ForgeCtx {
    pub(crate) fn new(svc: Arc<Services>, inv: Invocation) -> ForgeCtx {
        ForgeCtx {
            svc,
            account_id: inv.account_id,
            started: Instant::now(),
            timeout: inv.timeout,
            pinned_now: inv.pinned_now,
            function_key: inv.function_key,
            stats: Stats::default(),
            logs: Vec::new(),
        }
    }

    /// Virtual now: the pinned start plus the time spent, or the host clock.
    pub(crate) fn now_millis(&self) -> i64 {
        match self.pinned_now {
            Some(at) => at + self.started.elapsed().as_millis() as i64,
            None => self.svc.clock.now_millis(),
        }
    }

    /// Milliseconds left before the time limit.
    pub(crate) fn remaining_millis(&self) -> u64 {
        self.timeout
            .saturating_sub(self.started.elapsed())
            .as_millis() as u64
    }
}

/// What the Forge import implementations work through.
pub(crate) struct ForgeCtxView<'a> {
    pub(crate) ctx: &'a mut ForgeCtx,
}

/// Store data that carries a [`ForgeCtx`].
pub(crate) trait ForgeView: Send {
    fn forge(&mut self) -> ForgeCtxView<'_>;
}

/// The store data of an invocation: WASI (guest stdout/stderr only; no
/// files, sockets or name lookups) and the Forge imports.
pub(crate) struct StoreData {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) forge: ForgeCtx,
}

impl StoreData {
    pub(crate) fn new(wasi: WasiCtx, forge: ForgeCtx) -> StoreData {
        StoreData {
            wasi,
            table: ResourceTable::new(),
            forge,
        }
    }
}

impl WasiView for StoreData {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl ForgeView for StoreData {
    fn forge(&mut self) -> ForgeCtxView<'_> {
        ForgeCtxView {
            ctx: &mut self.forge,
        }
    }
}
