//! JWS checks of the simulators' token endpoints and resource servers:
//! `private_key_jwt` client assertions (RFC 7523) and DPoP proofs (RFC 9449).
//!
//! Signatures are verified by `jsonwebtoken` (RSA and ECDSA, RustCrypto
//! backend); every time-based claim is checked here against the simulator's
//! clock, never the system's, so tests on a virtual clock are deterministic.

use std::collections::HashSet;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Why a JWS was refused (the message is safe to show the caller).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JoseError(pub String);

fn err(m: impl Into<String>) -> JoseError {
    JoseError(m.into())
}

/// Unpadded base64url.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `base64url(SHA-256(s))`: the DPoP `ath` of an access token.
pub fn sha256_b64url(s: &[u8]) -> String {
    b64url(&Sha256::digest(s))
}

/// The decoded protected header and claims of a compact JWS, unverified.
pub fn peek(token: &str) -> Result<(Value, Value), JoseError> {
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(err("not a compact JWS (three dot-separated parts)"));
    };
    let part = |p: &str, what: &str| -> Result<Value, JoseError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(p.trim_end_matches('='))
            .map_err(|_| err(format!("the {what} is not base64url")))?;
        let v: Value =
            serde_json::from_slice(&bytes).map_err(|_| err(format!("the {what} is not JSON")))?;
        if v.is_object() {
            Ok(v)
        } else {
            Err(err(format!("the {what} is not a JSON object")))
        }
    };
    Ok((part(h, "header")?, part(c, "payload")?))
}

/// RFC 7638 thumbprint (SHA-256, base64url) of a public RSA or EC JWK.
pub fn jwk_thumbprint(jwk: &Value) -> Result<String, JoseError> {
    let s = |k: &str| {
        jwk.get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| err(format!("JWK member `{k}` is missing")))
    };
    let canonical = match s("kty")? {
        "RSA" => serde_json::json!({"e": s("e")?, "kty": "RSA", "n": s("n")?}),
        "EC" => serde_json::json!({"crv": s("crv")?, "kty": "EC", "x": s("x")?, "y": s("y")?}),
        other => return Err(err(format!("unsupported key type {other}"))),
    };
    // serde_json's Map is ordered (BTreeMap): members come out sorted, no spaces.
    Ok(sha256_b64url(canonical.to_string().as_bytes()))
}

const ASYMMETRIC: [Algorithm; 8] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

/// Verify the signature of `token` with `key`, returning the claims. Only
/// asymmetric algorithms; claims are not checked here.
fn verify_with(token: &str, key: &Value) -> Result<Value, JoseError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| err("malformed JWS header"))?;
    if !ASYMMETRIC.contains(&header.alg) {
        return Err(err(format!(
            "signature algorithm {:?} is not allowed",
            header.alg
        )));
    }
    let jwk: Jwk = serde_json::from_value(key.clone()).map_err(|_| err("unusable JWK"))?;
    let key = DecodingKey::from_jwk(&jwk).map_err(|_| err("unusable JWK"))?;
    let mut v = Validation::new(header.alg);
    v.validate_exp = false;
    v.validate_nbf = false;
    v.validate_aud = false;
    v.required_spec_claims = HashSet::new();
    jsonwebtoken::decode::<Value>(token, &key, &v)
        .map(|d| d.claims)
        .map_err(|_| err("signature is invalid"))
}

fn str_claim<'a>(claims: &'a Value, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str)
}

fn int_claim(claims: &Value, name: &str) -> Option<i64> {
    claims.get(name).and_then(Value::as_i64)
}

/// A verified client assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    pub jti: String,
    /// Expiry, epoch seconds.
    pub exp: i64,
}

/// The `iss` of a client assertion, before verifying anything (to find the client).
pub fn assertion_issuer(token: &str) -> Result<String, JoseError> {
    let (_, claims) = peek(token)?;
    str_claim(&claims, "iss")
        .map(str::to_string)
        .ok_or_else(|| err("the client_assertion has no `iss` claim"))
}

/// How a key of a client is chosen for an assertion.
pub enum KeyChoice<'a> {
    /// Any of these JWKs (the one whose `kid` matches when the header names one).
    Jwks(&'a [Value]),
}

