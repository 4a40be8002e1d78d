//! The foundation path through every layer: the real wasm components in the
//! host, on an in-memory store, with the Jira simulator — steps 1 to 7 of
//! the walking skeleton and its refusals.

use aigis_host::{ClockConfig, Host, HostConfig};
use aigis_jira_sim::DemoSite;
use base64::Engine;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const T0: i64 = 1_795_435_200_000; // 2026-11-23T12:00:00Z
const DAY: i64 = 86_400_000;

fn components_dir() -> PathBuf {
    let dir = std::env::var_os("AIGIS_COMPONENTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/wasm32-wasip2/wasm")
        });
    assert!(
        dir.join("aigis_resolvers.wasm").is_file(),
        "components missing in {}: run `make components`",
        dir.display()
    );
    dir
}

struct Site {
    host: Host,
    demo: DemoSite,
}

impl Site {
    fn new() -> Site {
        let host = Host::open(HostConfig {
            state_dir: None,
            components_dir: components_dir(),
            manifest_path: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../manifest.yml"),
            clock: ClockConfig::Fixed(T0),
        })
        .expect("host opens");
        host.sync_sim_clock();
        let demo = host.sim().seed_demo().expect("demo site");
        Site { host, demo }
    }

    fn account(&self, who: &str) -> String {
        self.demo
            .users
            .iter()
            .find(|u| u.email.starts_with(who))
            .expect("user")
            .account_id
            .clone()
    }

    fn invoke(&self, who: &str, key: &str, payload: Value) -> Result<Value, Value> {
        self.host
            .invoke_resolver(key, &payload, &self.account(who), None)
            .expect("invocation runs")
            .result
    }

    fn ok(&self, who: &str, key: &str, payload: Value) -> Value {
        self.invoke(who, key, payload.clone())
            .unwrap_or_else(|e| panic!("{key} {payload} as {who}: {e}"))
    }

