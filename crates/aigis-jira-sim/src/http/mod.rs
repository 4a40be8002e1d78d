//! The REST surface: one route table ([`routes`]) and one file per resource.
//!
//! [`handle`] matches the path against the table (404 if no template fits,
//! 405 with `Allow` if the method is not served there), parses the JSON body,
//! and runs the handler inside one transaction: `BEGIN IMMEDIATE` for writes,
//! so concurrent writers (threads or processes sharing the database file)
//! serialise; committed only when the answer is a success. Handlers read and
//! write through `crate::store` only. An internal failure is logged and
//! answered with a generic 500 that names nothing inside.

mod comment;
mod field;
mod groups;
mod issue;
mod links;
mod permissions;
mod project;
mod properties;
mod query;
mod render;
mod reply;
mod request;
mod routes;
mod search;
mod server_info;
mod servicedesk;
mod transitions;
mod user;

use rusqlite::{Connection, Transaction, TransactionBehavior};
use serde_json::Value;

use crate::{APP_ACCOUNT_ID, SimError, SimResponse, SimUser, store};

pub use query::parse_basic;
pub use reply::unauthorized;

/// The generic 500 (platform shape), for failures outside a request.
pub fn internal_error() -> SimResponse {
    error(Api::Platform, 500, reply::INTERNAL)
}
pub use routes::routes;

use query::Query;
use reply::{Api, error};

/// Who is calling.
pub enum Actor {
    App,
    User(SimUser),
}

/// One request's context: the transaction it runs in, the virtual time, the
/// root of `self` URLs and the caller.
pub struct Ctx<'a> {
    pub tx: &'a Transaction<'a>,
    pub now: i64,
    pub base: String,
    pub actor: Actor,
    /// The API the route belongs to: portal-only accounts see issues only
    /// through `servicedeskapi`.
    pub api: Api,
}

/// A matched request: path parameters, query and JSON body.
pub struct Req {
    params: Vec<(String, String)>,
    pub query: Query,
    pub body: Option<Value>,
}

impl Req {
    /// A path parameter of the route template (empty if absent).
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }
}

/// Early exit of a handler: a response to send, or an internal failure.
pub enum Fail {
    Resp(SimResponse),
    Internal(SimError),
}

impl From<SimError> for Fail {
    fn from(e: SimError) -> Self {
        Fail::Internal(e)
    }
}

impl From<serde_json::Error> for Fail {
    fn from(e: serde_json::Error) -> Self {
        Fail::Internal(SimError::Json(e))
    }
}

type HResult = Result<SimResponse, Fail>;

/// Answer one request on `conn` as `actor`.
pub fn handle(
    conn: &Connection,
    now: i64,
    base: String,
    actor: Actor,
    method: &str,
    path_and_query: &str,
    body: Option<&str>,
) -> SimResponse {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let method = method.to_ascii_uppercase();
    let found = match routes::find(&method, path) {
        Ok(found) => found,
        Err(routes::Miss::NoPath) => {
            return error(Api::Platform, 404, &format!("null for uri: {base}{path}"));
        }
        Err(routes::Miss::NoMethod { allow }) => {
            let mut r = error(Api::Platform, 405, "Method Not Allowed");
            r.headers.push(("Allow".into(), allow.join(", ")));
            return r;
        }
    };
    let api = Api::of(found.route.template);
    let body = match body.map(str::trim).filter(|b| !b.is_empty()) {
        None => None,
        Some(b) => match serde_json::from_str::<Value>(b) {
            Ok(v) => Some(v),
            Err(e) => {
                return error(
                    api,
                    400,
                    &format!(
                        "Unexpected character in the request body (line {}, column {}).",
                        e.line(),
                        e.column()
                    ),
                );
            }
        },
    };
    let req = Req {
        params: found.params,
        query: Query::parse(query),
        body,
    };
    let behavior = if method == "GET" {
        TransactionBehavior::Deferred
    } else {
        TransactionBehavior::Immediate
    };
    let outcome = Transaction::new_unchecked(conn, behavior)
        .map_err(|e| Fail::Internal(e.into()))
        .and_then(|tx| {
            let ctx = Ctx {
                tx: &tx,
                now,
                base,
                actor,
                api,
            };
            let r = (found.route.handler)(&ctx, &req)?;
            drop(ctx);
            if r.status < 400 {
                tx.commit().map_err(|e| Fail::Internal(e.into()))?;
            }
            Ok(r)
        });
    match outcome {
        Ok(r) | Err(Fail::Resp(r)) => r,
        Err(Fail::Internal(e)) => reply::internal(api, &method, path, &e),
    }
}

impl Ctx<'_> {
    fn actor_id(&self) -> String {
        match &self.actor {
            Actor::App => APP_ACCOUNT_ID.to_string(),
            Actor::User(u) => u.account_id.clone(),
        }
    }

    /// Agents (and the app) see every issue and may transition and edit.
    fn is_agent(&self) -> Result<bool, Fail> {
        match &self.actor {
            Actor::App => Ok(true),
            Actor::User(u) if u.kind.portal_only() => Ok(false),
            Actor::User(u) => Ok(store::is_agent(self.tx, u)?),
        }
    }

    fn is_site_admin(&self) -> bool {
        match &self.actor {
            Actor::App => true,
            Actor::User(u) => u.site_admin,
        }
    }

    /// Administer Jira: site admins, `jira-admins` and the app.
    fn is_jira_admin(&self) -> Result<bool, Fail> {
        Ok(match &self.actor {
            Actor::App => true,
            Actor::User(u) => {
                u.site_admin || store::in_group(self.tx, &u.account_id, "jira-admins")?
            }
        })
    }

    /// Whether the caller may see the issue (see the crate docs).
    /// A JSM customer or an account without Jira access.
    fn portal_only(&self) -> bool {
        matches!(&self.actor, Actor::User(u) if u.kind.portal_only())
    }

    fn can_see(&self, issue: &store::IssueRow) -> Result<bool, Fail> {
        if self.portal_only() && self.api == Api::Platform {
            return Ok(false);
        }
        if self.is_agent()? {
            return Ok(true);
        }
        let me = self.actor_id();
        Ok(issue.reporter == me || issue.creator == me)
    }

    /// The issue, or the 404 Jira answers when it is missing or hidden.
    fn visible_issue(&self, id_or_key: &str) -> Result<store::IssueRow, Fail> {
        match store::issue_by_id_or_key(self.tx, id_or_key)? {
            Some(i) if self.can_see(&i)? => Ok(i),
            _ => Err(reply::fail(404, reply::ISSUE_404)),
        }
    }
}

/// An id given as a JSON string or number.
fn id_value(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}
