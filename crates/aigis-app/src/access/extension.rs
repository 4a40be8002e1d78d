//! `context.extension`: what Forge tells a resolver about the module that
//! called it (the issue of an issue panel, the portal and request type of a
//! portal panel). Read from the invocation context, never from a payload,
//! and checked as it is read: a malformed value is `400 invalid` naming
//! `extension.<path>`.
//!
//! Forge puts more in `extension` than Aigis reads (`location`, the issue's
//! type, ...): fields not listed here are ignored, as Forge may add more.

use crate::error::AppError;
use aigis_core::ids::{IssueKey, ProjectKey, is_jira_id};
use serde_json::Value;

/// The parts of `context.extension` Aigis uses, each checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extension {
    /// The module type, e.g. `jira:issuePanel`.
    pub module_type: Option<String>,
    /// `issue.key` (issue panels).
    pub issue_key: Option<IssueKey>,
    /// `issue.id`.
    pub issue_id: Option<String>,
    /// `project.key`.
    pub project_key: Option<ProjectKey>,
    /// `portal.id` (portal panels), as a string of digits.
    pub portal_id: Option<String>,
    /// `request.typeId` (portal panels).
    pub request_type_id: Option<String>,
    /// `request.key` (the portal request-detail panel).
    pub request_key: Option<IssueKey>,
}

/// The longest module type accepted (Forge's are far shorter).
const MAX_TYPE: usize = 100;

fn object<'v>(
    v: &'v Value,
    field: &str,
) -> Result<Option<&'v serde_json::Map<String, Value>>, AppError> {
    match v {
        Value::Null => Ok(None),
        Value::Object(o) => Ok(Some(o)),
        _ => Err(AppError::invalid(field, "must be an object")),
    }
}

/// A Jira id given as digits or as a whole number.
fn jira_id(v: Option<&Value>, field: &str) -> Result<Option<String>, AppError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if is_jira_id(s) => Ok(Some(s.clone())),
        Some(Value::Number(n)) if n.as_u64().is_some() => Ok(n.as_u64().map(|n| n.to_string())),
        Some(_) => Err(AppError::invalid(
            field,
            "must be a Jira id: 1 to 18 digits, as a string or a whole number",
        )),
    }
}

fn string<'v>(v: Option<&'v Value>, field: &str) -> Result<Option<&'v str>, AppError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(AppError::invalid(field, "must be a string")),
    }
}

fn issue_key(v: Option<&Value>, field: &str) -> Result<Option<IssueKey>, AppError> {
    string(v, field)?
        .map(|s| IssueKey::parse(field, s).map_err(AppError::from))
        .transpose()
}

impl Extension {
    /// Reads `context.extension` (absent or `null`: an empty extension).
    pub fn from_context(context: &Value) -> Result<Extension, AppError> {
        let Some(ext) = object(
            context.get("extension").unwrap_or(&Value::Null),
            "extension",
        )?
        else {
            return Ok(Extension::default());
        };
        let part = |name: &str| -> Result<Option<&serde_json::Map<String, Value>>, AppError> {
            object(
                ext.get(name).unwrap_or(&Value::Null),
                &format!("extension.{name}"),
            )
        };
        let module_type = string(ext.get("type"), "extension.type")?;
        if module_type.is_some_and(|t| t.is_empty() || t.len() > MAX_TYPE) {
            return Err(AppError::invalid(
                "extension.type",
                format!("must be a module type of 1 to {MAX_TYPE} characters"),
            ));
        }
        let mut out = Extension {
            module_type: module_type.map(str::to_owned),
            ..Extension::default()
        };
        if let Some(issue) = part("issue")? {
            out.issue_key = issue_key(issue.get("key"), "extension.issue.key")?;
            out.issue_id = jira_id(issue.get("id"), "extension.issue.id")?;
        }
        if let Some(project) = part("project")? {
            out.project_key = string(project.get("key"), "extension.project.key")?
                .map(|s| ProjectKey::parse("extension.project.key", s))
                .transpose()?;
        }
        if let Some(portal) = part("portal")? {
            out.portal_id = jira_id(portal.get("id"), "extension.portal.id")?;
        }
        if let Some(request) = part("request")? {
            out.request_type_id = jira_id(request.get("typeId"), "extension.request.typeId")?;
            out.request_key = issue_key(request.get("key"), "extension.request.key")?;
        }
        Ok(out)
    }

    /// The issue the module shows: the issue panel's issue, or the portal
    /// request-detail panel's request.
    pub fn shown_issue(&self) -> Option<&IssueKey> {
        self.issue_key.as_ref().or(self.request_key.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ext(v: Value) -> Result<Extension, AppError> {
        Extension::from_context(&json!({ "extension": v }))
    }

    #[test]
    fn reads_the_documented_shapes() {
        let e = ext(json!({"type": "jira:issuePanel", "issue": {"key": "AI-1", "id": "10001", "type": "Task"},
            "project": {"key": "AI", "id": "10000"}}))
        .unwrap();
        assert_eq!(e.issue_key.as_deref(), Some("AI-1"));
        assert_eq!(e.issue_id.as_deref(), Some("10001"));
        assert_eq!(e.project_key.as_deref(), Some("AI"));
        assert_eq!(e.shown_issue().map(|k| k.as_str()), Some("AI-1"));
        let e = ext(
            json!({"type": "jiraServiceManagement:portalRequestCreatePropertyPanel",
            "portal": {"id": 1}, "request": {"typeId": 2}}),
        )
        .unwrap();
        assert_eq!(
            (e.portal_id.as_deref(), e.request_type_id.as_deref()),
            (Some("1"), Some("2"))
        );
        let e = ext(
            json!({"type": "jiraServiceManagement:portalRequestDetailPanel",
            "portal": {"id": "1"}, "request": {"key": "AI-1", "typeId": "2"}}),
        )
        .unwrap();
        assert_eq!(e.shown_issue().map(|k| k.as_str()), Some("AI-1"));
        assert_eq!(
            Extension::from_context(&json!({})).unwrap(),
            Extension::default()
        );
    }

    #[test]
    fn bad_values_name_their_field() {
        let cases = [
            (json!("x"), "extension"),
            (json!({"type": 3}), "extension.type"),
            (json!({"type": ""}), "extension.type"),
            (json!({"issue": []}), "extension.issue"),
            (json!({"issue": {"key": "ai-1"}}), "extension.issue.key"),
            (json!({"issue": {"id": "1x"}}), "extension.issue.id"),
            (json!({"portal": {"id": -1}}), "extension.portal.id"),
            (
                json!({"request": {"typeId": 1.5}}),
                "extension.request.typeId",
            ),
            (json!({"request": {"key": "AI"}}), "extension.request.key"),
            (json!({"project": {"key": "ai"}}), "extension.project.key"),
        ];
        for (v, field) in cases {
            let e = ext(v.clone()).unwrap_err();
            assert_eq!(
                (e.code, e.field.as_deref()),
                (aigis_core::ErrorCode::Invalid, Some(field)),
                "{v}"
            );
        }
    }
}
