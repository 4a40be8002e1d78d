//! `aigis up --demo` with the identity-provider simulators: an Okta org
//! (`aigis-demo.okta.com`) and an Entra tenant whose users are the demo Jira
//! users (same e-mail), plus, in each, one user Jira does not know and one
//! deactivated user; groups of each kind (one ordinary group per connected
//! demo tool, and groups membership writes cannot govern, to show the
//! refusals); and a registered service app in each: Okta's with a public
//! JWK (`private_key_jwt`, DPoP required), Entra's with a client secret and
//! admin consent to `GroupMember.ReadWrite.All` and `User.Read.All`.
//!
//! The Okta private key and the Entra client secret are written to
//! [`CREDENTIALS_FILE`] in the state dir (0600), never to the log, so the
//! connectors can be created through the resolvers from it. No Aigis
//! connector record is created here. Running it again changes nothing (the
//! credentials file is kept).

use std::path::Path;

use aigis_graph_sim::NewGroup;
use aigis_okta_sim::NewUser;
use aigis_okta_sim::model::{GroupType, UserStatus};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::idp::{ENTRA_DOMAIN, ENTRA_TENANT_ID, IdpSims, OKTA_HOST};
use crate::{DemoSite, HostError, statedir};

/// The credentials file in the state dir.
pub const CREDENTIALS_FILE: &str = "demo-idp-credentials.json";
/// The demo Okta service app.
pub const OKTA_CLIENT_ID: &str = "0oaaigisdemoconnect1";
/// The scopes granted to it.
pub const OKTA_SCOPES: [&str; 2] = ["okta.groups.manage", "okta.users.read"];
/// The demo Entra app registration.
pub const ENTRA_CLIENT_ID: &str = "a1915d3e-c11e-4a7e-8000-00000000c0de";
/// Its admin-consented application permissions.
pub const ENTRA_ROLES: [&str; 2] = ["GroupMember.ReadWrite.All", "User.Read.All"];

/// The Okta group of the connected demo tool `claude`.
pub const OKTA_TOOL_GROUP: &str = "AI - Claude";
/// The Entra group of the connected demo tool `github-copilot`.
pub const ENTRA_TOOL_GROUP: &str = "AI - GitHub Copilot";
/// The extra users of each directory (no Jira account has their e-mail).
pub const OKTA_UNMATCHED: &str = "casey.contractor@partner.example";
pub const ENTRA_UNMATCHED: &str = "lee.external@partner.example";
/// The demo Jira role whose account is deactivated in both directories.
pub const DEACTIVATED_ROLE: &str = "unlicensed";

/// What [`seed`] left in the directories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeded {
    /// Whether the credentials file was written now (false: it was there).
    pub credentials_written: bool,
}

fn sim(what: &'static str) -> impl Fn(aigis_sim_kit::SimError) -> HostError {
    move |e| HostError::backend(what, e)
}

fn names(display: &str) -> (&str, &str) {
    display.split_once(' ').unwrap_or((display, ""))
}

/// Seeds both directories and writes the credentials file under `state_dir`.
pub fn seed(
    sims: &IdpSims,
    site: &DemoSite,
    state_dir: Option<&Path>,
) -> Result<Seeded, HostError> {
    let deactivated = site
        .users
        .iter()
        .find(|u| u.role == DEACTIVATED_ROLE)
        .map(|u| u.email.clone());
    seed_okta(sims, site, deactivated.as_deref())?;
    seed_entra(sims, site, deactivated.as_deref())?;
    let path = state_dir.map(|d| d.join(CREDENTIALS_FILE));
    let have_file = path.as_ref().is_some_and(|p| p.exists());
    let okta_ready = sims.okta().has_client(OKTA_CLIENT_ID);
    let entra_ready = sims.graph().has_app(ENTRA_CLIENT_ID);
    if okta_ready && entra_ready && (have_file || path.is_none()) {
        return Ok(Seeded {
            credentials_written: false,
        });
    }
    // (Re)register both apps with fresh credentials and write them down.
    let creds = register_apps(sims, okta_ready, entra_ready)?;
    if let Some(path) = &path {
        let text = serde_json::to_string_pretty(&creds)
            .map_err(|e| HostError::backend("demo credentials", e))?;
        statedir::write_private(path, text.as_bytes())?;
    }
    Ok(Seeded {
        credentials_written: path.is_some(),
    })
}

