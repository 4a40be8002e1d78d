//! Every resolver's payload: the first byte picks the resolver (and the
//! caller), the rest is the payload, against the in-memory platform with a
//! seeded fixture. No panic; a rejection is a 400 naming a field or a plain
//! refusal; nothing written on rejection.
#![no_main]

#[path = "../../crates/aigis-app/tests/common/mod.rs"]
mod common;
#[path = "../../crates/aigis-app/tests/fuzz_common/mod.rs"]
mod fuzz_common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A fresh world per input, so a failure reproduces from its input alone.
    let w = common::World::configured();
    let _ = w.active_grant("bea", 20);
    fuzz_common::resolver_payload(&w, data);
});
