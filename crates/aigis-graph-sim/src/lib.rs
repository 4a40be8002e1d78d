//! Microsoft Graph simulator: the Microsoft identity platform's token
//! endpoint (`login.microsoftonline.com` shape) and the Graph v1.0 users,
//! groups and members API of `shared/specs/msgraph-groups-openapi.yaml`.
//!
//! [`GraphSim::handle`] takes one request; one process serves both hosts'
//! paths (they do not overlap): `/{tenant}/oauth2/v2.0/token`,
//! `/{tenant}/v2.0/.well-known/openid-configuration`, `/v1.0/...`, and the
//! test control endpoint `/__sim/...`. `examples/serve.rs` serves it over TLS
//! on loopback with a generated test CA for the official SDK.
//!
//! # Tokens
//! Client credentials with a client secret or a certificate-signed
//! `client_assertion` (RS256/PS256, `x5t` or `x5t#S256` naming a registered
//! certificate, `aud` = the token URL, `iss` = `sub` = client id, `exp`,
//! `jti` not replayed); scope `https://graph.microsoft.com/.default`. The
//! token's roles are the app's admin-consented application permissions
//! ([`GraphSim::add_app`]); errors carry the real AADSTS codes.
//!
//! # Graph
//! `GET /users` (`$filter`, `$select`, `$top`), `GET /users/{id | upn}`,
//! `POST /users/{id}/checkMemberGroups`, `GET`/`POST /groups`, `GET
//! /groups/{id}`, `GET /groups/{id}/members`, `POST
//! /groups/{id}/members/$ref`, `DELETE /groups/{id}/members/{id}/$ref`,
//! `GET /groups/delta` (with `members@delta`, `$deltatoken`). Lists page by
//! `@odata.nextLink` (`$skiptoken`). Each route needs one of its
//! application permissions: none at all is Graph's 401 ("Either scp or roles
//! claim need to be present in the token."), the wrong ones its 403
//! `Authorization_RequestDenied`. Errors are OData errors with
//! `innerError.request-id`; 429 carries `Retry-After`. A group created
//! through the API answers 404 for [`GraphSim::set_replication_lag`] ms, as
//! Graph does right after a create.
//!
//! # Store
//! One state behind one lock, each request atomic (checked, then applied):
//! in memory ([`GraphSim::new`]) or in the simulator's own SQLite tables
//! ([`GraphSim::open`], the local site), each request then one transaction
//! shared with other processes; ids from the state's one counter
//! (GUID-shaped, allocated inside the transaction), time from the injectable
//! [`Clock`].

mod http;
pub mod model;

use std::path::Path;
use std::sync::RwLock;

use aigis_sim_kit::persist::{PersistError, StateCell, StateGuard};

pub use aigis_sim_kit::faults::{Fault, FaultKind};
pub use aigis_sim_kit::{Clock, SimResponse};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
pub use http::routes;
use model::{App, Certificate, Change, Group, State, User};
use sha1::Digest as _;

/// Root of Graph's URLs in answers (`@odata.context`, `@odata.nextLink`).
pub const DEFAULT_BASE_URL: &str = "https://graph.microsoft.com";
/// The only scope of client-credential tokens for Graph.
pub const GRAPH_DEFAULT_SCOPE: &str = "https://graph.microsoft.com/.default";
/// Default requests per minute per app.
pub const DEFAULT_RATE_LIMIT: u32 = 2000;

/// The simulator.
pub struct GraphSim {
    state: StateCell<State>,
    clock: Clock,
    base_url: RwLock<String>,
}

pub use aigis_sim_kit::SimError;

/// Input of [`GraphSim::add_group`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGroup {
    pub display_name: String,
    pub group_types: Vec<String>,
    pub security_enabled: bool,
    pub mail_enabled: bool,
    pub is_assignable_to_role: bool,
    pub on_premises_sync_enabled: Option<bool>,
    pub membership_rule: Option<String>,
}

impl NewGroup {
    /// A cloud-only, assigned-membership security group.
    pub fn security(name: &str) -> NewGroup {
        NewGroup {
            display_name: name.to_string(),
            group_types: Vec::new(),
            security_enabled: true,
            mail_enabled: false,
            is_assignable_to_role: false,
            on_premises_sync_enabled: None,
            membership_rule: None,
        }
    }
}

impl GraphSim {
    /// A fresh tenant `tenant_id` (with verified domain `domain`), clock at `now_ms`.
    pub fn new(tenant_id: &str, domain: &str, now_ms: i64) -> GraphSim {
        let cell = StateCell::memory(GraphSim::initial(tenant_id, domain));
        GraphSim::with_cell(cell, now_ms)
    }

