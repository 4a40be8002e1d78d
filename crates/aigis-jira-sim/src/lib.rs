//! Jira Cloud simulator: REST v3 and JSM shapes over SQLite.
//!
//! [`JiraSim`] answers a subset of the Jira Cloud platform REST API v3 and of
//! the Jira Service Management REST API (see [`routes`]) with the shapes,
//! status codes and error bodies of the official OpenAPI documents
//! (`shared/specs/jira-platform-openapi-v3.json`; for JSM the subset in
//! `specs/jsm-servicedeskapi-subset.json`, see [`openapi::Spec::jsm_path`]),
//! over its own SQLite tables. It is synchronous and in-process: the local
//! host adapts HTTP to [`JiraSim::handle_http`]; wasm guests' `requestJira`
//! reaches [`JiraSim::handle_as`]; `examples/serve.rs` serves it alone on a
//! loopback port for client libraries (`make test-clients`).
//!
//! # Layout
//! `http/` has one file per REST resource (`issue`, `comment`,
//! `properties`, `transitions`, `links`, `search`, `field`, `user`,
//! `groups`, `project`, `permissions`, `server_info`, `servicedesk`,
//! `request`) behind one route table (`http/routes.rs`) that serves
//! dispatch, 404 (no template fits) vs 405 (with `Allow`), and [`routes`].
//! `jql.rs` parses JQL; `store/` holds every SQL statement. Every request
//! runs in one transaction, `BEGIN IMMEDIATE` for writes: ids (`MAX(id) + 1`)
//! are allocated under the write lock, so two processes sharing the database
//! file never collide. An internal failure is answered with a generic 500 in
//! the API's error shape; the detail goes to the log (`tracing`).
//!
//! # Routes
//! Platform: `myself`, `user`, `user/search`, `user/groups`, `group/member`,
//! `groups/picker`, `mypermissions`, `serverInfo`, `project/search`,
//! `project/{key}`, `project/{key}/role`, `project/{key}/role/{id}`,
//! `field`, `search/jql` (GET, POST), `issue` (POST), `issue/{key}` (GET,
//! PUT), `issue/{key}/properties[/{propertyKey}]` (GET, PUT, DELETE),
//! `issue/{key}/comment` (GET, POST), `issue/{key}/comment/{id}`,
//! `issue/{key}/transitions` (GET, POST), `issueLink` (POST),
//! `issueLinkType`. JSM: `servicedesk`, `servicedesk/{id}`,
//! `servicedesk/{id}/requesttype[/{requestTypeId}]`, `request` (POST),
//! `request/{issueIdOrKey}`. Platform errors are Jira's ErrorCollection
//! (`{"errorMessages": [...], "errors": {...}}`), JSM errors its
//! ErrorResponse (`{"errorMessage", "i18nErrorMessage"}`); 404 and 405 of the
//! router are always ErrorCollections.
//!
//! # Search
//! `search/jql` takes `project`, `status`, `reporter`/`creator` (account id,
//! e-mail, `currentUser()`, `membersOf()`), `key`/`id`, `issuetype`,
//! `labels`, `summary ~`, `created`/`updated` (dates or periods such as
//! `-7d`), the request type (`"Request Type"`, `cf[10010]`) and
//! `issue.property[key].path` clauses with `AND`, `OR`, `NOT`, parentheses
//! and `ORDER BY`; pages follow `nextPageToken`. Unlike Jira, every issue
//! property is searchable (Jira needs the app to declare it indexed). Errors
//! use Jira's wording (`Error in the JQL Query: ... (line 1, character N)`).
//!
//! # Portal requests and their properties
//! `POST /rest/servicedeskapi/request` creates the issue exactly as
//! `POST /rest/api/3/issue` does (same keys, same `avi:jira:created:issue`
//! event), and accepts, beyond the documented body, `properties:
//! [{key, value}]`, written on the issue in the same transaction before the
//! event. That is what Jira does with the data a Forge
//! `jiraServiceManagement:portalRequestCreatePropertyPanel` submits through
//! `view.submit()`: to replay a portal submission, post the request with the
//! panel's data as properties, e.g.
//! `{"serviceDeskId": "1", "requestTypeId": "1", "requestFieldValues":
//! {"summary": "..."}, "properties": [{"key": "aigis.snapshot.v1", "value":
//! {...}}]}`. `requestParticipants` are checked but not kept.
//!
//! # Permission model (deliberately simple)
//! * asApp (`handle_as(None, ..)`) may do everything.
//! * **Agents** are site admins and members of the groups `jira-admins` or
//!   `jira-servicedesk-users`. Agents see every issue and every comment, may
//!   transition and edit issues, set any reporter and raise requests on
//!   behalf of others.
//! * Everyone else (portal customers) sees only the issues they reported or
//!   created, only public (`jsdPublic`) comments, no transitions, may not
//!   edit issues (their fields are "not on the screen") and may not set
//!   another user as reporter. They may create issues and requests in any
//!   project, comment on and set properties of issues they see.
//! * **Portal-only accounts** (JSM customers, `accountType: "customer"`, and
//!   Atlassian accounts without Jira access, [`UserKind`]) are as limited as
//!   on Jira: every issue is "not found" to them through `/rest/api/3`
//!   (get, search, comments, properties, transitions, links), they may not
//!   create issues there, and user search answers them nothing. Through
//!   `servicedeskapi` they raise requests and see their own
//!   (`GET /request`, `GET /request/{key}`).
//! * Every authenticated user may browse projects, users, groups, service
//!   desks and request types; e-mail addresses are always returned (as to an
//!   app holding the e-mail scope).
//! * A project role's actors (`GET /project/{key}/role/{id}`) are shown to
//!   asApp, site admins, members of `jira-admins` and the project's lead;
//!   the list of roles (`GET /project/{key}/role`) to those who administer
//!   any project; to anyone else the project or role is "not found", as
//!   Jira answers without *Administer Projects*.
//!
//! Writes that Forge would report as product events append to an outbox table
//! ([`JiraSim::pending_events`]); only `avi:jira:created:issue` is produced.
//!
//! The demo site of [`JiraSim::seed_demo`] uses fixed API tokens such as
//! `demo-ada-token`: for local use only.

