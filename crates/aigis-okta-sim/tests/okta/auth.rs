//! Token endpoint (private_key_jwt, DPoP) and API authentication.

use aigis_okta_sim::OktaSim;
use jsonwebtoken::{Algorithm, Header};
use serde_json::json;

use crate::support::*;

fn token_url() -> String {
    format!("{BASE}/oauth2/v1/token")
}

#[test]
fn dpop_nonce_then_bound_token() {
    let o = org();
    let r = post_token(
        &o.sim,
        &token_form(&assertion("j1")),
        Some(dpop("POST", &token_url(), None, None, "d1")),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.body_json()["error"], "use_dpop_nonce");
    let nonce = r.header("DPoP-Nonce").unwrap().to_string();
    assert_eq!(nonce, o.sim.dpop_nonce());
    // The assertion's jti was consumed by the nonce round trip.
    let r = post_token(
        &o.sim,
        &token_form(&assertion("j1")),
        Some(dpop("POST", &token_url(), Some(&nonce), None, "d2")),
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.body_json()["error"], "invalid_client");
    assert!(r.body.contains("already been used"));
    let r = post_token(
        &o.sim,
        &token_form(&assertion("j2")),
        Some(dpop("POST", &token_url(), Some(&nonce), None, "d3")),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let b = r.body_json();
    assert_eq!(b["token_type"], "DPoP");
    assert_eq!(b["expires_in"], 3600);
    assert_eq!(b["scope"], SCOPES);
    // A stale nonce (two rotations ago) is refused with the new one.
    o.sim.rotate_dpop_nonce();
    o.sim.rotate_dpop_nonce();
    let r = post_token(
        &o.sim,
        &token_form(&assertion("j3")),
        Some(dpop("POST", &token_url(), Some(&nonce), None, "d4")),
    );
    assert_eq!(r.body_json()["error"], "use_dpop_nonce");
    assert_eq!(r.header("DPoP-Nonce"), Some(o.sim.dpop_nonce().as_str()));
}

#[test]
fn dpop_required_and_checked_at_the_token_endpoint() {
    let o = org();
    let r = post_token(&o.sim, &token_form(&assertion("j1")), None);
    assert_eq!(r.status, 400);
    assert_eq!(r.body_json()["error"], "invalid_dpop_proof");
    let n = o.sim.dpop_nonce();
    for (proof, why) in [
        (dpop("GET", &token_url(), Some(&n), None, "x1"), "htm"),
        (
            dpop(
                "POST",
                "https://evil.example/oauth2/v1/token",
                Some(&n),
                None,
                "x2",
            ),
            "htu",
        ),
        ("not.a.jwt".to_string(), "garbage"),
    ] {
        let r = post_token(
            &o.sim,
            &token_form(&assertion(&format!("j-{why}"))),
            Some(proof),
        );
        assert_eq!(r.status, 400, "{why}");
        assert_eq!(r.body_json()["error"], "invalid_dpop_proof", "{why}");
    }
    // A proof signed by a key other than its header's jwk.
    let mut h = Header::new(Algorithm::RS256);
    h.typ = Some("dpop+jwt".into());
    h.jwk =
        Some(serde_json::from_value(public_jwk("client-rsa.pem", Algorithm::RS256, None)).unwrap());
    let forged = sign(
        "other-rsa.pem",
        Algorithm::RS256,
        h,
        &json!({"htm": "POST", "htu": token_url(), "iat": now_s(), "jti": "f1", "nonce": n}),
    );
    let r = post_token(&o.sim, &token_form(&assertion("j-forged")), Some(forged));
    assert_eq!(r.body_json()["error"], "invalid_dpop_proof");
    // Old iat.
    o.sim.clock().advance(600_000);
    let r = post_token(
        &o.sim,
        &token_form(&assertion_with(json!({
            "iss": CLIENT, "sub": CLIENT, "aud": token_url(),
            "exp": now_s() + 1200, "jti": "late"
        }))),
        Some(dpop("POST", &token_url(), Some(&n), None, "x9")),
    );
    assert!(r.body.contains("iat"), "{}", r.body);
}

#[test]
fn client_assertions_are_verified() {
    let o = org();
    let aud = token_url();
    let cases = [
        (
            json!({"iss": CLIENT, "sub": CLIENT, "aud": "https://other.okta.com/oauth2/v1/token", "exp": now_s() + 60, "jti": "a"}),
            "audience",
        ),
        (
            json!({"iss": CLIENT, "sub": CLIENT, "aud": aud, "exp": now_s() - 1, "jti": "b"}),
            "expired",
        ),
        (
            json!({"iss": CLIENT, "sub": CLIENT, "aud": aud, "exp": now_s() + 7200, "jti": "c"}),
            "too far",
        ),
        (
            json!({"iss": CLIENT, "sub": "someone", "aud": aud, "exp": now_s() + 60, "jti": "d"}),
            "sub",
        ),
        (
            json!({"iss": CLIENT, "sub": CLIENT, "aud": aud, "exp": now_s() + 60}),
            "jti",
        ),
        (
            json!({"iss": "0oaunknown", "sub": "0oaunknown", "aud": aud, "exp": now_s() + 60, "jti": "e"}),
            "client_id",
        ),
    ];
    for (claims, want) in cases {
        let r = post_token(&o.sim, &token_form(&assertion_with(claims)), None);
        assert_eq!(r.status, 401, "{want}: {}", r.body);
        let b = r.body_json();
        assert_eq!(b["error"], "invalid_client");
        assert!(
            b["error_description"].as_str().unwrap().contains(want),
            "{want}: {b}"
        );
    }
    // Signed with a key the client did not register.
    let mut h = Header::new(Algorithm::RS256);
    h.kid = Some("k1".into());
    let forged = sign(
        "other-rsa.pem",
        Algorithm::RS256,
        h,
        &json!({"iss": CLIENT, "sub": CLIENT, "aud": aud, "exp": now_s() + 60, "jti": "f"}),
    );
    let r = post_token(&o.sim, &token_form(&forged), None);
    assert!(r.body.contains("signature"), "{}", r.body);
    // Client secrets are not accepted.
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("scope", SCOPES),
        ("client_id", CLIENT),
        ("client_secret", "x"),
    ]);
    assert_eq!(post_token(&o.sim, &body, None).status, 401);
}

