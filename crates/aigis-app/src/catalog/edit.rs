//! `catalog.add`, `catalog.update`, `catalog.retire`: each change one
//! commit with one audit event (before and after for edits).

use super::load_tool;
use crate::access::Caller;
use crate::error::AppError;
use crate::names::TOOL;
use crate::repo::{self, Change};
use aigis_core::audit::NewEvent;
use aigis_core::ids::ToolId;
use aigis_core::model::{Entitlement, Risk, Tool, ToolInput, ToolStatus};
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// One catalog entry.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ToolOut {
    pub tool: Tool,
}

/// A catalog entry after an edit; `changed` is false when nothing differed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ToolChanged {
    pub tool: Tool,
    pub changed: bool,
}

/// `catalog.add` (admin): adds a tool; its id must be new.
pub fn add(p: &Platform, caller: &Caller, input: ToolInput) -> Result<ToolOut, AppError> {
    let tool = input.into_tool(repo::now(p))?;
    repo::commit(p, |_| {
        if repo::get::<Tool>(p, TOOL, &tool.id)?.is_some() {
            return Err(AppError::conflict(format!(
                "a tool with id {:?} already exists",
                tool.id
            )));
        }
        let mut c = Change::new();
        c.create(TOOL, &tool.id, &tool)?;
        c.event(NewEvent::new(
            &caller.account_id,
            "tool.added",
            &format!("tool:{}", tool.id),
            json!(tool),
        ));
        Ok(((), c))
    })?;
    Ok(ToolOut { tool })
}

/// Changes to a catalog entry; absent fields keep their value.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ToolPatch {
    pub id: ToolId,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub name: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub provider: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub status: Option<ToolStatus>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub risk: Option<Risk>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub default_duration_days: Option<u32>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub max_duration_days: Option<u32>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub guidance: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub fulfilment_notes: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub risk_rationale: Option<String>,
    /// `null` keeps the metadata; give a value to set it.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub entitlement: Option<Entitlement>,
}

/// Re-validates an edited entry through the same rules as a new one.
pub(crate) fn revalidate(t: &Tool, now: aigis_core::Millis) -> Result<Tool, AppError> {
    let input = ToolInput {
        id: t.id.clone(),
        name: t.name.clone(),
        provider: t.provider.clone(),
        status: t.status,
        risk: t.risk,
        default_duration_days: Some(t.default_duration_days),
        max_duration_days: Some(t.max_duration_days),
        guidance: t.guidance.clone(),
        fulfilment_notes: t.fulfilment_notes.clone(),
        risk_rationale: t.risk_rationale.clone(),
        entitlement: t.entitlement.clone(),
    };
    let mut fresh = input.into_tool(now)?;
    fresh.created_at = t.created_at;
    fresh.requested_url = t.requested_url.clone();
    Ok(fresh)
}

/// Commits an edited tool with one audit event recording before and after.
fn commit_edit(
    p: &Platform,
    caller: &Caller,
    id: &str,
    action: &str,
    edit: impl Fn(&Tool) -> Result<Tool, AppError>,
    extra: Value,
) -> Result<ToolChanged, AppError> {
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        let before = load_tool(p, id)?;
        let after = edit(&before)?;
        let same = Tool {
            updated_at: before.updated_at,
            ..after.clone()
        } == before;
        if same {
            return Ok((before, c));
        }
        c.put(TOOL, id, &after)?;
        c.event(NewEvent::new(
            &caller.account_id,
            action,
            &format!("tool:{id}"),
            json!({"before": before, "after": after, "detail": extra}),
        ));
        Ok((after, c))
    })?;
    Ok(ToolChanged {
        tool: done.value,
        changed: !done.events.is_empty(),
    })
}

/// `catalog.update` (admin): `{id, name?, provider?, status?, risk?,
/// defaultDurationDays?, maxDurationDays?, guidance?, fulfilmentNotes?,
/// riskRationale?, entitlement?}`.
pub fn update(p: &Platform, caller: &Caller, patch: ToolPatch) -> Result<ToolChanged, AppError> {
    let now = repo::now(p);
    let apply = |t: &Tool| -> Result<Tool, AppError> {
        let mut t = t.clone();
        if let Some(v) = &patch.name {
            t.name = v.clone();
        }
        if let Some(v) = &patch.provider {
            t.provider = v.clone();
        }
        if let Some(v) = patch.status {
            t.status = v;
        }
        if let Some(v) = patch.risk {
            t.risk = v;
            if patch.max_duration_days.is_none() {
                t.max_duration_days = t.max_duration_days.min(v.default_max_days());
            }
            if patch.default_duration_days.is_none() {
                t.default_duration_days = t.default_duration_days.min(t.max_duration_days);
            }
        }
        if let Some(v) = patch.max_duration_days {
            t.max_duration_days = v;
        }
        if let Some(v) = patch.default_duration_days {
            t.default_duration_days = v;
        }
        if let Some(v) = &patch.guidance {
            t.guidance = v.clone();
        }
        if let Some(v) = &patch.fulfilment_notes {
            t.fulfilment_notes = v.clone();
        }
        if let Some(v) = &patch.risk_rationale {
            t.risk_rationale = v.clone();
        }
        if let Some(v) = &patch.entitlement {
            t.entitlement = Some(v.clone());
        }
        revalidate(&t, now)
    };
    // Validate against the stored entry first, so a bad patch writes nothing.
    apply(&load_tool(p, &patch.id)?)?;
    commit_edit(p, caller, &patch.id, "tool.updated", apply, json!({}))
}

/// `{id, status: "blocked"|"denied", reason}`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RetireArgs {
    pub id: ToolId,
    pub status: ToolStatus,
    pub reason: String,
}

/// `catalog.retire` (admin): `{id, status: "blocked"|"denied", reason}`.
/// The entry stays in the catalog, governed but not requestable; the change
/// is in its history (`catalog.history`).
pub fn retire(p: &Platform, caller: &Caller, args: RetireArgs) -> Result<ToolChanged, AppError> {
    if args.status == ToolStatus::Approved {
        return Err(AppError::invalid(
            "status",
            "must be blocked or denied to retire a tool",
        ));
    }
    aigis_core::model::check_text("reason", &args.reason, 1, 1000)?;
    let now = repo::now(p);
    load_tool(p, &args.id)?;
    commit_edit(
        p,
        caller,
        &args.id,
        "tool.retired",
        |t| {
            let mut t = t.clone();
            t.status = args.status;
            t.updated_at = now;
            Ok(t)
        },
        json!({"reason": args.reason.trim()}),
    )
}
