//! `connectors.list/get/create/update/enable/disable/delete/test` (admin).
//!
//! The credential (Okta private key or SSWS token, Entra client secret) is
//! write-only: written to secret storage, never answered, logged, audited
//! or exported. A connector with tools bound to it cannot be deleted
//! (unbind them first): its jobs would lose their way.

use super::http::Fail;
use super::provider::Directory;
use super::{
    BINDING_PREFIX, Binding, CONNECTOR_PREFIX, ConnectorRecord, ConnectorType, LastTest, OktaAuth,
    TEST_PREFIX, connector_key, credential_secret, dpop_secret, entra, okta, scan_kv, test_key,
    token_secret,
};
use crate::access::Caller;
use crate::api::NoArgs;
use crate::error::AppError;
use crate::repo::{self, Change};
use aigis_core::audit::NewEvent;
use aigis_core::ids::ConnectorId;
use aigis_core::model::check_text;
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A connector as answered: settings, never the credential.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ConnectorOut {
    pub connector: ConnectorRecord,
    pub credential_set: bool,
    /// Catalog tools bound to it.
    pub tools: Vec<String>,
    /// Their bindings (tool, group id and name), in tool order.
    pub bindings: Vec<Binding>,
    /// The last `connectors.test`, if any since it was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub last_test: Option<LastTest>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConnectorList {
    pub connectors: Vec<ConnectorOut>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ConnectorRef {
    pub id: ConnectorId,
}

/// A new connector. `credential`: Okta `private_key_jwt`: the private key
/// (PEM or JWK); Okta `ssws`: the API token; Entra: the client secret.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConnectorInput {
    pub id: ConnectorId,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ConnectorType,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub org_url: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub auth: Option<OktaAuth>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub client_id: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub key_id: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub tenant_id: Option<String>,
    pub credential: String,
    /// Fix drift through jobs (default: report only).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub enforce: Option<bool>,
}

/// Changes to a connector; absent fields keep their value (the type cannot change).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConnectorPatch {
    pub id: ConnectorId,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub name: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub org_url: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub auth: Option<OktaAuth>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub client_id: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub key_id: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub tenant_id: Option<String>,
    /// A new credential (replaces the stored one).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub credential: Option<String>,
    /// Fix drift through jobs (`true`) or only report it (`false`).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub enforce: Option<bool>,
}

/// The result of `connectors.test`, in plain words.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TestResult {
    pub ok: bool,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConnectorDeleted {
    pub id: String,
    pub deleted: bool,
}

fn bindings(p: &Platform) -> Result<Vec<Binding>, AppError> {
    Ok(scan_kv::<Binding>(p, BINDING_PREFIX)?
        .into_iter()
        .map(|(_, b)| b)
        .collect())
}

fn out(rec: ConnectorRecord, all: &[Binding], last_test: Option<LastTest>) -> ConnectorOut {
    let bound: Vec<Binding> = all
        .iter()
        .filter(|b| b.connector == rec.id)
        .cloned()
        .collect();
    ConnectorOut {
        credential_set: rec.credential_set_at.is_some(),
        tools: bound.iter().map(|b| b.tool.clone()).collect(),
        bindings: bound,
        last_test,
        connector: rec,
    }
}

fn last_test(p: &Platform, id: &str) -> Result<Option<LastTest>, AppError> {
    repo::get_kv(p, &test_key(id))
}

pub(crate) fn load_connector(p: &Platform, id: &str) -> Result<ConnectorRecord, AppError> {
    super::load(p, id)?
        .ok_or_else(|| AppError::not_found(format!("connector {id:?} does not exist")))
}