#[test]
fn scopes_must_be_granted() {
    let sim = OktaSim::new(BASE, NOW_MS);
    sim.register_client(
        CLIENT,
        vec![public_jwk("client-rsa.pem", Algorithm::RS256, Some("k1"))],
        &["okta.users.read"],
        false,
    )
    .unwrap();
    let g = sim
        .add_group("g", aigis_okta_sim::model::GroupType::OktaGroup)
        .unwrap();
    let r = post_token(&sim, &token_form(&assertion("s1")), None);
    assert_eq!(r.status, 400);
    assert_eq!(r.body_json()["error"], "invalid_scope");
    assert!(r.body.contains("okta.groups.manage"));
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("scope", "okta.users.read"),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", &assertion("s2")),
    ]);
    let r = post_token(&sim, &body, None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body_json()["token_type"], "Bearer");
    let token = r.body_json()["access_token"].as_str().unwrap().to_string();
    let bearer = vec![("Authorization".to_string(), format!("Bearer {token}"))];
    assert_eq!(
        sim.handle("GET", "/api/v1/users", &bearer, None).status,
        200
    );
    let r = sim.handle("GET", &format!("/api/v1/groups/{g}/users"), &bearer, None);
    assert_eq!(r.status, 403);
    assert_eq!(r.body_json()["errorCode"], "E0000006");
    let www = r.header("WWW-Authenticate").unwrap();
    assert!(
        www.contains("insufficient_scope") && www.contains("okta.groups.read"),
        "{www}"
    );
}

