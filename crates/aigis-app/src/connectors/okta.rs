//! The Okta client: the org authorization server's client credentials
//! (`private_key_jwt` assertion signed RS256 or ES256, DPoP-bound token with
//! the `use_dpop_nonce` retry) or a legacy SSWS token, and the users,
//! groups, group rules and members management API.

use super::http::{Fail, Http, Provider, enc, form, header};
use super::provider::{Directory, ExtGroup, ExtMember, ExtUser, MemberPage, next_link};
use super::token::{self, Cached};
use super::{ConnectorRecord, OktaAuth, credential_secret, dpop_secret};
use aigis_platform::{HttpResponse, Platform};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use sha2::Digest;
use std::sync::Mutex;

/// Scopes the service app must be granted.
pub const SCOPES: &str = "okta.groups.manage okta.users.read";
/// Okta org hosts Aigis may reach (the manifest declares the same).
pub const ALLOWED_SUFFIXES: &[&str] = &[".okta.com", ".oktapreview.com", ".okta-emea.com"];

/// Whether `url` is `https://<org>.<an allowed Okta domain>` with nothing after.
pub fn valid_org_url(url: &str) -> bool {
    let Some(host) = url.strip_prefix("https://") else {
        return false;
    };
    let host = host.trim_end_matches('/');
    ALLOWED_SUFFIXES.iter().any(|s| {
        host.strip_suffix(s).is_some_and(|org| {
            !org.is_empty()
                && org
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        })
    })
}

/// A private key given as PEM (RSA or EC P-256) or as a private JWK.
pub fn parse_private_key(text: &str) -> Result<(EncodingKey, Algorithm), String> {
    let t = text.trim();
    if t.starts_with('{') {
        return jwk_key(t);
    }
    if let Ok(k) = EncodingKey::from_rsa_pem(t.as_bytes())
        && sign_probe(&k, Algorithm::RS256)
    {
        return Ok((k, Algorithm::RS256));
    }
    if let Ok(k) = EncodingKey::from_ec_pem(t.as_bytes())
        && sign_probe(&k, Algorithm::ES256)
    {
        return Ok((k, Algorithm::ES256));
    }
    Err("must be an RSA or P-256 private key in PEM, or a private JWK".into())
}

fn sign_probe(k: &EncodingKey, alg: Algorithm) -> bool {
    jsonwebtoken::encode(&Header::new(alg), &json!({"probe": 1}), k).is_ok()
}

fn jwk_key(t: &str) -> Result<(EncodingKey, Algorithm), String> {
    let bad = || "must be a private RSA or P-256 JWK (with d)".to_string();
    let v: Value = serde_json::from_str(t).map_err(|_| bad())?;
    let b = |name: &str| -> Result<Vec<u8>, String> {
        let s = v[name].as_str().ok_or_else(bad)?;
        URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())
    };
    match v["kty"].as_str() {
        Some("RSA") => {
            use rsa::pkcs1::EncodeRsaPrivateKey;
            let n = rsa::BigUint::from_bytes_be(&b("n")?);
            let e = rsa::BigUint::from_bytes_be(&b("e")?);
            let d = rsa::BigUint::from_bytes_be(&b("d")?);
            let primes = vec![
                rsa::BigUint::from_bytes_be(&b("p")?),
                rsa::BigUint::from_bytes_be(&b("q")?),
            ];
            let key = rsa::RsaPrivateKey::from_components(n, e, d, primes).map_err(|_| bad())?;
            let der = key.to_pkcs1_der().map_err(|_| bad())?;
            Ok((EncodingKey::from_rsa_der(der.as_bytes()), Algorithm::RS256))
        }
        Some("EC") if v["crv"] == "P-256" => {
            use p256::pkcs8::EncodePrivateKey;
            let sk = p256::SecretKey::from_slice(&b("d")?).map_err(|_| bad())?;
            let der = sk.to_pkcs8_der().map_err(|_| bad())?;
            Ok((EncodingKey::from_ec_der(der.as_bytes()), Algorithm::ES256))
        }
        _ => Err(bad()),
    }
}

