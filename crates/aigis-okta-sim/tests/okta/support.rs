//! Test keys, signed client assertions and DPoP proofs, a seeded org.

use aigis_okta_sim::model::GroupType;
use aigis_okta_sim::{NewUser, OktaSim, SimResponse};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

pub const BASE: &str = "https://aigis-test.okta.com";
pub const NOW_MS: i64 = 1_795_435_200_000;
pub const CLIENT: &str = "0oasimclient000001";
pub const SCOPES: &str = "okta.groups.manage okta.users.read";

pub fn key(name: &str) -> EncodingKey {
    let pem = std::fs::read(format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR")))
        .expect("test key");
    if name.contains("-ec") {
        EncodingKey::from_ec_pem(&pem).expect("ec key")
    } else {
        EncodingKey::from_rsa_pem(&pem).expect("rsa key")
    }
}

pub fn public_jwk(name: &str, alg: Algorithm, kid: Option<&str>) -> Value {
    let jwk = Jwk::from_encoding_key(&key(name), alg).expect("jwk");
    let mut v = serde_json::to_value(jwk).expect("jwk json");
    if let Some(kid) = kid {
        v["kid"] = json!(kid);
    }
    v
}

pub fn sign(name: &str, alg: Algorithm, header: Header, claims: &Value) -> String {
    let mut header = header;
    header.alg = alg;
    jsonwebtoken::encode(&header, claims, &key(name)).expect("sign")
}

pub fn now_s() -> i64 {
    NOW_MS / 1000
}

/// A client assertion for CLIENT, signed with client-rsa.pem (kid k1).
pub fn assertion(jti: &str) -> String {
    assertion_with(json!({
        "iss": CLIENT, "sub": CLIENT, "aud": format!("{BASE}/oauth2/v1/token"),
        "iat": now_s(), "exp": now_s() + 300, "jti": jti,
    }))
}

pub fn assertion_with(claims: Value) -> String {
    let mut h = Header::new(Algorithm::RS256);
    h.kid = Some("k1".into());
    sign("client-rsa.pem", Algorithm::RS256, h, &claims)
}

/// A DPoP proof signed with dpop-ec.pem.
pub fn dpop(
    method: &str,
    url: &str,
    nonce: Option<&str>,
    ath_of: Option<&str>,
    jti: &str,
) -> String {
    dpop_at(now_s(), method, url, nonce, ath_of, jti)
}

/// A DPoP proof issued at `iat`.
pub fn dpop_at(
    iat: i64,
    method: &str,
    url: &str,
    nonce: Option<&str>,
    ath_of: Option<&str>,
    jti: &str,
) -> String {
    let mut h = Header::new(Algorithm::ES256);
    h.typ = Some("dpop+jwt".into());
    h.jwk =
        Some(serde_json::from_value(public_jwk("dpop-ec.pem", Algorithm::ES256, None)).unwrap());
    let mut claims = json!({"htm": method, "htu": url, "iat": iat, "jti": jti});
    if let Some(n) = nonce {
        claims["nonce"] = json!(n);
    }
    if let Some(t) = ath_of {
        claims["ath"] = json!(aigis_sim_kit::jose::sha256_b64url(t.as_bytes()));
    }
    sign("dpop-ec.pem", Algorithm::ES256, h, &claims)
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                aigis_sim_kit::query::percent_encode(k),
                aigis_sim_kit::query::percent_encode(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

pub fn token_form(assertion: &str) -> String {
    form(&[
        ("grant_type", "client_credentials"),
        ("scope", SCOPES),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", assertion),
    ])
}

pub fn post_token(sim: &OktaSim, body: &str, dpop: Option<String>) -> SimResponse {
    let mut h = vec![(
        "Content-Type".to_string(),
        "application/x-www-form-urlencoded".to_string(),
    )];
    if let Some(p) = dpop {
        h.push(("DPoP".to_string(), p));
    }
    sim.handle("POST", "/oauth2/v1/token", &h, Some(body))
}

pub struct Org {
    pub sim: OktaSim,
    pub users: Vec<String>,
    pub group: String,
    pub app_group: String,
    pub builtin: String,
    pub rule_group: String,
}

/// An org with 5 users (one SUSPENDED), an OKTA_GROUP, an APP_GROUP, the
/// BUILT_IN Everyone, a rule-targeted group, an SSWS token `ssws-test`, and
/// CLIENT registered (requires DPoP) with both scopes.
pub fn org() -> Org {
    let sim = OktaSim::new(BASE, NOW_MS);
    let mut users = Vec::new();
    for (i, name) in ["ada", "bea", "cy", "dee", "eve"].iter().enumerate() {
        let mut u = NewUser::active(&format!("{name}@aigis.example"), name, "Test");
        if i == 4 {
            u.status = aigis_okta_sim::model::UserStatus::Suspended;
        }
        users.push(sim.add_user(u).unwrap());
    }
    let group = sim
        .add_group("aigis-copilot", GroupType::OktaGroup)
        .unwrap();
    let app_group = sim
        .add_group("AD Engineering", GroupType::AppGroup)
        .unwrap();
    let builtin = sim.add_group("Everyone", GroupType::BuiltIn).unwrap();
    let rule_group = sim.add_group("Dept Sales", GroupType::OktaGroup).unwrap();
    sim.add_group_rule("Sales", "user.department==\"Sales\"", &[&rule_group], true)
        .unwrap();
    sim.add_api_token("ssws-test", "test token").unwrap();
    sim.register_client(
        CLIENT,
        vec![public_jwk("client-rsa.pem", Algorithm::RS256, Some("k1"))],
        &["okta.groups.manage", "okta.users.read"],
        true,
    )
    .unwrap();
    Org {
        sim,
        users,
        group,
        app_group,
        builtin,
        rule_group,
    }
}

pub fn ssws() -> Vec<(String, String)> {
    vec![("Authorization".into(), "SSWS ssws-test".into())]
}

pub fn get(sim: &OktaSim, path: &str) -> SimResponse {
    sim.handle("GET", path, &ssws(), None)
}

/// Get a DPoP-bound token: first try without nonce, then with the nonce.
pub fn dpop_token(sim: &OktaSim) -> String {
    let url = format!("{BASE}/oauth2/v1/token");
    let r = post_token(
        sim,
        &token_form(&assertion("a-1")),
        Some(dpop("POST", &url, None, None, "p-1")),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let nonce = r.header("DPoP-Nonce").expect("nonce").to_string();
    let r = post_token(
        sim,
        &token_form(&assertion("a-2")),
        Some(dpop("POST", &url, Some(&nonce), None, "p-2")),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.body_json()["access_token"].as_str().unwrap().to_string()
}

/// Headers for an API call with a DPoP-bound token.
pub fn dpop_headers(
    sim: &OktaSim,
    method: &str,
    path: &str,
    token: &str,
    jti: &str,
) -> Vec<(String, String)> {
    let url = format!("{BASE}{}", path.split('?').next().unwrap());
    let iat = sim.clock().now_s();
    vec![
        ("Authorization".into(), format!("DPoP {token}")),
        (
            "DPoP".into(),
            dpop_at(iat, method, &url, None, Some(token), jti),
        ),
    ]
}
