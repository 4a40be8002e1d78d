//! Query strings and HTTP Basic credentials.

use base64::Engine as _;

use super::{Fail, reply};

/// `Basic base64(email:token)` -> (email, token).
pub fn parse_basic(header: &str) -> Option<(String, String)> {
    let (scheme, rest) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (email, token) = text.split_once(':')?;
    if email.is_empty() || token.is_empty() {
        return None;
    }
    Some((email.to_string(), token.to_string()))
}

pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The decoded query parameters, in order.
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn parse(q: &str) -> Query {
        Query(
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| match p.split_once('=') {
                    Some((k, v)) => (percent_decode(k), percent_decode(v)),
                    None => (percent_decode(p), String::new()),
                })
                .collect(),
        )
    }

    pub fn get(&self, k: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }

    /// All values of `k`, each split on commas.
    pub fn list(&self, k: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, _)| key == k)
            .flat_map(|(_, v)| v.split(','))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    pub fn int(&self, k: &str, default: i64) -> Result<i64, Fail> {
        match self.get(k) {
            None | Some("") => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| reply::fail(400, &format!("The '{k}' parameter must be a number."))),
        }
    }

    /// `true` (any case) is true; absent or anything else is false.
    pub fn flag(&self, k: &str) -> bool {
        self.get(k).is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// Whether `?expand=` names `what`.
    pub fn expands(&self, what: &str) -> bool {
        self.list("expand").iter().any(|e| e == what)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_queries() {
        let q =
            Query::parse("query=ada%40aigis.example&x=a+b&permissions=A,B&permissions=C&f=TRUE");
        assert_eq!(q.get("query"), Some("ada@aigis.example"));
        assert_eq!(q.get("x"), Some("a b"));
        assert_eq!(q.list("permissions"), vec!["A", "B", "C"]);
        assert!(q.flag("f"));
        assert!(!q.flag("x"));
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn basic_auth_parses() {
        let h = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("a@b.c:tok")
        );
        assert_eq!(parse_basic(&h), Some(("a@b.c".into(), "tok".into())));
        assert_eq!(parse_basic("Bearer x"), None);
        assert_eq!(parse_basic("Basic !!!"), None);
    }
}
