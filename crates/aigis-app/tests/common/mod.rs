//! A native test world: the application layer over in-memory storage and
//! the real Jira simulator, with a manual clock.

#![allow(dead_code)]

use aigis_jira_sim::{DemoSite, JiraSim};
use aigis_platform::memory::*;
use aigis_platform::*;
use serde_json::{Value, json};
use std::cell::{Cell, RefCell};
use std::path::PathBuf;

pub mod sim_egress;
pub use sim_egress::SimEgress;

pub const T0: i64 = 1_795_435_200_000; // 2026-11-23T12:00:00Z
pub const DAY: i64 = 86_400_000;

/// The Jira port over the simulator, acting for the invocation's user.
pub struct SimJira<'a> {
    pub sim: &'a JiraSim,
    pub user: RefCell<Option<String>>,
    pub calls: RefCell<Vec<(String, String, Option<String>)>>,
}

impl Jira for SimJira<'_> {
    fn request_jira(&self, r: &JiraRequest) -> Result<HttpResponse, JiraError> {
        self.calls
            .borrow_mut()
            .push((r.method.clone(), r.path.clone(), r.body.clone()));
        let user = self.user.borrow().clone();
        let as_account = match r.principal {
            Principal::App => None,
            Principal::User => Some(
                user.ok_or_else(|| JiraError::NotAllowed("no user in this invocation".into()))?,
            ),
        };
        let resp = self.sim.handle_as(
            as_account.as_deref(),
            &r.method,
            &r.path,
            &r.headers,
            r.body.as_deref(),
        );
        Ok(HttpResponse {
            status: resp.status,
            headers: resp.headers,
            body: resp.body,
        })
    }
}

pub fn manifest_schemas() -> Vec<EntitySchema> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../manifest.yml");
    let text = std::fs::read_to_string(path).expect("manifest.yml");
    let doc: Value = serde_norway::from_str(&text).expect("manifest parses");
    serde_json::from_value(doc["app"]["storage"]["entities"].clone()).expect("entities")
}

pub struct World {
    pub sim: JiraSim,
    pub site: DemoSite,
    pub storage: MemoryStorage,
    pub secrets: MemorySecrets,
    pub runtime: ManualRuntime,
    pub random: SeededRandom,
    pub queue: RecordingQueue,
    pub egress: SimEgress,
    pub jira_user: RefCell<Option<String>>,
    pub jira_calls: RefCell<Vec<(String, String, Option<String>)>>,
    pub issue_seq: Cell<u32>,
}

impl World {
    pub fn new() -> World {
        let sim = JiraSim::in_memory().expect("sim");
        let site = sim.seed_demo().expect("demo");
        sim.set_clock(T0);
        World {
            sim,
            site,
            storage: MemoryStorage::new(manifest_schemas()),
            secrets: MemorySecrets::default(),
            runtime: ManualRuntime::at(T0),
            random: SeededRandom::new(7),
            queue: RecordingQueue::default(),
            egress: SimEgress::default(),
            jira_user: RefCell::new(None),
            jira_calls: RefCell::default(),
            issue_seq: Cell::new(0),
        }
    }

    pub fn account(&self, who: &str) -> String {
        self.site
            .users
            .iter()
            .find(|u| u.email.starts_with(who))
            .unwrap_or_else(|| panic!("no demo user {who}"))
            .account_id
            .clone()
    }

    fn with<R>(&self, user: Option<String>, f: impl FnOnce(Platform) -> R) -> R {
        let jira = SimJira {
            sim: &self.sim,
            user: RefCell::new(user),
            calls: RefCell::default(),
        };
        let p = Platform {
            storage: &self.storage,
            secrets: &self.secrets,
            jira: &jira,
            egress: &self.egress,
            queue: &self.queue,
            runtime: &self.runtime,
            random: &self.random,
        };
        let out = f(p);
        self.jira_calls.borrow_mut().extend(jira.calls.into_inner());
        out
    }

