//! `aigis up`'s HTTP server (127.0.0.1 only):
//! - `/rest/api/3/*`, `/rest/servicedeskapi/*` (any `/rest/*`): the Jira simulator;
//!   writes are followed by a pump so product events reach the triggers promptly;
//! - `POST /api/invoke/{functionKey}` (HTTP Basic `email:apiToken` of a simulator
//!   user; optional `?moduleKey=`): calls the resolver; the body is the JSON
//!   payload; the answer is the JSON result or error, with the invocation's
//!   stats in the `x-aigis-stats` header;
//! - `GET /api/host/health`;
//! - `/`: static files of the UI (`frontend/dist`) when present;
//! - with a [`Bridge`] (`aigis up --test-bridge`, for the conformance runner of
//!   the Forge build, `tests/forge-host/`): `POST /api/host/bridge/{jira,events,clock}`,
//!   each guarded by the `X-Aigis-Bridge-Token` header. In that mode Jira
//!   writes do not pump: the runner takes the product events and delivers them
//!   to the Forge build's trigger itself.

use crate::{Host, HostError};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// HTTP status for a component's JSON error `code`.
pub fn status_for_code(code: Option<&str>) -> StatusCode {
    match code {
        Some("invalid") => StatusCode::BAD_REQUEST,
        Some("unauthenticated") => StatusCode::UNAUTHORIZED,
        Some("forbidden") => StatusCode::FORBIDDEN,
        Some("not-found") => StatusCode::NOT_FOUND,
        Some("conflict") => StatusCode::CONFLICT,
        Some("rate-limited") => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The JSON error body for a host failure.
pub fn host_error_json(e: &HostError) -> Value {
    let code = match e {
        HostError::TimeLimit { .. } => "time-limit-exceeded",
        HostError::NotBound(..) | HostError::UnknownFunction(_) => "not-found",
        _ => "internal",
    };
    json!({ "code": code, "message": e.to_string() })
}

/// The test bridge of `aigis up --test-bridge`: lets a runner outside this
/// process (the Forge build under Node) use the Jira simulator as the app
/// would through `requestJira`, take the simulator's product events and set
/// the virtual clock. Every call must carry the token in
/// `X-Aigis-Bridge-Token`.
#[derive(Debug, Clone)]
pub struct Bridge {
    token: String,
}

/// The header a bridge call carries its token in.
pub const BRIDGE_TOKEN_HEADER: &str = "x-aigis-bridge-token";

impl Bridge {
    pub fn new(token: impl Into<String>) -> Bridge {
        Bridge {
            token: token.into(),
        }
    }

    /// A bridge with a fresh random token (128 bits from the OS).
    pub fn random() -> std::io::Result<Bridge> {
        use std::io::Read;
        let mut raw = [0u8; 16];
        std::fs::File::open("/dev/urandom")?.read_exact(&mut raw)?;
        Ok(Bridge::new(
            raw.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        ))
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    fn allows(&self, headers: &HeaderMap) -> bool {
        headers
            .get(BRIDGE_TOKEN_HEADER)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| constant_time_eq(t.as_bytes(), self.token.as_bytes()))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Clone)]
struct AppState {
    host: Host,
    bridge: Option<Arc<Bridge>>,
}

impl axum::extract::FromRef<AppState> for Host {
    fn from_ref(s: &AppState) -> Host {
        s.host.clone()
    }
}

/// The application router.
pub fn router(host: Host, static_dir: Option<PathBuf>) -> Router {
    router_with_bridge(host, static_dir, None)
}

/// The application router, with the test bridge when `bridge` is set.
pub fn router_with_bridge(
    host: Host,
    static_dir: Option<PathBuf>,
    bridge: Option<Bridge>,
) -> Router {
    let mut app = Router::new()
        .route("/api/host/health", get(health))
        .route("/api/invoke/{function_key}", post(invoke))
        .route("/rest/{*path}", any(jira));
    if bridge.is_some() {
        app = app
            .route("/api/host/bridge/jira", post(bridge_jira))
            .route("/api/host/bridge/events", post(bridge_events))
            .route("/api/host/bridge/clock", post(bridge_clock));
    }
    let app = app.with_state(AppState {
        host,
        bridge: bridge.map(Arc::new),
    });
    match static_dir.filter(|d| d.is_dir()) {
        Some(dir) => {
            let index = dir.join("index.html");
            app.fallback_service(
                tower_http::services::ServeDir::new(dir)
                    .fallback(tower_http::services::ServeFile::new(index)),
            )
        }
        None => app,
    }
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

fn json_response(status: StatusCode, body: &Value) -> Response {
    (status, Json(body.clone())).into_response()
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
    body: Bytes,
) -> Response {
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
            return json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                &json!({ "errorMessages": [format!("simulator task failed: {e}")] }),
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
    let mut resp = (
        StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        r.body,
    )
        .into_response();
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

#[derive(Deserialize)]
struct InvokeQuery {
    #[serde(rename = "moduleKey")]
    module_key: Option<String>,
}

async fn invoke(
    State(host): State<Host>,
    Path(function_key): Path<String>,
    Query(q): Query<InvokeQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let unauthenticated = |message: &str| {
        json_response(
            StatusCode::UNAUTHORIZED,
            &json!({ "code": "unauthenticated", "message": message }),
        )
    };
    let Some(auth) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
    else {
        return unauthenticated("HTTP Basic email:apiToken required");
    };
    let payload: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                return json_response(
                    StatusCode::BAD_REQUEST,
                    &json!({ "code": "invalid", "message": format!("body is not JSON: {e}") }),
                );
            }
        }
    };
    let h = host.clone();
    let joined = tokio::task::spawn_blocking(move || {
        let user = h.sim().authenticate_basic(&auth)?;
        Some(h.invoke_resolver(
            &function_key,
            &payload,
            &user.account_id,
            q.module_key.as_deref(),
        ))
    })
    .await;
    match joined {
        Err(e) => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &json!({ "code": "internal", "message": format!("invocation task failed: {e}") }),
        ),
        Ok(None) => unauthenticated("unknown user or wrong API token"),
        Ok(Some(Err(e))) => {
            tracing::warn!("invocation failed: {e}");
            let body = host_error_json(&e);
            let status = match e {
                HostError::NotBound(..) | HostError::UnknownFunction(_) => StatusCode::NOT_FOUND,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            json_response(status, &body)
        }
        Ok(Some(Ok(outcome))) => {
            let (status, body) = match &outcome.result {
                Ok(v) => (StatusCode::OK, v.clone()),
                Err(e) => (
                    status_for_code(e.get("code").and_then(Value::as_str)),
                    e.clone(),
                ),
            };
            let mut resp = json_response(status, &body);
            if let Ok(stats) = serde_json::to_string(&outcome.stats)
                && let Ok(v) = HeaderValue::from_str(&stats)
            {
                resp.headers_mut().insert("x-aigis-stats", v);
            }
            resp
        }
    }
}

/// The host, when the bridge is on and the call carries its token.
fn bridge_host(state: &AppState, headers: &HeaderMap) -> Option<Host> {
    match &state.bridge {
        Some(b) if b.allows(headers) => Some(state.host.clone()),
        _ => None,
    }
}

fn bridge_unauthorized() -> Response {
    json_response(
        StatusCode::UNAUTHORIZED,
        &json!({ "code": "unauthenticated", "message": "bridge token missing or wrong" }),
    )
}

fn bridge_invalid(e: impl std::fmt::Display) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({ "code": "invalid", "message": format!("bridge body: {e}") }),
    )
}

