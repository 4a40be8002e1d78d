//! The identity platform: `POST /{tenant}/oauth2/v2.0/token` (client
//! credentials with a secret or a certificate assertion) and the tenant's
//! OpenID configuration (MSAL reads it to find the token endpoint).

use aigis_sim_kit::query::parse_pairs;
use aigis_sim_kit::{SimResponse, header, iso_seconds, jose};
use serde_json::json;

use crate::GRAPH_DEFAULT_SCOPE;
use crate::model::{AccessToken, State};

/// Lifetime of access tokens (seconds), as Entra answers.
pub const TOKEN_LIFETIME_S: i64 = 3599;
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const LOGIN: &str = "https://login.microsoftonline.com";

fn aad_error(
    st: &mut State,
    now_ms: i64,
    status: u16,
    error: &str,
    code: u32,
    message: &str,
) -> SimResponse {
    let n = st.bump();
    let trace = format!("00000000-0000-4000-b000-{n:012}");
    let ts = iso_seconds(now_ms);
    SimResponse::json(
        status,
        &json!({
            "error": error,
            "error_description": format!("AADSTS{code}: {message} Trace ID: {trace} Correlation ID: {trace} Timestamp: {ts}"),
            "error_codes": [code],
            "timestamp": ts,
            "trace_id": trace,
            "correlation_id": trace,
            "error_uri": format!("{LOGIN}/error?code={code}"),
        }),
    )
}

