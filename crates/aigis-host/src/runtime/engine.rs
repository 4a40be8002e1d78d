//! One wasmtime [`Engine`] per process (epoch interruption, a ticker thread),
//! its [`Linker`] with WASI and the Forge imports, and the compiled
//! components: compiled at most once per process and per wasm content (a
//! `.cwasm` cache in the state dir), each kept with its [`InstancePre`] so an
//! invocation only instantiates. Deadlines are counted in epoch ticks.

use super::ctx::StoreData;
use crate::HostError;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};
use wasmtime::component::{Component, InstancePre, Linker};
use wasmtime::{Config, Engine, Store};

/// Epoch tick period; deadlines are counted in ticks.
const TICK: Duration = Duration::from_millis(10);

/// A component ready to instantiate: compiled and its imports resolved.
#[derive(Clone)]
pub(crate) struct Prepared {
    pub(crate) pre: InstancePre<StoreData>,
}

struct Runtime {
    engine: Engine,
    linker: Linker<StoreData>,
    /// Prepared components by the wasm's SHA-256.
    prepared: Mutex<HashMap<String, Prepared>>,
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
    let mut linker: Linker<StoreData> = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    super::host::add_to_linker(&mut linker)?;
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
        prepared: Mutex::new(HashMap::new()),
    })
}

/// A store for one invocation that traps once `timeout` has passed.
pub(crate) fn new_store(data: StoreData, timeout: Duration) -> Result<Store<StoreData>, HostError> {
    let rt = runtime()?;
    let mut store = Store::new(&rt.engine, data);
    store.set_epoch_deadline(deadline_ticks(timeout));
    store.epoch_deadline_trap();
    Ok(store)
}

/// `timeout` in epoch ticks, at least one.
fn deadline_ticks(timeout: Duration) -> u64 {
    (timeout.as_millis() / TICK.as_millis()).max(1) as u64
}

/// Loads (compiling at most once per process, and at most once per wasm
/// content when a cache dir is given) the component at `path`.
pub(crate) fn load_component(path: &Path, cache_dir: Option<&Path>) -> Result<Prepared, HostError> {
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
        .prepared
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&sha)
        .cloned();
    if let Some(p) = in_memory {
        // Compiled earlier in this process (maybe for another state dir).
        if let Some(file) = cached_file.as_deref().filter(|f| !f.exists())
            && let Err(e) = write_cache(p.pre.component(), file)
        {
            tracing::warn!("cannot write compiled cache {}: {e}", file.display());
        }
        return Ok(p);
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
    let pre = rt
        .linker
        .instantiate_pre(&component)
        .map_err(|e| HostError::Wasm(format!("linking {}: {e:#}", path.display())))?;
    tracing::debug!(
        "loaded {} in {} ms",
        path.display(),
        started.elapsed().as_millis()
    );
    let prepared = Prepared { pre };
    rt.prepared
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(sha, prepared.clone());
    Ok(prepared)
}

/// Writes the compiled form of `c` to `file` atomically, readable by the
/// owner only (the cache lives in the state dir).
fn write_cache(c: &Component, file: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let bytes = c.serialize()?;
    if let Some(dir) = file.parent() {
        crate::statedir::create_private_dir(dir)?;
    }
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    crate::statedir::write_private(&tmp, &bytes)?;
    std::fs::rename(&tmp, file)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_count_whole_ticks_and_never_zero() {
        assert_eq!(deadline_ticks(Duration::from_secs(25)), 2_500);
        assert_eq!(deadline_ticks(Duration::from_millis(15)), 1);
        assert_eq!(deadline_ticks(Duration::ZERO), 1);
    }
}
