//! The secrets scan: a demo site with some history holds secrets (the audit
//! MAC keys and log signing seeds in secret storage, the demo users' API
//! tokens, the test bridge token). None of them, raw, hex or base64, may
//! appear in what the site shows: the host's log output, every resolver
//! answer and error of a scripted run, an exported evidence pack (every
//! file inside it) and the built UI bundles (`frontend/dist`, when built).

use aigis_host::{ClockConfig, Host, HostConfig};
use base64::Engine;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn components_dir() -> PathBuf {
    let dir = std::env::var_os("AIGIS_COMPONENTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/wasm32-wasip2/wasm")
        });
    assert!(
        dir.join("aigis_resolvers.wasm").is_file(),
        "components missing in {}: run `make components`",
        dir.display()
    );
    dir
}

fn manifest() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../manifest.yml")
}

fn aigis(dir: &Path, state: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aigis"))
        .arg("--state-dir")
        .arg(state)
        .arg("--components-dir")
        .arg(components_dir())
        .arg("--manifest")
        .arg(manifest())
        .args(args)
        .current_dir(dir)
        .env_remove("AIGIS_STATE_DIR")
        .env_remove("AIGIS_COMPONENTS_DIR")
        // The most the host and the app log (not the compiler's trace).
        .env(
            "RUST_LOG",
            "warn,aigis_host=trace,aigis=trace,aigis_app=trace",
        )
        .output()
        .expect("run aigis")
}

/// A secret value and the forms it could leak in.
fn encodings(secret: &str) -> Vec<String> {
    let b = secret.as_bytes();
    let std = base64::engine::general_purpose::STANDARD;
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut out = vec![secret.to_owned(), hex(b), std.encode(b), url.encode(b)];
    // A secret stored as hex or base64 text: also its bytes in the other forms.
    let decoded = decode_hex(secret)
        .or_else(|| std.decode(secret).ok())
        .or_else(|| url.decode(secret.trim_end_matches('=')).ok());
    if let Some(bytes) = decoded {
        out.extend([hex(&bytes), std.encode(&bytes), url.encode(&bytes)]);
    }
    // Only forms long enough not to match by chance.
    out.retain(|s| s.len() >= 16);
    out.sort();
    out.dedup();
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// Every file of a zip, uncompressed.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("pack is a zip");
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().to_owned(), data)
        })
        .collect()
}

fn files_under(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else if let Ok(data) = std::fs::read(&p) {
            out.push((p.display().to_string(), data));
        }
    }
}

