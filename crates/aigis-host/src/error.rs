//! The host's errors and the one shape every error answer has,
//! `{code, message, field?}`, whose `code` is an [`ErrorCode`] that owns the
//! HTTP status. The server and the CLI both answer through [`ErrorBody`], so
//! a failure reads the same on either edge; what went wrong inside (engine,
//! database, file names) goes to the host log, never into the answer.

use aigis_core::ErrorCode;
use serde::Serialize;
use serde_json::Value;
use std::path::PathBuf;
use thiserror::Error;

use crate::manifest::ManifestError;

#[derive(Debug, Error)]
pub enum HostError {
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error("unknown function `{0}` (not in manifest.yml modules.function)")]
    UnknownFunction(String),
    #[error("`{0}` is not bound as {1} in manifest.yml")]
    NotBound(String, &'static str),
    #[error("component {path} is missing or unreadable ({message}); run `make components`")]
    ComponentMissing { path: PathBuf, message: String },
    #[error("wasm: {0}")]
    Wasm(String),
    #[error("function `{function}` exceeded its time limit of {seconds} s: time limit exceeded")]
    TimeLimit { function: String, seconds: f64 },
    #[error("function `{function}` returned a malformed result: {message}")]
    BadResult { function: String, message: String },
    #[error("function `{function}` failed: {error}")]
    Failed { function: String, error: String },
    #[error("unknown user `{0}` in the Jira simulator")]
    UnknownUser(String),
    #[error("host database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("{what}: {message}")]
    Backend { what: &'static str, message: String },
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

impl HostError {
    pub(crate) fn backend(what: &'static str, e: impl std::fmt::Display) -> HostError {
        HostError::Backend {
            what,
            message: e.to_string(),
        }
    }

    /// The code an answer about this error carries.
    pub fn code(&self) -> ErrorCode {
        match self {
            HostError::UnknownFunction(_) | HostError::NotBound(..) => ErrorCode::NotFound,
            HostError::UnknownUser(_) => ErrorCode::Unauthenticated,
            HostError::Db(_) | HostError::Backend { .. } => ErrorCode::Unavailable,
            HostError::Manifest(_)
            | HostError::ComponentMissing { .. }
            | HostError::Wasm(_)
            | HostError::TimeLimit { .. }
            | HostError::BadResult { .. }
            | HostError::Failed { .. }
            | HostError::Io(_) => ErrorCode::Internal,
        }
    }

    /// What an answer says: the failure as the caller can act on it, with
    /// no engine, database or file text (the `Display` form, for the log,
    /// has those).
    pub fn public_message(&self) -> String {
        const SEE_LOG: &str = "(detail in the host log)";
        match self {
            HostError::Manifest(ManifestError::Field { field, .. }) => {
                format!("manifest.yml is invalid at `{field}` {SEE_LOG}")
            }
            HostError::Manifest(ManifestError::Read { .. }) => {
                format!("manifest.yml cannot be read {SEE_LOG}")
            }
            HostError::UnknownFunction(key) => format!("unknown function `{key}`"),
            HostError::NotBound(key, what) => format!("`{key}` is not bound as {what}"),
            HostError::ComponentMissing { .. } => {
                "the function's component is not built; run `make components`".into()
            }
            HostError::Wasm(_) => format!("the function could not run {SEE_LOG}"),
            HostError::TimeLimit { function, seconds } => {
                format!("function `{function}` exceeded its time limit of {seconds} s")
            }
            HostError::BadResult { function, .. } => {
                format!("function `{function}` returned a malformed result {SEE_LOG}")
            }
            HostError::Failed { function, .. } => format!("function `{function}` failed {SEE_LOG}"),
            HostError::UnknownUser(_) => "unknown user".into(),
            HostError::Db(_) | HostError::Backend { .. } => {
                format!("the host's state is unavailable; try again {SEE_LOG}")
            }
            HostError::Io(_) => format!("the host could not read or write a file {SEE_LOG}"),
        }
    }

    /// The answer about this error.
    pub fn body(&self) -> ErrorBody {
        ErrorBody::new(self.code(), self.public_message())
    }
}

/// An error answer: `{code, message, field?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    /// The input at fault (`invalid` answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// An `invalid` answer about input `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            field: Some(field.to_owned()),
            ..ErrorBody::new(ErrorCode::Invalid, message)
        }
    }

    /// The HTTP status the code owns.
    pub fn status(&self) -> u16 {
        self.code.status()
    }

    pub fn to_json(&self) -> Value {
        let mut v = serde_json::json!({ "code": self.code, "message": self.message });
        if let Some(field) = &self.field {
            v["field"] = Value::String(field.clone());
        }
        v
    }
}

impl From<&HostError> for ErrorBody {
    fn from(e: &HostError) -> ErrorBody {
        e.body()
    }
}