fn seed_okta(sims: &IdpSims, site: &DemoSite, deactivated: Option<&str>) -> Result<(), HostError> {
    let okta = sims.okta();
    let err = sim("okta simulator");
    let mut ids = Vec::new();
    for u in &site.users {
        let id = match okta.find_user(&u.email) {
            Some(id) => id,
            None => {
                let (first, last) = names(&u.display_name);
                let id = okta
                    .add_user(NewUser::active(&u.email, first, last))
                    .map_err(&err)?;
                if deactivated == Some(u.email.as_str()) {
                    okta.set_user_status(&id, UserStatus::Deprovisioned)
                        .map_err(&err)?;
                }
                id
            }
        };
        ids.push((u.role.clone(), id));
    }
    if okta.find_user(OKTA_UNMATCHED).is_none() {
        okta.add_user(NewUser::active(OKTA_UNMATCHED, "Casey", "Contractor"))
            .map_err(&err)?;
    }
    let group = |name: &str, kind: GroupType| -> Result<String, HostError> {
        match okta.find_group(name) {
            Some(id) => Ok(id),
            None => okta.add_group(name, kind).map_err(&err),
        }
    };
    let tool = group(OKTA_TOOL_GROUP, GroupType::OktaGroup)?;
    group("Everyone", GroupType::BuiltIn)?;
    group("Workday - AI users", GroupType::AppGroup)?;
    let ruled = group("AI - Claude (Engineering rule)", GroupType::OktaGroup)?;
    let rule_name = "Engineering to AI - Claude";
    if okta.find_rules(rule_name).is_empty() {
        okta.add_group_rule(
            rule_name,
            "user.department == \"Engineering\"",
            &[ruled.as_str()],
            true,
        )
        .map_err(&err)?;
    }
    // One member nobody granted: the drift check's first finding.
    if let Some((_, id)) = ids.iter().find(|(role, _)| role == "requester") {
        okta.add_member(&tool, id).map_err(&err)?;
    }
    Ok(())
}

fn seed_entra(sims: &IdpSims, site: &DemoSite, deactivated: Option<&str>) -> Result<(), HostError> {
    let graph = sims.graph();
    let err = sim("graph simulator");
    let upn = |email: &str| {
        let local = email.split('@').next().unwrap_or(email);
        format!("{local}@{ENTRA_DOMAIN}")
    };
    for u in &site.users {
        let name = upn(&u.email);
        if graph.find_user(&name).is_none() {
            let enabled = deactivated != Some(u.email.as_str());
            graph
                .add_user(&u.display_name, &u.email, &name, enabled)
                .map_err(&err)?;
        }
    }
    let extra = upn(ENTRA_UNMATCHED);
    if graph.find_user(&extra).is_none() {
        graph
            .add_user("Lee External", ENTRA_UNMATCHED, &extra, true)
            .map_err(&err)?;
    }
    let groups = [
        NewGroup::security(ENTRA_TOOL_GROUP),
        NewGroup {
            group_types: vec!["DynamicMembership".into()],
            membership_rule: Some("user.department -eq \"Engineering\"".into()),
            ..NewGroup::security("AI - Copilot (dynamic, Engineering)")
        },
        NewGroup {
            mail_enabled: true,
            ..NewGroup::security("AI announcements (mail-enabled)")
        },
        NewGroup {
            is_assignable_to_role: true,
            ..NewGroup::security("AI admins (role-assignable)")
        },
        NewGroup {
            on_premises_sync_enabled: Some(true),
            ..NewGroup::security("AI users (synced from AD)")
        },
    ];
    for g in groups {
        if graph.find_group(&g.display_name).is_none() {
            graph.add_group(g).map_err(&err)?;
        }
    }
    Ok(())
}

