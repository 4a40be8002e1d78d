//! Okta's `search` / `filter` expressions, the subset the simulator needs:
//! `attr eq "value"`, `attr sw "value"`, `attr co "value"` (strings
//! case-insensitive), `attr pr`, joined by `and` / `or` (`and` binds
//! tighter), without parentheses.

/// One comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cond {
    pub attr: String,
    pub op: Op,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Sw,
    Co,
    Pr,
}

/// Disjunction of conjunctions.
pub type Expr = Vec<Vec<Cond>>;

/// Parse; `allowed` lists the attributes that may be used.
pub fn parse(s: &str, allowed: &[&str]) -> Result<Expr, String> {
    let mut tokens = tokenize(s)?.into_iter().peekable();
    let mut out: Expr = vec![Vec::new()];
    loop {
        let attr = tokens.next().ok_or("expected an attribute")?;
        if !allowed.contains(&attr.as_str()) {
            return Err(format!("unsupported attribute {attr}"));
        }
        let op = match tokens.next().map(|t| t.to_ascii_lowercase()).as_deref() {
            Some("eq") => Op::Eq,
            Some("sw") => Op::Sw,
            Some("co") => Op::Co,
            Some("pr") => Op::Pr,
            _ => return Err("expected eq, sw, co or pr".into()),
        };
        let value = if op == Op::Pr {
            String::new()
        } else {
            let v = tokens.next().ok_or("expected a value")?;
            v.strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .map(str::to_string)
                .or_else(|| (v == "true" || v == "false").then_some(v.clone()))
                .ok_or("values must be quoted")?
        };
        out.last_mut()
            .ok_or("empty")?
            .push(Cond { attr, op, value });
        match tokens.next().map(|t| t.to_ascii_lowercase()).as_deref() {
            None => return Ok(out),
            Some("and") => {}
            Some("or") => out.push(Vec::new()),
            Some(t) => return Err(format!("unexpected {t}")),
        }
    }
}

fn tokenize(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            let mut t = String::from('"');
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            t.push(n);
                        }
                    }
                    '"' => {
                        closed = true;
                        break;
                    }
                    c => t.push(c),
                }
            }
            if !closed {
                return Err("unterminated string".into());
            }
            t.push('"');
            out.push(t);
        } else if c == '(' || c == ')' {
            return Err("parentheses are not supported".into());
        } else {
            let mut t = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '"' {
                    break;
                }
                t.push(c);
                chars.next();
            }
            out.push(t);
        }
    }
    Ok(out)
}

/// Whether a record matches; `get` gives an attribute's value.
pub fn matches(expr: &Expr, get: impl Fn(&str) -> Option<String>) -> bool {
    expr.iter().any(|conj| {
        conj.iter().all(|c| {
            let Some(v) = get(&c.attr) else {
                return false;
            };
            let (v, want) = (v.to_lowercase(), c.value.to_lowercase());
            match c.op {
                Op::Eq => v == want,
                Op::Sw => v.starts_with(&want),
                Op::Co => v.contains(&want),
                Op::Pr => !v.is_empty(),
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_matches() {
        let e = parse(
            r#"profile.email eq "Ada@X.example" or status eq "SUSPENDED" and profile.login sw "b""#,
            &["profile.email", "status", "profile.login"],
        )
        .unwrap();
        assert_eq!(e.len(), 2);
        let rec = |email: &str, status: &str, login: &str| {
            let (email, status, login) = (email.to_string(), status.to_string(), login.to_string());
            move |a: &str| match a {
                "profile.email" => Some(email.clone()),
                "status" => Some(status.clone()),
                "profile.login" => Some(login.clone()),
                _ => None,
            }
        };
        assert!(matches(&e, rec("ada@x.example", "ACTIVE", "a")));
        assert!(matches(&e, rec("z@x", "SUSPENDED", "bob")));
        assert!(!matches(&e, rec("z@x", "SUSPENDED", "carl")));
        assert!(parse("profile.secret eq \"x\"", &["status"]).is_err());
        assert!(parse("status eq ACTIVE", &["status"]).is_err());
        assert!(parse("(status eq \"A\")", &["status"]).is_err());
        assert!(parse("status eq \"A", &["status"]).is_err());
    }
}
