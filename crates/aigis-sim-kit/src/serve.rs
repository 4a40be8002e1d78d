//! A simulator alone on a loopback port (the `serve` examples): plain HTTP,
//! or HTTPS with a certificate for `127.0.0.1`/`localhost` issued by a test
//! CA generated at start (its PEM written where `--tls-ca-out` says), for
//! SDKs that insist on https.
//!
//! Arguments: `--port N` (0 picks a free one), `--clock system|MILLIS`
//! (default: the system clock, since official SDKs stamp their JWTs with real
//! time), `--tls-ca-out FILE`, `--exit-on-stdin-eof` (stop when the test that
//! started it closes our stdin). Prints `listening on URL` once ready.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

use crate::SimResponse;

/// Parsed command line.
#[derive(Debug, Clone, Default)]
pub struct Args {
    pub port: u16,
    /// `None`: the system clock.
    pub clock: Option<i64>,
    pub tls_ca_out: Option<PathBuf>,
    pub exit_on_stdin_eof: bool,
}

impl Args {
    /// Parse `std::env::args()`.
    pub fn from_env() -> Result<Args, String> {
        let mut out = Args::default();
        let mut it = std::env::args().skip(1);
        while let Some(a) = it.next() {
            let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
            match a.as_str() {
                "--port" => {
                    out.port = value("--port")?
                        .parse()
                        .map_err(|e| format!("--port: {e}"))?
                }
                "--clock" => {
                    let v = value("--clock")?;
                    out.clock = match v.as_str() {
                        "system" => None,
                        n => Some(n.parse().map_err(|e| format!("--clock: {e}"))?),
                    }
                }
                "--tls-ca-out" => out.tls_ca_out = Some(value("--tls-ca-out")?.into()),
                "--exit-on-stdin-eof" => out.exit_on_stdin_eof = true,
                other => return Err(format!("unknown argument {other}")),
            }
        }
        Ok(out)
    }
}

/// One request as the simulators take it.
pub struct Request {
    pub method: String,
    pub path_and_query: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

/// What answers requests. Runs on a blocking thread.
pub type Handler = Arc<dyn Fn(Request) -> SimResponse + Send + Sync>;

async fn answer(
    State(handler): State<Handler>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path_and_query = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| uri.path().to_string());
    let headers: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let body = String::from_utf8(body.to_vec())
        .ok()
        .filter(|b| !b.is_empty());
    let req = Request {
        method: method.as_str().to_string(),
        path_and_query,
        headers,
        body,
    };
    let Ok(r) = tokio::task::spawn_blocking(move || handler(req)).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if r.delay_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(r.delay_ms)).await;
    }
    let mut resp = (
        StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        r.body,
    )
        .into_response();
    // The simulator's headers replace axum's defaults (its text/plain
    // Content-Type); a name given twice (Link) is sent twice.
    let mut seen = Vec::new();
    for (k, v) in r.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            if seen.contains(&name) {
                resp.headers_mut().append(name, value);
            } else {
                seen.push(name.clone());
                resp.headers_mut().insert(name, value);
            }
        }
    }
    resp
}

/// A TCP listener whose connections are TLS; failed handshakes are dropped.
struct TlsListener {
    tcp: tokio::net::TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (stream, addr) = axum::serve::Listener::accept(&mut self.tcp).await;
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// A test CA and a server certificate for `127.0.0.1` and `localhost`:
/// (CA PEM, server config).
fn test_tls() -> Result<(String, rustls::ServerConfig), Box<dyn std::error::Error>> {
    let ca_key = rcgen::KeyPair::generate()?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Aigis simulator test CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key)?;
    let leaf_key = rcgen::KeyPair::generate()?;
    let mut leaf_params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])?;
    leaf_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "127.0.0.1");
    let leaf = leaf_params.signed_by(&leaf_key, &ca)?;
    let key = rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der())
        .map_err(|e| format!("server key: {e}"))?;
    // ring: no C toolchain beyond cc; post-quantum key exchange is irrelevant
    // for a test server on loopback.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone(), ca.der().clone()], key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((ca.pem(), config))
}

/// Serve `handler` on loopback until the process ends. `on_listen` gets the
/// base URL (`http://127.0.0.1:PORT` or `https://...`) before the first
/// request is accepted, then `listening on URL` is printed.
pub fn run(
    args: &Args,
    on_listen: impl FnOnce(&str),
    handler: Handler,
) -> Result<(), Box<dyn std::error::Error>> {
    if args.exit_on_stdin_eof {
        std::thread::spawn(|| {
            let mut sink = [0u8; 256];
            let mut stdin = std::io::stdin();
            while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
            std::process::exit(0);
        });
    }
    let tls = match &args.tls_ca_out {
        Some(path) => {
            let (ca_pem, config) = test_tls()?;
            std::fs::write(path, ca_pem)?;
            Some(TlsAcceptor::from(Arc::new(config)))
        }
        None => None,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let tcp = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
        let port = tcp.local_addr()?.port();
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://127.0.0.1:{port}");
        on_listen(&url);
        println!("listening on {url}");
        let app = axum::Router::new().fallback(answer).with_state(handler);
        match tls {
            Some(acceptor) => axum::serve(TlsListener { tcp, acceptor }, app).await?,
            None => axum::serve(tcp, app).await?,
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}
