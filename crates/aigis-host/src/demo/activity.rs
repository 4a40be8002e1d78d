//! `aigis up --demo-activity`: a demo site with a history, so every screen
//! has something to show. Everything goes through the app's real paths, on
//! the virtual clock: the virtual clock is set back six weeks, requests are
//! filed on the JSM portal (the simulator's `POST /rest/servicedeskapi/request`
//! with the snapshot property the portal create panel submits) and ingested
//! by the issue-created trigger (`Host::pump`), decided through the
//! resolvers as the demo approvers, fulfilled from the manual tasks, and the
//! scheduled sweeps run as the clock moves forward to the real now.
//!
//! What the site has afterwards: an expired grant (and the manual
//! deprovisioning task its expiry queued), an active grant expiring within
//! the review window (with its open review), a longer active grant, a denied
//! request, an approved request whose provisioning task waits, two pending
//! requests, the audit trail of all of it, and the analytics roll-up.
//!
//! Runs once per state directory: a site that already has requests is left
//! as it is.

use crate::{DemoSite, DemoUser, Host, HostError};
use serde_json::{Value, json};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// What was made, for the startup log.
#[derive(Debug, Default)]
pub struct Activity {
    pub filed: u32,
    pub approved: u32,
    pub denied: u32,
    pub fulfilled: u32,
}

impl std::fmt::Display for Activity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} requests filed on the portal, {} approved, {} denied, {} provisioning tasks completed",
            self.filed, self.approved, self.denied, self.fulfilled
        )
    }
}

/// One step of the history: on day `day` (relative to now), `who` files a
/// request for `tool` for `days`, and what happens to it.
struct Step {
    day: i64,
    who: &'static str,
    tool: &'static str,
    days: u32,
    purpose: &'static str,
    then: Then,
}

enum Then {
    /// Left waiting for a decision.
    Pending,
    /// Denied by the approver, with this rationale.
    Deny(&'static str),
    /// Approved; the provisioning task is left for a person to do.
    Approve,
    /// Approved and the provisioning task completed with this note.
    Fulfil(&'static str),
}

const HISTORY: &[Step] = &[
    Step {
        day: -42,
        who: "rita@",
        tool: "github-copilot",
        days: 30,
        purpose: "Pair programming on the billing service migration.",
        then: Then::Fulfil("Seat assigned in the company GitHub organisation."),
    },
    Step {
        day: -22,
        who: "sam@",
        tool: "chatgpt-enterprise",
        days: 26,
        purpose: "Drafting the support knowledge base articles.",
        then: Then::Fulfil("Invited to the company ChatGPT workspace."),
    },
    Step {
        day: -10,
        who: "rita@",
        tool: "claude",
        days: 30,
        purpose: "Reviewing design documents and code for the platform team.",
        then: Then::Fulfil("Added to the company Claude organisation."),
    },
    Step {
        day: -6,
        who: "sam@",
        tool: "gemini",
        days: 60,
        purpose: "Summarising sales call notes in Google Docs.",
        then: Then::Deny(
            "Sales notes hold customer personal data; use the CRM's summaries instead.",
        ),
    },
    Step {
        day: -2,
        who: "rita@",
        tool: "chatgpt-enterprise",
        days: 30,
        purpose: "Writing release notes for the mobile app.",
        then: Then::Approve,
    },
    Step {
        day: -1,
        who: "sam@",
        tool: "github-copilot",
        days: 14,
        purpose: "Writing tests for the reporting service.",
        then: Then::Pending,
    },
    Step {
        day: 0,
        who: "rita@",
        tool: "gemini",
        days: 30,
        purpose: "Drafting the quarterly planning slides.",
        then: Then::Pending,
    },
];

/// The sweeps run at each step of the clock, as the scheduler would.
const SWEEPS: &[&str] = &[
    "job-runner-hourly",
    "escalation-hourly",
    "recertification-daily",
    "analytics-daily",
];

struct Seeder<'a> {
    host: &'a Host,
    site: &'a DemoSite,
}

impl Seeder<'_> {
    fn user(&self, email_prefix: &str) -> Result<&DemoUser, HostError> {
        self.site
            .users
            .iter()
            .find(|u| u.email.starts_with(email_prefix))
            .ok_or_else(|| HostError::UnknownUser(format!("no demo user {email_prefix}…")))
    }

    fn call(&self, key: &str, payload: Value, as_user: &DemoUser) -> Result<Value, HostError> {
        self.call_in(key, payload, as_user, None)
    }

    fn call_in(
        &self,
        key: &str,
        payload: Value,
        as_user: &DemoUser,
        extension: Option<&Value>,
    ) -> Result<Value, HostError> {
        let out =
            self.host
                .invoke_resolver_in(key, &payload, &as_user.account_id, None, extension)?;
        out.result.map_err(|e| HostError::Failed {
            function: key.to_owned(),
            error: e.to_string(),
        })
    }

    fn failed(what: &str, error: impl std::fmt::Display) -> HostError {
        HostError::Failed {
            function: format!("demo activity: {what}"),
            error: error.to_string(),
        }
    }

