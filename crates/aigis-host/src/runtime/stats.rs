//! The per-invocation counters behind `--stats` and the `x-aigis-stats`
//! header: storage calls by kind and Jira calls by endpoint, so tests can
//! assert what an operation costs.

use serde::Serialize;
use std::collections::BTreeMap;

/// What one invocation did, returned with every result.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// Storage calls by kind: get, set, delete, query, entity-get, entity-set,
    /// entity-delete, entity-query, transact, secrets.
    pub storage: BTreeMap<String, u64>,
    pub storage_total: u64,
    /// Jira calls by `METHOD /path/template` (ids replaced by `{id}`, issue keys by `{key}`).
    pub jira: BTreeMap<String, u64>,
    pub jira_total: u64,
    pub egress: u64,
    pub queue_pushes: u64,
    pub duration_ms: u64,
}

impl Stats {
    pub(crate) fn storage_call(&mut self, kind: &str) {
        *self.storage.entry(kind.to_string()).or_default() += 1;
        self.storage_total += 1;
    }
    pub(crate) fn jira_call(&mut self, method: &str, path: &str) {
        *self
            .jira
            .entry(format!(
                "{} {}",
                method.to_ascii_uppercase(),
                path_template(path)
            ))
            .or_default() += 1;
        self.jira_total += 1;
    }
}

/// A Jira path with its variable segments replaced, so calls group by endpoint.
pub fn path_template(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').collect();
    segments
        .iter()
        .enumerate()
        .map(|(i, &seg)| {
            // The API version (`/rest/api/3`, `/rest/agile/1.0`) stays.
            if i > 0 && matches!(segments[i - 1], "api" | "agile") {
                return seg;
            }
            let is_issue_key = seg.split_once('-').is_some_and(|(p, n)| {
                !p.is_empty()
                    && p.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                    && p.chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                    && !n.is_empty()
                    && n.chars().all(|c| c.is_ascii_digit())
            });
            if is_issue_key {
                "{key}"
            } else if (!seg.is_empty() && seg.chars().all(|c| c.is_ascii_digit()))
                || seg.contains(':')
                || (seg.len() >= 16
                    && seg.chars().any(|c| c.is_ascii_digit())
                    && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            {
                "{id}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jira_path_templates() {
        assert_eq!(
            path_template("/rest/api/3/issue/AIG-12/comment"),
            "/rest/api/3/issue/{key}/comment"
        );
        assert_eq!(
            path_template("/rest/api/3/issue/10023?expand=x"),
            "/rest/api/3/issue/{id}"
        );
        assert_eq!(
            path_template("/rest/api/3/user?accountId=5b10a2844c20165700ede21g"),
            "/rest/api/3/user"
        );
        assert_eq!(
            path_template("/rest/api/3/issue/AIG-1/properties/aigis.snapshot.v1"),
            "/rest/api/3/issue/{key}/properties/aigis.snapshot.v1"
        );
        assert_eq!(path_template("/rest/api/3/myself"), "/rest/api/3/myself");
    }
}
