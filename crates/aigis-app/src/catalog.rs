//! The tool catalog.

use crate::access::Caller;
use crate::error::{AppError, parse_payload};
use crate::repo::{self, Change, TOOL};
use aigis_core::audit::NewEvent;
use aigis_core::model::{Tool, ToolInput};
use aigis_platform::{EntityQuery, Platform};
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
        let mut cursor = None;
        loop {
            let page = p.storage.entity_query(&EntityQuery {
                entity: TOOL.into(),
                index: "by-status".into(),
                partition: vec![json!(status)],
                cursor,
                limit: 100,
                ..Default::default()
            })?;
            for (_, raw) in page.items {
                let t: Tool =
                    serde_json::from_str(&raw).map_err(|e| AppError::internal(e.to_string()))?;
                tools.push(t);
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
    }
    Ok(json!({ "tools": tools }))
}