/// Check a `private_key_jwt` client assertion (RFC 7523 section 3):
/// signed by one of `keys`, `iss` = `sub` = `client_id`, `aud` is (or
/// contains) `audience`, `exp` in the future but at most `max_lifetime_s`
/// ahead, `jti` present. Replay is the caller's check (it owns the store).
pub fn check_assertion(
    token: &str,
    keys: KeyChoice<'_>,
    client_id: &str,
    audience: &str,
    now_s: i64,
    max_lifetime_s: i64,
) -> Result<Assertion, JoseError> {
    let (header, _) = peek(token)?;
    let KeyChoice::Jwks(jwks) = keys;
    let kid = header.get("kid").and_then(Value::as_str);
    let candidates: Vec<&Value> = jwks
        .iter()
        .filter(|k| kid.is_none_or(|kid| k.get("kid").and_then(Value::as_str) == Some(kid)))
        .collect();
    if candidates.is_empty() {
        return Err(err(
            "no registered key matches the client_assertion's `kid`",
        ));
    }
    let claims = candidates
        .iter()
        .find_map(|k| verify_with(token, k).ok())
        .ok_or_else(|| err("The client_assertion signature is invalid."))?;
    check_assertion_claims(&claims, client_id, audience, now_s, max_lifetime_s)
}

/// The claim checks of [`check_assertion`], for a signature verified elsewhere.
pub fn check_assertion_claims(
    claims: &Value,
    client_id: &str,
    audience: &str,
    now_s: i64,
    max_lifetime_s: i64,
) -> Result<Assertion, JoseError> {
    if str_claim(claims, "iss") != Some(client_id) || str_claim(claims, "sub") != Some(client_id) {
        return Err(err(
            "The client_assertion token must have `iss` and `sub` equal to the client_id.",
        ));
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == audience,
        Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(audience)),
        _ => false,
    };
    if !aud_ok {
        return Err(err(
            "The audience claim for client_assertion must be the endpoint invoking the client_assertion.",
        ));
    }
    let exp = int_claim(claims, "exp")
        .ok_or_else(|| err("The client_assertion token has no expiration (`exp`)."))?;
    if exp <= now_s {
        return Err(err("The client_assertion token is expired."));
    }
    if exp > now_s + max_lifetime_s {
        return Err(err(
            "The client_assertion token has an expiration too far into the future.",
        ));
    }
    let jti = str_claim(claims, "jti")
        .filter(|j| !j.is_empty())
        .ok_or_else(|| err("The client_assertion token has no `jti` claim."))?;
    Ok(Assertion {
        jti: jti.to_string(),
        exp,
    })
}

/// A verified DPoP proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpopProof {
    /// RFC 7638 thumbprint of the proof's key.
    pub jkt: String,
    pub jti: String,
    pub iat: i64,
    pub nonce: Option<String>,
}

/// How far `iat` of a DPoP proof may be from now (seconds).
pub const DPOP_IAT_WINDOW_S: i64 = 300;

