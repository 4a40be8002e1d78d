//! OData `$filter`, the subset directory queries need: `prop eq 'v'`,
//! `prop ne 'v'`, `prop eq true`, `startswith(prop,'v')`,
//! `groupTypes/any(c:c eq 'v')`, `id in ('a','b')`, joined by `and` / `or`
//! (`and` binds tighter), `not` not supported. Strings compare case-insensitively.

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Eq(String, Value),
    Ne(String, Value),
    StartsWith(String, String),
    AnyEq(String, String),
    In(String, Vec<String>),
}

pub type Expr = Vec<Vec<Cond>>;

/// What a record answers for a property.
pub enum Prop {
    Str(Option<String>),
    Bool(Option<bool>),
    List(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Open,
    Close,
    Comma,
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let c: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            ch if ch.is_whitespace() => i += 1,
            '(' => {
                out.push(Tok::Open);
                i += 1;
            }
            ')' => {
                out.push(Tok::Close);
                i += 1;
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            '\'' => {
                let mut v = String::new();
                i += 1;
                loop {
                    match c.get(i) {
                        None => return Err("unterminated string literal".into()),
                        Some('\'') if c.get(i + 1) == Some(&'\'') => {
                            v.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            v.push(*ch);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Str(v));
            }
            _ => {
                let mut w = String::new();
                while i < c.len() && !c[i].is_whitespace() && !"(),'".contains(c[i]) {
                    w.push(c[i]);
                    i += 1;
                }
                out.push(Tok::Word(w));
            }
        }
    }
    Ok(out)
}

fn literal(t: Option<Tok>) -> Result<Value, String> {
    match t {
        Some(Tok::Str(s)) => Ok(Value::Str(s)),
        Some(Tok::Word(w)) if w == "true" => Ok(Value::Bool(true)),
        Some(Tok::Word(w)) if w == "false" => Ok(Value::Bool(false)),
        Some(Tok::Word(w)) if w == "null" => Ok(Value::Null),
        _ => Err("expected a literal".into()),
    }
}

/// Parse; `props` lists the filterable properties.
pub fn parse(s: &str, props: &[&str]) -> Result<Expr, String> {
    let mut t = tokenize(s)?.into_iter().peekable();
    let known = |p: &str| -> Result<String, String> {
        if props.contains(&p) {
            Ok(p.to_string())
        } else {
            Err(format!("Could not find a property named '{p}'"))
        }
    };
    let mut out: Expr = vec![Vec::new()];
    loop {
        let cond = match t.next() {
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("startswith") => {
                if t.next() != Some(Tok::Open) {
                    return Err("expected (".into());
                }
                let Some(Tok::Word(p)) = t.next() else {
                    return Err("expected a property".into());
                };
                if t.next() != Some(Tok::Comma) {
                    return Err("expected ,".into());
                }
                let Some(Tok::Str(v)) = t.next() else {
                    return Err("expected a string".into());
                };
                if t.next() != Some(Tok::Close) {
                    return Err("expected )".into());
                }
                Cond::StartsWith(known(&p)?, v)
            }
            Some(Tok::Word(w)) if w.contains("/any") => {
                // groupTypes/any(c:c eq 'Unified')
                let p = w.split('/').next().unwrap_or_default().to_string();
                if t.next() != Some(Tok::Open) {
                    return Err("expected (".into());
                }
                let Some(Tok::Word(var)) = t.next() else {
                    return Err("expected a lambda".into());
                };
                let Some((name, _)) = var.split_once(':') else {
                    return Err("expected a lambda".into());
                };
                let body = var.split_once(':').map(|(_, b)| b).unwrap_or_default();
                if body != name {
                    return Err("unsupported lambda".into());
                }
                if t.next() != Some(Tok::Word("eq".into())) {
                    return Err("expected eq".into());
                }
                let Value::Str(v) = literal(t.next())? else {
                    return Err("expected a string".into());
                };
                if t.next() != Some(Tok::Close) {
                    return Err("expected )".into());
                }
                Cond::AnyEq(known(&p)?, v)
            }
            Some(Tok::Word(p)) => {
                let p = known(&p)?;
                match t.next() {
                    Some(Tok::Word(op)) if op == "eq" => Cond::Eq(p, literal(t.next())?),
                    Some(Tok::Word(op)) if op == "ne" => Cond::Ne(p, literal(t.next())?),
                    Some(Tok::Word(op)) if op == "in" => {
                        if t.next() != Some(Tok::Open) {
                            return Err("expected (".into());
                        }
                        let mut vs = Vec::new();
                        loop {
                            match t.next() {
                                Some(Tok::Str(v)) => vs.push(v),
                                _ => return Err("expected a string".into()),
                            }
                            match t.next() {
                                Some(Tok::Comma) => {}
                                Some(Tok::Close) => break,
                                _ => return Err("expected , or )".into()),
                            }
                        }
                        Cond::In(p, vs)
                    }
                    _ => return Err("Unsupported or invalid query filter clause".into()),
                }
            }
            _ => return Err("Invalid filter clause".into()),
        };
        out.last_mut().ok_or("empty")?.push(cond);
        match t.next() {
            None => return Ok(out),
            Some(Tok::Word(w)) if w == "and" => {}
            Some(Tok::Word(w)) if w == "or" => out.push(Vec::new()),
            _ => return Err("Invalid filter clause".into()),
        }
    }
}

fn eq(p: &Prop, v: &Value) -> bool {
    match (p, v) {
        (Prop::Str(Some(a)), Value::Str(b)) => a.eq_ignore_ascii_case(b),
        (Prop::Str(None), Value::Null) | (Prop::Bool(None), Value::Null) => true,
        (Prop::Bool(Some(a)), Value::Bool(b)) => a == b,
        _ => false,
    }
}

pub fn matches(expr: &Expr, get: impl Fn(&str) -> Prop) -> bool {
    expr.iter().any(|conj| {
        conj.iter().all(|c| match c {
            Cond::Eq(p, v) => eq(&get(p), v),
            Cond::Ne(p, v) => !eq(&get(p), v),
            Cond::StartsWith(p, v) => match get(p) {
                Prop::Str(Some(s)) => s.to_lowercase().starts_with(&v.to_lowercase()),
                _ => false,
            },
            Cond::AnyEq(p, v) => match get(p) {
                Prop::List(l) => l.iter().any(|x| x.eq_ignore_ascii_case(v)),
                _ => false,
            },
            Cond::In(p, vs) => match get(p) {
                Prop::Str(Some(s)) => vs.iter().any(|v| v.eq_ignore_ascii_case(&s)),
                _ => false,
            },
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_directory_filters() {
        let props = [
            "mail",
            "userPrincipalName",
            "groupTypes",
            "securityEnabled",
            "id",
        ];
        let e = parse(
            "mail eq 'O''Neil@x.example' or userPrincipalName eq 'b@x'",
            &props,
        )
        .unwrap();
        let rec = |mail: &'static str| {
            move |p: &str| match p {
                "mail" => Prop::Str(Some(mail.to_string())),
                _ => Prop::Str(None),
            }
        };
        assert!(matches(&e, rec("o'neil@X.example")));
        assert!(!matches(&e, rec("x@x")));
        let e = parse(
            "groupTypes/any(c:c eq 'Unified') and securityEnabled eq false",
            &props,
        )
        .unwrap();
        assert!(matches(&e, |p| match p {
            "groupTypes" => Prop::List(vec!["Unified".into()]),
            _ => Prop::Bool(Some(false)),
        }));
        let e = parse("id in ('a','b')", &props).unwrap();
        assert!(matches(&e, |_| Prop::Str(Some("B".into()))));
        assert!(parse("startswith(mail,'a')", &props).is_ok());
        assert!(
            parse("jobTitle eq 'x'", &props)
                .unwrap_err()
                .contains("jobTitle")
        );
        assert!(parse("mail eq", &props).is_err());
        assert!(parse("mail eq 'x", &props).is_err());
        assert!(parse("mail gt 'x'", &props).is_err());
    }
}
