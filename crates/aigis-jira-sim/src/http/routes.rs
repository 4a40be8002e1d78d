//! The route table: every (method, path template) the simulator serves and
//! the handler behind it. Dispatch, 404 vs 405 and [`routes`] all read it.

use super::query::percent_decode;
use super::{
    Ctx, HResult, Req, comment, field, groups, issue, links, permissions, project, properties,
    request, search, server_info, servicedesk, transitions, user,
};

type Handler = fn(&Ctx<'_>, &Req) -> HResult;

pub struct Route {
    pub method: &'static str,
    pub template: &'static str,
    pub handler: Handler,
}

const fn r(method: &'static str, template: &'static str, handler: Handler) -> Route {
    Route {
        method,
        template,
        handler,
    }
}

/// The one table. Platform REST v3 first, then JSM (`servicedeskapi`).
const ROUTES: &[Route] = &[
    // users (user.rs), groups (groups.rs), permissions, server info
    r("GET", "/rest/api/3/myself", user::myself),
    r("GET", "/rest/api/3/user", user::get_user),
    r("GET", "/rest/api/3/user/search", user::user_search),
    r("GET", "/rest/api/3/user/bulk", user::user_bulk),
    r("GET", "/rest/api/3/user/groups", user::user_groups),
    r("GET", "/rest/api/3/group/member", groups::group_member),
    r("GET", "/rest/api/3/groups/picker", groups::groups_picker),
    r(
        "GET",
        "/rest/api/3/mypermissions",
        permissions::my_permissions,
    ),
    r("GET", "/rest/api/3/serverInfo", server_info::server_info),
    // projects and project roles (project.rs)
    r("GET", "/rest/api/3/project/search", project::project_search),
    r(
        "GET",
        "/rest/api/3/project/{projectIdOrKey}",
        project::get_project,
    ),
    r(
        "GET",
        "/rest/api/3/project/{projectIdOrKey}/role",
        project::project_roles,
    ),
    r(
        "GET",
        "/rest/api/3/project/{projectIdOrKey}/role/{id}",
        project::project_role,
    ),
    // fields (field.rs) and search (search.rs)
    r("GET", "/rest/api/3/field", field::fields),
    r("GET", "/rest/api/3/search/jql", search::search_get),
    r("POST", "/rest/api/3/search/jql", search::search_post),
    // issues (issue.rs)
    r("POST", "/rest/api/3/issue", issue::create_issue),
    r("GET", "/rest/api/3/issue/{issueIdOrKey}", issue::get_issue),
    r("PUT", "/rest/api/3/issue/{issueIdOrKey}", issue::edit_issue),
    // issue properties (properties.rs)
    r(
        "GET",
        "/rest/api/3/issue/{issueIdOrKey}/properties",
        properties::property_keys,
    ),
    r(
        "GET",
        "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
        properties::get_property,
    ),
    r(
        "PUT",
        "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
        properties::put_property,
    ),
    r(
        "DELETE",
        "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
        properties::delete_property,
    ),
    // comments (comment.rs)
    r(
        "GET",
        "/rest/api/3/issue/{issueIdOrKey}/comment",
        comment::get_comments,
    ),
    r(
        "POST",
        "/rest/api/3/issue/{issueIdOrKey}/comment",
        comment::add_comment,
    ),
    r(
        "GET",
        "/rest/api/3/issue/{issueIdOrKey}/comment/{id}",
        comment::get_comment,
    ),
    // transitions (transitions.rs)
    r(
        "GET",
        "/rest/api/3/issue/{issueIdOrKey}/transitions",
        transitions::get_transitions,
    ),
    r(
        "POST",
        "/rest/api/3/issue/{issueIdOrKey}/transitions",
        transitions::do_transition,
    ),
    // links (links.rs)
    r("POST", "/rest/api/3/issueLink", links::link_issues),
    r("GET", "/rest/api/3/issueLinkType", links::link_types),
    // JSM: service desks and request types (servicedesk.rs), requests (request.rs)
    r(
        "GET",
        "/rest/servicedeskapi/servicedesk",
        servicedesk::service_desks,
    ),
    r(
        "GET",
        "/rest/servicedeskapi/servicedesk/{serviceDeskId}",
        servicedesk::service_desk,
    ),
    r(
        "GET",
        "/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype",
        servicedesk::request_types,
    ),
    r(
        "GET",
        "/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}",
        servicedesk::request_type,
    ),
    r(
        "GET",
        "/rest/servicedeskapi/request",
        request::list_requests,
    ),
    r(
        "POST",
        "/rest/servicedeskapi/request",
        request::create_request,
    ),
    r(
        "GET",
        "/rest/servicedeskapi/request/{issueIdOrKey}",
        request::get_request,
    ),
];

/// Every (METHOD, path template) this simulator serves, e.g.
/// `("GET", "/rest/api/3/issue/{issueIdOrKey}")`.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    ROUTES.iter().map(|r| (r.method, r.template)).collect()
}

/// A route that serves the request, with the path's parameters.
pub struct Found {
    pub route: &'static Route,
    pub params: Vec<(String, String)>,
}

pub enum Miss {
    /// No template fits the path: 404.
    NoPath,
    /// A template fits but not with this method: 405 with these.
    NoMethod { allow: Vec<&'static str> },
}

/// Match a path: the template that fits best (literal segments win over
/// parameters, left to right), then the method.
pub fn find(method: &str, path: &str) -> Result<Found, Miss> {
    /// (template, params, which segments matched literally).
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
                params.push((name.to_string(), percent_decode(s)));
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
        let Ok(f) = find("GET", "/rest/api/3/project/search") else {
            panic!("project/search matches");
        };
        assert_eq!(f.route.template, "/rest/api/3/project/search");
        assert!(f.params.is_empty());
        let Ok(f) = find("GET", "/rest/api/3/project/AIR") else {
            panic!("project/AIR matches");
        };
        assert_eq!(f.route.template, "/rest/api/3/project/{projectIdOrKey}");
        assert_eq!(
            f.params,
            vec![("projectIdOrKey".to_string(), "AIR".to_string())]
        );
        assert!(matches!(find("GET", "/rest/api/3/nope"), Err(Miss::NoPath)));
        match find("DELETE", "/rest/api/3/issue/AIR-1") {
            Err(Miss::NoMethod { allow }) => assert_eq!(allow, vec!["GET", "PUT"]),
            _ => panic!("405"),
        }
    }

    #[test]
    fn every_template_and_method_is_listed_once() {
        let all = routes();
        let mut seen = std::collections::BTreeSet::new();
        for (m, t) in &all {
            assert!(seen.insert((*m, *t)), "{m} {t} twice");
        }
    }
}
