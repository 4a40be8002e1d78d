//! `aigis.snapshot.v1`: what the portal create panel stores on the issue as
//! an issue property when a requester asks for a tool.

use crate::error::DomainError;
use crate::model::check_text;
use serde::{Deserialize, Serialize};

/// The issue property key the portal panel writes.
pub const PROPERTY_KEY: &str = "aigis.snapshot.v1";

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
}

impl Snapshot {
    /// Parses and validates a stored snapshot; errors name the field.
    pub fn parse(value: &serde_json::Value) -> Result<Snapshot, DomainError> {
        let obj = value
            .as_object()
            .ok_or_else(|| DomainError::invalid(PROPERTY_KEY, "must be a JSON object"))?;
        for field in ["toolId", "purpose", "durationDays"] {
            if !obj.contains_key(field) {
                return Err(DomainError::invalid(field, "is required"));
            }
        }
        if let Some(extra) = obj
            .keys()
            .find(|k| !matches!(k.as_str(), "toolId" | "purpose" | "durationDays"))
        {
            return Err(DomainError::invalid(extra, "is not a snapshot field"));
        }
        let tool_id = obj["toolId"]
            .as_str()
            .ok_or_else(|| DomainError::invalid("toolId", "must be a string"))?;
        let purpose = obj["purpose"]
            .as_str()
            .ok_or_else(|| DomainError::invalid("purpose", "must be a string"))?;
        let duration_days = obj["durationDays"]
            .as_u64()
            .and_then(|d| u32::try_from(d).ok())
            .filter(|d| (1..=365).contains(d))
            .ok_or_else(|| {
                DomainError::invalid(
                    "durationDays",
                    "must be a whole number of days from 1 to 365",
                )
            })?;
        crate::model::check_slug("toolId", tool_id)?;
        check_text("purpose", purpose, 10, 2000)
            .map_err(|_| DomainError::invalid("purpose", "must be 10 to 2000 characters"))?;
        Ok(Snapshot {
            tool_id: tool_id.to_owned(),
            purpose: purpose.trim().to_owned(),
            duration_days,
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
        ];
        for (v, field) in cases {
            assert_eq!(Snapshot::parse(&v).unwrap_err().field(), Some(field), "{v}");
        }
    }
}
