//! The resolvers the Forge UI modules call (issue 10): `portal.form`,
//! `requests.byIssue`, `directory.*`, the enriched `jobs.manual` and
//! `overview.forecast`, each with who may call it and what they see:
//! admin, approver, requester, raiser, JSM customer, unlicensed user,
//! stranger and anonymous.

mod common;

use aigis_core::ErrorCode;
use common::{DAY, T0, World};
use serde_json::{Value, json};

/// Intake gated to the demo portal and request type, approvers by group,
/// an approved tool with fulfilment notes and a blocked one.
fn portal_site() -> World {
    let w = World::new();
    w.ok(
        "ada",
        "config.setIntake",
        json!({"projectKey": w.site.project_key, "serviceDeskId": w.site.service_desk_id,
            "requestTypeIds": [w.site.request_type_id], "approverGroups": ["aigis-approvers"],
            "approvalSlaHours": 24}),
    );
    w.ok(
        "ada",
        "catalog.add",
        json!({"id": "claude", "name": "Claude", "provider": "Anthropic",
        "status": "approved", "risk": "high", "maxDurationDays": 30, "guidance": "No customer data",
        "fulfilmentNotes": "Add to the Claude workspace"}),
    );
    w.ok(
        "ada",
        "catalog.add",
        json!({"id": "chatgpt", "name": "ChatGPT", "provider": "OpenAI",
        "status": "approved", "risk": "low", "maxDurationDays": 180}),
    );
    w.ok(
        "ada",
        "catalog.add",
        json!({"id": "shady", "name": "Shady AI", "provider": "?",
        "status": "blocked", "risk": "critical"}),
    );
    w
}

fn code(r: Result<Value, aigis_app::AppError>) -> ErrorCode {
    r.expect_err("an error").code
}

#[test]
fn anonymous_callers_are_refused_by_every_module_resolver() {
    let w = portal_site();
    for key in [
        "portal.form",
        "requests.byIssue",
        "directory.users",
        "directory.searchUsers",
        "overview.forecast",
        "jobs.manual",
    ] {
        let e = w.invoke_ctx(None, key, "{}").expect_err("anonymous");
        assert_eq!(e.code, ErrorCode::Unauthenticated, "{key}");
        assert_eq!(e.status(), 401, "{key}");
    }
}

#[test]
fn a_malformed_extension_is_refused_naming_its_field() {
    let w = portal_site();
    let e = w
        .invoke_ext(
            "cora",
            "portal.form",
            json!({}),
            json!({"portal": {"id": "one"}}),
        )
        .expect_err("bad extension");
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Invalid, Some("extension.portal.id"))
    );
    let e = w
        .invoke_ext("cora", "portal.form", json!({}), json!(["x"]))
        .expect_err("bad extension");
    assert_eq!(e.field.as_deref(), Some("extension"));
}

