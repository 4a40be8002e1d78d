//! The test control endpoint under `/__sim/` (no Okta path starts so): the
//! admin API of [`OktaSim`] over HTTP, for tests in other processes.
//!
//! | call | body |
//! | --- | --- |
//! | `POST /__sim/users` | `{email, firstName, lastName, login?, status?}` → `{id}` |
//! | `POST /__sim/users/{id}/status` | `{status}` |
//! | `POST /__sim/groups` | `{name, type?}` → `{id}` |
//! | `DELETE /__sim/groups/{id}` | |
//! | `PUT`/`DELETE /__sim/groups/{id}/members/{userId}` | out-of-band membership |
//! | `POST /__sim/rules` | `{name, expression, groupIds, active?}` → `{id}` |
//! | `POST /__sim/clients` | `{clientId, jwks, scopes, requireDpop?}` |
//! | `POST /__sim/clients/{id}/revoke` | |
//! | `POST /__sim/api-tokens` | `{token, name}`; `POST /__sim/api-tokens/revoke` `{token}` |
//! | `POST /__sim/faults` | a [`Fault`]; `DELETE /__sim/faults` clears |
//! | `POST /__sim/clock` | `{advanceMs}` or `{setMs}` |
//! | `POST /__sim/rate-limit` | `{perMinute}` |
//! | `POST /__sim/dpop-nonce/rotate` | |
//!
//! Answers: 200 with JSON, 204, or `{"error": "..."}` with 400, 404 or 409.

use aigis_sim_kit::SimResponse;
use serde_json::{Value, json};

use crate::model::{GroupType, UserStatus};
use crate::{Fault, NewUser, OktaSim, SimError};

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
    match r {
        Ok(()) => SimResponse::empty(204),
        Err(e) => from_err(e),
    }
}

fn id(r: Result<String, SimError>) -> SimResponse {
    match r {
        Ok(id) => SimResponse::json(200, &json!({"id": id})),
        Err(e) => from_err(e),
    }
}

fn enum_value<T: serde::de::DeserializeOwned>(v: Option<&Value>, default: T) -> Result<T, String> {
    match v {
        None => Ok(default),
        Some(v) => serde_json::from_value(v.clone()).map_err(|_| format!("unknown value {v}")),
    }
}

pub fn handle(sim: &OktaSim, method: &str, rest: &str, body: Option<&str>) -> SimResponse {
    let body: Value = match body.map(str::trim).filter(|b| !b.is_empty()) {
        None => Value::Null,
        Some(b) => match serde_json::from_str(b) {
            Ok(v) => v,
            Err(_) => return bad("the body is not JSON"),
        },
    };
    let s = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or_default();
    let segs: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    match (method, segs.as_slice()) {
        ("POST", ["users"]) => {
            let status = match enum_value(body.get("status"), UserStatus::Active) {
                Ok(v) => v,
                Err(e) => return bad(&e),
            };
            let email = s("email");
            let login = body.get("login").and_then(Value::as_str).unwrap_or(email);
            id(sim.add_user(NewUser {
                login: login.to_string(),
                email: email.to_string(),
                first_name: s("firstName").to_string(),
                last_name: s("lastName").to_string(),
                status,
            }))
        }
        ("POST", ["users", uid, "status"]) => {
            match enum_value(body.get("status"), UserStatus::Active) {
                Ok(st) => done(sim.set_user_status(uid, st)),
                Err(e) => bad(&e),
            }
        }
        ("POST", ["groups"]) => match enum_value(body.get("type"), GroupType::OktaGroup) {
            Ok(kind) => id(sim.add_group(s("name"), kind)),
            Err(e) => bad(&e),
        },
        ("DELETE", ["groups", gid]) => done(sim.delete_group(gid)),
        ("PUT", ["groups", gid, "members", uid]) => done(sim.add_member(gid, uid)),
        ("DELETE", ["groups", gid, "members", uid]) => done(sim.remove_member(gid, uid)),
        ("POST", ["rules"]) => {
            let groups: Vec<&str> = body
                .get("groupIds")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let active = body.get("active").and_then(Value::as_bool).unwrap_or(true);
            id(sim.add_group_rule(s("name"), s("expression"), &groups, active))
        }
        ("POST", ["clients"]) => {
            let jwks = body
                .get("jwks")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let scopes: Vec<&str> = body
                .get("scopes")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let dpop = body
                .get("requireDpop")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            done(sim.register_client(s("clientId"), jwks, &scopes, dpop))
        }
        ("POST", ["clients", cid, "revoke"]) => done(sim.revoke_client(cid)),
        ("POST", ["api-tokens"]) => done(sim.add_api_token(s("token"), s("name"))),
        ("POST", ["api-tokens", "revoke"]) => done(sim.revoke_api_token(s("token"))),
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
        ("POST", ["dpop-nonce", "rotate"]) => {
            sim.rotate_dpop_nonce();
            SimResponse::json(200, &json!({"nonce": sim.dpop_nonce()}))
        }
        _ => SimResponse::json(
            404,
            &json!({"error": format!("no control endpoint {method} /__sim/{rest}")}),
        ),
    }
}
