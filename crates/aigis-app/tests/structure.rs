//! Structural invariants of the crate, checked on its source:
//! - the top-level modules import each other without cycles;
//! - only the route table parses payloads: no handler takes payload text or
//!   calls the payload parser;
//! - no hand-written source file is over 800 lines.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The code of a file: comment lines and its unit tests left out.
fn code(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `.rs` file under `dir`, with the top-level module it belongs to.
fn files(dir: &Path, top: Option<&str>, out: &mut Vec<(String, PathBuf)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            files(&path, Some(top.unwrap_or(&name)), out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let module = top.map_or(name, str::to_owned);
            out.push((module, path));
        }
    }
}

fn modules() -> BTreeMap<String, BTreeSet<String>> {
    let mut all = Vec::new();
    files(&src(), None, &mut all);
    let names: BTreeSet<String> = all.iter().map(|(m, _)| m.clone()).collect();
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, path) in &all {
        let text = code(path);
        let entry = deps.entry(module.clone()).or_default();
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            let target: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // `crate::{a, b}` names several.
            let targets: Vec<String> = if rest.starts_with('{') {
                let inner = &rest[1..rest.find('}').unwrap_or(1)];
                inner
                    .split(',')
                    .map(|s| s.trim().split("::").next().unwrap_or("").to_owned())
                    .collect()
            } else {
                vec![target]
            };
            for t in targets {
                if names.contains(&t) && t != *module && module != "lib" {
                    entry.insert(t);
                }
            }
        }
    }
    deps.remove("lib");
    deps
}

/// A cycle in `deps`, if there is one.
fn find_cycle(deps: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        m: &str,
        deps: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            let mut cycle = path[i..].to_vec();
            cycle.push(m.to_owned());
            return Some(cycle);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_owned());
        for d in deps.get(m).into_iter().flatten() {
            if let Some(c) = visit(d, deps, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    deps.keys()
        .find_map(|m| visit(m, deps, &mut vec![], &mut done))
}

#[test]
fn a_cycle_is_found_where_there_is_one() {
    let g = |edges: &[(&str, &str)]| {
        let mut d: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in edges {
            d.entry(a.to_string()).or_default().insert(b.to_string());
        }
        d
    };
    assert_eq!(find_cycle(&g(&[("a", "b"), ("b", "c")])), None);
    assert_eq!(
        find_cycle(&g(&[("a", "b"), ("b", "c"), ("c", "a")])),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}

#[test]
fn top_level_modules_have_no_import_cycles() {
    let deps = modules();
    if let Some(cycle) = find_cycle(&deps) {
        panic!("import cycle: {}", cycle.join(" -> "));
    }
    // The scan sees real imports.
    assert!(deps["requests"].contains("grants"), "{deps:?}");
    assert!(deps["routes"].contains("audit"), "{deps:?}");
    // The leaves stay leaves: they know no use case.
    for leaf in ["error", "names"] {
        assert!(
            deps.get(leaf).is_none_or(|d| d.is_empty()),
            "{leaf} imports {:?}",
            deps[leaf]
        );
    }
    assert!(
        deps["api"]
            .iter()
            .all(|d| ["access", "error", "repo", "names", "jira", "outbox"].contains(&d.as_str())),
        "api knows no namespace: {:?}",
        deps["api"]
    );
}

#[test]
fn only_the_route_table_parses_payloads() {
    let mut all = Vec::new();
    files(&src(), None, &mut all);
    for (module, path) in all {
        let text = code(&path);
        let rel = path.strip_prefix(src()).unwrap().display().to_string();
        if module != "api" && module != "lib" {
            for needle in [
                "parse::args",
                "parse::payload",
                "serde_path_to_error",
                "payload: &str",
            ] {
                assert!(
                    !text.contains(needle),
                    "{rel} uses {needle}: only api/ parses payloads"
                );
            }
        }
    }
}

#[test]
fn no_source_file_is_over_800_lines() {
    let mut all = Vec::new();
    files(&src(), None, &mut all);
    for (_, path) in all {
        let n = fs::read_to_string(&path).unwrap().lines().count();
        assert!(n <= 800, "{} has {n} lines", path.display());
    }
}
