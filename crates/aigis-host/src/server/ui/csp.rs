//! The Content-Security-Policy Forge applies to a Custom UI resource, built
//! from what manifest.yml declares under `permissions`:
//!
//! - `content.scripts` / `content.styles`: the unsafe keywords the app
//!   opted into (`'unsafe-inline'`, `'unsafe-hashes'`, ...), added to
//!   `script-src` / `style-src`; nothing else is inline-allowed;
//! - `external.{scripts, styles, images, fonts, media, frames}` and
//!   `external.fetch.client`: the outside addresses the UI may load from or
//!   talk to (`fetch.backend` is the functions' egress, not the UI's);
//! - everything else is the resource's own origin (`'self'`), and the page
//!   may be framed by the product page only (`frame-ancestors 'self'`).

use serde_json::Value;

/// The content permissions of a manifest, as the CSP needs them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentPermissions {
    /// `permissions.content.scripts`, e.g. `unsafe-inline`.
    pub scripts: Vec<String>,
    /// `permissions.content.styles`, e.g. `unsafe-inline`.
    pub styles: Vec<String>,
    pub external_scripts: Vec<String>,
    pub external_styles: Vec<String>,
    pub images: Vec<String>,
    pub fonts: Vec<String>,
    pub media: Vec<String>,
    pub frames: Vec<String>,
    /// `permissions.external.fetch.client`.
    pub fetch_client: Vec<String>,
}

/// The keywords Forge accepts under `permissions.content` (its CSP
/// service drops any other, e.g. `wasm-unsafe-eval`: WebAssembly needs
/// `unsafe-eval` there).
const KEYWORDS: &[&str] = &["unsafe-inline", "unsafe-hashes", "unsafe-eval"];

/// Strings of a manifest list whose items are strings or `{address: ...}`
/// (a `{remote: ...}` reference names no address and is skipped).
fn addresses(v: Option<&Value>) -> Vec<String> {
    let Some(Value::Array(items)) = v else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|i| match i {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o.get("address").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        })
        .filter(|s| is_source(s))
        .collect()
}

/// A host source as CSP takes it: no white space, quote or separator that
/// would let a manifest entry add a directive of its own.
fn is_source(s: &str) -> bool {
    !s.is_empty()
        && !s
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, ';' | ',' | '\'' | '"'))
}

fn keywords(v: Option<&Value>) -> Vec<String> {
    let Some(Value::Array(items)) = v else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(Value::as_str)
        .map(|s| s.trim_matches('\''))
        .filter(|s| KEYWORDS.contains(s))
        .map(str::to_owned)
        .collect()
}

impl ContentPermissions {
    /// Reads `permissions` of a manifest (as JSON).
    pub fn from_manifest(manifest: &Value) -> ContentPermissions {
        let p = manifest.get("permissions");
        let content = p.and_then(|p| p.get("content"));
        let ext = p.and_then(|p| p.get("external"));
        let e = |k: &str| addresses(ext.and_then(|e| e.get(k)));
        ContentPermissions {
            scripts: keywords(content.and_then(|c| c.get("scripts"))),
            styles: keywords(content.and_then(|c| c.get("styles"))),
            external_scripts: e("scripts"),
            external_styles: e("styles"),
            images: e("images"),
            fonts: e("fonts"),
            media: e("media"),
            frames: e("frames"),
            fetch_client: addresses(
                ext.and_then(|e| e.get("fetch"))
                    .and_then(|f| f.get("client")),
            ),
        }
    }

