//! Test guest: a few behaviours the host tests drive through the payload.
//!
//! The payload of a resolver call is `op` or `op arg` (plain text, not JSON,
//! so the guest needs no JSON library): see `invoke` below.

wit_bindgen::generate!({
    path: "../../../../wit",
    inline: "
        package aigis:test-guest;
        world guest {
            include aigis:forge/imports@0.1.0;
            export aigis:forge/resolver@0.1.0;
            export aigis:forge/product-trigger@0.1.0;
            export aigis:forge/scheduled-trigger@0.1.0;
            export aigis:forge/queue-consumer@0.1.0;
        }
    ",
    world: "aigis:test-guest/guest",
    generate_all,
});

use aigis::forge::{egress, jira, queue, runtime, secrets, storage};

struct Guest;

fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn err(code: &str, message: &str) -> String {
    format!("{{\"code\":{},\"message\":{}}}", q(code), q(message))
}

fn count(prefix: &str) -> usize {
    storage::query_prefix(prefix, None, 100)
        .map(|p| p.items.len())
        .unwrap_or(0)
}

impl exports::aigis::forge::resolver::Guest for Guest {
    fn invoke(function_key: String, payload: String, context: String) -> Result<String, String> {
        // The payload is a JSON string literal: "op arg".
        let text = payload.trim().trim_matches('"').to_string();
        let (op, arg) = text.split_once(' ').unwrap_or((text.as_str(), ""));
        match op {
            "echo" => Ok(format!(
                "{{\"functionKey\":{},\"payload\":{},\"context\":{}}}",
                q(&function_key),
                payload,
                context
            )),
            "kv" => {
                storage::set(
                    "greeting",
                    &q(arg),
                    storage::SetOptions {
                        fail_if_exists: false,
                    },
                )
                .map_err(|e| err("internal", &format!("{e:?}")))?;
                let got =
                    storage::get("greeting").map_err(|e| err("internal", &format!("{e:?}")))?;
                let _ = secrets::set("token", "s3cret");
                let _ = secrets::get("token");
                Ok(got.unwrap_or_else(|| "null".into()))
            }
            "now" => Ok(runtime::now_millis().to_string()),
            "remaining" => Ok(runtime::remaining_millis().to_string()),
            "log" => {
                runtime::log(runtime::Level::Info, arg);
                println!("stdout line");
                Ok("true".into())
            }
            "jira" | "jira-user" => {
                let principal = if op == "jira" {
                    jira::Principal::App
                } else {
                    jira::Principal::User
                };
                match jira::request_jira(&jira::Request {
                    principal,
                    method: "GET".into(),
                    path: arg.into(),
                    headers: vec![],
                    body: None,
                }) {
                    Ok(r) => Ok(format!(
                        "{{\"status\":{},\"body\":{}}}",
                        r.status,
                        q(&r.body)
                    )),
                    Err(e) => Err(err("jira", &format!("{e:?}"))),
                }
            }
            "egress" => match egress::fetch(&egress::Request {
                method: "GET".into(),
                url: arg.into(),
                headers: vec![],
                body: None,
            }) {
                Ok(r) => Ok(format!(
                    "{{\"status\":{},\"body\":{}}}",
                    r.status,
                    q(&r.body)
                )),
                Err(e) => Err(err("egress", &format!("{e:?}"))),
            },
            "queue" => match queue::push(arg, &["{\"n\":1}".to_string()], 0) {
                Ok(id) => Ok(q(&id)),
                Err(e) => Err(err("invalid", &format!("{e:?}"))),
            },
            "count" => Ok(count(arg).to_string()),
            "spin" => {
                let mut x: u64 = 0;
                loop {
                    x = std::hint::black_box(x.wrapping_add(1));
                    if x == u64::MAX {
                        return Ok("unreachable".into());
                    }
                }
            }
            "fail" => Err(err(arg, "asked to fail")),
            "not-json" => Err("plain text, not a JSON error".into()),
            // A trap (panic = "abort": the guest stops at `unreachable`).
            "trap" => panic!("asked to trap"),
            _ => Err(err("invalid", "unknown op")),
        }
    }
}

impl exports::aigis::forge::product_trigger::Guest for Guest {
    fn on_event(handler: String, event: String, context: String) -> Result<(), String> {
        if event.contains("\"fail\"") {
            return Err(err("internal", "asked to fail"));
        }
        let n = count(&format!("trigger:{handler}:"));
        storage::set(
            &format!("trigger:{handler}:{n}"),
            &format!("{{\"event\":{event},\"context\":{context}}}"),
            storage::SetOptions {
                fail_if_exists: false,
            },
        )
        .map_err(|e| err("internal", &format!("{e:?}")))
    }
}

impl exports::aigis::forge::scheduled_trigger::Guest for Guest {
    fn on_schedule(handler: String, event: String, _context: String) -> Result<String, String> {
        let n = count(&format!("sweep:{handler}:"));
        let now = runtime::now_millis();
        storage::set(
            &format!("sweep:{handler}:{n}"),
            &event,
            storage::SetOptions {
                fail_if_exists: false,
            },
        )
        .map_err(|e| err("internal", &format!("{e:?}")))?;
        Ok(format!(
            "{{\"handler\":{},\"now\":{now},\"run\":{n}}}",
            q(&handler)
        ))
    }
}

impl exports::aigis::forge::queue_consumer::Guest for Guest {
    fn on_message(handler: String, event: String, _context: String) -> Result<(), String> {
        let n = count(&format!("consumer:{handler}:"));
        storage::set(
            &format!("consumer:{handler}:{n}"),
            &event,
            storage::SetOptions {
                fail_if_exists: false,
            },
        )
        .map_err(|e| err("internal", &format!("{e:?}")))
    }
}

export!(Guest);