/// The connector's DPoP key: a P-256 key generated once from the
/// platform's random and kept in secret storage.
fn dpop_key(p: &Platform, id: &str) -> Result<(EncodingKey, Jwk), Fail> {
    use p256::pkcs8::EncodePrivateKey;
    let internal = |w: &str| Fail::Terminal(format!("the connector's DPoP key {w}"));
    let name = dpop_secret(id);
    let stored = p
        .secrets
        .get_secret(&name)
        .map_err(|_| Fail::Retry {
            why: "secret storage is unavailable".into(),
            after: None,
        })?
        .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
        .and_then(|b| p256::SecretKey::from_slice(&b).ok());
    let sk = match stored {
        Some(sk) => sk,
        None => {
            let mut made = None;
            for _ in 0..8 {
                let mut buf = [0u8; 32];
                p.random
                    .fill(&mut buf)
                    .map_err(|_| internal("cannot be made: no randomness"))?;
                if let Ok(sk) = p256::SecretKey::from_slice(&buf) {
                    made = Some(sk);
                    break;
                }
            }
            let sk = made.ok_or_else(|| internal("cannot be made"))?;
            p.secrets
                .set_secret(&name, &URL_SAFE_NO_PAD.encode(sk.to_bytes()))
                .map_err(|_| Fail::Retry {
                    why: "secret storage is unavailable".into(),
                    after: None,
                })?;
            sk
        }
    };
    let der = sk
        .to_pkcs8_der()
        .map_err(|_| internal("cannot be encoded"))?;
    let key = EncodingKey::from_ec_der(der.as_bytes());
    let jwk = Jwk::from_encoding_key(&key, Algorithm::ES256)
        .map_err(|_| internal("has no public half"))?;
    Ok((key, jwk))
}

pub struct Okta<'a> {
    http: Http<'a>,
    rec: ConnectorRecord,
    base: String,
    token: Mutex<Option<Cached>>,
}

