//! One request: control endpoint, identity platform (token, discovery) or
//! Graph (route table, faults, rate limit, token, permission, handler).

mod admin;
pub mod directory;
mod filter;
mod token;

use aigis_sim_kit::faults::{self, FaultKind};
use aigis_sim_kit::query::{Query, percent_decode};
use aigis_sim_kit::{SimResponse, header, http_date, iso_seconds};
use serde_json::json;

use crate::GraphSim;
use crate::model::State;

/// Permissions that grant reading users.
const USERS_READ: &[&str] = &[
    "User.Read.All",
    "User.ReadBasic.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
/// Permissions that grant reading groups and their members.
const GROUPS_READ: &[&str] = &[
    "GroupMember.Read.All",
    "GroupMember.ReadWrite.All",
    "Group.Read.All",
    "Group.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
/// Permissions that grant changing members.
const MEMBERS_WRITE: &[&str] = &[
    "GroupMember.ReadWrite.All",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
];
/// Permissions that grant creating groups.
const GROUPS_CREATE: &[&str] = &[
    "Group.Create",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
];

pub type Handler = fn(&mut Ctx<'_>, &Req<'_>) -> Result<SimResponse, SimResponse>;

pub struct Route {
    pub method: &'static str,
    /// Served path under `/v1.0`.
    pub template: &'static str,
    /// The operation's path in the OpenAPI document.
    pub spec: &'static str,
    pub permissions: &'static [&'static str],
    pub handler: Handler,
}

const fn r(
    method: &'static str,
    template: &'static str,
    spec: &'static str,
    permissions: &'static [&'static str],
    handler: Handler,
) -> Route {
    Route {
        method,
        template,
        spec,
        permissions,
        handler,
    }
}

use directory as d;

const ROUTES: &[Route] = &[
    r("GET", "/users", "/users", USERS_READ, d::list_users),
    r(
        "GET",
        "/users/{user-id}",
        "/users/{user-id}",
        USERS_READ,
        d::get_user,
    ),
    r(
        "POST",
        "/users/{user-id}/checkMemberGroups",
        "/users/{user-id}/microsoft.graph.checkMemberGroups",
        GROUPS_READ,
        d::check_member_groups,
    ),
    r(
        "POST",
        "/users/{user-id}/microsoft.graph.checkMemberGroups",
        "/users/{user-id}/microsoft.graph.checkMemberGroups",
        GROUPS_READ,
        d::check_member_groups,
    ),
    r("GET", "/groups", "/groups", GROUPS_READ, d::list_groups),
    r("POST", "/groups", "/groups", GROUPS_CREATE, d::create_group),
    r(
        "GET",
        "/groups/delta",
        "/groups/microsoft.graph.delta()",
        GROUPS_READ,
        d::delta,
    ),
    r(
        "GET",
        "/groups/delta()",
        "/groups/microsoft.graph.delta()",
        GROUPS_READ,
        d::delta,
    ),
    r(
        "GET",
        "/groups/microsoft.graph.delta()",
        "/groups/microsoft.graph.delta()",
        GROUPS_READ,
        d::delta,
    ),
    r(
        "GET",
        "/groups/{group-id}",
        "/groups/{group-id}",
        GROUPS_READ,
        d::get_group,
    ),
    r(
        "GET",
        "/groups/{group-id}/members",
        "/groups/{group-id}/members",
        GROUPS_READ,
        d::list_members,
    ),
    r(
        "POST",
        "/groups/{group-id}/members/$ref",
        "/groups/{group-id}/members/$ref",
        MEMBERS_WRITE,
        d::add_member,
    ),
    r(
        "DELETE",
        "/groups/{group-id}/members/{directoryObject-id}/$ref",
        "/groups/{group-id}/members/{directoryObject-id}/$ref",
        MEMBERS_WRITE,
        d::remove_member,
    ),
];

/// Every (METHOD, served path under `/v1.0`, OpenAPI path) of the Graph routes.
pub fn routes() -> Vec<(&'static str, &'static str, &'static str)> {
    ROUTES
        .iter()
        .map(|r| (r.method, r.template, r.spec))
        .collect()
}

enum Miss {
    NoPath,
    NoMethod,
}

/// Path parameters by name.
type Params = Vec<(String, String)>;

fn find(method: &str, path: &str) -> Result<(&'static Route, Params), Miss> {
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let mut best: Option<(&'static str, Params, Vec<bool>)> = None;
    for route in ROUTES {
        let tsegs: Vec<&str> = route.template.split('/').skip(1).collect();
        if tsegs.len() != segs.len() {
            continue;
        }
        let mut params = Vec::new();
        let mut literal = Vec::new();
        let mut ok = true;
        for (t, s) in tsegs.iter().zip(&segs) {
            if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                params.push((name.to_string(), percent_decode(s, false)));
                literal.push(false);
                ok &= !s.is_empty();
            } else if t.eq_ignore_ascii_case(s) {
                literal.push(true);
            } else {
                ok = false;
            }
            if !ok {
                break;
            }
        }
        if ok && best.as_ref().is_none_or(|(_, _, b)| literal > *b) {
            best = Some((route.template, params, literal));
        }
    }
    let (template, params, _) = best.ok_or(Miss::NoPath)?;
    ROUTES
        .iter()
        .find(|r| r.template == template && r.method == method)
        .map(|r| (r, params))
        .ok_or(Miss::NoMethod)
}

pub struct Req<'a> {
    pub path: String,
    pub params: Vec<(String, String)>,
    pub query: Query,
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
}

