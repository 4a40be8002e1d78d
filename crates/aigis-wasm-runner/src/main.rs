//! `aigis-wasm-runner FILE.wasm [ARGS...]`: runs a wasm32-wasip2 command
//! component (such as a `cargo test` binary) under wasmtime with stdio and
//! arguments, and exits with its status. Configured as the cargo runner for
//! the wasm32-wasip2 target, so `cargo test --target wasm32-wasip2` runs the
//! domain core's unit tests compiled to wasm.

use anyhow::{Result, bail};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::bindings::sync::Command;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

struct Ctx {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for Ctx {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        bail!("usage: aigis-wasm-runner FILE.wasm [ARGS...]");
    };
    let engine = Engine::default();
    let component = Component::from_file(&engine, path)
        .map_err(|e| anyhow::anyhow!("loading {path}: {e:?}"))?;
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    // The test binary gets its arguments and stdio; nothing else.
    let wasi = WasiCtx::builder().inherit_stdio().args(&args).build();
    let mut store = Store::new(
        &engine,
        Ctx {
            wasi,
            table: ResourceTable::new(),
        },
    );
    let command = Command::instantiate(&mut store, &component, &linker)?;
    match command.wasi_cli_run().call_run(&mut store) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(())) => std::process::exit(1),
        Err(trap) => {
            eprintln!("wasm test binary trapped: {trap:?}");
            std::process::exit(101)
        }
    }
}
