//! `aigis`: the Aigis local host CLI.

mod verify_cli;

use aigis_core::ErrorCode;
use aigis_host::clock::{format_rfc3339, parse_duration, parse_rfc3339};
use aigis_host::statedir::write_private;
use aigis_host::{ClockConfig, ErrorBody, Host, HostConfig, HostError, component_error};
use anyhow::{Context, Result, anyhow};
use clap::{Parser, Subcommand};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// The Aigis local host: runs the Forge function components under wasmtime
/// with local storage, a Jira Cloud simulator, a virtual clock and the
/// scheduled triggers of manifest.yml.
///
/// State lives in --state-dir: forge.db (app storage and secrets), jira.db
/// (the Jira simulator), host.db (virtual clock, cloudId, scheduler, queue),
/// okta.db and graph.db (the identity-provider simulators) and cache/
/// (compiled components). Commands may run while `aigis up` runs
/// on the same state dir.
#[derive(Parser)]
#[command(name = "aigis", version, about, long_about)]
struct Cli {
    /// Directory of the host's state.
    #[arg(long, global = true, default_value = ".aigis", env = "AIGIS_STATE_DIR")]
    state_dir: PathBuf,
    /// The local site's identity providers: an Okta org (aigis-demo.okta.com)
    /// and an Entra tenant with Microsoft Graph, simulated in okta.db and
    /// graph.db; the components' egress to those hosts reaches them, their
    /// admin and fault endpoints are at /__sim/okta/ and /__sim/graph/ of
    /// `aigis up` (loopback only). `false`: egress has no route out.
    #[arg(
        long,
        global = true,
        default_value_t = true,
        action = clap::ArgAction::Set,
        value_name = "BOOL",
        env = "AIGIS_IDP_SIMS"
    )]
    idp_sims: bool,
    /// Directory of the compiled components (aigis_resolvers.wasm, ...).
    /// Default: target/wasm32-wasip2/wasm of the workspace holding the
    /// current directory or the executable.
    #[arg(long, global = true, env = "AIGIS_COMPONENTS_DIR")]
    components_dir: Option<PathBuf>,
    /// The Forge manifest.
    #[arg(
        long,
        global = true,
        default_value = "manifest.yml",
        env = "AIGIS_MANIFEST"
    )]
    manifest: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Jira simulator, the resolvers and the UI on 127.0.0.1, and
    /// run scheduled triggers, product events and queue messages in the background.
    Up {
        /// Port to listen on; 0 picks a free one.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Seed the Jira simulator's demo site and the app's demo data first.
        #[arg(long)]
        demo: bool,
        /// With `--demo`: also give the demo site a history, made through the
        /// app's real paths on the virtual clock (requests filed on the portal
        /// over the last weeks, decided, fulfilled, expired, reviewed), so
        /// every screen has something to show (`make run`). Implies `--demo`.
        #[arg(long)]
        demo_activity: bool,
        /// Conformance tests: seed only the Jira simulator's demo site (the
        /// scenario configures the app itself).
        #[arg(long, hide = true)]
        seed_jira: bool,
        /// Conformance tests: serve the test bridge (`/api/host/bridge/*`,
        /// token in `<state-dir>/bridge.token`), freeze the virtual clock
        /// until the bridge moves it, and run no scheduler or event pump.
        #[arg(long, hide = true)]
        test_bridge: bool,
        /// Tests only (conformance): the components' randomness and the
        /// host's ids from this seed instead of the OS, the same on every run.
        /// Never for a real site: its keys would be predictable.
        #[arg(long, hide = true, value_name = "N")]
        random_seed: Option<u64>,
    },
    /// Call a resolver function as a simulator user; prints its JSON result
    /// (on failure: the JSON error `{code, message, field?}` on stderr and a
    /// non-zero exit).
    Invoke {
        /// The resolver key (what the UI passes to `invoke`).
        key: String,
        /// The caller: a simulator user's email (or an account id).
        #[arg(long = "as")]
        as_user: String,
        /// The JSON payload.
        #[arg(long, default_value = "{}")]
        payload: String,
        /// The UI module whose resolver serves the call (default: the first).
        #[arg(long)]
        module: Option<String>,
        /// Also print the invocation's stats as a second JSON line.
        #[arg(long)]
        stats: bool,
    },
    /// Run one scheduled trigger once (by key or function key) and print its
    /// JSON summary. Does not change the scheduler's record of last runs.
    Sweep {
        name: String,
        /// Virtual time of the run (RFC 3339); default: virtual now. A later
        /// time first moves the site's virtual clock there (what the run
        /// writes, such as a retry's due time, stays in step with the site);
        /// an earlier one is refused: `aigis clock set` moves time back.
        #[arg(long)]
        at: Option<String>,
        /// Also print the run's stats as a second JSON line.
        #[arg(long)]
        stats: bool,
    },
    /// Audit trail commands.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Export an evidence pack (the `audit.export` resolver, as an admin)
    /// to a zip file; check it anywhere with `aigis verify PACK.zip`.
    Export {
        /// The exporting admin: a simulator user's email (or account id).
        #[arg(long = "as")]
        as_user: String,
        /// Window start: YYYY-MM-DD or RFC 3339 (default: 90 days before `to`).
        #[arg(long)]
        from: Option<String>,
        /// Window end: YYYY-MM-DD or RFC 3339 (default: now).
        #[arg(long)]
        to: Option<String>,
        /// Where to write the zip (default: the pack's own file name).
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Show or move the virtual clock (shared with a running `aigis up`).
    Clock {
        #[command(subcommand)]
        command: ClockCommand,
    },
    /// Product events and queue messages.
    Events {
        #[command(subcommand)]
        command: EventsCommand,
    },
    /// Verify an evidence pack offline (no state directory needed); exits
    /// 0 only when every check holds, otherwise names the failure.
    Verify {
        /// The pack (zip).
        pack: PathBuf,
        /// File holding the site's audit MAC key, to check entryMac.
        #[arg(long)]
        key: Option<PathBuf>,
        /// Check entryMac only for events under this key id.
        #[arg(long, requires = "key")]
        key_id: Option<String>,
        /// An older pack of the same log that this one must extend.
        #[arg(long)]
        previous: Option<PathBuf>,
        /// The log's verifier key (name+keyid+base64, or a file holding it).
        #[arg(long)]
        trusted_key: Option<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check an inclusion proof JSON (from FILE or stdin) and its checkpoint.
    VerifyProof {
        file: Option<PathBuf>,
        /// The log's verifier key (name+keyid+base64, or a file holding it).
        #[arg(long)]
        trusted_key: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the audit hash chain; prints a JSON report, exits non-zero when broken.
    Verify,
    /// Print an inclusion proof of event SEQ in the newest checkpoint (JSON
    /// that `aigis verify-proof` checks).
    /// Write the site's audit MAC key to FILE (mode 0600) for
    /// `aigis verify --key FILE`; prints only its key id.
    SiteKey {
        #[arg(long, short)]
        out: PathBuf,
    },
    Prove {
        seq: u64,
        /// The admin asking: a simulator user's email (or account id).
        #[arg(long = "as")]
        as_user: String,
    },
}

#[derive(Subcommand)]
enum ClockCommand {
    /// Print virtual now.
    Show,
    /// Move virtual now to an RFC 3339 time, e.g. 2026-03-01T09:00:00Z.
    Set { time: String },
    /// Move virtual now by a duration: 3d, 12h, 90m, 30s, 1w, 1d12h, -2h.
    Advance { duration: String },
    /// Back to real time.
    Reset,
}

#[derive(Subcommand)]
enum EventsCommand {
    /// Deliver pending simulator events to their triggers and due queue
    /// messages to their consumers; prints what was delivered.
    Pump,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("warn,aigis_host=info,aigis=info")
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}", error_json(&e));
            ExitCode::FAILURE
        }
    }
}

