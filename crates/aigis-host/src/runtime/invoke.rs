//! Calling one export of a prepared component in a fresh store: which export
//! ([`Call`]), the WASI context (guest stdout/stderr captured into the
//! function's log), and what came back ([`RawOutcome`]).

use super::bindings::{consumer_world, resolver_world, scheduled_world, trigger_world};
use super::ctx::{ForgeCtx, Invocation, LogLine, Services, StoreData};
use super::engine::{self, Prepared};
use super::stats::Stats;
use crate::HostError;
use std::sync::Arc;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder};

/// Captured guest stdout/stderr per invocation.
const PIPE_CAPACITY: usize = 1 << 20;

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

/// What the guest returned (`Ok(None)` for exports returning `result<_, string>`).
pub(crate) struct RawOutcome {
    pub result: Result<Option<String>, String>,
    pub stats: Stats,
    pub logs: Vec<LogLine>,
}

/// The WASI context of an invocation: stdout and stderr into `stdout` and
/// `stderr`, no network.
fn wasi_ctx(
    stdout: &MemoryOutputPipe,
    stderr: &MemoryOutputPipe,
    random: Option<&crate::seeded::SeededRandom>,
) -> WasiCtx {
    let mut wasi = WasiCtxBuilder::new();
    wasi.stdout(stdout.clone())
        .stderr(stderr.clone())
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false);
    if let Some(r) = random {
        crate::seeded::install(&mut wasi, r);
    }
    wasi.build()
}

/// Instantiates `component` in a fresh store and calls one export.
pub(crate) fn invoke(
    svc: &Arc<Services>,
    component: &Prepared,
    inv: Invocation,
    call: Call<'_>,
) -> Result<RawOutcome, HostError> {
    let stdout = MemoryOutputPipe::new(PIPE_CAPACITY);
    let stderr = MemoryOutputPipe::new(PIPE_CAPACITY);
    let fk = inv.function_key.clone();
    let timeout = inv.timeout;
    let data = StoreData::new(
        wasi_ctx(&stdout, &stderr, svc.random.as_ref()),
        ForgeCtx::new(svc.clone(), inv),
    );
    let mut store = engine::new_store(data, timeout)?;
    let pre = component.pre.clone();

    let result: wasmtime::Result<Result<Option<String>, String>> = (|| {
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

    let mut forge = store.into_data().forge;
    for (pipe, level) in [(&stdout, "stdout"), (&stderr, "stderr")] {
        let text = String::from_utf8_lossy(&pipe.contents()).into_owned();
        for line in text.lines().filter(|l| !l.is_empty()) {
            tracing::info!(target: "aigis::guest", function = %fk, stream = level, "{line}");
            forge.logs.push(LogLine {
                level: level.into(),
                message: line.to_string(),
            });
        }
    }
    forge.stats.duration_ms = forge.started.elapsed().as_millis() as u64;
    match result {
        Ok(result) => Ok(RawOutcome {
            result,
            stats: forge.stats,
            logs: forge.logs,
        }),
        Err(e) if e.downcast_ref::<wasmtime::Trap>() == Some(&wasmtime::Trap::Interrupt) => {
            Err(HostError::TimeLimit {
                function: fk,
                seconds: timeout.as_secs_f64(),
            })
        }
        Err(e) => Err(HostError::Wasm(format!("{fk}: {e:#}"))),
    }
}