/// A component's JSON error as the host answers it, with its code: passed
/// through when it has a known `code` and a string `message` (any other
/// members, such as `field` or `retryAfter`, kept); anything else is the
/// component's fault, answered as `internal` with the original in the log.
pub fn component_error(function: &str, error: &Value) -> (ErrorCode, Value) {
    let code = error
        .get("code")
        .and_then(Value::as_str)
        .and_then(ErrorCode::parse);
    match code {
        Some(code) if error.get("message").is_some_and(Value::is_string) => (code, error.clone()),
        _ => {
            tracing::warn!(target: "aigis::host", function, "malformed error from the function: {error}");
            let body = ErrorBody::new(
                ErrorCode::Internal,
                format!("function `{function}` failed (detail in the host log)"),
            );
            (ErrorCode::Internal, body.to_json())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Words that would betray the host's insides.
    const LEAKS: &[&str] = &[
        "wasm", "rusqlite", "sqlite", "sql", "panicked", "::", ".rs", ".db", "/tmp", "select ",
    ];

    fn assert_clean(message: &str) {
        let lower = message.to_ascii_lowercase();
        for word in LEAKS {
            assert!(!lower.contains(word), "`{word}` in {message:?}");
        }
    }

    #[test]
    fn every_host_error_answers_with_its_code_and_a_clean_message() {
        let nasty =
            "rusqlite::Error SqliteFailure at /tmp/x/forge.db: SELECT v FROM kvs; wasm trap";
        let cases: Vec<(HostError, ErrorCode)> = vec![
            (
                ManifestError::Field {
                    field: "modules.function[2]".into(),
                    message: format!("expected struct RawFunction {nasty}"),
                }
                .into(),
                ErrorCode::Internal,
            ),
            (
                ManifestError::Read {
                    path: "/tmp/x/manifest.yml".into(),
                    source: std::io::Error::other(nasty),
                }
                .into(),
                ErrorCode::Internal,
            ),
            (HostError::UnknownFunction("f".into()), ErrorCode::NotFound),
            (
                HostError::NotBound("m".into(), "a resolver"),
                ErrorCode::NotFound,
            ),
            (
                HostError::ComponentMissing {
                    path: "/tmp/x/aigis_resolvers.wasm".into(),
                    message: nasty.into(),
                },
                ErrorCode::Internal,
            ),
            (HostError::Wasm(nasty.into()), ErrorCode::Internal),
            (
                HostError::TimeLimit {
                    function: "f".into(),
                    seconds: 1.0,
                },
                ErrorCode::Internal,
            ),
            (
                HostError::BadResult {
                    function: "f".into(),
                    message: nasty.into(),
                },
                ErrorCode::Internal,
            ),
            (
                HostError::Failed {
                    function: "f".into(),
                    error: nasty.into(),
                },
                ErrorCode::Internal,
            ),
            (
                HostError::UnknownUser(nasty.into()),
                ErrorCode::Unauthenticated,
            ),
            (
                HostError::Db(rusqlite::Error::InvalidQuery),
                ErrorCode::Unavailable,
            ),
            (
                HostError::backend("forge.db", nasty),
                ErrorCode::Unavailable,
            ),
            (
                HostError::Io(std::io::Error::other(nasty)),
                ErrorCode::Internal,
            ),
        ];
        for (e, code) in cases {
            let body = e.body();
            assert_eq!(body.code, code, "{e}");
            assert_eq!(body.status(), code.status());
            assert!(!body.message.is_empty());
            assert_clean(&body.message);
            let v = body.to_json();
            assert_eq!(v["code"], code.as_str());
            assert_eq!(v.as_object().map(|o| o.len()), Some(2), "{v}");
        }
        assert_eq!(HostError::backend("x", "y").body().status(), 503);
    }

    #[test]
    fn invalid_answers_name_the_field() {
        let v = ErrorBody::invalid("payload", "not JSON").to_json();
        assert_eq!(
            v,
            json!({"code": "invalid", "message": "not JSON", "field": "payload"})
        );
    }

    #[test]
    fn component_errors_pass_through_only_when_well_formed() {
        let e = json!({"code": "rate-limited", "message": "slow down", "retryAfter": 30});
        assert_eq!(
            component_error("f", &e),
            (ErrorCode::RateLimited, e.clone())
        );
        for bad in [
            json!({"code": "boom", "message": "x"}),
            json!({"code": "invalid"}),
            json!({"code": "invalid", "message": 3}),
            json!("oops"),
        ] {
            let (code, v) = component_error("f", &bad);
            assert_eq!(code, ErrorCode::Internal, "{bad}");
            assert_eq!(v["code"], "internal");
            assert!(v["message"].as_str().unwrap().contains("`f`"));
        }
    }
}
