//! The route table: every namespace's `ROUTES`, joined. The only module
//! that knows them all (the namespaces know only [`crate::api`]).

use crate::access::Caller;
use crate::api::Route;
use crate::error::AppError;
use aigis_platform::Platform;
use serde_json::Value;

/// Every route, namespace by namespace.
pub fn all() -> impl Iterator<Item = &'static Route> {
    [
        crate::whoami::ROUTES,
        crate::config::ROUTES,
        crate::catalog::ROUTES,
        crate::portal::ROUTES,
        crate::governance::ROUTES,
        crate::readiness::ROUTES,
        crate::overview::ROUTES,
        crate::requests::ROUTES,
        crate::grants::ROUTES,
        crate::jobs::ROUTES,
        crate::connectors::ROUTES,
        crate::reviews::ROUTES,
        crate::audit::ROUTES,
        crate::directory::ROUTES,
        crate::insights::ROUTES,
    ]
    .into_iter()
    .flatten()
}

/// The route of `key`.
pub fn find(key: &str) -> Option<&'static Route> {
    all().find(|r| r.key == key)
}

/// Runs resolver `key` for `caller` on a parsed payload.
pub fn dispatch(
    p: &Platform,
    caller: &Caller,
    key: &str,
    payload: Value,
) -> Result<Value, AppError> {
    let route =
        find(key).ok_or_else(|| AppError::not_found(format!("no resolver function {key:?}")))?;
    (route.call)(p, caller, route.access, payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_namespaced_by_their_room() {
        let mut seen = std::collections::BTreeSet::new();
        for r in all() {
            assert!(seen.insert(r.key), "{} is routed twice", r.key);
            let room = r.handler.split("::").next().unwrap_or_default();
            let ns = r.key.split('.').next().unwrap_or_default();
            // `policies.*` live with governance; un-namespaced keys in their own file.
            let expected = match ns {
                "policies" => "governance",
                "identities" => "connectors",
                "requests" | "grants" | "jobs" | "catalog" | "config" | "governance" | "audit"
                | "reviews" => ns,
                other => other,
            };
            assert_eq!(room, expected, "{} is handled in {}", r.key, r.handler);
        }
        assert!(seen.len() >= 40);
    }
}