/// A fresh P-256 key: its PKCS#8 PEM and its public JWK.
fn okta_key() -> Result<(String, Value), HostError> {
    let key = rcgen::KeyPair::generate().map_err(|e| HostError::backend("demo key", e))?;
    let raw = key.public_key_raw();
    // An uncompressed P-256 point: 0x04 || x (32) || y (32).
    if raw.len() != 65 || raw[0] != 4 {
        return Err(HostError::backend(
            "demo key",
            "not an uncompressed P-256 point",
        ));
    }
    let jwk = json!({
        "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256",
        "kid": "aigis-demo-1",
        "x": URL_SAFE_NO_PAD.encode(&raw[1..33]),
        "y": URL_SAFE_NO_PAD.encode(&raw[33..65]),
    });
    Ok((key.serialize_pem(), jwk))
}

fn client_secret() -> Result<String, HostError> {
    let mut bytes = [0u8; 30];
    getrandom::fill(&mut bytes).map_err(|e| HostError::backend("demo secret", e))?;
    Ok(format!("aigis~{}", URL_SAFE_NO_PAD.encode(bytes)))
}

fn register_apps(sims: &IdpSims, okta_ready: bool, entra_ready: bool) -> Result<Value, HostError> {
    let (pem, jwk) = okta_key()?;
    let okta = sims.okta();
    if okta_ready {
        // The credentials file was lost: a new client replaces the old key.
        okta.revoke_client(OKTA_CLIENT_ID)
            .map_err(sim("okta simulator"))?;
    }
    let okta_client = if okta_ready {
        format!("{OKTA_CLIENT_ID}r")
    } else {
        OKTA_CLIENT_ID.to_string()
    };
    if !okta.has_client(&okta_client) {
        okta.register_client(&okta_client, vec![jwk.clone()], &OKTA_SCOPES, true)
            .map_err(sim("okta simulator"))?;
    }
    let secret = client_secret()?;
    let graph = sims.graph();
    if !entra_ready {
        graph
            .add_app(ENTRA_CLIENT_ID, &ENTRA_ROLES)
            .map_err(sim("graph simulator"))?;
    }
    graph
        .add_secret(ENTRA_CLIENT_ID, &secret)
        .map_err(sim("graph simulator"))?;
    Ok(json!({
        "okta": {
            "type": "okta-group",
            "orgUrl": format!("https://{OKTA_HOST}"),
            "tokenUrl": format!("https://{OKTA_HOST}/oauth2/v1/token"),
            "clientId": okta_client,
            "auth": "private_key_jwt",
            "dpop": true,
            "scopes": OKTA_SCOPES,
            "keyId": "aigis-demo-1",
            "publicJwk": jwk,
            "privateKeyPem": pem,
        },
        "entra": {
            "type": "entra-group",
            "tenantId": ENTRA_TENANT_ID,
            "tokenUrl": format!("https://login.microsoftonline.com/{ENTRA_TENANT_ID}/oauth2/v2.0/token"),
            "clientId": ENTRA_CLIENT_ID,
            "clientSecret": secret,
            "scope": "https://graph.microsoft.com/.default",
            "permissions": ENTRA_ROLES,
        },
    }))
}

/// The demo connector of the Okta org.
pub const OKTA_CONNECTOR: &str = "demo-okta";
/// The demo connector of the Entra tenant.
pub const ENTRA_CONNECTOR: &str = "demo-entra";

/// What [`connect`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Connected {
    /// Tools bound now (false: they were bound already).
    pub bound: Vec<String>,
    /// Drift findings open after the first check, per tool.
    pub findings: Vec<(String, u64)>,
}

