//! The `bindgen!` invocations, private to the runtime: the import interfaces
//! once (the `imports` world), and one module per handler world that reuses
//! them, so each import's `Host` trait is implemented once.
//!
//! Every interface that returns errors maps its WIT error onto the platform
//! error the host implementation produces (`trappable_error_type`): the
//! implementations in `host/` return `aigis_platform` errors, and each
//! interface's `convert_*_error` turns one into the WIT error the guest sees
//! (or into a trap), as wasmtime's WASI crates do.

pub(crate) mod imports {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "imports",
        imports: {
            "aigis:forge/storage": trappable,
            "aigis:forge/secrets": trappable,
            "aigis:forge/jira": trappable,
            "aigis:forge/egress": trappable,
            "aigis:forge/queue": trappable,
        },
        trappable_error_type: {
            "aigis:forge/storage.storage-error" => aigis_platform::StorageError,
            "aigis:forge/secrets.secret-error" => aigis_platform::SecretError,
            "aigis:forge/jira.jira-error" => aigis_platform::JiraError,
            "aigis:forge/egress.fetch-error" => aigis_platform::FetchError,
            "aigis:forge/queue.queue-error" => aigis_platform::QueueError,
        },
    });
}

/// Bindings for a handler world, sharing the import interfaces generated
/// once in `imports`.
macro_rules! handler_world {
    ($module:ident, $world:literal) => {
        pub(crate) mod $module {
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

pub(crate) use imports::Imports;
pub(crate) use imports::aigis::forge::{egress, jira, queue, runtime, secrets, storage};
