//! The test bridge of `aigis up --test-bridge`, for the conformance runner of
//! the Forge build (`tests/forge-host/`): `POST /api/host/bridge/{jira,events,clock}`,
//! each guarded by the `X-Aigis-Bridge-Token` header.

use super::AppState;
use super::reply::{ApiError, Body, describe_json_error};
use crate::Host;
use aigis_core::ErrorCode;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

/// The test bridge: lets a runner outside this process (the Forge build
/// under Node) use the Jira simulator as the app would through
/// `requestJira`, take the simulator's product events and set the virtual
/// clock. Every call must carry the token in `X-Aigis-Bridge-Token`.
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

/// The host, when the bridge is on and the call carries its token.
fn bridge_host(state: &AppState, headers: &HeaderMap) -> Result<Host, ApiError> {
    match &state.bridge {
        Some(b) if b.allows(headers) => Ok(state.host.clone()),
        _ => Err(ApiError::new(
            ErrorCode::Unauthenticated,
            "bridge token missing or wrong",
        )),
    }
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid("body", format!("bridge body: {}", describe_json_error(&e))))
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
pub(super) async fn jira(
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let host = bridge_host(&state, &headers)?;
    let req: BridgeJira = parse(&body)?;
    let r = tokio::task::spawn_blocking(move || {
        host.sync_sim_clock();
        host.sim().handle_as(
            req.as_account.as_deref(),
            &req.method.to_ascii_uppercase(),
            &req.path,
            &req.headers,
            req.body.as_deref(),
        )
    })
    .await
    .map_err(|e| ApiError::internal("the simulator did not answer", e))?;
    Ok(Json(json!({ "status": r.status, "headers": r.headers, "body": r.body })).into_response())
}

/// Takes every pending product event (acknowledging it): the runner now owns
/// its delivery. Each payload carries its `eventType`, as the host's own
/// delivery adds it.
pub(super) async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let host = bridge_host(&state, &headers)?;
    let events = tokio::task::spawn_blocking(move || -> Result<Vec<Value>, String> {
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
    .await
    .map_err(|e| ApiError::internal("the event task did not finish", e))?
    .map_err(|e| ApiError::internal("the simulator's events could not be read", e))?;
    Ok(Json(json!({ "events": events })).into_response())
}

#[derive(Deserialize)]
struct BridgeClock {
    /// Milliseconds since the Unix epoch, or an RFC 3339 time.
    at: Value,
}

/// Sets the virtual clock (and the simulator's with it).
pub(super) async fn clock(
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let host = bridge_host(&state, &headers)?;
    let req: BridgeClock = parse(&body)?;
    let at = match &req.at {
        Value::Number(n) => n.as_i64().ok_or_else(|| format!("`{n}` is not an integer")),
        Value::String(s) => crate::clock::parse_rfc3339(s),
        other => Err(format!(
            "`at` must be milliseconds or RFC 3339, not {other}"
        )),
    }
    .map_err(|message| ApiError::invalid("at", message))?;
    let now = tokio::task::spawn_blocking(move || {
        host.clock().set(at).map_err(|e| e.to_string())?;
        host.sync_sim_clock();
        Ok::<_, String>(host.clock().now_millis())
    })
    .await
    .map_err(|e| ApiError::internal("the clock task did not finish", e))?
    .map_err(|e| ApiError::internal("the virtual clock could not be set", e))?;
    Ok(Json(json!({ "nowMillis": now, "now": crate::clock::format_rfc3339(now) })).into_response())
}
