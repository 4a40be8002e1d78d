//! `/__sim/okta/*` and `/__sim/graph/*`: the identity-provider simulators'
//! admin and fault endpoints (`aigis_okta_sim` / `aigis_graph_sim`
//! `http/admin.rs`: users, statuses, groups, out-of-band membership, deleted
//! groups, 429 / 5xx / slow-answer faults, rate limits), for tests and the
//! README. Loopback peers only (the server binds 127.0.0.1; a request whose
//! peer is not loopback, or a browser request from another origin, is
//! refused). `404` when the site runs without the simulators (`--idp-sims
//! false`).

use super::AppState;
use crate::idp::Which;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
}

/// Whether the request comes from this machine and not from a page of another origin.
fn local(request: &Request, headers: &HeaderMap) -> bool {
    let peer_ok = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        // In-process routers (tests) have no peer: they are this process.
        .is_none_or(|ConnectInfo(a)| a.ip().is_loopback());
    let origin_ok = headers
        .get("origin")
        .and_then(|o| o.to_str().ok())
        .is_none_or(|o| {
            let rest = o
                .strip_prefix("http://")
                .or_else(|| o.strip_prefix("https://"))
                .unwrap_or("");
            let host = rest.split(':').next().unwrap_or("");
            host == "127.0.0.1" || host == "localhost"
        });
    peer_ok && origin_ok
}

pub(super) async fn control(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    request: Request,
) -> Response {
    if !local(&request, &headers) {
        return refuse(
            StatusCode::FORBIDDEN,
            "the simulators' control endpoints answer this machine only",
        );
    }
    let Some(sims) = state.host.idp_sims() else {
        return refuse(
            StatusCode::NOT_FOUND,
            "the identity-provider simulators are off (aigis up --idp-sims true)",
        );
    };
    let path = uri.path();
    let (which, rest) = if let Some(r) = path.strip_prefix("/__sim/okta/") {
        (Which::Okta, r)
    } else if let Some(r) = path.strip_prefix("/__sim/graph/") {
        (Which::Graph, r)
    } else {
        return refuse(
            StatusCode::NOT_FOUND,
            "no simulator here: /__sim/okta/... or /__sim/graph/...",
        );
    };
    let rest = match uri.query() {
        Some(q) => format!("{rest}?{q}"),
        None => rest.to_string(),
    };
    let body: Bytes = match super::reply::read_body(request, &state).await {
        Ok(b) => b,
        Err(super::reply::ApiError(e)) => {
            return refuse(super::reply::http_status(e.status()), &e.message);
        }
    };
    let method_s = method.as_str().to_string();
    let result = tokio::task::spawn_blocking(move || {
        let body = std::str::from_utf8(&body).ok().filter(|b| !b.is_empty());
        sims.control(which, &method_s, &rest, body)
    })
    .await;
    let r = match result {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(target: "aigis::host", "simulator task failed: {e}");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the simulator did not answer",
            );
        }
    };
    let mut resp = (
        StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        r.body,
    )
        .into_response();
    for (k, v) in &r.headers {
        if let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            resp.headers_mut().append(name, value);
        }
    }
    resp
}