#[test]
fn portal_form_shows_the_requestable_catalog_to_customers_and_unlicensed_users() {
    let w = portal_site();
    for who in ["cora", "uma", "rita", "ada"] {
        let f = w
            .invoke_ext(who, "portal.form", json!({}), w.portal_ext())
            .expect(who);
        assert_eq!(f["governed"], true, "{who}: {f}");
        let tools: Vec<&str> = f["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect();
        // By name; the blocked tool is not requestable.
        assert_eq!(tools, vec!["chatgpt", "claude"], "{who}");
        let claude = &f["tools"][1];
        assert_eq!(claude["guidance"], "No customer data");
        assert_eq!(
            (
                claude["maxDurationDays"].as_u64(),
                claude["riskMaxDays"].as_u64()
            ),
            (Some(30), Some(30))
        );
        // Only what the form needs: no fulfilment notes, no catalog internals.
        assert!(claude.get("fulfilmentNotes").is_none() && claude.get("status").is_none());
        assert_eq!(f["duration"], json!({"min": 1, "max": 180}));
        assert_eq!(f["purpose"], json!({"minChars": 10, "maxChars": 2000}));
        assert_eq!(f["propertyKey"], "aigis.snapshot.v1");
        assert_eq!(f["newToolAllowed"], false);
    }
    // Unknown tools under security review: "request a new tool" is offered.
    w.ok(
        "ada",
        "governance.set",
        json!({"unknownTools": "securityReview"}),
    );
    let f = w
        .invoke_ext("cora", "portal.form", json!({}), w.portal_ext())
        .unwrap();
    assert_eq!(
        (
            f["newToolAllowed"].as_bool(),
            f["governanceVersion"].as_u64()
        ),
        (Some(true), Some(1))
    );
}

#[test]
fn portal_form_outside_the_configured_request_types_shows_only_a_note() {
    let w = portal_site();
    let other_type = json!({"type": "jiraServiceManagement:portalRequestCreatePropertyPanel",
        "portal": {"id": w.site.portal_id}, "request": {"typeId": "999"}});
    let other_portal = json!({"portal": {"id": 77}, "request": {"typeId": w.site.request_type_id}});
    for ext in [other_type, other_portal, json!({"type": "jira:globalPage"})] {
        let f = w
            .invoke_ext("cora", "portal.form", json!({}), ext.clone())
            .unwrap();
        assert_eq!(f["governed"], false, "{ext}");
        assert_eq!(f["tools"], json!([]), "{ext}");
        assert!(f["note"].as_str().is_some_and(|n| !n.is_empty()), "{ext}");
    }
    // The payload cannot pick another portal: the form takes no arguments.
    let e = w
        .invoke_ext(
            "cora",
            "portal.form",
            json!({"portalId": "1"}),
            w.portal_ext(),
        )
        .expect_err("no arguments");
    assert_eq!(e.field.as_deref(), Some("portalId"));
    // Not set up yet: a note, for anyone.
    let fresh = World::new();
    let f = fresh
        .invoke_ext("cora", "portal.form", json!({}), fresh.portal_ext())
        .unwrap();
    assert_eq!(f["governed"], false);
}

/// Cora files, Bea (an agent) raises one for Rita; both ingested.
fn two_requests(w: &World) -> ((String, String), (String, String)) {
    let cora = w.jsm_request("cora", World::snapshot("claude", 14), None);
    let for_rita = w.jsm_request("bea", World::snapshot("chatgpt", 30), Some("rita"));
    w.pump();
    (cora, for_rita)
}

fn by_issue(w: &World, who: &str, key: &str) -> Result<Value, aigis_app::AppError> {
    w.invoke_ext(
        who,
        "requests.byIssue",
        json!({"issueKey": key}),
        json!({"type": "jira:issuePanel", "issue": {"key": key}}),
    )
}

#[test]
fn requests_by_issue_is_seen_by_admins_approvers_and_parties_only() {
    let w = portal_site();
    let ((cora_id, cora_key), (_, rita_key)) = two_requests(&w);
    let stranger = w.stranger();

    // The customer sees their own request, and may act on nothing.
    let own = by_issue(&w, "cora", &cora_key).unwrap();
    assert_eq!(own["request"]["id"], cora_id.as_str());
    assert_eq!(own["request"]["requester"], w.account("cora").as_str());
    assert_eq!(own["decision"]["decision"], "pending");
    assert!(
        own["can"].as_object().unwrap().values().all(|v| v == false),
        "{}",
        own["can"]
    );
    assert!(!own["trail"].as_array().unwrap().is_empty());

    // Not their own: not found, exactly as for an issue without a request.
    for (who, key) in [("cora", &rita_key), ("uma", &cora_key), ("sam", &cora_key)] {
        assert_eq!(
            code(by_issue(&w, who, key)),
            ErrorCode::NotFound,
            "{who} {key}"
        );
    }
    let e = w
        .invoke_ctx(
            Some(&stranger),
            "requests.byIssue",
            &json!({"issueKey": cora_key}).to_string(),
        )
        .expect_err("stranger");
    assert_eq!(e.code, ErrorCode::NotFound);
    assert_eq!(code(by_issue(&w, "ada", "AIR-999")), ErrorCode::NotFound);
    assert_eq!(code(by_issue(&w, "ada", "air-1")), ErrorCode::Invalid);

    // The requester and the agent who raised it are parties: they see it, act on nothing.
    for who in ["rita", "bea"] {
        let v = by_issue(&w, who, &rita_key).unwrap();
        assert_eq!(v["request"]["issueKey"], rita_key.as_str(), "{who}");
        assert_eq!(v["can"]["approve"], false, "{who}");
    }
    // An approver who is no party may decide; an admin too.
    for who in ["arlo", "ada"] {
        let v = by_issue(&w, who, &cora_key).unwrap();
        assert_eq!(
            (v["can"]["approve"].as_bool(), v["can"]["deny"].as_bool()),
            (Some(true), Some(true)),
            "{who}"
        );
        assert_eq!(v["can"]["revoke"], false, "{who}: no grant yet");
    }
}

#[test]
fn requests_by_issue_carries_decision_grant_jobs_and_a_proven_trail() {
    let w = portal_site();
    let ((cora_id, cora_key), _) = two_requests(&w);
    w.ok("arlo", "requests.approve", json!({"requestId": cora_id}));
    w.sweep();
    let v = by_issue(&w, "arlo", &cora_key).unwrap();
    assert_eq!(v["decision"]["decision"], "approved");
    assert_eq!(v["decision"]["by"], w.account("arlo").as_str());
    assert_eq!(v["decision"]["source"], "manual");
    assert_eq!(v["decision"]["governanceVersion"], 0);
    assert_eq!(v["grant"]["grant"]["status"], "pendingProvision");
    assert_eq!(v["jobs"][0]["status"], "manualPending");
    let can = &v["can"];
    assert_eq!(
        (
            can["approve"].as_bool(),
            can["revoke"].as_bool(),
            can["extend"].as_bool(),
            can["completeJob"].as_bool()
        ),
        (Some(false), Some(true), Some(true), Some(true))
    );
    // The trail: request, grant and job events, oldest first, each proven.
    let trail = v["trail"].as_array().unwrap();
    let actions: Vec<&str> = trail
        .iter()
        .map(|t| t["event"]["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"request.approved") && actions.iter().any(|a| a.starts_with("job.")),
        "{actions:?}"
    );
    let seqs: Vec<u64> = trail
        .iter()
        .map(|t| t["event"]["seq"].as_u64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|s| s[0] < s[1]), "{seqs:?}");
    for t in trail {
        assert_eq!(t["proof"]["seq"], t["event"]["seq"]);
        assert_eq!(t["proof"]["leafHash"], t["event"]["entryHash"]);
        assert!(
            t["proof"]["checkpoint"]
                .as_str()
                .is_some_and(|c| !c.is_empty())
        );
    }
    // Fulfilled: the customer sees the grant with its label, on the portal detail panel.
    let job = v["jobs"][0]["id"].as_str().unwrap();
    w.ok(
        "arlo",
        "jobs.complete",
        json!({"jobId": job, "outcome": "fulfilled"}),
    );
    let detail = w
        .invoke_ext(
            "cora",
            "requests.byIssue",
            json!({"issueKey": cora_key}),
            json!({"type": "jiraServiceManagement:portalRequestDetailPanel", "portal": {"id": 1},
                "request": {"key": cora_key, "typeId": w.site.request_type_id}}),
        )
        .unwrap();
    assert_eq!(detail["grant"]["grant"]["status"], "active");
    assert_eq!(detail["grant"]["expiryLabel"], "14 days remaining");
    // The holder may not act on their own grant.
    assert!(
        detail["can"]
            .as_object()
            .unwrap()
            .values()
            .all(|v| v == false)
    );
}

#[test]
fn directory_users_names_accounts_in_bulk_and_unknown_ones_as_unknown() {
    let w = portal_site();
    let (cora, arlo) = (w.account("cora"), w.account("arlo"));
    w.jira_calls.borrow_mut().clear();
    let v = w
        .invoke_ext(
            "cora",
            "directory.users",
            json!({"accountIds": [cora, arlo, "nobody-1", arlo]}),
            json!({}),
        )
        .unwrap();
    let users = v["users"].as_array().unwrap();
    assert_eq!(users.len(), 3, "each once: {v}");
    assert_eq!(
        (
            users[0]["displayName"].as_str(),
            users[0]["accountType"].as_str()
        ),
        (Some("Cora Customer"), Some("customer"))
    );
    assert_eq!(users[1]["displayName"], "Arlo Approver");
    assert_eq!(
        (users[2]["accountId"].as_str(), users[2]["known"].as_bool()),
        (Some("nobody-1"), Some(false))
    );
    let bulk = w
        .jira_calls
        .borrow()
        .iter()
        .filter(|c| c.1.starts_with("/rest/api/3/user/bulk"))
        .count();
    assert_eq!(bulk, 1, "one bulk call for every name");
    let many: Vec<String> = (0..101).map(|i| format!("acc-{i}")).collect();
    for ids in [json!([]), json!(many)] {
        let e = w
            .invoke_ext(
                "ada",
                "directory.users",
                json!({"accountIds": ids}),
                json!({}),
            )
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("accountIds"));
    }
    let e = w
        .invoke_ext(
            "ada",
            "directory.users",
            json!({"accountIds": ["a b"]}),
            json!({}),
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("accountIds[0]"));
}

