//! The resolver API: one route table of typed handlers.
//!
//! Every resolver is a function `fn(&Platform, &Caller, Args) -> Result<Out,
//! AppError>` with serde types for `Args` (unknown fields refused) and
//! `Out`, listed once in its namespace's `ROUTES` with the access it needs.
//! [`crate::routes::dispatch`] finds the route; [`call`] checks the access,
//! parses the payload once ([`parse`]), runs the handler and serialises its
//! answer.
//!
//! Invariant: only this module parses payloads. Handlers receive typed
//! arguments, and call each other with typed arguments.
//!
//! The namespaces' tables are joined in [`crate::routes`], which is also the
//! source of the function keys the Forge build and the docs read, and of the
//! UI's TypeScript types (`aigis-codegen`).

pub mod cursor;
pub mod page;
pub mod parse;
pub mod patch;
#[cfg(feature = "ts")]
pub mod ts;

use crate::access::Caller;
use crate::error::AppError;
use aigis_platform::Platform;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use cursor::Cursor;

/// Who may call a resolver, checked before its arguments are looked at.
/// Finer rules (own data only, separation of duties) are the handler's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Access {
    /// Any signed-in user (a handler may narrow what they see).
    SignedIn,
    /// Jira admins, configured approvers and their delegates.
    Approver,
    /// Jira admins.
    Admin,
}

impl Access {
    pub fn check(self, caller: &Caller) -> Result<(), AppError> {
        match self {
            Access::SignedIn => Ok(()),
            Access::Approver => caller.require_approver(),
            Access::Admin => caller.require_admin(),
        }
    }
}

/// A typed resolver.
pub type Handler<A, O> = fn(&Platform, &Caller, A) -> Result<O, AppError>;

/// One resolver function.
pub struct Route {
    /// The function key, e.g. `requests.approve`.
    pub key: &'static str,
    pub access: Access,
    /// The handler's path inside `aigis_app`, e.g. `requests::decide::approve`.
    pub handler: &'static str,
    pub(crate) call: fn(&Platform, &Caller, Access, Value) -> Result<Value, AppError>,
    /// Registers the argument and answer types; returns their TypeScript names.
    #[cfg(feature = "ts")]
    pub types: fn(&mut ts::Registry) -> (String, String),
}

impl Route {
    #[doc(hidden)]
    pub const fn new(
        key: &'static str,
        access: Access,
        handler: &'static str,
        call: fn(&Platform, &Caller, Access, Value) -> Result<Value, AppError>,
        #[cfg(feature = "ts")] types: fn(&mut ts::Registry) -> (String, String),
    ) -> Route {
        Route {
            key,
            access,
            handler,
            call,
            #[cfg(feature = "ts")]
            types,
        }
    }

    /// The source file of the handler, relative to the crate's `src/`.
    pub fn file(&self) -> String {
        let mut parts: Vec<&str> = self.handler.split("::").collect();
        parts.pop();
        format!("{}.rs", parts.join("/"))
    }
}

/// A route: `route!("requests.approve", Approver, requests::decide::approve)`.
macro_rules! route {
    ($key:literal, $access:ident, $first:ident $(:: $rest:ident)*) => {
        $crate::api::Route::new(
            $key,
            $crate::api::Access::$access,
            concat!(stringify!($first) $(, "::", stringify!($rest))*),
            |p, c, a, v| $crate::api::call(crate::$first $(:: $rest)*, p, c, a, v),
            #[cfg(feature = "ts")]
            |r| r.route(crate::$first $(:: $rest)*),
        )
    };
}
pub(crate) use route;

/// Checks access, parses, runs, serialises.
pub fn call<A: DeserializeOwned, O: Serialize>(
    f: Handler<A, O>,
    p: &Platform,
    caller: &Caller,
    access: Access,
    payload: Value,
) -> Result<Value, AppError> {
    access.check(caller)?;
    let args: A = parse::args(payload)?;
    let out = f(p, caller, args)?;
    serde_json::to_value(out).map_err(|e| AppError::internal(format!("encoding the answer: {e}")))
}

/// For resolvers that take no arguments: any field is refused.
#[derive(Debug, Default, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}