#[derive(Deserialize)]
struct BridgeJira {
    /// `null`: asApp; an account id: asUser.
    #[serde(rename = "as")]
    as_account: Option<String>,
    method: String,
    path: String,
    #[serde(default)]
    headers: Vec<(String, String)>,
    body: Option<String>,
}

/// `requestJira` as the app or a user: the simulator's answer, verbatim.
async fn bridge_jira(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(host) = bridge_host(&state, &headers) else {
        return bridge_unauthorized();
    };
    let req: BridgeJira = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bridge_invalid(e),
    };
    let joined = tokio::task::spawn_blocking(move || {
        host.sync_sim_clock();
        host.sim().handle_as(
            req.as_account.as_deref(),
            &req.method.to_ascii_uppercase(),
            &req.path,
            &req.headers,
            req.body.as_deref(),
        )
    })
    .await;
    match joined {
        Ok(r) => json_response(
            StatusCode::OK,
            &json!({ "status": r.status, "headers": r.headers, "body": r.body }),
        ),
        Err(e) => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &json!({ "code": "internal", "message": format!("simulator task failed: {e}") }),
        ),
    }
}

/// Takes every pending product event (acknowledging it): the runner now owns
/// its delivery. Each payload carries its `eventType`, as the host's own
/// delivery adds it.
async fn bridge_events(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(host) = bridge_host(&state, &headers) else {
        return bridge_unauthorized();
    };
    let joined = tokio::task::spawn_blocking(move || -> Result<Vec<Value>, String> {
        let mut out = Vec::new();
        for ev in host.sim().pending_events().map_err(|e| e.to_string())? {
            let mut payload = ev.payload.clone();
            if let Some(obj) = payload.as_object_mut() {
                obj.entry("eventType")
                    .or_insert_with(|| Value::String(ev.event_type.clone()));
            }
            host.sim().ack_event(ev.id).map_err(|e| e.to_string())?;
            out.push(json!({ "id": ev.id, "eventType": ev.event_type, "payload": payload }));
        }
        Ok(out)
    })
    .await;
    match joined {
        Ok(Ok(events)) => json_response(StatusCode::OK, &json!({ "events": events })),
        Ok(Err(e)) => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &json!({ "code": "internal", "message": e }),
        ),
        Err(e) => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &json!({ "code": "internal", "message": format!("events task failed: {e}") }),
        ),
    }
}

