//! Typed identifiers, validated when they are parsed.
//!
//! An identifier that reaches the app from outside (a resolver payload) is
//! one of these types, so a malformed one is refused at the boundary as
//! `invalid` on its field, never passed on to storage. Each type's rule is
//! at most what a storage key allows (Forge: 1-500 characters of
//! `[a-zA-Z0-9:._\s-#]`) and usually much less: the shape the app itself
//! gives that kind of id.

use crate::error::DomainError;
use serde::{Deserialize, Deserializer, Serialize};

/// Defines a string newtype whose every value passed `$check`.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $rule:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// What a valid value looks like, in plain words.
            pub const RULE: &'static str = $rule;

            /// Checks `s` against the rule; `field` names it in the error.
            pub fn parse(field: &str, s: &str) -> Result<Self, DomainError> {
                let check: fn(&str) -> bool = $check;
                if check(s) {
                    Ok($name(s.to_owned()))
                } else {
                    Err(DomainError::invalid(field, $rule))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                // The rule is the whole message: the caller's path names the field.
                let s = String::deserialize(d)?;
                let check: fn(&str) -> bool = $check;
                if check(&s) {
                    Ok($name(s))
                } else {
                    Err(serde::de::Error::custom(RuleBroken($rule)))
                }
            }
        }
    };
}

/// A rule a value broke, as a deserialisation error message: the payload
/// parser recognises the marker and reports the rule as it is.
pub struct RuleBroken(pub &'static str);

/// The prefix marking a message that is already in plain words.
pub const RULE_MARK: &str = "\u{1}rule:";

impl std::fmt::Display for RuleBroken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{RULE_MARK}{}", self.0)
    }
}

fn digits(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// A Jira id: 1 to 18 digits.
pub fn is_jira_id(s: &str) -> bool {
    digits(s, 18)
}

/// A lowercase slug: `[a-z0-9][a-z0-9-]{0,63}`.
pub fn is_slug(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && !s.starts_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A Jira accountId: 1-128 of letters, digits, `:`, `-`, `_`.
pub fn is_account_id(s: &str) -> bool {
    (1..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'-' | b'_'))
}

/// A Jira project key: an uppercase letter, then up to 9 uppercase
/// letters, digits or `_`.
pub fn is_project_key(s: &str) -> bool {
    let b = s.as_bytes();
    (1..=10).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
}

id_type!(
    /// A request: the id of the Jira issue it was ingested from.
    RequestId,
    "must be a request id: the Jira issue id, 1 to 18 digits (e.g. 10000)",
    is_jira_id
);
id_type!(
    /// A grant: `g-` and the id of the request it came from.
    GrantId,
    "must be a grant id: g- and 1 to 18 digits (e.g. g-10000)",
    |s| s.strip_prefix("g-").is_some_and(|d| digits(d, 18))
);
id_type!(
    /// A job: `j-` and the audit sequence number of the change that queued it.
    JobId,
    "must be a job id: j- and 1 to 18 digits (e.g. j-9)",
    |s| s.strip_prefix("j-").is_some_and(|d| digits(d, 18))
);
id_type!(
    /// A catalog tool.
    ToolId,
    "must be a tool id: 1 to 64 characters of a-z, 0-9 and '-', not starting with '-'",
    is_slug
);
id_type!(
    /// A connector to an identity provider (Okta or Entra).
    ConnectorId,
    "must be a connector id: 1 to 64 characters of a-z, 0-9 and '-', not starting with '-'",
    is_slug
);
id_type!(
    /// An auto-approval policy.
    PolicyId,
    "must be a policy id: 1 to 64 characters of a-z, 0-9 and '-', not starting with '-'",
    is_slug
);
id_type!(
    /// A Jira user.
    AccountId,
    "must be a Jira accountId: 1 to 128 letters, digits, ':', '-' or '_'",
    is_account_id
);
id_type!(
    /// A Jira issue key, e.g. `AIR-12`.
    IssueKey,
    "must be a Jira issue key: a project key, '-' and a number (e.g. AIR-12)",
    |s| s
        .rsplit_once('-')
        .is_some_and(|(p, n)| is_project_key(p) && digits(n, 18))
);
id_type!(
    /// A numeric Jira id: a service desk (portal), request type or role.
    JiraId,
    "must be a Jira id: 1 to 18 digits (e.g. 10000)",
    is_jira_id
);
id_type!(
    /// A Jira project key, e.g. `AIR`.
    ProjectKey,
    "must be a Jira project key: an uppercase letter, then up to 9 uppercase letters, digits or '_'",
    is_project_key
);

#[cfg(test)]
mod tests {
    use super::*;

    fn de<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, String> {
        serde_json::from_value(serde_json::json!(s)).map_err(|e| e.to_string())
    }

    #[test]
    fn ids_accept_their_shape_and_refuse_the_rest() {
        assert_eq!(de::<RequestId>("10000").unwrap().as_str(), "10000");
        assert_eq!(de::<GrantId>("g-10000").unwrap().as_str(), "g-10000");
        assert_eq!(de::<JobId>("j-9").unwrap().as_str(), "j-9");
        assert_eq!(de::<ToolId>("claude").unwrap().as_str(), "claude");
        assert_eq!(de::<IssueKey>("AIR-12").unwrap().as_str(), "AIR-12");
        let long = "1".repeat(19);
        for bad in ["", "a/b", "10 000", "１２", &long, "-1"] {
            assert!(de::<RequestId>(bad).is_err(), "{bad:?}");
        }
        for bad in ["", "g-", "g-x", "10000", "G-1", "g-1/2"] {
            assert!(de::<GrantId>(bad).is_err(), "{bad:?}");
        }
        for bad in ["", "j-", "j-1a", "g-1"] {
            assert!(de::<JobId>(bad).is_err(), "{bad:?}");
        }
        for bad in ["", "-x", "Claude", "a b", "é", &"a".repeat(65)] {
            assert!(de::<ToolId>(bad).is_err(), "{bad:?}");
        }
        for bad in ["AIR", "air-1", "AIR-", "-1", "AIR-1-"] {
            assert!(de::<IssueKey>(bad).is_err(), "{bad:?}");
        }
        assert!(de::<AccountId>("557058:abc-DEF_1").is_ok());
        assert!(de::<AccountId>("a b").is_err());
    }

    #[test]
    fn a_refusal_carries_the_rule_marked_as_plain_words() {
        let e = de::<GrantId>("a/b").unwrap_err();
        assert!(e.starts_with(RULE_MARK), "{e}");
        assert!(e.ends_with(GrantId::RULE), "{e}");
        let e = GrantId::parse("grantId", "x").unwrap_err();
        assert_eq!(e.field(), Some("grantId"));
    }

    #[test]
    fn ids_serialise_as_plain_strings() {
        let id = RequestId::parse("requestId", "42").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"42\"");
    }
}
