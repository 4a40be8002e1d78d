//! `manifest.yml`: which component and handler serve which function, how each
//! function is bound (resolver, trigger, scheduled trigger, queue consumer),
//! the storage entities and the egress allow list.

use aigis_platform::EntitySchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Forge's default function time limit (resolvers and triggers, and any
/// function without `timeoutSeconds`).
pub const DEFAULT_TIMEOUT_SECONDS: u32 = 25;
/// Forge's largest `timeoutSeconds`.
pub const MAX_TIMEOUT_SECONDS: u32 = 900;

#[derive(Debug, Error)]
pub enum ManifestError {
    #[error("cannot read manifest {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The YAML does not have the expected shape; `field` is the path of the
    /// offending field (e.g. `modules.function[2].handler`).
    #[error("manifest field `{field}`: {message}")]
    Field { field: String, message: String },
}

fn field_err(field: impl Into<String>, message: impl Into<String>) -> ManifestError {
    ManifestError::Field {
        field: field.into(),
        message: message.into(),
    }
}

/// How often a `scheduledTrigger` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Interval {
    FiveMinute,
    Hour,
    Day,
    Week,
}

impl Interval {
    pub fn millis(self) -> i64 {
        match self {
            Interval::FiveMinute => 5 * 60_000,
            Interval::Hour => 3_600_000,
            Interval::Day => 86_400_000,
            Interval::Week => 7 * 86_400_000,
        }
    }
}

/// `<component>.<export>` of a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handler {
    /// `resolvers`, `triggers`, `sweeps`, `consumers`: the component file is
    /// `aigis_<component>.wasm`.
    pub component: String,
    pub export: String,
}