#[test]
fn dpop_bound_tokens_need_a_matching_proof() {
    let o = org();
    let token = dpop_token(&o.sim);
    let path = "/api/v1/users?limit=2";
    let ok = o.sim.handle(
        "GET",
        path,
        &dpop_headers(&o.sim, "GET", path, &token, "u1"),
        None,
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    // Replayed proof.
    let r = o.sim.handle(
        "GET",
        path,
        &dpop_headers(&o.sim, "GET", path, &token, "u1"),
        None,
    );
    assert_eq!(r.status, 401);
    assert!(
        r.header("WWW-Authenticate")
            .unwrap()
            .contains("invalid_dpop_proof")
    );
    // Wrong ath (proof made for another token).
    let mut h = dpop_headers(&o.sim, "GET", path, "another-token", "u2");
    h[0].1 = format!("DPoP {token}");
    assert_eq!(o.sim.handle("GET", path, &h, None).status, 401);
    // Wrong method in the proof.
    let mut h = dpop_headers(&o.sim, "POST", path, &token, "u3");
    h[0].1 = format!("DPoP {token}");
    assert_eq!(o.sim.handle("GET", path, &h, None).status, 401);
    // Bearer scheme or no proof.
    let bearer = vec![("Authorization".to_string(), format!("Bearer {token}"))];
    assert_eq!(o.sim.handle("GET", path, &bearer, None).status, 401);
    let no_proof = vec![("Authorization".to_string(), format!("DPoP {token}"))];
    let r = o.sim.handle("GET", path, &no_proof, None);
    assert_eq!(r.status, 401);
    assert_eq!(r.body_json()["errorCode"], "E0000011");
    // Proof by another key than the one the token is bound to.
    let mut hd = Header::new(Algorithm::RS256);
    hd.typ = Some("dpop+jwt".into());
    hd.jwk =
        Some(serde_json::from_value(public_jwk("other-rsa.pem", Algorithm::RS256, None)).unwrap());
    let proof = sign(
        "other-rsa.pem",
        Algorithm::RS256,
        hd,
        &json!({"htm": "GET", "htu": format!("{BASE}/api/v1/users"), "iat": now_s(), "jti": "u4",
                "ath": aigis_sim_kit::jose::sha256_b64url(token.as_bytes())}),
    );
    let h = vec![
        ("Authorization".to_string(), format!("DPoP {token}")),
        ("DPoP".to_string(), proof),
    ];
    let r = o.sim.handle("GET", path, &h, None);
    assert_eq!(r.status, 401);
    assert!(r.header("WWW-Authenticate").unwrap().contains("cnf.jkt"));
}

#[test]
fn tokens_expire_and_revocation_is_final() {
    let o = org();
    let token = dpop_token(&o.sim);
    let path = "/api/v1/groups";
    assert_eq!(
        o.sim
            .handle(
                "GET",
                path,
                &dpop_headers(&o.sim, "GET", path, &token, "e1"),
                None
            )
            .status,
        200
    );
    o.sim.clock().advance(3_600_000);
    let r = o.sim.handle(
        "GET",
        path,
        &dpop_headers(&o.sim, "GET", path, &token, "e2"),
        None,
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.body_json()["errorCode"], "E0000011");
    // A new token works again; revoking the client kills it and new ones.
    let token = dpop_token_at(&o.sim, "r");
    assert_eq!(
        o.sim
            .handle(
                "GET",
                path,
                &dpop_headers(&o.sim, "GET", path, &token, "e3"),
                None
            )
            .status,
        200
    );
    o.sim.revoke_client(CLIENT).unwrap();
    assert_eq!(
        o.sim
            .handle(
                "GET",
                path,
                &dpop_headers(&o.sim, "GET", path, &token, "e4"),
                None
            )
            .status,
        401
    );
    let r = post_token(&o.sim, &token_form(&assertion("after-revoke")), None);
    assert_eq!(r.status, 401);
    assert_eq!(r.body_json()["error"], "invalid_client");
    // SSWS tokens: revocation too.
    assert_eq!(get(&o.sim, path).status, 200);
    o.sim.revoke_api_token("ssws-test").unwrap();
    assert_eq!(get(&o.sim, path).status, 401);
    let none: Vec<(String, String)> = Vec::new();
    assert_eq!(o.sim.handle("GET", path, &none, None).status, 401);
}

fn dpop_token_at(sim: &OktaSim, tag: &str) -> String {
    let url = format!("{BASE}/oauth2/v1/token");
    let now = sim.clock().now_ms() / 1000;
    let a = assertion_with(json!({
        "iss": CLIENT, "sub": CLIENT, "aud": url, "iat": now, "exp": now + 300, "jti": format!("{tag}-a")
    }));
    let mut h = Header::new(Algorithm::ES256);
    h.typ = Some("dpop+jwt".into());
    h.jwk =
        Some(serde_json::from_value(public_jwk("dpop-ec.pem", Algorithm::ES256, None)).unwrap());
    let proof = sign(
        "dpop-ec.pem",
        Algorithm::ES256,
        h,
        &json!({"htm": "POST", "htu": url, "iat": now, "jti": format!("{tag}-p"), "nonce": sim.dpop_nonce()}),
    );
    let r = post_token(sim, &token_form(&a), Some(proof));
    assert_eq!(r.status, 200, "{}", r.body);
    r.body_json()["access_token"].as_str().unwrap().to_string()
}
