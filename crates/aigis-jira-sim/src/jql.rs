//! A JQL parser: the syntax of Jira Query Language, to an AST.
//!
//! Grammar (keywords case-insensitive):
//! ```text
//! query   := [or] [ORDER BY item (, item)*]
//! or      := and ((OR | ||) and)*
//! and     := not ((AND | &&) not)*
//! not     := (NOT | !) not | '(' or ')' | term
//! term    := field op operand
//! field   := word | "quoted" | issue.property[key].path | cf[id]
//! op      := = | != | < | > | <= | >= | ~ | !~ | IN | NOT IN | IS | IS NOT
//! operand := EMPTY | NULL | value | function | '(' (value | function) (, ...)* ')'
//! ```
//! Errors carry Jira's wording and position: `Error in the JQL Query: ...
//! (line 1, character N)`. What a field accepts is checked later, by the
//! search (`crate::http::search`).

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub clause: Option<Clause>,
    /// (field name as written, descending).
    pub order: Vec<(String, bool)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    And(Vec<Clause>),
    Or(Vec<Clause>),
    Not(Box<Clause>),
    Term(Term),
}

/// `field op operand`.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub field: FieldRef,
    pub op: Op,
    pub operand: Operand,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldRef {
    /// A field name or alias, lower-cased (`project`, `request type`, ...).
    Name(String),
    /// `issue.property[key].a.b`.
    Property { key: String, path: Vec<String> },
    /// `cf[10010]`.
    Custom(i64),
}

