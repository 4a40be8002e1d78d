//! `portal.form`: whether the caller's portal and request type (from
//! `context.extension`, never the payload) are governed by Aigis, and if so
//! the requestable tools with their guidance, risk and longest duration, and
//! the rules the form checks as the requester types.

use crate::access::Caller;
use crate::api::NoArgs;
use crate::catalog::reads::{ListArgs, list};
use crate::error::AppError;
use crate::governance;
use crate::jira::{self, enc};
use aigis_core::governance::UnknownTools;
use aigis_core::model::Risk;
use aigis_core::snapshot::{DURATION_DAYS, PROPERTY_KEY, PURPOSE_MAX_CHARS, PURPOSE_MIN_CHARS};
use aigis_platform::{Platform, Principal};
use serde::Serialize;
use serde_json::{Value, json};

/// A tool the requester may ask for.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RequestableTool {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub guidance: String,
    pub risk: Risk,
    /// The longest grant that may be asked for: the tool's maximum within its risk's.
    pub max_duration_days: u32,
    /// The risk's maximum under the governance in force.
    pub risk_max_days: u32,
    pub default_duration_days: u32,
}

/// The bounds of the duration field, in days.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DurationBounds {
    pub min: u32,
    pub max: u32,
}

/// What the purpose must be.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PurposeRules {
    pub min_chars: u32,
    pub max_chars: u32,
}

/// The create panel's form.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PortalForm {
    /// Whether requests of this portal and request type are AI access requests.
    pub governed: bool,
    /// When not governed, why, in plain words (the panel shows it as a note).
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The issue property the panel submits (`view.submit`).
    pub property_key: String,
    /// Approved tools, by name (empty when not governed).
    pub tools: Vec<RequestableTool>,
    /// Whether "request a new tool" (name and URL) is offered.
    pub new_tool_allowed: bool,
    pub duration: DurationBounds,
    pub purpose: PurposeRules,
    pub governance_version: u32,
}

fn not_governed(note: &str) -> PortalForm {
    PortalForm {
        governed: false,
        note: Some(note.to_owned()),
        property_key: PROPERTY_KEY.into(),
        tools: vec![],
        new_tool_allowed: false,
        duration: DurationBounds {
            min: DURATION_DAYS.0,
            max: DURATION_DAYS.1,
        },
        purpose: PurposeRules {
            min_chars: PURPOSE_MIN_CHARS as u32,
            max_chars: PURPOSE_MAX_CHARS as u32,
        },
        governance_version: 0,
    }
}

/// A JSM resource read as the app (`None` when Jira does not know it).
fn read_as_app(p: &Platform, path: &str, what: &str) -> Result<Option<Value>, AppError> {
    let a = jira::call(p, Principal::App, "GET", path, None)?;
    if a.status == 404 {
        return Ok(None);
    }
    a.require(what).map(Some)
}

/// Whether the portal and request type pass the intake's gate, or why not.
fn gate(p: &Platform, caller: &Caller) -> Result<Result<(), &'static str>, AppError> {
    let Some(intake) = caller.intake()? else {
        return Ok(Err(
            "AI tool access requests are not set up on this site yet.",
        ));
    };
    let ext = &caller.extension;
    let (Some(portal), Some(rt)) = (&ext.portal_id, &ext.request_type_id) else {
        return Ok(Err("This panel is for portal requests."));
    };
    const OTHER: &str = "This request type is not an AI tool access request.";
    // In JSM Cloud a portal's id is its service desk's id.
    let Some(request_type) = read_as_app(
        p,
        &format!(
            "/rest/servicedeskapi/servicedesk/{}/requesttype/{}",
            enc(portal),
            enc(rt)
        ),
        "request type",
    )?
    else {
        return Ok(Err(OTHER));
    };
    let sd = request_type["serviceDeskId"].as_str().unwrap_or(portal);
    let desk = read_as_app(
        p,
        &format!("/rest/servicedeskapi/servicedesk/{}", enc(sd)),
        "service desk",
    )?;
    let project_ok = desk
        .as_ref()
        .and_then(|d| d["projectKey"].as_str())
        .is_some_and(|k| k == intake.project_key);
    if project_ok && intake.admits(&json!({ "requestType": request_type })) {
        Ok(Ok(()))
    } else {
        Ok(Err(OTHER))
    }
}

/// `portal.form`: the form for the caller's portal and request type.
pub fn form(p: &Platform, caller: &Caller, _: NoArgs) -> Result<PortalForm, AppError> {
    if let Err(note) = gate(p, caller)? {
        return Ok(not_governed(note));
    }
    let gov = governance::current(p)?;
    let mut tools: Vec<RequestableTool> = list(p, caller, ListArgs::default())?
        .tools
        .into_iter()
        .map(|t| {
            let max = gov.max_days_for(&t);
            RequestableTool {
                max_duration_days: max,
                risk_max_days: gov.max_days.of(t.risk),
                default_duration_days: t.default_duration_days.min(max),
                id: t.id,
                name: t.name,
                provider: t.provider,
                guidance: t.guidance,
                risk: t.risk,
            }
        })
        .collect();
    tools.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.id.cmp(&b.id))
    });
    let max = tools
        .iter()
        .map(|t| t.max_duration_days)
        .max()
        .unwrap_or(DURATION_DAYS.1)
        .min(DURATION_DAYS.1);
    Ok(PortalForm {
        governed: true,
        note: None,
        new_tool_allowed: gov.unknown_tools == UnknownTools::SecurityReview,
        duration: DurationBounds {
            min: DURATION_DAYS.0,
            max,
        },
        governance_version: gov.version,
        tools,
        ..not_governed("")
    })
}
