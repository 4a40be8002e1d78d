//! The fuzz targets' bodies over a seeded set of inputs, on stable Rust:
//! random bytes, random zip-like bytes, and mutated valid packs.

// Compiled for wasm32-unknown-unknown, each `#[test]` is a wasm-bindgen
// test (Node and headless Chromium: `make test-verifier-web`).
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[path = "pack_common/fixture.rs"]
mod fixture;
#[path = "pack_common/mutate.rs"]
mod mutate;

use fixture::*;
use mutate::*;

#[test]
fn fuzz_bodies_hold_on_seeded_inputs() {
    let h = History::new(5, 11, false);
    let pristine = h.pack(0, h.last_commit(), None);
    let mut r = Rng(0xf022);
    let mut runs = 0;
    for i in 0..1800 {
        let n = r.below(600);
        let mut data: Vec<u8> = (0..n).map(|_| r.next() as u8).collect();
        if i % 3 == 0 && !data.is_empty() {
            // Zip-like: the end-of-central-directory signature somewhere.
            let at = r.below(data.len());
            data.splice(at..at, [0x50, 0x4b, 0x05, 0x06]);
        }
        if i % 5 == 0 {
            // A prefix of the real pack.
            data = pristine[..r.below(pristine.len())].to_vec();
        }
        fuzz_raw(&data, &pristine);
        runs += 1;
    }
    for _ in 0..1200 {
        let n = 9 + r.below(80);
        let data: Vec<u8> = (0..n).map(|_| r.next() as u8).collect();
        fuzz_mutated(&data, &pristine);
        runs += 1;
    }
    println!("fuzz bodies: {runs} inputs");
}