    /// The tenant over its own tables (`graph_sim_*`) in the SQLite file
    /// `path`: every process that opens the same file sees the same tenant,
    /// each request one transaction (see [`aigis_sim_kit::persist`]). An
    /// existing tenant keeps its id and domains.
    pub fn open(
        path: &Path,
        tenant_id: &str,
        domain: &str,
        now_ms: i64,
    ) -> Result<GraphSim, PersistError> {
        let cell = StateCell::open(path, "graph_sim", GraphSim::initial(tenant_id, domain))?;
        Ok(GraphSim::with_cell(cell, now_ms))
    }

    fn initial(tenant_id: &str, domain: &str) -> State {
        State {
            tenant_id: tenant_id.to_string(),
            domains: vec![domain.to_string()],
            rate_limit: DEFAULT_RATE_LIMIT,
            ..State::default()
        }
    }

    fn with_cell(state: StateCell<State>, now_ms: i64) -> GraphSim {
        GraphSim {
            state,
            clock: Clock::fixed(now_ms),
            base_url: RwLock::new(DEFAULT_BASE_URL.to_string()),
        }
    }

    pub(crate) fn lock(&self) -> StateGuard<'_, State> {
        self.state.lock()
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn tenant_id(&self) -> String {
        self.lock().tenant_id.clone()
    }

    /// Root of the URLs in answers and of the token endpoint's audience.
    pub fn base_url(&self) -> String {
        match self.base_url.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    pub fn set_base_url(&self, url: &str) {
        let url = url.trim_end_matches('/').to_string();
        match self.base_url.write() {
            Ok(mut g) => *g = url,
            Err(p) => *p.into_inner() = url,
        }
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

    /// Add a user; returns its id.
    pub fn add_user(
        &self,
        display_name: &str,
        mail: &str,
        user_principal_name: &str,
        account_enabled: bool,
    ) -> Result<String, SimError> {
        let mut st = self.lock();
        if st.user(user_principal_name).is_some() {
            return Err(SimError::AlreadyExists(user_principal_name.into()));
        }
        let id = st.new_guid();
        let (given, sur) = display_name.split_once(' ').unwrap_or((display_name, ""));
        st.users.insert(
            id.clone(),
            User {
                id: id.clone(),
                display_name: display_name.to_string(),
                given_name: given.to_string(),
                surname: sur.to_string(),
                mail: mail.to_string(),
                user_principal_name: user_principal_name.to_string(),
                account_enabled,
            },
        );
        Ok(id)
    }

    /// The id of the user with this id or user principal name.
    pub fn find_user(&self, id_or_upn: &str) -> Option<String> {
        self.lock().user(id_or_upn).map(|u| u.id.clone())
    }

    /// The id of the group whose display name is `name` (case-insensitive).
    pub fn find_group(&self, name: &str) -> Option<String> {
        let st = self.lock();
        st.groups
            .values()
            .find(|g| g.display_name.eq_ignore_ascii_case(name))
            .map(|g| g.id.clone())
    }

    /// Whether an app registration with this client id exists.
    pub fn has_app(&self, client_id: &str) -> bool {
        self.lock().apps.contains_key(client_id)
    }

    /// Enable or disable a user (`accountEnabled`).
    pub fn set_account_enabled(&self, user_id: &str, enabled: bool) -> Result<(), SimError> {
        let mut st = self.lock();
        let u = st
            .users
            .get_mut(user_id)
            .ok_or_else(|| SimError::NotFound(user_id.into()))?;
        u.account_enabled = enabled;
        Ok(())
    }

    /// Add a group of any kind (visible at once); returns its id.
    pub fn add_group(&self, g: NewGroup) -> Result<String, SimError> {
        let now = self.clock.now_ms();
        let mut st = self.lock();
        Ok(http::directory::insert_group(&mut st, g, None, now, 0))
    }

    /// Delete a group out of band.
    pub fn delete_group(&self, group_id: &str) -> Result<(), SimError> {
        let mut st = self.lock();
        st.groups
            .remove(group_id)
            .ok_or_else(|| SimError::NotFound(group_id.into()))?;
        st.members.remove(group_id);
        st.log(group_id, Change::Deleted);
        Ok(())
    }

    /// Add a member out of band (any group kind): a user, or a group
    /// (nested, listed as `#microsoft.graph.group`). Idempotent.
    pub fn add_member(&self, group_id: &str, user_id: &str) -> Result<(), SimError> {
        let mut st = self.lock();
        if !st.groups.contains_key(group_id) {
            return Err(SimError::NotFound(group_id.into()));
        }
        if !st.users.contains_key(user_id) && !st.groups.contains_key(user_id) {
            return Err(SimError::NotFound(user_id.into()));
        }
        if st
            .members
            .entry(group_id.to_string())
            .or_default()
            .insert(user_id.to_string())
        {
            st.log(group_id, Change::MemberAdded(user_id.to_string()));
        }
        Ok(())
    }

    /// Remove a member out of band. Idempotent.
    pub fn remove_member(&self, group_id: &str, user_id: &str) -> Result<(), SimError> {
        let mut st = self.lock();
        if !st.groups.contains_key(group_id) {
            return Err(SimError::NotFound(group_id.into()));
        }
        if st
            .members
            .get_mut(group_id)
            .is_some_and(|m| m.remove(user_id))
        {
            st.log(group_id, Change::MemberRemoved(user_id.to_string()));
        }
        Ok(())
    }

    /// Member ids of a group, in id order.
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

    /// Register an app with admin-consented application permissions
    /// (`roles`, e.g. `GroupMember.ReadWrite.All`, `User.Read.All`).
    pub fn add_app(&self, client_id: &str, roles: &[&str]) -> Result<(), SimError> {
        let mut st = self.lock();
        if st.apps.contains_key(client_id) {
            return Err(SimError::AlreadyExists(client_id.into()));
        }
        st.apps.insert(
            client_id.to_string(),
            App {
                client_id: client_id.to_string(),
                secrets: Vec::new(),
                certificates: Vec::new(),
                roles: roles.iter().map(|r| r.to_string()).collect(),
                enabled: true,
            },
        );
        Ok(())
    }

    fn app_mut<'a>(st: &'a mut State, client_id: &str) -> Result<&'a mut App, SimError> {
        st.apps
            .get_mut(client_id)
            .ok_or_else(|| SimError::NotFound(client_id.into()))
    }

