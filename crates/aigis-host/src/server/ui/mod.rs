//! The local Jira-like site of `aigis up`: what Jira and Forge serve to a
//! browser, so the app's Custom UI bundles run here as they run in Jira.
//!
//! - `GET /modules/{resource}/...`: a Custom UI resource (the files of
//!   `frontend/dist/modules/{resource}/`, or the path manifest.yml gives the
//!   resource), under the Content-Security-Policy Forge applies ([`csp`]),
//!   with the bridge emulation's script added to each HTML page (the
//!   `window.__bridge` Forge's host provides, see `frontend/bridge-emulation/`);
//! - `GET /bridge-emulation/...`: that script and the design-token themes it
//!   loads when a module enables theming;
//! - the shell (`frontend/dist/shell/`): the Jira pages that frame the
//!   modules, at Jira's own paths (`/jira/...`, `/servicedesk/customer/...`,
//!   `/browse/{key}`), the site's home at `/`, its assets under `/shell/`;
//!   any other `GET` path is the shell too (it says the page does not exist);
//! - `GET /api/host/ui`: the UI modules manifest.yml declares (type, key,
//!   resource, title, pages), the site's cloud id and URL;
//! - `GET /api/host/demo-users` (only under `aigis up --demo`, only from
//!   loopback with a loopback `Host`): the demo users and their API tokens,
//!   for the shell's user switcher.

mod csp;
mod files;

pub use csp::ContentPermissions;

use super::AppState;
use super::reply::ApiError;
use crate::DemoUser;
use aigis_core::ErrorCode;
use axum::Json;
use axum::Router;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path as FsPath, PathBuf};

/// The module types that are not UI (no resource to frame).
const NOT_UI: &[&str] = &[
    "function",
    "trigger",
    "scheduledTrigger",
    "consumer",
    "webtrigger",
];

/// What the site serves, read once from manifest.yml.
#[derive(Debug, Clone)]
pub struct Ui {
    /// `frontend/dist` beside manifest.yml.
    dist: PathBuf,
    manifest_dir: PathBuf,
    /// `resources[]`: key → path relative to the manifest's directory.
    resources: BTreeMap<String, String>,
    /// The UI modules, as `/api/host/ui` lists them.
    modules: Vec<Value>,
    csp: String,
    demo_users: Option<Vec<DemoUser>>,
}

impl Ui {
    /// The site for the app whose manifest is at `manifest_path`; with
    /// `demo_users` the demo-users endpoint answers.
    pub fn new(manifest_path: &FsPath, demo_users: Option<Vec<DemoUser>>) -> Ui {
        let manifest_dir = manifest_path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map(FsPath::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let manifest: Value = std::fs::read_to_string(manifest_path)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_norway::from_str(&t).map_err(|e| e.to_string()))
            .unwrap_or_else(|e| {
                tracing::warn!(target: "aigis::host", "the UI could not read the manifest: {e}");
                Value::Null
            });
        Ui::from_manifest(&manifest, manifest_dir, demo_users)
    }

    fn from_manifest(
        manifest: &Value,
        manifest_dir: PathBuf,
        demo_users: Option<Vec<DemoUser>>,
    ) -> Ui {
        let resources = manifest
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| {
                Some((
                    r.get("key")?.as_str()?.to_owned(),
                    r.get("path")?.as_str()?.to_owned(),
                ))
            })
            .collect();
        let mut modules = Vec::new();
        if let Some(all) = manifest.get("modules").and_then(Value::as_object) {
            for (ty, list) in all {
                if NOT_UI.contains(&ty.as_str()) {
                    continue;
                }
                for m in list.as_array().into_iter().flatten() {
                    let Some(resource) = m.get("resource").and_then(Value::as_str) else {
                        continue;
                    };
                    let mut out = json!({
                        "type": ty,
                        "key": m.get("key"),
                        "resource": resource,
                        "title": m.get("title"),
                    });
                    for k in ["pages", "sections", "subpages", "layout"] {
                        if let (Some(v), Some(o)) = (m.get(k), out.as_object_mut()) {
                            o.insert(k.to_owned(), v.clone());
                        }
                    }
                    modules.push(out);
                }
            }
        }
        Ui {
            dist: manifest_dir.join("frontend").join("dist"),
            manifest_dir,
            resources,
            modules,
            csp: ContentPermissions::from_manifest(manifest).header(),
            demo_users,
        }
    }

    /// The Content-Security-Policy of every module page.
    pub fn module_csp(&self) -> &str {
        &self.csp
    }

    /// The directory a resource's files are in: `frontend/dist/modules/{key}`
    /// when built there, else the path manifest.yml gives the resource.
    fn resource_dir(&self, key: &str) -> Option<PathBuf> {
        let built = self.dist.join("modules").join(key);
        if files::is_name(key) && built.is_dir() {
            return Some(built);
        }
        self.resources
            .get(key)
            .map(|p| self.manifest_dir.join(p))
            .filter(|d| d.is_dir())
    }
}

