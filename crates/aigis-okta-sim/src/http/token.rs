//! `POST /oauth2/v1/token`: client credentials with `private_key_jwt`, DPoP.

use aigis_sim_kit::query::parse_pairs;
use aigis_sim_kit::{SimResponse, header, jose};
use serde_json::json;

use super::{Ctx, HResult, Req, oauth_error};
use crate::model::AccessToken;

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Lifetime of access tokens (seconds).
pub const TOKEN_LIFETIME_S: i64 = 3600;
/// How far ahead a client assertion's `exp` may be (seconds).
const MAX_ASSERTION_LIFETIME_S: i64 = 3600;

fn invalid_client(description: &str) -> SimResponse {
    oauth_error(401, "invalid_client", description)
}

pub fn token(ctx: &mut Ctx<'_>, req: &Req<'_>) -> HResult {
    let form_type = header(req.headers, "content-type").unwrap_or_default();
    if !form_type
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded")
    {
        return Err(oauth_error(
            400,
            "invalid_request",
            "The request must be application/x-www-form-urlencoded.",
        ));
    }
    let form = parse_pairs(req.body.unwrap_or_default());
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    match get("grant_type") {
        Some("client_credentials") => {}
        Some(_) => {
            return Err(oauth_error(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server. Configured grant types: [client_credentials].",
            ));
        }
        None => {
            return Err(oauth_error(
                400,
                "invalid_request",
                "The 'grant_type' parameter is required.",
            ));
        }
    }
    if get("client_secret").is_some() {
        return Err(invalid_client(
            "Client authentication with client_secret is not allowed for this client; use private_key_jwt.",
        ));
    }
    if get("client_assertion_type") != Some(JWT_BEARER) {
        return Err(invalid_client(
            "The client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.",
        ));
    }
    let Some(assertion) = get("client_assertion") else {
        return Err(invalid_client(
            "The client_assertion parameter is required.",
        ));
    };
    let iss = jose::assertion_issuer(assertion)
        .map_err(|_| invalid_client("The client_assertion token is invalid."))?;
    if get("client_id").is_some_and(|c| c != iss) {
        return Err(invalid_client(
            "The client_id parameter does not match the client_assertion's issuer.",
        ));
    }
    let Some(client) = ctx.st.clients.get(&iss).cloned() else {
        return Err(invalid_client("Invalid value for 'client_id' parameter."));
    };
    if !client.active {
        return Err(invalid_client("The client is not active."));
    }
    let now_s = ctx.now_ms.div_euclid(1000);
    let token_url = format!("{}{}", ctx.base, req.path);
    let a = jose::check_assertion(
        assertion,
        jose::KeyChoice::Jwks(&client.jwks),
        &client.client_id,
        &token_url,
        now_s,
        MAX_ASSERTION_LIFETIME_S,
    )
    .map_err(|e| invalid_client(&e.0))?;
    if ctx.st.used_jtis.contains_key(&a.jti) {
        return Err(invalid_client(
            "The client_assertion token has already been used.",
        ));
    }
    // Okta consumes the assertion's jti here, even if the DPoP check below
    // then asks for a nonce (the SDKs sign a fresh assertion for the retry).
    ctx.st.used_jtis.insert(a.jti, a.exp);

    let requested: Vec<String> = get("scope")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    if requested.is_empty() {
        return Err(oauth_error(
            400,
            "invalid_scope",
            "The authorization server requires a 'scope' parameter for client credentials.",
        ));
    }
    let missing: Vec<&str> = requested
        .iter()
        .filter(|s| !client.scopes.contains(s))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(oauth_error(
            400,
            "invalid_scope",
            &format!(
                "The following scopes are not allowed: '{}'.",
                missing.join("', '")
            ),
        ));
    }

    let jkt = match header(req.headers, "dpop") {
        None if client.require_dpop => {
            return Err(oauth_error(
                400,
                "invalid_dpop_proof",
                "The DPoP proof JWT header is missing.",
            ));
        }
        None => None,
        Some(proof) => {
            let p = jose::check_dpop(proof, "POST", &token_url, now_s, None)
                .map_err(|e| oauth_error(400, "invalid_dpop_proof", &e.0))?;
            let fresh = p
                .nonce
                .as_deref()
                .is_some_and(|n| n == ctx.st.nonce || n == ctx.st.previous_nonce);
            if !fresh {
                return Err(oauth_error(
                    400,
                    "use_dpop_nonce",
                    "Authorization server requires nonce in DPoP proof.",
                )
                .with_header("DPoP-Nonce", ctx.st.nonce.clone()));
            }
            if ctx.st.used_jtis.contains_key(&p.jti) {
                return Err(oauth_error(
                    400,
                    "invalid_dpop_proof",
                    "The DPoP proof `jti` was already used.",
                ));
            }
            ctx.st
                .used_jtis
                .insert(p.jti, p.iat + jose::DPOP_IAT_WINDOW_S);
            Some(p.jkt)
        }
    };
    ctx.st.used_jtis.retain(|_, exp| *exp > now_s);
    let n = ctx.st.bump();
    let digest = jose::sha256_b64url(format!("{}:{n}", client.client_id).as_bytes());
    let access_token = format!("oktasim.{n:06}.{}", &digest[..24]);
    let token_type = if jkt.is_some() { "DPoP" } else { "Bearer" };
    ctx.st.access_tokens.insert(
        access_token.clone(),
        AccessToken {
            client_id: client.client_id.clone(),
            scopes: requested.clone(),
            expires_at: now_s + TOKEN_LIFETIME_S,
            jkt,
            revoked: false,
        },
    );
    Ok(SimResponse::json(
        200,
        &json!({
            "token_type": token_type,
            "expires_in": TOKEN_LIFETIME_S,
            "access_token": access_token,
            "scope": requested.join(" "),
        }),
    )
    .with_header("Cache-Control", "no-store")
    .with_header("Pragma", "no-cache"))
}
