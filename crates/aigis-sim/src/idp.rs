//! The identity providers of connected mode: an Okta org and an Entra
//! tenant (the in-memory `aigis-okta-sim` and `aigis-graph-sim`), reached
//! through the egress port, where the scheduler's faults are injected as
//! the simulators themselves answer them (5xx, 429 with each provider's own
//! rate-limit headers), or around them (a timeout after the call was made,
//! a crash after it, a slow answer).
//!
//! Two tools are connected: `claude` to an Okta group (SSWS token) and
//! `gpt` to an Entra security group (client secret). The other tools stay
//! manual. The people: requesters matched by the e-mail Jira shows
//! (`<name>@sim.example`); Tom hides his (unresolved), Sam is suspended in
//! Okta (refused, still removable) and Cole has two Entra accounts with his
//! address (ambiguous). Out-of-band changes (an operation of their own) add
//! or remove members behind Aigis's back; the pairs they touch are kept so
//! the final membership check leaves them to drift.

use crate::jira::email_of;
use crate::ops::REQUESTERS;
use aigis_graph_sim::{GraphSim, NewGroup};
use aigis_okta_sim::model::{GroupType, UserStatus};
use aigis_okta_sim::{Fault, FaultKind, NewUser, OktaSim, SimResponse};
use aigis_platform::FetchRequest;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

pub const OKTA_ORG: &str = "https://aigis-sim.okta.com";
pub const OKTA_HOST: &str = "aigis-sim.okta.com";
pub const SSWS: &str = "00ssws-sim-token-0123456789abcdef";
pub const TENANT: &str = "11111111-2222-4333-8444-555555555555";
pub const CLIENT: &str = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
pub const CLIENT_SECRET: &str = "entra~sim~secret~0123456789abcdef";

/// Which provider a connected tool's group lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Okta,
    Entra,
}

/// A connected tool: its group, and each matched person's provider user id.
#[derive(Debug, Clone)]
pub struct Connected {
    pub tool: &'static str,
    pub provider: Provider,
    pub group: String,
    pub users: BTreeMap<String, String>,
}

/// A fault the scheduler chose for one egress call, as the provider shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Injected {
    Status(u16),
    RateLimited,
}

pub struct Idp {
    pub okta: OktaSim,
    pub graph: GraphSim,
    pub tools: Vec<Connected>,
    /// (tool, account) pairs changed out of band.
    touched: Mutex<BTreeSet<(String, String)>>,
}

fn sim_err(e: impl std::fmt::Display) -> String {
    format!("set-up of the identity providers: {e}")
}

impl Idp {
    /// The org and the tenant with their people and one group each.
    pub fn new(now: i64) -> Result<Idp, String> {
        let okta = OktaSim::new(OKTA_ORG, now);
        okta.add_api_token(SSWS, "aigis").map_err(sim_err)?;
        let graph = GraphSim::new(TENANT, "sim.example", now);
        graph
            .add_app(CLIENT, &["GroupMember.ReadWrite.All", "User.Read.All"])
            .map_err(sim_err)?;
        graph.add_secret(CLIENT, CLIENT_SECRET).map_err(sim_err)?;
        let mut okta_users = BTreeMap::new();
        let mut graph_users = BTreeMap::new();
        for account in REQUESTERS {
            let name = account.trim_start_matches("acc-");
            // Tom's Jira profile hides his e-mail; the providers know him.
            let email = email_of(account).unwrap_or_else(|| format!("{name}@sim.example"));
            let id = okta
                .add_user(NewUser::active(&email, name, "Sim"))
                .map_err(sim_err)?;
            if *account == "acc-sam" {
                okta.set_user_status(&id, UserStatus::Suspended)
                    .map_err(sim_err)?;
            }
            okta_users.insert((*account).to_owned(), id);
            let gid = graph
                .add_user(name, &email, &email, true)
                .map_err(sim_err)?;
            graph_users.insert((*account).to_owned(), gid);
            if *account == "acc-cole" {
                // A second Entra account with the same address: ambiguous.
                graph
                    .add_user("cole (admin)", &email, "cole.admin@sim.example", true)
                    .map_err(sim_err)?;
            }
        }
        let og = okta
            .add_group("AI claude", GroupType::OktaGroup)
            .map_err(sim_err)?;
        let gg = graph
            .add_group(NewGroup::security("AI gpt"))
            .map_err(sim_err)?;
        Ok(Idp {
            okta,
            graph,
            tools: vec![
                Connected {
                    tool: "claude",
                    provider: Provider::Okta,
                    group: og,
                    users: okta_users,
                },
                Connected {
                    tool: "gpt",
                    provider: Provider::Entra,
                    group: gg,
                    users: graph_users,
                },
            ],
            touched: Mutex::new(BTreeSet::new()),
        })
    }

