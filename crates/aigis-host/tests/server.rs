//! The HTTP server on a loopback port.

mod common;

use aigis_host::{ClockConfig, Host};
use std::io::{Read, Write};
use std::net::TcpStream;

fn request(addr: &str, raw: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(raw.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn health_auth_and_simulator_routes() {
    let dir = common::fixture();
    let host = Host::open(common::config(dir.path(), None, ClockConfig::Fixed(0))).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let app = aigis_host::server::router(host.clone());
    rt.spawn(async move { axum::serve(listener, app).await });

    let (status, body) = request(
        &addr,
        "GET /api/host/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["cloudId"], host.cloud_id());
    assert_eq!(v["nowMillis"], 0);

    let (status, body) = request(
        &addr,
        "POST /api/invoke/listTools HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}",
    );
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("unauthenticated"));

    // dTpw = base64("u:pw"): not a simulator user.
    let (status, _) = request(
        &addr,
        "POST /api/invoke/listTools HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Basic dTpw\r\nContent-Length: 2\r\n\r\n{}",
    );
    assert_eq!(status, 401);

    let (status, body) = request(
        &addr,
        "GET /rest/api/3/myself HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(status >= 200, "{status} {body}");
    let (status, _) = request(
        &addr,
        "GET /nothing-here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 404);
}

fn basic(email: &str, token: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{email}:{token}"))
}

#[test]
fn invoke_as_a_simulator_user_and_events_reach_triggers() {
    let dir = common::fixture();
    let host = Host::open(common::config(
        dir.path(),
        None,
        ClockConfig::Fixed(1_767_323_045_000),
    ))
    .unwrap();
    let site = host.sim().seed_demo().unwrap();
    let user = &site.users[0];
    let auth = basic(&user.email, &user.api_token);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let app = aigis_host::server::router(host.clone());
    rt.spawn(async move { axum::serve(listener, app).await });

    let post = |path: &str, body: &str| {
        request(
            &addr,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Basic {auth}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            ),
        )
    };
    let (status, body) = post("/api/invoke/listTools", "\"echo\"");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["context"]["accountId"], user.account_id.as_str());

    // X-Aigis-Extension becomes context.extension; its type is the module's.
    let with_ext = |ext: &str| {
        request(
            &addr,
            &format!(
                "POST /api/invoke/listTools HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Basic {auth}\r\nX-Aigis-Extension: {ext}\r\nContent-Length: 6\r\n\r\n\"echo\""
            ),
        )
    };
    let module_type = v["context"]["extension"]["type"].clone();
    let (status, body) = with_ext(
        r#"{"type":"bogus","issue":{"key":"AIR-1","id":"10001"},"project":{"key":"AIR"}}"#,
    );
    assert_eq!(status, 200, "{body}");
    let e: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(e["context"]["extension"]["issue"]["key"], "AIR-1");
    assert_eq!(e["context"]["extension"]["project"]["key"], "AIR");
    assert_eq!(e["context"]["extension"]["type"], module_type);
    let long = format!("{{\"x\":\"{}\"}}", "a".repeat(5000));
    for bad in ["not json", "[1,2]", "3", long.as_str()] {
        let (status, body) = with_ext(bad);
        assert_eq!(status, 400, "{bad}: {body}");
        let e: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(e["code"], "invalid");
        assert_eq!(e["field"], "X-Aigis-Extension", "{body}");
    }

    for (code, want) in [
        ("forbidden", 403),
        ("conflict", 409),
        ("invalid", 400),
        ("not-found", 404),
        ("rate-limited", 429),
        ("boom", 500),
    ] {
        let (status, body) = post("/api/invoke/x", &format!("\"fail {code}\""));
        assert_eq!(status, want, "{code}: {body}");
    }
    // The component's asUser() call runs as the caller.
    let (status, body) = post("/api/invoke/x", "\"jira-user /rest/api/3/myself\"");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], 200, "{v}");
    assert!(v["body"].as_str().unwrap().contains(&user.account_id));

    // Creating an issue emits avi:jira:created:issue; the pump after the
    // write delivers it to the trigger.
    let create = format!(
        "{{\"fields\":{{\"project\":{{\"key\":\"{}\"}},\"issuetype\":{{\"name\":\"Task\"}},\"summary\":\"Need a tool\"}}}}",
        site.project_key
    );
    let (status, body) = post("/rest/api/3/issue", &create);
    assert!((200..300).contains(&status), "{status} {body}");
    host.pump().unwrap();
    use aigis_platform::Storage;
    let mut delivered = None;
    for _ in 0..50 {
        delivered = host.store().get("trigger:onIssueCreated:0").unwrap();
        if delivered.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let ev: serde_json::Value = serde_json::from_str(&delivered.expect("event delivered")).unwrap();
    assert_eq!(ev["event"]["eventType"], "avi:jira:created:issue");
    assert!(host.sim().pending_events().unwrap().is_empty());
}
