//! Governance (admin): versioned rules and auto-approval policies.
//!
//! Versions live in entity `governance` keyed by the zero-padded version
//! number; `config:governance` points at the version in force. Version 0 is
//! the built-in default and is never stored. Every change — rules or
//! policies — writes the next version; old versions stay readable.

use crate::access::Caller;
use crate::error::{AppError, parse_payload};
use crate::repo::{self, Change, GOVERNANCE};
use aigis_core::audit::NewEvent;
use aigis_core::governance::{Governance, GovernancePatch, Policy};
use aigis_platform::Platform;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

const CURRENT: &str = "config:governance";
/// Most policies one governance version holds.
const MAX_POLICIES: usize = 100;

#[derive(Serialize, Deserialize)]
struct Pointer {
    version: u32,
}

pub fn version_key(v: u32) -> String {
    format!("{v:08}")
}

/// The governance in force (the built-in default until an admin saves one).
pub fn current(p: &Platform) -> Result<Governance, AppError> {
    let Some(ptr) = repo::get_kv::<Pointer>(p, CURRENT)? else {
        return Ok(Governance::default());
    };
    repo::get(p, GOVERNANCE, &version_key(ptr.version))?
        .ok_or_else(|| AppError::internal(format!("governance version {} is missing", ptr.version)))
}

/// Whether an admin has saved any governance yet.
pub fn is_configured(p: &Platform) -> Result<bool, AppError> {
    Ok(repo::get_kv::<Pointer>(p, CURRENT)?.is_some())
}

/// Commits `next` (built from the current version by `make`) as the new
/// current version, with one audit event.
fn save(
    p: &Platform,
    caller: &Caller,
    action: &str,
    detail: Value,
    make: impl Fn(&Governance) -> Result<Governance, AppError>,
) -> Result<Governance, AppError> {
    let done = repo::commit(p, |_| {
        let mut c = Change::new();
        let cur = current(p)?;
        let next = make(&cur)?;
        c.create(GOVERNANCE, &version_key(next.version), &next)?;
        c.governance_version(next.version);
        c.put_kv(
            CURRENT,
            &Pointer {
                version: next.version,
            },
        )?;
        let mut data = detail.clone();
        if let Some(o) = data.as_object_mut() {
            o.insert("version".into(), json!(next.version));
            o.insert("previous".into(), json!(cur.version));
        }
        c.event(NewEvent::new(
            &caller.account_id,
            action,
            &format!("governance:{}", next.version),
            data,
        ));
        Ok((next, c))
    })?;
    Ok(done.value)
}

/// `governance.get` (admin): `{version?}`; the current one when absent.
pub fn get(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    caller.require_admin()?;
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        version: Option<u32>,
    }
    let args: Args = parse_payload(payload)?;
    let cur = current(p)?;
    let g = match args.version {
        None => cur.clone(),
        Some(0) => Governance::default(),
        Some(v) => repo::get::<Governance>(p, GOVERNANCE, &version_key(v))?
            .ok_or_else(|| AppError::not_found(format!("governance version {v} does not exist")))?,
    };
    Ok(json!({ "governance": g, "current": cur.version }))
}

/// `governance.list` (admin): `{}`; every version, newest first (summaries).
pub fn list(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    caller.require_admin()?;
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {}
    let _: Args = parse_payload(payload)?;
    let cur = current(p)?;
    let mut versions = Vec::new();
    let query = aigis_platform::EntityQuery {
        entity: GOVERNANCE.into(),
        index: "by-version".into(),
        ..Default::default()
    };
    repo::scan(p, query, |_, g: Governance| {
        versions.push(json!({"version": g.version, "createdAt": g.created_at, "createdBy": g.created_by, "note": g.note, "policies": g.policies.len()}));
        Ok(true)
    })?;
    versions.reverse();
    Ok(json!({ "current": cur.version, "versions": versions }))
}

/// `governance.set` (admin): a [`GovernancePatch`]; writes the next version.
pub fn set(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    caller.require_admin()?;
    let patch: GovernancePatch = parse_payload(payload)?;
    let now = repo::now(p);
    // Validate before committing, so a bad payload writes nothing.
    current(p)?.apply(patch.clone(), &caller.account_id, now)?;
    let g = save(p, caller, "governance.updated", json!({}), |cur| {
        Ok(cur.apply(patch.clone(), &caller.account_id, now)?)
    })?;
    Ok(json!({ "governance": g }))
}

/// `policies.list` (admin): the policies of the current version.
pub fn policies_list(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    caller.require_admin()?;
    crate::error::no_args(payload)?;
    let g = current(p)?;
    Ok(json!({ "policies": g.policies, "governanceVersion": g.version }))
}

