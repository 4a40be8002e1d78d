//! The README's walkthroughs run as written, and answer what the README says.
//!
//! Every ```` ```sh ```` block of a `## Walkthrough...` section of README.md
//! runs in order, command by command, in one bash session, the way a reader
//! pastes them next to `make run-empty`: in a scratch directory laid out like the
//! repository (`target/debug/aigis`, `target/wasm32-wasip2/wasm` and
//! `manifest.yml` link to the built ones; this test builds nothing), with
//! `aigis up --demo --state-dir .aigis` serving on a free loopback port. The
//! one substitution is the README's `U=http://127.0.0.1:8080` line, which
//! becomes the test site's URL. A walkthrough whose introduction says
//! "On a fresh `make run-empty`" starts on a new site (`.aigis/` deleted, as the
//! README tells the reader); any other continues on the site the previous
//! one left.
//!
//! Stated answers are comments starting with `->`, at the end of a command's
//! last line or on lines of their own after it:
//!
//! - `# -> {"id":"10000","key":"AIR-1",...}` — a JSON value that the command
//!   printed (stdout or stderr) contains these members with these values: a
//!   subset match, recursively; a stated array's elements must appear in
//!   order, others may be between them; `...` only reminds the reader that
//!   more follows.
//! - `# -> exit 1` — the exit status. Without one, a command must exit 0.
//! - `# -> any other text` — the answer contains the text (runs of white
//!   space compare equal).
//!
//! A failure names the README line, the step (the comment heading the
//! command's group), the command, what the README states and what came back.
//! With `AIGIS_README_TRANSCRIPT=FILE` every command's whole answer is written
//! to FILE.

mod answer;
mod walkthrough;

use answer::Answer;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// How long a site may take to start (it compiles the components for its
/// fresh state dir and runs the start-up sweeps) and one command to answer.
const START_TIMEOUT: Duration = Duration::from_secs(600);
const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);
/// Where the README's first walkthrough points `U`.
const README_U: &str = "U=http://127.0.0.1:8080";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn components_dir() -> PathBuf {
    let dir = std::env::var_os("AIGIS_COMPONENTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/wasm32-wasip2/wasm"));
    assert!(
        dir.join("aigis_resolvers.wasm").is_file(),
        "components missing in {}: run `make components`",
        dir.display()
    );
    dir
}

/// Environment a reader's shell has: none of aigis' own variables.
fn plain(c: &mut Command) -> &mut Command {
    c.env_remove("AIGIS_STATE_DIR")
        .env_remove("AIGIS_COMPONENTS_DIR")
        .env_remove("AIGIS_MANIFEST")
}

/// The reader's checkout, as far as the walkthroughs use it.
fn lay_out(dir: &Path) {
    use std::os::unix::fs::symlink;
    let canonical = |p: PathBuf| p.canonicalize().unwrap_or(p);
    fs::create_dir_all(dir.join("target/debug")).unwrap();
    fs::create_dir_all(dir.join("target/wasm32-wasip2")).unwrap();
    symlink(
        canonical(PathBuf::from(env!("CARGO_BIN_EXE_aigis"))),
        dir.join("target/debug/aigis"),
    )
    .unwrap();
    symlink(
        canonical(components_dir()),
        dir.join("target/wasm32-wasip2/wasm"),
    )
    .unwrap();
    symlink(
        canonical(repo().join("manifest.yml")),
        dir.join("manifest.yml"),
    )
    .unwrap();
}

