//! `aigis up`'s HTTP server (127.0.0.1 only):
//! - `/rest/api/3/*`, `/rest/servicedeskapi/*` (any `/rest/*`): the Jira simulator;
//!   writes are followed by a pump so product events reach the triggers promptly;
//! - `POST /api/invoke/{functionKey}` (HTTP Basic `email:apiToken` of a simulator
//!   user; optional `?moduleKey=`): calls the resolver; the body is the JSON
//!   payload; the answer is the JSON result or error, with the invocation's
//!   stats in the `x-aigis-stats` header;
//! - `/__sim/okta/*`, `/__sim/graph/*`: the identity-provider simulators'
//!   admin and fault endpoints (loopback only; [`crate::idp`]);
//! - `GET /api/host/health`;
//! - any other `/api/*`: `not-found`; a known endpoint with the wrong
//!   method: `method-not-allowed` (405);
//! - the local Jira-like site ([`ui`]): module bundles under `/modules/*`
//!   with Forge's CSP and the bridge emulation, the shell at Jira's paths
//!   (`/jira/*`, `/servicedesk/*`, `/browse/*`) and at `/` (the site's home),
//!   `GET /api/host/ui`, and under `--demo` `GET /api/host/demo-users`;
//! - any other `GET` path: the shell, which shows Jira's "page not found";
//! - with a [`Bridge`] (`aigis up --test-bridge`, for the conformance runner of
//!   the Forge build, `tests/forge-host/`): `POST /api/host/bridge/{jira,events,clock}`,
//!   each guarded by the `X-Aigis-Bridge-Token` header. In that mode Jira
//!   writes do not pump: the runner takes the product events and delivers them
//!   to the Forge build's trigger itself.
//!
//! Every error answer of the host's own endpoints (`/api/*`) has the shape
//! `{code, message, field?}` with the status its `aigis_core::ErrorCode`
//! owns (a body over [`MAX_BODY_BYTES`] is `too-large`, 413); the simulator
//! answers as Jira does (`{errorMessages, errors}`).

mod bridge;
mod idp;
mod invoke;
mod reply;
pub mod ui;

pub use bridge::{BRIDGE_TOKEN_HEADER, Bridge};
pub use reply::MAX_BODY_BYTES;
pub use ui::Ui;

use crate::{DemoUser, Host, HostError};
use aigis_core::ErrorCode;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use reply::ApiError;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[derive(Clone)]
struct AppState {
    host: Host,
    bridge: Option<Arc<Bridge>>,
    ui: Arc<Ui>,
}

/// What the router serves besides the API and the simulator.
#[derive(Default)]
pub struct Options {
    /// The test bridge (`aigis up --test-bridge`).
    pub bridge: Option<Bridge>,
    /// The demo users the shell's user switcher offers (`aigis up --demo`).
    pub demo_users: Option<Vec<DemoUser>>,
}

impl axum::extract::FromRef<AppState> for Host {
    fn from_ref(s: &AppState) -> Host {
        s.host.clone()
    }
}

/// The application router.
pub fn router(host: Host) -> Router {
    router_with_bridge(host, None)
}

/// The application router, with the test bridge when `bridge` is set.
pub fn router_with_bridge(host: Host, bridge: Option<Bridge>) -> Router {
    router_with(
        host,
        Options {
            bridge,
            demo_users: None,
        },
    )
}

/// The application router with `options`.
pub fn router_with(host: Host, options: Options) -> Router {
    let Options { bridge, demo_users } = options;
    let ui = Ui::new(&host.config().manifest_path, demo_users);
    let mut app = ui::routes()
        .route("/api/host/health", get(health).fallback(wrong_method))
        .route(
            "/api/invoke/{function_key}",
            post(invoke::invoke).fallback(wrong_method),
        )
        .route("/api/{*rest}", any(api_not_found))
        .route("/rest/{*path}", any(jira))
        .route("/__sim/{*rest}", any(idp::control));
    if bridge.is_some() {
        app = app
            .route(
                "/api/host/bridge/jira",
                post(bridge::jira).fallback(wrong_method),
            )
            .route(
                "/api/host/bridge/events",
                post(bridge::events).fallback(wrong_method),
            )
            .route(
                "/api/host/bridge/clock",
                post(bridge::clock).fallback(wrong_method),
            );
    }
    app.layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(AppState {
            host,
            bridge: bridge.map(Arc::new),
            ui: Arc::new(ui),
        })
}

