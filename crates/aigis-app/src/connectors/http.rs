//! One provider call over the egress port, and what its answer means for a
//! job: the invocation's remaining time checked first, the provider's
//! request id kept for the job's events, 429 / 5xx / timeouts retryable
//! (with the wait the provider asks for), a 401 for a token refresh, other
//! 4xx terminal.

use aigis_core::Millis;
use aigis_platform::{FetchError, FetchRequest, HttpResponse, LogLevel, Platform};
use std::sync::Mutex;

/// A call is not started with less than this left in the invocation.
pub const MIN_REMAINING_MS: u64 = 10_000;

/// Why a provider call did not give an answer to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fail {
    /// Try again later (after `after` ms when the provider said).
    Retry { why: String, after: Option<Millis> },
    /// The request was sent but no answer came: a write may have happened.
    Timeout(String),
    /// 401: the token was refused (refresh once).
    Unauthorized(String),
    /// A retry will not help.
    Terminal(String),
}

impl Fail {
    pub fn why(&self) -> &str {
        match self {
            Fail::Retry { why, .. } | Fail::Timeout(why) | Fail::Unauthorized(why) => why,
            Fail::Terminal(why) => why,
        }
    }
}

/// Which provider answers: decides the request-id header and the 429 wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Okta,
    Graph,
}

impl Provider {
    fn label(self) -> &'static str {
        match self {
            Provider::Okta => "Okta",
            Provider::Graph => "Microsoft Graph",
        }
    }
    fn request_id_header(self) -> &'static str {
        match self {
            Provider::Okta => "x-okta-request-id",
            Provider::Graph => "request-id",
        }
    }
}

/// The egress port with the bookkeeping of one connector invocation.
pub struct Http<'a> {
    pub p: &'a Platform<'a>,
    pub provider: Provider,
    /// Provider request ids of the answers so far, for the job's events.
    pub request_ids: Mutex<Vec<String>>,
}

pub fn header<'r>(resp: &'r HttpResponse, name: &str) -> Option<&'r str> {
    resp.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The host of an https URL (`None` when it is not one).
pub fn host_of(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("https://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    (!host.is_empty()).then_some(host)
}

impl<'a> Http<'a> {
    pub fn new(p: &'a Platform<'a>, provider: Provider) -> Http<'a> {
        Http {
            p,
            provider,
            request_ids: Mutex::new(Vec::new()),
        }
    }

    pub fn request_ids(&self) -> Vec<String> {
        self.request_ids
            .lock()
            .map(|v| v.clone())
            .unwrap_or_default()
    }

    /// Sends one request (after checking the time left). Any status is an answer.
    pub fn send(
        &self,
        method: &str,
        url: &str,
        headers: Vec<(String, String)>,
        body: Option<String>,
    ) -> Result<HttpResponse, Fail> {
        if self.p.runtime.remaining_millis() < MIN_REMAINING_MS {
            return Err(Fail::Retry {
                why: "too little time was left in this run to call the provider".into(),
                after: None,
            });
        }
        let req = FetchRequest {
            method: method.into(),
            url: url.into(),
            headers,
            body,
        };
        match self.p.egress.fetch(&req) {
            Ok(resp) => {
                if let Some(id) = header(&resp, self.provider.request_id_header())
                    && let Ok(mut ids) = self.request_ids.lock()
                {
                    ids.push(id.to_owned());
                }
                Ok(resp)
            }
            Err(FetchError::HostNotAllowed(h)) => Err(Fail::Terminal(format!(
                "the app may not reach {h}: the host is not declared for egress"
            ))),
            Err(FetchError::InvalidUrl(_)) => Err(Fail::Terminal(format!(
                "the {} address of this connector is not a valid URL",
                self.provider.label()
            ))),
            Err(FetchError::Network(detail)) => {
                self.p.runtime.log(
                    LogLevel::Warn,
                    &format!("{} {method} timed out: {detail}", self.provider.label()),
                );
                Err(Fail::Timeout(format!(
                    "{} did not answer in time",
                    self.provider.label()
                )))
            }
        }
    }

    /// The failure an unwanted answer stands for.
    pub fn fail(&self, resp: &HttpResponse, what: &str) -> Fail {
        let label = self.provider.label();
        let summary = error_summary(self.provider, &resp.body);
        match resp.status {
            429 => Fail::Retry {
                why: format!("{label} rate limit reached while trying to {what}"),
                after: self.wait_of(resp),
            },
            401 => Fail::Unauthorized(format!("{label} refused the access token ({summary})")),
            s if s >= 500 => Fail::Retry {
                why: format!("{label} failed ({s}) while trying to {what}"),
                after: None,
            },
            s => Fail::Terminal(format!("{label} refused to {what} ({s}: {summary})")),
        }
    }

    /// The wait a 429 asks for: Okta's `X-Rate-Limit-Reset` (epoch seconds)
    /// against its own `Date` (clocks differ); Graph's `Retry-After` seconds.
    fn wait_of(&self, resp: &HttpResponse) -> Option<Millis> {
        match self.provider {
            Provider::Okta => {
                let reset: i64 = header(resp, "x-rate-limit-reset")?.trim().parse().ok()?;
                let date = header(resp, "date")
                    .and_then(aigis_core::time::parse_http_date)
                    .unwrap_or_else(|| self.p.runtime.now_millis());
                Some((reset * 1000 - date).max(0))
            }
            Provider::Graph => {
                let secs: i64 = header(resp, "retry-after")?.trim().parse().ok()?;
                Some(secs.max(0) * 1000)
            }
        }
    }
}

/// The provider's error summary in its own words (never our request).
fn error_summary(provider: Provider, body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let s = match provider {
        Provider::Okta => v["errorSummary"]
            .as_str()
            .or(v["error_description"].as_str()),
        Provider::Graph => v["error"]["message"]
            .as_str()
            .or(v["error_description"].as_str()),
    };
    let s = s.unwrap_or("no details").to_owned();
    s.chars().take(300).collect()
}

/// Percent-encodes one query or form component.
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// An `application/x-www-form-urlencoded` body.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_encoding() {
        assert_eq!(host_of("https://a.okta.com/api/v1"), Some("a.okta.com"));
        assert_eq!(host_of("http://a.okta.com"), None);
        assert_eq!(host_of("https:///x"), None);
        assert_eq!(enc("a b@c"), "a%20b%40c");
        assert_eq!(form(&[("k", "v&w")]), "k=v%26w");
    }
}
