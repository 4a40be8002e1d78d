//! The web verifier under wasm-bindgen-test (Node and headless Chromium:
//! `make test-verifier-web`; natively with `cargo test`): the core's
//! verifier, compiled to wasm, gives the answers `aigis verify` gives, on
//! packs built by the core's own test fixture (`aigis-core/tests/pack_common`).

#[path = "../../aigis-core/tests/pack_common/fixture.rs"]
mod fixture;
#[path = "../../aigis-core/tests/pack_common/mutate.rs"]
mod mutate;

use aigis_core::pack::{self, GRANT_COLUMNS, VerifyOptions};
use fixture::*;
use serde_json::Value;
use wasm_bindgen_test::*;

fn web(zip: &[u8], previous: Option<Vec<u8>>, options: &str) -> Value {
    aigis_verify_web::run(zip, previous, options)
        .map(|o| serde_json::to_value(o).unwrap())
        .unwrap()
}

#[wasm_bindgen_test]
fn a_good_pack_verifies_and_says_its_key_is_not_pinned() {
    let h = History::new(6, 1, false);
    let zip = h.pack(0, h.last_commit(), None);
    let o = web(&zip, None, "");
    assert_eq!(o["report"]["ok"], true, "{}", o["text"]);
    assert_eq!(o["report"]["keyPinned"], false);
    assert!(
        o["report"]["unpinned"]
            .as_str()
            .unwrap()
            .contains("--trusted-key")
    );
    // Word for word what `aigis verify` prints.
    let native = pack::verify(&zip, &VerifyOptions::default());
    assert_eq!(o["text"], native.to_string());
    assert_eq!(o["report"], serde_json::to_value(&native).unwrap());
    assert!(
        o["text"]
            .as_str()
            .unwrap()
            .starts_with("OK: the evidence pack verifies\n")
    );
}

#[wasm_bindgen_test]
fn the_trusted_key_pins_and_a_wrong_one_is_refused() {
    let h = History::new(4, 2, false);
    let zip = h.pack(0, h.last_commit(), None);
    let vk = h
        .keys(h.events.len() as u64)
        .into_iter()
        .find(|k| k.current)
        .unwrap()
        .verifier_key;
    let o = web(
        &zip,
        None,
        &serde_json::json!({"trustedKey": format!("  {vk}\n")}).to_string(),
    );
    assert_eq!(o["report"]["ok"], true, "{}", o["text"]);
    assert_eq!(o["report"]["keyPinned"], true);
    assert!(o["report"].get("unpinned").is_none());
    let other = History::new(4, 3, false);
    let other_vk = other.keys(other.events.len() as u64)[0]
        .verifier_key
        .clone();
    let o = web(
        &zip,
        None,
        &serde_json::json!({"trustedKey": other_vk}).to_string(),
    );
    assert_eq!(o["report"]["failure"]["rule"], "key.untrusted");
    assert!(
        o["text"]
            .as_str()
            .unwrap()
            .starts_with("FAILED: manifest.json [key.untrusted]")
    );
}

#[wasm_bindgen_test]
fn a_newer_pack_extends_its_previous_one() {
    let h = History::new(8, 1, false);
    let old_size = h.commit_ends[3];
    let old = h.pack(0, 3, None);
    let new = h.pack(0, h.last_commit(), Some(old_size));
    let o = web(&new, Some(old.clone()), "");
    assert_eq!(o["report"]["ok"], true, "{}", o["text"]);
    assert_eq!(o["report"]["keyPinned"], true);
    let native = pack::verify(
        &new,
        &VerifyOptions {
            previous: Some(old),
            ..VerifyOptions::default()
        },
    );
    assert_eq!(o["text"], native.to_string());
}

#[wasm_bindgen_test]
fn a_re_signed_forgery_of_a_grant_names_table_line_and_field() {
    let h = History::new(6, 1, false);
    let input = h.input(0, h.last_commit(), None);
    let (m, mut data) = pack::render_files(&input).unwrap();
    let grants = &mut data.iter_mut().find(|(n, _)| *n == pack::GRANTS).unwrap().1;
    let text = String::from_utf8(grants.clone()).unwrap();
    let col = GRANT_COLUMNS
        .iter()
        .position(|c| *c == "expiresAt")
        .unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    assert!(lines.len() > 1, "the fixture has grants");
    let mut cells: Vec<String> = lines[1].split(',').map(str::to_owned).collect();
    cells[col] = "2099-01-01T00:00:00.000Z".into();
    lines[1] = cells.join(",");
    *grants = (lines.join("\n") + "\n").into_bytes();
    let zip = pack::assemble(m, &data, h.signer_at(input.checkpoint.size)).unwrap();
    let o = web(&zip, None, "");
    let f = &o["report"]["failure"];
    assert_eq!(o["report"]["ok"], false);
    assert_eq!(f["file"], "grants.csv");
    assert_eq!(f["line"], 2);
    assert_eq!(f["field"], "expiresAt");
    assert_eq!(
        o["text"],
        pack::verify(&zip, &VerifyOptions::default()).to_string()
    );
}

#[wasm_bindgen_test]
fn a_window_after_pruned_history_verifies_from_its_committed_state() {
    let h = History::new(12, 1, false);
    let size = h.events.len() as u64;
    let Some(pruned) = h
        .states
        .iter()
        .copied()
        .filter(|s| *s > 1 && *s <= size)
        .map(|s| s - 1)
        .next()
    else {
        panic!("the fixture writes state events");
    };
    let input = h.input_pruned(0, h.last_commit(), None, pruned);
    let zip = pack::build(&input, h.signer_at(size)).unwrap();
    let o = web(&zip, None, "");
    assert_eq!(o["report"]["ok"], true, "{}", o["text"]);
    assert!(o["report"]["anchor"].is_string(), "{}", o["text"]);
}

#[wasm_bindgen_test]
fn every_seeded_mutation_of_a_pack_is_refused_as_natively() {
    let h = History::new(4, 1, false);
    let zip = h.pack(0, h.last_commit(), None);
    let entries = mutate::unzip(&zip);
    let mut rng = mutate::Rng(12);
    let mut refused = 0;
    for i in 0..40 {
        let mut e = entries.clone();
        let k = i % e.len();
        let before = e[k].1.clone();
        mutate::mutate_file(&mut rng, &mut e[k].1);
        if e[k].1 == before {
            continue;
        }
        let bad = mutate::rezip(&e);
        let o = web(&bad, None, "");
        assert_eq!(
            o["report"]["ok"], false,
            "mutating {} went unnoticed",
            e[k].0
        );
        assert_eq!(
            o["text"],
            pack::verify(&bad, &VerifyOptions::default()).to_string()
        );
        refused += 1;
    }
    assert!(refused > 30, "{refused}");
}

#[wasm_bindgen_test]
fn bad_options_name_their_field() {
    let e = aigis_verify_web::run(b"", None, r#"{"trustedkey":"x"}"#).unwrap_err();
    assert_eq!(e.field, "trustedkey");
    assert_eq!(e.code, "invalid_options");
    let e = aigis_verify_web::run(b"", None, "[").unwrap_err();
    assert_eq!(e.field, "options");
}

#[wasm_bindgen_test]
fn garbage_is_a_failure_not_a_panic() {
    let o = web(b"not a zip", None, "");
    assert_eq!(o["report"]["ok"], false);
    assert_eq!(o["report"]["failure"]["file"], "(archive)");
}
