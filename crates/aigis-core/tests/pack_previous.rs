//! `--previous`: a later pack must extend an earlier one of the same log.

// Compiled for wasm32-unknown-unknown, each `#[test]` is a wasm-bindgen
// test (Node and headless Chromium: `make test-verifier-web`).
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[path = "pack_common/fixture.rs"]
mod fixture;

use aigis_core::pack::{self, VerifyOptions, VerifyReport};
use fixture::*;

fn with_previous(new: &[u8], old: &[u8]) -> VerifyReport {
    pack::verify(
        new,
        &VerifyOptions {
            previous: Some(old.to_vec()),
            ..VerifyOptions::default()
        },
    )
}

fn rule(r: &VerifyReport) -> String {
    r.failure
        .as_ref()
        .map(|f| f.rule.clone())
        .unwrap_or_default()
}

#[test]
fn a_later_pack_extends_an_earlier_one() {
    let h = History::new(12, 1, false);
    let old = h.pack(0, 10, None);
    let old_size = h.commit_ends[10];
    // Named in the manifest with a consistency proof.
    let new = h.pack(11, h.last_commit(), Some(old_size));
    let r = with_previous(&new, &old);
    assert!(r.ok, "{r}");
    assert!(r.previous.unwrap().contains(&format!("{old_size} ->")));
    // Or covered by the new pack's events.
    let r = with_previous(&h.pack(0, h.last_commit(), None), &old);
    assert!(r.ok, "{r}");
}

#[test]
fn a_forked_log_is_rejected() {
    let h = History::new(12, 1, false);
    let fork = History::with_tag(12, 1, false, " (fork)");
    let old = h.pack(0, 10, None);
    let r = with_previous(&fork.pack(0, fork.last_commit(), None), &old);
    assert_eq!(rule(&r), "link.fork", "{r}");
    // The fork names its own checkpoint of the old size.
    let size = h.commit_ends[10];
    let r = with_previous(&fork.pack(11, fork.last_commit(), Some(size)), &old);
    assert_eq!(rule(&r), "link.fork", "{r}");
    // A pack that neither names nor covers the old checkpoint.
    // (From commit 20 the pack starts at the state event of commit 18.)
    let r = with_previous(&h.pack(20, h.last_commit(), None), &old);
    assert_eq!(rule(&r), "link.unlinked", "{r}");
}

#[test]
fn a_rolled_back_new_pack_is_rejected() {
    let h = History::new(12, 1, false);
    let old = h.pack(0, h.last_commit(), None);
    let r = with_previous(&h.pack(0, 10, None), &old);
    assert_eq!(rule(&r), "link.rollback", "{r}");
    // A broken previous pack is named as such.
    let mut broken = old.clone();
    let n = broken.len();
    broken.truncate(n - 10);
    let r = with_previous(&h.pack(0, h.last_commit(), None), &broken);
    assert!(r.failure.unwrap().file.starts_with("previous/"));
}

#[test]
fn key_rotation_is_followed_through_the_log() {
    let h = History::new(12, 7, true);
    let old = h.pack(0, 5, None);
    let old_size = h.commit_ends[5];
    let new = h.pack(0, h.last_commit(), Some(old_size));
    assert_ne!(h.signer_at(old_size).key_id(), h.signer_at(1_000).key_id());
    let r = with_previous(&new, &old);
    assert!(r.ok, "{r}");
    // A new key with no rotation event: the log names another key.
    let mut swapped = History::new(12, 7, false);
    swapped.signers = vec![(signer(9), 1)];
    let r = with_previous(
        &swapped.pack(0, swapped.last_commit(), None),
        &h.pack(0, 5, None),
    );
    assert!(
        matches!(rule(&r).as_str(), "key.introduced" | "link.key"),
        "{r}"
    );
}