/// Check a DPoP proof (RFC 9449 section 4.3): `typ` `dpop+jwt`, an
/// asymmetric `alg`, a public `jwk` in the header that verifies the
/// signature, `htm` = `method`, `htu` = `url` (without query and fragment),
/// `iat` within [`DPOP_IAT_WINDOW_S`], a `jti`, and `ath` =
/// base64url(SHA-256(access token)) when an access token is presented.
/// Nonce and replay checks are the caller's (it owns the store).
pub fn check_dpop(
    proof: &str,
    method: &str,
    url: &str,
    now_s: i64,
    access_token: Option<&str>,
) -> Result<DpopProof, JoseError> {
    let (header, _) = peek(proof)?;
    if header.get("typ").and_then(Value::as_str) != Some("dpop+jwt") {
        return Err(err("The DPoP proof `typ` must be `dpop+jwt`."));
    }
    let jwk = header
        .get("jwk")
        .filter(|j| j.is_object())
        .ok_or_else(|| err("The DPoP proof header has no `jwk`."))?;
    if ["d", "p", "q", "dp", "dq", "qi", "k"]
        .iter()
        .any(|k| jwk.get(k).is_some())
    {
        return Err(err("The DPoP proof `jwk` must not contain a private key."));
    }
    let claims = verify_with(proof, jwk).map_err(|e| err(format!("DPoP proof: {e}")))?;
    if str_claim(&claims, "htm") != Some(method) {
        return Err(err(
            "The DPoP proof `htm` does not match the request method.",
        ));
    }
    // Compared without query and fragment and after percent-decoding
    // (RFC 9449 section 4.3 asks for syntax-based normalisation; HTTP clients
    // differ in which characters of a path they escape, e.g. `@`).
    let base = |u: &str| {
        crate::query::percent_decode(u.split(['?', '#']).next().unwrap_or_default(), false)
    };
    if str_claim(&claims, "htu").map(base) != Some(base(url)) {
        return Err(err("The DPoP proof `htu` does not match the request URL."));
    }
    let iat = int_claim(&claims, "iat").ok_or_else(|| err("The DPoP proof has no `iat`."))?;
    if (iat - now_s).abs() > DPOP_IAT_WINDOW_S {
        return Err(err("The DPoP proof `iat` is outside the accepted window."));
    }
    let jti = str_claim(&claims, "jti")
        .filter(|j| !j.is_empty())
        .ok_or_else(|| err("The DPoP proof has no `jti`."))?;
    if let Some(token) = access_token
        && str_claim(&claims, "ath") != Some(sha256_b64url(token.as_bytes()).as_str())
    {
        return Err(err("The DPoP proof `ath` does not match the access token."));
    }
    Ok(DpopProof {
        jkt: jwk_thumbprint(jwk)?,
        jti: jti.to_string(),
        iat,
        nonce: str_claim(&claims, "nonce").map(str::to_string),
    })
}

/// Verify a JWS with a public key in PEM (SubjectPublicKeyInfo, RSA or EC),
/// returning its claims (no claim checks). For certificate credentials.
pub fn verify_with_pem(token: &str, public_key_pem: &str) -> Result<Value, JoseError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| err("malformed JWS header"))?;
    let key = match header.alg {
        Algorithm::RS256
        | Algorithm::RS384
        | Algorithm::RS512
        | Algorithm::PS256
        | Algorithm::PS384
        | Algorithm::PS512 => DecodingKey::from_rsa_pem(public_key_pem.as_bytes()),
        Algorithm::ES256 | Algorithm::ES384 => DecodingKey::from_ec_pem(public_key_pem.as_bytes()),
        other => return Err(err(format!("signature algorithm {other:?} is not allowed"))),
    }
    .map_err(|_| err("unusable public key"))?;
    let mut v = Validation::new(header.alg);
    v.validate_exp = false;
    v.validate_nbf = false;
    v.validate_aud = false;
    v.required_spec_claims = HashSet::new();
    jsonwebtoken::decode::<Value>(token, &key, &v)
        .map(|d| d.claims)
        .map_err(|_| err("signature is invalid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7638_example_thumbprint() {
        // RFC 7638 section 3.1.
        let jwk = serde_json::json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        });
        assert_eq!(
            jwk_thumbprint(&jwk).unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn peek_refuses_garbage() {
        assert!(peek("a.b").is_err());
        assert!(peek("!!.e30.x").is_err());
        assert!(peek("e30.e30.x").is_ok());
    }

    #[test]
    fn assertion_claims_are_checked_against_the_given_clock() {
        let aud = "https://org.example/oauth2/v1/token";
        let good =
            serde_json::json!({"iss": "c1", "sub": "c1", "aud": aud, "exp": 1_100, "jti": "j"});
        assert_eq!(
            check_assertion_claims(&good, "c1", aud, 1_000, 3_600).unwrap(),
            Assertion {
                jti: "j".into(),
                exp: 1_100
            }
        );
        assert!(
            check_assertion_claims(&good, "c1", aud, 1_100, 3_600)
                .unwrap_err()
                .0
                .contains("expired")
        );
        assert!(check_assertion_claims(&good, "c2", aud, 1_000, 3_600).is_err());
        assert!(check_assertion_claims(&good, "c1", "https://other/token", 1_000, 3_600).is_err());
        assert!(
            check_assertion_claims(&good, "c1", aud, 1_000, 50)
                .unwrap_err()
                .0
                .contains("too far")
        );
        let mut no_jti = good.clone();
        no_jti.as_object_mut().unwrap().remove("jti");
        assert!(check_assertion_claims(&no_jti, "c1", aud, 1_000, 3_600).is_err());
    }
}