#[test]
fn admin_pickers_answer_admins_only() {
    let w = portal_site();
    let users = w.ok("ada", "directory.searchUsers", json!({"query": "approver"}));
    let names: Vec<&str> = users["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Arlo Approver", "Bea Approver"]);
    let groups = w.ok("ada", "directory.groups", json!({"query": "aigis"}));
    assert_eq!(groups["groups"][0]["name"], "aigis-approvers");
    assert!(
        groups["groups"][0]["groupId"]
            .as_str()
            .is_some_and(|g| !g.is_empty())
    );
    let roles = w.ok("ada", "directory.roles", json!({"projectKey": "AIR"}));
    assert!(
        roles["roles"].as_array().unwrap().iter().any(
            |r| r["name"] == "Service Desk Team" && r["id"] == w.site.approver_role_id.as_str()
        ),
        "{roles}"
    );
    let projects = w.ok("ada", "directory.projects", json!({}));
    let keys: Vec<&str> = projects["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&"AIR") && keys.contains(&"OPS"), "{keys:?}");
    let portals = w.ok("ada", "directory.portals", json!({}));
    assert_eq!(portals["portals"][0]["projectKey"], "AIR");
    let types = w.ok(
        "ada",
        "directory.requestTypes",
        json!({"portalId": w.site.service_desk_id}),
    );
    assert_eq!(types["requestTypes"][0]["name"], "AI tool access");
    assert_eq!(
        types["requestTypes"][0]["id"],
        w.site.request_type_id.as_str()
    );
    assert_eq!(
        w.err("ada", "directory.requestTypes", json!({"portalId": "999"}))
            .code,
        ErrorCode::NotFound
    );
    assert_eq!(
        w.err("ada", "directory.roles", json!({"projectKey": "NOPE"}))
            .code,
        ErrorCode::NotFound
    );
    assert_eq!(
        w.err("ada", "directory.searchUsers", json!({"query": ""}))
            .field
            .as_deref(),
        Some("query")
    );
    assert_eq!(
        w.err("ada", "directory.groups", json!({"query": "x".repeat(101)}))
            .field
            .as_deref(),
        Some("query")
    );
    for who in ["arlo", "rita", "cora", "uma"] {
        for (key, payload) in [
            ("directory.searchUsers", json!({"query": "a"})),
            ("directory.groups", json!({"query": ""})),
            ("directory.roles", json!({"projectKey": "AIR"})),
            ("directory.projects", json!({})),
            ("directory.portals", json!({})),
            ("directory.requestTypes", json!({"portalId": "1"})),
            ("overview.forecast", json!({})),
        ] {
            assert_eq!(
                w.err(who, key, payload).code,
                ErrorCode::Forbidden,
                "{who} {key}"
            );
        }
    }
}