mod http;
mod jql;
pub mod openapi;
mod store;

use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, MutexGuard, RwLock};

use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use http::routes;

/// JSM "Request Type" custom field id.
pub const REQUEST_TYPE_FIELD: &str = "customfield_10010";

/// Default `self` URL root.
pub const DEFAULT_BASE_URL: &str = "https://aigis-demo.atlassian.net";

/// Account id of the app user that acts for asApp calls.
pub const APP_ACCOUNT_ID: &str = "712020:00000000-0000-4000-8000-00000000a191";
/// Display name of the app user.
pub const APP_DISPLAY_NAME: &str = "Aigis";

/// Groups whose members are agents (see the crate docs).
pub const AGENT_GROUPS: [&str; 2] = ["jira-admins", "jira-servicedesk-users"];

/// The simulator. `Send + Sync`: one SQLite connection behind a mutex.
pub struct JiraSim {
    conn: Mutex<Connection>,
    clock: AtomicI64,
    base_url: RwLock<String>,
}

/// An HTTP-like response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl SimResponse {
    /// The body parsed as JSON (`Null` when empty or not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// A user of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimUser {
    pub account_id: String,
    pub email: String,
    pub display_name: String,
    pub time_zone: String,
    pub site_admin: bool,
    pub kind: UserKind,
}

/// What kind of account a user has, which decides what the platform REST
/// API lets them do (see the crate docs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UserKind {
    /// An Atlassian account with Jira access.
    #[default]
    Licensed,
    /// A JSM portal-only customer account (`accountType: "customer"`).
    Customer,
    /// An Atlassian account without Jira access: the portal only.
    Unlicensed,
}

impl UserKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UserKind::Licensed => "licensed",
            UserKind::Customer => "customer",
            UserKind::Unlicensed => "unlicensed",
        }
    }
    pub fn parse(s: &str) -> UserKind {
        match s {
            "customer" => UserKind::Customer,
            "unlicensed" => UserKind::Unlicensed,
            _ => UserKind::Licensed,
        }
    }
    /// Whether the account can use only the portal (not Jira itself).
    pub fn portal_only(self) -> bool {
        self != UserKind::Licensed
    }
    /// Jira's `accountType` of the account.
    pub fn account_type(self) -> &'static str {
        match self {
            UserKind::Customer => "customer",
            _ => "atlassian",
        }
    }
}

/// Input of [`JiraSim::create_user`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewUser {
    /// Generated (24 hex digits derived from the e-mail) when `None`.
    pub account_id: Option<String>,
    pub email: String,
    pub display_name: String,
    pub time_zone: String,
    pub api_token: String,
    pub site_admin: bool,
    pub kind: UserKind,
}

