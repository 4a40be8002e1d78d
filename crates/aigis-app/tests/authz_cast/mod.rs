//! The cast of the authorization matrix (`tests/authz.rs`,
//! `tests/authz_duties.rs`): a configured site where every role has
//! something of its own, and the means to call a resolver as each role and
//! to tell whether anything changed.

#![allow(dead_code)]

use crate::common::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Who calls. `Anonymous` is a context without an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Ada, a Jira administrator.
    Admin,
    /// Arlo, in the configured approver group; a party to nothing here.
    Approver,
    /// Sam: a pending request of his own and an active grant under review.
    Requester,
    /// Rita, a JSM agent but no approver: raised a request on behalf of Uma.
    Raiser,
    /// Cora, a JSM customer account: one request through the portal.
    Customer,
    /// Uma, a portal user without Jira access: the request Rita raised for her.
    Unlicensed,
    /// Stan, licensed, in no group, with nothing of his own.
    Stranger,
    Anonymous,
}

/// Every role with an account.
pub const SIGNED_IN: [Role; 7] = [
    Role::Admin,
    Role::Approver,
    Role::Requester,
    Role::Raiser,
    Role::Customer,
    Role::Unlicensed,
    Role::Stranger,
];

/// The world every cell starts from.
pub struct Cast {
    pub w: World,
    pub stranger: String,
    /// Sam's pending Gemini request (issue id, key).
    pub sam_request: String,
    pub sam_request_key: String,
    /// Sam's active Claude grant, its review open; its request's issue id.
    pub sam_grant: String,
    pub sam_grant_request: String,
    /// The request Rita raised for Uma, approved by Arlo (issue id, key).
    pub raised_request: String,
    pub raised_request_key: String,
    /// Uma's grant from it, waiting for its manual provisioning job.
    pub uma_grant: String,
    pub uma_job: String,
    /// Cora's pending Claude request through the portal (issue id, key).
    pub cora_request: String,
    pub cora_request_key: String,
    /// A blocked catalog entry nobody may request.
    pub blocked_tool: &'static str,
}

