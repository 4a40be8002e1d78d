//! Error answers of the host's own endpoints (`/api/*`), all of the shape
//! `{code, message, field?}` with the status the code owns, and reading a
//! request body within the host's limit.

use crate::{ErrorBody, HostError};
use aigis_core::ErrorCode;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The largest request body the server reads (axum's default, stated).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// An error answer.
#[derive(Debug)]
pub(crate) struct ApiError(pub ErrorBody);

impl ApiError {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError(ErrorBody::new(code, message))
    }

    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError(ErrorBody::invalid(field, message))
    }

    /// An internal failure whose detail goes to the log only.
    pub(crate) fn internal(what: &str, detail: impl std::fmt::Display) -> ApiError {
        tracing::warn!(target: "aigis::host", "{what}: {detail}");
        ApiError::new(
            ErrorCode::Internal,
            format!("{what} (detail in the host log)"),
        )
    }

    pub(crate) fn too_large() -> ApiError {
        ApiError::new(
            ErrorCode::TooLarge,
            format!("the request body is over {MAX_BODY_BYTES} bytes"),
        )
    }
}

impl From<&HostError> for ApiError {
    fn from(e: &HostError) -> ApiError {
        tracing::warn!(target: "aigis::host", "{e}");
        ApiError(e.body())
    }
}

/// `status` as an HTTP status (500 for a number outside HTTP's range).
pub(crate) fn http_status(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (http_status(self.0.status()), Json(self.0.to_json())).into_response()
    }
}

/// Reads the body of `req`, at most [`MAX_BODY_BYTES`]: a declared length
/// over the limit is refused before any byte is read.
pub(crate) async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(ApiError::too_large());
    }
    match Bytes::from_request(req, state).await {
        Ok(bytes) => Ok(bytes),
        Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError::too_large()),
        Err(r) => Err(ApiError::invalid(
            "body",
            format!("the request body could not be read ({})", r.status()),
        )),
    }
}

/// A request body of a host endpoint; a failure is an [`ApiError`].
pub(crate) struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        read_body(req, state).await.map(Body)
    }
}

/// What a JSON body failed with, without the Rust type it was read into.
pub(crate) fn describe_json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let at = format!("line {} column {}", e.line(), e.column());
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => format!("not JSON ({at})"),
        Category::Data => {
            let text = e.to_string();
            if text.contains("expected struct") || text.contains("expected enum") {
                format!("must be a JSON object of the documented shape ({at})")
            } else {
                text
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_name_no_rust_type() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Clock {
            at: i64,
        }
        let e = serde_json::from_str::<Clock>("\"x\"").unwrap_err();
        let m = describe_json_error(&e);
        assert!(!m.contains("Clock") && m.contains("JSON object"), "{m}");
        let e = serde_json::from_str::<Clock>("{}").unwrap_err();
        assert!(describe_json_error(&e).contains("missing field `at`"));
        let e = serde_json::from_str::<Clock>("{").unwrap_err();
        assert!(describe_json_error(&e).starts_with("not JSON"));
    }

    #[test]
    fn error_answers_carry_the_status_of_their_code() {
        for code in ErrorCode::ALL {
            let r = ApiError::new(code, "m").into_response();
            assert_eq!(r.status().as_u16(), code.status(), "{code}");
        }
        assert_eq!(http_status(42), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