    /// Runs `f` with a platform whose user-principal Jira calls act as `user`.
    pub fn with_user<R>(&self, user: Option<String>, f: impl FnOnce(Platform) -> R) -> R {
        self.with(user, f)
    }

    /// Runs `f` with an app-principal platform over this world.
    pub fn with_platform<R>(&self, f: impl FnOnce(Platform) -> R) -> R {
        self.with(None, f)
    }

    /// Invokes a resolver as the demo user whose email starts with `who`.
    pub fn invoke(
        &self,
        who: &str,
        key: &str,
        payload: Value,
    ) -> Result<Value, aigis_app::AppError> {
        let account = self.account(who);
        let ctx = json!({"accountId": account, "cloudId": "local", "moduleKey": "aigis-admin"})
            .to_string();
        self.with(Some(account), |p| {
            aigis_app::invoke(p, key, &payload.to_string(), &ctx)
        })
        .map(|s| serde_json::from_str(&s).expect("resolver returns JSON"))
    }

    pub fn ok(&self, who: &str, key: &str, payload: Value) -> Value {
        self.invoke(who, key, payload)
            .unwrap_or_else(|e| panic!("{key} as {who}: {e:?}"))
    }

    pub fn err(&self, who: &str, key: &str, payload: Value) -> aigis_app::AppError {
        self.invoke(who, key, payload)
            .expect_err("expected an error")
    }

    /// Delivers every pending simulator event to the trigger (acking each).
    pub fn pump(&self) {
        for e in self.sim.pending_events().expect("events") {
            self.deliver(&e.payload);
            self.sim.ack_event(e.id).expect("ack");
        }
    }

    pub fn deliver(&self, event: &Value) {
        let ctx = json!({"cloudId": "local", "moduleKey": "issue-created"}).to_string();
        self.with(None, |p| {
            aigis_app::on_event(p, "onIssueCreated", &event.to_string(), &ctx)
        })
        .expect("trigger");
    }

    pub fn sweep(&self) -> Value {
        let out = self
            .with(None, |p| aigis_app::on_schedule(p, "jobRunner", "{}", "{}"))
            .expect("sweep");
        serde_json::from_str(&out).expect("summary JSON")
    }

    pub fn set_now(&self, t: i64) {
        self.runtime.now.set(t);
        self.sim.set_clock(t);
        if let Some(o) = self.egress.okta.borrow().as_ref() {
            o.clock().set(t);
        }
        if let Some(g) = self.egress.graph.borrow().as_ref() {
            g.clock().set(t);
        }
    }

    /// Creates a portal request as `who` through the simulator's REST, as the portal panel does.
    pub fn portal_request(&self, who: &str, snapshot: Value) -> (String, String) {
        let user = self
            .site
            .users
            .iter()
            .find(|u| u.email.starts_with(who))
            .expect("user");
        let n = self.issue_seq.get() + 1;
        self.issue_seq.set(n);
        let body = json!({
            "fields": {
                "project": {"key": self.site.project_key},
                "issuetype": {"name": "Service Request"},
                "summary": format!("AI tool access #{n}"),
            },
            "properties": [{"key": "aigis.snapshot.v1", "value": snapshot}],
        });
        let auth = format!(
            "Basic {}",
            b64(&format!("{}:{}", user.email, user.api_token))
        );
        let resp = self.sim.handle_http(
            "POST",
            "/rest/api/3/issue",
            &[
                ("Authorization".into(), auth),
                ("Content-Type".into(), "application/json".into()),
            ],
            Some(&body.to_string()),
        );
        assert_eq!(resp.status, 201, "{}", resp.body);
        let v: Value = serde_json::from_str(&resp.body).expect("json");
        (
            v["id"].as_str().expect("id").to_owned(),
            v["key"].as_str().expect("key").to_owned(),
        )
    }