    /// The `Content-Security-Policy` header value.
    pub fn header(&self) -> String {
        fn directive(name: &str, base: &[&str], keywords: &[String], hosts: &[String]) -> String {
            let mut parts: Vec<String> = base.iter().map(|s| (*s).to_owned()).collect();
            parts.extend(keywords.iter().map(|k| format!("'{k}'")));
            parts.extend(hosts.iter().cloned());
            if parts.is_empty() {
                parts.push("'none'".into());
            }
            format!("{name} {}", parts.join(" "))
        }
        [
            "default-src 'none'".to_owned(),
            directive(
                "script-src",
                &["'self'"],
                &self.scripts,
                &self.external_scripts,
            ),
            directive(
                "style-src",
                &["'self'"],
                &self.styles,
                &self.external_styles,
            ),
            directive("img-src", &["'self'", "data:", "blob:"], &[], &self.images),
            directive("font-src", &["'self'", "data:"], &[], &self.fonts),
            directive("media-src", &["'self'"], &[], &self.media),
            directive("connect-src", &["'self'"], &[], &self.fetch_client),
            directive("frame-src", &[], &[], &self.frames),
            "object-src 'none'".to_owned(),
            "base-uri 'self'".to_owned(),
            "form-action 'self'".to_owned(),
            "frame-ancestors 'self'".to_owned(),
        ]
        .join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn directive<'a>(csp: &'a str, name: &str) -> &'a str {
        csp.split("; ")
            .find(|d| d.split(' ').next() == Some(name))
            .unwrap_or_else(|| panic!("no {name} in {csp}"))
    }

    #[test]
    fn nothing_declared_allows_only_the_resource_itself() {
        let csp = ContentPermissions::from_manifest(&json!({})).header();
        assert_eq!(directive(&csp, "script-src"), "script-src 'self'");
        assert_eq!(directive(&csp, "style-src"), "style-src 'self'");
        assert_eq!(directive(&csp, "connect-src"), "connect-src 'self'");
        assert_eq!(directive(&csp, "frame-src"), "frame-src 'none'");
        assert_eq!(directive(&csp, "frame-ancestors"), "frame-ancestors 'self'");
        assert!(!csp.contains("unsafe"), "{csp}");
    }

    #[test]
    fn declared_content_and_external_permissions_are_added() {
        let m = json!({"permissions": {
            "content": {"styles": ["unsafe-inline"], "scripts": ["'unsafe-hashes'", "bogus"]},
            "external": {
                "images": ["*.giphy.com", {"address": "cdn.example.com"}, {"remote": "r"}],
                "fetch": {"client": ["api.example.com"], "backend": ["*.okta.com"]},
            },
        }});
        let csp = ContentPermissions::from_manifest(&m).header();
        assert_eq!(
            directive(&csp, "style-src"),
            "style-src 'self' 'unsafe-inline'"
        );
        assert_eq!(
            directive(&csp, "script-src"),
            "script-src 'self' 'unsafe-hashes'"
        );
        assert_eq!(
            directive(&csp, "img-src"),
            "img-src 'self' data: blob: *.giphy.com cdn.example.com"
        );
        // The functions' egress is not the UI's.
        assert_eq!(
            directive(&csp, "connect-src"),
            "connect-src 'self' api.example.com"
        );
        assert!(!csp.contains("okta"), "{csp}");
    }

    #[test]
    fn wasm_compiles_only_under_the_eval_source_forge_accepts() {
        // As Forge: 'wasm-unsafe-eval' is not a source it takes and is
        // dropped, so a page relying on it could not compile wasm there
        // either; 'unsafe-eval' is kept.
        let m = json!({"permissions": {"content": {"scripts": ["wasm-unsafe-eval"]}}});
        let csp = ContentPermissions::from_manifest(&m).header();
        assert_eq!(directive(&csp, "script-src"), "script-src 'self'");
        let m =
            json!({"permissions": {"content": {"scripts": ["unsafe-eval", "'wasm-unsafe-eval'"]}}});
        let csp = ContentPermissions::from_manifest(&m).header();
        assert_eq!(
            directive(&csp, "script-src"),
            "script-src 'self' 'unsafe-eval'"
        );
    }

    #[test]
    fn the_apps_manifest_lets_the_verifier_compile_wasm() {
        let text = include_str!("../../../../../manifest.yml");
        let m: Value = serde_norway::from_str(text).expect("manifest.yml parses");
        let csp = ContentPermissions::from_manifest(&m).header();
        assert_eq!(
            directive(&csp, "script-src"),
            "script-src 'self' 'unsafe-eval'"
        );
        assert_eq!(
            directive(&csp, "style-src"),
            "style-src 'self' 'unsafe-inline'"
        );
    }

    #[test]
    fn an_entry_cannot_smuggle_a_directive() {
        let m = json!({"permissions": {"external": {"images": ["x.com; script-src *", "'unsafe-inline'"]}}});
        let csp = ContentPermissions::from_manifest(&m).header();
        assert_eq!(directive(&csp, "img-src"), "img-src 'self' data: blob:");
        assert_eq!(directive(&csp, "script-src"), "script-src 'self'");
    }
}
