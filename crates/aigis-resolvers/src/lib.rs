//! The resolvers component: serves every resolver function key.

#![allow(clippy::all)]

aigis_guest::component_bindings!("resolver-component");

struct Resolvers;

impl bindings::exports::aigis::forge::resolver::Guest for Resolvers {
    fn invoke(function_key: String, payload: String, context: String) -> Result<String, String> {
        aigis_guest::with_platform(|p| aigis_app::invoke(p, &function_key, &payload, &context))
            .map_err(|e| e.to_json())
    }
}

bindings::export!(Resolvers with_types_in bindings);
