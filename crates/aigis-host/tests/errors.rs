//! Every error the host itself produces has the shape `{code, message,
//! field?}`, with the status its code owns, and a message that names no
//! engine, database, file or Rust type: over HTTP (`/api/*`) and in the
//! JSON that `aigis invoke` prints.

mod common;

use aigis_host::{ClockConfig, Host};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;

/// Words that would betray the host's insides (compared lower-case).
const LEAKS: &[&str] = &[
    "wasm",
    "wasmtime",
    "rusqlite",
    "sqlite",
    "sql",
    "panicked",
    "backtrace",
    "::",
    ".rs",
    ".db",
    "/tmp",
    "trap",
    "unreachable",
    "error {",
    "storage",
];

/// Asserts `v` is `{code, message, field?}` with `code` and nothing leaky.
fn assert_shape(v: &Value, code: &str) {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"));
    assert_eq!(v["code"], code, "{v}");
    let message = v["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no message: {v}"));
    assert!(!message.is_empty());
    for k in obj.keys() {
        assert!(
            ["code", "message", "field"].contains(&k.as_str()),
            "member {k} in {v}"
        );
    }
    let lower = message.to_ascii_lowercase();
    for word in LEAKS {
        assert!(!lower.contains(word), "`{word}` in {message:?}");
    }
}

struct Server {
    addr: String,
    host: Host,
    _rt: tokio::runtime::Runtime,
}

fn serve(dir: &Path) -> Server {
    let host = Host::open(common::config(dir, None, ClockConfig::Fixed(0))).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let app = aigis_host::server::router(host.clone());
    rt.spawn(async move { axum::serve(listener, app).await });
    Server {
        addr,
        host,
        _rt: rt,
    }
}

/// Sends `head` (request line and headers, without the blank line) and
/// `body`; returns the status, the content type and the body.
fn send(addr: &str, head: &str, body: &[u8]) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    let mut raw = format!("{head}\r\nHost: x\r\nConnection: close\r\n\r\n").into_bytes();
    raw.extend_from_slice(body);
    // The server may answer (and close) before reading all of an oversized body.
    let _ = s.write_all(&raw);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let out = String::from_utf8_lossy(&out).into_owned();
    let (headers, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let status = headers
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let content_type = headers
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-type")
                .then(|| v.trim().to_string())
        })
        .unwrap_or_default();
    (status, content_type, body.to_string())
}

fn json_answer(status: u16, content_type: &str, body: &str) -> Value {
    assert!(
        content_type.starts_with("application/json"),
        "{status} {content_type}: {body}"
    );
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{status} {body}: {e}"))
}

fn basic(email: &str, token: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{email}:{token}"))
}

#[test]
fn http_error_answers_have_one_shape_and_the_status_of_their_code() {
    let dir = common::fixture();
    let srv = serve(dir.path());
    let site = srv.host.sim().seed_demo().unwrap();
    let auth = basic(&site.users[0].email, &site.users[0].api_token);
    let invoke = |path: &str, body: &str| {
        let head = format!(
            "POST {path} HTTP/1.1\r\nAuthorization: Basic {auth}\r\nContent-Type: application/json\r\nContent-Length: {}",
            body.len()
        );
        let (status, ct, text) = send(&srv.addr, &head, body.as_bytes());
        (status, json_answer(status, &ct, &text))
    };

    // Not JSON: invalid, naming the payload.
    let (status, v) = invoke("/api/invoke/listTools", "{not json");
    assert_eq!(status, 400);
    assert_shape(&v, "invalid");
    assert_eq!(v["field"], "payload");

    // No credentials, unknown user, wrong token: unauthenticated.
    let (status, ct, text) = send(
        &srv.addr,
        "POST /api/invoke/listTools HTTP/1.1\r\nContent-Length: 2",
        b"{}",
    );
    assert_eq!(status, 401);
    assert_shape(&json_answer(status, &ct, &text), "unauthenticated");
    let wrong = basic(&site.users[0].email, "not-the-token");
    let (status, ct, text) = send(
        &srv.addr,
        &format!(
            "POST /api/invoke/listTools HTTP/1.1\r\nAuthorization: Basic {wrong}\r\nContent-Length: 2"
        ),
        b"{}",
    );
    assert_eq!(status, 401);
    assert_shape(&json_answer(status, &ct, &text), "unauthenticated");

    // No such function (module) or endpoint: not-found.
    let (status, v) = invoke("/api/invoke/listTools?moduleKey=nope", "\"echo\"");
    assert_eq!(status, 404);
    assert_shape(&v, "not-found");
    let (status, ct, text) = send(&srv.addr, "GET /api/nothing-here HTTP/1.1", b"");
    assert_eq!(status, 404);
    assert_shape(&json_answer(status, &ct, &text), "not-found");

    // A known endpoint with the wrong method: method-not-allowed.
    for head in [
        "GET /api/invoke/listTools HTTP/1.1",
        "DELETE /api/invoke/listTools HTTP/1.1",
        "POST /api/host/health HTTP/1.1\r\nContent-Length: 0",
    ] {
        let (status, ct, text) = send(&srv.addr, head, b"");
        assert_eq!(status, 405, "{head}: {text}");
        assert_shape(&json_answer(status, &ct, &text), "method-not-allowed");
    }

    // A trap, a time limit, a missing component, a malformed component
    // error: internal, with nothing of the engine in the message.
    for (path, payload) in [
        ("/api/invoke/x", "\"trap\""),
        ("/api/invoke/x?moduleKey=slow", "\"spin\""),
        ("/api/invoke/x", "\"not-json\""),
        ("/api/invoke/x", "\"fail boom\""),
    ] {
        let (status, v) = invoke(path, payload);
        assert_eq!(status, 500, "{payload}: {v}");
        assert_shape(&v, "internal");
        // The component's own text stays in the log.
        assert!(
            !v["message"].as_str().unwrap().contains("plain text"),
            "{v}"
        );
    }
    // The host still serves after a trap.
    let (status, _) = invoke("/api/invoke/x", "\"now\"");
    assert_eq!(status, 200);

    // A well-formed component error keeps its code, and the code's status.
    let (status, v) = invoke("/api/invoke/x", "\"fail rate-limited\"");
    assert_eq!(status, 429);
    assert_eq!(v["code"], "rate-limited");
}

