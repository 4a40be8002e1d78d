//! The sweeps component: scheduled triggers (job runner and later sweeps).

#![allow(clippy::all)]

mod bindings {
    wit_bindgen::generate!({
        world: "scheduled-component",
        path: "../../wit",
        with: {
            "aigis:forge/storage@0.1.0": aigis_guest::bindings::aigis::forge::storage,
            "aigis:forge/secrets@0.1.0": aigis_guest::bindings::aigis::forge::secrets,
            "aigis:forge/jira@0.1.0": aigis_guest::bindings::aigis::forge::jira,
            "aigis:forge/egress@0.1.0": aigis_guest::bindings::aigis::forge::egress,
            "aigis:forge/queue@0.1.0": aigis_guest::bindings::aigis::forge::queue,
            "aigis:forge/runtime@0.1.0": aigis_guest::bindings::aigis::forge::runtime,
        },
    });
}

struct Sweeps;

impl bindings::exports::aigis::forge::scheduled_trigger::Guest for Sweeps {
    fn on_schedule(handler: String, event: String, context: String) -> Result<String, String> {
        aigis_guest::with_platform(|p| aigis_app::on_schedule(p, &handler, &event, &context))
            .map_err(|e| e.to_json())
    }
}

bindings::export!(Sweeps with_types_in bindings);
