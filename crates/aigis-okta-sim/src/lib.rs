//! Okta simulator: the org authorization server's token endpoint and the
//! users / groups / group members / group rules management API.
//!
//! [`OktaSim`] answers the routes of [`routes`] with the shapes, status codes
//! and error bodies of Okta's management OpenAPI document
//! (`shared/specs/okta-management-openapi.yaml`; the conformance test walks
//! the route table against it). It is synchronous and in-process:
//! [`OktaSim::handle`] takes one request; `examples/serve.rs` serves it alone
//! on loopback for the official SDK (`make test-clients`).
//!
//! # Authentication
//! * `POST /oauth2/v1/token`: client credentials with `private_key_jwt`
//!   (the assertion is verified against the client's registered public JWKs:
//!   `iss` = `sub` = client id, `aud` = the token URL, `exp` at most one hour
//!   ahead, `jti` never seen before; Okta consumes the `jti` even when it then
//!   asks for a DPoP nonce). Scopes must be granted to the app. When the app
//!   requires DPoP, the `DPoP` proof is checked (RFC 9449: `typ`, public `jwk`,
//!   signature, `htm`, `htu`, `iat`, `jti`), a proof without the current
//!   nonce gets `400 use_dpop_nonce` with a `DPoP-Nonce` header, and the token
//!   is bound to the key (`cnf.jkt`, token type `DPoP`).
//! * API calls: `Authorization: DPoP <token>` with a `DPoP` proof carrying
//!   `ath`, `Authorization: Bearer <token>` for unbound tokens, or the legacy
//!   `Authorization: SSWS <api token>` (full access). The operation's scope
//!   (`okta.users.read`, `okta.groups.read`/`okta.groups.manage`) is checked.
//!
//! # Store
//! One [`model::State`] behind one lock: each request is atomic (validated
//! first, then applied, so a refused request changes nothing). In memory
//! ([`OktaSim::new`], the tests) or in the simulator's own SQLite tables
//! ([`OktaSim::open`], the local site: `aigis up` and a second `aigis`
//! process share the org), each request then one transaction. Ids come from
//! the state's one counter (so they are allocated inside the transaction),
//! time from the injectable [`Clock`].
//!
//! # Admin and faults
//! The Rust API ([`OktaSim::add_user`], [`OktaSim::add_group`],
//! [`OktaSim::add_member`] for out-of-band changes, [`OktaSim::inject`],
//! [`OktaSim::revoke_client`], ...) and the same under `/__sim/` over HTTP
//! (see `http/admin.rs`), a prefix no Okta API uses. Rate limits: each route
//! template is a bucket of [`OktaSim::set_rate_limit`] requests per minute
//! of the clock, reported in `X-Rate-Limit-Limit/Remaining/Reset`; an
//! exhausted bucket answers `429 E0000047` (Okta sends no `Retry-After`).

mod http;
pub mod model;

use std::path::Path;
use std::sync::RwLock;

use aigis_sim_kit::persist::{PersistError, StateCell, StateGuard};

pub use aigis_sim_kit::faults::{Fault, FaultKind};
pub use aigis_sim_kit::{Clock, SimResponse};
pub use http::routes;
use model::{ApiToken, Client, GroupRule, GroupType, State, User, UserStatus};

/// Default base URL (`orgUrl`).
pub const DEFAULT_BASE_URL: &str = "https://aigis-demo.okta.com";

/// Default requests per minute per route template.
pub const DEFAULT_RATE_LIMIT: u32 = 600;

/// The simulator. `Send + Sync`.
pub struct OktaSim {
    state: StateCell<State>,
    clock: Clock,
    base_url: RwLock<String>,
}

pub use aigis_sim_kit::SimError;

/// Input of [`OktaSim::add_user`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub login: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub status: UserStatus,
}

impl NewUser {
    /// An ACTIVE user whose login is the e-mail.
    pub fn active(email: &str, first_name: &str, last_name: &str) -> NewUser {
        NewUser {
            login: email.to_string(),
            email: email.to_string(),
            first_name: first_name.to_string(),
            last_name: last_name.to_string(),
            status: UserStatus::Active,
        }
    }
}