pub struct Ctx<'a> {
    pub st: &'a mut State,
    pub now_ms: i64,
    pub base: String,
    pub request_id: String,
    pub client_request_id: String,
}

impl Ctx<'_> {
    /// An OData error.
    pub fn error(&self, status: u16, code: &str, message: &str) -> SimResponse {
        SimResponse::json(
            status,
            &json!({"error": {
                "code": code,
                "message": message,
                "innerError": {
                    "date": iso_seconds(self.now_ms),
                    "request-id": self.request_id,
                    "client-request-id": self.client_request_id,
                },
            }}),
        )
    }

    pub fn not_found(&self, id: &str) -> SimResponse {
        self.error(
            404,
            "Request_ResourceNotFound",
            &format!(
                "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
            ),
        )
    }

    pub fn bad_request(&self, message: &str) -> SimResponse {
        self.error(400, "Request_BadRequest", message)
    }
}

pub fn handle(
    sim: &GraphSim,
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
    let n = st.bump();
    let request_id = format!("00000000-0000-4000-a000-{n:012}");
    let client_request_id = header(headers, "client-request-id")
        .unwrap_or(&request_id)
        .to_string();
    let mut resp = if let Some(rest) = path.strip_prefix("/v1.0") {
        let mut ctx = Ctx {
            st: &mut st,
            now_ms,
            base,
            request_id: request_id.clone(),
            client_request_id: client_request_id.clone(),
        };
        graph(&mut ctx, &method, rest, query, headers, body)
    } else {
        token::identity_platform(&mut st, now_ms, &base, &method, path, headers, body)
    };
    drop(st);
    resp.headers.push(("request-id".into(), request_id));
    resp.headers
        .push(("client-request-id".into(), client_request_id));
    resp.headers.push(("Date".into(), http_date(now_ms)));
    resp
}

fn graph(
    ctx: &mut Ctx<'_>,
    method: &str,
    path: &str,
    query: &str,
    headers: &[(String, String)],
    body: Option<&str>,
) -> SimResponse {
    let (route, params) = match find(method, path) {
        Ok(found) => found,
        Err(Miss::NoPath) => {
            return ctx.error(
                400,
                "BadRequest",
                &format!(
                    "Resource not found for the segment '{}'.",
                    path.rsplit('/').next().unwrap_or_default()
                ),
            );
        }
        Err(Miss::NoMethod) => {
            return ctx.error(
                405,
                "Request_BadRequest",
                "Specified HTTP method is not allowed for the request target.",
            );
        }
    };
    let req = Req {
        path: path.to_string(),
        params,
        query: Query::parse(query),
        body,
    };
    let mut delay_ms = 0;
    match faults::take(&mut ctx.st.faults, method, &format!("/v1.0{path}")) {
        Some(FaultKind::Status { status }) => {
            let code = if status == 503 {
                "serviceNotAvailable"
            } else {
                "generalException"
            };
            return ctx.error(status, code, "The service is temporarily unavailable.");
        }
        Some(FaultKind::RateLimited { reset_in_secs }) => {
            return too_many(ctx, reset_in_secs);
        }
        Some(FaultKind::Delay { millis }) => delay_ms = millis,
        None => {}
    }
    let client_id = match authenticate(ctx, headers, route.permissions) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let limit = ctx.st.rate_limit;
    if limit > 0 {
        let window = ctx.now_ms.div_euclid(60_000) * 60_000;
        let b = ctx.st.buckets.entry(client_id).or_default();
        if b.window_start != window {
            b.window_start = window;
            b.used = 0;
        }
        if b.used >= limit {
            let wait = (window + 60_000 - ctx.now_ms + 999) / 1000;
            return too_many(ctx, wait.max(1));
        }
        b.used += 1;
    }
    let mut resp = match (route.handler)(ctx, &req) {
        Ok(r) | Err(r) => r,
    };
    resp.delay_ms = delay_ms;
    resp
}

fn too_many(ctx: &Ctx<'_>, retry_after_s: i64) -> SimResponse {
    ctx.error(
        429,
        "TooManyRequests",
        "Too many requests have been made. Please retry after the time in the Retry-After header.",
    )
    .with_header("Retry-After", retry_after_s.to_string())
}

/// The calling app's client id, or Graph's 401/403.
fn authenticate(
    ctx: &Ctx<'_>,
    headers: &[(String, String)],
    permissions: &[&str],
) -> Result<String, SimResponse> {
    let invalid = |m: &str| {
        ctx.error(401, "InvalidAuthenticationToken", m).with_header(
            "WWW-Authenticate",
            "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\"",
        )
    };
    let token = header(headers, "authorization")
        .and_then(|a| {
            a.strip_prefix("Bearer ")
                .or_else(|| a.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| invalid("Access token is empty."))?;
    let t = ctx
        .st
        .tokens
        .get(token)
        .ok_or_else(|| invalid("Access token validation failure. Invalid audience."))?;
    if t.revoked {
        return Err(invalid("Access token has been revoked."));
    }
    if t.expires_at_s <= ctx.now_ms.div_euclid(1000) {
        return Err(invalid("Lifetime validation failed, the token is expired."));
    }
    if t.roles.is_empty() {
        return Err(invalid(
            "Either scp or roles claim need to be present in the token.",
        ));
    }
    if !permissions.iter().any(|p| t.roles.iter().any(|r| r == p)) {
        return Err(ctx.error(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ));
    }
    Ok(t.client_id.clone())
}