#[derive(Deserialize)]
struct BridgeClock {
    /// Milliseconds since the Unix epoch, or an RFC 3339 time.
    at: Value,
}

/// Sets the virtual clock (and the simulator's with it).
async fn bridge_clock(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(host) = bridge_host(&state, &headers) else {
        return bridge_unauthorized();
    };
    let req: BridgeClock = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bridge_invalid(e),
    };
    let at = match &req.at {
        Value::Number(n) => n.as_i64().ok_or_else(|| format!("`{n}` is not an integer")),
        Value::String(s) => crate::clock::parse_rfc3339(s),
        other => Err(format!(
            "`at` must be milliseconds or RFC 3339, not {other}"
        )),
    };
    let at = match at {
        Ok(at) => at,
        Err(message) => {
            return json_response(
                StatusCode::BAD_REQUEST,
                &json!({ "code": "invalid", "field": "at", "message": message }),
            );
        }
    };
    let joined = tokio::task::spawn_blocking(move || {
        host.clock().set(at).map_err(|e| e.to_string())?;
        host.sync_sim_clock();
        Ok::<_, String>(host.clock().now_millis())
    })
    .await;
    match joined {
        Ok(Ok(now)) => json_response(
            StatusCode::OK,
            &json!({ "nowMillis": now, "now": crate::clock::format_rfc3339(now) }),
        ),
        Ok(Err(e)) => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &json!({ "code": "internal", "message": e }),
        ),
        Err(e) => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &json!({ "code": "internal", "message": format!("clock task failed: {e}") }),
        ),
    }
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
pub async fn serve(
    host: Host,
    listener: tokio::net::TcpListener,
    static_dir: Option<PathBuf>,
) -> Result<(), HostError> {
    serve_with_bridge(host, listener, static_dir, None).await
}

/// Serves on `listener` until ctrl-c, with the test bridge when set.
pub async fn serve_with_bridge(
    host: Host,
    listener: tokio::net::TcpListener,
    static_dir: Option<PathBuf>,
    bridge: Option<Bridge>,
) -> Result<(), HostError> {
    let app = router_with_bridge(host, static_dir, bridge);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_mapping() {
        assert_eq!(status_for_code(Some("invalid")), StatusCode::BAD_REQUEST);
        assert_eq!(
            status_for_code(Some("unauthenticated")),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(status_for_code(Some("forbidden")), StatusCode::FORBIDDEN);
        assert_eq!(status_for_code(Some("not-found")), StatusCode::NOT_FOUND);
        assert_eq!(status_for_code(Some("conflict")), StatusCode::CONFLICT);
        assert_eq!(
            status_for_code(Some("rate-limited")),
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(
            status_for_code(Some("internal")),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            status_for_code(Some("whatever")),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(status_for_code(None), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
