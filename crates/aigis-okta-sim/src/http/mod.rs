//! One request: admin prefix, route, faults, rate limit, authentication,
//! scope, handler; then the headers every Okta answer carries.

pub mod admin;
pub mod groups;
mod members;
mod reply;
mod routes;
mod search;
mod token;
mod users;

use aigis_sim_kit::faults::FaultKind;
use aigis_sim_kit::query::Query;
use aigis_sim_kit::{SimResponse, faults, header, http_date, jose};
use serde_json::Value;

use crate::OktaSim;
use crate::model::State;
pub use reply::{oauth_error, okta_error};
pub use routes::routes;

/// What a route needs from the caller's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The token endpoint: authenticates itself.
    Token,
    UsersRead,
    GroupsRead,
    GroupsManage,
}

impl Scope {
    /// The scopes that grant it (the first is the one to name in errors).
    fn granted_by(self) -> &'static [&'static str] {
        match self {
            Scope::Token => &[],
            Scope::UsersRead => &["okta.users.read", "okta.users.manage"],
            Scope::GroupsRead => &["okta.groups.read", "okta.groups.manage"],
            Scope::GroupsManage => &["okta.groups.manage"],
        }
    }
}

/// A parsed request.
pub struct Req<'a> {
    pub method: String,
    pub path: String,
    pub params: Vec<(String, String)>,
    pub query: Query,
    pub headers: &'a [(String, String)],
    pub body: Option<&'a str>,
}

impl Req<'_> {
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    /// The JSON body, or Okta's 400 for a malformed one.
    pub fn json(&self, st: &mut State) -> Result<Value, SimResponse> {
        let text = self.body.map(str::trim).unwrap_or_default();
        serde_json::from_str(text).map_err(|_| {
            okta_error(
                st,
                400,
                "E0000003",
                "The request body was not well-formed.",
                &[],
            )
        })
    }
}

/// What a handler sees.
pub struct Ctx<'a> {
    pub st: &'a mut State,
    pub now_ms: i64,
    pub base: String,
}

pub type HResult = Result<SimResponse, SimResponse>;
pub type Handler = fn(&mut Ctx<'_>, &Req<'_>) -> HResult;

pub fn handle(
    sim: &OktaSim,
    method: &str,
    path_and_query: &str,
    headers: &[(String, String)],
    body: Option<&str>,
) -> SimResponse {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let method = method.to_ascii_uppercase();
    if let Some(rest) = path.strip_prefix("/__sim/") {
        return admin::handle(sim, &method, rest, body);
    }
    let now_ms = sim.clock().now_ms();
    let base = sim.base_url();
    let mut st = sim.lock();
    let mut resp = match routes::find(&method, path) {
        Err(routes::Miss::NoPath) => okta_error(
            &mut st,
            404,
            "E0000007",
            &format!("Not found: Resource not found: {path} (Resource)"),
            &[],
        ),
        Err(routes::Miss::NoMethod { allow }) => okta_error(
            &mut st,
            405,
            "E0000022",
            "The endpoint does not support the provided HTTP method",
            &[],
        )
        .with_header("Allow", allow.join(", ")),
        Ok(found) => {
            let req = Req {
                method: method.clone(),
                path: path.to_string(),
                params: found.params,
                query: Query::parse(query),
                headers,
                body,
            };
            let mut ctx = Ctx {
                st: &mut st,
                now_ms,
                base,
            };
            run(&mut ctx, found.route, &req)
        }
    };
    let n = st.bump();
    drop(st);
    resp.headers.push(("Date".into(), http_date(now_ms)));
    resp.headers
        .push(("X-Okta-Request-Id".into(), format!("okta-sim-req-{n:08}")));
    resp
}