impl OktaSim {
    /// A fresh simulator at `base_url`, its clock standing at `now_ms`.
    pub fn new(base_url: &str, now_ms: i64) -> OktaSim {
        OktaSim::with_cell(StateCell::memory(OktaSim::initial()), base_url, now_ms)
    }

    /// The simulator over its own tables (`okta_sim_*`) in the SQLite file
    /// `path`: every process that opens the same file sees the same org, each
    /// request one transaction (see [`aigis_sim_kit::persist`]).
    pub fn open(path: &Path, base_url: &str, now_ms: i64) -> Result<OktaSim, PersistError> {
        let cell = StateCell::open(path, "okta_sim", OktaSim::initial())?;
        Ok(OktaSim::with_cell(cell, base_url, now_ms))
    }

    fn initial() -> State {
        State {
            rate_limit: DEFAULT_RATE_LIMIT,
            ..State::default()
        }
    }

    fn with_cell(state: StateCell<State>, base_url: &str, now_ms: i64) -> OktaSim {
        let sim = OktaSim {
            state,
            clock: Clock::fixed(now_ms),
            base_url: RwLock::new(String::new()),
        };
        sim.set_base_url(base_url);
        if sim.lock().nonce.is_empty() {
            sim.rotate_dpop_nonce();
        }
        sim
    }

