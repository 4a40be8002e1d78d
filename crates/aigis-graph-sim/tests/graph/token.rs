//! The identity platform's token endpoint and Graph's token checks.

use aigis_graph_sim::GraphSim;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use sha1::Digest;

use crate::support::*;

fn aadsts(r: &aigis_graph_sim::SimResponse) -> u64 {
    r.body_json()["error_codes"][0].as_u64().unwrap_or(0)
}

#[test]
fn client_secret_tokens_and_their_errors() {
    let t = tenant();
    let r = post_token(&t.sim, TENANT, &secret_form(APP, SECRET));
    assert_eq!(r.status, 200);
    let b = r.body_json();
    assert_eq!(b["token_type"], "Bearer");
    assert_eq!(b["expires_in"], 3599);
    // By verified domain too.
    assert_eq!(
        post_token(&t.sim, "aigis.example", &secret_form(APP, SECRET)).status,
        200
    );
    let r = post_token(&t.sim, TENANT, &secret_form(APP, "wrong"));
    assert_eq!((r.status, aadsts(&r)), (401, 7000215));
    assert_eq!(r.body_json()["error"], "invalid_client");
    assert!(!r.body.contains("wrong"), "the secret is not echoed");
    let r = post_token(&t.sim, "nowhere.example", &secret_form(APP, SECRET));
    assert_eq!((r.status, aadsts(&r)), (400, 90002));
    let r = post_token(
        &t.sim,
        TENANT,
        &secret_form("bbbbbbbb-0000-4000-8000-000000000000", SECRET),
    );
    assert_eq!((r.status, aadsts(&r)), (400, 700016));
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", APP),
        ("client_secret", SECRET),
        ("scope", "GroupMember.ReadWrite.All"),
    ]);
    let r = post_token(&t.sim, TENANT, &body);
    assert_eq!((r.status, aadsts(&r)), (400, 1002012));
    let r = t.sim.handle(
        "GET",
        &format!("/{TENANT}/v2.0/.well-known/openid-configuration"),
        &[],
        None,
    );
    assert_eq!(r.status, 200);
    assert!(
        r.body_json()["token_endpoint"]
            .as_str()
            .unwrap()
            .ends_with("/oauth2/v2.0/token")
    );
}

fn key_pem() -> String {
    std::fs::read_to_string(format!(
        "{}/../aigis-okta-sim/tests/keys/client-rsa.pem",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// A self-signed certificate for the test key: (DER, public key PEM).
fn certificate() -> (Vec<u8>, String) {
    let key = rcgen::KeyPair::from_pem(&key_pem()).unwrap();
    let params = rcgen::CertificateParams::new(vec!["aigis-test".to_string()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert.der().to_vec(), key.public_key_pem())
}

fn assertion(der: &[u8], claims: serde_json::Value) -> String {
    let mut h = Header::new(Algorithm::RS256);
    h.x5t = Some(URL_SAFE_NO_PAD.encode(sha1::Sha1::digest(der)));
    let key = EncodingKey::from_rsa_pem(key_pem().as_bytes()).unwrap();
    jsonwebtoken::encode(&h, &claims, &key).unwrap()
}

fn assertion_form(a: &str) -> String {
    form(&[
        ("grant_type", "client_credentials"),
        ("client_id", APP),
        ("scope", "https://graph.microsoft.com/.default"),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", a),
    ])
}

#[test]
fn certificate_assertions() {
    let t = tenant();
    let (der, public) = certificate();
    let now = NOW_MS / 1000;
    let aud = format!("https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token");
    let claims = |jti: &str, exp: i64, aud: &str| json!({"iss": APP, "sub": APP, "aud": aud, "exp": exp, "nbf": now, "jti": jti});
    // Not registered yet.
    let r = post_token(
        &t.sim,
        TENANT,
        &assertion_form(&assertion(&der, claims("a", now + 600, &aud))),
    );
    assert_eq!((r.status, aadsts(&r)), (401, 700027));
    t.sim.add_certificate(APP, &der, &public).unwrap();
    let a = assertion(&der, claims("b", now + 600, &aud));
    let r = post_token(&t.sim, TENANT, &assertion_form(&a));
    assert_eq!(r.status, 200, "{}", r.body);
    let r = post_token(&t.sim, TENANT, &assertion_form(&a));
    assert_eq!((r.status, aadsts(&r)), (401, 7000016), "replay");
    let r = post_token(
        &t.sim,
        TENANT,
        &assertion_form(&assertion(&der, claims("c", now - 1, &aud))),
    );
    assert_eq!(aadsts(&r), 700024);
    let r = post_token(
        &t.sim,
        TENANT,
        &assertion_form(&assertion(
            &der,
            claims("d", now + 600, "https://elsewhere/token"),
        )),
    );
    assert_eq!(aadsts(&r), 700021);
}

#[test]
fn graph_checks_tokens_and_permissions() {
    let t = tenant();
    let r = t.sim.handle("GET", "/v1.0/users", &[], None);
    assert_eq!(r.status, 401);
    assert_eq!(r.body_json()["error"]["code"], "InvalidAuthenticationToken");
    assert!(r.header("request-id").is_some());
    // No consented permission at all.
    t.sim
        .add_app("cccccccc-0000-4000-8000-000000000001", &[])
        .unwrap();
    t.sim
        .add_secret("cccccccc-0000-4000-8000-000000000001", "s")
        .unwrap();
    let none = token(&t.sim, "cccccccc-0000-4000-8000-000000000001", "s");
    let r = t.sim.handle("GET", "/v1.0/users", &auth(&none), None);
    assert_eq!(r.status, 401);
    assert!(r.body.contains("Either scp or roles claim"));
    // Users only: groups are forbidden.
    t.sim
        .set_roles("cccccccc-0000-4000-8000-000000000001", &["User.Read.All"])
        .unwrap();
    let users_only = token(&t.sim, "cccccccc-0000-4000-8000-000000000001", "s");
    assert_eq!(
        t.sim
            .handle("GET", "/v1.0/users", &auth(&users_only), None)
            .status,
        200
    );
    let r = t.sim.handle(
        "GET",
        &format!("/v1.0/groups/{}/members", t.group),
        &auth(&users_only),
        None,
    );
    assert_eq!(r.status, 403);
    assert_eq!(
        r.body_json()["error"]["code"],
        "Authorization_RequestDenied"
    );
    assert!(r.body_json()["error"]["innerError"]["request-id"].is_string());
    // Expiry and revocation.
    let tok = token(&t.sim, APP, SECRET);
    t.sim.clock().advance(3_599_000);
    let r = t.sim.handle("GET", "/v1.0/users", &auth(&tok), None);
    assert_eq!(r.status, 401);
    assert!(r.body.contains("expired"));
    let tok = token(&t.sim, APP, SECRET);
    t.sim.revoke_app(APP).unwrap();
    assert_eq!(
        t.sim.handle("GET", "/v1.0/users", &auth(&tok), None).status,
        401
    );
    let r = post_token(&t.sim, TENANT, &secret_form(APP, SECRET));
    assert_eq!(aadsts(&r), 7000112);
    let _ = GraphSim::new("x", "y", 0);
}