/// The routes of the site.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/modules/{resource}", get(module_root))
        .route("/modules/{resource}/", get(module_root))
        .route("/modules/{resource}/{*path}", get(module_file))
        .route("/bridge-emulation/{*path}", get(bridge_file))
        .route("/shell/{*path}", get(shell_file))
        .route("/", get(shell_page))
        .route("/jira", get(shell_page))
        .route("/jira/{*rest}", get(shell_page))
        .route("/servicedesk/{*rest}", get(shell_page))
        .route("/browse/{*rest}", get(shell_page))
        .route("/api/host/ui", get(ui_info))
        .route("/api/host/demo-users", get(demo_users))
        .fallback(get(shell_page))
}

fn ui(state: &AppState) -> &Ui {
    &state.ui
}

async fn module_root(State(state): State<AppState>, Path(resource): Path<String>) -> Response {
    module_response(ui(&state), &resource, "index.html").await
}

async fn module_file(
    State(state): State<AppState>,
    Path((resource, path)): Path<(String, String)>,
) -> Response {
    let path = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path
    };
    module_response(ui(&state), &resource, &path).await
}

async fn module_response(ui: &Ui, resource: &str, path: &str) -> Response {
    let csp = ui.module_csp().to_owned();
    let mut resp = match ui.resource_dir(resource) {
        Some(dir) => files::serve(&dir, path, true).await,
        None => files::not_found(),
    };
    set(&mut resp, header::CONTENT_SECURITY_POLICY, &csp);
    resp
}

async fn bridge_file(State(state): State<AppState>, Path(path): Path<String>) -> Response {
    files::serve(&ui(&state).dist.join("bridge-emulation"), &path, false).await
}

/// The shell's own policy: its files only, frames of this origin only.
const SHELL_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

async fn shell_file(State(state): State<AppState>, Path(path): Path<String>) -> Response {
    let mut resp = files::serve(&ui(&state).dist.join("shell"), &path, false).await;
    set(&mut resp, header::CONTENT_SECURITY_POLICY, SHELL_CSP);
    resp
}

async fn shell_page(State(state): State<AppState>) -> Response {
    let mut resp = files::serve(&ui(&state).dist.join("shell"), "index.html", false).await;
    set(&mut resp, header::CONTENT_SECURITY_POLICY, SHELL_CSP);
    resp
}

fn set(resp: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, v);
    }
}

async fn ui_info(State(state): State<AppState>) -> Json<Value> {
    let host = &state.host;
    Json(json!({
        "cloudId": host.cloud_id(),
        "siteUrl": host.site_url(),
        "modules": state.ui.modules,
        "demo": state.ui.demo_users.is_some(),
    }))
}

/// `host` (a `Host` header) names this machine's loopback.
fn loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    matches!(name, "127.0.0.1" | "localhost" | "::1")
}

async fn demo_users(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let Some(users) = &state.ui.demo_users else {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "no demo users: the site was not started with --demo",
        ));
    };
    let peer_ok = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_none_or(|ConnectInfo(a)| a.ip().is_loopback());
    let headers: &HeaderMap = request.headers();
    let host_ok = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(loopback_host);
    if !peer_ok || !host_ok {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "the demo users are listed to this machine only (loopback address and Host)",
        ));
    }
    let list: Vec<Value> = users
        .iter()
        .map(|u| {
            json!({
                "role": u.role,
                "email": u.email,
                "displayName": u.display_name,
                "accountId": u.account_id,
                "apiToken": u.api_token,
            })
        })
        .collect();
    let mut resp = Json(json!({ "users": list })).into_response();
    set(&mut resp, header::CACHE_CONTROL, "no-store");
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in [
            "127.0.0.1:8080",
            "localhost",
            "localhost:1",
            "[::1]:80",
            "[::1]",
        ] {
            assert!(loopback_host(h), "{h}");
        }
        for h in ["example.com", "127.0.0.1.evil.com:80", "10.0.0.1:8080", ""] {
            assert!(!loopback_host(h), "{h}");
        }
    }

    #[test]
    fn ui_modules_come_from_the_manifest() {
        let m: Value = serde_norway::from_str(
            "modules:\n  jira:issuePanel:\n    - key: p\n      resource: issue-panel\n      title: T\n  function:\n    - key: f\n      handler: a.b\n  jira:adminPage:\n    - key: a\n      resource: admin\n      title: A\n      pages:\n        - title: Overview\n          route: overview\nresources:\n  - key: issue-panel\n    path: somewhere\n",
        )
        .unwrap();
        let ui = Ui::from_manifest(&m, PathBuf::from("/x"), None);
        let keys: Vec<_> = ui.modules.iter().map(|m| m["key"].clone()).collect();
        assert_eq!(keys, vec![json!("a"), json!("p")]);
        assert_eq!(ui.modules[0]["pages"][0]["route"], "overview");
        assert_eq!(ui.resources["issue-panel"], "somewhere");
    }
}