/// `make run-empty`: `aigis up --demo` on `.aigis` in the checkout, on a free port.
struct Site {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Site {
    fn start(dir: &Path, log: PathBuf) -> Site {
        let out = fs::File::create(&log).unwrap();
        let child = plain(&mut Command::new(dir.join("target/debug/aigis")))
            .args(["up", "--demo", "--state-dir", ".aigis", "--port", "0"])
            .args(["--components-dir", "target/wasm32-wasip2/wasm"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("start aigis up");
        let mut site = Site {
            child,
            url: String::new(),
            log,
        };
        // Ready when it serves and its start-up sweeps have run (they log
        // "scheduled run" once all are done): what a reader sees before
        // pasting the first command.
        let t0 = Instant::now();
        loop {
            let log = fs::read_to_string(&site.log).unwrap_or_default();
            if site.url.is_empty()
                && let Some(rest) = log.split("Aigis is running at ").nth(1)
            {
                site.url = rest.lines().next().unwrap_or("").trim().to_owned();
            }
            if !site.url.is_empty() && log.contains("scheduled run") {
                return site;
            }
            if let Ok(Some(status)) = site.child.try_wait() {
                panic!("aigis up exited ({status}):\n{log}");
            }
            assert!(
                t0.elapsed() < START_TIMEOUT,
                "aigis up not ready after {START_TIMEOUT:?}:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The reader's terminal: one bash, so variables carry from command to command.
struct Shell {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    scratch: PathBuf,
    n: usize,
}

const MARK: &str = "__aigis_readme_done";

impl Shell {
    fn start(dir: &Path, scratch: &Path) -> Shell {
        let tmp = scratch.join("tmp");
        fs::create_dir_all(&tmp).unwrap();
        let mut child = plain(&mut Command::new("bash"))
            .args(["--noprofile", "--norc"])
            .current_dir(dir)
            // mktemp -d in a walkthrough lands in the test's scratch space.
            .env("TMPDIR", &tmp)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start bash");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Shell {
            stdin: child.stdin.take(),
            child,
            lines,
            scratch: scratch.to_path_buf(),
            n: 0,
        }
    }

    /// Runs one command (stdin from /dev/null, so it cannot eat the session's
    /// input) and returns what it printed and its exit status.
    fn run(&mut self, text: &str) -> Result<Answer, String> {
        self.n += 1;
        let n = self.n;
        let out = self.scratch.join(format!("{n}.out"));
        let err = self.scratch.join(format!("{n}.err"));
        let script = format!(
            "{{ {}\n}} >'{}' 2>'{}' </dev/null; echo \"{MARK} {n} $?\"\n",
            text.trim_end(),
            out.display(),
            err.display()
        );
        let stdin = self.stdin.as_mut().ok_or("bash has no stdin")?;
        stdin
            .write_all(script.as_bytes())
            .and_then(|_| stdin.flush())
            .map_err(|e| format!("bash is gone: {e}"))?;
        let prefix = format!("{MARK} {n} ");
        let status = loop {
            let line = self
                .lines
                .recv_timeout(COMMAND_TIMEOUT)
                .map_err(|e| match e {
                    RecvTimeoutError::Timeout => format!("no answer within {COMMAND_TIMEOUT:?}"),
                    RecvTimeoutError::Disconnected => "bash exited (its error is above)".to_owned(),
                })?;
            if let Some(s) = line.strip_prefix(&prefix) {
                break s.trim().parse().unwrap_or(-1);
            }
        };
        Ok(Answer {
            stdout: fs::read_to_string(&out).unwrap_or_default(),
            stderr: fs::read_to_string(&err).unwrap_or_default(),
            status,
        })
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn readme_walkthroughs_run_as_written_and_answer_what_it_states() {
    let readme = fs::read_to_string(repo().join("README.md")).expect("README.md");
    let sections = walkthrough::parse(&readme).unwrap_or_else(|e| panic!("README.md: {e}"));
    assert!(!sections.is_empty(), "README.md has no walkthrough");
    let stated: usize = sections
        .iter()
        .flat_map(|s| &s.commands)
        .map(|c| c.expects.len())
        .sum();

    let checkout = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    lay_out(checkout.path());
    let mut shell = Shell::start(checkout.path(), scratch.path());
    let mut site: Option<Site> = None;
    let mut u_defined = false;
    let mut failures: Vec<String> = Vec::new();
    let mut commands = 0;
    // AIGIS_README_TRANSCRIPT=FILE: every command and its whole answer, for
    // whoever writes the stated answers.
    let mut transcript = std::env::var_os("AIGIS_README_TRANSCRIPT")
        .map(|p| fs::File::create(p).expect("AIGIS_README_TRANSCRIPT is not writable"));
    'sections: for (i, section) in sections.iter().enumerate() {
        if i == 0 || section.fresh {
            drop(site.take());
            let state = checkout.path().join(".aigis");
            if state.exists() {
                fs::remove_dir_all(&state).unwrap();
            }
            let log = scratch.path().join(format!("aigis-up-{i}.log"));
            let s = Site::start(checkout.path(), log);
            // The reader's U still points at port 8080; the test's moved.
            if u_defined {
                shell.run(&format!("U={}", s.url)).unwrap();
            }
            site = Some(s);
        }
        let url = site.as_ref().map(|s| s.url.clone()).unwrap_or_default();
        for cmd in &section.commands {
            commands += 1;
            let text = if cmd.text.trim() == README_U {
                u_defined = true;
                format!("U={url}")
            } else {
                cmd.text.clone()
            };
            let run = complete(&text).and_then(|()| shell.run(&text));
            let broken = run.is_err();
            if let (Some(t), Ok(a)) = (transcript.as_mut(), run.as_ref()) {
                let _ = writeln!(
                    t,
                    "README.md:{}\n{}{}\n",
                    cmd.line,
                    cmd.text,
                    answer_text(a, true)
                );
            }
            let (problems, answered) = match run {
                Ok(answer) => (
                    answer::check(&cmd.expects, &answer),
                    answer_text(&answer, false),
                ),
                Err(e) => (vec![e], "    nothing".to_owned()),
            };
            if !problems.is_empty() {
                failures.push(format!(
                    "README.md:{} ({}{}): {}\n  {}\n  answered:\n{answered}",
                    cmd.line,
                    section.title,
                    cmd.step
                        .as_deref()
                        .map(|s| format!(", \"{s}\""))
                        .unwrap_or_default(),
                    cmd.head(),
                    problems.join("\n  "),
                ));
            }
            if broken {
                // The session is gone or out of step: what follows cannot run.
                break 'sections;
            }
        }
    }
    assert!(
        u_defined,
        "the README's first walkthrough no longer defines `{README_U}`, which this test points at its site"
    );
    eprintln!(
        "README: {} walkthroughs, {commands} commands, {stated} stated answers checked",
        sections.len()
    );
    if !failures.is_empty() {
        let logs: Vec<String> = (0..sections.len())
            .filter_map(|i| {
                let p = scratch.path().join(format!("aigis-up-{i}.log"));
                fs::read_to_string(&p)
                    .ok()
                    .map(|l| format!("--- {}:\n{}", p.display(), answer::short(&l)))
            })
            .collect();
        panic!(
            "{} README answers differ from the README:\n\n{}\n\n{}",
            failures.len(),
            failures.join("\n\n"),
            logs.join("\n")
        );
    }
}

/// Whether `text` is one complete bash command (`bash -n`), so that a
/// command split wrongly, or a README typo, is named rather than run.
fn complete(text: &str) -> Result<(), String> {
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-n", "-c", text])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("bash -n: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "not a complete shell command: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    ))
}

/// A command's answer, indented, for a failure message.
fn answer_text(a: &Answer, whole: bool) -> String {
    let mut s = String::new();
    for (name, text) in [("stdout", &a.stdout), ("stderr", &a.stderr)] {
        if !text.trim().is_empty() {
            let text = if whole {
                text.clone()
            } else {
                answer::short(text)
            };
            for line in text.lines() {
                s.push_str(&format!("    {name}| {line}\n"));
            }
        }
    }
    s.push_str(&format!("    exit {}", a.status));
    s
}
