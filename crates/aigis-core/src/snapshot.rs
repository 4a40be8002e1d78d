//! `aigis.snapshot.v1`: what the portal create panel stores on the issue as
//! an issue property when a requester asks for a tool.

use crate::error::DomainError;
use crate::model::check_text;
use serde::{Deserialize, Serialize};

/// The issue property key the portal panel writes.
pub const PROPERTY_KEY: &str = "aigis.snapshot.v1";

/// A purpose is this many characters at least (after trimming)...
pub const PURPOSE_MIN_CHARS: usize = 10;
/// ...and at most.
pub const PURPOSE_MAX_CHARS: usize = 2000;
/// The shortest and longest duration a snapshot may ask for, in days
/// (the tool's and its risk's maximum narrow it further).
pub const DURATION_DAYS: (u32, u32) = (1, 365);

/// The snapshot as stored on the issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Snapshot {
    /// Catalog id of the requested tool.
    pub tool_id: String,
    /// Why the requester needs it.
    pub purpose: String,
    /// How long, in days.
    pub duration_days: u32,
    /// A tool that is not in the catalog ("request new tool"); then
    /// `tool_id` is derived from its name (`new-<slug>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_tool: Option<NewTool>,
}

/// A requested tool that is not in the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewTool {
    pub name: String,
    pub url: String,
}

/// The catalog id a new tool gets: `new-` and its name as a slug.
pub fn new_tool_id(name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let mut id = format!("new-{slug}");
    id.truncate(64);
    id.trim_end_matches('-').to_owned()
}

/// An https URL of at most 500 characters with a host and no spaces.
pub fn check_https_url(field: &str, url: &str) -> Result<(), DomainError> {
    let rest = url.strip_prefix("https://");
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
    let ok = url.len() <= 500
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
        && host.is_some_and(|h| {
            h.contains('.')
                && !h.starts_with('.')
                && !h.ends_with('.')
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
        });
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            field,
            "must be an https:// URL with a host name, at most 500 characters",
        ))
    }
}

