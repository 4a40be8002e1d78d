//! Okta's error shape and the OAuth 2.0 error shape of the token endpoint.

use aigis_sim_kit::SimResponse;
use serde_json::json;

use crate::model::State;

/// An Okta API error: `{errorCode, errorSummary, errorLink, errorId, errorCauses}`.
pub fn okta_error(
    st: &mut State,
    status: u16,
    code: &str,
    summary: &str,
    causes: &[&str],
) -> SimResponse {
    let n = st.bump();
    let causes: Vec<_> = causes.iter().map(|c| json!({"errorSummary": c})).collect();
    SimResponse::json(
        status,
        &json!({
            "errorCode": code,
            "errorSummary": summary,
            "errorLink": code,
            "errorId": format!("oaesim{n:016}"),
            "errorCauses": causes,
        }),
    )
}

/// An OAuth 2.0 error (RFC 6749 section 5.2).
pub fn oauth_error(status: u16, error: &str, description: &str) -> SimResponse {
    SimResponse::json(
        status,
        &json!({"error": error, "error_description": description}),
    )
    .with_header("Cache-Control", "no-store")
    .with_header("Pragma", "no-cache")
}
