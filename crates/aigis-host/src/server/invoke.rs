//! `POST /api/invoke/{functionKey}`: a resolver call as a simulator user
//! (HTTP Basic `email:apiToken`, optional `?moduleKey=`). The body is the
//! JSON payload; the answer is the JSON result, or an error of the shape
//! `{code, message, field?}` with the status its code owns; the
//! invocation's stats ride in the `x-aigis-stats` header.
//!
//! `X-Aigis-Extension: <JSON object>` (optional) is what Forge puts in the
//! resolver's `context.extension` for the calling module (the issue of an
//! issue panel, the portal and request type of a portal panel); the host
//! passes it on with `type` set to the module's type. At most
//! [`MAX_EXTENSION_BYTES`]; anything but a JSON object is `400 invalid`
//! naming the header.

use super::reply::{ApiError, Body, http_status};
use crate::{Host, component_error};
use aigis_core::ErrorCode;
use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
pub(super) struct InvokeQuery {
    #[serde(rename = "moduleKey")]
    module_key: Option<String>,
}

/// The longest `X-Aigis-Extension` header accepted.
pub const MAX_EXTENSION_BYTES: usize = 4096;

const EXTENSION_HEADER: &str = "X-Aigis-Extension";

/// The `X-Aigis-Extension` header as a JSON object, if given.
fn extension(headers: &HeaderMap) -> Result<Option<Value>, ApiError> {
    let Some(raw) = headers.get(EXTENSION_HEADER) else {
        return Ok(None);
    };
    if raw.len() > MAX_EXTENSION_BYTES {
        return Err(ApiError::invalid(
            EXTENSION_HEADER,
            format!("must be at most {MAX_EXTENSION_BYTES} bytes"),
        ));
    }
    let text = raw
        .to_str()
        .map_err(|_| ApiError::invalid(EXTENSION_HEADER, "must be visible ASCII (JSON)"))?;
    match serde_json::from_str::<Value>(text) {
        Ok(v @ Value::Object(_)) => Ok(Some(v)),
        Ok(_) => Err(ApiError::invalid(EXTENSION_HEADER, "must be a JSON object")),
        Err(_) => Err(ApiError::invalid(
            EXTENSION_HEADER,
            "must be a JSON object (it is not JSON)",
        )),
    }
}

fn unauthenticated(message: &str) -> ApiError {
    ApiError::new(ErrorCode::Unauthenticated, message)
}

pub(super) async fn invoke(
    State(host): State<Host>,
    function_key: Result<Path<String>, PathRejection>,
    query: Result<Query<InvokeQuery>, QueryRejection>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let Path(function_key) = function_key
        .map_err(|_| ApiError::invalid("functionKey", "the function key is not valid UTF-8"))?;
    let Query(q) = query.map_err(|_| {
        ApiError::invalid("moduleKey", "the query string has a malformed moduleKey")
    })?;
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| unauthenticated("HTTP Basic email:apiToken required"))?;
    let extension = extension(&headers)?;
    let payload: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::invalid("payload", format!("the body is not JSON: {e}")))?
    };
    let h = host.clone();
    let key = function_key.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let user = h.sim().authenticate_basic(&auth)?;
        Some(h.invoke_resolver_in(
            &key,
            &payload,
            &user.account_id,
            q.module_key.as_deref(),
            extension.as_ref(),
        ))
    })
    .await
    .map_err(|e| ApiError::internal("the invocation did not finish", e))?
    .ok_or_else(|| unauthenticated("unknown user or wrong API token"))?
    .map_err(|e| ApiError::from(&e))?;
    let (status, body) = match &outcome.result {
        Ok(v) => (StatusCode::OK, v.clone()),
        Err(e) => {
            let (code, body) = component_error(&function_key, e);
            (http_status(code.status()), body)
        }
    };
    let mut resp = (status, Json(body)).into_response();
    if let Ok(stats) = serde_json::to_string(&outcome.stats)
        && let Ok(v) = HeaderValue::from_str(&stats)
    {
        resp.headers_mut().insert("x-aigis-stats", v);
    }
    Ok(resp)
}
