//! The local Jira-like site: module bundles under Forge's CSP with the
//! bridge emulation injected, the shell at Jira's paths, the UI listing and
//! the demo users endpoint (only under --demo, only to loopback).

mod common;

use aigis_host::server::Options;
use aigis_host::{ClockConfig, DemoUser, Host};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;

struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }
}

fn get(addr: &str, path: &str, host: &str) -> Answer {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Answer {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// The test manifest with a UI module on resource `issue-panel`, and
/// optionally inline styles allowed.
fn manifest(inline_styles: bool) -> String {
    let m = common::MANIFEST.replace(
        "    - key: admin\n",
        "    - key: admin\n      resource: admin\n      title: Admin\n      pages:\n        - title: Overview\n          route: overview\n",
    );
    let m = m.replace(
        "    - key: slow\n",
        "    - key: slow\n      resource: issue-panel\n",
    );
    if inline_styles {
        m.replace(
            "permissions:\n",
            "permissions:\n  content:\n    styles:\n      - 'unsafe-inline'\n",
        )
    } else {
        m
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Serves a site over `dir` (its manifest replaced by `manifest`, a built
/// module, shell and bridge under frontend/dist) on a loopback port.
fn site(
    dir: &Path,
    manifest: &str,
    demo_users: Option<Vec<DemoUser>>,
) -> (tokio::runtime::Runtime, String, Host) {
    std::fs::write(dir.join("manifest.yml"), manifest).unwrap();
    let dist = dir.join("frontend/dist");
    write(
        &dist.join("modules/issue-panel/index.html"),
        "<!doctype html><html><head><meta charset=utf-8><script type=module src=./index.js></script></head><body></body></html>",
    );
    write(&dist.join("modules/issue-panel/index.js"), "export {};");
    write(
        &dist.join("shell/index.html"),
        "<!doctype html><title>shell</title>",
    );
    write(&dist.join("shell/shell.js"), "console.log('shell');");
    write(
        &dist.join("bridge-emulation/bridge.js"),
        "window.__bridge={};",
    );
    write(&dir.join("secret.txt"), "not for the web");
    let host = Host::open(common::config(dir, None, ClockConfig::Fixed(0))).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let app = aigis_host::server::router_with(
        host.clone(),
        Options {
            demo_users,
            ..Options::default()
        },
    );
    rt.spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    (rt, addr, host)
}

fn directive(csp: &str, name: &str) -> String {
    csp.split("; ")
        .find(|d| d.split(' ').next() == Some(name))
        .unwrap_or_else(|| panic!("no {name} in {csp}"))
        .to_string()
}

#[test]
fn module_pages_carry_forges_csp_and_the_bridge_script() {
    let dir = common::fixture();
    let (_rt, addr, _) = site(dir.path(), &manifest(true), None);

    let page = get(&addr, "/modules/issue-panel/index.html", &addr);
    assert_eq!(page.status, 200, "{}", page.body);
    let csp = page.header("content-security-policy").expect("a CSP");
    assert_eq!(directive(&csp, "script-src"), "script-src 'self'");
    assert_eq!(
        directive(&csp, "style-src"),
        "style-src 'self' 'unsafe-inline'"
    );
    assert_eq!(directive(&csp, "default-src"), "default-src 'none'");
    assert_eq!(directive(&csp, "frame-ancestors"), "frame-ancestors 'self'");
    // The bridge script comes before the bundle, so @forge/bridge finds it.
    let bridge = page
        .body
        .find(r#"<script src="/bridge-emulation/bridge.js"></script>"#)
        .expect("bridge injected");
    assert!(
        bridge < page.body.find("index.js").unwrap(),
        "{}",
        page.body
    );
    // The directory itself is its index page, also injected.
    let root = get(&addr, "/modules/issue-panel/", &addr);
    assert_eq!(root.status, 200);
    assert!(root.body.contains("/bridge-emulation/bridge.js"));

    // Scripts: served as JavaScript, not injected, under the same CSP.
    let js = get(&addr, "/modules/issue-panel/index.js", &addr);
    assert_eq!(js.status, 200);
    assert_eq!(js.body, "export {};");
    assert!(
        js.header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(js.header("content-security-policy").is_some());

    let b = get(&addr, "/bridge-emulation/bridge.js", &addr);
    assert_eq!((b.status, b.body.as_str()), (200, "window.__bridge={};"));

    // Nothing outside the resource, nothing that is not built.
    for bad in [
        "/modules/issue-panel/../../../secret.txt",
        "/modules/issue-panel/%2e%2e/%2e%2e/%2e%2e/secret.txt",
        "/modules/nothing/index.html",
        "/modules/issue-panel/missing.js",
    ] {
        let a = get(&addr, bad, &addr);
        assert_eq!(a.status, 404, "{bad}: {}", a.body);
        assert!(!a.body.contains("not for the web"));
    }
}

#[test]
fn without_the_manifest_switch_no_inline_style_is_allowed() {
    let dir = common::fixture();
    let (_rt, addr, _) = site(dir.path(), &manifest(false), None);
    let page = get(&addr, "/modules/issue-panel/index.html", &addr);
    let csp = page.header("content-security-policy").unwrap();
    assert_eq!(directive(&csp, "style-src"), "style-src 'self'");
    assert!(!csp.contains("unsafe"), "{csp}");
}

#[test]
fn the_shell_answers_at_jiras_paths_and_lists_the_manifests_modules() {
    let dir = common::fixture();
    let (_rt, addr, host) = site(dir.path(), &manifest(true), None);
    for path in [
        "/jira/apps/aigis/aigis-home",
        "/jira/settings/apps/aigis/aigis-admin/overview",
        "/servicedesk/customer/portal/1/create/2",
        "/browse/AIR-1",
    ] {
        let a = get(&addr, path, &addr);
        assert_eq!(a.status, 200, "{path}");
        assert!(a.body.contains("<title>shell</title>"), "{path}");
        let csp = a.header("content-security-policy").unwrap();
        assert_eq!(directive(&csp, "style-src"), "style-src 'self'", "{path}");
    }
    let js = get(&addr, "/shell/shell.js", &addr);
    assert_eq!(js.status, 200);

    let ui = get(&addr, "/api/host/ui", &addr);
    assert_eq!(ui.status, 200);
    let v: serde_json::Value = serde_json::from_str(&ui.body).unwrap();
    assert_eq!(v["cloudId"], host.cloud_id());
    assert_eq!(v["demo"], false);
    let modules = v["modules"].as_array().unwrap();
    let admin = modules.iter().find(|m| m["key"] == "admin").unwrap();
    assert_eq!(admin["type"], "jira:adminPage");
    assert_eq!(admin["resource"], "admin");
    assert_eq!(admin["pages"][0]["route"], "overview");
    let panel = modules.iter().find(|m| m["key"] == "slow").unwrap();
    assert_eq!(panel["resource"], "issue-panel");
}

fn demo_user() -> DemoUser {
    DemoUser {
        role: "requester".into(),
        email: "rita@aigis.example".into(),
        api_token: "demo-rita-token".into(),
        account_id: "acc-rita".into(),
        display_name: "Rita Requester".into(),
    }
}

#[test]
fn demo_users_are_listed_only_under_demo_and_only_to_loopback() {
    let dir = common::fixture();
    let (_rt, addr, _) = site(dir.path(), &manifest(true), None);
    let a = get(&addr, "/api/host/demo-users", &addr);
    assert_eq!(a.status, 404, "{}", a.body);
    assert!(a.body.contains("\"code\":\"not-found\""), "{}", a.body);
    assert!(!a.body.contains("token"), "{}", a.body);

    let dir = common::fixture();
    let (_rt2, addr, _) = site(dir.path(), &manifest(true), Some(vec![demo_user()]));
    let a = get(&addr, "/api/host/demo-users", &addr);
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.header("cache-control").as_deref(), Some("no-store"));
    let v: serde_json::Value = serde_json::from_str(&a.body).unwrap();
    assert_eq!(v["users"][0]["email"], "rita@aigis.example");
    assert_eq!(v["users"][0]["apiToken"], "demo-rita-token");
    assert_eq!(v["users"][0]["displayName"], "Rita Requester");
    // A page of another site that resolves its name to this machine (DNS
    // rebinding) sends its own Host: refused.
    let a = get(&addr, "/api/host/demo-users", "attacker.example:80");
    assert_eq!(a.status, 403, "{}", a.body);
    assert!(!a.body.contains("demo-rita-token"));
    let a = get(&addr, "/api/host/demo-users", "localhost:1234");
    assert_eq!(a.status, 200);
    let ui = get(&addr, "/api/host/ui", &addr);
    assert!(ui.body.contains("\"demo\":true"), "{}", ui.body);
}