/// Creates the connectors of the demo org and tenant from the credentials
/// file (as an admin would, through the resolvers), binds Claude to
/// [`OKTA_TOOL_GROUP`] and GitHub Copilot to [`ENTRA_TOOL_GROUP`], and runs a
/// first drift check of each: Rita, a member of `AI - Claude` without a
/// grant, is the first finding. New approvals of both tools are then
/// provisioned through the connectors, and expiry removes the membership.
/// Running it again changes nothing (a rewritten credentials file updates
/// the connectors' credentials).
pub fn connect(
    host: &crate::Host,
    sims: &IdpSims,
    site: &DemoSite,
    state_dir: &Path,
    credentials_written: bool,
) -> Result<Connected, HostError> {
    let admin = site
        .users
        .iter()
        .find(|u| u.role == "admin")
        .ok_or_else(|| HostError::UnknownUser("the demo site has no admin".into()))?;
    let path = state_dir.join(CREDENTIALS_FILE);
    let raw =
        std::fs::read_to_string(&path).map_err(|e| HostError::backend("demo credentials", e))?;
    let creds: Value =
        serde_json::from_str(&raw).map_err(|e| HostError::backend("demo credentials", e))?;
    let call = |key: &str, payload: Value| -> Result<Result<Value, Value>, HostError> {
        Ok(host
            .invoke_resolver(key, &payload, &admin.account_id, None)?
            .result)
    };
    let failed = |key: &str, e: Value| HostError::Failed {
        function: key.to_owned(),
        error: e.to_string(),
    };
    let o = &creds["okta"];
    let e = &creds["entra"];
    let connectors = [
        (
            json!({"id": OKTA_CONNECTOR, "name": "Okta (demo org)", "type": "okta-group",
                "orgUrl": o["orgUrl"], "auth": "private_key_jwt", "clientId": o["clientId"],
                "keyId": o["keyId"], "credential": o["privateKeyPem"]}),
            json!({"id": OKTA_CONNECTOR, "clientId": o["clientId"], "keyId": o["keyId"],
                "credential": o["privateKeyPem"]}),
        ),
        (
            json!({"id": ENTRA_CONNECTOR, "name": "Entra (demo tenant)", "type": "entra-group",
                "tenantId": e["tenantId"], "clientId": e["clientId"], "credential": e["clientSecret"]}),
            json!({"id": ENTRA_CONNECTOR, "clientId": e["clientId"], "credential": e["clientSecret"]}),
        ),
    ];
    for (create, update) in connectors {
        match call("connectors.create", create)? {
            Ok(_) => {}
            Err(err) if err["code"] == "conflict" => {
                if credentials_written {
                    call("connectors.update", update)?
                        .map_err(|x| failed("connectors.update", x))?;
                }
            }
            Err(err) => return Err(failed("connectors.create", err)),
        }
    }
    let groups = [
        (
            "claude",
            OKTA_CONNECTOR,
            sims.okta().find_group(OKTA_TOOL_GROUP),
        ),
        (
            "github-copilot",
            ENTRA_CONNECTOR,
            sims.graph().find_group(ENTRA_TOOL_GROUP),
        ),
    ];
    let mut done = Connected::default();
    for (tool, connector, group) in groups {
        let Some(group) = group else { continue };
        match call(
            "connectors.bind",
            json!({"tool": tool, "connector": connector, "groupId": group}),
        )? {
            Ok(_) => done.bound.push(tool.to_owned()),
            Err(err) if err["code"] == "conflict" => {}
            Err(err) => return Err(failed("connectors.bind", err)),
        }
        let checked = call("connectors.checkDrift", json!({"tool": tool}))?
            .map_err(|x| failed("connectors.checkDrift", x))?;
        let open = checked["drift"]["findings"]
            .as_array()
            .map(|f| f.iter().filter(|f| f["status"] == "open").count() as u64)
            .unwrap_or(0);
        done.findings.push((tool.to_owned(), open));
    }
    Ok(done)
}