/// The settings a connector of its type needs, checked; the credential too when given.
fn validate(rec: &ConnectorRecord, credential: Option<&str>) -> Result<(), AppError> {
    check_text("name", &rec.name, 1, 100)?;
    let need = |field: &str, v: &Option<String>, max: usize| -> Result<(), AppError> {
        match v {
            Some(s) if !s.trim().is_empty() && s.len() <= max => Ok(()),
            _ => Err(AppError::invalid(
                field,
                format!("is required (1 to {max} characters)"),
            )),
        }
    };
    match rec.kind {
        ConnectorType::OktaGroup => {
            let url = rec.org_url.as_deref().unwrap_or_default();
            if !okta::valid_org_url(url) {
                return Err(AppError::invalid(
                    "orgUrl",
                    "must be your Okta org's https URL on okta.com, oktapreview.com or okta-emea.com",
                ));
            }
            match rec.auth {
                None => return Err(AppError::invalid("auth", "must be private_key_jwt or ssws")),
                Some(OktaAuth::PrivateKeyJwt) => {
                    need("clientId", &rec.client_id, 100)?;
                    need("keyId", &rec.key_id, 200)?;
                    if let Some(c) = credential {
                        okta::parse_private_key(c)
                            .map_err(|rule| AppError::invalid("credential", rule))?;
                    }
                }
                Some(OktaAuth::Ssws) => {
                    if let Some(c) = credential
                        && (c.trim().len() < 20 || c.len() > 200 || c.contains(char::is_whitespace))
                    {
                        return Err(AppError::invalid(
                            "credential",
                            "must be an Okta API token (20 to 200 characters, no spaces)",
                        ));
                    }
                }
            }
            if rec.tenant_id.is_some() {
                return Err(AppError::invalid(
                    "tenantId",
                    "is for Entra connectors only",
                ));
            }
        }
        ConnectorType::EntraGroup => {
            if !rec.tenant_id.as_deref().is_some_and(entra::valid_tenant) {
                return Err(AppError::invalid(
                    "tenantId",
                    "must be the directory (tenant) id: a GUID or a verified domain",
                ));
            }
            need("clientId", &rec.client_id, 100)?;
            if let Some(c) = credential
                && (c.trim().is_empty() || c.len() > 500)
            {
                return Err(AppError::invalid(
                    "credential",
                    "must be the client secret's value",
                ));
            }
            for (field, v) in [("orgUrl", &rec.org_url), ("keyId", &rec.key_id)] {
                if v.is_some() {
                    return Err(AppError::invalid(field, "is for Okta connectors only"));
                }
            }
            if rec.auth.is_some() {
                return Err(AppError::invalid("auth", "is for Okta connectors only"));
            }
        }
    }
    Ok(())
}

/// What an audit event says of a connector: its settings, never a secret.
fn audited(rec: &ConnectorRecord) -> serde_json::Value {
    json!({"name": rec.name, "type": rec.kind, "enabled": rec.enabled, "enforce": rec.enforce,
        "orgUrl": rec.org_url,
        "auth": rec.auth, "clientId": rec.client_id, "keyId": rec.key_id, "tenantId": rec.tenant_id,
        "credentialSetAt": rec.credential_set_at})
}

fn write_credential(p: &Platform, id: &str, credential: &str) -> Result<(), AppError> {
    p.secrets
        .set_secret(&credential_secret(id), credential.trim())
        .map_err(AppError::from)?;
    let _ = p.secrets.delete_secret(&token_secret(id));
    Ok(())
}

/// `connectors.list` (admin).
pub fn list(p: &Platform, _: &Caller, _: NoArgs) -> Result<ConnectorList, AppError> {
    let all = bindings(p)?;
    let mut tests: std::collections::BTreeMap<String, LastTest> =
        scan_kv::<LastTest>(p, TEST_PREFIX)?.into_iter().collect();
    let connectors = scan_kv::<ConnectorRecord>(p, CONNECTOR_PREFIX)?
        .into_iter()
        .map(|(_, r)| {
            let t = tests.remove(&test_key(&r.id));
            out(r, &all, t)
        })
        .collect();
    Ok(ConnectorList { connectors })
}

/// `connectors.get` (admin): `{id}`.
pub fn get(p: &Platform, _: &Caller, args: ConnectorRef) -> Result<ConnectorOut, AppError> {
    let rec = load_connector(p, &args.id)?;
    let t = last_test(p, &rec.id)?;
    Ok(out(rec, &bindings(p)?, t))
}