pub fn identity_platform(
    st: &mut State,
    now_ms: i64,
    base: &str,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: Option<&str>,
) -> SimResponse {
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    match (method, segs.as_slice()) {
        ("POST", [tenant, "oauth2", "v2.0", "token"]) => token(
            st,
            now_ms,
            base,
            tenant,
            path,
            headers,
            body.unwrap_or_default(),
        ),
        ("GET", [tenant, "v2.0", ".well-known", "openid-configuration"]) => {
            if !st.is_tenant(tenant) {
                return aad_error(
                    st,
                    now_ms,
                    400,
                    "invalid_tenant",
                    90002,
                    &format!("Tenant '{tenant}' not found."),
                );
            }
            let tid = st.tenant_id.clone();
            SimResponse::json(
                200,
                &json!({
                    "token_endpoint": format!("{base}/{tid}/oauth2/v2.0/token"),
                    "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
                    "jwks_uri": format!("{base}/{tid}/discovery/v2.0/keys"),
                    "response_modes_supported": ["query", "fragment", "form_post"],
                    "subject_types_supported": ["pairwise"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                    "scopes_supported": ["openid", "profile", "email", "offline_access"],
                    "issuer": format!("{base}/{tid}/v2.0"),
                    "authorization_endpoint": format!("{base}/{tid}/oauth2/v2.0/authorize"),
                    "device_authorization_endpoint": format!("{base}/{tid}/oauth2/v2.0/devicecode"),
                    "end_session_endpoint": format!("{base}/{tid}/oauth2/v2.0/logout"),
                    "tenant_region_scope": "EU",
                    "cloud_instance_name": "microsoftonline.com",
                }),
            )
        }
        _ => aad_error(
            st,
            now_ms,
            404,
            "invalid_request",
            900561,
            "The endpoint only accepts the documented requests.",
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn token(
    st: &mut State,
    now_ms: i64,
    base: &str,
    tenant: &str,
    path: &str,
    headers: &[(String, String)],
    body: &str,
) -> SimResponse {
    if !header(headers, "content-type")
        .unwrap_or_default()
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded")
    {
        return aad_error(
            st,
            now_ms,
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        );
    }
    if !st.is_tenant(tenant) {
        return aad_error(
            st,
            now_ms,
            400,
            "invalid_tenant",
            90002,
            &format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        );
    }
    let form = parse_pairs(body);
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if get("grant_type") != Some("client_credentials") {
        return aad_error(
            st,
            now_ms,
            400,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type.",
        );
    }
    let Some(client_id) = get("client_id").map(str::to_string) else {
        return aad_error(
            st,
            now_ms,
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        );
    };
    let Some(app) = st.apps.get(&client_id).cloned() else {
        return aad_error(
            st,
            now_ms,
            400,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."
            ),
        );
    };
    if !app.enabled {
        return aad_error(
            st,
            now_ms,
            400,
            "unauthorized_client",
            7000112,
            &format!("Application '{client_id}' is disabled."),
        );
    }
    let scope = get("scope").unwrap_or_default();
    if scope != GRAPH_DEFAULT_SCOPE {
        return aad_error(
            st,
            now_ms,
            400,
            "invalid_scope",
            1002012,
            &format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        );
    }
    let now_s = now_ms.div_euclid(1000);
    match (get("client_secret"), get("client_assertion")) {
        (Some(secret), None) => {
            if !app.secrets.iter().any(|s| s == secret) {
                return aad_error(
                    st,
                    now_ms,
                    401,
                    "invalid_client",
                    7000215,
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.",
                );
            }
        }
        (None, Some(assertion)) => {
            if get("client_assertion_type") != Some(JWT_BEARER) {
                return aad_error(
                    st,
                    now_ms,
                    400,
                    "invalid_request",
                    50027,
                    "Invalid client_assertion_type.",
                );
            }
            let (hdr, _) = match jose::peek(assertion) {
                Ok(p) => p,
                Err(_) => {
                    return aad_error(
                        st,
                        now_ms,
                        401,
                        "invalid_client",
                        50027,
                        "JWT token is invalid or malformed.",
                    );
                }
            };
            let x5t = hdr.get("x5t").and_then(|v| v.as_str());
            let x5t_s256 = hdr.get("x5t#S256").and_then(|v| v.as_str());
            let Some(cert) = app.certificates.iter().find(|c| {
                x5t.is_some_and(|t| t == c.x5t) || x5t_s256.is_some_and(|t| t == c.x5t_s256)
            }) else {
                return aad_error(
                    st,
                    now_ms,
                    401,
                    "invalid_client",
                    700027,
                    "The certificate with identifier used to sign the client assertion is not registered on application.",
                );
            };
            let claims = match jose::verify_with_pem(assertion, &cert.public_key_pem) {
                Ok(c) => c,
                Err(_) => {
                    return aad_error(
                        st,
                        now_ms,
                        401,
                        "invalid_client",
                        50013,
                        "Assertion failed signature validation.",
                    );
                }
            };
            let auds = [format!("{base}{path}"), format!("{LOGIN}{path}")];
            // The audience is the token URL, on this host or on login.microsoftonline.com.
            let claimed = |a: &str| match claims.get("aud") {
                Some(serde_json::Value::String(v)) => v == a,
                Some(serde_json::Value::Array(v)) => v.iter().any(|x| x.as_str() == Some(a)),
                _ => false,
            };
            let aud = auds.iter().find(|a| claimed(a)).unwrap_or(&auds[0]);
            let checked = jose::check_assertion_claims(&claims, &client_id, aud, now_s, 3 * 3600);
            let a = match checked {
                Ok(a) => a,
                Err(e) if e.0.contains("expir") => {
                    return aad_error(
                        st,
                        now_ms,
                        401,
                        "invalid_client",
                        700024,
                        "Client assertion is not within its valid time range.",
                    );
                }
                Err(e) if e.0.contains("audience") => {
                    return aad_error(
                        st,
                        now_ms,
                        401,
                        "invalid_client",
                        700021,
                        "Client assertion audience claim does not match Realm issuer.",
                    );
                }
                Err(e) => return aad_error(st, now_ms, 401, "invalid_client", 50027, &e.0),
            };
            if st.used_jtis.contains_key(&a.jti) {
                return aad_error(
                    st,
                    now_ms,
                    401,
                    "invalid_client",
                    7000016,
                    "The client assertion was already used (jti replay).",
                );
            }
            st.used_jtis.insert(a.jti, a.exp);
        }
        (Some(_), Some(_)) => {
            return aad_error(
                st,
                now_ms,
                400,
                "invalid_request",
                90015,
                "Requested query string is too long or ambiguous: only one client credential may be sent.",
            );
        }
        (None, None) => {
            return aad_error(
                st,
                now_ms,
                401,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            );
        }
    }
    st.used_jtis.retain(|_, exp| *exp > now_s);
    let n = st.bump();
    let digest = jose::sha256_b64url(format!("{client_id}:{n}").as_bytes());
    let access_token = format!("graphsim.{n:06}.{}", &digest[..24]);
    st.tokens.insert(
        access_token.clone(),
        AccessToken {
            client_id,
            roles: app.roles.clone(),
            expires_at_s: now_s + TOKEN_LIFETIME_S,
            revoked: false,
        },
    );
    SimResponse::json(
        200,
        &json!({
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_S,
            "ext_expires_in": TOKEN_LIFETIME_S,
            "access_token": access_token,
        }),
    )
    .with_header("Cache-Control", "no-store, no-cache")
    .with_header("Pragma", "no-cache")
}
