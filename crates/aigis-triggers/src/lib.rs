//! The triggers component: product events such as `avi:jira:created:issue`.

#![allow(clippy::all)]

mod bindings {
    wit_bindgen::generate!({
        world: "trigger-component",
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

struct Triggers;

impl bindings::exports::aigis::forge::product_trigger::Guest for Triggers {
    fn on_event(handler: String, event: String, context: String) -> Result<(), String> {
        aigis_guest::with_platform(|p| aigis_app::on_event(p, &handler, &event, &context))
            .map_err(|e| e.to_json())
    }
}

bindings::export!(Triggers with_types_in bindings);
