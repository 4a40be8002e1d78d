//! The README's walkthroughs as data: the sections whose heading starts with
//! `## Walkthrough`, the commands of their ```` ```sh ```` blocks, split the
//! way bash splits them, and the answers stated for each command.

use crate::answer::{self, Expect};

/// The words that make a walkthrough start on a new demo site.
pub const FRESH: &str = "On a fresh `make run-empty`";

/// One `## Walkthrough...` section.
#[derive(Debug)]
pub struct Section {
    pub title: String,
    /// Its introduction says [`FRESH`]: it starts on a new demo site.
    pub fresh: bool,
    pub commands: Vec<Cmd>,
}

/// One shell command of a walkthrough block, as written.
#[derive(Debug)]
pub struct Cmd {
    /// The command's lines, comments included, as bash gets them.
    pub text: String,
    /// README line of its first line (1-based).
    pub line: usize,
    /// The comment heading the command's group (`1. The admin adds...`).
    pub step: Option<String>,
    /// The answers stated for it, each with its README line.
    pub expects: Vec<(usize, Expect)>,
}

impl Cmd {
    /// The command's first line, for messages.
    pub fn head(&self) -> &str {
        self.text.lines().next().unwrap_or("").trim()
    }
}

/// Reads every walkthrough section of `readme`.
pub fn parse(readme: &str) -> Result<Vec<Section>, String> {
    let mut sections: Vec<Section> = Vec::new();
    let mut in_walkthrough = false;
    let mut block: Option<Vec<(usize, &str)>> = None;
    let mut fence_lang = String::new();
    for (i, line) in readme.lines().enumerate() {
        let no = i + 1;
        if let Some(lines) = block.as_mut() {
            if line.trim_start().starts_with("```") {
                let lines = block.take().unwrap_or_default();
                if in_walkthrough && fence_lang == "sh" {
                    let section = sections
                        .last_mut()
                        .ok_or_else(|| format!("line {no}: a block outside any section"))?;
                    section.commands.extend(split_block(&lines)?);
                }
            } else {
                lines.push((no, line));
            }
            continue;
        }
        if let Some(fence) = line.trim_start().strip_prefix("```") {
            fence_lang = fence.trim().to_owned();
            block = Some(Vec::new());
            continue;
        }
        if let Some(title) = line.strip_prefix("## ") {
            in_walkthrough = title.starts_with("Walkthrough");
            if in_walkthrough {
                sections.push(Section {
                    title: title.trim().to_owned(),
                    fresh: false,
                    commands: Vec::new(),
                });
            }
            continue;
        }
        if in_walkthrough
            && line.contains(FRESH)
            && let Some(s) = sections.last_mut().filter(|s| s.commands.is_empty())
        {
            s.fresh = true;
        }
    }
    if block.is_some() {
        return Err("a code block is never closed".into());
    }
    Ok(sections)
}

/// Where the lexer is inside a command.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Ctx {
    Single,
    Double,
    /// `(...)` or `$(...)`: unquoted rules, until the matching `)`.
    Paren,
}

/// What one line leaves: its trailing comment, whether it ends inside
/// quotes or parentheses, whether it ends with a continuation backslash.
struct LineScan {
    comment: Option<String>,
    continued: bool,
}

/// Scans one line, updating the open quotes and parentheses in `stack`.
fn scan_line(line: &str, stack: &mut Vec<Ctx>) -> LineScan {
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let mut continued = false;
    while i < chars.len() {
        let c = chars[i];
        match stack.last().copied() {
            Some(Ctx::Single) => {
                if c == '\'' {
                    stack.pop();
                }
            }
            Some(Ctx::Double) => match c {
                '\\' => i += 1,
                '"' => {
                    stack.pop();
                }
                '$' if chars.get(i + 1) == Some(&'(') => {
                    stack.push(Ctx::Paren);
                    i += 1;
                }
                _ => {}
            },
            None | Some(Ctx::Paren) => match c {
                '\\' if i + 1 == chars.len() => continued = true,
                '\\' => i += 1,
                '\'' => stack.push(Ctx::Single),
                '"' => stack.push(Ctx::Double),
                '(' => stack.push(Ctx::Paren),
                ')' if stack.last() == Some(&Ctx::Paren) => {
                    stack.pop();
                }
                '#' if i == 0 || chars[i - 1].is_whitespace() || ";|&(".contains(chars[i - 1]) => {
                    let comment: String = chars[i + 1..].iter().collect();
                    return LineScan {
                        comment: Some(comment.trim().to_owned()),
                        continued: false,
                    };
                }
                _ => {}
            },
        }
        i += 1;
    }
    LineScan {
        comment: None,
        continued,
    }
}

/// A comment's stated answer: the text after `->`, when it is one.
fn annotation(comment: &str) -> Option<&str> {
    comment.strip_prefix("->").map(str::trim)
}

