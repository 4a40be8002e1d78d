//! The simulator's state: one serialisable value, mutated under one lock.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use aigis_sim_kit::faults::Fault;

/// Okta user statuses (the `UserStatus` enum of the management API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserStatus {
    Active,
    Staged,
    Provisioned,
    Recovery,
    PasswordExpired,
    LockedOut,
    Suspended,
    Deprovisioned,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "ACTIVE",
            UserStatus::Staged => "STAGED",
            UserStatus::Provisioned => "PROVISIONED",
            UserStatus::Recovery => "RECOVERY",
            UserStatus::PasswordExpired => "PASSWORD_EXPIRED",
            UserStatus::LockedOut => "LOCKED_OUT",
            UserStatus::Suspended => "SUSPENDED",
            UserStatus::Deprovisioned => "DEPROVISIONED",
        }
    }
}

/// Okta group types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GroupType {
    OktaGroup,
    AppGroup,
    BuiltIn,
}

impl GroupType {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupType::OktaGroup => "OKTA_GROUP",
            GroupType::AppGroup => "APP_GROUP",
            GroupType::BuiltIn => "BUILT_IN",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub status: UserStatus,
    pub login: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub created: i64,
    pub last_updated: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub kind: GroupType,
    pub name: String,
    pub description: String,
    pub created: i64,
    pub last_updated: i64,
    pub last_membership_updated: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRule {
    pub id: String,
    pub name: String,
    /// `ACTIVE` or `INACTIVE`.
    pub active: bool,
    pub expression: String,
    pub group_ids: Vec<String>,
    pub created: i64,
}

/// A registered OAuth 2.0 service app (client credentials, `private_key_jwt`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Client {
    pub client_id: String,
    /// Public JWKs the client assertions are verified against.
    pub jwks: Vec<serde_json::Value>,
    /// Okta API scopes granted to the app.
    pub scopes: Vec<String>,
    /// "Require Demonstrating Proof of Possession (DPoP) header in token requests".
    pub require_dpop: bool,
    pub active: bool,
}

/// An issued access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessToken {
    pub client_id: String,
    pub scopes: Vec<String>,
    pub expires_at: i64,
    /// RFC 7638 thumbprint of the DPoP key the token is bound to (`cnf.jkt`).
    pub jkt: Option<String>,
    pub revoked: bool,
}

/// A legacy SSWS API token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub name: String,
    pub revoked: bool,
}

/// Request counts of one rate-limit bucket in the current window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub window_start: i64,
    pub used: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    /// The one id counter (ids, tokens, nonces, error ids).
    pub seq: u64,
    pub users: BTreeMap<String, User>,
    pub groups: BTreeMap<String, Group>,
    /// Group id -> member user ids.
    pub members: BTreeMap<String, BTreeSet<String>>,
    pub rules: BTreeMap<String, GroupRule>,
    pub clients: BTreeMap<String, Client>,
    pub api_tokens: BTreeMap<String, ApiToken>,
    pub access_tokens: BTreeMap<String, AccessToken>,
    /// `jti`s seen (client assertions and DPoP proofs) with their expiry.
    pub used_jtis: BTreeMap<String, i64>,
    /// The DPoP nonce the server wants now, and the previous one (still accepted).
    pub nonce: String,
    pub previous_nonce: String,
    pub faults: Vec<Fault>,
    /// Requests per minute per bucket (route template); 0 = unlimited.
    pub rate_limit: u32,
    pub buckets: BTreeMap<String, Bucket>,
}

impl State {
    /// The next value of the id counter.
    pub fn bump(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// A 20-character Okta-style id with a 3-character prefix (`00u`, `00g`, ...).
    pub fn new_id(&mut self, prefix: &str) -> String {
        let n = self.bump();
        format!("{prefix}{n:0>13}sim{}", n % 10)
    }

    pub fn user_by_id_or_login(&self, key: &str) -> Option<&User> {
        self.users.get(key).or_else(|| {
            self.users
                .values()
                .find(|u| u.login.eq_ignore_ascii_case(key))
        })
    }

    /// Ids of groups that an ACTIVE group rule assigns users to.
    pub fn rule_targets(&self) -> BTreeSet<&str> {
        self.rules
            .values()
            .filter(|r| r.active)
            .flat_map(|r| r.group_ids.iter().map(String::as_str))
            .collect()
    }
}
