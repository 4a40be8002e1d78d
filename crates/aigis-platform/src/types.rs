//! Value types shared by the port traits; each mirrors a WIT type.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StorageError {
    #[error("invalid key: {0}")]
    InvalidKey(String),
    #[error("invalid value: {0}")]
    InvalidValue(String),
    #[error("key already exists")]
    KeyExists,
    #[error("transaction condition failed")]
    ConditionFailed,
    #[error("invalid transaction: {0}")]
    InvalidTransaction(String),
    #[error("unknown entity or index: {0}")]
    UnknownEntity(String),
    #[error("invalid cursor")]
    InvalidCursor,
    #[error("storage backend: {0}")]
    Backend(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SecretError {
    #[error("invalid secret key: {0}")]
    InvalidKey(String),
    #[error("secret storage: {0}")]
    Backend(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum JiraError {
    #[error("not allowed: {0}")]
    NotAllowed(String),
    #[error("network: {0}")]
    Network(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FetchError {
    #[error("egress host not allowed: {0}")]
    HostNotAllowed(String),
    #[error("invalid url: {0}")]
    InvalidUrl(String),
    #[error("network: {0}")]
    Network(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QueueError {
    #[error("invalid push: {0}")]
    InvalidPush(String),
    #[error("queue backend: {0}")]
    Backend(String),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SetOptions {
    pub fail_if_exists: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryPage {
    pub items: Vec<(String, String)>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    #[default]
    Asc,
    Desc,
}

/// `WhereConditions.*` on an index's range attribute; values are JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum RangeCondition {
    EqualTo(serde_json::Value),
    BeginsWith(String),
    Between(serde_json::Value, serde_json::Value),
    GreaterThan(serde_json::Value),
    GreaterThanEqualTo(serde_json::Value),
    LessThan(serde_json::Value),
    LessThanEqualTo(serde_json::Value),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterOp {
    EqualTo,
    NotEqualTo,
    Exists,
    NotExists,
    GreaterThan,
    GreaterThanEqualTo,
    LessThan,
    LessThanEqualTo,
    BeginsWith,
    Contains,
    NotContains,
}

/// One clause of a `Filter`; `value` is `None` for `Exists` / `NotExists`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub attribute: String,
    pub op: FilterOp,
    pub value: Option<serde_json::Value>,
}

impl Condition {
    pub fn new(attribute: &str, op: FilterOp, value: serde_json::Value) -> Self {
        Condition {
            attribute: attribute.to_owned(),
            op,
            value: Some(value),
        }
    }
    pub fn equal(attribute: &str, value: serde_json::Value) -> Self {
        Self::new(attribute, FilterOp::EqualTo, value)
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct EntityQuery {
    pub entity: String,
    pub index: String,
    pub partition: Vec<serde_json::Value>,
    pub range: Option<RangeCondition>,
    pub filters: Vec<Condition>,
    pub order: SortOrder,
    pub cursor: Option<String>,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TxnOp {
    Set {
        key: String,
        entity: Option<String>,
        value: String,
        conditions: Vec<Condition>,
    },
    Delete {
        key: String,
        entity: Option<String>,
        conditions: Vec<Condition>,
    },
    Check {
        key: String,
        entity: Option<String>,
        conditions: Vec<Condition>,
    },
}

impl TxnOp {
    pub fn target(&self) -> (Option<&str>, &str) {
        match self {
            TxnOp::Set { key, entity, .. }
            | TxnOp::Delete { key, entity, .. }
            | TxnOp::Check { key, entity, .. } => (entity.as_deref(), key.as_str()),
        }
    }
    pub fn conditions(&self) -> &[Condition] {
        match self {
            TxnOp::Set { conditions, .. }
            | TxnOp::Delete { conditions, .. }
            | TxnOp::Check { conditions, .. } => conditions,
        }
    }
    /// Unconditional entity set.
    pub fn put(entity: &str, key: &str, value: String) -> Self {
        TxnOp::Set {
            key: key.to_owned(),
            entity: Some(entity.to_owned()),
            value,
            conditions: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    App,
    User,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JiraRequest {
    pub principal: Principal,
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}
