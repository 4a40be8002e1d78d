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
        self.error_code().as_str()
    }

    pub fn error_code(&self) -> ErrorCode {
        match self {
            DomainError::Invalid { .. } => ErrorCode::Invalid,
            DomainError::Forbidden(_) => ErrorCode::Forbidden,
            DomainError::Conflict(_) => ErrorCode::Conflict,
            DomainError::NotFound(_) => ErrorCode::NotFound,
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            DomainError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// The one list of error codes every answer uses (`{code, message, field?}`),
/// each owning its HTTP status. The app, both hosts and the UI share it (the
/// UI's copy is generated from this type), so a code means the same
/// everywhere and no host invents its own mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    /// The input broke a rule; `field` names it.
    Invalid,
    /// No signed-in user where one is needed.
    Unauthenticated,
    /// The caller may not do this.
    Forbidden,
    /// The thing (or function) does not exist, or the caller may not know it does.
    NotFound,
    /// The endpoint exists but not for this HTTP method.
    MethodNotAllowed,
    /// The request contradicts current state (duplicate, already decided, raced).
    Conflict,
    /// The request body is larger than the host accepts.
    TooLarge,
    /// Too many sensitive calls; `retryAfter` says when to try again.
    RateLimited,
    /// A fault on our side that retrying will not fix.
    Internal,
    /// A dependency (storage, Jira) failed; retrying later may work.
    Unavailable,
}

impl ErrorCode {
    /// Every code, in status order.
    pub const ALL: [ErrorCode; 10] = [
        ErrorCode::Invalid,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Conflict,
        ErrorCode::TooLarge,
        ErrorCode::RateLimited,
        ErrorCode::Internal,
        ErrorCode::Unavailable,
    ];

    /// The wire name, e.g. `not-found`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Invalid => "invalid",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not-found",
            ErrorCode::MethodNotAllowed => "method-not-allowed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::TooLarge => "too-large",
            ErrorCode::RateLimited => "rate-limited",
            ErrorCode::Internal => "internal",
            ErrorCode::Unavailable => "unavailable",
        }
    }

    /// The HTTP status an answer with this code carries.
    pub const fn status(self) -> u16 {
        match self {
            ErrorCode::Invalid => 400,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Conflict => 409,
            ErrorCode::TooLarge => 413,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
            ErrorCode::Unavailable => 503,
        }
    }

    /// The code with wire name `s`; `None` for anything else.
    pub fn parse(s: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Lets tests and callers compare with the wire name: `e.code == "invalid"`.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod code_tests {
    use super::ErrorCode;

    #[test]
    fn codes_round_trip_and_own_distinct_statuses() {
        let mut statuses = std::collections::BTreeSet::new();
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(c.as_str()), Some(c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
            assert!(statuses.insert(c.status()), "{c} shares its status");
        }
        assert_eq!(ErrorCode::parse("unknown"), None);
        assert_eq!(ErrorCode::Unavailable.status(), 503);
    }
}
