//! `connectors.bind`, `connectors.unbind` (admin): a catalog tool governed
//! by membership of one group of a connector, an existing one or one
//! created from a name template. Groups membership writes cannot govern are
//! refused with the reason and the provider field that decides it.

use super::admin::load_connector;
use super::provider::{Directory, ExtGroup};
use super::{Binding, ConnectorType, binding_key, entra, okta};
use crate::access::Caller;
use crate::error::AppError;
use crate::repo::{self, Change};
use aigis_core::audit::NewEvent;
use aigis_core::ids::{ConnectorId, ToolId};
use aigis_core::model::Tool;
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// `{tool, connector, groupId}` binds an existing group; `{tool, connector,
/// groupName}` creates one (`{tool}` in the name is the tool's id).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BindArgs {
    pub tool: ToolId,
    pub connector: ConnectorId,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub group_id: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub group_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct UnbindArgs {
    pub tool: ToolId,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Bound {
    pub binding: Binding,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Unbound {
    pub tool: String,
    pub unbound: bool,
}

fn refusal(f: super::http::Fail) -> AppError {
    AppError::unavailable(
        format!("the provider could not be asked: {}", f.why()),
        f.why().to_owned(),
    )
}

fn bind_with(d: &dyn Directory, args: &BindArgs) -> Result<(ExtGroup, bool), AppError> {
    match (&args.group_id, &args.group_name) {
        (Some(id), None) => {
            let g = d.group(id.trim()).map_err(refusal)?.ok_or_else(|| {
                AppError::invalid("groupId", "names no group of this connector's provider")
            })?;
            if let Some((field, reason)) = &g.ungovernable {
                return Err(AppError::invalid(
                    "groupId",
                    format!("cannot be governed by Aigis: {reason} ({field})"),
                ));
            }
            Ok((g, false))
        }
        (None, Some(template)) => {
            let name = template.trim().replace("{tool}", &args.tool);
            if name.is_empty() || name.chars().count() > 200 {
                return Err(AppError::invalid(
                    "groupName",
                    "must be 1 to 200 characters",
                ));
            }
            let g = d
                .create_group(
                    &name,
                    &format!("Aigis: members hold an approved grant of {}", args.tool),
                )
                .map_err(refusal)?;
            Ok((g, true))
        }
        _ => Err(AppError::invalid(
            "groupId",
            "give either groupId (an existing group) or groupName (to create one)",
        )),
    }
}

/// `connectors.bind` (admin).
pub fn bind(p: &Platform, caller: &Caller, args: BindArgs) -> Result<Bound, AppError> {
    let rec = load_connector(p, &args.connector)?;
    let tool: Tool = repo::get(p, crate::names::TOOL, &args.tool)?.ok_or_else(|| {
        AppError::not_found(format!("tool {:?} does not exist", args.tool.as_str()))
    })?;
    if let Some(b) = super::load_binding(p, &tool.id)? {
        return Err(AppError::conflict(format!(
            "tool {:?} is already bound to group {} of connector {:?}: unbind it first",
            tool.id, b.group_id, b.connector
        )));
    }
    let (group, created) = match rec.kind {
        ConnectorType::OktaGroup => bind_with(&okta::Okta::new(p, &rec), &args)?,
        ConnectorType::EntraGroup => bind_with(&entra::Entra::new(p, &rec), &args)?,
    };
    let binding = Binding {
        tool: tool.id.clone(),
        connector: rec.id.clone(),
        group_id: group.id,
        group_name: group.name,
        created,
        bound_at: repo::now(p),
    };
    repo::commit(p, |_| {
        let mut c = Change::new();
        if super::load_binding(p, &binding.tool)?.is_some() {
            return Err(AppError::conflict(format!(
                "tool {:?} was bound meanwhile",
                binding.tool
            )));
        }
        c.put_kv(&binding_key(&binding.tool), &binding)?;
        c.event(NewEvent::new(
            &caller.account_id,
            "tool.bound",
            &format!("tool:{}", binding.tool),
            json!(binding),
        ));
        Ok(((), c))
    })?;
    Ok(Bound { binding })
}

/// `connectors.unbind` (admin): new approvals are fulfilled by hand again;
/// the group and its members are left as they are.
pub fn unbind(p: &Platform, caller: &Caller, args: UnbindArgs) -> Result<Unbound, AppError> {
    let key = binding_key(&args.tool);
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        let Some(b) = super::load_binding(p, &args.tool)? else {
            return Ok(((), c));
        };
        c.delete_kv(&key);
        c.event(NewEvent::new(
            &caller.account_id,
            "tool.unbound",
            &format!("tool:{}", b.tool),
            json!(b),
        ));
        Ok(((), c))
    })?;
    Ok(Unbound {
        tool: args.tool.to_string(),
        unbound: !done.events.is_empty(),
    })
}