/// The JSON error a failed command prints, of the one shape
/// `{code, message, field?}`: a host failure as the server would answer it
/// (its detail to the log), anything else `internal` with its message.
fn error_json(e: &anyhow::Error) -> Value {
    match e.downcast_ref::<HostError>() {
        Some(host_error) => {
            tracing::error!("{e:#}");
            host_error.body().to_json()
        }
        None => ErrorBody::new(ErrorCode::Internal, format!("{e:#}")).to_json(),
    }
}

/// Prints a command's JSON error on stderr; the exit code of a failure.
fn fail(body: &ErrorBody) -> ExitCode {
    eprintln!("{}", body.to_json());
    ExitCode::FAILURE
}

fn open(cli: &Cli) -> Result<Host> {
    let clock = match cli.command {
        // The bridge's runner owns time: frozen until it moves it.
        Command::Up {
            test_bridge: true, ..
        } => ClockConfig::Fixed(aigis_host::clock::real_now_millis()),
        _ => ClockConfig::Persisted,
    };
    let config = HostConfig {
        state_dir: Some(cli.state_dir.clone()),
        components_dir: cli
            .components_dir
            .clone()
            .unwrap_or_else(aigis_host::default_components_dir),
        manifest_path: cli.manifest.clone(),
        clock,
    };
    let host = match cli.command {
        Command::Up {
            random_seed: Some(seed),
            ..
        } => Host::open_seeded(config, seed),
        _ => Host::open(config),
    };
    let host = host.with_context(|| format!("opening state dir {}", cli.state_dir.display()))?;
    if cli.idp_sims {
        host.enable_idp_sims()
            .context("opening the identity-provider simulators")?;
    }
    Ok(host)
}

