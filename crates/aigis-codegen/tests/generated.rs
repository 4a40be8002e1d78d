//! The generated files are committed; this test fails when they drift
//! from the route table. `UPDATE_EXPECT=1` rewrites them.

use aigis_codegen::{architecture, repo, resolvers_json, rows, typescript};
use std::fs;

fn check(rel: &str, want: String) -> Option<String> {
    let path = repo().join(rel);
    let have = fs::read_to_string(&path).unwrap_or_default();
    if have == want {
        return None;
    }
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).unwrap();
        }
        fs::write(&path, want).unwrap();
        return None;
    }
    Some(format!(
        "{rel} is out of date: run `UPDATE_EXPECT=1 cargo test -p aigis-codegen`"
    ))
}

#[test]
fn generated_files_match_the_route_table() {
    let arch = fs::read_to_string(repo().join("ARCHITECTURE.md")).unwrap();
    let arch = architecture(&arch).expect("ARCHITECTURE.md has the resolver table markers");
    let stale: Vec<String> = [
        check("frontend/src/generated/api.ts", typescript()),
        check("generated/resolvers.json", resolvers_json()),
        check("ARCHITECTURE.md", arch),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

#[test]
fn every_handler_lives_in_the_file_the_table_names() {
    let (rows, _) = rows();
    assert!(rows.len() >= 40);
    for r in rows {
        let text = fs::read_to_string(repo().join(&r.file))
            .unwrap_or_else(|_| panic!("{}: {} does not exist", r.key, r.file));
        let name = r.handler.rsplit("::").next().unwrap();
        assert!(
            text.contains(&format!("pub fn {name}(")),
            "{}: {} has no `pub fn {name}`",
            r.key,
            r.file
        );
    }
}

#[test]
fn the_typescript_names_every_type_it_uses() {
    let ts = typescript();
    let (rows, _) = rows();
    for r in rows {
        for t in [&r.args, &r.out] {
            let base = t.split('<').next().unwrap();
            assert!(
                ts.contains(&format!("export type {base}")),
                "{}: {base} is not declared",
                r.key
            );
        }
    }
    assert!(!ts.contains("bigint"), "integers are numbers in JSON");
}
