//! Test-only deterministic randomness for the components' `wasi:random`.
//!
//! Conformance tests seed the host ([`crate::Host::open_seeded`],
//! `aigis up --random-seed N`) so that everything the components draw (the
//! audit MAC key, the log signing key, origins, ...) is the same on every run,
//! and the same as on the Forge build under Node, whose test runtime
//! (`tests/forge-host/chacha20.mjs`) serves `crypto.getRandomValues` from the
//! same stream. Never used otherwise: without a seed every invocation's WASI
//! context keeps wasmtime-wasi's default, the OS's entropy.
//!
//! The stream is the ChaCha20 keystream of RFC 8439 (key: the seed's eight
//! little-endian bytes then 24 zero bytes; nonce zero; block counter from
//! zero), consumed byte by byte by every invocation of the host in turn:
//!
//! - `get-random-bytes(n)` takes the next `n` bytes;
//! - `get-random-u64` takes the next 8 bytes, read big-endian (as
//!   `forge/src/wasi.js` reads them).
//!
//! wasmtime-wasi draws each byte of `get-random-bytes` as `next_u32() as u8`
//! (rand's `StandardUniform` for `u8`), so `next_u32` here yields one stream
//! byte; `seeded_bytes_through_wasmtime_wasi` pins that.

use chacha20::ChaCha20Rng;
use chacha20::rand_core::{Rng as _, SeedableRng, TryCryptoRng, TryRng};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

const BLOCK: usize = 64;

/// The ChaCha20 key of a seed.
fn key(seed: u64) -> [u8; 32] {
    let mut k = [0u8; 32];
    k[..8].copy_from_slice(&seed.to_le_bytes());
    k
}

struct Keystream {
    /// rand's ChaCha20 with stream 0: RFC 8439's keystream with nonce zero
    /// (its 64-bit block counter equals RFC 8439's 32-bit one below 2^32 blocks).
    rng: ChaCha20Rng,
    block: [u8; BLOCK],
    used: usize,
}

impl Keystream {
    fn next_byte(&mut self) -> u8 {
        if self.used == BLOCK {
            // Whole blocks only: ChaCha20Rng then hands out its keystream as is.
            self.rng.fill_bytes(&mut self.block);
            self.used = 0;
        }
        let b = self.block[self.used];
        self.used += 1;
        b
    }
}

/// One seeded stream, shared by every invocation of a host (cheap to clone).
#[derive(Clone)]
pub(crate) struct SeededRandom {
    seed: u64,
    stream: Arc<Mutex<Keystream>>,
}

impl SeededRandom {
    pub(crate) fn new(seed: u64) -> SeededRandom {
        SeededRandom {
            seed,
            stream: Arc::new(Mutex::new(Keystream {
                rng: ChaCha20Rng::from_seed(key(seed)),
                block: [0; BLOCK],
                used: BLOCK,
            })),
        }
    }

    pub(crate) fn seed(&self) -> u64 {
        self.seed
    }

    fn fill(&self, dst: &mut [u8]) {
        // A panic while holding the lock leaves the stream consistent (a byte
        // is taken whole or not at all), so a poisoned lock is still usable.
        let mut ks = self.stream.lock().unwrap_or_else(|p| p.into_inner());
        for b in dst.iter_mut() {
            *b = ks.next_byte();
        }
    }
}

impl TryRng for SeededRandom {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 1];
        self.fill(&mut b);
        Ok(u32::from(b[0]))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.fill(&mut b);
        Ok(u64::from_be_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.fill(dst);
        Ok(())
    }
}

impl TryCryptoRng for SeededRandom {}

/// Seeds one invocation's WASI context: `wasi:random/random` continues the
/// host's stream; `insecure` and `insecure-seed` (which the Forge build's
/// `wasi.js` does not serve from this stream) get fixed values of the seed.
pub(crate) fn install(wasi: &mut wasmtime_wasi::WasiCtxBuilder, random: &SeededRandom) {
    let seed = random.seed();
    wasi.secure_random(random.clone())
        .insecure_random(SeededRandom::new(!seed))
        .insecure_random_seed(u128::from(seed) << 64 | u128::from(!seed));
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime_wasi::p2::bindings::random::random::Host as _;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    // RFC 8439 A.1, test vectors #1 and #2: the all-zero key (seed 0), nonce
    // zero, blocks 0 and 1.
    const A1_BLOCK0: &str = "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586";
    const A1_BLOCK1: &str = "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f";

    #[test]
    fn seed_zero_is_the_rfc_8439_keystream_across_blocks_and_odd_draws() {
        let mut r = SeededRandom::new(0);
        let mut out = Vec::new();
        for n in [1usize, 7, 56, 3, 61] {
            let mut b = vec![0u8; n];
            r.fill_bytes(&mut b);
            out.extend(b);
        }
        assert_eq!(hex(&out), format!("{A1_BLOCK0}{A1_BLOCK1}"));
    }

    #[test]
    fn seed_one_gives_the_bytes_the_forge_runtime_gives() {
        // tests/forge-host/test/chacha20.test.mjs checks the same (OpenSSL's ChaCha20).
        let mut b = [0u8; 32];
        SeededRandom::new(1).fill_bytes(&mut b);
        assert_eq!(
            hex(&b),
            "c5d30a7ce1ec119378c84f487d775a8542f13ece238a9455e8229e888de85bbd"
        );
    }

    #[test]
    fn words_take_the_next_bytes_of_the_same_stream() {
        let mut r = SeededRandom::new(0);
        assert_eq!(r.next_u32(), 0x76);
        assert_eq!(
            r.next_u64(),
            u64::from_str_radix(&A1_BLOCK0[2..18], 16).unwrap()
        );
    }

    #[test]
    fn clones_share_one_stream_and_seeds_differ() {
        let mut a = SeededRandom::new(7);
        let mut b = a.clone();
        let (x, y) = (a.next_u64(), b.next_u64());
        assert_ne!(x, y, "a clone continues the stream, it does not restart it");
        let mut fresh = SeededRandom::new(7);
        assert_eq!(fresh.next_u64(), x);
        assert_eq!(fresh.next_u64(), y);
        assert_ne!(SeededRandom::new(8).next_u64(), x);
    }

    #[test]
    fn seeded_bytes_through_wasmtime_wasi() {
        let mut ctx = wasmtime_wasi::WasiCtxBuilder::new()
            .secure_random(SeededRandom::new(0))
            .build();
        let r = ctx.random();
        let bytes = r.get_random_bytes(5).unwrap();
        assert_eq!(hex(&bytes), A1_BLOCK0[..10]);
        let word = r.get_random_u64().unwrap();
        assert_eq!(word, u64::from_str_radix(&A1_BLOCK0[10..26], 16).unwrap());
    }
}