    /// Add a client secret to an app.
    pub fn add_secret(&self, client_id: &str, secret: &str) -> Result<(), SimError> {
        let mut st = self.lock();
        Self::app_mut(&mut st, client_id)?
            .secrets
            .push(secret.to_string());
        Ok(())
    }

    /// Add a certificate credential: the DER certificate (for its
    /// thumbprints) and its public key in PEM (to verify assertions).
    pub fn add_certificate(
        &self,
        client_id: &str,
        cert_der: &[u8],
        public_key_pem: &str,
    ) -> Result<(), SimError> {
        let cert = Certificate {
            x5t: URL_SAFE_NO_PAD.encode(sha1::Sha1::digest(cert_der)),
            x5t_s256: URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(cert_der)),
            public_key_pem: public_key_pem.to_string(),
        };
        let mut st = self.lock();
        Self::app_mut(&mut st, client_id)?.certificates.push(cert);
        Ok(())
    }

    /// Replace an app's consented permissions (consent granted or withdrawn).
    pub fn set_roles(&self, client_id: &str, roles: &[&str]) -> Result<(), SimError> {
        let mut st = self.lock();
        Self::app_mut(&mut st, client_id)?.roles = roles.iter().map(|r| r.to_string()).collect();
        Ok(())
    }

    /// Disable the app (its service principal) and revoke its tokens.
    pub fn revoke_app(&self, client_id: &str) -> Result<(), SimError> {
        let mut st = self.lock();
        Self::app_mut(&mut st, client_id)?.enabled = false;
        for t in st.tokens.values_mut() {
            if t.client_id == client_id {
                t.revoked = true;
            }
        }
        Ok(())
    }

    /// How long a group created through the API answers 404 (ms).
    pub fn set_replication_lag(&self, ms: i64) {
        self.lock().replication_lag_ms = ms.max(0);
    }

    /// Requests per minute per app (0: unlimited).
    pub fn set_rate_limit(&self, per_minute: u32) {
        let mut st = self.lock();
        st.rate_limit = per_minute;
        st.buckets.clear();
    }

    pub fn inject(&self, fault: Fault) {
        self.lock().faults.push(fault);
    }

    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// A group by id (regardless of replication lag).
    pub fn group(&self, group_id: &str) -> Option<Group> {
        self.lock().groups.get(group_id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_sync_and_deterministic_ids() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<GraphSim>();
        let a = GraphSim::new("t", "d.example", 0);
        let id = a
            .add_user("Ada L", "ada@d.example", "ada@d.example", true)
            .unwrap();
        assert_eq!(id, "00000000-0000-4000-8000-000000000001");
        assert!(a.add_user("Ada", "x", "ADA@d.example", true).is_err());
    }
}