impl<'a> Okta<'a> {
    pub fn new(p: &'a Platform<'a>, rec: &ConnectorRecord) -> Okta<'a> {
        Okta {
            http: Http::new(p, Provider::Okta),
            base: rec
                .org_url
                .clone()
                .unwrap_or_default()
                .trim_end_matches('/')
                .to_owned(),
            rec: rec.clone(),
            token: Mutex::new(None),
        }
    }

    pub fn request_ids(&self) -> Vec<String> {
        self.http.request_ids()
    }

    fn p(&self) -> &Platform<'a> {
        self.http.p
    }

    fn credential(&self) -> Result<String, Fail> {
        self.p()
            .secrets
            .get_secret(&credential_secret(&self.rec.id))
            .map_err(|_| Fail::Retry {
                why: "secret storage is unavailable".into(),
                after: None,
            })?
            .ok_or_else(|| Fail::Terminal("the connector has no credential set".into()))
    }

    fn now_s(&self) -> i64 {
        self.p().runtime.now_millis() / 1000
    }

    fn jti(&self) -> Result<String, Fail> {
        token::random_hex(self.p(), 16)
            .map_err(|_| Fail::Terminal("no randomness for a token id".into()))
    }

    /// A DPoP proof for `method url` (query and fragment dropped), bound to
    /// `access_token` when given.
    fn proof(
        &self,
        method: &str,
        url: &str,
        nonce: Option<&str>,
        access_token: Option<&str>,
    ) -> Result<String, Fail> {
        let (key, jwk) = dpop_key(self.p(), &self.rec.id)?;
        let mut h = Header::new(Algorithm::ES256);
        h.typ = Some("dpop+jwt".into());
        h.jwk = Some(jwk);
        let htu = url.split(['?', '#']).next().unwrap_or(url);
        let mut claims =
            json!({"htm": method, "htu": htu, "iat": self.now_s(), "jti": self.jti()?});
        if let Some(n) = nonce {
            claims["nonce"] = json!(n);
        }
        if let Some(t) = access_token {
            claims["ath"] = json!(URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(t.as_bytes())));
        }
        jsonwebtoken::encode(&h, &claims, &key)
            .map_err(|_| Fail::Terminal("a DPoP proof could not be signed".into()))
    }

    fn assertion(&self, token_url: &str) -> Result<String, Fail> {
        let (key, alg) = parse_private_key(&self.credential()?).map_err(|_| {
            Fail::Terminal("the connector's private key is not usable; set it again".into())
        })?;
        let client = self.rec.client_id.clone().unwrap_or_default();
        let mut h = Header::new(alg);
        h.kid = self.rec.key_id.clone();
        let now = self.now_s();
        let claims = json!({"iss": client, "sub": client, "aud": token_url,
            "iat": now, "exp": now + 300, "jti": self.jti()?});
        jsonwebtoken::encode(&h, &claims, &key)
            .map_err(|_| Fail::Terminal("the client assertion could not be signed".into()))
    }

    /// A new token from the org authorization server.
    fn fetch_token(&self) -> Result<Cached, Fail> {
        let url = format!("{}/oauth2/v1/token", self.base);
        let mut nonce: Option<String> = None;
        for _ in 0..2 {
            let body = form(&[
                ("grant_type", "client_credentials"),
                ("scope", SCOPES),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", &self.assertion(&url)?),
            ]);
            let headers = vec![
                (
                    "Content-Type".to_owned(),
                    "application/x-www-form-urlencoded".to_owned(),
                ),
                ("Accept".to_owned(), "application/json".to_owned()),
                (
                    "DPoP".to_owned(),
                    self.proof("POST", &url, nonce.as_deref(), None)?,
                ),
            ];
            let resp = self.http.send("POST", &url, headers, Some(body))?;
            let v: Value = serde_json::from_str(&resp.body).unwrap_or_default();
            if resp.status == 200 {
                let expires_in = v["expires_in"].as_i64().unwrap_or(3600);
                return Ok(Cached {
                    token: v["access_token"].as_str().unwrap_or_default().to_owned(),
                    token_type: v["token_type"].as_str().unwrap_or("DPoP").to_owned(),
                    expires_at: self.p().runtime.now_millis() + expires_in * 1000,
                    credential_version: self.rec.credential_version,
                });
            }
            if resp.status == 400
                && v["error"] == "use_dpop_nonce"
                && nonce.is_none()
                && let Some(n) = header(&resp, "dpop-nonce")
            {
                nonce = Some(n.to_owned());
                continue;
            }
            return Err(token_error(&self.http, &resp, &v));
        }
        Err(Fail::Terminal(
            "Okta kept asking for a new DPoP nonce".into(),
        ))
    }

    fn access(&self, fresh: bool) -> Result<Cached, Fail> {
        let now = self.p().runtime.now_millis();
        if !fresh {
            if let Some(t) = self.token.lock().ok().and_then(|t| t.clone()) {
                return Ok(t);
            }
            if let Some(t) = token::cached(self.p(), &self.rec.id, self.rec.credential_version, now)
            {
                return Ok(t);
            }
        }
        let t = self.fetch_token()?;
        token::store(self.p(), &self.rec.id, &t);
        if let Ok(mut slot) = self.token.lock() {
            *slot = Some(t.clone());
        }
        Ok(t)
    }

    fn auth_headers(
        &self,
        method: &str,
        url: &str,
        fresh: bool,
    ) -> Result<Vec<(String, String)>, Fail> {
        let mut h = vec![("Accept".to_owned(), "application/json".to_owned())];
        match self.rec.auth {
            Some(OktaAuth::Ssws) => {
                h.push((
                    "Authorization".into(),
                    format!("SSWS {}", self.credential()?),
                ));
            }
            _ => {
                let t = self.access(fresh)?;
                if t.token_type.eq_ignore_ascii_case("dpop") {
                    h.push(("Authorization".into(), format!("DPoP {}", t.token)));
                    h.push((
                        "DPoP".into(),
                        self.proof(method, url, None, Some(&t.token))?,
                    ));
                } else {
                    h.push(("Authorization".into(), format!("Bearer {}", t.token)));
                }
            }
        }
        Ok(h)
    }

    /// One API call; a 401 refreshes the token once and retries.
    fn call(&self, method: &str, url: &str, body: Option<Value>) -> Result<HttpResponse, Fail> {
        let mut fresh = false;
        loop {
            let mut h = self.auth_headers(method, url, fresh)?;
            if body.is_some() {
                h.push(("Content-Type".into(), "application/json".into()));
            }
            let resp = self
                .http
                .send(method, url, h, body.as_ref().map(Value::to_string))?;
            if resp.status == 401 && !fresh && self.rec.auth != Some(OktaAuth::Ssws) {
                token::forget(self.p(), &self.rec.id);
                if let Ok(mut slot) = self.token.lock() {
                    *slot = None;
                }
                fresh = true;
                continue;
            }
            if resp.status == 401 {
                return Err(Fail::Terminal(
                    "Okta refused the connector's credentials: they may have been revoked".into(),
                ));
            }
            return Ok(resp);
        }
    }

    fn get_json(&self, url: &str, what: &str) -> Result<Option<(Value, HttpResponse)>, Fail> {
        let resp = self.call("GET", url, None)?;
        match resp.status {
            200 => Ok(Some((
                serde_json::from_str(&resp.body).unwrap_or_default(),
                resp,
            ))),
            404 => Ok(None),
            _ => Err(self.http.fail(&resp, what)),
        }
    }

    /// Whether an ACTIVE group rule assigns users to `group`.
    fn rule_target(&self, group: &str) -> Result<Option<String>, Fail> {
        let mut url = format!("{}/api/v1/groups/rules?limit=200", self.base);
        let mut seen = Vec::new();
        loop {
            let Some((v, resp)) = self.get_json(&url, "read the group rules")? else {
                return Ok(None);
            };
            for r in v.as_array().into_iter().flatten() {
                let targets = r["actions"]["assignUserToGroups"]["groupIds"]
                    .as_array()
                    .is_some_and(|ids| ids.iter().any(|i| i == group));
                if r["status"] == "ACTIVE" && targets {
                    return Ok(Some(r["name"].as_str().unwrap_or("a rule").to_owned()));
                }
            }
            match next_of(&resp) {
                Some(n) if !seen.contains(&n) => {
                    seen.push(n.clone());
                    url = n;
                }
                Some(_) => return Err(Fail::Terminal("Okta repeated a page link".into())),
                None => return Ok(None),
            }
        }
    }
}

