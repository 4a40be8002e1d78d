//! `directory.users`: display names of up to 100 accounts in one Jira call
//! (`GET /rest/api/3/user/bulk`), cached for the invocation; accounts Jira
//! does not know are answered as unknown, not as an error.

use super::{get, text};
use crate::access::Caller;
use crate::error::AppError;
use crate::jira::enc;
use aigis_core::ids::AccountId;
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Most accounts one call resolves (Jira's page of bulk users).
pub const MAX_ACCOUNTS: usize = 100;

/// `{accountIds}`: 1 to 100 account ids.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UsersArgs {
    pub account_ids: Vec<AccountId>,
}

/// A person as the UI shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub account_id: String,
    /// Whether Jira knows the account (an unknown one has no name).
    pub known: bool,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `atlassian`, `app` or `customer`, as Jira says.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_type: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct People {
    /// In the order asked, each once.
    pub users: Vec<Person>,
}

pub(crate) fn person(v: &Value) -> Person {
    Person {
        account_id: text(v, "accountId"),
        known: true,
        display_name: v
            .get("displayName")
            .and_then(Value::as_str)
            .map(str::to_owned),
        account_type: v
            .get("accountType")
            .and_then(Value::as_str)
            .map(str::to_owned),
        active: v.get("active").and_then(Value::as_bool).unwrap_or(false),
    }
}

fn unknown(id: &str) -> Person {
    Person {
        account_id: id.to_owned(),
        known: false,
        display_name: None,
        account_type: None,
        active: false,
    }
}

/// The people behind `ids`, from the invocation's cache where it has them,
/// else in one bulk call to Jira per 100 accounts.
pub fn resolve(p: &Platform, caller: &Caller, ids: &[&str]) -> Result<Vec<Person>, AppError> {
    let mut missing: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| caller.cached_user(id).is_none())
        .collect();
    missing.sort_unstable();
    missing.dedup();
    for chunk in missing.chunks(MAX_ACCOUNTS) {
        let query: Vec<String> = chunk
            .iter()
            .map(|id| format!("accountId={}", enc(id)))
            .collect();
        let path = format!(
            "/rest/api/3/user/bulk?maxResults={MAX_ACCOUNTS}&{}",
            query.join("&")
        );
        let found = get(p, &path, "bulk users")?
            .and_then(|b| b.get("values").and_then(Value::as_array).cloned())
            .unwrap_or_default();
        for id in chunk {
            let user = found
                .iter()
                .find(|f| f["accountId"].as_str() == Some(id))
                .cloned()
                .unwrap_or(Value::Null);
            caller.cache_user(id, user);
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    Ok(ids
        .iter()
        .filter(|id| seen.insert(**id))
        .map(|id| match caller.cached_user(id) {
            Some(v) if v.is_object() => person(&v),
            _ => unknown(id),
        })
        .collect())
}

/// `directory.users`: `{accountIds}` (1 to 100) → `{users}`.
pub fn users(p: &Platform, caller: &Caller, args: UsersArgs) -> Result<People, AppError> {
    if args.account_ids.is_empty() || args.account_ids.len() > MAX_ACCOUNTS {
        return Err(AppError::invalid(
            "accountIds",
            format!("must list 1 to {MAX_ACCOUNTS} account ids"),
        ));
    }
    let ids: Vec<&str> = args.account_ids.iter().map(AccountId::as_str).collect();
    Ok(People {
        users: resolve(p, caller, &ids)?,
    })
}
