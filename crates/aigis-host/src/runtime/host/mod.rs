//! The Forge import implementations, one file per WIT interface, each on
//! [`ForgeCtxView`] and delegating to the host services. They return
//! `aigis_platform` errors; each interface's `convert_*_error` makes the WIT
//! error the guest sees.

mod egress;
mod jira;
mod queue;
mod runtime;
mod secrets;
mod storage;

use super::bindings::Imports;
use super::ctx::{ForgeCtxView, ForgeView};
use wasmtime::component::{HasData, Linker};

/// What a guest sees instead of a backend's own failure text (which may
/// carry SQL or file names); the text itself goes to the host log.
pub(crate) const BACKEND_UNAVAILABLE: &str = "temporarily unavailable (detail in the host log)";

impl ForgeCtxView<'_> {
    /// Logs a backend failure's detail and returns what the guest is told.
    fn backend_failure(&self, interface: &str, detail: &str) -> String {
        tracing::warn!(
            target: "aigis::host",
            function = %self.ctx.function_key,
            interface,
            "backend failure: {detail}"
        );
        BACKEND_UNAVAILABLE.to_string()
    }
}

struct HasForge;

impl HasData for HasForge {
    type Data<'a> = ForgeCtxView<'a>;
}

/// Adds every Forge import interface to `linker`.
pub(crate) fn add_to_linker<T: ForgeView + 'static>(
    linker: &mut Linker<T>,
) -> wasmtime::Result<()> {
    Imports::add_to_linker::<T, HasForge>(linker, T::forge)
}
