//! The error every use case returns, serialised for callers as
//! `{ "code", "message", "field"? }`.

use aigis_core::DomainError;
use aigis_platform::{JiraError, SecretError, StorageError};
use serde::Serialize;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[error("{code}: {message}")]
pub struct AppError {
    /// invalid | unauthenticated | forbidden | not-found | conflict |
    /// rate-limited | unavailable | internal
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For `rate-limited`: seconds until a new call is allowed.
    #[serde(rename = "retryAfter", skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl AppError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }
    pub fn invalid(field: &str, rule: impl Into<String>) -> Self {
        DomainError::invalid(field, rule).into()
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new("forbidden", message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new("not-found", message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new("internal", message)
    }
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| format!("{{\"code\":\"{}\"}}", self.code))
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        let message = match &e {
            DomainError::Invalid { .. } => e.to_string(),
            DomainError::Forbidden(m) | DomainError::Conflict(m) | DomainError::NotFound(m) => {
                m.clone()
            }
        };
        AppError {
            code: e.code(),
            field: e.field().map(str::to_owned),
            message,
            retry_after: None,
        }
    }
}

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> Self {
        AppError::new("unavailable", format!("storage: {e}"))
    }
}

impl From<SecretError> for AppError {
    fn from(e: SecretError) -> Self {
        // The message of a secret error never carries the secret itself.
        AppError::new("unavailable", format!("secret storage: {e}"))
    }
}

impl From<JiraError> for AppError {
    fn from(e: JiraError) -> Self {
        AppError::new("unavailable", format!("jira: {e}"))
    }
}

/// Parses a JSON payload into `T`; errors name the field by its path
/// (`rationale`, `items[3].id`) and say what it must be.
pub fn parse_payload<T: serde::de::DeserializeOwned>(payload: &str) -> Result<T, AppError> {
    // Syntax first, then shape: serde_json's streaming deserializer reports a
    // wrong type for an enum (`"status": true`) as a syntax error ("expected
    // value") that would hide the field; from a parsed value it is a data
    // error at the field's path.
    let value: serde_json::Value = serde_json::from_str(payload).map_err(|e| {
        let inner = e.to_string();
        let rule = inner.split(" at line ").next().unwrap_or(&inner).to_owned();
        AppError {
            code: "invalid",
            message: format!("payload: must be JSON: {rule}"),
            field: Some("payload".to_owned()),
            retry_after: None,
        }
    })?;
    // serde reads a struct from an array too (fields by position): every
    // payload is an object, so anything else is refused here.
    if !value.is_object() {
        return Err(AppError {
            code: "invalid",
            message: "payload: must be a JSON object".to_owned(),
            field: Some("payload".to_owned()),
            retry_after: None,
        });
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.inner().to_string();
        let rule = inner.split(" at line ").next().unwrap_or(&inner).to_owned();
        // For unknown or missing fields serde names the field itself.
        let named = rule
            .split('`')
            .nth(1)
            .filter(|_| rule.starts_with("unknown field") || rule.starts_with("missing field"));
        let syntax = matches!(
            e.inner().classify(),
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof
        );
        let path = if syntax {
            String::new()
        } else {
            e.path().to_string()
        };
        let field = match (named, path.as_str()) {
            (Some(n), "." | "") => n.to_owned(),
            (Some(n), p) if rule.starts_with("missing field") => format!("{p}.{n}"),
            (Some(n), p) if rule.starts_with("unknown field") && !p.ends_with(n) => {
                format!("{p}.{n}")
            }
            (_, "." | "") => "payload".to_owned(),
            (_, p) => p.to_owned(),
        };
        AppError {
            code: "invalid",
            message: format!("{field}: {rule}"),
            field: Some(field),
            retry_after: None,
        }
    })
}

/// For functions that take no arguments: refuses any field.
pub fn no_args(payload: &str) -> Result<(), AppError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct NoArgs {}
    parse_payload::<NoArgs>(payload).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct P {
        request_id: String,
    }

    #[test]
    fn payload_errors_name_the_field() {
        let field = |s: &str| parse_payload::<P>(s).unwrap_err().field.unwrap();
        assert_eq!(field(r#"{"request_id":"1","x":2}"#), "x");
        assert_eq!(field(r#"{}"#), "request_id");
        assert_eq!(field(r#"{"request_id":5}"#), "request_id");
        assert_eq!(field("{\"request_id\""), "payload");
        let err = parse_payload::<P>(r#"{"request_id":5}"#).unwrap_err();
        assert_eq!(err.code, "invalid");
        assert!(err.message.contains("expected a string"), "{err:?}");
    }
}