fn contains(hay: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    hay.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

#[test]
fn no_secret_the_site_holds_appears_in_logs_answers_packs_or_bundles() {
    let site = tempfile::tempdir().unwrap();
    let state = site.path().join("state");
    let demo = {
        let host = Host::open(HostConfig {
            state_dir: Some(state.clone()),
            components_dir: components_dir(),
            manifest_path: manifest(),
            clock: ClockConfig::Persisted,
        })
        .expect("host opens");
        let demo = host.sim().seed_demo().expect("demo site");
        aigis_host::demo::seed_app(&host, &demo).expect("demo data");
        let sims = host
            .enable_idp_sims()
            .expect("identity-provider simulators");
        aigis_host::demo_connected::seed(&sims, &demo, Some(&state)).expect("demo directories");
        demo
    };
    let email = |role: &str| {
        demo.users
            .iter()
            .find(|u| u.role == role)
            .unwrap_or_else(|| panic!("the demo site has no {role}"))
            .email
            .clone()
    };
    let (admin, approver, requester) = (email("admin"), email("approver"), email("requester"));

    // What the site shows: every output of a scripted run, logs included.
    let mut shown: Vec<(String, Vec<u8>)> = Vec::new();
    let mut run = |label: String, args: &[&str]| -> Output {
        let o = aigis(site.path(), &state, args);
        let mut all = o.stdout.clone();
        all.extend_from_slice(&o.stderr);
        shown.push((label, all));
        o
    };
    let calls: &[(&str, &str, &str)] = &[
        ("whoami", &requester, "{}"),
        ("catalog.list", &requester, "{}"),
        ("portal.form", &requester, "{}"),
        ("requests.mine", &requester, "{}"),
        ("grants.mine", &requester, "{}"),
        ("requests.pending", &approver, "{}"),
        ("reviews.pending", &approver, "{}"),
        ("jobs.manual", &approver, "{}"),
        ("config.getIntake", &admin, "{}"),
        ("governance.get", &admin, "{}"),
        ("readiness", &admin, "{}"),
        ("requests.list", &admin, "{}"),
        ("grants.list", &admin, "{}"),
        ("jobs.list", &admin, "{}"),
        ("insights", &admin, "{}"),
        ("overview.forecast", &admin, "{}"),
        ("audit.keys", &admin, "{}"),
        ("audit.rotateKey", &admin, "{}"),
        ("audit.keys", &admin, "{}"),
        ("audit.verify", &admin, "{}"),
        ("audit.search", &admin, r#"{"limit": 50}"#),
        ("audit.prove", &admin, r#"{"seq": 1}"#),
        ("audit.export", &admin, "{}"),
        // Refusals and bad input: their errors are shown too.
        ("audit.keys", &requester, "{}"),
        ("audit.prove", &admin, r#"{"seq": "x"}"#),
        ("requests.get", &approver, r#"{"requestId": "nope"}"#),
    ];
    for (key, who, payload) in calls {
        run(
            format!("invoke {key} as {who}"),
            &["invoke", key, "--as", who, "--payload", payload, "--stats"],
        );
    }
    for sweep in [
        "job-runner",
        "analytics",
        "escalation",
        "recertification",
        "retention",
    ] {
        run(format!("sweep {sweep}"), &["sweep", sweep, "--stats"]);
    }
    let o = run(
        "export".into(),
        &["export", "--as", &admin, "-o", "pack.zip"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pack = std::fs::read(site.path().join("pack.zip")).unwrap();
    for (name, data) in unzip(&pack) {
        shown.push((format!("pack.zip:{name}"), data));
    }
    shown.push(("pack.zip".into(), pack));
    // The server's log: `aigis up --demo` on the same state dir, until it serves.
    {
        let log_path = site.path().join("up.log");
        let log = std::fs::File::create(&log_path).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_aigis"))
            .arg("--state-dir")
            .arg(&state)
            .arg("--components-dir")
            .arg(components_dir())
            .arg("--manifest")
            .arg(manifest())
            .args(["up", "--demo", "--port", "0"])
            .current_dir(site.path())
            .env_remove("AIGIS_STATE_DIR")
            .env_remove("AIGIS_COMPONENTS_DIR")
            .env(
                "RUST_LOG",
                "warn,aigis_host=trace,aigis=trace,aigis_app=trace",
            )
            .stdin(std::process::Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start aigis up");
        let t0 = std::time::Instant::now();
        let text = loop {
            let text = std::fs::read_to_string(&log_path).unwrap_or_default();
            if text.contains("Aigis is running at ") || t0.elapsed().as_secs() > 60 {
                break text;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("aigis up exited ({status}):\n{text}");
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        };
        let _ = child.kill();
        let _ = child.wait();
        assert!(text.contains("demo-idp-credentials.json"), "{text}");
        shown.push(("aigis up --demo log".into(), text.into_bytes()));
    }
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../frontend/dist");
    files_under(&dist, &mut shown);

    // Every secret the site holds.
    let db = rusqlite::Connection::open(state.join("forge.db")).unwrap();
    let mut secrets: Vec<(String, String)> = db
        .prepare("SELECT key, value FROM secrets")
        .unwrap()
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let stored = secrets.len();
    // At least a MAC key and a signing seed, and the rotation made more.
    assert!(stored >= 3, "only {stored} secrets stored: {secrets:?}");
    secrets.extend(
        demo.users
            .iter()
            .filter(|u| !u.api_token.is_empty())
            .map(|u| (format!("api token of {}", u.email), u.api_token.clone())),
    );
    if let Ok(t) = std::fs::read_to_string(state.join("bridge.token")) {
        secrets.push(("bridge.token".into(), t.trim().to_owned()));
    }
    // The demo connectors' credentials (0600 in the state dir).
    let creds = state.join(aigis_host::demo_connected::CREDENTIALS_FILE);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&creds).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", creds.display());
    }
    let creds: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&creds).unwrap()).unwrap();
    let secret = creds["entra"]["clientSecret"].as_str().unwrap().to_owned();
    secrets.push(("the demo Entra client secret".into(), secret));
    let pem = creds["okta"]["privateKeyPem"].as_str().unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    secrets.push(("the demo Okta private key".into(), body));
    assert!(secrets.len() > stored, "no demo API tokens to look for");
    // The scan is only worth something if the outputs hold the site's data.
    assert!(shown.len() > calls.len(), "too little output to scan");

    let mut leaks = Vec::new();
    for (name, value) in &secrets {
        let forms = encodings(value);
        assert!(
            !forms.is_empty(),
            "secret {name} is too short to search for"
        );
        for (label, data) in &shown {
            for form in &forms {
                if contains(data, form) {
                    leaks.push(format!("secret {name} (as {form}) in {label}"));
                }
            }
        }
    }
    assert!(leaks.is_empty(), "{leaks:#?}");
}

#[test]
fn the_encodings_cover_hex_and_base64_of_the_bytes() {
    let forms = encodings("00112233445566778899aabbccddeeff");
    assert!(
        forms.contains(&"ABEiM0RVZneImaq7zN3u/w==".to_owned()),
        "{forms:?}"
    );
    assert!(
        forms.contains(&"ABEiM0RVZneImaq7zN3u_w".to_owned()),
        "{forms:?}"
    );
    let forms = encodings("ABEiM0RVZneImaq7zN3u/w==");
    assert!(forms.contains(&"00112233445566778899aabbccddeeff".to_owned()));
    assert!(contains(b"x 00112233445566778899AABBCCDDEEFF y", &forms[0]));
}
