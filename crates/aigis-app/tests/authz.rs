//! The authorization matrix (issue 13): every resolver in the route table
//! against every role of [`Role`] — admin, approver, requester, the one who
//! raised a request for someone else, a JSM portal customer, an unlicensed
//! portal user, a licensed stranger, and a context without a user.
//!
//! Each row of [`ROWS`] is one call (a resolver with one payload) and says
//! who may make it; everyone else is refused with the row's code, and a
//! refusal changes nothing (storage, Jira). An allowed call is checked for
//! WHAT it answers (`check`): only what that caller may see. No answer
//! carries a secret the site holds. A routed resolver without a row fails
//! `every_route_has_a_row`, naming the route to add.

mod authz_cast;
mod common;

use Role::*;
use authz_cast::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const ADMIN: &[Role] = &[Admin];
const APPROVERS: &[Role] = &[Admin, Approver];
const EVERYONE: &[Role] = &SIGNED_IN;

/// What an allowed call must answer, for the role that made it.
type Check = fn(&Cast, Role, &Value) -> Result<(), String>;

/// Where the call comes from (`context.extension`).
#[derive(Clone, Copy)]
enum From {
    Admin,
    Portal,
}

struct Row {
    key: &'static str,
    /// Which call of `key` this is, when a resolver has several rows.
    case: &'static str,
    payload: fn(&Cast) -> Value,
    from: From,
    /// Who may call; everyone else gets `refusal`.
    who: &'static [Role],
    refusal: &'static str,
    /// Whether an allowed call changes state (each runs on a fresh cast).
    write: bool,
    /// An allowed call answers this error instead (it passes the access check
    /// and then needs a provider the matrix has none of).
    allowed_error: Option<&'static str>,
    check: Check,
}

const fn row(key: &'static str, who: &'static [Role], check: Check) -> Row {
    Row {
        key,
        case: "",
        payload: |_| json!({}),
        from: From::Admin,
        who,
        refusal: "forbidden",
        write: false,
        allowed_error: None,
        check,
    }
}

impl Row {
    const fn case(mut self, case: &'static str, payload: fn(&Cast) -> Value) -> Row {
        self.case = case;
        self.payload = payload;
        self
    }
    const fn writes(mut self) -> Row {
        self.write = true;
        self
    }
    const fn hidden(mut self) -> Row {
        self.refusal = "not-found";
        self
    }
    const fn needs_provider(mut self) -> Row {
        self.allowed_error = Some("unavailable");
        self
    }
    /// An allowed call answers error `code` (it passes the access check and
    /// then finds nothing to act on in the matrix's site).
    const fn allowed_fails(mut self, code: &'static str) -> Row {
        self.allowed_error = Some(code);
        self
    }
    const fn in_portal(mut self) -> Row {
        self.from = From::Portal;
        self
    }
}

fn any(_: &Cast, _: Role, _: &Value) -> Result<(), String> {
    Ok(())
}

fn expect(ok: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(what()) }
}

/// The answer names `ids` (in list `list`, field `field`) and nothing else.
fn exactly(out: &Value, list: &str, field: &str, want: &[String]) -> Result<(), String> {
    let got: BTreeSet<String> = ids(out, list, field).into_iter().collect();
    let want: BTreeSet<String> = want.iter().cloned().collect();
    expect(got == want, || {
        format!("{list}: got {got:?}, want {want:?}")
    })
}

fn me(c: &Cast, role: Role) -> String {
    c.account(role).unwrap_or_default()
}

fn whoami(c: &Cast, role: Role, out: &Value) -> Result<(), String> {
    expect(out["accountId"] == me(c, role).as_str(), || {
        "another account".into()
    })?;
    expect(out["isAdmin"] == (role == Admin), || "isAdmin".into())?;
    expect(out["isApprover"] == APPROVERS.contains(&role), || {
        "isApprover".into()
    })
}