    /// Comments on an issue, as plain text.
    pub fn comments(&self, issue: &str) -> Vec<String> {
        let resp = self.sim.handle_as(
            None,
            "GET",
            &format!("/rest/api/3/issue/{issue}/comment"),
            &[],
            None,
        );
        let v: Value = serde_json::from_str(&resp.body).expect("json");
        v["comments"]
            .as_array()
            .map(|cs| {
                cs.iter()
                    .map(|c| aigis_core::adf::plain_text(&c["body"]))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn status(&self, issue: &str) -> String {
        let resp = self.sim.handle_as(
            None,
            "GET",
            &format!("/rest/api/3/issue/{issue}"),
            &[],
            None,
        );
        let v: Value = serde_json::from_str(&resp.body).expect("json");
        v["fields"]["status"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// A configured site: intake on the demo project, approver group, one approved tool.
    pub fn configured() -> World {
        let w = World::new();
        w.ok(
            "ada",
            "config.setIntake",
            json!({"projectKey": w.site.project_key, "approverGroups": ["aigis-approvers"]}),
        );
        w.ok("ada", "catalog.add", json!({"id": "claude", "name": "Claude", "provider": "Anthropic", "status": "approved", "risk": "high"}));
        w
    }

    pub fn snapshot(tool: &str, days: u32) -> Value {
        json!({"toolId": tool, "purpose": "Summarising customer tickets", "durationDays": days})
    }

    pub fn entities(&self, entity: &str) -> Vec<Value> {
        self.storage
            .entities_of(entity)
            .into_iter()
            .map(|(_, v)| serde_json::from_str(&v).expect("json"))
            .collect()
    }

    pub fn verify(&self) -> aigis_core::audit::Report {
        aigis_app::audit::verify::verify(&self.storage, &self.secrets).expect("verify")
    }
}

pub fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// Storage that runs a competing invocation just before the first
/// transaction commits: the interleaving two concurrent invocations produce.
pub struct Interleave<'a> {
    pub inner: &'a dyn Storage,
    pub before_commit: RefCell<Option<Box<dyn FnOnce() + 'a>>>,
}

impl Storage for Interleave<'_> {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &str, o: SetOptions) -> Result<(), StorageError> {
        self.inner.set(key, value, o)
    }
    fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.inner.delete(key)
    }
    fn query_prefix(&self, p: &str, c: Option<&str>, l: u32) -> Result<QueryPage, StorageError> {
        self.inner.query_prefix(p, c, l)
    }
    fn entity_get(&self, e: &str, k: &str) -> Result<Option<String>, StorageError> {
        self.inner.entity_get(e, k)
    }
    fn entity_set(&self, e: &str, k: &str, v: &str) -> Result<(), StorageError> {
        self.inner.entity_set(e, k, v)
    }
    fn entity_delete(&self, e: &str, k: &str) -> Result<(), StorageError> {
        self.inner.entity_delete(e, k)
    }
    fn entity_query(&self, q: &EntityQuery) -> Result<QueryPage, StorageError> {
        self.inner.entity_query(q)
    }
    fn transact(&self, ops: &[TxnOp]) -> Result<(), StorageError> {
        if let Some(hook) = self.before_commit.borrow_mut().take() {
            hook();
        }
        self.inner.transact(ops)
    }
}

impl World {
    /// Invokes a resolver with an arbitrary invocation context (for callers
    /// that are not demo users, or contexts without an account).
    pub fn invoke_ctx(
        &self,
        account: Option<&str>,
        key: &str,
        payload: &str,
    ) -> Result<Value, aigis_app::AppError> {
        let ctx = match account {
            Some(a) => json!({"accountId": a, "cloudId": "local", "moduleKey": "aigis-admin"}),
            None => json!({"cloudId": "local", "moduleKey": "aigis-admin"}),
        }
        .to_string();
        self.with(account.map(str::to_owned), |p| {
            aigis_app::invoke(p, key, payload, &ctx)
        })
        .map(|s| serde_json::from_str(&s).expect("resolver returns JSON"))
    }

    /// A signed-in user who is in no group: neither admin nor approver.
    pub fn stranger(&self) -> String {
        self.sim
            .create_user(aigis_jira_sim::NewUser {
                account_id: None,
                email: "stranger@example.com".into(),
                display_name: "Stan Stranger".into(),
                time_zone: "UTC".into(),
                api_token: "stranger-token".into(),
                site_admin: false,
                kind: Default::default(),
            })
            .expect("stranger")
            .account_id
    }

