//! `connectors.*`, `identities.*`: connected mode. A connector is an
//! admin-configured link to one identity provider (an Okta org or an Entra
//! tenant); a catalog tool bound to one of its groups is provisioned by
//! membership of that group.
//!
//! * [`admin`]: the connector records (create, edit, enable, disable,
//!   delete, test). Credentials are write-only: secret storage only
//!   ([`credential_secret`]); answers say `credentialSet` and when.
//! * [`binding`]: a tool bound to an existing group or a created one, with
//!   the refusal of groups membership writes cannot govern.
//! * [`drift`]: the group's members compared with the open grants
//!   (reconciliation records, enforcement through jobs).
//! * [`identities`]: who a Jira account is at the provider (explicit
//!   mapping, else a unique e-mail match).
//! * [`okta`], [`entra`]: the provider clients over the egress port only
//!   ([`http`] classifies answers), behind one [`provider::Directory`].
//!
//! The job runner's connector over a stored record is `jobs::connected`.
//!
//! Storage: KVS `connector:<id>` (the record), `binding:<tool>`,
//! `identity:<connector>:<account>`; every change is one commit with its
//! audit event (which never carries a secret). `connector-test:<id>` keeps
//! the last test's result (an observation, not governed state: written
//! alone, without an event).

pub mod admin;
pub mod binding;
pub mod drift;
pub mod entra;
pub mod http;
pub mod identities;
pub mod okta;
pub mod provider;
pub mod token;

use crate::api::{Route, route};
use crate::error::AppError;
use crate::repo;
use aigis_core::Millis;
use aigis_core::model::JobMode;
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};

pub const ROUTES: &[Route] = &[
    route!("connectors.list", Admin, connectors::admin::list),
    route!("connectors.get", Admin, connectors::admin::get),
    route!("connectors.create", Admin, connectors::admin::create),
    route!("connectors.update", Admin, connectors::admin::update),
    route!("connectors.test", Admin, connectors::admin::test),
    route!("connectors.enable", Admin, connectors::admin::enable),
    route!("connectors.disable", Admin, connectors::admin::disable),
    route!("connectors.delete", Admin, connectors::admin::delete),
    route!("connectors.bind", Admin, connectors::binding::bind),
    route!("connectors.unbind", Admin, connectors::binding::unbind),
    route!("connectors.drift", Admin, connectors::drift::view::drift),
    route!(
        "connectors.checkDrift",
        Admin,
        connectors::drift::view::check_drift
    ),
    route!("identities.list", Admin, connectors::identities::list),
    route!("identities.set", Admin, connectors::identities::set),
    route!("identities.remove", Admin, connectors::identities::remove),
];

/// How long after Aigis created a group a 404 is taken for replication lag.
pub const CREATE_GRACE: Millis = 10 * aigis_core::time::MINUTE;

/// KVS prefix of connector records.
pub const CONNECTOR_PREFIX: &str = "connector:";
/// KVS prefix of tool bindings.
pub const BINDING_PREFIX: &str = "binding:";
/// KVS prefix of external identity records.
pub const IDENTITY_PREFIX: &str = "identity:";
/// KVS prefix of the last `connectors.test` result of each connector.
pub const TEST_PREFIX: &str = "connector-test:";

/// The kind of identity provider group a connector governs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ConnectorType {
    #[serde(rename = "okta-group")]
    OktaGroup,
    #[serde(rename = "entra-group")]
    EntraGroup,
}

/// How an Okta connector authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum OktaAuth {
    /// OAuth 2.0 service app, client credentials with a signed client
    /// assertion, DPoP-bound tokens.
    PrivateKeyJwt,
    /// A legacy API token.
    Ssws,
}

/// The non-secret settings of a connector (the credential is apart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ConnectorRecord {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ConnectorType,
    pub enabled: bool,
    /// Whether drift found on its tools is fixed (through jobs) or only
    /// reported. Off unless the admin turns it on.
    #[serde(default)]
    pub enforce: bool,
    /// Okta: `https://{org}.okta.com` (or oktapreview / okta-emea).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub org_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub auth: Option<OktaAuth>,
    /// Okta service app or Entra app registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub client_id: Option<String>,
    /// Okta: the `kid` of the service app's public key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub key_id: Option<String>,
    /// Entra: the directory (tenant) id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub tenant_id: Option<String>,
    /// When the credential was last written (it is never returned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub credential_set_at: Option<Millis>,
    /// Bumped with every credential write: cached tokens of an older
    /// credential are not used.
    #[serde(default)]
    pub credential_version: u32,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A tool's connector group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Binding {
    pub tool: String,
    pub connector: String,
    pub group_id: String,
    pub group_name: String,
    /// Whether Aigis created the group.
    pub created: bool,
    pub bound_at: Millis,
}

/// The last `connectors.test` of a connector: when, and its plain-words result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LastTest {
    pub at: Millis,
    pub ok: bool,
    pub message: String,
}

pub fn test_key(id: &str) -> String {
    format!("{TEST_PREFIX}{id}")
}

pub fn connector_key(id: &str) -> String {
    format!("{CONNECTOR_PREFIX}{id}")
}

pub fn binding_key(tool: &str) -> String {
    format!("{BINDING_PREFIX}{tool}")
}

/// Secret name of a connector's credential (private key, API token or client secret).
pub fn credential_secret(id: &str) -> String {
    format!("connector-{id}-credential")
}

/// Secret name of a connector's DPoP key (a P-256 scalar, generated once).
pub fn dpop_secret(id: &str) -> String {
    format!("connector-{id}-dpop")
}

/// Secret name of a connector's cached access token.
pub fn token_secret(id: &str) -> String {
    format!("connector-{id}-token")
}

pub fn load(p: &Platform, id: &str) -> Result<Option<ConnectorRecord>, AppError> {
    repo::get_kv(p, &connector_key(id))
}

pub fn load_binding(p: &Platform, tool: &str) -> Result<Option<Binding>, AppError> {
    repo::get_kv(p, &binding_key(tool))
}

/// The mode of a new provisioning job of `tool`: through its connector
/// when the tool is bound to an enabled one, else by hand.
pub fn mode_for_tool(p: &Platform, tool: &str) -> Result<JobMode, AppError> {
    let Some(b) = load_binding(p, tool)? else {
        return Ok(JobMode::Manual);
    };
    match load(p, &b.connector)? {
        Some(c) if c.enabled => Ok(JobMode::Connector(c.id)),
        _ => Ok(JobMode::Manual),
    }
}

/// Every KVS value under `prefix`, decoded, in key order.
pub(crate) fn scan_kv<T: serde::de::DeserializeOwned>(
    p: &Platform,
    prefix: &str,
) -> Result<Vec<(String, T)>, AppError> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = p.storage.query_prefix(prefix, cursor.as_deref(), 100)?;
        for (k, raw) in page.items {
            let v = serde_json::from_str(&raw)
                .map_err(|e| AppError::internal(format!("stored {k} is unreadable: {e}")))?;
            out.push((k, v));
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}