impl Snapshot {
    /// Parses and validates a stored snapshot; errors name the field.
    pub fn parse(value: &serde_json::Value) -> Result<Snapshot, DomainError> {
        let obj = value
            .as_object()
            .ok_or_else(|| DomainError::invalid(PROPERTY_KEY, "must be a JSON object"))?;
        for field in ["purpose", "durationDays"] {
            if !obj.contains_key(field) {
                return Err(DomainError::invalid(field, "is required"));
            }
        }
        if let Some(extra) = obj.keys().find(|k| {
            !matches!(
                k.as_str(),
                "toolId" | "newTool" | "purpose" | "durationDays"
            )
        }) {
            return Err(DomainError::invalid(extra, "is not a snapshot field"));
        }
        let (tool_id, new_tool) = match (obj.get("toolId"), obj.get("newTool")) {
            (Some(_), Some(_)) => {
                return Err(DomainError::invalid(
                    "newTool",
                    "give either toolId or newTool, not both",
                ));
            }
            (None, None) => return Err(DomainError::invalid("toolId", "is required")),
            (Some(t), None) => {
                let t = t
                    .as_str()
                    .ok_or_else(|| DomainError::invalid("toolId", "must be a string"))?;
                crate::model::check_slug("toolId", t)?;
                (t.to_owned(), None)
            }
            (None, Some(n)) => {
                let n = n
                    .as_object()
                    .ok_or_else(|| DomainError::invalid("newTool", "must be an object"))?;
                if let Some(extra) = n.keys().find(|k| !matches!(k.as_str(), "name" | "url")) {
                    return Err(DomainError::invalid(
                        &format!("newTool.{extra}"),
                        "is not a field of newTool",
                    ));
                }
                let name = n
                    .get("name")
                    .and_then(|v| v.as_str())
                    .ok_or_else(|| DomainError::invalid("newTool.name", "must be a string"))?;
                let url = n
                    .get("url")
                    .and_then(|v| v.as_str())
                    .ok_or_else(|| DomainError::invalid("newTool.url", "must be a string"))?;
                check_text("newTool.name", name, 2, 120)?;
                check_https_url("newTool.url", url)?;
                let id = new_tool_id(name);
                if id.len() <= "new-".len() {
                    return Err(DomainError::invalid(
                        "newTool.name",
                        "must contain letters or digits",
                    ));
                }
                (
                    id,
                    Some(NewTool {
                        name: name.trim().to_owned(),
                        url: url.to_owned(),
                    }),
                )
            }
        };
        let purpose = obj["purpose"]
            .as_str()
            .ok_or_else(|| DomainError::invalid("purpose", "must be a string"))?;
        let duration_days = obj["durationDays"]
            .as_u64()
            .and_then(|d| u32::try_from(d).ok())
            .filter(|d| (DURATION_DAYS.0..=DURATION_DAYS.1).contains(d))
            .ok_or_else(|| {
                DomainError::invalid(
                    "durationDays",
                    "must be a whole number of days from 1 to 365",
                )
            })?;
        check_text("purpose", purpose, PURPOSE_MIN_CHARS, PURPOSE_MAX_CHARS).map_err(|_| {
            DomainError::invalid(
                "purpose",
                format!("must be {PURPOSE_MIN_CHARS} to {PURPOSE_MAX_CHARS} characters"),
            )
        })?;
        Ok(Snapshot {
            tool_id,
            purpose: purpose.trim().to_owned(),
            duration_days,
            new_tool,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_a_valid_snapshot() {
        let s = Snapshot::parse(
            &json!({"toolId": "claude", "purpose": "Drafting release notes", "durationDays": 30}),
        )
        .unwrap();
        assert_eq!(s.tool_id, "claude");
        assert_eq!(s.duration_days, 30);
    }

    #[test]
    fn parses_a_new_tool() {
        let s = Snapshot::parse(&json!({"newTool": {"name": "Foo AI Pro!", "url": "https://foo.ai/pro"}, "purpose": "Drafting release notes", "durationDays": 3})).unwrap();
        assert_eq!(s.tool_id, "new-foo-ai-pro");
        assert_eq!(s.new_tool.unwrap().url, "https://foo.ai/pro");
    }

    #[test]
    fn names_the_bad_field() {
        let cases = [
            (
                json!({"purpose": "Drafting release notes", "durationDays": 30}),
                "toolId",
            ),
            (
                json!({"toolId": "claude", "purpose": "short", "durationDays": 30}),
                "purpose",
            ),
            (
                json!({"toolId": "claude", "purpose": "Drafting release notes", "durationDays": 0}),
                "durationDays",
            ),
            (
                json!({"toolId": "claude", "purpose": "Drafting release notes", "durationDays": "30"}),
                "durationDays",
            ),
            (
                json!({"toolId": "claude", "purpose": "Drafting release notes", "durationDays": 3, "x": 1}),
                "x",
            ),
            (json!("claude"), PROPERTY_KEY),
            (
                json!({"newTool": {"name": "Foo AI", "url": "http://foo.ai"}, "purpose": "Drafting release notes", "durationDays": 3}),
                "newTool.url",
            ),
            (
                json!({"newTool": {"name": "Foo AI", "url": "https://foo.ai", "x": 1}, "purpose": "Drafting release notes", "durationDays": 3}),
                "newTool.x",
            ),
            (
                json!({"newTool": {"name": "", "url": "https://foo.ai"}, "purpose": "Drafting release notes", "durationDays": 3}),
                "newTool.name",
            ),
            (
                json!({"toolId": "claude", "newTool": {"name": "Foo", "url": "https://foo.ai"}, "purpose": "Drafting release notes", "durationDays": 3}),
                "newTool",
            ),
        ];
        for (v, field) in cases {
            assert_eq!(Snapshot::parse(&v).unwrap_err().field(), Some(field), "{v}");
        }
    }
}
