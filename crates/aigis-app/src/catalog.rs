//! The tool catalog.

use crate::access::Caller;
use crate::error::{AppError, parse_payload};
use crate::repo::{self, Change, TOOL};
use aigis_core::audit::NewEvent;
use aigis_core::builtins::BUILTINS;
use aigis_core::model::{Entitlement, Risk, Tool, ToolInput, ToolStatus};
use aigis_platform::{EntityQuery, Platform};
use serde::Deserialize;
use serde_json::{Value, json};

/// `catalog.add` (admin): adds a tool; its id must be new.
pub fn add(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    caller.require_admin()?;
    let input: ToolInput = parse_payload(payload)?;
    let tool = input.into_tool(repo::now(p))?;
    repo::commit(p, |_| {
        if repo::get::<Tool>(p, TOOL, &tool.id)?.is_some() {
            return Err(AppError::new(
                "conflict",
                format!("a tool with id {:?} already exists", tool.id),
            ));
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
    Ok(json!({ "tool": tool }))
}

/// `catalog.list`: approved tools for everyone; with `{"all": true}`,
/// admins see every status.
pub fn list(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    #[derive(serde::Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    struct Args {
        #[serde(default)]
        all: bool,
    }
    let args: Args = if payload.trim().is_empty() {
        Args::default()
    } else {
        parse_payload(payload)?
    };
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
    Ok(json!({ "tools": tools }))
}

/// Changes to a catalog entry; absent fields keep their value.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ToolPatch {
    id: String,
    name: Option<String>,
    provider: Option<String>,
    status: Option<ToolStatus>,
    risk: Option<Risk>,
    default_duration_days: Option<u32>,
    max_duration_days: Option<u32>,
    guidance: Option<String>,
    fulfilment_notes: Option<String>,
    risk_rationale: Option<String>,
    /// `null` keeps the metadata; use `catalog.update` with a value to set it.
    entitlement: Option<Entitlement>,
}

fn load_tool(p: &Platform, id: &str) -> Result<Tool, AppError> {
    repo::get(p, TOOL, id)?
        .ok_or_else(|| AppError::not_found(format!("tool {id:?} does not exist")))
}

/// Re-validates an edited entry through the same rules as a new one.
fn revalidate(t: &Tool, now: aigis_core::Millis) -> Result<Tool, AppError> {
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
) -> Result<Value, AppError> {
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
    Ok(json!({ "tool": done.value, "changed": !done.events.is_empty() }))
}

/// `catalog.update` (admin): `{id, name?, provider?, status?, risk?,
/// defaultDurationDays?, maxDurationDays?, guidance?, fulfilmentNotes?,
/// riskRationale?, entitlement?}`.
pub fn update(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    caller.require_admin()?;
    let patch: ToolPatch = parse_payload(payload)?;
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

/// `catalog.retire` (admin): `{id, status: "blocked"|"denied", reason}`.
/// The entry stays in the catalog, governed but not requestable; the change
/// is in its history (`catalog.history`).
pub fn retire(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    caller.require_admin()?;
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        id: String,
        status: ToolStatus,
        reason: String,
    }
    let args: Args = parse_payload(payload)?;
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

/// `catalog.history` (admin): `{id}`; the audit events of one tool, oldest first.
pub fn history(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    caller.require_admin()?;
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        id: String,
    }
    let args: Args = parse_payload(payload)?;
    aigis_core::model::check_slug("id", &args.id)?;
    let mut events = Vec::new();
    let query = EntityQuery {
        entity: repo::AUDIT.into(),
        index: "by-subject".into(),
        partition: vec![json!(format!("tool:{}", args.id))],
        ..Default::default()
    };
    repo::scan(p, query, |_, e: Value| {
        events.push(json!({"seq": e["seq"], "at": e["at"], "actor": e["actor"], "action": e["action"], "data": e["data"]}));
        Ok(events.len() < 500)
    })?;
    Ok(json!({ "id": args.id, "history": events }))
}

/// `catalog.builtins` (admin): the built-in list the catalog can be seeded from.
pub fn builtins(caller: &Caller, payload: &str) -> Result<Value, AppError> {
    caller.require_admin()?;
    crate::error::no_args(payload)?;
    let list: Vec<Value> = BUILTINS
        .iter()
        .map(|b| {
            let i = b.input();
            json!({"id": b.id, "name": b.name, "provider": b.provider, "risk": b.risk, "status": i.status, "riskRationale": b.rationale})
        })
        .collect();
    Ok(json!({ "builtins": list }))
}

/// Tools added per commit by `catalog.seed` (2 operations each + the head).
const SEED_BATCH: usize = 10;

/// `catalog.seed` (admin): `{}`; adds the built-in tools not yet in the
/// catalog (by id). Idempotent: a second run adds nothing.
pub fn seed(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    caller.require_admin()?;
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {}
    let _: Args = parse_payload(payload)?;
    let now = repo::now(p);
    let mut added = Vec::new();
    for batch in BUILTINS.chunks(SEED_BATCH) {
        let done = repo::commit(p, |_| {
            let mut c = Change::new();
            let mut ids = Vec::new();
            for b in batch {
                if repo::get::<Tool>(p, TOOL, b.id)?.is_some() {
                    continue;
                }
                let tool = b.input().into_tool(now)?;
                c.create(TOOL, &tool.id, &tool)?;
                c.event(NewEvent::new(
                    &caller.account_id,
                    "tool.added",
                    &format!("tool:{}", tool.id),
                    json!({"tool": tool, "source": "builtin"}),
                ));
                ids.push(tool.id);
            }
            Ok((ids, c))
        })?;
        added.extend(done.value);
    }
    Ok(json!({ "added": added, "builtins": BUILTINS.len() }))
}