    pub(crate) fn lock(&self) -> StateGuard<'_, State> {
        self.state.lock()
    }

    /// The clock (set, advance, follow the system clock).
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The org URL (`https://{yourOktaDomain}`), no trailing `/`.
    pub fn base_url(&self) -> String {
        match self.base_url.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// Change the org URL (the token endpoint's audience and `htu`, `Link` URLs).
    pub fn set_base_url(&self, url: &str) {
        let url = url.trim_end_matches('/').to_string();
        match self.base_url.write() {
            Ok(mut g) => *g = url,
            Err(p) => *p.into_inner() = url,
        }
    }

    /// The token endpoint URL.
    pub fn token_url(&self) -> String {
        format!("{}/oauth2/v1/token", self.base_url())
    }

    /// Answer one HTTP request.
    pub fn handle(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(String, String)],
        body: Option<&str>,
    ) -> SimResponse {
        http::handle(self, method, path_and_query, headers, body)
    }

    /// Create a user; returns its id. Login and e-mail must be new (case-insensitive).
    pub fn add_user(&self, u: NewUser) -> Result<String, SimError> {
        if u.login.trim().is_empty() || !u.email.contains('@') {
            return Err(SimError::Invalid(
                "login and a valid email are required".into(),
            ));
        }
        let now = self.clock.now_ms();
        let mut st = self.lock();
        if st.user_by_id_or_login(&u.login).is_some() {
            return Err(SimError::AlreadyExists(u.login));
        }
        let id = st.new_id("00u");
        st.users.insert(
            id.clone(),
            User {
                id: id.clone(),
                status: u.status,
                login: u.login,
                email: u.email,
                first_name: u.first_name,
                last_name: u.last_name,
                created: now,
                last_updated: now,
            },
        );
        Ok(id)
    }

    /// Change a user's status (e.g. SUSPENDED, DEPROVISIONED).
    pub fn set_user_status(&self, user_id: &str, status: UserStatus) -> Result<(), SimError> {
        let now = self.clock.now_ms();
        let mut st = self.lock();
        let u = st
            .users
            .get_mut(user_id)
            .ok_or_else(|| SimError::NotFound(user_id.into()))?;
        u.status = status;
        u.last_updated = now;
        Ok(())
    }

    /// Create a group of any type; returns its id. Names must be new.
    pub fn add_group(&self, name: &str, kind: GroupType) -> Result<String, SimError> {
        let now = self.clock.now_ms();
        let mut st = self.lock();
        http::groups::insert_group(&mut st, name, "", kind, now)
            .map_err(|_| SimError::AlreadyExists(name.into()))
    }

    /// Delete a group (out of band) with its memberships and rule targets.
    pub fn delete_group(&self, group_id: &str) -> Result<(), SimError> {
        let mut st = self.lock();
        st.groups
            .remove(group_id)
            .ok_or_else(|| SimError::NotFound(group_id.into()))?;
        st.members.remove(group_id);
        for r in st.rules.values_mut() {
            r.group_ids.retain(|g| g != group_id);
        }
        Ok(())
    }

    /// Add a member out of band (any group type). Idempotent.
    pub fn add_member(&self, group_id: &str, user_id: &str) -> Result<(), SimError> {
        let now = self.clock.now_ms();
        let mut st = self.lock();
        if !st.users.contains_key(user_id) {
            return Err(SimError::NotFound(user_id.into()));
        }
        let g = st
            .groups
            .get_mut(group_id)
            .ok_or_else(|| SimError::NotFound(group_id.into()))?;
        g.last_membership_updated = now;
        st.members
            .entry(group_id.to_string())
            .or_default()
            .insert(user_id.to_string());
        Ok(())
    }

    /// Remove a member out of band. Idempotent.
    pub fn remove_member(&self, group_id: &str, user_id: &str) -> Result<(), SimError> {
        let now = self.clock.now_ms();
        let mut st = self.lock();
        let g = st
            .groups
            .get_mut(group_id)
            .ok_or_else(|| SimError::NotFound(group_id.into()))?;
        g.last_membership_updated = now;
        if let Some(m) = st.members.get_mut(group_id) {
            m.remove(user_id);
        }
        Ok(())
    }

    /// Member user ids of a group, in id order.
    pub fn members(&self, group_id: &str) -> Result<Vec<String>, SimError> {
        let st = self.lock();
        if !st.groups.contains_key(group_id) {
            return Err(SimError::NotFound(group_id.into()));
        }
        Ok(st
            .members
            .get(group_id)
            .map(|m| m.iter().cloned().collect())
            .unwrap_or_default())
    }

    /// Add an ACTIVE (or INACTIVE) group rule assigning users to `group_ids`.
    pub fn add_group_rule(
        &self,
        name: &str,
        expression: &str,
        group_ids: &[&str],
        active: bool,
    ) -> Result<String, SimError> {
        let now = self.clock.now_ms();
        let mut st = self.lock();
        if let Some(g) = group_ids.iter().find(|g| !st.groups.contains_key(**g)) {
            return Err(SimError::NotFound((*g).into()));
        }
        let id = st.new_id("0pr");
        st.rules.insert(
            id.clone(),
            GroupRule {
                id: id.clone(),
                name: name.to_string(),
                active,
                expression: expression.to_string(),
                group_ids: group_ids.iter().map(|g| g.to_string()).collect(),
                created: now,
            },
        );
        Ok(id)
    }

    /// Register an OAuth 2.0 service app: its public JWKs, granted scopes and
    /// whether it requires DPoP.
    pub fn register_client(
        &self,
        client_id: &str,
        jwks: Vec<serde_json::Value>,
        scopes: &[&str],
        require_dpop: bool,
    ) -> Result<(), SimError> {
        if jwks.is_empty() {
            return Err(SimError::Invalid(
                "at least one public JWK is required".into(),
            ));
        }
        if let Some(k) = jwks
            .iter()
            .find(|k| k.get("d").is_some() || aigis_sim_kit::jose::jwk_thumbprint(k).is_err())
        {
            return Err(SimError::Invalid(format!(
                "not a public RSA or EC JWK: kid {}",
                k.get("kid").and_then(|v| v.as_str()).unwrap_or("-")
            )));
        }
        let mut st = self.lock();
        if st.clients.contains_key(client_id) {
            return Err(SimError::AlreadyExists(client_id.into()));
        }
        st.clients.insert(
            client_id.to_string(),
            Client {
                client_id: client_id.to_string(),
                jwks,
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                require_dpop,
                active: true,
            },
        );
        Ok(())
    }

    /// Deactivate a client and revoke every token issued to it.
    pub fn revoke_client(&self, client_id: &str) -> Result<(), SimError> {
        let mut st = self.lock();
        let c = st
            .clients
            .get_mut(client_id)
            .ok_or_else(|| SimError::NotFound(client_id.into()))?;
        c.active = false;
        for t in st.access_tokens.values_mut() {
            if t.client_id == client_id {
                t.revoked = true;
            }
        }
        Ok(())
    }

    /// Register a legacy SSWS API token.
    pub fn add_api_token(&self, token: &str, name: &str) -> Result<(), SimError> {
        let mut st = self.lock();
        if st.api_tokens.contains_key(token) {
            return Err(SimError::AlreadyExists(name.into()));
        }
        st.api_tokens.insert(
            token.to_string(),
            ApiToken {
                name: name.to_string(),
                revoked: false,
            },
        );
        Ok(())
    }

    /// Revoke an SSWS API token.
    pub fn revoke_api_token(&self, token: &str) -> Result<(), SimError> {
        let mut st = self.lock();
        let t = st
            .api_tokens
            .get_mut(token)
            .ok_or_else(|| SimError::NotFound("api token".into()))?;
        t.revoked = true;
        Ok(())
    }

    /// Issue a new DPoP nonce (the previous one stays valid once more).
    pub fn rotate_dpop_nonce(&self) {
        let mut st = self.lock();
        let n = st.bump();
        st.previous_nonce = std::mem::take(&mut st.nonce);
        st.nonce = format!("okta-sim-nonce-{n:06}");
    }

    /// The id of the user with this id or login (case-insensitive).
    pub fn find_user(&self, id_or_login: &str) -> Option<String> {
        self.lock()
            .user_by_id_or_login(id_or_login)
            .map(|u| u.id.clone())
    }

    /// The id of the group named `name` (case-insensitive).
    pub fn find_group(&self, name: &str) -> Option<String> {
        let st = self.lock();
        st.groups
            .values()
            .find(|g| g.name.eq_ignore_ascii_case(name))
            .map(|g| g.id.clone())
    }

    /// The ids of the group rules named `name`.
    pub fn find_rules(&self, name: &str) -> Vec<String> {
        let st = self.lock();
        st.rules
            .values()
            .filter(|r| r.name == name)
            .map(|r| r.id.clone())
            .collect()
    }

    /// Whether a service app with this client id is registered.
    pub fn has_client(&self, client_id: &str) -> bool {
        self.lock().clients.contains_key(client_id)
    }

    /// The DPoP nonce the token endpoint wants now.
    pub fn dpop_nonce(&self) -> String {
        self.lock().nonce.clone()
    }

    /// Requests per minute per route template (0: unlimited).
    pub fn set_rate_limit(&self, per_minute: u32) {
        let mut st = self.lock();
        st.rate_limit = per_minute;
        st.buckets.clear();
    }

    /// Inject a fault.
    pub fn inject(&self, fault: Fault) {
        self.lock().faults.push(fault);
    }

    /// Remove every pending fault.
    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn sim_is_send_sync() {
        assert_send_sync::<OktaSim>();
    }

    #[test]
    fn ids_are_deterministic() {
        let a = OktaSim::new(DEFAULT_BASE_URL, 0);
        let b = OktaSim::new(DEFAULT_BASE_URL, 0);
        let ua = a.add_user(NewUser::active("a@x.example", "A", "X"));
        let ub = b.add_user(NewUser::active("a@x.example", "A", "X"));
        assert_eq!(ua, ub);
        let id = ua.unwrap();
        assert_eq!(id.len(), 20);
        assert!(id.starts_with("00u"));
        assert_eq!(
            a.add_user(NewUser::active("A@x.example", "A", "X")),
            Err(SimError::AlreadyExists("A@x.example".into()))
        );
    }
}