    /// Count of stored entities of each kind that governed state uses.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        [
            "request",
            "grant",
            "job",
            "audit",
            "tool",
            "slot",
            "outbox",
            "governance",
        ]
        .into_iter()
        .map(|e| (e, self.storage.entities_of(e).len()))
        .collect()
    }

    /// The stored grant with id `id`.
    pub fn grant(&self, id: &str) -> Value {
        self.entities("grant")
            .into_iter()
            .find(|g| g["id"] == id)
            .expect("grant exists")
    }

    /// `who`'s active claude grant for `days`; returns (grant id, issue id).
    pub fn active_grant(&self, who: &str, days: u32) -> (String, String) {
        let (issue, _) = self.portal_request(who, World::snapshot("claude", days));
        self.pump();
        self.ok("arlo", "requests.approve", json!({"requestId": issue}));
        self.sweep();
        let jobs = self.ok("arlo", "jobs.manual", json!({}));
        let job = jobs["jobs"]
            .as_array()
            .unwrap()
            .last()
            .expect("a manual job")["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let g = self.ok(
            "arlo",
            "jobs.complete",
            json!({"jobId": job, "outcome": "fulfilled"}),
        );
        (g["grant"]["id"].as_str().unwrap().to_owned(), issue)
    }
}

impl World {
    /// Invokes a resolver as demo user `who` from a module whose
    /// `context.extension` is `extension`.
    pub fn invoke_ext(
        &self,
        who: &str,
        key: &str,
        payload: Value,
        extension: Value,
    ) -> Result<Value, aigis_app::AppError> {
        let account = self.account(who);
        let ctx =
            json!({"accountId": account, "cloudId": "local", "moduleKey": "aigis-portal-create",
            "extension": extension})
            .to_string();
        self.with(Some(account), |p| {
            aigis_app::invoke(p, key, &payload.to_string(), &ctx)
        })
        .map(|s| serde_json::from_str(&s).expect("resolver returns JSON"))
    }

    /// The portal create panel's extension for the demo portal and request type.
    pub fn portal_ext(&self) -> Value {
        json!({"type": "jiraServiceManagement:portalRequestCreatePropertyPanel",
            "portal": {"id": self.site.portal_id.parse::<u64>().expect("portal id")},
            "request": {"typeId": self.site.request_type_id.parse::<u64>().expect("type id")}})
    }

    /// Files through the JSM portal as `who` with the panel's snapshot
    /// property, as JSM does on submit (`raise_for`: on behalf of someone).
    /// Returns (issue id, issue key).
    pub fn jsm_request(
        &self,
        who: &str,
        snapshot: Value,
        raise_for: Option<&str>,
    ) -> (String, String) {
        let user = self
            .site
            .users
            .iter()
            .find(|u| u.email.starts_with(who))
            .expect("user");
        let mut body = json!({
            "serviceDeskId": self.site.service_desk_id,
            "requestTypeId": self.site.request_type_id,
            "requestFieldValues": {"summary": "AI tool access"},
            "properties": [{"key": "aigis.snapshot.v1", "value": snapshot}],
        });
        if let Some(r) = raise_for {
            body["raiseOnBehalfOf"] = json!(self.account(r));
        }
        let auth = format!(
            "Basic {}",
            b64(&format!("{}:{}", user.email, user.api_token))
        );
        let resp = self.sim.handle_http(
            "POST",
            "/rest/servicedeskapi/request",
            &[
                ("Authorization".into(), auth),
                ("Content-Type".into(), "application/json".into()),
            ],
            Some(&body.to_string()),
        );
        assert_eq!(resp.status, 201, "{}", resp.body);
        let v: Value = serde_json::from_str(&resp.body).expect("json");
        (
            v["issueId"].as_str().expect("id").to_owned(),
            v["issueKey"].as_str().expect("key").to_owned(),
        )
    }
}
