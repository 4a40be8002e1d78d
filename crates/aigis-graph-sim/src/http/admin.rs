//! The test control endpoint under `/__sim/` (no Graph or identity platform
//! path starts so): the admin API of [`GraphSim`] over HTTP.
//!
//! | call | body |
//! | --- | --- |
//! | `POST /__sim/users` | `{displayName, mail, userPrincipalName?, accountEnabled?}` → `{id}` |
//! | `POST /__sim/users/{id}/account-enabled` | `{accountEnabled}` |
//! | `POST /__sim/groups` | `{displayName, groupTypes?, securityEnabled?, mailEnabled?, isAssignableToRole?, onPremisesSyncEnabled?, membershipRule?}` → `{id}` |
//! | `DELETE /__sim/groups/{id}` | |
//! | `PUT`/`DELETE /__sim/groups/{id}/members/{userId}` | out-of-band membership |
//! | `POST /__sim/apps` | `{clientId, roles, secret?}` |
//! | `POST /__sim/apps/{id}/roles` | `{roles}` (consent changed) |
//! | `POST /__sim/apps/{id}/revoke` | |
//! | `POST /__sim/faults` | a [`Fault`]; `DELETE /__sim/faults` clears |
//! | `POST /__sim/clock` | `{advanceMs}` or `{setMs}` |
//! | `POST /__sim/rate-limit` | `{perMinute}` |
//! | `POST /__sim/replication-lag` | `{ms}` |

use aigis_sim_kit::SimResponse;
use serde_json::{Value, json};

use crate::{Fault, GraphSim, NewGroup, SimError};

fn bad(msg: &str) -> SimResponse {
    SimResponse::json(400, &json!({"error": msg}))
}

fn from_err(e: SimError) -> SimResponse {
    let status = match e {
        SimError::NotFound(_) => 404,
        SimError::AlreadyExists(_) => 409,
        SimError::Invalid(_) => 400,
    };
    SimResponse::json(status, &json!({"error": e.to_string()}))
}

fn done(r: Result<(), SimError>) -> SimResponse {
    r.map_or_else(from_err, |()| SimResponse::empty(204))
}

fn id(r: Result<String, SimError>) -> SimResponse {
    r.map_or_else(from_err, |id| SimResponse::json(200, &json!({"id": id})))
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

pub fn handle(sim: &GraphSim, method: &str, rest: &str, body: Option<&str>) -> SimResponse {
    let body: Value = match body.map(str::trim).filter(|b| !b.is_empty()) {
        None => Value::Null,
        Some(b) => match serde_json::from_str(b) {
            Ok(v) => v,
            Err(_) => return bad("the body is not JSON"),
        },
    };
    let s = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or_default();
    let b = |k: &str| body.get(k).and_then(Value::as_bool);
    let segs: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    match (method, segs.as_slice()) {
        ("POST", ["users"]) => {
            let upn = body
                .get("userPrincipalName")
                .and_then(Value::as_str)
                .unwrap_or(s("mail"));
            id(sim.add_user(
                s("displayName"),
                s("mail"),
                upn,
                b("accountEnabled").unwrap_or(true),
            ))
        }
        ("POST", ["users", uid, "account-enabled"]) => match b("accountEnabled") {
            Some(e) => done(sim.set_account_enabled(uid, e)),
            None => bad("accountEnabled is required"),
        },
        ("POST", ["groups"]) => id(sim.add_group(NewGroup {
            display_name: s("displayName").to_string(),
            group_types: strings(body.get("groupTypes"))
                .into_iter()
                .map(str::to_string)
                .collect(),
            security_enabled: b("securityEnabled").unwrap_or(true),
            mail_enabled: b("mailEnabled").unwrap_or(false),
            is_assignable_to_role: b("isAssignableToRole").unwrap_or(false),
            on_premises_sync_enabled: b("onPremisesSyncEnabled"),
            membership_rule: body
                .get("membershipRule")
                .and_then(Value::as_str)
                .map(str::to_string),
        })),
        ("DELETE", ["groups", gid]) => done(sim.delete_group(gid)),
        ("PUT", ["groups", gid, "members", uid]) => done(sim.add_member(gid, uid)),
        ("DELETE", ["groups", gid, "members", uid]) => done(sim.remove_member(gid, uid)),
        ("POST", ["apps"]) => {
            let r = sim.add_app(s("clientId"), &strings(body.get("roles")));
            match (r, body.get("secret").and_then(Value::as_str)) {
                (Ok(()), Some(secret)) => done(sim.add_secret(s("clientId"), secret)),
                (r, _) => done(r),
            }
        }
        ("POST", ["apps", cid, "roles"]) => done(sim.set_roles(cid, &strings(body.get("roles")))),
        ("POST", ["apps", cid, "revoke"]) => done(sim.revoke_app(cid)),
        ("POST", ["faults"]) => match serde_json::from_value::<Fault>(body) {
            Ok(f) => {
                sim.inject(f);
                SimResponse::empty(204)
            }
            Err(e) => bad(&format!("not a fault: {e}")),
        },
        ("DELETE", ["faults"]) => {
            sim.clear_faults();
            SimResponse::empty(204)
        }
        ("POST", ["clock"]) => {
            if let Some(ms) = body.get("setMs").and_then(Value::as_i64) {
                sim.clock().set(ms);
            } else if let Some(ms) = body.get("advanceMs").and_then(Value::as_i64) {
                sim.clock().advance(ms);
            } else {
                return bad("setMs or advanceMs is required");
            }
            SimResponse::json(200, &json!({"nowMs": sim.clock().now_ms()}))
        }
        ("POST", ["rate-limit"]) => match body.get("perMinute").and_then(Value::as_u64) {
            Some(n) => {
                sim.set_rate_limit(u32::try_from(n).unwrap_or(u32::MAX));
                SimResponse::empty(204)
            }
            None => bad("perMinute is required"),
        },
        ("POST", ["replication-lag"]) => match body.get("ms").and_then(Value::as_i64) {
            Some(ms) => {
                sim.set_replication_lag(ms);
                SimResponse::empty(204)
            }
            None => bad("ms is required"),
        },
        _ => SimResponse::json(
            404,
            &json!({"error": format!("no control endpoint {method} /__sim/{rest}")}),
        ),
    }
}