impl Cast {
    pub fn new() -> Cast {
        let w = World::configured();
        w.ok(
            "ada",
            "config.setIntake",
            json!({"reviewIssueType": "Task", "reviewWindowDays": 7}),
        );
        w.ok("ada", "catalog.add", json!({"id": "gemini", "name": "Gemini", "provider": "Google", "status": "approved", "risk": "medium"}));
        w.ok("ada", "catalog.add", json!({"id": "shadow-ai", "name": "Shadow AI", "provider": "Unknown", "status": "blocked", "risk": "critical"}));
        let stranger = w.stranger();
        // Sam's grant expires inside the review window: the sweep opens its review.
        let (sam_grant, sam_grant_request) = w.active_grant("sam", 7);
        let opened = w
            .with_platform(|p| aigis_app::on_schedule(p, "recertification", "{}", "{}"))
            .expect("recertification");
        assert!(opened.contains("\"reviewsOpened\":1"), "{opened}");
        let (sam_request, sam_request_key) = w.portal_request("sam", World::snapshot("gemini", 10));
        w.pump();
        // Rita is a JSM agent (agents may raise on behalf of customers), not an approver.
        let agents = aigis_jira_sim::AGENT_GROUPS[1];
        if w.sim.add_to_group(agents, &w.account("rita")).is_err() {
            w.sim.create_group(agents).expect("agent group");
            w.sim
                .add_to_group(agents, &w.account("rita"))
                .expect("agent");
        }
        let (raised_request, raised_request_key) =
            w.jsm_request("rita", World::snapshot("gemini", 10), Some("uma"));
        w.pump();
        w.ok(
            "arlo",
            "requests.approve",
            json!({"requestId": raised_request}),
        );
        w.sweep();
        let uma = w.account("uma");
        let uma_grant = w
            .entities("grant")
            .into_iter()
            .find(|g| g["account"] == uma.as_str())
            .expect("Uma's grant")["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let uma_job = w
            .entities("job")
            .into_iter()
            .find(|j| j["grant"] == uma_grant.as_str() && j["status"] == "manualPending")
            .expect("Uma's provisioning job")["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let (cora_request, cora_request_key) =
            w.jsm_request("cora", World::snapshot("claude", 10), None);
        w.pump();
        // A policy that approves nothing automatically (none of the cast's groups).
        w.ok(
            "ada",
            "policies.save",
            json!({"id": "pilot", "projectKey": w.site.project_key,
            "toolId": "claude", "name": "Claude pilot", "autoApprove": false,
            "allowedGroups": ["ai-pilot"], "maxDurationDays": 10}),
        );
        // A connector (SSWS, no provider behind it): its API token is a secret to look for.
        w.ok(
            "ada",
            "connectors.create",
            json!({"id": "okta", "name": "Okta", "type": "okta-group",
            "orgUrl": CAST_OKTA_ORG, "auth": "ssws", "credential": CAST_SSWS}),
        );
        // The log's signing key exists, so its seed is a secret to look for.
        w.with_platform(|p| aigis_app::audit::checkpoints::checkpoint_now(&p).map(|_| ()))
            .expect("checkpoint");
        let cast = Cast {
            w,
            stranger,
            sam_request,
            sam_request_key,
            sam_grant,
            sam_grant_request,
            raised_request,
            raised_request_key,
            uma_grant,
            uma_job,
            cora_request,
            cora_request_key,
            blocked_tool: "shadow-ai",
        };
        for r in [&cast.sam_request, &cast.raised_request, &cast.cora_request] {
            assert!(
                cast.w
                    .entities("request")
                    .iter()
                    .any(|s| s["id"] == r.as_str()),
                "request {r} was ingested"
            );
        }
        cast
    }

    /// The account of `role` (`None`: anonymous).
    pub fn account(&self, role: Role) -> Option<String> {
        let who = match role {
            Role::Admin => "ada",
            Role::Approver => "arlo",
            Role::Requester => "sam",
            Role::Raiser => "rita",
            Role::Customer => "cora",
            Role::Unlicensed => "uma",
            Role::Stranger => return Some(self.stranger.clone()),
            Role::Anonymous => return None,
        };
        Some(self.w.account(who))
    }

    /// Calls `key` as `account` from a module showing `extension`.
    pub fn call(
        &self,
        account: Option<&str>,
        key: &str,
        payload: &Value,
        extension: Option<Value>,
    ) -> Result<Value, aigis_app::AppError> {
        let mut ctx = json!({"cloudId": "local", "moduleKey": "aigis-admin"});
        if let Some(a) = account {
            ctx["accountId"] = json!(a);
        }
        if let Some(e) = extension {
            ctx["moduleKey"] = json!("aigis-portal-create");
            ctx["extension"] = e;
        }
        self.w
            .with_user(account.map(str::to_owned), |p| {
                aigis_app::invoke(p, key, &payload.to_string(), &ctx.to_string())
            })
            .map(|s| serde_json::from_str(&s).expect("resolver returns JSON"))
    }

    /// Every secret value the site holds (the audit MAC key, the log's
    /// signing seeds): none may appear in any answer.
    pub fn secrets(&self) -> Vec<String> {
        use aigis_app::names;
        use aigis_platform::{Secrets, Storage};
        let mut names_of = Vec::new();
        if let Some(id) = self.w.storage.get(names::MAC_KEY_ID).expect("kv") {
            let id: String = serde_json::from_str(&id).expect("key id");
            names_of.push(names::mac_key_secret(&id));
        }
        if let Some(keys) = self.w.storage.get(names::LOG_KEYS).expect("kv") {
            let keys: Value = serde_json::from_str(&keys).expect("log keys");
            for k in keys["keys"].as_array().into_iter().flatten() {
                names_of.push(names::log_key_secret(k["keyId"].as_str().expect("keyId")));
            }
        }
        let values: Vec<String> = names_of
            .iter()
            .filter_map(|n| self.w.secrets.get_secret(n).expect("secret"))
            .collect();
        assert!(values.len() >= 2, "the MAC key and a signing seed exist");
        let mut values = values;
        values.push(CAST_SSWS.to_owned());
        values
    }

    /// Everything stored: key-value pairs and entities, to compare before
    /// and after a refused call.
    pub fn state(&self) -> BTreeMap<String, String> {
        use aigis_platform::Storage;
        let mut out = BTreeMap::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self
                .w
                .storage
                .query_prefix("", cursor.as_deref(), 100)
                .expect("kv scan");
            for (k, v) in page.items {
                out.insert(format!("kv {k}"), v);
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        for schema in manifest_schemas() {
            for (k, v) in self.w.storage.entities_of(&schema.name) {
                out.insert(format!("{} {k}", schema.name), v);
            }
        }
        out
    }

    /// The stored entities of kind `entity` that `pred` accepts.
    pub fn stored(&self, entity: &str, pred: impl Fn(&Value) -> bool) -> Vec<Value> {
        self.w.entities(entity).into_iter().filter(pred).collect()
    }

    /// Jira writes (anything but GET) recorded so far.
    pub fn jira_writes(&self) -> usize {
        self.w
            .jira_calls
            .borrow()
            .iter()
            .filter(|(m, _, _)| m != "GET")
            .count()
    }
}

/// What changed between two states, in a few words.
pub fn diff(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> String {
    let mut out = Vec::new();
    for (k, v) in after {
        match before.get(k) {
            None => out.push(format!("+{k}")),
            Some(old) if old != v => out.push(format!("~{k}")),
            _ => {}
        }
    }
    for k in before.keys().filter(|k| !after.contains_key(*k)) {
        out.push(format!("-{k}"));
    }
    out.join(", ")
}

/// The ids (`field`) of the items of `list` in answer `out`.
pub fn ids(out: &Value, list: &str, field: &str) -> Vec<String> {
    out[list]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i[field].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The cast's Okta connector: org URL and SSWS API token (a secret).
pub const CAST_OKTA_ORG: &str = "https://aigis-cast.okta.com";
pub const CAST_SSWS: &str = "00ssws-cast-token-abcdefghij";
