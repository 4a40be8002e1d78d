//! Conversions between the WIT types of the bindings and the
//! `aigis_platform` types the host services speak: requests inwards (JSON
//! text parsed on the way, so a bad value is the guest's `invalid-value`),
//! results and errors outwards. Each is a `From` / `TryFrom` impl; the
//! mirror types have the same cases, so every conversion is one to one.

use super::bindings::{egress, jira, queue, runtime, secrets, storage};
use aigis_jira_sim::SimResponse;
use aigis_platform as plat;

// ---- storage ----------------------------------------------------------------

impl From<plat::StorageError> for storage::StorageError {
    fn from(e: plat::StorageError) -> Self {
        use plat::StorageError as P;
        match e {
            P::InvalidKey(s) => Self::InvalidKey(s),
            P::InvalidValue(s) => Self::InvalidValue(s),
            P::KeyExists => Self::KeyExists,
            P::ConditionFailed => Self::ConditionFailed,
            P::InvalidTransaction(s) => Self::InvalidTransaction(s),
            P::UnknownEntity(s) => Self::UnknownEntity(s),
            P::InvalidCursor => Self::InvalidCursor,
            P::Backend(s) => Self::Backend(s),
        }
    }
}

/// A JSON text from the guest, parsed.
pub(crate) fn json(text: &str) -> Result<serde_json::Value, plat::StorageError> {
    serde_json::from_str(text)
        .map_err(|e| plat::StorageError::InvalidValue(format!("not JSON: {e}")))
}

impl From<plat::QueryPage> for storage::QueryPage {
    fn from(p: plat::QueryPage) -> Self {
        Self {
            items: p.items,
            next_cursor: p.next_cursor,
        }
    }
}

impl From<storage::SetOptions> for plat::SetOptions {
    fn from(o: storage::SetOptions) -> Self {
        Self {
            fail_if_exists: o.fail_if_exists,
        }
    }
}

impl From<storage::FilterOp> for plat::FilterOp {
    fn from(op: storage::FilterOp) -> Self {
        use storage::FilterOp as W;
        match op {
            W::EqualTo => Self::EqualTo,
            W::NotEqualTo => Self::NotEqualTo,
            W::Exists => Self::Exists,
            W::NotExists => Self::NotExists,
            W::GreaterThan => Self::GreaterThan,
            W::GreaterThanEqualTo => Self::GreaterThanEqualTo,
            W::LessThan => Self::LessThan,
            W::LessThanEqualTo => Self::LessThanEqualTo,
            W::BeginsWith => Self::BeginsWith,
            W::Contains => Self::Contains,
            W::NotContains => Self::NotContains,
        }
    }
}

impl From<storage::SortOrder> for plat::SortOrder {
    fn from(o: storage::SortOrder) -> Self {
        match o {
            storage::SortOrder::Asc => Self::Asc,
            storage::SortOrder::Desc => Self::Desc,
        }
    }
}

impl TryFrom<storage::Condition> for plat::Condition {
    type Error = plat::StorageError;
    fn try_from(c: storage::Condition) -> Result<Self, Self::Error> {
        Ok(Self {
            attribute: c.attribute,
            op: c.op.into(),
            value: c.value.as_deref().map(json).transpose()?,
        })
    }
}

fn conditions(cs: Vec<storage::Condition>) -> Result<Vec<plat::Condition>, plat::StorageError> {
    cs.into_iter().map(TryInto::try_into).collect()
}

impl TryFrom<storage::RangeCondition> for plat::RangeCondition {
    type Error = plat::StorageError;
    fn try_from(r: storage::RangeCondition) -> Result<Self, Self::Error> {
        use storage::RangeCondition as W;
        Ok(match r {
            W::EqualTo(v) => Self::EqualTo(json(&v)?),
            W::BeginsWith(s) => Self::BeginsWith(s),
            W::Between((a, b)) => Self::Between(json(&a)?, json(&b)?),
            W::GreaterThan(v) => Self::GreaterThan(json(&v)?),
            W::GreaterThanEqualTo(v) => Self::GreaterThanEqualTo(json(&v)?),
            W::LessThan(v) => Self::LessThan(json(&v)?),
            W::LessThanEqualTo(v) => Self::LessThanEqualTo(json(&v)?),
        })
    }
}

impl TryFrom<storage::IndexQuery> for plat::EntityQuery {
    type Error = plat::StorageError;
    fn try_from(q: storage::IndexQuery) -> Result<Self, Self::Error> {
        Ok(Self {
            entity: q.entity,
            index: q.index,
            partition: q
                .partition
                .iter()
                .map(|p| json(p))
                .collect::<Result<_, _>>()?,
            range: q.range.map(TryInto::try_into).transpose()?,
            filters: conditions(q.filters)?,
            order: q.order.into(),
            cursor: q.cursor,
            limit: q.limit,
        })
    }
}

