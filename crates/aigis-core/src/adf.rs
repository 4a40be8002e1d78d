//! Atlassian Document Format builders for the comments Aigis posts.

use serde_json::{Value, json};

/// A document of paragraphs; each paragraph is a list of (text, bold) runs.
pub fn doc(paragraphs: &[Vec<(String, bool)>]) -> Value {
    let content: Vec<Value> = paragraphs
        .iter()
        .map(|runs| {
            let texts: Vec<Value> = runs
                .iter()
                .filter(|(t, _)| !t.is_empty())
                .map(|(t, bold)| {
                    if *bold {
                        json!({"type": "text", "text": t, "marks": [{"type": "strong"}]})
                    } else {
                        json!({"type": "text", "text": t})
                    }
                })
                .collect();
            json!({"type": "paragraph", "content": texts})
        })
        .collect();
    json!({"type": "doc", "version": 1, "content": content})
}

/// A comment with a bold heading line and plain lines below it.
pub fn notice(heading: &str, lines: &[String]) -> Value {
    let mut paragraphs = vec![vec![(heading.to_owned(), true)]];
    paragraphs.extend(lines.iter().map(|l| vec![(l.clone(), false)]));
    doc(&paragraphs)
}

/// All text of a document, for tests and logs.
pub fn plain_text(doc: &Value) -> String {
    let mut out = String::new();
    collect(doc, &mut out);
    out
}

fn collect(v: &Value, out: &mut String) {
    if let Some(t) = v.get("text").and_then(Value::as_str) {
        out.push_str(t);
    }
    if let Some(children) = v.get("content").and_then(Value::as_array) {
        for c in children {
            collect(c, out);
        }
        if v.get("type").and_then(Value::as_str) == Some("paragraph") {
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_is_an_adf_doc() {
        let d = notice("Approved", &["Access until 2026-12-01".to_owned()]);
        assert_eq!(d["type"], "doc");
        assert_eq!(d["version"], 1);
        assert_eq!(d["content"][0]["content"][0]["marks"][0]["type"], "strong");
        assert_eq!(plain_text(&d), "Approved\nAccess until 2026-12-01\n");
    }
}
