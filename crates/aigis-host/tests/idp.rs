//! The local site's identity providers: the Okta and Graph simulators behind
//! the components' egress, shared through the state dir, their faults
//! switched on at `/__sim/...` of the local server, and the demo seeding.

mod common;

use aigis_host::demo_connected::{self, CREDENTIALS_FILE};
use aigis_host::idp::{self, ENTRA_DOMAIN, OKTA_HOST};
use aigis_host::{ClockConfig, Host};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;

const T0: i64 = 1_795_435_200_000;

fn host_on(dir: &tempfile::TempDir, state: &std::path::Path) -> Host {
    let h = Host::open(common::config(
        dir.path(),
        Some(state.to_path_buf()),
        ClockConfig::Fixed(T0),
    ))
    .unwrap();
    h.enable_idp_sims().unwrap();
    h
}

fn egress(h: &Host, url: &str) -> Result<Value, Value> {
    h.invoke_resolver("fn-key", &json!(format!("egress {url}")), "acc-1", None)
        .unwrap()
        .result
}

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

fn post(addr: &str, path: &str, body: &str, extra: &str) -> (u16, String) {
    request(
        addr,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{extra}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
}

#[test]
fn a_component_reaches_the_simulators_and_only_declared_hosts() {
    let dir = common::fixture();
    let state = dir.path().join("state");
    let h = host_on(&dir, &state);
    // The org's host answers as Okta does: no credentials, 401 E0000011.
    let v = egress(&h, &format!("https://{OKTA_HOST}/api/v1/groups")).unwrap();
    assert_eq!(v["status"], 401, "{v}");
    assert!(v["body"].as_str().unwrap().contains("E0000011"), "{v}");
    // Graph answers too (no token: 401).
    let v = egress(&h, "https://graph.microsoft.com/v1.0/users").unwrap();
    assert_eq!(v["status"], 401, "{v}");
    // Another Okta org is allowed by `*.okta.com` but does not resolve.
    let e = egress(&h, "https://acme.okta.com/api/v1/groups").unwrap_err();
    assert!(
        e["message"].as_str().unwrap().contains("could not resolve"),
        "{e}"
    );
    // The fixture's manifest does not declare login.microsoftonline.com:
    // refused although a simulator serves it.
    let e = egress(
        &h,
        &format!(
            "https://login.microsoftonline.com/{}/v2.0/.well-known/openid-configuration",
            idp::ENTRA_TENANT_ID
        ),
    )
    .unwrap_err();
    assert!(
        e["message"].as_str().unwrap().contains("HostNotAllowed"),
        "{e}"
    );
    for bad in ["https://evil-okta.com/x", "https://okta.com.evil.io/x"] {
        let e = egress(&h, bad).unwrap_err();
        assert!(
            e["message"].as_str().unwrap().contains("HostNotAllowed"),
            "{bad}: {e}"
        );
    }
    // The simulators' control paths are not reachable through egress.
    let e = egress(&h, &format!("https://{OKTA_HOST}/__sim/faults")).unwrap_err();
    assert!(
        e["message"].as_str().unwrap().contains("could not resolve"),
        "{e}"
    );
}

#[test]
fn faults_switched_on_at_the_local_server_reach_egress() {
    let dir = common::fixture();
    let state = dir.path().join("state");
    let h = host_on(&dir, &state);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let app = aigis_host::server::router(h.clone());
    rt.spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let url = format!("https://{OKTA_HOST}/api/v1/groups");

    // 503 once, then normal again.
    let (s, b) = post(
        &addr,
        "/__sim/okta/faults",
        r#"{"times":1,"kind":"status","status":503}"#,
        "",
    );
    assert!((200..300).contains(&s), "{s} {b}");
    assert_eq!(egress(&h, &url).unwrap()["status"], 503);
    assert_eq!(egress(&h, &url).unwrap()["status"], 401);

    // 429 with Okta's reset header.
    let (s, _) = post(
        &addr,
        "/__sim/okta/faults",
        r#"{"times":1,"kind":"rateLimited","resetInSecs":30}"#,
        "",
    );
    assert!((200..300).contains(&s));
    assert_eq!(egress(&h, &url).unwrap()["status"], 429);

    // A slow answer beyond the egress timeout is a timeout.
    let (s, _) = post(
        &addr,
        "/__sim/okta/faults",
        r#"{"times":1,"kind":"delay","millis":60000}"#,
        "",
    );
    assert!((200..300).contains(&s));
    let e = egress(&h, &url).unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("timed out"), "{e}");

    // Out-of-band changes: a user, a group, a member, then the group deleted.
    let (s, b) = post(
        &addr,
        "/__sim/okta/users",
        r#"{"email":"oob@aigis.example","firstName":"O","lastName":"B"}"#,
        "",
    );
    assert_eq!(s, 200, "{b}");
    let user: Value = serde_json::from_str(&b).unwrap();
    let (s, b) = post(
        &addr,
        "/__sim/okta/groups",
        r#"{"name":"AI - Out of band"}"#,
        "",
    );
    assert_eq!(s, 200, "{b}");
    let group: Value = serde_json::from_str(&b).unwrap();
    let (gid, uid) = (group["id"].as_str().unwrap(), user["id"].as_str().unwrap());
    let (s, b) = request(
        &addr,
        &format!(
            "PUT /__sim/okta/groups/{gid}/members/{uid} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        ),
    );
    assert!((200..300).contains(&s), "{s} {b}");
    let sims = h.idp_sims().unwrap();
    assert_eq!(sims.okta().members(gid).unwrap(), vec![uid.to_string()]);
    let (s, _) = request(
        &addr,
        &format!(
            "DELETE /__sim/okta/groups/{gid} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        ),
    );
    assert!((200..300).contains(&s));
    assert!(sims.okta().members(gid).is_err());

    // The simulators' own clock is the site's: refused here.
    let (s, _) = post(&addr, "/__sim/okta/clock", r#"{"advanceMs":1000}"#, "");
    assert_eq!(s, 409);
    // A page of another origin cannot drive them.
    let (s, _) = post(
        &addr,
        "/__sim/okta/faults",
        r#"{"times":1,"kind":"status","status":500}"#,
        "Origin: https://evil.example\r\n",
    );
    assert_eq!(s, 403);
    assert_eq!(egress(&h, &url).unwrap()["status"], 401);
}

#[test]
fn two_hosts_on_one_state_dir_share_the_directories() {
    let dir = common::fixture();
    let state = dir.path().join("state");
    let a = host_on(&dir, &state);
    let b = host_on(&dir, &state);
    let sa = a.idp_sims().unwrap();
    let sb = b.idp_sims().unwrap();
    let ua = sa
        .okta()
        .add_user(aigis_okta_sim::NewUser::active("x@aigis.example", "X", "Y"))
        .unwrap();
    assert_eq!(sb.okta().find_user("x@aigis.example"), Some(ua));
    let g = sb
        .graph()
        .add_group(aigis_graph_sim::NewGroup::security("AI - Shared"))
        .unwrap();
    assert_eq!(sa.graph().find_group("ai - shared"), Some(g.clone()));
    // A fault switched on by one process fails the other's egress.
    sb.okta().inject(aigis_okta_sim::Fault::any(
        1,
        aigis_okta_sim::FaultKind::Status { status: 502 },
    ));
    let v = egress(&a, &format!("https://{OKTA_HOST}/api/v1/users")).unwrap();
    assert_eq!(v["status"], 502);
    // The clocks follow each host's virtual clock.
    a.clock().set(T0 + 3_600_000).unwrap();
    assert_eq!(sa.okta().clock().now_ms(), T0 + 3_600_000);
    drop((a, b, sa, sb));
    // A restart keeps it.
    let c = host_on(&dir, &state);
    assert_eq!(
        c.idp_sims().unwrap().graph().find_group("AI - Shared"),
        Some(g)
    );
    #[cfg(unix)]
    for db in ["okta.db", "graph.db"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(state.join(db))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{db}");
    }
}

#[test]
fn demo_seeding_matches_the_jira_users_and_keeps_secrets_private() {
    let dir = common::fixture();
    let state = dir.path().join("state");
    let h = host_on(&dir, &state);
    let site = h.sim().seed_demo().unwrap();
    let sims = h.idp_sims().unwrap();
    let seeded = demo_connected::seed(&sims, &site, Some(&state)).unwrap();
    assert!(seeded.credentials_written);

    let okta_users = |h: &Host| -> Vec<Value> {
        let _ = h;
        let r = sims.okta().handle(
            "GET",
            "/api/v1/users?limit=200",
            &[("Authorization".into(), "SSWS demo-test-token".into())],
            None,
        );
        assert_eq!(r.status, 200, "{}", r.body);
        r.body_json().as_array().unwrap().clone()
    };
    sims.okta()
        .add_api_token("demo-test-token", "test")
        .unwrap();
    let users = okta_users(&h);
    for u in &site.users {
        // (Okta lists no DEPROVISIONED user unless asked: read each by login.)
        let r = sims.okta().handle(
            "GET",
            &format!("/api/v1/users/{}", u.email),
            &[("Authorization".into(), "SSWS demo-test-token".into())],
            None,
        );
        assert_eq!(r.status, 200, "{}: {}", u.email, r.body);
        let found = r.body_json();
        assert_eq!(found["profile"]["email"], u.email.as_str());
        let want = if u.role == demo_connected::DEACTIVATED_ROLE {
            "DEPROVISIONED"
        } else {
            "ACTIVE"
        };
        assert_eq!(found["status"], want, "{}", u.email);
    }
    assert!(
        site.users
            .iter()
            .any(|u| u.role == demo_connected::DEACTIVATED_ROLE)
    );
    // Listed: every Jira user but the deprovisioned one, plus the unmatched one.
    assert_eq!(users.len(), site.users.len(), "{users:?}");
    assert!(
        users
            .iter()
            .any(|o| o["profile"]["email"] == demo_connected::OKTA_UNMATCHED)
    );
    assert!(
        site.users
            .iter()
            .all(|u| u.email != demo_connected::OKTA_UNMATCHED)
    );

    // Entra: same e-mails, the deactivated one disabled, one unmatched.
    let graph = sims.graph();
    for u in &site.users {
        let local = u.email.split('@').next().unwrap();
        assert!(
            graph
                .find_user(&format!("{local}@{ENTRA_DOMAIN}"))
                .is_some(),
            "{}",
            u.email
        );
    }
    let extra = demo_connected::ENTRA_UNMATCHED.split('@').next().unwrap();
    assert!(
        graph
            .find_user(&format!("{extra}@{ENTRA_DOMAIN}"))
            .is_some()
    );
    assert!(graph.find_group(demo_connected::ENTRA_TOOL_GROUP).is_some());
    let dynamic = graph
        .find_group("AI - Copilot (dynamic, Engineering)")
        .unwrap();
    assert!(graph.group(&dynamic).unwrap().is_dynamic());
    assert!(
        sims.okta()
            .find_group(demo_connected::OKTA_TOOL_GROUP)
            .is_some()
    );
    assert_eq!(
        sims.okta().find_rules("Engineering to AI - Claude").len(),
        1
    );

    // The credentials: 0600, and they work against the simulators.
    let path = state.join(CREDENTIALS_FILE);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let creds: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let secret = creds["entra"]["clientSecret"].as_str().unwrap();
    assert!(
        creds["okta"]["privateKeyPem"]
            .as_str()
            .unwrap()
            .contains("PRIVATE KEY")
    );
    assert!(creds["okta"]["publicJwk"].get("d").is_none());
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
        creds["entra"]["clientId"].as_str().unwrap(),
        secret
    );
    let token = sims.route(
        idp::LOGIN_HOST,
        "POST",
        &format!("/{}/oauth2/v2.0/token", idp::ENTRA_TENANT_ID),
        &[(
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        )],
        Some(&form),
    );
    let token = token.unwrap();
    assert_eq!(token.status, 200, "{}", token.body);

    // Seeding again changes nothing: the same file, no new users.
    let before = std::fs::read_to_string(&path).unwrap();
    let again = demo_connected::seed(&sims, &site, Some(&state)).unwrap();
    assert!(!again.credentials_written);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    assert_eq!(okta_users(&h).len(), users.len());

    // The secrets are in no log line of the host.
    let out = h
        .invoke_resolver(
            "fn-key",
            &json!("egress https://aigis-demo.okta.com/api/v1/groups"),
            "a",
            None,
        )
        .unwrap();
    let logs = serde_json::to_string(&out.logs).unwrap();
    assert!(!logs.contains(secret));
}