/// Splits a block into commands: a newline ends a command unless it is
/// inside quotes or parentheses or follows a backslash. A comment line of
/// its own is a stated answer of the command before it, or else part of a
/// step heading: the first line of a run of comment lines names the step.
pub fn split_block(lines: &[(usize, &str)]) -> Result<Vec<Cmd>, String> {
    let mut cmds: Vec<Cmd> = Vec::new();
    let mut stack: Vec<Ctx> = Vec::new();
    let mut text = String::new();
    let mut start = 0;
    let mut expects: Vec<(usize, Expect)> = Vec::new();
    let mut step: Option<String> = None;
    // Inside a run of comment lines: the first one is the heading.
    let mut in_heading = false;
    for &(no, line) in lines {
        let fresh_line = text.is_empty();
        if fresh_line && line.trim().is_empty() {
            in_heading = false;
            continue;
        }
        let scan = scan_line(line, &mut stack);
        if fresh_line && line.trim_start().starts_with('#') {
            let comment = scan.comment.unwrap_or_default();
            if let Some(stated) = annotation(&comment) {
                let last = cmds
                    .last_mut()
                    .ok_or_else(|| format!("line {no}: a stated answer before any command"))?;
                let e = answer::parse_expect(stated).map_err(|e| format!("line {no}: {e}"))?;
                last.expects.push((no, e));
            } else if !in_heading {
                step = Some(comment);
                in_heading = true;
            }
            continue;
        }
        in_heading = false;
        if fresh_line {
            start = no;
        }
        text.push_str(line);
        text.push('\n');
        if let Some(stated) = scan.comment.as_deref().and_then(annotation) {
            let e = answer::parse_expect(stated).map_err(|e| format!("line {no}: {e}"))?;
            expects.push((no, e));
        }
        if stack.is_empty() && !scan.continued {
            cmds.push(Cmd {
                text: std::mem::take(&mut text),
                line: start,
                step: step.clone(),
                expects: std::mem::take(&mut expects),
            });
        }
    }
    if !text.is_empty() {
        return Err(format!(
            "line {start}: the command never ends (an open quote or parenthesis: {stack:?})"
        ));
    }
    Ok(cmds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn numbered(s: &str) -> Vec<(usize, &str)> {
        s.lines().enumerate().map(|(i, l)| (i + 1, l)).collect()
    }

    #[test]
    fn a_command_runs_on_through_quotes_parentheses_and_backslashes() {
        let block = "# 1. Two commands.\n\
                     curl -s -X POST $U/x \\\n  -d '{\"a\":1,\n  \"b\":\"# not a comment\"}'\n\
                     # -> {\"id\":\"1\"}\n\
                     \n\
                     echo \"$(date -u -d '+1 days' +%F)\" # -> exit 0\n\
                     (cd /tmp &&\n  ls)\n";
        let cmds = split_block(&numbered(block)).unwrap();
        assert_eq!(cmds.len(), 3);
        assert_eq!(cmds[0].line, 2);
        assert_eq!(cmds[0].text.lines().count(), 3);
        assert_eq!(cmds[0].step.as_deref(), Some("1. Two commands."));
        assert_eq!(cmds[0].expects.len(), 1);
        assert_eq!(cmds[0].expects[0].0, 5);
        assert!(matches!(&cmds[0].expects[0].1, Expect::Json(v) if *v == json!({"id":"1"})));
        assert_eq!(cmds[1].line, 7);
        assert!(matches!(cmds[1].expects[0].1, Expect::Exit(0)));
        assert_eq!(cmds[2].line, 8);
        assert!(cmds[2].text.contains("ls)"));
    }

    #[test]
    fn a_run_of_comments_is_one_heading_and_words_with_hashes_are_not_comments() {
        let block = "# 4. Approve.\n# more of step 4\necho a#b $#\n# -> a\n# Refusals.\necho c\n";
        let cmds = split_block(&numbered(block)).unwrap();
        assert_eq!(cmds.len(), 2);
        assert_eq!(cmds[0].step.as_deref(), Some("4. Approve."));
        assert_eq!(cmds[0].expects.len(), 1);
        assert_eq!(cmds[1].step.as_deref(), Some("Refusals."));
    }

    #[test]
    fn an_open_quote_or_a_misplaced_answer_is_an_error() {
        let e = split_block(&numbered("echo 'open\n")).unwrap_err();
        assert!(e.contains("line 1"), "{e}");
        let e = split_block(&numbered("# -> {\"a\":1}\n")).unwrap_err();
        assert!(e.contains("before any command"), "{e}");
        let e = split_block(&numbered("echo\n# -> {\"a\":\n")).unwrap_err();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn only_walkthrough_sections_count_and_fresh_is_read_from_their_introduction() {
        let readme = "## Two commands\n\n```sh\nmake run\n```\n\
                      ## Walkthrough: one\n\nOn a fresh `make run-empty`:\n\n```sh\necho 1\n```\n\
                      ## Walkthrough: two\n\nThen:\n\n```sh\necho 2\n```\n\n\
                      ```json\n{}\n```\n";
        let s = parse(readme).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].title, "Walkthrough: one");
        assert!(s[0].fresh);
        assert!(!s[1].fresh);
        assert_eq!(s[1].commands.len(), 1);
        assert_eq!(s[1].commands[0].line, 18);
    }
}
