//! Domain errors. Each carries a stable `code` the UI and API callers can
//! match on, and invalid input names the field and the rule it broke.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// Input broke a rule: `field` names the input, `rule` says what it must be.
    #[error("{field}: {rule}")]
    Invalid { field: String, rule: String },
    /// The caller may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The operation contradicts current state (duplicate, already decided).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The named thing does not exist.
    #[error("not found: {0}")]
    NotFound(String),
}

impl DomainError {
    pub fn invalid(field: &str, rule: impl Into<String>) -> Self {
        DomainError::Invalid {
            field: field.to_owned(),
            rule: rule.into(),
        }
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Invalid { .. } => "invalid",
            DomainError::Forbidden(_) => "forbidden",
            DomainError::Conflict(_) => "conflict",
            DomainError::NotFound(_) => "not-found",
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            DomainError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}
