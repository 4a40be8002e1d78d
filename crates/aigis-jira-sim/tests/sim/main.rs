//! Behaviour and OpenAPI conformance of the simulator: one test binary,
//! a module per area.

mod behaviour;
mod concurrency;
mod conformance;
mod edit;
mod jsm;
mod search;

use std::sync::OnceLock;

use aigis_jira_sim::openapi::Spec;
use aigis_jira_sim::{DemoSite, JiraSim, SimResponse};
use base64::Engine as _;
use serde_json::{Value, json};

pub const T0: i64 = 1_795_435_200_000; // 2026-11-23T12:00:00Z

pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::load(&Spec::default_path()).expect("the Jira OpenAPI document loads"))
}

pub fn site() -> (JiraSim, DemoSite) {
    let sim = JiraSim::in_memory().expect("sim");
    let site = sim.seed_demo().expect("seed");
    sim.set_clock(T0);
    (sim, site)
}

pub fn auth(site: &DemoSite, who: &str) -> Vec<(String, String)> {
    let u = site
        .users
        .iter()
        .find(|u| u.email.starts_with(who))
        .expect("demo user");
    let token =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", u.email, u.api_token));
    vec![
        ("Authorization".into(), format!("Basic {token}")),
        ("Content-Type".into(), "application/json".into()),
    ]
}

pub fn account(site: &DemoSite, who: &str) -> String {
    site.users
        .iter()
        .find(|u| u.email.starts_with(who))
        .expect("demo user")
        .account_id
        .clone()
}

pub fn call(
    sim: &JiraSim,
    site: &DemoSite,
    who: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> SimResponse {
    let body = body.map(|b| b.to_string());
    sim.handle_http(method, path, &auth(site, who), body.as_deref())
}

pub fn adf(text: &str) -> Value {
    json!({"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": text}]}
    ]})
}

pub fn create_request(sim: &JiraSim, site: &DemoSite, who: &str) -> (String, String) {
    let body = json!({
        "fields": {
            "project": {"key": site.project_key},
            "issuetype": {"name": "Service Request"},
            "summary": "Access to Claude",
            "description": adf("For ticket summaries"),
            "customfield_10010": site.request_type_id,
        },
        "properties": [{"key": "aigis.snapshot.v1", "value": {"toolId": "claude", "durationDays": 30}}],
    });
    let r = call(sim, site, who, "POST", "/rest/api/3/issue", Some(body));
    assert_eq!(r.status, 201, "{}", r.body);
    let v = r.json();
    (
        v["id"].as_str().expect("id").to_string(),
        v["key"].as_str().expect("key").to_string(),
    )
}

/// The JSM subset document (`specs/jsm-servicedeskapi-subset.json`).
pub fn jsm_spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::load(&Spec::jsm_path()).expect("the JSM subset document loads"))
}

/// The document that covers `path`.
pub fn spec_for(path: &str) -> &'static Spec {
    if path.starts_with("/rest/servicedeskapi/") {
        jsm_spec()
    } else {
        spec()
    }
}
