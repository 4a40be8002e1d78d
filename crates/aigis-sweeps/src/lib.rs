//! The sweeps component: scheduled triggers (job runner and later sweeps).

#![allow(clippy::all)]

aigis_guest::component_bindings!("scheduled-component");

struct Sweeps;

impl bindings::exports::aigis::forge::scheduled_trigger::Guest for Sweeps {
    fn on_schedule(handler: String, event: String, context: String) -> Result<String, String> {
        aigis_guest::with_platform(|p| aigis_app::on_schedule(p, &handler, &event, &context))
            .map_err(|e| e.to_json())
    }
}

bindings::export!(Sweeps with_types_in bindings);