async fn health(State(host): State<Host>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "cloudId": host.cloud_id(),
        "siteUrl": host.site_url(),
        "now": crate::clock::format_rfc3339(host.clock().now_millis()),
        "nowMillis": host.clock().now_millis(),
    }))
}

async fn api_not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        format!("no endpoint {method} {}", uri.path()),
    )
}

async fn wrong_method(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!("{} does not answer {method}", uri.path()),
    )
}

/// A Jira-shaped error answer of the simulator's routes.
fn jira_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({ "errorMessages": [message], "errors": {} })),
    )
        .into_response()
}

fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect()
}

async fn jira(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let body: Bytes = match reply::read_body(request, &state).await {
        Ok(b) => b,
        Err(ApiError(e)) => return jira_error(reply::http_status(e.status()), &e.message),
    };
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| uri.path().to_string());
    let host = state.host;
    // Under the test bridge the runner delivers events itself.
    let pump = method != Method::GET && method != Method::HEAD && state.bridge.is_none();
    let h = host.clone();
    let method_s = method.as_str().to_string();
    let result = tokio::task::spawn_blocking(move || {
        h.sync_sim_clock();
        let body = std::str::from_utf8(&body).ok().filter(|b| !b.is_empty());
        h.sim()
            .handle_http(&method_s, &path, &header_pairs(&headers), body)
    })
    .await;
    let r = match result {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(target: "aigis::host", "simulator task failed: {e}");
            return jira_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the simulator did not answer (detail in the host log)",
            );
        }
    };
    if pump && (200..300).contains(&r.status) {
        let h = host.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = h.pump() {
                tracing::warn!("pump after a Jira write failed: {e}");
            }
        });
    }
    let mut resp = (reply::http_status(r.status), r.body).into_response();
    for (k, v) in r.headers {
        if let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            resp.headers_mut().insert(name, value);
        }
    }
    resp
}

/// The scheduler and pump loop of `aigis up`: every `period`, runs due
/// scheduled triggers and pumps events and queue messages, until `stop`.
pub fn spawn_background(
    host: Host,
    period: Duration,
    stop: Arc<AtomicBool>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("aigis-scheduler".into())
        .spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                match host.scheduler_tick() {
                    Ok(runs) => {
                        for r in runs {
                            match r.result {
                                Ok(o) => tracing::info!(trigger = %r.key, summary = %o.summary, "scheduled run"),
                                Err(e) => tracing::warn!(trigger = %r.key, "scheduled run failed: {e}"),
                            }
                        }
                    }
                    Err(e) => tracing::warn!("scheduler tick failed: {e}"),
                }
                match host.pump() {
                    Ok(r) if r != crate::PumpReport::default() => tracing::info!(?r, "pumped"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!("pump failed: {e}"),
                }
                std::thread::sleep(period);
            }
        })
}

/// Serves on `listener` until ctrl-c.
pub async fn serve(host: Host, listener: tokio::net::TcpListener) -> Result<(), HostError> {
    serve_with_bridge(host, listener, None).await
}

/// Serves on `listener` until ctrl-c, with the test bridge when set.
pub async fn serve_with_bridge(
    host: Host,
    listener: tokio::net::TcpListener,
    bridge: Option<Bridge>,
) -> Result<(), HostError> {
    serve_with(
        host,
        listener,
        Options {
            bridge,
            demo_users: None,
        },
    )
    .await
}

/// Serves on `listener` until ctrl-c, with `options`.
pub async fn serve_with(
    host: Host,
    listener: tokio::net::TcpListener,
    options: Options,
) -> Result<(), HostError> {
    let app = router_with(host, options);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