/// `connectors.create` (admin): a new, enabled connector.
pub fn create(
    p: &Platform,
    caller: &Caller,
    input: ConnectorInput,
) -> Result<ConnectorOut, AppError> {
    let now = repo::now(p);
    let rec = ConnectorRecord {
        id: input.id.to_string(),
        name: input.name.trim().to_owned(),
        kind: input.kind,
        enabled: true,
        enforce: input.enforce.unwrap_or(false),
        org_url: input
            .org_url
            .map(|u| u.trim().trim_end_matches('/').to_owned()),
        auth: input.auth,
        client_id: input.client_id.map(|s| s.trim().to_owned()),
        key_id: input.key_id.map(|s| s.trim().to_owned()),
        tenant_id: input.tenant_id.map(|s| s.trim().to_owned()),
        credential_set_at: Some(now),
        credential_version: 1,
        created_at: now,
        updated_at: now,
    };
    validate(&rec, Some(&input.credential))?;
    if super::load(p, &rec.id)?.is_some() {
        return Err(AppError::conflict(format!(
            "a connector with id {:?} already exists",
            rec.id
        )));
    }
    // The secret first: a record never points at a missing credential.
    write_credential(p, &rec.id, &input.credential)?;
    let _ = p.secrets.delete_secret(&dpop_secret(&rec.id));
    repo::commit(p, |_| {
        if super::load(p, &rec.id)?.is_some() {
            return Err(AppError::conflict(format!(
                "a connector with id {:?} already exists",
                rec.id
            )));
        }
        let mut c = Change::new();
        c.put_kv_folded(&connector_key(&rec.id), "connector", &rec.id, &rec)?;
        c.event(NewEvent::new(
            &caller.account_id,
            "connector.created",
            &format!("connector:{}", rec.id),
            audited(&rec),
        ));
        Ok(((), c))
    })?;
    Ok(out(rec, &[], None))
}

fn commit_change(
    p: &Platform,
    caller: &Caller,
    id: &str,
    action: &str,
    edit: impl Fn(&ConnectorRecord) -> Result<ConnectorRecord, AppError>,
) -> Result<ConnectorOut, AppError> {
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        let before = load_connector(p, id)?;
        let after = edit(&before)?;
        if after == before {
            return Ok((before, c));
        }
        c.put_kv_folded(&connector_key(id), "connector", id, &after)?;
        c.event(NewEvent::new(
            &caller.account_id,
            action,
            &format!("connector:{id}"),
            json!({"before": audited(&before), "after": audited(&after)}),
        ));
        Ok((after, c))
    })?;
    let t = last_test(p, id)?;
    Ok(out(done.value, &bindings(p)?, t))
}

/// `connectors.update` (admin): settings and, optionally, a new credential.
pub fn update(
    p: &Platform,
    caller: &Caller,
    patch: ConnectorPatch,
) -> Result<ConnectorOut, AppError> {
    let now = repo::now(p);
    let apply = |orig: &ConnectorRecord| -> Result<ConnectorRecord, AppError> {
        let mut r = orig.clone();
        let t = |s: &String| s.trim().to_owned();
        if let Some(v) = &patch.name {
            r.name = t(v);
        }
        if let Some(v) = &patch.org_url {
            r.org_url = Some(t(v).trim_end_matches('/').to_owned());
        }
        if let Some(v) = patch.auth {
            r.auth = Some(v);
        }
        if let Some(v) = &patch.client_id {
            r.client_id = Some(t(v));
        }
        if let Some(v) = &patch.key_id {
            r.key_id = Some(t(v));
        }
        if let Some(v) = &patch.tenant_id {
            r.tenant_id = Some(t(v));
        }
        if let Some(v) = patch.enforce {
            r.enforce = v;
        }
        if patch.credential.is_some() {
            r.credential_set_at = Some(now);
            r.credential_version += 1;
        }
        let changed_auth = patch.auth.is_some_and(|a| Some(a) != orig.auth);
        if changed_auth && patch.credential.is_none() {
            return Err(AppError::invalid(
                "credential",
                "is required when the auth method changes",
            ));
        }
        validate(&r, patch.credential.as_deref())?;
        r.updated_at = now;
        Ok(r)
    };
    let before = load_connector(p, &patch.id)?;
    apply(&before)?;
    if let Some(cred) = &patch.credential {
        write_credential(p, &patch.id, cred)?;
    }
    commit_change(p, caller, &patch.id, "connector.updated", apply)
}