fn run(ctx: &mut Ctx<'_>, route: &routes::Route, req: &Req<'_>) -> SimResponse {
    let mut delay_ms = 0;
    match faults::take(&mut ctx.st.faults, &req.method, &req.path) {
        Some(FaultKind::Status { status }) => {
            let summary = if status == 500 {
                "Internal Server Error"
            } else {
                "Service Unavailable"
            };
            return okta_error(ctx.st, status, "E0000009", summary, &[]);
        }
        Some(FaultKind::RateLimited { reset_in_secs }) => {
            let reset = ctx.now_ms.div_euclid(1000) + reset_in_secs;
            return too_many(ctx.st, ctx.st.rate_limit.max(1), reset);
        }
        Some(FaultKind::Delay { millis }) => delay_ms = millis,
        None => {}
    }
    // Rate limit: one bucket per route template, per minute of the clock.
    let limit = ctx.st.rate_limit;
    let mut rate_headers = Vec::new();
    if limit > 0 {
        let window = ctx.now_ms.div_euclid(60_000) * 60_000;
        let bucket = ctx
            .st
            .buckets
            .entry(format!("{} {}", route.method, route.template))
            .or_default();
        if bucket.window_start != window {
            bucket.window_start = window;
            bucket.used = 0;
        }
        let reset = (window + 60_000) / 1000;
        if bucket.used >= limit {
            return too_many(ctx.st, limit, reset);
        }
        bucket.used += 1;
        let remaining = limit - bucket.used;
        rate_headers = vec![
            ("X-Rate-Limit-Limit".to_string(), limit.to_string()),
            ("X-Rate-Limit-Remaining".to_string(), remaining.to_string()),
            ("X-Rate-Limit-Reset".to_string(), reset.to_string()),
        ];
    }
    let outcome = match route.scope {
        Scope::Token => (route.handler)(ctx, req),
        scope => authorize(ctx, req, scope).and_then(|()| (route.handler)(ctx, req)),
    };
    let mut resp = match outcome {
        Ok(r) | Err(r) => r,
    };
    resp.headers.extend(rate_headers);
    resp.delay_ms = delay_ms;
    resp
}

fn too_many(st: &mut State, limit: u32, reset: i64) -> SimResponse {
    okta_error(
        st,
        429,
        "E0000047",
        "API call exceeded rate limit due to too many requests.",
        &[],
    )
    .with_header("X-Rate-Limit-Limit", limit.to_string())
    .with_header("X-Rate-Limit-Remaining", "0")
    .with_header("X-Rate-Limit-Reset", reset.to_string())
}

fn invalid_token(st: &mut State) -> SimResponse {
    okta_error(st, 401, "E0000011", "Invalid token provided", &[])
}

fn invalid_dpop(st: &mut State, why: &str) -> SimResponse {
    let desc = why.replace('"', "'");
    invalid_token(st).with_header(
        "WWW-Authenticate",
        format!("DPoP algs=\"RS256 RS384 RS512 ES256 ES384 ES512\", error=\"invalid_dpop_proof\", error_description=\"{desc}\""),
    )
}

