//! The error every use case returns, serialised for callers as
//! `{ "code", "message", "field"?, "retryAfter"? }`.
//!
//! Invariant: a message is for the person who made the call. It names the
//! field and the rule, or says in plain words what went wrong; it never
//! carries storage, SQL, serde or Rust type names. What went wrong inside
//! (a storage or Jira failure) goes to [`AppError::detail`], which the
//! router logs and nobody receives.

use aigis_core::{DomainError, ErrorCode};
use aigis_platform::{JiraError, SecretError, StorageError};
use serde::Serialize;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[error("{code}: {message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// The payload field at fault, by its path (`rationale`, `items[3].id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub field: Option<String>,
    /// For `rate-limited`: seconds until a new call is allowed.
    #[serde(rename = "retryAfter", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub retry_after: Option<u64>,
    /// What went wrong inside, for the log only.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub detail: Option<String>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
            field: None,
            retry_after: None,
            detail: None,
        }
    }
    pub fn invalid(field: &str, rule: impl Into<String>) -> Self {
        DomainError::invalid(field, rule).into()
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }
    /// A fault of ours: the caller is told only that it happened; `detail`
    /// goes to the log.
    pub fn internal(detail: impl Into<String>) -> Self {
        let mut e = Self::new(
            ErrorCode::Internal,
            "Aigis hit an internal error; it has been logged",
        );
        e.detail = Some(detail.into());
        e
    }
    /// A dependency failed: `message` says which in plain words, `detail`
    /// (for the log) how.
    pub fn unavailable(message: impl Into<String>, detail: impl Into<String>) -> Self {
        let mut e = Self::new(ErrorCode::Unavailable, message);
        e.detail = Some(detail.into());
        e
    }
    /// The message and, where there is one, the detail: for logs only.
    pub fn log_text(&self) -> String {
        match &self.detail {
            Some(d) => format!("{} ({d})", self.message),
            None => self.message.clone(),
        }
    }
    pub fn status(&self) -> u16 {
        self.code.status()
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
            code: e.error_code(),
            field: e.field().map(str::to_owned),
            message,
            retry_after: None,
            detail: None,
        }
    }
}

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> Self {
        match e {
            // Cursors come from callers: one the store refuses is theirs to fix.
            StorageError::InvalidCursor => {
                AppError::invalid("cursor", "is not a cursor this function returned")
            }
            // Everything else that reaches a caller is ours: keys and values
            // are the app's own, checked before they are written.
            StorageError::InvalidKey(_)
            | StorageError::InvalidValue(_)
            | StorageError::InvalidTransaction(_)
            | StorageError::UnknownEntity(_) => AppError::internal(format!("storage: {e}")),
            StorageError::KeyExists | StorageError::ConditionFailed => {
                AppError::conflict("the data changed while this call was being made; try again")
            }
            StorageError::Backend(_) => AppError::unavailable(
                "Aigis could not read or save its data just now; try again shortly",
                format!("storage: {e}"),
            ),
        }
    }
}

impl From<SecretError> for AppError {
    fn from(e: SecretError) -> Self {
        // The message of a secret error never carries the secret itself.
        AppError::unavailable(
            "Aigis could not reach its secret store just now; try again shortly",
            format!("secret storage: {e}"),
        )
    }
}

impl From<JiraError> for AppError {
    fn from(e: JiraError) -> Self {
        AppError::unavailable(
            "Jira did not answer; try again shortly",
            format!("jira: {e}"),
        )
    }
}
