//! The route table and the answers against the Graph v1.0 subset document.

use std::path::PathBuf;

use aigis_graph_sim::routes;
use aigis_jira_sim::openapi::Spec;
use serde_json::{Value, json};

use crate::support::*;

fn spec() -> Spec {
    let rel = "shared/specs/msgraph-groups-openapi.yaml";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|d| d.join(rel))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{rel} not found"));
    let mut doc: Value = serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    open_types(&mut doc);
    inline_request_bodies(&mut doc);
    Spec::from_document(doc).unwrap()
}

/// The document marks every type open with `additionalProperties: {type:
/// object}` on each `allOf` branch (`directoryObject`, then `user`), which,
/// applied branch by branch, would refuse the derived type's own properties:
/// read it as what it means, "other properties allowed".
fn open_types(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if o.get("additionalProperties") == Some(&json!({"type": "object"})) {
                o.insert("additionalProperties".into(), Value::Bool(true));
            }
            o.values_mut().for_each(open_types);
        }
        Value::Array(a) => a.iter_mut().for_each(open_types),
        _ => {}
    }
}

/// `requestBody: {$ref: '#/components/requestBodies/...'}` inlined (the
/// validator resolves `$ref`s in schemas, not in request bodies).
fn inline_request_bodies(doc: &mut Value) {
    let bodies = doc["components"]["requestBodies"].clone();
    if let Some(paths) = doc["paths"].as_object_mut() {
        for op in paths
            .values_mut()
            .filter_map(Value::as_object_mut)
            .flat_map(|i| i.values_mut())
        {
            let target = op
                .get("requestBody")
                .and_then(|b| b.get("$ref"))
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/requestBodies/"))
                .map(str::to_string);
            if let Some(name) = target {
                op["requestBody"] = bodies[&name].clone();
            }
        }
    }
}

/// OData instance annotations (`@odata.context`, `@odata.type`,
/// `members@delta`, `@removed`) are not described by the document's
/// schemas (its header says so); the declared ones stay.
fn strip_annotations(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(k, _)| {
                    !k.contains('@') || *k == "@odata.nextLink" || *k == "@odata.deltaLink"
                })
                .map(|(k, v)| (k.clone(), strip_annotations(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_annotations).collect()),
        other => other.clone(),
    }
}

#[test]
fn routes_and_answers_conform_to_the_spec() {
    let spec = spec();
    for (method, _, template) in routes() {
        assert!(
            spec.has_operation(method, template),
            "{method} {template} not in the spec"
        );
    }
    let t = tenant();
    t.sim.add_member(&t.group, &t.users[0]).unwrap();
    let r = |id: &str| json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{id}")});
    let calls: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", "/v1.0/users?$top=2".into(), None),
        (
            "GET",
            "/v1.0/users?$filter=mail+eq+'ada@aigis.example'&$select=id,mail,accountEnabled".into(),
            None,
        ),
        ("GET", format!("/v1.0/users/{}", t.users[1]), None),
        ("GET", "/v1.0/users/nobody".into(), None),
        (
            "POST",
            format!("/v1.0/users/{}/checkMemberGroups", t.users[0]),
            Some(json!({"groupIds": [t.group]})),
        ),
        ("GET", "/v1.0/groups?$top=2".into(), None),
        (
            "POST",
            "/v1.0/groups".into(),
            Some(
                json!({"displayName": "g2", "mailEnabled": false, "mailNickname": "g2", "securityEnabled": true}),
            ),
        ),
        ("GET", format!("/v1.0/groups/{}", t.group), None),
        ("GET", format!("/v1.0/groups/{}/members", t.group), None),
        (
            "POST",
            format!("/v1.0/groups/{}/members/$ref", t.group),
            Some(r(&t.users[1])),
        ),
        (
            "POST",
            format!("/v1.0/groups/{}/members/$ref", t.group),
            Some(r(&t.users[1])),
        ),
        (
            "POST",
            format!("/v1.0/groups/{}/members/$ref", t.dynamic),
            Some(r(&t.users[1])),
        ),
        (
            "DELETE",
            format!("/v1.0/groups/{}/members/{}/$ref", t.group, t.users[1]),
            None,
        ),
        (
            "DELETE",
            format!("/v1.0/groups/{}/members/{}/$ref", t.group, t.users[1]),
            None,
        ),
        (
            "GET",
            "/v1.0/groups/delta()?$select=displayName,members".into(),
            None,
        ),
    ];
    let served: Vec<(&str, &str, &str)> = routes();
    let mut statuses = std::collections::BTreeSet::new();
    for (method, path, body) in &calls {
        let rel = path.strip_prefix("/v1.0").unwrap();
        // The document's template for the route that answered.
        let plain = rel.split('?').next().unwrap();
        let template = served
            .iter()
            .find(|(m, tpl, _)| {
                *m == *method && {
                    let a: Vec<&str> = tpl.split('/').collect();
                    let b: Vec<&str> = plain.split('/').collect();
                    a.len() == b.len()
                        && a.iter().zip(&b).all(|(x, y)| x.starts_with('{') || x == y)
                }
            })
            .map(|(_, _, s)| *s)
            .unwrap_or_else(|| panic!("{path}"));
        if let Some(b) = body {
            spec.check_call(method, template, Some(b))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let resp = call(&t, method, path, body.as_ref());
        spec.check_response(
            method,
            template,
            resp.status,
            &strip_annotations(&resp.body_json()),
        )
        .unwrap_or_else(|e| panic!("{method} {path}: {e}\n{}", resp.body));
        statuses.insert(resp.status);
    }
    assert_eq!(
        statuses.into_iter().collect::<Vec<_>>(),
        vec![200, 201, 204, 400, 404]
    );
}
