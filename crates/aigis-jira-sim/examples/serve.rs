//! The Jira Cloud simulator alone on a loopback port, for client libraries.
//!
//! ```text
//! cargo run -p aigis-jira-sim --example serve -- [--port N] [--db FILE] [--clock MILLIS] [--exit-on-stdin-eof]
//! ```
//! Seeds the demo site (API tokens `demo-<name>-token`, see `seed_demo`),
//! sets `self` URLs to the address it listens on, prints
//! `listening on http://127.0.0.1:PORT` and answers `/rest/*` with HTTP Basic
//! auth like `aigis up`, without the wasm components. Port 0 picks a free
//! port. The clock stays where `--clock` puts it (default
//! 2026-11-23T12:00:00Z), so answers are deterministic. With
//! `--exit-on-stdin-eof` it stops when its standard input closes (a test
//! that started it died or finished).

use std::io::Read;
use std::sync::Arc;

use aigis_jira_sim::JiraSim;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

const DEFAULT_CLOCK: i64 = 1_795_435_200_000;

struct Args {
    port: u16,
    db: Option<std::path::PathBuf>,
    clock: i64,
    exit_on_stdin_eof: bool,
}

fn args() -> Result<Args, String> {
    let mut out = Args {
        port: 0,
        db: None,
        clock: DEFAULT_CLOCK,
        exit_on_stdin_eof: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--port" => {
                out.port = value("--port")?
                    .parse()
                    .map_err(|e| format!("--port: {e}"))?
            }
            "--db" => out.db = Some(value("--db")?.into()),
            "--clock" => {
                out.clock = value("--clock")?
                    .parse()
                    .map_err(|e| format!("--clock: {e}"))?
            }
            "--exit-on-stdin-eof" => out.exit_on_stdin_eof = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(out)
}

async fn jira(
    State(sim): State<Arc<JiraSim>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| uri.path().to_string());
    let pairs: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let answer = tokio::task::spawn_blocking(move || {
        let body = std::str::from_utf8(&body).ok().filter(|b| !b.is_empty());
        sim.handle_http(method.as_str(), &path, &pairs, body)
    })
    .await;
    let Ok(r) = answer else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut resp = (
        StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        r.body,
    )
        .into_response();
    for (k, v) in r.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            resp.headers_mut().insert(name, value);
        }
    }
    resp
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args().map_err(|e| format!("serve: {e}"))?;
    let sim = match &args.db {
        Some(path) => JiraSim::open(path)?,
        None => JiraSim::in_memory()?,
    };
    sim.seed_demo()?;
    sim.set_clock(args.clock);
    let sim = Arc::new(sim);
    if args.exit_on_stdin_eof {
        std::thread::spawn(|| {
            let mut sink = [0u8; 256];
            let mut stdin = std::io::stdin();
            while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
            std::process::exit(0);
        });
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
        let url = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
        sim.set_base_url(url.clone());
        println!("listening on {url}");
        let app = axum::Router::new().fallback(jira).with_state(sim);
        axum::serve(listener, app).await?;
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}