impl Handler {
    pub fn component_file(&self) -> String {
        format!("aigis_{}.wasm", self.component.replace('-', "_"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionDef {
    pub key: String,
    pub handler: Handler,
    /// `timeoutSeconds`, when the manifest states it.
    pub timeout_seconds: Option<u32>,
}

impl FunctionDef {
    pub fn timeout_seconds(&self) -> u32 {
        self.timeout_seconds.unwrap_or(DEFAULT_TIMEOUT_SECONDS)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggerDef {
    pub key: String,
    pub function: String,
    pub events: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledDef {
    pub key: String,
    pub function: String,
    pub interval: Interval,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerDef {
    pub key: String,
    pub queue: String,
    pub function: String,
}

/// A UI module (`jira:adminPage`, ...) whose `resolver.function` names a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolverModule {
    /// The module type, e.g. `jira:adminPage` (Forge's `extension.type`).
    pub module_type: String,
    pub key: String,
    pub function: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub app_id: Option<String>,
    pub functions: Vec<FunctionDef>,
    pub triggers: Vec<TriggerDef>,
    pub scheduled: Vec<ScheduledDef>,
    pub consumers: Vec<ConsumerDef>,
    pub resolver_modules: Vec<ResolverModule>,
    pub entities: Vec<EntitySchema>,
    /// `permissions.external.fetch.backend[].address`.
    pub egress: EgressAllowList,
    /// `resources[]`: key → path (relative to the manifest's directory).
    pub resources: BTreeMap<String, String>,
}

// ---- raw YAML shape ---------------------------------------------------------

#[derive(Deserialize)]
struct RawManifest {
    #[serde(default)]
    modules: RawModules,
    #[serde(default)]
    resources: Vec<RawResource>,
    #[serde(default)]
    app: RawApp,
    #[serde(default)]
    permissions: RawPermissions,
}

#[derive(Deserialize, Default)]
struct RawModules {
    #[serde(default)]
    function: Vec<RawFunction>,
    #[serde(default)]
    trigger: Vec<RawTrigger>,
    #[serde(default, rename = "scheduledTrigger")]
    scheduled_trigger: Vec<RawScheduled>,
    #[serde(default)]
    consumer: Vec<RawConsumer>,
    #[serde(flatten)]
    other: BTreeMap<String, Vec<RawUiModule>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFunction {
    key: String,
    handler: String,
    timeout_seconds: Option<u32>,
}

#[derive(Deserialize)]
struct RawTrigger {
    key: String,
    function: String,
    #[serde(default)]
    events: Vec<String>,
}

#[derive(Deserialize)]
struct RawScheduled {
    key: String,
    function: String,
    interval: Interval,
}

#[derive(Deserialize)]
struct RawConsumer {
    key: String,
    queue: String,
    /// Forge's older shape names the function directly; the newer one nests
    /// it under `resolver.function` — both are accepted.
    function: Option<String>,
    resolver: Option<RawResolver>,
}

#[derive(Deserialize)]
struct RawUiModule {
    key: String,
    resolver: Option<RawResolver>,
}

#[derive(Deserialize)]
struct RawResolver {
    function: Option<String>,
}

#[derive(Deserialize)]
struct RawResource {
    key: String,
    path: String,
}

#[derive(Deserialize, Default)]
struct RawApp {
    id: Option<String>,
    #[serde(default)]
    storage: RawStorage,
}

#[derive(Deserialize, Default)]
struct RawStorage {
    #[serde(default)]
    entities: Vec<EntitySchema>,
}

#[derive(Deserialize, Default)]
struct RawPermissions {
    #[serde(default)]
    external: RawExternal,
}

#[derive(Deserialize, Default)]
struct RawExternal {
    #[serde(default)]
    fetch: RawFetch,
}

#[derive(Deserialize, Default)]
struct RawFetch {
    #[serde(default)]
    backend: Vec<RawAddress>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawAddress {
    Plain(String),
    Object { address: String },
}

impl Manifest {
    pub fn load(path: &Path) -> Result<Manifest, ManifestError> {
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Manifest::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Manifest, ManifestError> {
        let de = serde_norway::Deserializer::from_str(text);
        let raw: RawManifest = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let field = if path.is_empty() || path == "." {
                "<root>".to_string()
            } else {
                path
            };
            field_err(field, e.into_inner().to_string())
        })?;
        Manifest::from_raw(raw)
    }

    fn from_raw(raw: RawManifest) -> Result<Manifest, ManifestError> {
        let mut functions = Vec::new();
        for (i, f) in raw.modules.function.into_iter().enumerate() {
            let (component, export) = f
                .handler
                .split_once('.')
                .filter(|(c, e)| !c.is_empty() && !e.is_empty() && !e.contains('.'))
                .ok_or_else(|| {
                    field_err(
                        format!("modules.function[{i}].handler"),
                        format!("`{}` is not `<component>.<export>`", f.handler),
                    )
                })?;
            if let Some(t) = f.timeout_seconds
                && (t == 0 || t > MAX_TIMEOUT_SECONDS)
            {
                return Err(field_err(
                    format!("modules.function[{i}].timeoutSeconds"),
                    format!("{t} is outside 1..={MAX_TIMEOUT_SECONDS}"),
                ));
            }
            if functions.iter().any(|g: &FunctionDef| g.key == f.key) {
                return Err(field_err(
                    format!("modules.function[{i}].key"),
                    format!("duplicate function key `{}`", f.key),
                ));
            }
            functions.push(FunctionDef {
                key: f.key,
                handler: Handler {
                    component: component.to_string(),
                    export: export.to_string(),
                },
                timeout_seconds: f.timeout_seconds,
            });
        }
        let known = |field: String, key: &str| -> Result<(), ManifestError> {
            if functions.iter().any(|f| f.key == key) {
                Ok(())
            } else {
                Err(field_err(
                    field,
                    format!("unknown function `{key}` (not in modules.function)"),
                ))
            }
        };
        let mut triggers = Vec::new();
        for (i, t) in raw.modules.trigger.into_iter().enumerate() {
            known(format!("modules.trigger[{i}].function"), &t.function)?;
            triggers.push(TriggerDef {
                key: t.key,
                function: t.function,
                events: t.events,
            });
        }
        let mut scheduled = Vec::new();
        for (i, s) in raw.modules.scheduled_trigger.into_iter().enumerate() {
            known(
                format!("modules.scheduledTrigger[{i}].function"),
                &s.function,
            )?;
            scheduled.push(ScheduledDef {
                key: s.key,
                function: s.function,
                interval: s.interval,
            });
        }
        let mut consumers = Vec::new();
        for (i, c) in raw.modules.consumer.into_iter().enumerate() {
            let function = c
                .function
                .or_else(|| c.resolver.and_then(|r| r.function))
                .ok_or_else(|| field_err(format!("modules.consumer[{i}].function"), "missing"))?;
            known(format!("modules.consumer[{i}].function"), &function)?;
            consumers.push(ConsumerDef {
                key: c.key,
                queue: c.queue,
                function,
            });
        }
        let mut resolver_modules = Vec::new();
        for (module_type, list) in raw.modules.other {
            for (i, m) in list.into_iter().enumerate() {
                if let Some(function) = m.resolver.and_then(|r| r.function) {
                    known(
                        format!("modules.{module_type}[{i}].resolver.function"),
                        &function,
                    )?;
                    resolver_modules.push(ResolverModule {
                        module_type: module_type.clone(),
                        key: m.key,
                        function,
                    });
                }
            }
        }
        let egress = EgressAllowList::new(raw.permissions.external.fetch.backend.into_iter().map(
            |a| match a {
                RawAddress::Plain(s) | RawAddress::Object { address: s } => s,
            },
        ));
        Ok(Manifest {
            app_id: raw.app.id,
            functions,
            triggers,
            scheduled,
            consumers,
            resolver_modules,
            entities: raw.app.storage.entities,
            egress,
            resources: raw.resources.into_iter().map(|r| (r.key, r.path)).collect(),
        })
    }

    pub fn function(&self, key: &str) -> Option<&FunctionDef> {
        self.functions.iter().find(|f| f.key == key)
    }

    /// The trigger modules bound to `event_type`.
    pub fn triggers_for(&self, event_type: &str) -> impl Iterator<Item = &TriggerDef> {
        self.triggers
            .iter()
            .filter(move |t| t.events.iter().any(|e| e == event_type))
    }

    /// A scheduled trigger by its key or by its function key.
    pub fn scheduled(&self, key_or_function: &str) -> Option<&ScheduledDef> {
        self.scheduled
            .iter()
            .find(|s| s.key == key_or_function)
            .or_else(|| {
                self.scheduled
                    .iter()
                    .find(|s| s.function == key_or_function)
            })
    }

    pub fn consumer_for(&self, queue: &str) -> Option<&ConsumerDef> {
        self.consumers.iter().find(|c| c.queue == queue)
    }

    /// The UI module a resolver call goes to: `module_key` when given, else
    /// the first module that binds a resolver.
    pub fn resolver_module(&self, module_key: Option<&str>) -> Option<&ResolverModule> {
        match module_key {
            Some(k) => self.resolver_modules.iter().find(|m| m.key == k),
            None => self.resolver_modules.first(),
        }
    }
}

/// `permissions.external.fetch.backend` addresses: exact hosts or `*.` wildcards.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EgressAllowList {
    patterns: Vec<String>,
}

impl EgressAllowList {
    pub fn new(addresses: impl IntoIterator<Item = String>) -> Self {
        let patterns = addresses
            .into_iter()
            .map(|a| {
                let a = a.trim().to_ascii_lowercase();
                let a = a
                    .strip_prefix("https://")
                    .or_else(|| a.strip_prefix("http://"))
                    .unwrap_or(&a)
                    .to_string();
                let a = a.split('/').next().unwrap_or_default().to_string();
                // A port in the address is ignored: Forge matches hosts.
                match a.rsplit_once(':') {
                    Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h.to_string(),
                    _ => a,
                }
            })
            .filter(|a| !a.is_empty())
            .collect();
        EgressAllowList { patterns }
    }

    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Whether `host` (no scheme, no port) is allowed. `*.example.com`
    /// matches any subdomain of example.com at any depth, not example.com itself.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if host.is_empty() {
            return false;
        }
        self.patterns.iter().any(|p| match p.strip_prefix("*.") {
            Some(suffix) => host.len() > suffix.len() + 1 && host.ends_with(&format!(".{suffix}")),
            None => *p == host,
        })
    }
}

/// The host of an absolute `http(s)` URL, lower-cased, without port or userinfo.
pub fn url_host(url: &str) -> Result<String, String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("`{url}` is not an absolute http(s) URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(stripped) = authority.strip_prefix('[') {
        stripped.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
    {
        return Err(format!("`{url}` has no valid host"));
    }
    Ok(host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPO_MANIFEST: &str = include_str!("../../../manifest.yml");

    #[test]
    fn parses_the_repository_manifest() {
        let m = Manifest::parse(REPO_MANIFEST).unwrap();
        let resolver = m.function("resolver").unwrap();
        assert_eq!(resolver.handler.component, "resolvers");
        assert_eq!(resolver.handler.export, "run");
        assert_eq!(resolver.handler.component_file(), "aigis_resolvers.wasm");
        assert_eq!(resolver.timeout_seconds(), 25);
        assert_eq!(m.function("job-runner").unwrap().timeout_seconds(), 900);
        assert_eq!(
            m.triggers_for("avi:jira:created:issue")
                .map(|t| t.function.as_str())
                .collect::<Vec<_>>(),
            ["on-issue-created"]
        );
        let s = m.scheduled("job-runner").unwrap();
        assert_eq!(s.interval, Interval::Hour);
        assert!(m.entities.iter().any(|e| e.name == "grant"));
        let module = m.resolver_module(None).unwrap();
        assert_eq!(module.function, "resolver");
        assert!(m.resolver_module(Some("aigis-home")).is_some());
        assert!(m.egress.allows("acme.okta.com"));
        assert!(m.egress.allows("graph.microsoft.com"));
        assert_eq!(
            m.resources.get("admin").map(String::as_str),
            Some("frontend/dist/modules/admin")
        );
    }

    #[test]
    fn errors_name_the_field() {
        let bad = "modules:\n  function:\n    - key: a\n      handler: nodot\n";
        let e = Manifest::parse(bad).unwrap_err().to_string();
        assert!(e.contains("modules.function[0].handler"), "{e}");

        let bad = "modules:\n  scheduledTrigger:\n    - key: s\n      function: f\n      interval: fortnight\n";
        let e = Manifest::parse(bad).unwrap_err().to_string();
        assert!(e.contains("modules.scheduledTrigger[0].interval"), "{e}");

        let bad = "modules:\n  function:\n    - key: a\n      handler: x.y\n  trigger:\n    - key: t\n      function: missing\n      events: [e]\n";
        let e = Manifest::parse(bad).unwrap_err().to_string();
        assert!(e.contains("modules.trigger[0].function"), "{e}");

        let bad =
            "modules:\n  function:\n    - key: a\n      handler: x.y\n      timeoutSeconds: 901\n";
        let e = Manifest::parse(bad).unwrap_err().to_string();
        assert!(e.contains("timeoutSeconds"), "{e}");
    }

    #[test]
    fn consumers_and_string_addresses() {
        let m = Manifest::parse(
            "modules:\n  function:\n    - key: c\n      handler: consumers.onMsg\n  consumer:\n    - key: q1\n      queue: work\n      resolver:\n        function: c\npermissions:\n  external:\n    fetch:\n      backend:\n        - https://api.example.com\n",
        )
        .unwrap();
        assert_eq!(m.consumer_for("work").unwrap().function, "c");
        assert!(m.egress.allows("api.example.com"));
    }

    #[test]
    fn egress_allow_list_matching() {
        let l = EgressAllowList::new(["*.okta.com".to_string(), "graph.microsoft.com".into()]);
        assert!(l.allows("acme.okta.com"));
        assert!(l.allows("a.b.okta.com"));
        assert!(l.allows("ACME.Okta.com"));
        assert!(!l.allows("okta.com"));
        assert!(!l.allows("evilokta.com"));
        assert!(!l.allows("okta.com.evil.net"));
        assert!(l.allows("graph.microsoft.com"));
        assert!(!l.allows("x.graph.microsoft.com"));
        assert!(!l.allows(""));
    }

    /// The identity providers' hosts the connectors reach, as Forge matches
    /// them: a wildcard covers subdomains at any depth but never its parent,
    /// and a look-alike (a suffix without the dot, the domain inside another
    /// name) is refused.
    #[test]
    fn repository_egress_allows_the_identity_providers_only() {
        let m = Manifest::parse(REPO_MANIFEST).unwrap();
        for allowed in [
            "acme.okta.com",
            "aigis-demo.okta.com",
            "acme.oktapreview.com",
            "acme.okta-emea.com",
            "acme-admin.okta.com",
            "a.b.okta.com",
            "ACME.OKTA.COM",
            "acme.okta.com.",
            "login.microsoftonline.com",
            "graph.microsoft.com",
        ] {
            assert!(m.egress.allows(allowed), "{allowed} should be allowed");
        }
        for refused in [
            "okta.com",
            "oktapreview.com",
            "okta-emea.com",
            "evil-okta.com",
            "evilokta.com",
            "acme.evil-okta.com",
            "okta.com.evil.io",
            "acme.okta.com.evil.io",
            "acme.okta.co",
            "acme.okta-emea.com.evil.io",
            "microsoftonline.com",
            "x.login.microsoftonline.com",
            "login.microsoftonline.com.evil.io",
            "evilgraph.microsoft.com",
            "graph.microsoft.com.evil.io",
            "microsoft.com",
            "api.example.com",
            "",
        ] {
            assert!(!m.egress.allows(refused), "{refused} should be refused");
        }
    }

    #[test]
    fn url_hosts() {
        assert_eq!(
            url_host("https://Acme.okta.com/api/v1/groups").unwrap(),
            "acme.okta.com"
        );
        assert_eq!(
            url_host("https://u:p@h.example.com:8443/x").unwrap(),
            "h.example.com"
        );
        assert_eq!(
            url_host("http://h.example.com?x=1").unwrap(),
            "h.example.com"
        );
        assert!(url_host("ftp://h.example.com").is_err());
        assert!(url_host("https:///nohost").is_err());
        assert!(url_host("acme.okta.com/x").is_err());
    }
}
