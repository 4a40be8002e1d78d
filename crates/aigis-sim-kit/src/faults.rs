//! Fault injection: what a test switches on, matched per request.

use serde::{Deserialize, Serialize};

/// What to do instead of (or before) answering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum FaultKind {
    /// Answer this 5xx (or other) status with an Okta error body.
    #[serde(rename_all = "camelCase")]
    Status { status: u16 },
    /// Answer 429 with `X-Rate-Limit-Reset` this many seconds ahead.
    #[serde(rename_all = "camelCase")]
    RateLimited { reset_in_secs: i64 },
    /// Answer normally, but only after this delay (a caller's timeout fires first).
    #[serde(rename_all = "camelCase")]
    Delay { millis: u64 },
}

/// One injected fault: applies to the next `times` requests that match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// Only requests with this method (any when `None`).
    #[serde(default)]
    pub method: Option<String>,
    /// Only requests whose path starts with this (any when `None`).
    #[serde(default)]
    pub path_prefix: Option<String>,
    /// How many matching requests it applies to.
    pub times: u32,
    #[serde(flatten)]
    pub kind: FaultKind,
}

impl Fault {
    /// A fault for every request, `times` times.
    pub fn any(times: u32, kind: FaultKind) -> Fault {
        Fault {
            method: None,
            path_prefix: None,
            times,
            kind,
        }
    }

    /// A fault for requests to paths starting with `prefix`.
    pub fn on(method: Option<&str>, prefix: &str, times: u32, kind: FaultKind) -> Fault {
        Fault {
            method: method.map(str::to_string),
            path_prefix: Some(prefix.to_string()),
            times,
            kind,
        }
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.times > 0
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path_prefix
                .as_deref()
                .is_none_or(|p| path.starts_with(p))
    }
}

/// Take (consume one use of) the first fault that matches.
pub fn take(faults: &mut Vec<Fault>, method: &str, path: &str) -> Option<FaultKind> {
    let i = faults.iter().position(|f| f.matches(method, path))?;
    faults[i].times -= 1;
    let kind = faults[i].kind.clone();
    if faults[i].times == 0 {
        faults.remove(i);
    }
    Some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_used_up_in_order() {
        let mut f = vec![
            Fault::on(
                Some("GET"),
                "/api/v1/groups",
                1,
                FaultKind::Status { status: 503 },
            ),
            Fault::any(2, FaultKind::Delay { millis: 5 }),
        ];
        assert_eq!(
            take(&mut f, "PUT", "/api/v1/groups/x"),
            Some(FaultKind::Delay { millis: 5 })
        );
        assert_eq!(
            take(&mut f, "get", "/api/v1/groups/x"),
            Some(FaultKind::Status { status: 503 })
        );
        assert_eq!(
            take(&mut f, "GET", "/api/v1/users"),
            Some(FaultKind::Delay { millis: 5 })
        );
        assert_eq!(take(&mut f, "GET", "/api/v1/users"), None);
    }

    #[test]
    fn faults_parse_from_json() {
        let f: Fault = serde_json::from_value(serde_json::json!({
            "pathPrefix": "/api/v1/groups", "times": 1, "kind": "rateLimited", "resetInSecs": 30
        }))
        .unwrap();
        assert_eq!(f.kind, FaultKind::RateLimited { reset_in_secs: 30 });
        assert!(
            serde_json::from_value::<Fault>(serde_json::json!({"times": 1, "kind": "nope"}))
                .is_err()
        );
    }
}