/// `policies.save` (admin): a [`Policy`]; adds it or replaces the one with
/// the same id. Writes the next governance version.
pub fn policies_save(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    caller.require_admin()?;
    let policy: Policy = parse_payload(payload)?;
    policy.check()?;
    let now = repo::now(p);
    let g = save(
        p,
        caller,
        "policy.saved",
        json!({"policy": policy}),
        |cur| {
            let mut next = cur.next(&caller.account_id, now);
            next.note = format!("policy {} saved", policy.id);
            match next.policies.iter_mut().find(|x| x.id == policy.id) {
                Some(x) => *x = policy.clone(),
                None => {
                    if next.policies.len() >= MAX_POLICIES {
                        return Err(AppError::invalid(
                            "id",
                            format!("at most {MAX_POLICIES} policies"),
                        ));
                    }
                    next.policies.push(policy.clone());
                }
            }
            Ok(next)
        },
    )?;
    Ok(json!({ "policy": policy, "governanceVersion": g.version }))
}

/// `policies.delete` (admin): `{id}`. Writes the next governance version.
pub fn policies_delete(p: &Platform, caller: &Caller, payload: &str) -> Result<Value, AppError> {
    caller.require_admin()?;
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        id: String,
    }
    let args: Args = parse_payload(payload)?;
    aigis_core::model::check_slug("id", &args.id)?;
    if !current(p)?.policies.iter().any(|x| x.id == args.id) {
        return Err(AppError::not_found(format!(
            "policy {:?} does not exist",
            args.id
        )));
    }
    let now = repo::now(p);
    let g = save(
        p,
        caller,
        "policy.deleted",
        json!({"policy": args.id}),
        |cur| {
            let mut next = cur.next(&caller.account_id, now);
            next.note = format!("policy {} deleted", args.id);
            let before = next.policies.len();
            next.policies.retain(|x| x.id != args.id);
            if next.policies.len() == before {
                return Err(AppError::not_found(format!(
                    "policy {:?} does not exist",
                    args.id
                )));
            }
            Ok(next)
        },
    )?;
    Ok(json!({ "deleted": args.id, "governanceVersion": g.version }))
}

/// The governance checks an approval must pass on top of the lifecycle
/// rules: duration within the governance maximum for the tool's risk, and
/// the per-person limit on open critical-risk grants.
pub fn check_approval(
    p: &Platform,
    gov: &Governance,
    tool: &aigis_core::model::Tool,
    request: &aigis_core::model::Request,
) -> Result<(), AppError> {
    gov.check_duration(request.duration_days, tool)?;
    if tool.risk == aigis_core::model::Risk::Critical {
        let open = open_critical_grants(p, &request.requester)?;
        if open >= gov.max_critical_per_person {
            return Err(AppError::new(
                "conflict",
                format!(
                    "the requester already holds {open} open critical-risk grant(s); governance version {} allows {}",
                    gov.version, gov.max_critical_per_person
                ),
            ));
        }
    }
    Ok(())
}

/// Open grants of critical-risk tools held by `account`.
fn open_critical_grants(p: &Platform, account: &str) -> Result<u32, AppError> {
    use aigis_core::model::{Grant, Risk, Tool};
    let mut n = 0;
    // Each tool's risk is read once, however many grants name it.
    let mut critical: std::collections::BTreeMap<String, bool> = Default::default();
    let query = aigis_platform::EntityQuery {
        entity: repo::GRANT.into(),
        index: "by-account".into(),
        partition: vec![json!(account)],
        ..Default::default()
    };
    repo::scan(p, query, |_, g: Grant| {
        if !g.status.is_open() {
            return Ok(true);
        }
        let is_critical = match critical.get(&g.tool) {
            Some(c) => *c,
            None => {
                let c = repo::get::<Tool>(p, repo::TOOL, &g.tool)?
                    .is_some_and(|t| t.risk == Risk::Critical);
                critical.insert(g.tool.clone(), c);
                c
            }
        };
        n += u32::from(is_critical);
        Ok(true)
    })?;
    Ok(n)
}

/// Manual approvals of a risk level that needs security review are for
/// security reviewers only (members of the configured group; Jira admins).
pub fn check_reviewer(
    gov: &Governance,
    risk: aigis_core::model::Risk,
    caller: &Caller,
) -> Result<(), AppError> {
    if gov.needs_security_review(risk)
        && !caller.in_group(gov.security_reviewer_group.as_deref())?
    {
        return Err(AppError::forbidden(format!(
            "{} risk needs security review: only security reviewers may approve (governance version {})",
            format!("{risk:?}").to_lowercase(),
            gov.version
        )));
    }
    Ok(())
}
