//! The route table: every (method, path template) served, its scope and
//! handler. The templates are the management OpenAPI document's own
//! (the conformance test checks each operation exists there); the token
//! endpoint belongs to Okta's OAuth 2.0 API, not that document.

use aigis_sim_kit::query::percent_decode;

use super::{Handler, Scope, groups, members, token, users};

pub struct Route {
    pub method: &'static str,
    pub template: &'static str,
    pub scope: Scope,
    pub handler: Handler,
}

const fn r(method: &'static str, template: &'static str, scope: Scope, handler: Handler) -> Route {
    Route {
        method,
        template,
        scope,
        handler,
    }
}

/// The path of the org authorization server's token endpoint.
pub const TOKEN_PATH: &str = "/oauth2/v1/token";

const ROUTES: &[Route] = &[
    r("POST", TOKEN_PATH, Scope::Token, token::token),
    r("GET", "/api/v1/users", Scope::UsersRead, users::list_users),
    r(
        "GET",
        "/api/v1/users/{id}",
        Scope::UsersRead,
        users::get_user,
    ),
    r(
        "GET",
        "/api/v1/groups",
        Scope::GroupsRead,
        groups::list_groups,
    ),
    r(
        "POST",
        "/api/v1/groups",
        Scope::GroupsManage,
        groups::add_group,
    ),
    r(
        "GET",
        "/api/v1/groups/rules",
        Scope::GroupsRead,
        groups::list_group_rules,
    ),
    r(
        "GET",
        "/api/v1/groups/{groupId}",
        Scope::GroupsRead,
        groups::get_group,
    ),
    r(
        "GET",
        "/api/v1/groups/{groupId}/users",
        Scope::GroupsRead,
        members::list_group_users,
    ),
    r(
        "PUT",
        "/api/v1/groups/{groupId}/users/{userId}",
        Scope::GroupsManage,
        members::assign_user_to_group,
    ),
    r(
        "DELETE",
        "/api/v1/groups/{groupId}/users/{userId}",
        Scope::GroupsManage,
        members::unassign_user_from_group,
    ),
];

/// Every (METHOD, path template) this simulator serves.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    ROUTES.iter().map(|r| (r.method, r.template)).collect()
}

pub struct Found {
    pub route: &'static Route,
    pub params: Vec<(String, String)>,
}

pub enum Miss {
    NoPath,
    NoMethod { allow: Vec<&'static str> },
}

/// The template that fits best (literal segments win), then the method.
pub fn find(method: &str, path: &str) -> Result<Found, Miss> {
    type Candidate = (&'static str, Vec<(String, String)>, Vec<bool>);
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let mut best: Option<Candidate> = None;
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
                if s.is_empty() {
                    ok = false;
                    break;
                }
                params.push((name.to_string(), percent_decode(s, false)));
                literal.push(false);
            } else if t == s {
                literal.push(true);
            } else {
                ok = false;
                break;
            }
        }
        if ok && best.as_ref().is_none_or(|(_, _, b)| literal > *b) {
            best = Some((route.template, params, literal));
        }
    }
    let Some((template, params, _)) = best else {
        return Err(Miss::NoPath);
    };
    let on_template = || ROUTES.iter().filter(move |r| r.template == template);
    match on_template().find(|r| r.method == method) {
        Some(route) => Ok(Found { route, params }),
        None => Err(Miss::NoMethod {
            allow: on_template().map(|r| r.method).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_win_and_methods_are_checked() {
        let Ok(f) = find("GET", "/api/v1/groups/rules") else {
            panic!("rules");
        };
        assert_eq!(f.route.template, "/api/v1/groups/rules");
        let Ok(f) = find("PUT", "/api/v1/groups/00g1/users/00u%402") else {
            panic!("member");
        };
        assert_eq!(f.params[1], ("userId".to_string(), "00u@2".to_string()));
        match find("PATCH", "/api/v1/groups/00g1") {
            Err(Miss::NoMethod { allow }) => assert_eq!(allow, vec!["GET"]),
            _ => panic!("405"),
        }
        assert!(matches!(find("GET", "/api/v2/x"), Err(Miss::NoPath)));
    }
}