/// A simulator user's account id from an email, or an account id as given.
fn account_of(host: &Host, as_user: &str) -> Result<String> {
    match host.sim().user_by_email(as_user) {
        Some(u) => Ok(u.account_id),
        None if !as_user.contains('@') => Ok(as_user.to_owned()),
        None => Err(anyhow!("no simulator user with email {as_user}")),
    }
}

fn print_json(v: &Value) {
    println!("{v}");
}

fn run(cli: Cli) -> Result<ExitCode> {
    // Offline checks: no host, no state directory.
    match &cli.command {
        Command::Verify {
            pack,
            key,
            key_id,
            previous,
            trusted_key,
            json,
        } => {
            return verify_cli::verify(verify_cli::VerifyArgs {
                pack,
                key: key.as_deref(),
                key_id: key_id.as_deref(),
                previous: previous.as_deref(),
                trusted_key: trusted_key.as_deref(),
                json: *json,
            });
        }
        Command::VerifyProof { file, trusted_key } => {
            return verify_cli::verify_proof(file.as_deref(), trusted_key.as_deref());
        }
        _ => {}
    }
    let host = open(&cli)?;
    match &cli.command {
        Command::Up {
            port,
            demo,
            demo_activity,
            seed_jira,
            test_bridge,
            ..
        } => up(
            host,
            &cli,
            *port,
            UpOptions {
                demo: *demo || *demo_activity,
                demo_activity: *demo_activity,
                seed_jira: *seed_jira,
                test_bridge: *test_bridge,
            },
        ),
        Command::Invoke {
            key,
            as_user,
            payload,
            module,
            stats,
        } => {
            let payload: Value = match serde_json::from_str(payload) {
                Ok(v) => v,
                Err(e) => {
                    let message = format!("--payload is not JSON: {e}");
                    return Ok(fail(&ErrorBody::invalid("payload", message)));
                }
            };
            let account = match account_of(&host, as_user) {
                Ok(a) => a,
                Err(e) => return Ok(fail(&ErrorBody::invalid("as", e.to_string()))),
            };
            let out = match host.invoke_resolver(key, &payload, &account, module.as_deref()) {
                Ok(out) => out,
                Err(e) => {
                    tracing::error!("{e}");
                    return Ok(fail(&e.body()));
                }
            };
            let code = match &out.result {
                Ok(v) => {
                    print_json(v);
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{}", component_error(key, e).1);
                    ExitCode::FAILURE
                }
            };
            if *stats {
                print_json(&serde_json::to_value(&out.stats)?);
            }
            Ok(code)
        }
        Command::Sweep { name, at, stats } => {
            let at = at
                .as_deref()
                .map(parse_rfc3339)
                .transpose()
                .map_err(|e| anyhow!(e))?;
            if let Some(at) = at {
                let now = host.clock().now_millis();
                if at < now {
                    return Err(anyhow!(
                        "--at {} is before the site's virtual time {}: a sweep runs now or later \
                         (`aigis clock set` moves the clock back first, if that is meant)",
                        format_rfc3339(at),
                        format_rfc3339(now)
                    ));
                }
                host.clock().set(at)?;
            }
            let out = host.run_scheduled(name, at)?;
            print_json(&out.summary);
            if *stats {
                print_json(&serde_json::to_value(&out.stats)?);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let report = aigis_host::audit::verify(host.store())?;
            print_json(&serde_json::to_value(&report)?);
            Ok(if report.intact {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Audit {
            command: AuditCommand::SiteKey { out },
        } => {
            let Some((id, key)) = aigis_host::audit::site_key(host.store())? else {
                eprintln!("the audit log has no MAC key yet (nothing was logged)");
                return Ok(ExitCode::FAILURE);
            };
            write_private(out, key.as_bytes())
                .with_context(|| format!("writing {}", out.display()))?;
            print_json(&json!({ "keyId": id, "file": out.display().to_string() }));
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Prove { seq, as_user },
        } => {
            let account = account_of(&host, as_user)?;
            let out =
                host.invoke_resolver("audit.prove", &json!({ "seq": seq }), &account, None)?;
            match out.result {
                Ok(v) => {
                    println!("{}", serde_json::to_string_pretty(&v)?);
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("{}", component_error("audit.prove", &e).1);
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Export {
            as_user,
            from,
            to,
            out,
        } => {
            let account = account_of(&host, as_user)?;
            let mut payload = json!({});
            if let Some(f) = from {
                payload["from"] = json!(f);
            }
            if let Some(t) = to {
                payload["to"] = json!(t);
            }
            let res = host.invoke_resolver("audit.export", &payload, &account, None)?;
            let v = match res.result {
                Ok(v) => v,
                Err(e) => {
                    eprintln!("{}", component_error("audit.export", &e).1);
                    return Ok(ExitCode::FAILURE);
                }
            };
            use base64::Engine;
            let zip = base64::engine::general_purpose::STANDARD
                .decode(v["contentBase64"].as_str().unwrap_or_default())
                .context("the export returned no pack")?;
            let path = out.clone().unwrap_or_else(|| {
                PathBuf::from(v["fileName"].as_str().unwrap_or("aigis-evidence.zip"))
            });
            std::fs::write(&path, &zip).with_context(|| format!("writing {}", path.display()))?;
            print_json(&json!({
                "file": path.display().to_string(),
                "bytes": zip.len(),
                "sha256": v["sha256"],
                "checkpoint": v["checkpoint"],
                "counts": v["counts"],
            }));
            Ok(ExitCode::SUCCESS)
        }
        Command::Clock { command } => {
            let clock = host.clock();
            match command {
                ClockCommand::Show => {}
                ClockCommand::Set { time } => {
                    clock.set(parse_rfc3339(time).map_err(|e| anyhow!(e))?)?
                }
                ClockCommand::Advance { duration } => {
                    clock.advance(parse_duration(duration).map_err(|e| anyhow!(e))?)?
                }
                ClockCommand::Reset => clock.reset()?,
            }
            let now = clock.now_millis();
            print_json(&json!({
                "now": format_rfc3339(now),
                "nowMillis": now,
                "offsetMillis": now - aigis_host::clock::real_now_millis(),
            }));
            Ok(ExitCode::SUCCESS)
        }
        Command::Events {
            command: EventsCommand::Pump,
        } => {
            let report = host.pump()?;
            print_json(&serde_json::to_value(&report)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { .. } | Command::VerifyProof { .. } => Ok(ExitCode::FAILURE),
    }
}

struct UpOptions {
    demo: bool,
    demo_activity: bool,
    seed_jira: bool,
    test_bridge: bool,
}

fn up(host: Host, cli: &Cli, port: u16, opts: UpOptions) -> Result<ExitCode> {
    if opts.seed_jira && !opts.demo {
        host.sim()
            .seed_demo()
            .map_err(|e| anyhow!("seeding the Jira simulator: {e}"))?;
    }
    let bridge = if opts.test_bridge {
        let bridge = aigis_host::server::Bridge::random().context("drawing a bridge token")?;
        let path = cli.state_dir.join(aigis_host::statedir::BRIDGE_TOKEN);
        write_private(&path, bridge.token().as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        Some(bridge)
    } else {
        None
    };
    let mut demo_users = None;
    if opts.demo {
        let site = host
            .sim()
            .seed_demo()
            .map_err(|e| anyhow!("seeding the Jira simulator: {e}"))?;
        aigis_host::demo::seed_app(&host, &site)?;
        if opts.demo_activity {
            let made = aigis_host::demo::seed_activity(&host, &site)?;
            eprintln!("demo activity: {made}");
        }
        for u in &site.users {
            eprintln!(
                "demo user {:<10} {} (API token {})",
                u.role, u.email, u.api_token
            );
        }
        if let Some(sims) = host.idp_sims() {
            let seeded =
                aigis_host::demo_connected::seed(&sims, &site, Some(cli.state_dir.as_path()))?;
            let creds = cli
                .state_dir
                .join(aigis_host::demo_connected::CREDENTIALS_FILE);
            eprintln!(
                "demo identity providers: Okta https://{} and Entra tenant {}; \
                 connector credentials in {} (0600{})",
                aigis_host::idp::OKTA_HOST,
                aigis_host::idp::ENTRA_TENANT_ID,
                creds.display(),
                if seeded.credentials_written {
                    ", new"
                } else {
                    ""
                }
            );
            // `make run` (with activity) connects the demo org and tenant;
            // `--demo` alone leaves every tool fulfilled by hand, as the
            // README walkthroughs expect.
            if opts.demo_activity {
                let connected = aigis_host::demo_connected::connect(
                    &host,
                    &sims,
                    &site,
                    cli.state_dir.as_path(),
                    seeded.credentials_written,
                )?;
                for (tool, open) in &connected.findings {
                    eprintln!("demo connected tool {tool}: {open} open drift finding(s)");
                }
            }
        }
        demo_users = Some(site.users.clone());
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .with_context(|| format!("binding 127.0.0.1:{port}"))?;
        let addr = listener.local_addr()?;
        let url = format!("http://127.0.0.1:{}", addr.port());
        host.set_site_url(&url);
        let stop = Arc::new(AtomicBool::new(false));
        // Under the test bridge the runner drives events and sweeps itself.
        let bg = match bridge {
            Some(_) => None,
            None => Some(aigis_host::server::spawn_background(
                host.clone(),
                Duration::from_secs(1),
                stop.clone(),
            )?),
        };
        println!("Aigis is running at {url}");
        let options = aigis_host::server::Options { bridge, demo_users };
        aigis_host::server::serve_with(host, listener, options).await?;
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(bg) = bg {
            let _ = tokio::task::spawn_blocking(move || bg.join()).await;
        }
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}
