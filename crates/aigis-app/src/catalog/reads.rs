//! `catalog.list`, `catalog.history`, `catalog.builtins`.

use crate::access::Caller;
use crate::api::NoArgs;
use crate::error::AppError;
use crate::names::{AUDIT, TOOL};
use crate::repo;
use aigis_core::Millis;
use aigis_core::audit::AuditEvent;
use aigis_core::builtins::BUILTINS;
use aigis_core::ids::ToolId;
use aigis_core::model::{Risk, Tool, ToolStatus};
use aigis_platform::{EntityQuery, Platform};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// `{all?}`: every status (admins), or only the requestable ones.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ListArgs {
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub all: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ToolList {
    pub tools: Vec<Tool>,
}

/// `catalog.list`: approved tools for everyone; with `{"all": true}`,
/// admins see every status.
pub fn list(p: &Platform, caller: &Caller, args: ListArgs) -> Result<ToolList, AppError> {
    let statuses: &[&str] = if args.all {
        caller.require_admin()?;
        &["approved", "blocked", "denied"]
    } else {
        &["approved"]
    };
    let mut tools = Vec::new();
    for status in statuses {
        let query = EntityQuery {
            entity: TOOL.into(),
            index: "by-status".into(),
            partition: vec![json!(status)],
            ..Default::default()
        };
        repo::scan(p, query, |_, t: Tool| {
            tools.push(t);
            Ok(true)
        })?;
    }
    Ok(ToolList { tools })
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ToolRef {
    pub id: ToolId,
}

/// One change of a catalog entry.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ToolEvent {
    pub seq: u64,
    pub at: Millis,
    pub actor: String,
    pub action: String,
    pub data: Value,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ToolHistory {
    pub id: ToolId,
    pub history: Vec<ToolEvent>,
}

/// `catalog.history` (admin): `{id}`; the audit events of one tool, oldest first.
pub fn history(p: &Platform, _: &Caller, args: ToolRef) -> Result<ToolHistory, AppError> {
    let mut events = Vec::new();
    let query = EntityQuery {
        entity: AUDIT.into(),
        index: "by-subject".into(),
        partition: vec![json!(format!("tool:{}", args.id))],
        ..Default::default()
    };
    repo::scan(p, query, |_, e: AuditEvent| {
        events.push(ToolEvent {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            action: e.action,
            data: e.data,
        });
        Ok(events.len() < 500)
    })?;
    Ok(ToolHistory {
        id: args.id,
        history: events,
    })
}

/// A tool of the built-in list, with its risk default.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Builtin {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub risk: Risk,
    pub status: ToolStatus,
    pub risk_rationale: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Builtins {
    pub builtins: Vec<Builtin>,
}

/// `catalog.builtins` (admin): the built-in list the catalog can be seeded from.
pub fn builtins(_: &Platform, _: &Caller, _: NoArgs) -> Result<Builtins, AppError> {
    let builtins = BUILTINS
        .iter()
        .map(|b| Builtin {
            id: b.id.to_owned(),
            name: b.name.to_owned(),
            provider: b.provider.to_owned(),
            risk: b.risk,
            status: b.input().status,
            risk_rationale: b.rationale.to_owned(),
        })
        .collect();
    Ok(Builtins { builtins })
}