/// `connectors.enable` (admin): new approvals of its tools go through it.
pub fn enable(p: &Platform, caller: &Caller, args: ConnectorRef) -> Result<ConnectorOut, AppError> {
    let now = repo::now(p);
    commit_change(p, caller, &args.id, "connector.enabled", |r| {
        let mut r = r.clone();
        if !r.enabled {
            r.enabled = true;
            r.updated_at = now;
        }
        Ok(r)
    })
}

/// `connectors.disable` (admin): new approvals of its tools are fulfilled
/// by hand; jobs already queued through it fail as not configured.
pub fn disable(
    p: &Platform,
    caller: &Caller,
    args: ConnectorRef,
) -> Result<ConnectorOut, AppError> {
    let now = repo::now(p);
    commit_change(p, caller, &args.id, "connector.disabled", |r| {
        let mut r = r.clone();
        if r.enabled {
            r.enabled = false;
            r.updated_at = now;
        }
        Ok(r)
    })
}

/// `connectors.delete` (admin): refused while tools are bound to it.
pub fn delete(
    p: &Platform,
    caller: &Caller,
    args: ConnectorRef,
) -> Result<ConnectorDeleted, AppError> {
    let id = args.id.to_string();
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        let Some(rec) = super::load(p, &id)? else {
            return Ok(((), c));
        };
        let bound: Vec<String> = bindings(p)?
            .into_iter()
            .filter(|b| b.connector == id)
            .map(|b| b.tool)
            .collect();
        if !bound.is_empty() {
            return Err(AppError::conflict(format!(
                "connector {id:?} still governs tools {}: unbind them first",
                bound.join(", ")
            )));
        }
        c.delete_kv_folded(&connector_key(&id), "connector", &id);
        c.delete_kv(&test_key(&id));
        c.event(NewEvent::new(
            &caller.account_id,
            "connector.deleted",
            &format!("connector:{id}"),
            audited(&rec),
        ));
        Ok(((), c))
    })?;
    let deleted = !done.events.is_empty();
    if deleted {
        for name in [credential_secret(&id), dpop_secret(&id), token_secret(&id)] {
            let _ = p.secrets.delete_secret(&name);
        }
    }
    Ok(ConnectorDeleted { id, deleted })
}

/// `connectors.test` (admin): gets a token and makes one read.
pub fn test(p: &Platform, _: &Caller, args: ConnectorRef) -> Result<TestResult, AppError> {
    let rec = load_connector(p, &args.id)?;
    let res = match rec.kind {
        ConnectorType::OktaGroup => {
            let d = okta::Okta::new(p, &rec);
            d.authenticate().and_then(|_| {
                d.users_by_email("aigis-connector-test@invalid.example")
                    .map(|_| ())
            })
        }
        ConnectorType::EntraGroup => {
            let d = entra::Entra::new(p, &rec);
            d.authenticate().and_then(|_| {
                d.users_by_email("aigis-connector-test@invalid.example")
                    .map(|_| ())
            })
        }
    };
    let result = match res {
        Ok(()) => TestResult {
            ok: true,
            message: "Connected: a token was issued and a directory read worked.".into(),
        },
        Err(Fail::Timeout(w)) => TestResult {
            ok: false,
            message: format!("{w}: try again"),
        },
        Err(f) => TestResult {
            ok: false,
            message: f.why().to_owned(),
        },
    };
    // Kept for the connector list ("last test"); the message is the plain
    // words above, which never carry a secret.
    let kept = LastTest {
        at: repo::now(p),
        ok: result.ok,
        message: result.message.clone(),
    };
    let raw = serde_json::to_string(&kept).map_err(|e| AppError::internal(e.to_string()))?;
    p.storage.set(
        &test_key(&rec.id),
        &raw,
        aigis_platform::SetOptions::default(),
    )?;
    Ok(result)
}
