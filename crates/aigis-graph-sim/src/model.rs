//! The simulator's state: one serialisable value, mutated under one lock.

use std::collections::{BTreeMap, BTreeSet};

use aigis_sim_kit::faults::Fault;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub display_name: String,
    pub given_name: String,
    pub surname: String,
    pub mail: String,
    pub user_principal_name: String,
    pub account_enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
    pub mail_nickname: String,
    pub group_types: Vec<String>,
    pub security_enabled: bool,
    pub mail_enabled: bool,
    pub is_assignable_to_role: bool,
    pub on_premises_sync_enabled: Option<bool>,
    pub membership_rule: Option<String>,
    pub created_ms: i64,
    /// Until then (epoch ms) reads of the new group answer 404 (replication).
    pub visible_from_ms: i64,
}

impl Group {
    pub fn is_dynamic(&self) -> bool {
        self.group_types.iter().any(|t| t == "DynamicMembership")
    }
}

/// A certificate credential of an app registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// base64url SHA-1 of the DER certificate (`x5t`).
    pub x5t: String,
    /// base64url SHA-256 of the DER certificate (`x5t#S256`).
    pub x5t_s256: String,
    pub public_key_pem: String,
}

/// An app registration with its service principal in the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct App {
    pub client_id: String,
    pub secrets: Vec<String>,
    pub certificates: Vec<Certificate>,
    /// Application permissions with admin consent (`roles` of its tokens).
    pub roles: Vec<String>,
    pub enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessToken {
    pub client_id: String,
    pub roles: Vec<String>,
    pub expires_at_s: i64,
    pub revoked: bool,
}

/// One entry of the change log `groups/delta` reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    Updated,
    Deleted,
    MemberAdded(String),
    MemberRemoved(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub window_start: i64,
    pub used: u32,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub seq: u64,
    pub tenant_id: String,
    /// Verified domains of the tenant (also accepted in the token URL).
    pub domains: Vec<String>,
    pub users: BTreeMap<String, User>,
    pub groups: BTreeMap<String, Group>,
    pub members: BTreeMap<String, BTreeSet<String>>,
    pub apps: BTreeMap<String, App>,
    pub tokens: BTreeMap<String, AccessToken>,
    pub used_jtis: BTreeMap<String, i64>,
    /// (sequence, group id, change), in order.
    pub changes: Vec<(u64, String, Change)>,
    pub faults: Vec<Fault>,
    /// Requests per minute per app (0: unlimited).
    pub rate_limit: u32,
    pub buckets: BTreeMap<String, Bucket>,
    /// How long a group created through the API stays invisible (ms).
    pub replication_lag_ms: i64,
}

impl State {
    pub fn bump(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// A GUID-shaped id from the counter.
    pub fn new_guid(&mut self) -> String {
        let n = self.bump();
        format!("00000000-0000-4000-8000-{n:012}")
    }

    pub fn log(&mut self, group_id: &str, change: Change) {
        let n = self.bump();
        self.changes.push((n, group_id.to_string(), change));
    }

    /// A user by id or userPrincipalName (case-insensitive).
    pub fn user(&self, key: &str) -> Option<&User> {
        self.users.get(key).or_else(|| {
            self.users
                .values()
                .find(|u| u.user_principal_name.eq_ignore_ascii_case(key))
        })
    }

    /// Whether the tenant in a token URL is this one (id or verified domain).
    pub fn is_tenant(&self, t: &str) -> bool {
        t == self.tenant_id || self.domains.iter().any(|d| d.eq_ignore_ascii_case(t))
    }
}
