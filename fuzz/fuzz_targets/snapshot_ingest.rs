//! Snapshot ingestion: the issue-created trigger with an arbitrary
//! `aigis.snapshot.v1` property. No panic, no 5xx, the audit trail verifies.
#![no_main]

#[path = "../../crates/aigis-app/tests/common/mod.rs"]
mod common;
#[path = "../../crates/aigis-app/tests/fuzz_common/mod.rs"]
mod fuzz_common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let w = common::World::configured();
    fuzz_common::snapshot_ingest(&w, data);
});