/// A product event waiting in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct SimEvent {
    pub id: i64,
    pub event_type: String,
    pub payload: serde_json::Value,
}

/// What [`JiraSim::seed_demo`] set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSite {
    pub users: Vec<DemoUser>,
    pub project_key: String,
    pub service_desk_id: String,
    pub portal_id: String,
    pub request_type_id: String,
    /// Id of the project role "Service Desk Team" (actors on the demo
    /// project: the group `aigis-approvers` and Bea).
    pub approver_role_id: String,
}

/// An actor of a project role: a user or a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleMember {
    /// By account id.
    User(String),
    /// By group name.
    Group(String),
}

/// One user of the demo site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUser {
    /// `admin`, `approver`, `requester`, `customer` (a JSM portal-only
    /// account) or `unlicensed` (no Jira access).
    pub role: String,
    pub email: String,
    pub api_token: String,
    pub account_id: String,
    pub display_name: String,
}

/// Errors of the seeding/admin API and of setup.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("already exists: {0}")]
    AlreadyExists(String),
    #[error("invalid: {0}")]
    Invalid(String),
    #[error("simulator lock poisoned")]
    Poisoned,
    #[error("openapi spec: {0}")]
    Spec(String),
}

impl JiraSim {
    /// Open (or create) a file database: WAL, busy timeout 5 s, schema.
    pub fn open(path: &Path) -> Result<JiraSim, SimError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        Self::with_connection(conn)
    }

    /// A fresh in-memory simulator.
    pub fn in_memory() -> Result<JiraSim, SimError> {
        Self::with_connection(Connection::open_in_memory()?)
    }

    fn with_connection(conn: Connection) -> Result<JiraSim, SimError> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        {
            let tx = Transaction::new_unchecked(&conn, TransactionBehavior::Immediate)?;
            store::create_schema(&tx)?;
            tx.commit()?;
        }
        Ok(JiraSim {
            conn: Mutex::new(conn),
            clock: AtomicI64::new(0),
            base_url: RwLock::new(DEFAULT_BASE_URL.to_string()),
        })
    }

    /// Set the virtual time (epoch millis) used for `created`/`updated`.
    pub fn set_clock(&self, now_millis: i64) {
        self.clock.store(now_millis, Ordering::SeqCst);
    }

    /// The current virtual time (epoch millis).
    pub fn now_millis(&self) -> i64 {
        self.clock.load(Ordering::SeqCst)
    }

    /// Root of the `self` URLs.
    pub fn base_url(&self) -> String {
        match self.base_url.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// Change the root of the `self` URLs (trailing `/` removed).
    pub fn set_base_url(&self, url: String) {
        let url = url.trim_end_matches('/').to_string();
        match self.base_url.write() {
            Ok(mut g) => *g = url,
            Err(p) => *p.into_inner() = url,
        }
    }

    fn lock(&self) -> Result<MutexGuard<'_, Connection>, SimError> {
        self.conn.lock().map_err(|_| SimError::Poisoned)
    }

    /// Run `f` in one `BEGIN IMMEDIATE` transaction, committed if it succeeds.
    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, SimError>,
    ) -> Result<T, SimError> {
        let conn = self.lock()?;
        let tx = Transaction::new_unchecked(&conn, TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// HTTP entry: authenticates `Authorization: Basic base64(email:apiToken)`.
    pub fn handle_http(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(String, String)],
        body: Option<&str>,
    ) -> SimResponse {
        let auth = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
            .map(|(_, v)| v.as_str());
        let Some(user) = auth.and_then(|a| self.authenticate_basic(a)) else {
            return http::unauthorized(path_and_query);
        };
        self.dispatch(http::Actor::User(user), method, path_and_query, body)
    }

    /// App entry (Forge `requestJira`): `None` = asApp, `Some(id)` = asUser.
    pub fn handle_as(
        &self,
        as_account: Option<&str>,
        method: &str,
        path_and_query: &str,
        _headers: &[(String, String)],
        body: Option<&str>,
    ) -> SimResponse {
        let actor = match as_account {
            None => http::Actor::App,
            Some(id) => match self.user(id) {
                Some(u) => http::Actor::User(u),
                None => return http::unauthorized(path_and_query),
            },
        };
        self.dispatch(actor, method, path_and_query, body)
    }

    fn dispatch(
        &self,
        actor: http::Actor,
        method: &str,
        path_and_query: &str,
        body: Option<&str>,
    ) -> SimResponse {
        let conn = match self.lock() {
            Ok(c) => c,
            Err(e) => {
                tracing::error!("jira simulator: {e}");
                return http::internal_error();
            }
        };
        http::handle(
            &conn,
            self.now_millis(),
            self.base_url(),
            actor,
            method,
            path_and_query,
            body,
        )
    }

    /// Check an `Authorization: Basic ...` header against users' API tokens.
    pub fn authenticate_basic(&self, authorization_header: &str) -> Option<SimUser> {
        let (email, token) = http::parse_basic(authorization_header)?;
        let conn = self.lock().ok()?;
        store::authenticate(&conn, &email, &token).ok().flatten()
    }

    /// The active user with this e-mail (case-insensitive).
    pub fn user_by_email(&self, email: &str) -> Option<SimUser> {
        let conn = self.lock().ok()?;
        store::user_by_email(&conn, email).ok().flatten()
    }

    /// The user with this account id.
    pub fn user(&self, account_id: &str) -> Option<SimUser> {
        let conn = self.lock().ok()?;
        store::user(&conn, account_id).ok().flatten()
    }

    /// Unacknowledged outbox events, oldest first.
    pub fn pending_events(&self) -> Result<Vec<SimEvent>, SimError> {
        store::pending_events(&*self.lock()?)
    }

    /// Acknowledge (remove from pending) one outbox event.
    pub fn ack_event(&self, id: i64) -> Result<(), SimError> {
        self.write(|tx| store::ack_event(tx, id))
    }

    /// Create a user. Fails if the account id or e-mail is taken.
    pub fn create_user(&self, u: NewUser) -> Result<SimUser, SimError> {
        self.write(|tx| store::create_user(tx, u))
    }

    /// Create a group; returns its groupId. Fails if the name is taken.
    pub fn create_group(&self, name: &str) -> Result<String, SimError> {
        self.write(|tx| store::create_group(tx, name))
    }

    /// Add a user to a group (by group name). Idempotent.
    pub fn add_to_group(&self, group: &str, account_id: &str) -> Result<(), SimError> {
        self.write(|tx| store::add_to_group(tx, group, account_id))
    }

    /// Create a (software) project with issue type `Task`; returns its id.
    pub fn create_project(
        &self,
        key: &str,
        name: &str,
        lead_account_id: &str,
    ) -> Result<String, SimError> {
        self.write(|tx| store::create_project(tx, key, name, lead_account_id))
    }

    /// Turn a project into a JSM service desk with a portal.
    /// Returns (serviceDeskId, portalId).
    pub fn create_service_desk(
        &self,
        project_key: &str,
        portal_name: &str,
    ) -> Result<(String, String), SimError> {
        self.write(|tx| store::create_service_desk(tx, project_key, portal_name))
    }

    /// Add a request type (creating its issue type if needed); returns its id.
    pub fn create_request_type(
        &self,
        service_desk_id: &str,
        name: &str,
        issue_type_name: &str,
    ) -> Result<String, SimError> {
        self.write(|tx| store::create_request_type(tx, service_desk_id, name, issue_type_name))
    }

    /// Add a workflow transition (available from every other status) to a
    /// project; returns its id.
    pub fn add_transition(
        &self,
        project_key: &str,
        name: &str,
        to_status: &str,
    ) -> Result<String, SimError> {
        self.write(|tx| store::add_transition(tx, project_key, name, to_status))
    }

    /// Create a project role (roles are site-wide, their actors are per
    /// project); returns its id. Ids start at 10002. Fails if the name is taken.
    pub fn create_project_role(&self, name: &str, description: &str) -> Result<String, SimError> {
        self.write(|tx| store::create_project_role(tx, name, description))
    }

    /// Make a user or a group an actor of role `role_id` in a project. Idempotent.
    pub fn add_role_actor(
        &self,
        project_key: &str,
        role_id: &str,
        member: &RoleMember,
    ) -> Result<(), SimError> {
        self.write(|tx| store::add_role_actor(tx, project_key, role_id, member))
    }

    /// Remove an actor from role `role_id` in a project; `NotFound` if it is not one.
    pub fn remove_role_actor(
        &self,
        project_key: &str,
        role_id: &str,
        member: &RoleMember,
    ) -> Result<(), SimError> {
        self.write(|tx| store::remove_role_actor(tx, project_key, role_id, member))
    }

    /// Seed the demo site (idempotent).
    pub fn seed_demo(&self) -> Result<DemoSite, SimError> {
        self.write(store::seed_demo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn sim_is_send_sync() {
        assert_send_sync::<JiraSim>();
    }
}
