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
    let app = aigis_host::server::router(host.clone(), None);
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
