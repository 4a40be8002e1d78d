//! The wasmtime embedding of the WIT imports in `wit/`, laid out as
//! wasmtime's own WASI crates are:
//!
//! - `bindings`: the `bindgen!` invocations (private), WIT errors mapped to
//!   the platform errors through `trappable_error_type`;
//! - `convert`: `From` impls between the WIT and `aigis_platform` types;
//! - `host/`: one file per imported interface (storage, secrets, jira,
//!   egress, queue, runtime);
//! - `ctx`: the store data, split into contexts and the view the imports use;
//! - `stats`: the per-invocation call counters behind `--stats`;
//! - `engine`: the engine, linker, compiled-component cache, `InstancePre`s
//!   and epoch deadlines;
//! - `invoke`: calling an export.

mod bindings;
mod convert;
mod ctx;
mod engine;
mod host;
mod invoke;
mod stats;

pub use ctx::LogLine;
pub(crate) use ctx::{Invocation, Services};
pub(crate) use engine::{Prepared, load_component};
pub(crate) use invoke::{Call, RawOutcome, invoke};
pub use stats::{Stats, path_template};