impl FieldRef {
    /// The field as Jira names it in messages.
    pub fn display(&self) -> String {
        match self {
            FieldRef::Name(n) => n.clone(),
            FieldRef::Property { key, path } if path.is_empty() => {
                format!("issue.property[{key}]")
            }
            FieldRef::Property { key, path } => {
                format!("issue.property[{key}].{}", path.join("."))
            }
            FieldRef::Custom(id) => format!("cf[{id}]"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
    NotLike,
    In,
    NotIn,
    Is,
    IsNot,
}

impl Op {
    /// The operator as written in JQL.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Like => "~",
            Op::NotLike => "!~",
            Op::In => "in",
            Op::NotIn => "not in",
            Op::Is => "is",
            Op::IsNot => "is not",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    Value(String),
    Function { name: String, args: Vec<String> },
    List(Vec<Operand>),
    Empty,
}

/// A JQL syntax error, worded as Jira words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JqlError(pub String);

impl std::fmt::Display for JqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    LParen,
    RParen,
    Comma,
    Op(&'static str),
    And,
    Or,
    Bang,
    /// A word or a quoted string; `quoted` strings are never keywords.
    Word {
        text: String,
        quoted: bool,
    },
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    /// 1-based character position.
    pos: usize,
}

fn syntax(message: String, pos: usize) -> JqlError {
    JqlError(format!(
        "Error in the JQL Query: {message} (line 1, character {pos})"
    ))
}

const OPERATORS: &str = "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'.";

fn is_word_char(c: char) -> bool {
    !c.is_whitespace() && !"()=!<>~,\"'&|".contains(c)
}

fn lex(src: &str) -> Result<Vec<Token>, JqlError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
        let (tok, len) = match c {
            _ if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            ',' => (Tok::Comma, 1),
            _ if two == "!=" => (Tok::Op("!="), 2),
            _ if two == "!~" => (Tok::Op("!~"), 2),
            _ if two == "<=" => (Tok::Op("<="), 2),
            _ if two == ">=" => (Tok::Op(">="), 2),
            _ if two == "&&" => (Tok::And, 2),
            _ if two == "||" => (Tok::Or, 2),
            '=' => (Tok::Op("="), 1),
            '<' => (Tok::Op("<"), 1),
            '>' => (Tok::Op(">"), 1),
            '~' => (Tok::Op("~"), 1),
            '!' => (Tok::Bang, 1),
            '"' | '\'' => {
                let mut text = String::new();
                let mut j = i + 1;
                let mut closed = false;
                while j < chars.len() {
                    match chars[j] {
                        '\\' if j + 1 < chars.len() => {
                            text.push(match chars[j + 1] {
                                'n' => '\n',
                                't' => '\t',
                                other => other,
                            });
                            j += 2;
                        }
                        q if q == c => {
                            closed = true;
                            j += 1;
                            break;
                        }
                        other => {
                            text.push(other);
                            j += 1;
                        }
                    }
                }
                if !closed {
                    return Err(syntax(
                        format!("The quoted string '{text}' has not been completed."),
                        pos,
                    ));
                }
                (Tok::Word { text, quoted: true }, j - i)
            }
            '&' | '|' => {
                return Err(syntax(
                    format!(
                        "The character '{c}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u{:04x}' instead.",
                        c as u32
                    ),
                    pos,
                ));
            }
            _ => {
                let mut j = i;
                let mut depth = 0usize;
                while j < chars.len() {
                    let d = chars[j];
                    if d == '[' {
                        depth += 1;
                    } else if d == ']' {
                        depth = depth.saturating_sub(1);
                    } else if depth == 0 && !is_word_char(d) {
                        break;
                    }
                    j += 1;
                }
                (
                    Tok::Word {
                        text: chars[i..j].iter().collect(),
                        quoted: false,
                    },
                    j - i,
                )
            }
        };
        out.push(Token { tok, pos });
        i += len;
    }
    Ok(out)
}

/// Parse a JQL query.
pub fn parse(src: &str) -> Result<Query, JqlError> {
    let tokens = lex(src)?;
    let mut p = Parser {
        tokens,
        at: 0,
        end: src.chars().count() + 1,
    };
    let clause = if p.peek_keyword("order") || p.peek().is_none() {
        None
    } else {
        Some(p.or()?)
    };
    let mut order = Vec::new();
    if p.peek_keyword("order") {
        p.at += 1;
        if !p.peek_keyword("by") {
            return Err(p.unexpected("Expecting 'by' but got"));
        }
        p.at += 1;
        loop {
            let text = match p.peek() {
                Some(Tok::Word { text, .. }) => text.clone(),
                _ => return Err(p.unexpected("Expecting a field name but got")),
            };
            p.at += 1;
            let desc = if p.peek_keyword("desc") {
                p.at += 1;
                true
            } else {
                if p.peek_keyword("asc") {
                    p.at += 1;
                }
                false
            };
            order.push((text.to_lowercase(), desc));
            if matches!(p.peek(), Some(Tok::Comma)) {
                p.at += 1;
                continue;
            }
            break;
        }
    }
    if p.peek().is_some() {
        let message = if clause.is_some() && order.is_empty() {
            "Expecting either 'OR' or 'AND' but got"
        } else {
            "Expecting end of query but got"
        };
        return Err(p.unexpected(message));
    }
    Ok(Query { clause, order })
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    /// Position just past the query, for "end of query" errors.
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.at).map(|t| &t.tok)
    }

    fn peek_keyword(&self, kw: &str) -> bool {
        self.peek_keyword_at(0, kw)
    }

    fn peek_keyword_at(&self, ahead: usize, kw: &str) -> bool {
        matches!(
            self.tokens.get(self.at + ahead).map(|t| &t.tok),
            Some(Tok::Word { text, quoted: false }) if text.eq_ignore_ascii_case(kw)
        )
    }

    fn describe(t: &Tok) -> String {
        match t {
            Tok::LParen => "(".into(),
            Tok::RParen => ")".into(),
            Tok::Comma => ",".into(),
            Tok::Op(o) => (*o).into(),
            Tok::And => "&&".into(),
            Tok::Or => "||".into(),
            Tok::Bang => "!".into(),
            Tok::Word { text, .. } => text.clone(),
        }
    }

    /// An error about the token at the cursor (or the end of the query).
    fn unexpected(&self, what: &str) -> JqlError {
        match self.tokens.get(self.at) {
            Some(t) => syntax(format!("{what} '{}'.", Self::describe(&t.tok)), t.pos),
            None => syntax(format!("{what} the end of the query."), self.end),
        }
    }

    fn is_or(&self) -> bool {
        matches!(self.peek(), Some(Tok::Or)) || self.peek_keyword("or")
    }

    fn is_and(&self) -> bool {
        matches!(self.peek(), Some(Tok::And)) || self.peek_keyword("and")
    }

    fn or(&mut self) -> Result<Clause, JqlError> {
        let mut parts = vec![self.and()?];
        while self.is_or() {
            self.at += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Clause::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Clause, JqlError> {
        let mut parts = vec![self.not()?];
        while self.is_and() {
            self.at += 1;
            parts.push(self.not()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Clause::And(parts)
        })
    }

    fn not(&mut self) -> Result<Clause, JqlError> {
        if matches!(self.peek(), Some(Tok::Bang)) || self.peek_keyword("not") {
            self.at += 1;
            return Ok(Clause::Not(Box::new(self.not()?)));
        }
        if matches!(self.peek(), Some(Tok::LParen)) {
            self.at += 1;
            let inner = self.or()?;
            if !matches!(self.peek(), Some(Tok::RParen)) {
                return Err(self.unexpected("Expecting ')' but got"));
            }
            self.at += 1;
            return Ok(inner);
        }
        self.term().map(Clause::Term)
    }

    fn term(&mut self) -> Result<Term, JqlError> {
        let field = match self.peek() {
            Some(Tok::Word { text, quoted }) => {
                let keyword = !quoted
                    && ["and", "or", "not", "order", "in", "is", "empty", "null"]
                        .iter()
                        .any(|k| text.eq_ignore_ascii_case(k));
                if keyword {
                    return Err(self.unexpected("Expecting a field name but got"));
                }
                let f = field_ref(text, *quoted);
                self.at += 1;
                f
            }
            _ => return Err(self.unexpected("Expecting a field name but got")),
        };
        let op = self.op()?;
        let operand = match op {
            Op::Is | Op::IsNot => {
                if self.peek_keyword("empty") || self.peek_keyword("null") {
                    self.at += 1;
                    Operand::Empty
                } else {
                    return Err(self.unexpected("Expecting 'EMPTY' or 'NULL' but got"));
                }
            }
            Op::In | Op::NotIn => {
                if !matches!(self.peek(), Some(Tok::LParen)) {
                    // `in membersOf("x")` is a function returning a list.
                    if matches!(self.peek(), Some(Tok::Word { quoted: false, .. }))
                        && matches!(
                            self.tokens.get(self.at + 1).map(|t| &t.tok),
                            Some(Tok::LParen)
                        )
                    {
                        self.single()?
                    } else {
                        return Err(self.unexpected("Expecting '(' but got"));
                    }
                } else {
                    self.at += 1;
                    let mut items = vec![self.single()?];
                    while matches!(self.peek(), Some(Tok::Comma)) {
                        self.at += 1;
                        items.push(self.single()?);
                    }
                    if !matches!(self.peek(), Some(Tok::RParen)) {
                        return Err(self.unexpected("Expecting ')' or ',' but got"));
                    }
                    self.at += 1;
                    Operand::List(items)
                }
            }
            _ => {
                if self.peek_keyword("empty") || self.peek_keyword("null") {
                    self.at += 1;
                    Operand::Empty
                } else {
                    self.single()?
                }
            }
        };
        Ok(Term { field, op, operand })
    }

    fn op(&mut self) -> Result<Op, JqlError> {
        let op = match self.peek() {
            Some(Tok::Op(o)) => match *o {
                "=" => Op::Eq,
                "!=" => Op::Ne,
                "<" => Op::Lt,
                "<=" => Op::Le,
                ">" => Op::Gt,
                ">=" => Op::Ge,
                "~" => Op::Like,
                _ => Op::NotLike,
            },
            _ if self.peek_keyword("in") => Op::In,
            _ if self.peek_keyword("not") && self.peek_keyword_at(1, "in") => {
                self.at += 1;
                Op::NotIn
            }
            _ if self.peek_keyword("is") && self.peek_keyword_at(1, "not") => {
                self.at += 1;
                Op::IsNot
            }
            _ if self.peek_keyword("is") => Op::Is,
            _ => {
                return Err(self
                    .unexpected("Expecting operator but got")
                    .with_suffix(OPERATORS));
            }
        };
        self.at += 1;
        Ok(op)
    }

    /// A value or a function call.
    fn single(&mut self) -> Result<Operand, JqlError> {
        let Some(Token {
            tok: Tok::Word { text, quoted },
            ..
        }) = self.tokens.get(self.at).cloned()
        else {
            return Err(self.unexpected("Expecting either a value, list or function but got"));
        };
        self.at += 1;
        if !quoted && matches!(self.peek(), Some(Tok::LParen)) {
            self.at += 1;
            let mut args = Vec::new();
            if !matches!(self.peek(), Some(Tok::RParen)) {
                loop {
                    match self.peek() {
                        Some(Tok::Word { text, .. }) => args.push(text.clone()),
                        _ => return Err(self.unexpected("Expecting a function argument but got")),
                    }
                    self.at += 1;
                    if matches!(self.peek(), Some(Tok::Comma)) {
                        self.at += 1;
                        continue;
                    }
                    break;
                }
            }
            if !matches!(self.peek(), Some(Tok::RParen)) {
                return Err(self.unexpected("Expecting ')' but got"));
            }
            self.at += 1;
            return Ok(Operand::Function { name: text, args });
        }
        Ok(Operand::Value(text))
    }
}

impl JqlError {
    /// Insert `suffix` before the position of a syntax error message.
    fn with_suffix(self, suffix: &str) -> JqlError {
        match self.0.rfind(" (line ") {
            Some(i) => JqlError(format!("{} {suffix}{}", &self.0[..i], &self.0[i..])),
            None => JqlError(format!("{} {suffix}", self.0)),
        }
    }
}

fn field_ref(text: &str, quoted: bool) -> FieldRef {
    let lower = text.to_lowercase();
    if !quoted {
        if let Some(rest) = lower.strip_prefix("issue.property[") {
            // Keep the key's original case; the path is case-sensitive too.
            let orig = &text["issue.property[".len()..];
            if let Some(close) = rest.find(']') {
                let key = orig[..close].to_string();
                let path: Vec<String> = orig[close + 1..]
                    .split('.')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                return FieldRef::Property { key, path };
            }
        }
        if let Some(id) = lower
            .strip_prefix("cf[")
            .and_then(|r| r.strip_suffix(']'))
            .and_then(|n| n.parse().ok())
        {
            return FieldRef::Custom(id);
        }
    }
    FieldRef::Name(lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(field: &str, op: Op, operand: Operand) -> Clause {
        Clause::Term(Term {
            field: FieldRef::Name(field.into()),
            op,
            operand,
        })
    }

    #[test]
    fn parses_the_clauses_the_app_uses() {
        let q = parse(
            r#"project = AIR AND status = "Waiting for approval" AND reporter = currentUser() ORDER BY created DESC"#,
        )
        .expect("parses");
        assert_eq!(
            q.clause,
            Some(Clause::And(vec![
                term("project", Op::Eq, Operand::Value("AIR".into())),
                term(
                    "status",
                    Op::Eq,
                    Operand::Value("Waiting for approval".into())
                ),
                term(
                    "reporter",
                    Op::Eq,
                    Operand::Function {
                        name: "currentUser".into(),
                        args: vec![]
                    }
                ),
            ]))
        );
        assert_eq!(q.order, vec![("created".to_string(), true)]);
        let q = parse(r#"issue.property[aigis.snapshot.v1].toolId = "claude""#).expect("parses");
        assert_eq!(
            q.clause,
            Some(Clause::Term(Term {
                field: FieldRef::Property {
                    key: "aigis.snapshot.v1".into(),
                    path: vec!["toolId".into()]
                },
                op: Op::Eq,
                operand: Operand::Value("claude".into()),
            }))
        );
        let q = parse("project in (AIR, 'OPS') or not key = AIR-1 order by key, created asc")
            .expect("parses");
        assert_eq!(
            q.clause,
            Some(Clause::Or(vec![
                term(
                    "project",
                    Op::In,
                    Operand::List(vec![
                        Operand::Value("AIR".into()),
                        Operand::Value("OPS".into())
                    ])
                ),
                Clause::Not(Box::new(term(
                    "key",
                    Op::Eq,
                    Operand::Value("AIR-1".into())
                ))),
            ]))
        );
        assert_eq!(
            q.order,
            vec![("key".to_string(), false), ("created".to_string(), false)]
        );
        let q = parse("labels is not EMPTY AND cf[10010] not in (1, 2)").expect("parses");
        assert!(matches!(q.clause, Some(Clause::And(ref v)) if v.len() == 2));
        assert_eq!(parse("ORDER BY created").expect("parses").clause, None);
        assert_eq!(
            parse("  ").expect("parses"),
            Query {
                clause: None,
                order: vec![]
            }
        );
    }

    #[test]
    fn syntax_errors_read_like_jira() {
        let cases = [
            (
                "project AIR",
                "Error in the JQL Query: Expecting operator but got 'AIR'. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'. (line 1, character 9)",
            ),
            (
                "project = AIR foo",
                "Error in the JQL Query: Expecting either 'OR' or 'AND' but got 'foo'. (line 1, character 15)",
            ),
            (
                "summary ~ \"abc",
                "Error in the JQL Query: The quoted string 'abc' has not been completed. (line 1, character 11)",
            ),
            (
                "project =",
                "Error in the JQL Query: Expecting either a value, list or function but got the end of the query. (line 1, character 10)",
            ),
            (
                "(project = AIR",
                "Error in the JQL Query: Expecting ')' but got the end of the query. (line 1, character 15)",
            ),
            (
                "project = AIR ORDER created",
                "Error in the JQL Query: Expecting 'by' but got 'created'. (line 1, character 21)",
            ),
            (
                "project in AIR",
                "Error in the JQL Query: Expecting '(' but got 'AIR'. (line 1, character 12)",
            ),
            (
                "= AIR",
                "Error in the JQL Query: Expecting a field name but got '='. (line 1, character 1)",
            ),
        ];
        for (src, want) in cases {
            assert_eq!(parse(src).expect_err(src).0, want, "{src}");
        }
    }
}
