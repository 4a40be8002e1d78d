//! `identities.list/set/remove` (admin), and who a Jira account is at a
//! connector's provider: the admin's explicit mapping, else the one user
//! whose e-mail equals the account's (case-insensitive). None or several is
//! "identity unresolved": never a guess.
//!
//! Records (`identity:<connector>:<account>`) carry the audit log's
//! retention: the retention sweep prunes those last changed before its
//! cutoff ([`prune`]).

use super::admin::load_connector;
use super::http::Fail;
use super::provider::{Directory, ExtUser};
use super::{IDENTITY_PREFIX, scan_kv};
use crate::access::Caller;
use crate::error::AppError;
use crate::repo::{self, Change};
use aigis_core::Millis;
use aigis_core::audit::NewEvent;
use aigis_core::ids::{AccountId, ConnectorId};
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct IdentityRecord {
    pub connector: String,
    pub account: String,
    /// The provider's user id.
    pub external_id: String,
    pub updated_at: Millis,
}

pub fn identity_key(connector: &str, account: &str) -> String {
    format!("{IDENTITY_PREFIX}{connector}:{account}")
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct IdentityListArgs {
    pub connector: ConnectorId,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IdentityList {
    pub identities: Vec<IdentityRecord>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdentitySetArgs {
    pub connector: ConnectorId,
    pub account: AccountId,
    pub external_id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct IdentityRef {
    pub connector: ConnectorId,
    pub account: AccountId,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IdentityChanged {
    pub changed: bool,
}

/// `identities.list` (admin): the explicit mappings of a connector.
pub fn list(p: &Platform, _: &Caller, args: IdentityListArgs) -> Result<IdentityList, AppError> {
    load_connector(p, &args.connector)?;
    let prefix = format!("{IDENTITY_PREFIX}{}:", args.connector);
    let identities = scan_kv::<IdentityRecord>(p, &prefix)?
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    Ok(IdentityList { identities })
}

/// `identities.set` (admin): maps a Jira account to a provider user id.
pub fn set(
    p: &Platform,
    caller: &Caller,
    args: IdentitySetArgs,
) -> Result<IdentityChanged, AppError> {
    load_connector(p, &args.connector)?;
    let ext = args.external_id.trim();
    if ext.is_empty() || ext.len() > 200 || !ext.chars().all(|c| c.is_ascii_graphic()) {
        return Err(AppError::invalid(
            "externalId",
            "must be the provider's user id (1 to 200 visible characters)",
        ));
    }
    let rec = IdentityRecord {
        connector: args.connector.to_string(),
        account: args.account.to_string(),
        external_id: ext.to_owned(),
        updated_at: repo::now(p),
    };
    let key = identity_key(&rec.connector, &rec.account);
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        let before: Option<IdentityRecord> = repo::get_kv(p, &key)?;
        if before
            .as_ref()
            .is_some_and(|b| b.external_id == rec.external_id)
        {
            return Ok(((), c));
        }
        c.put_kv(&key, &rec)?;
        c.event(NewEvent::new(
            &caller.account_id,
            "identity.mapped",
            &format!("connector:{}", rec.connector),
            json!({"account": rec.account, "externalId": rec.external_id}),
        ));
        Ok(((), c))
    })?;
    Ok(IdentityChanged {
        changed: !done.events.is_empty(),
    })
}

/// `identities.remove` (admin): the account is matched by e-mail again.
pub fn remove(
    p: &Platform,
    caller: &Caller,
    args: IdentityRef,
) -> Result<IdentityChanged, AppError> {
    let key = identity_key(&args.connector, &args.account);
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        if repo::get_kv::<IdentityRecord>(p, &key)?.is_none() {
            return Ok(((), c));
        }
        c.delete_kv(&key);
        c.event(NewEvent::new(
            &caller.account_id,
            "identity.unmapped",
            &format!("connector:{}", args.connector),
            json!({"account": args.account.to_string()}),
        ));
        Ok(((), c))
    })?;
    Ok(IdentityChanged {
        changed: !done.events.is_empty(),
    })
}

/// The provider user of `account` (whose Jira e-mail is `email`, if known).
pub fn resolve(
    p: &Platform,
    d: &dyn Directory,
    connector: &str,
    account: &str,
    email: Option<&str>,
) -> Result<ExtUser, Fail> {
    let mapped: Option<IdentityRecord> = repo::get_kv(p, &identity_key(connector, account))
        .map_err(|_| Fail::Retry {
            why: "storage is unavailable".into(),
            after: None,
        })?;
    if let Some(m) = mapped {
        return d.user(&m.external_id)?.ok_or_else(|| {
            Fail::Terminal(format!(
                "identity unresolved: the mapped user {} does not exist at the provider",
                m.external_id
            ))
        });
    }
    let Some(email) = email.filter(|e| e.contains('@')) else {
        return Err(Fail::Terminal(
            "identity unresolved: the Jira account shares no e-mail address and has no mapping"
                .into(),
        ));
    };
    let mut found = d.users_by_email(email)?;
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Fail::Terminal(
            "identity unresolved: no provider user has the account's e-mail address".into(),
        )),
        n => Err(Fail::Terminal(format!(
            "identity unresolved: {n} provider users have the account's e-mail address (ambiguous); map one"
        ))),
    }
}

/// Deletes identity records last changed before `cutoff`, in one commit
/// per page with an audit event; returns how many.
pub fn prune(p: &Platform, cutoff: Millis) -> Result<u32, AppError> {
    let stale: Vec<String> = scan_kv::<IdentityRecord>(p, IDENTITY_PREFIX)?
        .into_iter()
        .filter(|(_, r)| r.updated_at < cutoff)
        .map(|(k, _)| k)
        .collect();
    let mut n = 0;
    for chunk in stale.chunks(20) {
        repo::commit(p, |_| {
            let mut c = Change::new();
            for k in chunk {
                c.delete_kv(k);
            }
            c.event(NewEvent::new(
                "app:retention",
                "identities.pruned",
                "identities",
                json!({"count": chunk.len(), "before": cutoff}),
            ));
            Ok(((), c))
        })?;
        n += u32::try_from(chunk.len()).unwrap_or(u32::MAX);
    }
    Ok(n)
}
