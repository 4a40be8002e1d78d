//! Arbitrary bytes as a pack (and as the previous pack of a good one):
//! `pack::verify` never panics, and verifies only the pristine files.
#![no_main]

#[path = "../../crates/aigis-core/tests/pack_common/fixture.rs"]
mod fixture;
#[path = "../../crates/aigis-core/tests/pack_common/mutate.rs"]
mod mutate;

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn pristine() -> &'static [u8] {
    static P: OnceLock<Vec<u8>> = OnceLock::new();
    P.get_or_init(|| {
        let h = fixture::History::new(5, 11, false);
        h.pack(0, h.last_commit(), None)
    })
}

fuzz_target!(|data: &[u8]| {
    mutate::fuzz_raw(data, pristine());
});