    /// The portal create panel's extension context on the demo portal.
    fn extension(&self) -> Value {
        json!({
            "type": "jiraServiceManagement:portalRequestCreatePropertyPanel",
            "portal": { "id": self.site.portal_id.parse::<i64>().unwrap_or_default() },
            "request": { "typeId": self.site.request_type_id.parse::<i64>().unwrap_or_default() },
        })
    }

    /// Files a request on the portal as `user`, as the shell does once the
    /// create panel submitted its snapshot; returns the issue key.
    fn file(&self, user: &DemoUser, step: &Step, property_key: &str) -> Result<String, HostError> {
        let body = json!({
            "serviceDeskId": self.site.service_desk_id,
            "requestTypeId": self.site.request_type_id,
            "requestFieldValues": { "summary": format!("Access to {} for {} days", step.tool, step.days) },
            "properties": [{
                "key": property_key,
                "value": { "toolId": step.tool, "purpose": step.purpose, "durationDays": step.days },
            }],
        })
        .to_string();
        let resp = self.host.sim().handle_as(
            Some(&user.account_id),
            "POST",
            "/rest/servicedeskapi/request",
            &[],
            Some(&body),
        );
        let answer: Value = serde_json::from_str(&resp.body).unwrap_or(Value::Null);
        if resp.status != 201 {
            return Err(Self::failed("filing a portal request", answer));
        }
        let key = answer["issueKey"]
            .as_str()
            .ok_or_else(|| Self::failed("filing a portal request", "no issueKey in the answer"))?
            .to_owned();
        // The issue-created trigger ingests it (the snapshot property).
        self.host.pump()?;
        Ok(key)
    }

    fn sweeps(&self) -> Result<(), HostError> {
        for s in SWEEPS {
            self.host.run_scheduled(s, None)?;
        }
        self.host.pump()?;
        Ok(())
    }

    /// The manual jobs of `issue_key`'s request that wait for a person.
    fn manual_jobs(&self, issue_key: &str, approver: &DemoUser) -> Result<Vec<Value>, HostError> {
        let ir = self.call(
            "requests.byIssue",
            json!({ "issueKey": issue_key }),
            approver,
        )?;
        Ok(ir["jobs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|j| j["status"] == "manualPending")
            .cloned()
            .collect())
    }
}

/// Gives the demo site its history (see the module notes).
pub fn seed_activity(host: &Host, site: &DemoSite) -> Result<Activity, HostError> {
    let s = Seeder { host, site };
    let admin = s.user("ada@")?;
    let arlo = s.user("arlo@")?;
    let bea = s.user("bea@")?;
    let mut made = Activity::default();
    let existing = s.call("requests.list", json!({}), admin)?;
    if existing["requests"]
        .as_array()
        .is_some_and(|r| !r.is_empty())
    {
        return Ok(made);
    }
    let form = s.call_in(
        "portal.form",
        json!({}),
        s.user("rita@")?,
        Some(&s.extension()),
    )?;
    let property_key = form["propertyKey"]
        .as_str()
        .ok_or_else(|| Seeder::failed("portal.form", "no propertyKey"))?
        .to_owned();

    let now = host.clock().now_millis();
    let set_day = |day: i64| -> Result<(), HostError> {
        host.clock()
            .set(now + day * DAY_MS)
            .map_err(|e| Seeder::failed("moving the virtual clock", e))?;
        host.sync_sim_clock();
        Ok(())
    };
    let mut last_day = HISTORY.first().map_or(0, |st| st.day);
    set_day(last_day)?;
    for step in HISTORY {
        // The days in between pass day by day, each with its sweeps.
        while last_day < step.day {
            last_day += 1;
            set_day(last_day)?;
            s.sweeps()?;
        }
        let requester = s.user(step.who)?;
        let issue_key = s.file(requester, step, &property_key)?;
        made.filed += 1;
        let ir = s.call("requests.byIssue", json!({ "issueKey": issue_key }), arlo)?;
        let request_id = ir["request"]["id"]
            .as_str()
            .ok_or_else(|| Seeder::failed("ingestion", format!("{issue_key} was not ingested")))?
            .to_owned();
        let approver = if made.filed % 2 == 0 { bea } else { arlo };
        match step.then {
            Then::Pending => {}
            Then::Deny(why) => {
                s.call(
                    "requests.deny",
                    json!({ "requestId": request_id, "rationale": why }),
                    approver,
                )?;
                made.denied += 1;
            }
            Then::Approve | Then::Fulfil(_) => {
                s.call(
                    "requests.approve",
                    json!({ "requestId": request_id, "rationale": "Fits the purpose; within the tool's guidance." }),
                    approver,
                )?;
                made.approved += 1;
                // The job runner queues the provisioning task for a person.
                host.run_scheduled("job-runner-hourly", None)?;
                if let Then::Fulfil(note) = step.then {
                    for job in s.manual_jobs(&issue_key, approver)? {
                        s.call(
                            "jobs.complete",
                            json!({ "jobId": job["id"], "outcome": "fulfilled", "note": note }),
                            approver,
                        )?;
                        made.fulfilled += 1;
                    }
                }
            }
        }
    }
    // Back to the now it started at: the clock runs on from here.
    set_day(0)?;
    s.sweeps()?;
    Ok(made)
}