/// Check the `Authorization` header (SSWS, Bearer or DPoP) and the scope.
fn authorize(ctx: &mut Ctx<'_>, req: &Req<'_>, scope: Scope) -> Result<(), SimResponse> {
    let Some(auth) = header(req.headers, "authorization") else {
        return Err(invalid_token(ctx.st));
    };
    let (kind, token) = auth.split_once(' ').unwrap_or((auth, ""));
    let token = token.trim();
    let kind = kind.to_ascii_lowercase();
    if kind == "ssws" {
        return match ctx.st.api_tokens.get(token) {
            Some(t) if !t.revoked => Ok(()),
            _ => Err(invalid_token(ctx.st)),
        };
    }
    if kind != "bearer" && kind != "dpop" {
        return Err(invalid_token(ctx.st));
    }
    let now_s = ctx.now_ms.div_euclid(1000);
    let Some(at) = ctx.st.access_tokens.get(token).cloned() else {
        return Err(invalid_token(ctx.st));
    };
    if at.revoked || at.expires_at <= now_s {
        return Err(invalid_token(ctx.st));
    }
    match (&at.jkt, kind.as_str()) {
        (None, "bearer") => {}
        (None, _) => return Err(invalid_dpop(ctx.st, "The access token is not DPoP-bound.")),
        (Some(_), "bearer") => {
            return Err(invalid_dpop(
                ctx.st,
                "A DPoP-bound access token must be presented with the DPoP scheme.",
            ));
        }
        (Some(jkt), _) => {
            let Some(proof) = header(req.headers, "dpop") else {
                return Err(invalid_dpop(
                    ctx.st,
                    "The DPoP proof JWT header is missing.",
                ));
            };
            let url = format!("{}{}", ctx.base, req.path);
            let p = match jose::check_dpop(proof, &req.method, &url, now_s, Some(token)) {
                Ok(p) => p,
                Err(e) => return Err(invalid_dpop(ctx.st, &e.0)),
            };
            if &p.jkt != jkt {
                return Err(invalid_dpop(
                    ctx.st,
                    "The DPoP proof key does not match the access token's cnf.jkt.",
                ));
            }
            if ctx.st.used_jtis.contains_key(&p.jti) {
                return Err(invalid_dpop(
                    ctx.st,
                    "The DPoP proof `jti` was already used.",
                ));
            }
            ctx.st
                .used_jtis
                .insert(p.jti, p.iat + jose::DPOP_IAT_WINDOW_S);
        }
    }
    let granted = scope
        .granted_by()
        .iter()
        .any(|s| at.scopes.iter().any(|t| t == s));
    if !granted {
        let needed = scope.granted_by().first().copied().unwrap_or_default();
        let scheme = if at.jkt.is_some() { "DPoP" } else { "Bearer" };
        return Err(okta_error(
            ctx.st,
            403,
            "E0000006",
            "You do not have permission to perform the requested action",
            &[],
        )
        .with_header(
            "WWW-Authenticate",
            format!(
                "{scheme} authorization_uri=\"{}/oauth2/v1/authorize\", realm=\"IdentityPlatform\", scope=\"{needed}\", error=\"insufficient_scope\", error_description=\"The access token provided does not contain the required scopes.\", resource=\"{}\"",
                ctx.base, req.path
            ),
        ));
    }
    Ok(())
}

/// `limit` of a list call: default `default`, at most `max`, at least 1.
pub fn limit(
    ctx: &mut Ctx<'_>,
    req: &Req<'_>,
    default: usize,
    max: usize,
) -> Result<usize, SimResponse> {
    match req.query.get("limit") {
        None => Ok(default),
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= 1 => Ok((n as usize).min(max)),
            _ => Err(okta_error(
                ctx.st,
                400,
                "E0000001",
                "Api validation failed: limit",
                &["limit: The value must be a positive integer."],
            )),
        },
    }
}

/// `Link` headers of a page: `self` always, `next` when more follows.
pub fn page_links(
    base: &str,
    path: &str,
    query: &Query,
    next_after: Option<&str>,
) -> Vec<(String, String)> {
    use aigis_sim_kit::query::percent_encode;
    let keep: Vec<String> = query
        .0
        .iter()
        .filter(|(k, _)| k != "after")
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect();
    let url = |after: Option<&str>| {
        let mut q = Vec::new();
        if let Some(a) = after {
            q.push(format!("after={}", percent_encode(a)));
        }
        q.extend(keep.iter().cloned());
        if q.is_empty() {
            format!("{base}{path}")
        } else {
            format!("{base}{path}?{}", q.join("&"))
        }
    };
    let mut out = vec![(
        "Link".to_string(),
        format!("<{}>; rel=\"self\"", url(query.get("after"))),
    )];
    if let Some(after) = next_after {
        out.push((
            "Link".to_string(),
            format!("<{}>; rel=\"next\"", url(Some(after))),
        ));
    }
    out
}