    /// Files a portal request through the simulator's REST, like the portal panel.
    fn file(&self, who: &str, tool: &str, days: u32) -> String {
        let u = self
            .demo
            .users
            .iter()
            .find(|u| u.email.starts_with(who))
            .expect("user");
        let auth = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", u.email, u.api_token));
        let body = json!({
            "fields": {"project": {"key": "AIR"}, "issuetype": {"name": "Service Request"}, "summary": format!("{tool} please")},
            "properties": [{"key": "aigis.snapshot.v1", "value": {"toolId": tool, "purpose": "Drafting customer replies", "durationDays": days}}],
        });
        let resp = self.host.sim().handle_http(
            "POST",
            "/rest/api/3/issue",
            &[
                ("Authorization".into(), format!("Basic {auth}")),
                ("Content-Type".into(), "application/json".into()),
            ],
            Some(&body.to_string()),
        );
        assert_eq!(resp.status, 201, "{}", resp.body);
        let report = self.host.pump().expect("pump");
        assert!(report.events_delivered >= 1, "{report:?}");
        serde_json::from_str::<Value>(&resp.body).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn jira(&self, path: &str) -> Value {
        serde_json::from_str(&self.host.sim().handle_as(None, "GET", path, &[], None).body).unwrap()
    }

    fn comments(&self, issue: &str) -> Vec<String> {
        self.jira(&format!("/rest/api/3/issue/{issue}/comment"))["comments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| aigis_core::adf::plain_text(&c["body"]))
            .collect()
    }

    fn entities(&self, e: &str) -> Vec<Value> {
        self.host
            .store()
            .entities_of(e)
            .unwrap()
            .into_iter()
            .map(|(_, v)| serde_json::from_str(&v).unwrap())
            .collect()
    }

    fn sweep_at(&self, at: i64) -> Value {
        self.host
            .run_scheduled("job-runner", Some(at))
            .expect("sweep")
            .summary
    }
}

#[test]
fn steps_one_to_seven_through_the_components() {
    let s = Site::new();
    // Configuration as the admin; 1. an approved tool in the catalog.
    s.ok(
        "ada",
        "config.setIntake",
        json!({"projectKey": "AIR", "approverGroups": ["aigis-approvers"]}),
    );
    let tool = s.ok("ada", "catalog.add", json!({"id": "claude", "name": "Claude", "provider": "Anthropic", "status": "approved", "risk": "high"}));
    assert_eq!(tool["tool"]["maxDurationDays"], 30);

    // 2-3. A portal request is ingested once, even when the event comes twice.
    let issue = s.file("rita", "claude", 14);
    let event = json!({"issue": {"id": issue, "fields": {"project": {"key": "AIR"}}}, "eventType": "avi:jira:created:issue"});
    s.host
        .deliver_event("avi:jira:created:issue", &event)
        .expect("redelivery");
    assert_eq!(s.entities("request").len(), 1);
    assert_eq!(s.comments(&issue).len(), 1);

    // 4. Approve: pendingProvision grant, manual job, ADF comment, transition.
    let out = s.ok("arlo", "requests.approve", json!({"requestId": issue}));
    assert_eq!(out["request"]["decision"], "approved");
    assert_eq!(s.entities("grant")[0]["status"], "pendingProvision");
    assert_eq!(s.entities("job")[0]["status"], "queued");
    assert_eq!(
        s.jira(&format!("/rest/api/3/issue/{issue}"))["fields"]["status"]["name"],
        "Approved"
    );
    assert!(s.comments(&issue).iter().any(|c| c.starts_with("Approved")));

    // 5. Runner -> manualPending; the approver marks it fulfilled -> active.
    let summary = s.sweep_at(T0 + 1_000);
    assert_eq!(summary["jobsAdvanced"], 1);
    let jobs = s.ok("arlo", "jobs.manual", json!({}));
    let job = jobs["jobs"][0]["id"].as_str().unwrap().to_owned();
    let done = s.ok(
        "arlo",
        "jobs.complete",
        json!({"jobId": job, "outcome": "fulfilled"}),
    );
    assert_eq!(done["grant"]["status"], "active");
    let expires = done["grant"]["expiresAt"].as_i64().unwrap();
    assert_eq!(expires, T0 + 14 * DAY);

    // 6. The runner at a virtual time after expiry expires the grant.
    assert_eq!(s.sweep_at(expires - 60_000)["grantsExpired"], 0);
    assert_eq!(s.sweep_at(expires + DAY)["grantsExpired"], 1);
    assert_eq!(s.entities("grant")[0]["status"], "expired");

    // 7. The chain verifies, and breaks at the first altered event.
    let report = aigis_host::audit::verify(s.host.store()).unwrap();
    assert!(report.intact, "{report:?}");
    assert!(report.checked >= 9);
    let mut e: Value =
        serde_json::from_str(&s.host.store().entities_of("audit").unwrap()[4].1).unwrap();
    let seq = e["seq"].as_u64().unwrap();
    e["data"] = json!({"forged": true});
    s.host
        .store()
        .raw_entity_set("audit", &format!("{seq:012}"), &e.to_string())
        .unwrap();
    let broken = aigis_host::audit::verify(s.host.store()).unwrap();
    assert!(!broken.intact);
    assert_eq!(broken.first_break.unwrap().seq, seq);
}

#[test]
fn refusals_through_the_components() {
    let s = Site::new();
    aigis_host::demo::seed_app(&s.host, &s.demo).expect("demo app data");
    let first = s.file("rita", "claude", 10);
    s.ok("arlo", "requests.approve", json!({"requestId": first}));

    // A second pending request for the same tool is refused on the issue.
    let second = s.file("sam", "claude", 10);
    let dup = s.file("sam", "claude", 10);
    assert!(
        s.comments(&dup)
            .iter()
            .any(|c| c.contains("already pending"))
    );

    // A second approval while an open grant exists is a conflict.
    let again = s.file("rita", "claude", 5);
    let err = s
        .invoke("bea", "requests.approve", json!({"requestId": again}))
        .unwrap_err();
    assert_eq!(err["code"], "conflict");

    // Self-approval is forbidden; deny makes no grant, comments and transitions.
    let own = s.file("arlo", "github-copilot", 10);
    assert_eq!(
        s.invoke("arlo", "requests.approve", json!({"requestId": own}))
            .unwrap_err()["code"],
        "forbidden"
    );
    s.ok(
        "bea",
        "requests.deny",
        json!({"requestId": second, "rationale": "Pilot is full"}),
    );
    assert_eq!(
        s.jira(&format!("/rest/api/3/issue/{second}"))["fields"]["status"]["name"],
        "Declined"
    );
    assert!(s.comments(&second).iter().any(|c| c.starts_with("Denied")));
    assert_eq!(s.entities("grant").len(), 1);

    // Blocked tools cannot be requested; a requester cannot approve.
    let blocked = s.file("rita", "deepseek-chat", 5);
    assert!(s.comments(&blocked).iter().any(|c| c.contains("blocked")));
    assert_eq!(
        s.invoke("rita", "requests.pending", json!({})).unwrap_err()["code"],
        "forbidden"
    );
    assert!(aigis_host::audit::verify(s.host.store()).unwrap().intact);
}

#[test]
fn an_approval_costs_a_fixed_number_of_calls() {
    let s = Site::new();
    aigis_host::demo::seed_app(&s.host, &s.demo).expect("demo app data");
    let mut costs = vec![];
    for (who, tool) in [
        ("rita", "claude"),
        ("sam", "gemini"),
        ("rita", "gemini"),
        ("sam", "chatgpt-enterprise"),
    ] {
        let issue = s.file(who, tool, 5);
        let out = s
            .host
            .invoke_resolver(
                "requests.approve",
                &json!({"requestId": issue}),
                &s.account("arlo"),
                None,
            )
            .unwrap();
        assert!(out.result.is_ok());
        costs.push((out.stats.storage_total, out.stats.jira_total));
    }
    assert!(costs.windows(2).all(|w| w[0] == w[1]), "{costs:?}");
    let (storage, jira) = costs[0];
    // 14: the outbox claims its notice (a conditional attempt write) before
    // posting the comment, so a concurrent or restarted delivery never posts twice;
    // and the tool's connector binding is read to choose the provisioning mode.
    assert!(storage <= 14 && jira <= 6, "storage {storage}, jira {jira}");
}