/// Only requestable tools: every one approved, the blocked one absent.
fn requestable(c: &Cast, _: Role, out: &Value) -> Result<(), String> {
    let tools = ids(out, "tools", "id");
    expect(tools.contains(&"claude".to_owned()), || {
        format!("claude missing: {tools:?}")
    })?;
    expect(!tools.iter().any(|t| t == c.blocked_tool), || {
        format!("the blocked tool is offered: {tools:?}")
    })?;
    let statuses = out["tools"].as_array().into_iter().flatten();
    expect(
        statuses
            .filter(|t| t.get("status").is_some())
            .all(|t| t["status"] == "approved"),
        || "a tool that is not approved".into(),
    )
}

fn every_tool(c: &Cast, _: Role, out: &Value) -> Result<(), String> {
    let tools = ids(out, "tools", "id");
    expect(tools.iter().any(|t| t == c.blocked_tool), || {
        format!("{tools:?}")
    })
}

fn portal_form(c: &Cast, role: Role, out: &Value) -> Result<(), String> {
    expect(out["governed"] == true, || format!("not governed: {out}"))?;
    requestable(c, role, out)
}

/// Exactly the caller's own requests.
fn own_requests(c: &Cast, role: Role, out: &Value) -> Result<(), String> {
    let me = me(c, role);
    let want: Vec<String> = c
        .stored("request", |r| r["requester"] == me.as_str())
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    if matches!(role, Requester | Customer | Unlicensed) {
        expect(!want.is_empty(), || {
            "the cast gives this role a request".into()
        })?;
    }
    exactly(out, "requests", "id", &want)
}