impl TryFrom<storage::TxnOp> for plat::TxnOp {
    type Error = plat::StorageError;
    fn try_from(op: storage::TxnOp) -> Result<Self, Self::Error> {
        Ok(match op {
            storage::TxnOp::Set(s) => Self::Set {
                key: s.key,
                entity: s.entity,
                value: s.value,
                conditions: conditions(s.conditions)?,
            },
            storage::TxnOp::Delete(t) => Self::Delete {
                key: t.key,
                entity: t.entity,
                conditions: conditions(t.conditions)?,
            },
            storage::TxnOp::Check(t) => Self::Check {
                key: t.key,
                entity: t.entity,
                conditions: conditions(t.conditions)?,
            },
        })
    }
}

// ---- secrets ----------------------------------------------------------------

impl From<plat::SecretError> for secrets::SecretError {
    fn from(e: plat::SecretError) -> Self {
        match e {
            plat::SecretError::InvalidKey(s) => Self::InvalidKey(s),
            plat::SecretError::Backend(s) => Self::Backend(s),
        }
    }
}

// ---- jira -------------------------------------------------------------------

impl From<jira::Principal> for plat::Principal {
    fn from(p: jira::Principal) -> Self {
        match p {
            jira::Principal::App => Self::App,
            jira::Principal::User => Self::User,
        }
    }
}

impl From<jira::Request> for plat::JiraRequest {
    fn from(r: jira::Request) -> Self {
        Self {
            principal: r.principal.into(),
            method: r.method,
            path: r.path,
            headers: r.headers,
            body: r.body,
        }
    }
}

impl From<SimResponse> for jira::Response {
    fn from(r: SimResponse) -> Self {
        Self {
            status: r.status,
            headers: r.headers,
            body: r.body,
        }
    }
}

impl From<plat::JiraError> for jira::JiraError {
    fn from(e: plat::JiraError) -> Self {
        match e {
            plat::JiraError::NotAllowed(s) => Self::NotAllowed(s),
            plat::JiraError::Network(s) => Self::Network(s),
        }
    }
}

// ---- egress -----------------------------------------------------------------

impl From<egress::Request> for plat::FetchRequest {
    fn from(r: egress::Request) -> Self {
        Self {
            method: r.method,
            url: r.url,
            headers: r.headers,
            body: r.body,
        }
    }
}

impl From<plat::HttpResponse> for egress::Response {
    fn from(r: plat::HttpResponse) -> Self {
        Self {
            status: r.status,
            headers: r.headers,
            body: r.body,
        }
    }
}

impl From<plat::FetchError> for egress::FetchError {
    fn from(e: plat::FetchError) -> Self {
        match e {
            plat::FetchError::HostNotAllowed(s) => Self::HostNotAllowed(s),
            plat::FetchError::InvalidUrl(s) => Self::InvalidUrl(s),
            plat::FetchError::Network(s) => Self::Network(s),
        }
    }
}

// ---- queue ------------------------------------------------------------------

impl From<plat::QueueError> for queue::QueueError {
    fn from(e: plat::QueueError) -> Self {
        match e {
            plat::QueueError::InvalidPush(s) => Self::InvalidPush(s),
            plat::QueueError::Backend(s) => Self::Backend(s),
        }
    }
}

// ---- runtime ----------------------------------------------------------------

impl From<runtime::Level> for plat::LogLevel {
    fn from(l: runtime::Level) -> Self {
        match l {
            runtime::Level::Debug => Self::Debug,
            runtime::Level::Info => Self::Info,
            runtime::Level::Warn => Self::Warn,
            runtime::Level::Error => Self::Error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_json_is_parsed_and_bad_json_is_an_invalid_value() {
        let c = plat::Condition::try_from(storage::Condition {
            attribute: "status".into(),
            op: storage::FilterOp::EqualTo,
            value: Some("\"open\"".into()),
        })
        .unwrap();
        assert_eq!(
            c,
            plat::Condition::equal("status", serde_json::json!("open"))
        );
        let e = plat::RangeCondition::try_from(storage::RangeCondition::Between((
            "1".into(),
            "{".into(),
        )))
        .unwrap_err();
        assert!(matches!(e, plat::StorageError::InvalidValue(ref m) if m.starts_with("not JSON")));
        let op = plat::TxnOp::try_from(storage::TxnOp::Check(storage::TxnTarget {
            key: "k".into(),
            entity: Some("thing".into()),
            conditions: vec![storage::Condition {
                attribute: "n".into(),
                op: storage::FilterOp::NotExists,
                value: None,
            }],
        }))
        .unwrap();
        assert_eq!(op.target(), (Some("thing"), "k"));
        assert_eq!(op.conditions()[0].op, plat::FilterOp::NotExists);
    }

    #[test]
    fn errors_keep_their_case_and_text() {
        let e: storage::StorageError = plat::StorageError::UnknownEntity("nope".into()).into();
        assert!(matches!(e, storage::StorageError::UnknownEntity(ref s) if s == "nope"));
        let e: egress::FetchError = plat::FetchError::InvalidUrl("x".into()).into();
        assert!(matches!(e, egress::FetchError::InvalidUrl(ref s) if s == "x"));
        let e: queue::QueueError = plat::QueueError::InvalidPush("y".into()).into();
        assert!(matches!(e, queue::QueueError::InvalidPush(ref s) if s == "y"));
    }
}
