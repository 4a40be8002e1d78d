//! A seeded tenant, tokens, requests.

use aigis_graph_sim::{GraphSim, NewGroup, SimResponse};
use serde_json::Value;

pub const TENANT: &str = "11111111-2222-4333-8444-555555555555";
pub const NOW_MS: i64 = 1_795_435_200_000;
pub const APP: &str = "aaaaaaaa-0000-4000-8000-00000000a991";
pub const SECRET: &str = "test-secret-value";

pub struct Tenant {
    pub sim: GraphSim,
    pub users: Vec<String>,
    pub group: String,
    pub dynamic: String,
    pub synced: String,
    pub role: String,
    pub mail: String,
}

pub fn tenant() -> Tenant {
    let sim = GraphSim::new(TENANT, "aigis.example", NOW_MS);
    let mut users = Vec::new();
    for (i, n) in ["ada", "bea", "cy", "dee", "eve"].iter().enumerate() {
        let mail = format!("{n}@aigis.example");
        users.push(
            sim.add_user(&format!("{n} Test"), &mail, &mail, i != 4)
                .unwrap(),
        );
    }
    let group = sim.add_group(NewGroup::security("aigis-copilot")).unwrap();
    let mut g = NewGroup::security("dyn");
    g.group_types = vec!["DynamicMembership".into()];
    g.membership_rule = Some("user.department -eq \"x\"".into());
    let dynamic = sim.add_group(g).unwrap();
    let mut g = NewGroup::security("synced");
    g.on_premises_sync_enabled = Some(true);
    let synced = sim.add_group(g).unwrap();
    let mut g = NewGroup::security("role");
    g.is_assignable_to_role = true;
    let role = sim.add_group(g).unwrap();
    let mut g = NewGroup::security("mail");
    g.mail_enabled = true;
    let mail = sim.add_group(g).unwrap();
    sim.add_app(
        APP,
        &["GroupMember.ReadWrite.All", "User.Read.All", "Group.Create"],
    )
    .unwrap();
    sim.add_secret(APP, SECRET).unwrap();
    Tenant {
        sim,
        users,
        group,
        dynamic,
        synced,
        role,
        mail,
    }
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                aigis_sim_kit::query::percent_encode(k),
                aigis_sim_kit::query::percent_encode(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

pub fn post_token(sim: &GraphSim, tenant: &str, body: &str) -> SimResponse {
    let h = vec![(
        "Content-Type".to_string(),
        "application/x-www-form-urlencoded".to_string(),
    )];
    sim.handle(
        "POST",
        &format!("/{tenant}/oauth2/v2.0/token"),
        &h,
        Some(body),
    )
}

pub fn secret_form(client: &str, secret: &str) -> String {
    form(&[
        ("grant_type", "client_credentials"),
        ("client_id", client),
        ("client_secret", secret),
        ("scope", "https://graph.microsoft.com/.default"),
    ])
}

pub fn token(sim: &GraphSim, client: &str, secret: &str) -> String {
    let r = post_token(sim, TENANT, &secret_form(client, secret));
    assert_eq!(r.status, 200, "{}", r.body);
    r.body_json()["access_token"].as_str().unwrap().to_string()
}

pub fn auth(token: &str) -> Vec<(String, String)> {
    vec![
        ("Authorization".to_string(), format!("Bearer {token}")),
        ("Content-Type".to_string(), "application/json".to_string()),
    ]
}

/// A call with a fresh token of APP.
pub fn call(t: &Tenant, method: &str, path: &str, body: Option<&Value>) -> SimResponse {
    let tok = token(&t.sim, APP, SECRET);
    let body = body.map(Value::to_string);
    t.sim.handle(method, path, &auth(&tok), body.as_deref())
}

pub fn ids(v: &Value) -> Vec<String> {
    v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect()
}
