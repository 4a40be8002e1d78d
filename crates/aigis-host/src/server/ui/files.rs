//! Static files of the site: a path inside a directory (no `..`, no hidden
//! or absolute part), its content type by extension, and the bridge
//! emulation's script added to a module's HTML pages.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::path::{Path, PathBuf};

/// The script tag the host adds to each module page: a classic script of
/// this origin, so it runs before the page's own (deferred) module scripts
/// and `@forge/bridge` finds `window.__bridge` when it loads.
pub(super) const BRIDGE_TAG: &str = r#"<script src="/bridge-emulation/bridge.js"></script>"#;

/// One path segment that may name a file: not empty, not `.`/`..`, not
/// hidden, no separator.
pub(super) fn is_name(s: &str) -> bool {
    !s.is_empty() && !s.starts_with('.') && !s.contains(['/', '\\', '\0'])
}

/// `rel` under `dir`, when every segment is a plain name.
fn resolve(dir: &Path, rel: &str) -> Option<PathBuf> {
    let mut out = dir.to_path_buf();
    for seg in rel.split('/') {
        if !is_name(seg) {
            return None;
        }
        out.push(seg);
    }
    Some(out)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `html` with [`BRIDGE_TAG`] as the first element of its `<head>` (or at
/// the very start when it has none).
pub(super) fn inject_bridge(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let at = lower
        .find("<head")
        .filter(|&i| {
            // `<head>` or `<head ...>`, not `<header>`.
            matches!(
                lower.as_bytes().get(i + 5),
                Some(b'>' | b' ' | b'\t' | b'\n' | b'\r')
            )
        })
        .and_then(|i| lower[i..].find('>').map(|j| i + j + 1));
    match at {
        Some(i) => format!("{}{BRIDGE_TAG}{}", &html[..i], &html[i..]),
        None => format!("{BRIDGE_TAG}{html}"),
    }
}

pub(super) fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}

/// The file `rel` of `dir`; an HTML file gets the bridge script when
/// `inject`.
pub(super) async fn serve(dir: &Path, rel: &str, inject: bool) -> Response {
    let Some(path) = resolve(dir, rel) else {
        return not_found();
    };
    let bytes = match tokio::fs::read(&path).await {
        Ok(b) => b,
        Err(_) => return not_found(),
    };
    let ty = content_type(&path);
    let html = ty.starts_with("text/html");
    let body = if html && inject {
        match String::from_utf8(bytes) {
            Ok(text) => inject_bridge(&text).into_bytes(),
            Err(e) => e.into_bytes(),
        }
    } else {
        bytes
    };
    let mut resp = (StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ty));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if html { "no-cache" } else { "max-age=60" }),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bridge_goes_first_in_the_head() {
        assert_eq!(
            inject_bridge("<!doctype html><html><head><title>x</title></head></html>"),
            format!("<!doctype html><html><head>{BRIDGE_TAG}<title>x</title></head></html>")
        );
        assert_eq!(
            inject_bridge("<HTML><HEAD lang=en><script type=module src=a.js></script>"),
            format!("<HTML><HEAD lang=en>{BRIDGE_TAG}<script type=module src=a.js></script>")
        );
        assert_eq!(inject_bridge("<p>hi</p>"), format!("{BRIDGE_TAG}<p>hi</p>"));
        assert_eq!(
            inject_bridge("<header>x</header>"),
            format!("{BRIDGE_TAG}<header>x</header>")
        );
    }

    #[test]
    fn paths_stay_inside_their_directory() {
        let d = Path::new("/srv");
        assert_eq!(resolve(d, "a/b.js"), Some(PathBuf::from("/srv/a/b.js")));
        for bad in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            "a//b",
            ".env",
            "a\\..\\b",
            "",
        ] {
            assert_eq!(resolve(d, bad), None, "{bad}");
        }
    }
}
