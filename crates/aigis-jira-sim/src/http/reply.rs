//! Responses and the two error shapes: the platform's ErrorCollection
//! (`{"errorMessages": [...], "errors": {...}}`) and JSM's ErrorResponse
//! (`{"errorMessage": "...", "i18nErrorMessage": {...}}`).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Fail;
use crate::{SimError, SimResponse};

pub const INTERNAL: &str = "Internal server error. The request could not be completed.";
pub const ISSUE_404: &str = "Issue does not exist or you do not have permission to see it.";

/// Which REST API a route belongs to: it decides the error shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    Platform,
    ServiceDesk,
}

impl Api {
    pub fn of(template: &str) -> Api {
        if template.starts_with("/rest/servicedeskapi/") {
            Api::ServiceDesk
        } else {
            Api::Platform
        }
    }
}

pub fn json_resp(status: u16, body: &Value) -> SimResponse {
    SimResponse {
        status,
        headers: vec![(
            "Content-Type".into(),
            "application/json;charset=UTF-8".into(),
        )],
        body: body.to_string(),
    }
}

pub fn empty(status: u16) -> SimResponse {
    SimResponse {
        status,
        headers: Vec::new(),
        body: String::new(),
    }
}

/// An error in the shape of `api`.
pub fn error(api: Api, status: u16, message: &str) -> SimResponse {
    match api {
        Api::Platform => json_resp(status, &json!({"errorMessages": [message], "errors": {}})),
        Api::ServiceDesk => jsm_error(status, message, "sd.rest.error", &[]),
    }
}

/// A JSM ErrorResponse.
pub fn jsm_error(status: u16, message: &str, i18n_key: &str, parameters: &[&str]) -> SimResponse {
    json_resp(
        status,
        &json!({
            "errorMessage": message,
            "i18nErrorMessage": {"i18nKey": i18n_key, "parameters": parameters},
        }),
    )
}

/// A platform error (ErrorCollection) as an early exit.
pub fn fail(status: u16, message: &str) -> Fail {
    Fail::Resp(error(Api::Platform, status, message))
}

/// 400 with per-field errors.
pub fn field_errors(errors: &BTreeMap<String, String>) -> SimResponse {
    json_resp(400, &json!({"errorMessages": [], "errors": errors}))
}

/// 401 for a request to `path`, in the shape of its API.
pub fn unauthorized(path: &str) -> SimResponse {
    let api = Api::of(path);
    let mut r = error(
        api,
        401,
        "You are not authenticated. Authentication required to perform this operation.",
    );
    r.headers.push((
        "WWW-Authenticate".into(),
        "Basic realm=\"protected-area\"".into(),
    ));
    r
}

/// A generic 500: the detail goes to the log, never into the answer.
pub fn internal(api: Api, method: &str, path: &str, e: &SimError) -> SimResponse {
    tracing::error!(%method, %path, "jira simulator: internal error: {e}");
    error(api, 500, INTERNAL)
}