/// Exactly the caller's own grants.
fn own_grants(c: &Cast, role: Role, out: &Value) -> Result<(), String> {
    let me = me(c, role);
    let want: Vec<String> = c
        .stored("grant", |g| g["account"] == me.as_str())
        .iter()
        .map(|g| g["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    if matches!(role, Requester | Unlicensed) {
        expect(!want.is_empty(), || {
            "the cast gives this role a grant".into()
        })?;
    }
    exactly(out, "grants", "id", &want)
}

fn is_request(out: &Value, id: &str) -> Result<(), String> {
    expect(out["request"]["id"] == id, || {
        format!("another request: {}", out["request"]["id"])
    })
}

fn sam_request(c: &Cast, _: Role, out: &Value) -> Result<(), String> {
    is_request(out, &c.sam_request)
}

fn raised_request(c: &Cast, _: Role, out: &Value) -> Result<(), String> {
    is_request(out, &c.raised_request)
}

/// The issue panel: the request, and `can` only for a non-party approver.
fn panel(c: &Cast, role: Role, out: &Value, id: &str) -> Result<(), String> {
    is_request(out, id)?;
    let party = out["request"]["requester"] == me(c, role).as_str()
        || out["request"]["raisedBy"] == me(c, role).as_str();
    let may = APPROVERS.contains(&role) && !party;
    let pending = out["request"]["decision"] == "pending";
    let can = &out["can"];
    expect(
        can["approve"] == (may && pending) && can["deny"] == (may && pending),
        || format!("can: {can}"),
    )?;
    // Only a non-party approver may act on the grant either.
    let acts = ["extend", "revoke", "completeJob", "answerReview"];
    expect(may || acts.iter().all(|a| can[*a] == false), || {
        format!("can: {can}")
    })
}

fn sam_panel(c: &Cast, role: Role, out: &Value) -> Result<(), String> {
    panel(c, role, out, &c.sam_request)
}

fn raised_panel(c: &Cast, role: Role, out: &Value) -> Result<(), String> {
    panel(c, role, out, &c.raised_request)
}

/// The approval queue: pending requests the caller may decide, all of them.
fn queue(c: &Cast, role: Role, out: &Value) -> Result<(), String> {
    let me = me(c, role);
    let want: Vec<String> = c
        .stored("request", |r| {
            r["decision"] == "pending"
                && r["requester"] != me.as_str()
                && r["raisedBy"] != me.as_str()
        })
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    expect(
        want.contains(&c.sam_request) && want.contains(&c.cora_request),
        || format!("the queue holds Sam's and Cora's requests: {want:?}"),
    )?;
    exactly(out, "requests", "id", &want)
}

/// Manual jobs: only those the caller may complete (not a party to the grant).
fn manual_jobs(c: &Cast, role: Role, out: &Value) -> Result<(), String> {
    let me = me(c, role);
    let jobs = ids(out, "jobs", "id");
    expect(jobs.contains(&c.uma_job), || {
        format!("Uma's job missing: {jobs:?}")
    })?;
    for j in out["jobs"].as_array().into_iter().flatten() {
        let grant = c.w.grant(
            j["job"]["grant"]
                .as_str()
                .or(j["grant"].as_str())
                .unwrap_or_default(),
        );
        expect(
            grant["account"] != me.as_str() && grant["raisedBy"] != me.as_str(),
            || format!("a job of the caller's own grant: {j}"),
        )?;
    }
    Ok(())
}

/// Open reviews: Sam's, and none of the caller's own.
fn reviews(c: &Cast, role: Role, out: &Value) -> Result<(), String> {
    let me = me(c, role);
    let got = ids(out, "reviews", "grantId");
    expect(got.contains(&c.sam_grant), || {
        format!("Sam's review missing: {got:?}")
    })?;
    for r in out["reviews"].as_array().into_iter().flatten() {
        expect(r["account"] != me.as_str(), || {
            format!("the caller's own review: {r}")
        })?;
    }
    Ok(())
}

fn users(c: &Cast, _: Role, out: &Value) -> Result<(), String> {
    let got = ids(out, "users", "accountId");
    expect(got == [c.w.account("sam")], || format!("{got:?}"))
}

fn all_of(c: &Cast, out: &Value, list: &str, entity: &str) -> Result<(), String> {
    let got = ids(out, list, "id").len();
    let want = c.w.entities(entity).len();
    expect(got == want, || {
        format!("the admin table lists {got} of {want} {list}")
    })
}

fn all_requests(c: &Cast, _: Role, out: &Value) -> Result<(), String> {
    all_of(c, out, "requests", "request")
}

fn all_grants(c: &Cast, _: Role, out: &Value) -> Result<(), String> {
    all_of(c, out, "grants", "grant")
}

fn all_jobs(c: &Cast, _: Role, out: &Value) -> Result<(), String> {
    all_of(c, out, "jobs", "job")
}

fn decision_is(c: &Cast, want: &str) -> Result<(), String> {
    let r = c.stored("request", |r| r["id"] == c.sam_request.as_str());
    expect(r[0]["decision"] == want, || format!("not {want}: {}", r[0]))
}

fn approved(c: &Cast, _: Role, _: &Value) -> Result<(), String> {
    decision_is(c, "approved")
}

fn denied(c: &Cast, _: Role, _: &Value) -> Result<(), String> {
    decision_is(c, "denied")
}

fn extended(c: &Cast, _: Role, out: &Value) -> Result<(), String> {
    let before = c.w.grant(&c.sam_grant);
    expect(out["grant"]["expiresAt"] == before["expiresAt"], || {
        "stored as answered".into()
    })
}

fn revoked(c: &Cast, _: Role, _: &Value) -> Result<(), String> {
    expect(c.w.grant(&c.sam_grant)["status"] == "revoked", || {
        "still open".into()
    })
}

fn completed(c: &Cast, _: Role, _: &Value) -> Result<(), String> {
    expect(c.w.grant(&c.uma_grant)["status"] == "active", || {
        "not active".into()
    })
}

fn answered(c: &Cast, _: Role, _: &Value) -> Result<(), String> {
    expect(c.w.grant(&c.sam_grant)["reviewAnswer"] == "keep", || {
        "no answer".into()
    })
}

/// The rows: one per call, grouped as the README groups the resolvers.
const ROWS: &[Row] = &[
    // Everyone.
    row("whoami", EVERYONE, whoami),
    row("catalog.list", EVERYONE, requestable),
    row("catalog.list", ADMIN, every_tool).case("every status", |_| json!({"all": true})),
    row("portal.form", EVERYONE, portal_form).in_portal(),
    row("requests.mine", EVERYONE, own_requests),
    row("grants.mine", EVERYONE, own_grants),
    row("requests.get", &[Admin, Approver, Requester], sam_request)
        .case("Sam's own request", |c| json!({"requestId": c.sam_request}))
        .hidden(),
    row("requests.get", &[Admin, Approver, Raiser, Unlicensed], raised_request)
        .case("raised by Rita for Uma", |c| json!({"requestId": c.raised_request}))
        .hidden(),
    row("requests.byIssue", &[Admin, Approver, Requester], sam_panel)
        .case("Sam's own request", |c| json!({"issueKey": c.sam_request_key}))
        .hidden(),
    row("requests.byIssue", &[Admin, Approver, Raiser, Unlicensed], raised_panel)
        .case("raised by Rita for Uma", |c| json!({"issueKey": c.raised_request_key}))
        .hidden(),
    row("directory.users", EVERYONE, users)
        .case("Sam's name", |c| json!({"accountIds": [c.w.account("sam")]})),
    // Approvers.
    row("requests.pending", APPROVERS, queue),
    row("requests.approve", APPROVERS, approved)
        .case("Sam's request", |c| json!({"requestId": c.sam_request}))
        .writes(),
    row("requests.deny", APPROVERS, denied)
        .case("Sam's request", |c| json!({"requestId": c.sam_request, "rationale": "Not now"}))
        .writes(),
    row("requests.decide", APPROVERS, denied)
        .case("Sam's request", |c| {
            json!({"requestIds": [c.sam_request], "decision": "deny", "rationale": "Not now"})
        })
        .writes(),
    row("grants.extend", APPROVERS, extended)
        .case("Sam's grant", |c| json!({"grantId": c.sam_grant, "days": 5, "rationale": "Longer"}))
        .writes(),
    row("grants.revoke", APPROVERS, revoked)
        .case("Sam's grant", |c| json!({"grantId": c.sam_grant, "rationale": "Done"}))
        .writes(),
    row("jobs.manual", APPROVERS, manual_jobs),
    row("jobs.complete", APPROVERS, completed)
        .case("Uma's provisioning", |c| json!({"jobId": c.uma_job, "outcome": "fulfilled"}))
        .writes(),
    row("reviews.pending", APPROVERS, reviews),
    row("reviews.answer", APPROVERS, answered)
        .case("Sam's review", |c| {
            json!({"grantId": c.sam_grant, "answer": "keep", "rationale": "Still needed"})
        })
        .writes(),
    // Admins: tables, audit, pickers, configuration.
    row("requests.list", ADMIN, all_requests),
    row("grants.list", ADMIN, all_grants),
    row("jobs.list", ADMIN, all_jobs),
    row("insights", ADMIN, any),
    row("overview.forecast", ADMIN, any),
    row("readiness", ADMIN, any),
    row("audit.verify", ADMIN, |_, _, out| expect(out["intact"] == true, || format!("{out}"))),
    row("audit.search", ADMIN, any).case("grant events", |_| json!({"type": "grant.created", "limit": 5})),
    row("audit.export", ADMIN, any).writes(),
    row("audit.prove", ADMIN, any).case("event 1", |_| json!({"seq": 1})),
    row("audit.keys", ADMIN, any),
    row("audit.rotateKey", ADMIN, any).writes(),
    row("directory.searchUsers", ADMIN, any).case("approvers", |_| json!({"query": "approver"})),
    row("directory.groups", ADMIN, any).case("aigis groups", |_| json!({"query": "aigis"})),
    row("directory.roles", ADMIN, any).case("AIR", |c| json!({"projectKey": c.w.site.project_key})),
    row("directory.projects", ADMIN, any),
    row("directory.portals", ADMIN, any),
    row("directory.requestTypes", ADMIN, any)
        .case("the demo portal", |c| json!({"portalId": c.w.site.service_desk_id})),
    row("config.getIntake", ADMIN, any),
    row("config.setIntake", ADMIN, any)
        .case("a new SLA", |_| json!({"approvalSlaHours": 12}))
        .writes(),
    row("catalog.history", ADMIN, any).case("Claude", |_| json!({"id": "claude"})),
    row("catalog.builtins", ADMIN, any),
    row("catalog.add", ADMIN, any)
        .case("Mistral", |_| {
            json!({"id": "mistral", "name": "Mistral", "provider": "Mistral", "status": "approved", "risk": "medium"})
        })
        .writes(),
    row("catalog.update", ADMIN, any)
        .case("Claude's guidance", |_| json!({"id": "claude", "guidance": "Drafting only"}))
        .writes(),
    row("catalog.retire", ADMIN, any)
        .case("Gemini", |_| json!({"id": "gemini", "status": "blocked", "reason": "Ended"}))
        .writes(),
    row("catalog.seed", ADMIN, any).writes(),
    row("governance.get", ADMIN, any),
    row("governance.list", ADMIN, any),
    row("governance.set", ADMIN, any).case("a note", |_| json!({"note": "tighter"})).writes(),
    row("policies.list", ADMIN, any),
    row("policies.save", ADMIN, any)
        .case("a pilot", |c| {
            json!({"id": "p1", "projectKey": c.w.site.project_key, "toolId": "claude", "name": "Claude pilot", "autoApprove": true, "allowedGroups": ["ai-users"], "maxDurationDays": 10})
        })
        .writes(),
    row("policies.delete", ADMIN, |c, _, _| {
        expect(c.w.ok("ada", "policies.list", json!({}))["policies"] == json!([]), || "kept".into())
    })
    .case("the pilot policy", |_| json!({"id": "pilot"}))
    .writes(),
    // Connectors (admin only; credentials never in an answer: the SSWS token is a cast secret).
    row("connectors.list", ADMIN, |_, _, out| {
        expect(out["connectors"][0]["credentialSet"] == true, || format!("{out}"))
    }),
    row("connectors.get", ADMIN, any).case("okta", |_| json!({"id": "okta"})),
    row("connectors.create", ADMIN, any)
        .case("a second org", |_| {
            json!({"id": "okta2", "name": "Okta EU", "type": "okta-group",
            "orgUrl": "https://aigis-eu.okta-emea.com", "auth": "ssws", "credential": "00ssws-second-token-abcdef"})
        })
        .writes(),
    row("connectors.update", ADMIN, any)
        .case("rename", |_| json!({"id": "okta", "name": "Okta (prod)"}))
        .writes(),
    row("connectors.test", ADMIN, any).case("okta", |_| json!({"id": "okta"})).writes(),
    row("connectors.disable", ADMIN, any).case("okta", |_| json!({"id": "okta"})).writes(),
    row("connectors.enable", ADMIN, any).case("okta", |_| json!({"id": "okta"})).writes(),
    row("connectors.delete", ADMIN, any).case("okta", |_| json!({"id": "okta"})).writes(),
    row("connectors.unbind", ADMIN, any).case("claude (not bound)", |_| json!({"tool": "claude"})).writes(),
    row("connectors.bind", ADMIN, any)
        .case("claude to a group", |_| json!({"tool": "claude", "connector": "okta", "groupId": "00g1"}))
        .needs_provider(),
    row("connectors.drift", ADMIN, |_, _, out| {
        expect(out["tools"] == json!([]), || format!("{out}"))
    }),
    row("connectors.checkDrift", ADMIN, any)
        .case("claude (not bound)", |_| json!({"tool": "claude"}))
        .allowed_fails("not-found"),
    row("identities.list", ADMIN, any).case("okta", |_| json!({"connector": "okta"})),
    row("identities.set", ADMIN, any)
        .case("Sam", |c| json!({"connector": "okta", "account": c.account(Requester), "externalId": "00u-sam"}))
        .writes(),
    row("identities.remove", ADMIN, any)
        .case("Sam", |c| json!({"connector": "okta", "account": c.account(Requester)}))
        .writes(),
];

#[test]
fn every_route_has_a_row() {
    let keys = aigis_app::resolver_keys();
    let missing: Vec<_> = keys
        .iter()
        .filter(|k| !ROWS.iter().any(|r| r.key == **k))
        .map(|k| {
            format!("route {k} has no row in the authorization matrix: add `row(\"{k}\", <who may call>, <what they see>)` to ROWS in crates/aigis-app/tests/authz.rs")
        })
        .collect();
    assert!(missing.is_empty(), "{missing:#?}");
    for r in ROWS {
        assert!(
            keys.contains(&r.key),
            "{} has a row but is not routed",
            r.key
        );
    }
}

fn label(r: &Row, role: Role) -> String {
    if r.case.is_empty() {
        format!("{} × {role:?}", r.key)
    } else {
        format!("{} ({}) × {role:?}", r.key, r.case)
    }
}

/// Runs one cell; `None` when it holds, else what went wrong.
fn cell(c: &Cast, r: &Row, role: Role, secrets: &[String]) -> Option<String> {
    let allowed = r.who.contains(&role);
    let account = c.account(role);
    let ext = match r.from {
        From::Portal => Some(c.w.portal_ext()),
        From::Admin => None,
    };
    let before = c.state();
    let jira_before = c.jira_writes();
    let out = c.call(account.as_deref(), r.key, &(r.payload)(c), ext);
    let want = if role == Anonymous {
        "unauthenticated"
    } else {
        r.refusal
    };
    match (allowed && role != Anonymous, out) {
        (true, Ok(v)) => {
            let text = v.to_string();
            if secrets.iter().any(|s| text.contains(s.as_str())) {
                return Some("allowed, but the answer carries a secret".into());
            }
            (r.check)(c, role, &v)
                .err()
                .map(|e| format!("allowed, but {e}"))
        }
        (true, Err(e)) if r.allowed_error.is_some_and(|c| e.code == c) => None,
        (true, Err(e)) => Some(format!("expected allowed, got {} ({})", e.code, e.message)),
        (false, Ok(v)) => Some(format!("expected {want}, got an answer: {v}")),
        (false, Err(e)) if e.code != want => {
            Some(format!("expected {want}, got {} ({})", e.code, e.message))
        }
        (false, Err(e)) => {
            let changed = diff(&before, &c.state());
            if !changed.is_empty() {
                return Some(format!("refused ({}) but stored: {changed}", e.code));
            }
            if c.jira_writes() != jira_before {
                return Some(format!("refused ({}) but wrote to Jira", e.code));
            }
            if e.message.contains(&me(c, Role::Admin)) && role != Admin {
                return Some("the refusal names another account".into());
            }
            None
        }
    }
}

#[test]
fn every_cell_of_the_matrix_holds() {
    let mut roles = SIGNED_IN.to_vec();
    roles.push(Anonymous);
    // One cast per role for reads and refusals; a fresh one per allowed write.
    let mut failures = Vec::new();
    let mut cells = 0;
    for role in roles {
        let shared = Cast::new();
        let secrets = shared.secrets();
        for r in ROWS {
            cells += 1;
            let fresh;
            let c = if r.write && r.who.contains(&role) {
                fresh = Cast::new();
                &fresh
            } else {
                &shared
            };
            if let Some(why) = cell(c, r, role, &secrets) {
                failures.push(format!("{}: {why}", label(r, role)));
            }
        }
    }
    let routes: BTreeSet<_> = ROWS.iter().map(|r| r.key).collect();
    eprintln!(
        "authorization matrix: {} routes, {} rows × 8 roles = {cells} cells",
        routes.len(),
        ROWS.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {cells} cells fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