/// The `rel="next"` link among the answer's `Link` headers (Okta sends one per relation).
fn next_of(resp: &HttpResponse) -> Option<String> {
    resp.headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("link"))
        .find_map(|(_, v)| next_link(v))
}

fn user_of(v: &Value) -> ExtUser {
    ExtUser {
        id: v["id"].as_str().unwrap_or_default().to_owned(),
        email: v["profile"]["email"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        active: v["status"] == "ACTIVE",
    }
}

/// What a refused token request means, in plain words.
fn token_error(http: &Http, resp: &HttpResponse, v: &Value) -> Fail {
    let code = v["error"].as_str().unwrap_or_default();
    match (resp.status, code) {
        (_, "invalid_client") => Fail::Terminal(
            "Okta does not accept the client credentials: check the client id, key id and \
             private key (invalid_client)"
                .into(),
        ),
        (_, "invalid_scope") => Fail::Terminal(format!(
            "the Okta service app is missing a granted scope: grant {SCOPES} (invalid_scope)"
        )),
        (_, "invalid_dpop_proof") => {
            Fail::Terminal("Okta refused the DPoP proof (invalid_dpop_proof)".into())
        }
        (404, _) => Fail::Terminal("no Okta org answers at this org URL".into()),
        _ => http.fail(resp, "get an access token"),
    }
}

impl Directory for Okta<'_> {
    fn authenticate(&self) -> Result<(), Fail> {
        if self.rec.auth == Some(OktaAuth::Ssws) {
            self.credential().map(|_| ())
        } else {
            self.access(false).map(|_| ())
        }
    }

    fn users_by_email(&self, email: &str) -> Result<Vec<ExtUser>, Fail> {
        let search = format!("profile.email eq \"{}\"", email.replace('"', ""));
        let url = format!("{}/api/v1/users?search={}", self.base, enc(&search));
        let (v, _) = self
            .get_json(&url, "search users")?
            .ok_or_else(|| Fail::Terminal("Okta does not know the users API here".into()))?;
        Ok(v.as_array()
            .into_iter()
            .flatten()
            .map(user_of)
            .filter(|u| u.email.eq_ignore_ascii_case(email))
            .collect())
    }

    fn user(&self, id: &str) -> Result<Option<ExtUser>, Fail> {
        let url = format!("{}/api/v1/users/{}", self.base, enc(id));
        Ok(self
            .get_json(&url, "read a user")?
            .map(|(v, _)| user_of(&v)))
    }

    fn group(&self, id: &str) -> Result<Option<ExtGroup>, Fail> {
        let url = format!("{}/api/v1/groups/{}", self.base, enc(id));
        let Some((v, _)) = self.get_json(&url, "read a group")? else {
            return Ok(None);
        };
        let kind = v["type"].as_str().unwrap_or_default().to_owned();
        let mut ungovernable = (kind != "OKTA_GROUP").then(|| {
            (
                "type".to_owned(),
                format!(
                    "the group's type is {kind}: only OKTA_GROUP groups have members Aigis can manage"
                ),
            )
        });
        if ungovernable.is_none()
            && let Some(rule) = self.rule_target(id)?
        {
            ungovernable = Some((
                "groupRule".to_owned(),
                format!("the active group rule {rule:?} assigns this group's members"),
            ));
        }
        Ok(Some(ExtGroup {
            id: v["id"].as_str().unwrap_or_default().to_owned(),
            name: v["profile"]["name"].as_str().unwrap_or_default().to_owned(),
            ungovernable,
        }))
    }

    fn create_group(&self, name: &str, description: &str) -> Result<ExtGroup, Fail> {
        let url = format!("{}/api/v1/groups", self.base);
        let body = json!({"profile": {"name": name, "description": description}});
        let resp = self.call("POST", &url, Some(body))?;
        if resp.status != 200 {
            return Err(self.http.fail(&resp, "create a group"));
        }
        let v: Value = serde_json::from_str(&resp.body).unwrap_or_default();
        Ok(ExtGroup {
            id: v["id"].as_str().unwrap_or_default().to_owned(),
            name: name.to_owned(),
            ungovernable: None,
        })
    }

    fn add_member(&self, group: &str, user: &str) -> Result<(), Fail> {
        let url = format!(
            "{}/api/v1/groups/{}/users/{}",
            self.base,
            enc(group),
            enc(user)
        );
        let resp = self.call("PUT", &url, None)?;
        match resp.status {
            200 | 204 => Ok(()),
            _ => Err(self.http.fail(&resp, "add a group member")),
        }
    }

    fn remove_member(&self, group: &str, user: &str) -> Result<bool, Fail> {
        let url = format!(
            "{}/api/v1/groups/{}/users/{}",
            self.base,
            enc(group),
            enc(user)
        );
        let resp = self.call("DELETE", &url, None)?;
        match resp.status {
            200 | 204 => Ok(true),
            404 => Ok(false),
            _ => Err(self.http.fail(&resp, "remove a group member")),
        }
    }

    fn is_member(&self, group: &str, user: &str) -> Result<bool, Fail> {
        let members = super::provider::all_members(self, group)?;
        Ok(members.iter().any(|m| m == user))
    }

    fn members_page(&self, group: &str, next: Option<&str>) -> Result<MemberPage, Fail> {
        let url = match next {
            Some(n) => n.to_owned(),
            None => format!("{}/api/v1/groups/{}/users?limit=200", self.base, enc(group)),
        };
        let resp = self.call("GET", &url, None)?;
        if resp.status != 200 {
            return Err(self.http.fail(&resp, "list group members"));
        }
        let v: Value = serde_json::from_str(&resp.body).map_err(|_| Fail::Retry {
            why: "Okta sent an unreadable page".into(),
            after: None,
        })?;
        let members = v
            .as_array()
            .ok_or_else(|| Fail::Retry {
                why: "Okta sent an unreadable page".into(),
                after: None,
            })?
            .iter()
            .filter(|u| u["id"].is_string())
            .map(|u| {
                let user = user_of(u);
                ExtMember {
                    id: user.id,
                    email: user.email,
                    active: user.active,
                    non_user: None,
                }
            })
            .collect();
        Ok(MemberPage {
            members,
            next: next_of(&resp),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_urls() {
        assert!(valid_org_url("https://acme.okta.com"));
        assert!(valid_org_url("https://acme.oktapreview.com/"));
        assert!(valid_org_url("https://acme.okta-emea.com"));
        for bad in [
            "http://acme.okta.com",
            "https://okta.com",
            "https://acme.okta.com.evil.example",
            "https://acme.okta.com/x",
            "https://evil.example/.okta.com",
        ] {
            assert!(!valid_org_url(bad), "{bad}");
        }
    }
}