#[test]
fn an_oversized_body_is_too_large_as_json() {
    let dir = common::fixture();
    let srv = serve(dir.path());
    let limit = aigis_host::server::MAX_BODY_BYTES;
    // Declared too long: refused before the body is read.
    let (status, ct, text) = send(
        &srv.addr,
        &format!(
            "POST /api/invoke/x HTTP/1.1\r\nAuthorization: Basic dTpw\r\nContent-Length: {}",
            limit + 1
        ),
        b"",
    );
    assert_eq!(status, 413, "{text}");
    assert_shape(&json_answer(status, &ct, &text), "too-large");
    // Sent in chunks with no declared length: refused once over the limit.
    let chunk = vec![b' '; 64 * 1024];
    let mut body = Vec::new();
    for _ in 0..(limit / chunk.len() + 2) {
        body.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        body.extend_from_slice(&chunk);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let (status, ct, text) = send(
        &srv.addr,
        "POST /api/invoke/x HTTP/1.1\r\nAuthorization: Basic dTpw\r\nTransfer-Encoding: chunked",
        &body,
    );
    assert_eq!(status, 413, "{text}");
    assert_shape(&json_answer(status, &ct, &text), "too-large");
    // The simulator's routes answer as Jira does.
    let (status, ct, text) = send(
        &srv.addr,
        &format!(
            "POST /rest/api/3/issue HTTP/1.1\r\nContent-Length: {}",
            limit + 1
        ),
        b"",
    );
    assert_eq!(status, 413, "{text}");
    let v = json_answer(status, &ct, &text);
    assert!(v["errorMessages"][0].as_str().is_some(), "{v}");
}

/// Runs `aigis invoke` on a state dir in `dir`; the exit success and the
/// JSON error line of stderr (if any).
fn cli_invoke(dir: &Path, args: &[&str]) -> (bool, Option<Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_aigis"))
        .arg("--state-dir")
        .arg(dir.join("state"))
        .arg("--components-dir")
        .arg(dir.join("components"))
        .arg("--manifest")
        .arg(dir.join("manifest.yml"))
        .arg("invoke")
        .args(args)
        .env_remove("AIGIS_STATE_DIR")
        .env_remove("AIGIS_COMPONENTS_DIR")
        .output()
        .expect("run aigis");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let error = stderr
        .lines()
        .rfind(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")));
    (out.status.success(), error)
}

#[test]
fn aigis_invoke_prints_errors_in_the_same_shape() {
    let dir = common::fixture();
    let d = dir.path();
    let (ok, e) = cli_invoke(d, &["x", "--as", "acc-1", "--payload", "\"now\""]);
    assert!(ok && e.is_none(), "{e:?}");

    let (ok, e) = cli_invoke(d, &["x", "--as", "acc-1", "--payload", "{nope"]);
    let e = e.expect("an error line");
    assert!(!ok);
    assert_shape(&e, "invalid");
    assert_eq!(e["field"], "payload");

    let (_, e) = cli_invoke(d, &["x", "--as", "nobody@example.com"]);
    let e = e.expect("an error line");
    assert_shape(&e, "invalid");
    assert_eq!(e["field"], "as");

    let (ok, e) = cli_invoke(d, &["x", "--as", "acc-1", "--module", "nope"]);
    assert!(!ok);
    assert_shape(&e.expect("an error line"), "not-found");

    for payload in ["\"trap\"", "\"fail boom\"", "\"not-json\""] {
        let (ok, e) = cli_invoke(d, &["x", "--as", "acc-1", "--payload", payload]);
        assert!(!ok, "{payload}");
        assert_shape(&e.expect("an error line"), "internal");
    }

    let (ok, e) = cli_invoke(d, &["x", "--as", "acc-1", "--payload", "\"fail conflict\""]);
    assert!(!ok);
    assert_eq!(e.expect("an error line")["code"], "conflict");

    std::fs::remove_file(d.join("components/aigis_resolvers.wasm")).unwrap();
    let (ok, e) = cli_invoke(d, &["x", "--as", "acc-1", "--payload", "\"now\""]);
    assert!(!ok);
    let e = e.expect("an error line");
    assert_shape(&e, "internal");
    assert!(
        e["message"].as_str().unwrap().contains("make components"),
        "{e}"
    );
}
