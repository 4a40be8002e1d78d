//! Conformance tooling over Jira Cloud's official OpenAPI document.
//!
//! [`Spec`] loads `jira-platform-openapi-v3.json` once and answers three
//! questions: does an operation exist, does a concrete call (method, path,
//! JSON body) conform to it, and does a response (status, JSON body) conform
//! to what the operation declares.
//!
//! The validator covers the parts of JSON Schema / OpenAPI 3.0 the document
//! uses: `$ref`, `allOf`, `oneOf`, `anyOf`, `type`, `nullable`, `enum`,
//! `required`, `properties`, `additionalProperties` (boolean or schema),
//! `items` and `maxLength`. Request bodies are checked strictly
//! (`additionalProperties: false` rejects unknown properties; `readOnly`
//! properties are never required). Response bodies are checked leniently on
//! additional properties (Jira adds fields freely) and never require
//! `writeOnly` properties.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::SimError;

/// Relative location of the document from the directory that holds the repo.
const SPEC_REL: &str = "shared/specs/jira-platform-openapi-v3.json";

/// The parsed OpenAPI document plus a list of path templates for matching.
pub struct Spec {
    doc: Value,
    /// (template, segments) for every path of the document.
    templates: Vec<(String, Vec<String>)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Request,
    Response,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl Spec {
    /// Parse the document at `path`.
    pub fn load(path: &Path) -> Result<Spec, SimError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| SimError::Spec(format!("{}: {e}", path.display())))?;
        let doc: Value = serde_json::from_str(&text)
            .map_err(|e| SimError::Spec(format!("{}: {e}", path.display())))?;
        Self::from_document(doc)
    }

    /// Wrap an already parsed OpenAPI 3.0 document (e.g. one read from YAML
    /// by another simulator's conformance tests).
    pub fn from_document(doc: Value) -> Result<Spec, SimError> {
        let templates = doc
            .get("paths")
            .and_then(Value::as_object)
            .ok_or_else(|| SimError::Spec("document has no `paths` object".into()))?
            .keys()
            .map(|t| (t.clone(), split_path(t)))
            .collect();
        Ok(Spec { doc, templates })
    }

    /// Where the document lives: `$AIGIS_JIRA_SPEC` if set, otherwise the first
    /// `shared/specs/jira-platform-openapi-v3.json` found next to an ancestor of
    /// this crate's manifest directory (the repo is `/work/main`, the document
    /// `/work/shared/specs/...`).
    pub fn default_path() -> PathBuf {
        if let Some(p) = std::env::var_os("AIGIS_JIRA_SPEC") {
            return PathBuf::from(p);
        }
        let start = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut dir: Option<&Path> = Some(start.as_path());
        while let Some(d) = dir {
            let candidate = d.join(SPEC_REL);
            if candidate.is_file() {
                return candidate;
            }
            dir = d.parent();
        }
        // Not found: return the conventional location so the error names it.
        start.join("../../..").join(SPEC_REL)
    }

    /// The subset of Atlassian's JSM Cloud REST document that covers the
    /// simulator's `servicedeskapi` routes, shipped with this crate
    /// (`specs/jsm-servicedeskapi-subset.json`; provenance in its `info`).
    pub fn jsm_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("specs/jsm-servicedeskapi-subset.json")
    }

    /// Every local `$ref` of the document that points nowhere.
    pub fn dangling_refs(&self) -> Vec<String> {
        fn walk(doc: &Value, v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(o) => {
                    if let Some(r) = o.get("$ref").and_then(Value::as_str)
                        && r.strip_prefix('#').is_none_or(|p| doc.pointer(p).is_none())
                    {
                        out.push(r.to_string());
                    }
                    o.values().for_each(|c| walk(doc, c, out));
                }
                Value::Array(a) => a.iter().for_each(|c| walk(doc, c, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(&self.doc, &self.doc, &mut out);
        out.sort();
        out.dedup();
        out
    }

    /// Whether the document declares `method` on the path template `template`.
    pub fn has_operation(&self, method: &str, template: &str) -> bool {
        self.operation(method, template).is_some()
    }

    fn operation(&self, method: &str, template: &str) -> Option<&Value> {
        self.doc
            .get("paths")?
            .get(template)?
            .get(method.to_ascii_lowercase())
    }

    /// The template of the document that matches a concrete path (query
    /// stripped). Literal segments win over parameters, left to right.
    pub fn match_path(&self, path_and_query: &str) -> Option<&str> {
        let path = path_and_query.split(['?', '#']).next().unwrap_or_default();
        let segs = split_path(path);
        let mut best: Option<(&str, Vec<bool>)> = None;
        for (template, tsegs) in &self.templates {
            if tsegs.len() != segs.len() {
                continue;
            }
            let mut literal = Vec::with_capacity(segs.len());
            let mut ok = true;
            for (t, s) in tsegs.iter().zip(&segs) {
                if is_param(t) {
                    if s.is_empty() {
                        ok = false;
                        break;
                    }
                    literal.push(false);
                } else if t == s {
                    literal.push(true);
                } else {
                    ok = false;
                    break;
                }
            }
            if !ok {
                continue;
            }
            let better = match &best {
                None => true,
                // Lexicographic on "literal at position i": true > false.
                Some((_, b)) => literal > *b,
            };
            if better {
                best = Some((template.as_str(), literal));
            }
        }
        best.map(|(t, _)| t)
    }

    /// Check a call: the path matches a template, the method exists there, and
    /// the JSON body (when given) validates against the operation's
    /// `application/json` request schema.
    pub fn check_call(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<&Value>,
    ) -> Result<(), String> {
        let template = self.match_path(path_and_query).ok_or_else(|| {
            format!("{path_and_query}: no such path in the Jira OpenAPI document")
        })?;
        let op = self.operation(method, template).ok_or_else(|| {
            format!(
                "{method} {template}: method not declared for this path (declared: {})",
                self.methods_of(template).join(", ")
            )
        })?;
        let Some(body) = body else {
            return Ok(());
        };
        let schema = op
            .get("requestBody")
            .and_then(|rb| rb.get("content"))
            .and_then(|c| c.get("application/json"))
            .and_then(|c| c.get("schema"));
        match schema {
            Some(schema) => self
                .validate(schema, body, "body", Mode::Request, 0)
                .map_err(|e| format!("{method} {template}: {e}")),
            None if body.is_null() => Ok(()),
            None => Err(format!(
                "{method} {template}: operation declares no JSON request body"
            )),
        }
    }

    /// Check a response: `status` is declared by the operation and `body`
    /// validates against the declared `application/json` schema (if any).
    pub fn check_response(
        &self,
        method: &str,
        template: &str,
        status: u16,
        body: &Value,
    ) -> Result<(), String> {
        let op = self
            .operation(method, template)
            .ok_or_else(|| format!("{method} {template}: no such operation"))?;
        let responses = op
            .get("responses")
            .and_then(Value::as_object)
            .ok_or_else(|| format!("{method} {template}: operation declares no responses"))?;
        let code = status.to_string();
        let class = format!("{}XX", status / 100);
        let resp = responses
            .get(&code)
            .or_else(|| responses.get(&class))
            .or_else(|| responses.get("default"))
            .ok_or_else(|| {
                format!(
                    "{method} {template}: status {status} not declared (declared: {})",
                    responses.keys().cloned().collect::<Vec<_>>().join(", ")
                )
            })?;
        let resp = self.resolve(resp);
        let schema = resp
            .get("content")
            .and_then(|c| c.get("application/json"))
            .and_then(|c| c.get("schema"));
        match schema {
            Some(schema) => self
                .validate(schema, body, "response", Mode::Response, 0)
                .map_err(|e| format!("{method} {template} -> {status}: {e}")),
            None => Ok(()),
        }
    }

    fn methods_of(&self, template: &str) -> Vec<String> {
        self.doc
            .get("paths")
            .and_then(|p| p.get(template))
            .and_then(Value::as_object)
            .map(|o| {
                o.keys()
                    .filter(|k| METHODS.contains(&k.as_str()))
                    .map(|k| k.to_ascii_uppercase())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Follow `$ref` chains (local references only).
    fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..32 {
            let Some(r) = schema.get("$ref").and_then(Value::as_str) else {
                return schema;
            };
            let Some(ptr) = r.strip_prefix('#') else {
                return schema;
            };
            match self.doc.pointer(ptr) {
                Some(target) => schema = target,
                None => return schema,
            }
        }
        schema
    }

    fn validate(
        &self,
        schema: &Value,
        value: &Value,
        at: &str,
        mode: Mode,
        depth: usize,
    ) -> Result<(), String> {
        if depth > 64 {
            return Ok(());
        }
        let schema = self.resolve(schema);
        let Some(obj) = schema.as_object() else {
            // `true` / `{}`-like schemas accept anything.
            return Ok(());
        };
        if value.is_null() {
            let nullable = obj
                .get("nullable")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let constrained = obj.contains_key("type")
                || obj.contains_key("$ref")
                || obj.contains_key("allOf")
                || obj.contains_key("enum")
                || obj.contains_key("properties");
            if nullable || !constrained {
                return Ok(());
            }
            return Err(format!("{at}: null is not allowed here"));
        }
        if let Some(all) = obj.get("allOf").and_then(Value::as_array) {
            for s in all {
                self.validate(s, value, at, mode, depth + 1)?;
            }
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(alts) = obj.get(key).and_then(Value::as_array) {
                let mut first_err = None;
                let mut any = false;
                for s in alts {
                    match self.validate(s, value, at, mode, depth + 1) {
                        Ok(()) => {
                            any = true;
                            break;
                        }
                        Err(e) => {
                            first_err.get_or_insert(e);
                        }
                    }
                }
                if !any && !alts.is_empty() {
                    return Err(first_err.unwrap_or_else(|| format!("{at}: matches no {key}")));
                }
            }
        }
        if let Some(t) = obj.get("type").and_then(Value::as_str) {
            let ok = match t {
                "string" => value.is_string(),
                "integer" => value.is_i64() || value.is_u64(),
                "number" => value.is_number(),
                "boolean" => value.is_boolean(),
                "array" => value.is_array(),
                "object" => value.is_object(),
                _ => true,
            };
            if !ok {
                return Err(format!("{at}: expected {t}, got {}", kind(value)));
            }
        }
        if let Some(values) = obj.get("enum").and_then(Value::as_array)
            && !values.contains(value)
        {
            return Err(format!(
                "{at}: {value} is not one of {}",
                Value::Array(values.clone())
            ));
        }
        if let (Some(max), Some(s)) = (obj.get("maxLength").and_then(Value::as_u64), value.as_str())
            && s.chars().count() as u64 > max
        {
            return Err(format!("{at}: string longer than {max}"));
        }
        if let (Some(items), Some(arr)) = (obj.get("items"), value.as_array()) {
            for (i, v) in arr.iter().enumerate() {
                self.validate(items, v, &format!("{at}[{i}]"), mode, depth + 1)?;
            }
        }
        if let Some(map) = value.as_object() {
            let props = obj.get("properties").and_then(Value::as_object);
            if let Some(required) = obj.get("required").and_then(Value::as_array) {
                for r in required.iter().filter_map(Value::as_str) {
                    if map.contains_key(r) {
                        continue;
                    }
                    let prop = props.and_then(|p| p.get(r)).map(|p| self.resolve(p));
                    let flag = |k: &str| {
                        prop.and_then(|p| p.get(k))
                            .and_then(Value::as_bool)
                            .unwrap_or(false)
                    };
                    let exempt = match mode {
                        Mode::Request => flag("readOnly"),
                        Mode::Response => flag("writeOnly"),
                    };
                    if !exempt {
                        return Err(format!("{at}: required property `{r}` is missing"));
                    }
                }
            }
            for (k, v) in map {
                let child = format!("{at}.{k}");
                if let Some(p) = props.and_then(|p| p.get(k)) {
                    self.validate(p, v, &child, mode, depth + 1)?;
                    continue;
                }
                match obj.get("additionalProperties") {
                    Some(Value::Bool(false)) if mode == Mode::Request => {
                        return Err(format!("{at}: unknown property `{k}` is not allowed"));
                    }
                    Some(s @ Value::Object(_)) => {
                        self.validate(s, v, &child, mode, depth + 1)?;
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn is_param(seg: &str) -> bool {
    seg.starts_with('{') && seg.ends_with('}')
}

fn split_path(path: &str) -> Vec<String> {
    path.trim_end_matches('/')
        .split('/')
        .skip(1)
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_and_param() {
        assert_eq!(split_path("/a/{b}/c"), vec!["a", "{b}", "c"]);
        assert!(is_param("{x}"));
        assert!(!is_param("x"));
    }
}