    /// The resolver calls that create both connectors and bind both tools.
    pub fn setup_calls(&self) -> Vec<(&'static str, Value)> {
        let mut calls = vec![
            (
                "connectors.create",
                json!({"id": "okta", "name": "Okta", "type": "okta-group", "orgUrl": OKTA_ORG,
                    "auth": "ssws", "credential": SSWS}),
            ),
            (
                "connectors.create",
                json!({"id": "entra", "name": "Entra", "type": "entra-group", "tenantId": TENANT,
                    "clientId": CLIENT, "credential": CLIENT_SECRET}),
            ),
        ];
        for t in &self.tools {
            let connector = match t.provider {
                Provider::Okta => "okta",
                Provider::Entra => "entra",
            };
            calls.push((
                "connectors.bind",
                json!({"tool": t.tool, "connector": connector, "groupId": t.group}),
            ));
        }
        calls
    }

    /// Answers one egress call at `now`, with the fault the scheduler chose
    /// (injected into the simulator, so the answer is the provider's own);
    /// `None` for a host neither simulator serves.
    pub fn handle(
        &self,
        now: i64,
        (host, path): (&str, &str),
        r: &FetchRequest,
        fault: Option<Injected>,
    ) -> Option<SimResponse> {
        let (method, headers, body) = (r.method.as_str(), &r.headers[..], r.body.as_deref());
        let kind = fault.map(|f| match f {
            Injected::Status(status) => FaultKind::Status { status },
            Injected::RateLimited => FaultKind::RateLimited { reset_in_secs: 30 },
        });
        if host == OKTA_HOST {
            self.okta.clock().set(now);
            if let Some(k) = kind {
                self.okta.inject(Fault::any(1, k));
            }
            Some(self.okta.handle(method, path, headers, body))
        } else if host == "login.microsoftonline.com" || host == "graph.microsoft.com" {
            self.graph.clock().set(now);
            if let Some(k) = kind {
                self.graph.inject(Fault::any(1, k));
            }
            Some(self.graph.handle(method, path, headers, body))
        } else {
            None
        }
    }

    /// An out-of-band change: `account` added to or removed from the group
    /// of connected tool `tool` (indices wrap). Returns what was done.
    pub fn out_of_band(&self, tool: u8, who: u8, add: bool) -> Value {
        let t = &self.tools[tool as usize % self.tools.len()];
        let account = REQUESTERS[who as usize % REQUESTERS.len()];
        let Some(user) = t.users.get(account) else {
            return json!("no such user");
        };
        let done = match (t.provider, add) {
            (Provider::Okta, true) => self.okta.add_member(&t.group, user).is_ok(),
            (Provider::Okta, false) => self.okta.remove_member(&t.group, user).is_ok(),
            (Provider::Entra, true) => self.graph.add_member(&t.group, user).is_ok(),
            (Provider::Entra, false) => self.graph.remove_member(&t.group, user).is_ok(),
        };
        self.touched
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert((t.tool.to_owned(), account.to_owned()));
        json!({"tool": t.tool, "account": account, "add": add, "done": done})
    }

    /// Whether a pair was changed out of band.
    pub fn touched(&self, tool: &str, account: &str) -> bool {
        self.touched
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&(tool.to_owned(), account.to_owned()))
    }

    /// The accounts in a connected tool's group now.
    pub fn members(&self, t: &Connected) -> Result<BTreeSet<String>, String> {
        let ids = match t.provider {
            Provider::Okta => self.okta.members(&t.group),
            Provider::Entra => self.graph.members(&t.group),
        }
        .map_err(|e| format!("members of {}: {e}", t.tool))?;
        Ok(t.users
            .iter()
            .filter(|(_, id)| ids.contains(id))
            .map(|(a, _)| a.clone())
            .collect())
    }
}
