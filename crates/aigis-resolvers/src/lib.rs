//! The resolvers component: serves every resolver function key.

#![allow(clippy::all)]

mod bindings {
    wit_bindgen::generate!({
        world: "resolver-component",
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

struct Resolvers;

impl bindings::exports::aigis::forge::resolver::Guest for Resolvers {
    fn invoke(function_key: String, payload: String, context: String) -> Result<String, String> {
        aigis_guest::with_platform(|p| aigis_app::invoke(p, &function_key, &payload, &context))
            .map_err(|e| e.to_json())
    }
}

bindings::export!(Resolvers with_types_in bindings);