#[test]
fn manual_jobs_say_who_what_where_and_how() {
    let w = portal_site();
    let (issue, key) = w.jsm_request("cora", World::snapshot("claude", 14), None);
    w.pump();
    w.ok("arlo", "requests.approve", json!({"requestId": issue}));
    w.sweep();
    let jobs = w.ok("bea", "jobs.manual", json!({}));
    let j = &jobs["jobs"][0];
    assert_eq!(j["person"], w.account("cora").as_str());
    assert_eq!(
        (j["toolId"].as_str(), j["toolName"].as_str()),
        (Some("claude"), Some("Claude"))
    );
    assert_eq!(j["issueKey"], key.as_str());
    assert_eq!(j["fulfilmentNotes"], "Add to the Claude workspace");
    assert_eq!(j["kind"], "provision");
    for who in ["rita", "cora", "uma"] {
        assert_eq!(
            w.err(who, "jobs.manual", json!({})).code,
            ErrorCode::Forbidden,
            "{who}"
        );
    }
}

#[test]
fn the_forecast_counts_what_the_sweeps_will_do() {
    let w = portal_site();
    let (old, _) = w.jsm_request("cora", World::snapshot("claude", 14), None);
    w.pump();
    w.set_now(T0 + DAY / 2);
    let (_, fresh_key) = w.jsm_request("uma", World::snapshot("chatgpt", 10), None);
    w.pump();
    w.ok("arlo", "requests.approve", json!({"requestId": old}));
    w.sweep();
    let job = w.ok("arlo", "jobs.manual", json!({}))["jobs"][0]["id"].clone();
    w.ok(
        "arlo",
        "jobs.complete",
        json!({"jobId": job, "outcome": "fulfilled"}),
    );
    let f = w.ok("ada", "overview.forecast", json!({}));
    let ids = |h: &Value, k: &str| -> Vec<String> {
        h[k].as_array()
            .unwrap()
            .iter()
            .map(|d| d["issueKey"].as_str().unwrap().to_owned())
            .collect()
    };
    let (d7, d30) = (&f["horizons"][0], &f["horizons"][1]);
    assert_eq!(
        (d7["days"].as_u64(), d30["days"].as_u64()),
        (Some(7), Some(30))
    );
    // The 14-day grant expires within 30 days, not 7; its review (14-day
    // window) is due now; the pending request breaches its 24 h SLA tomorrow.
    assert!(ids(d7, "expiring").is_empty());
    assert_eq!(ids(d30, "expiring").len(), 1);
    assert_eq!(ids(d7, "needsReview"), ids(d30, "expiring"));
    assert_eq!(ids(d7, "slaBreaches"), vec![fresh_key.clone()]);
    assert_eq!(
        d7["slaBreaches"][0]["at"].as_i64(),
        Some(T0 + DAY / 2 + DAY)
    );
    assert!(f["breached"].as_array().unwrap().is_empty());
    // Two days on, the escalation sweep's rule calls it breached.
    w.set_now(T0 + 3 * DAY);
    let f = w.ok("ada", "overview.forecast", json!({}));
    assert_eq!(f["breached"][0]["issueKey"], fresh_key.as_str());
}
