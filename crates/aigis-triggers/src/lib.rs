//! The triggers component: product events such as `avi:jira:created:issue`.

#![allow(clippy::all)]

aigis_guest::component_bindings!("trigger-component");

struct Triggers;

impl bindings::exports::aigis::forge::product_trigger::Guest for Triggers {
    fn on_event(handler: String, event: String, context: String) -> Result<(), String> {
        aigis_guest::with_platform(|p| aigis_app::on_event(p, &handler, &event, &context))
            .map_err(|e| e.to_json())
    }
}

bindings::export!(Triggers with_types_in bindings);
