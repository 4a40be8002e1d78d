//! `aigis up --demo`: after the Jira simulator seeded its demo site
//! (`JiraSim::seed_demo`), seeds the app's own data through its resolvers,
//! as the demo admin would: intake on the demo JSM project with the approver
//! group, and a small catalog. Running it again changes nothing.
//! `aigis up --demo-activity` adds a history ([`activity`]).

mod activity;

pub use activity::{Activity, seed_activity};

use crate::{DemoSite, Host, HostError};
use serde_json::{Value, json};

/// The demo catalog: (id, name, provider, status, risk, guidance).
const TOOLS: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "chatgpt-enterprise",
        "ChatGPT Enterprise",
        "OpenAI",
        "approved",
        "medium",
        "Company workspace only; no customer personal data.",
    ),
    (
        "claude",
        "Claude",
        "Anthropic",
        "approved",
        "high",
        "Use the company organisation; code and documents only.",
    ),
    (
        "github-copilot",
        "GitHub Copilot",
        "GitHub",
        "approved",
        "medium",
        "Enable for company repositories only.",
    ),
    (
        "gemini",
        "Gemini for Workspace",
        "Google",
        "approved",
        "low",
        "Available in company Docs, Sheets and Gmail.",
    ),
    (
        "deepseek-chat",
        "DeepSeek Chat",
        "DeepSeek",
        "blocked",
        "critical",
        "Blocked: data residency has not been reviewed.",
    ),
];

pub fn seed_app(host: &Host, site: &DemoSite) -> Result<(), HostError> {
    let admin = site
        .users
        .iter()
        .find(|u| u.role == "admin")
        .ok_or_else(|| HostError::UnknownUser("the demo site has no admin".into()))?;
    let call = |key: &str, payload: Value| -> Result<(), HostError> {
        let out = host.invoke_resolver(key, &payload, &admin.account_id, None)?;
        match out.result {
            Ok(_) => Ok(()),
            // Already seeded by an earlier run.
            Err(e) if e["code"] == "conflict" => Ok(()),
            Err(e) => Err(HostError::Failed {
                function: key.to_owned(),
                error: e.to_string(),
            }),
        }
    };
    call(
        "config.setIntake",
        json!({"projectKey": site.project_key, "approverGroups": ["aigis-approvers"]}),
    )?;
    for (id, name, provider, status, risk, guidance) in TOOLS {
        call(
            "catalog.add",
            json!({"id": id, "name": name, "provider": provider, "status": status, "risk": risk, "guidance": guidance}),
        )?;
    }
    Ok(())
}
