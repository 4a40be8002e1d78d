//! Mutating packs: a seeded generator, zip rewriting and the fuzz bodies
//! (shared by the stable tests and the cargo-fuzz targets).
#![allow(dead_code)]

use aigis_core::pack::{self, VerifyOptions};

/// SplitMix64: tiny, seeded, deterministic.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

pub type Entries = Vec<(String, Vec<u8>)>;

pub fn unzip(zip: &[u8]) -> Entries {
    pack::read_entries(zip).expect("readable")
}

pub fn rezip(entries: &Entries) -> Vec<u8> {
    let refs: Vec<(&str, &[u8])> = entries.iter().map(|(n, b)| (n.as_str(), &b[..])).collect();
    pack::write_zip(&refs).expect("zip")
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A zip with stored entries, written by hand: allows duplicate names.
pub fn stored_zip(entries: &Entries) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let mut local = Vec::new();
        local.extend(0x0403_4b50u32.to_le_bytes());
        local.extend(20u16.to_le_bytes()); // version needed
        local.extend(0u16.to_le_bytes()); // flags
        local.extend(0u16.to_le_bytes()); // stored
        local.extend(0u16.to_le_bytes()); // time
        local.extend(0x21u16.to_le_bytes()); // date 1980-01-01
        local.extend(crc.to_le_bytes());
        local.extend((data.len() as u32).to_le_bytes());
        local.extend((data.len() as u32).to_le_bytes());
        local.extend((name.len() as u16).to_le_bytes());
        local.extend(0u16.to_le_bytes());
        out.extend(&local);
        out.extend(name.as_bytes());
        out.extend(data);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes()); // made by
        central.extend(&local[4..]);
        central.extend(0u16.to_le_bytes()); // comment
        central.extend(0u16.to_le_bytes()); // disk
        central.extend(0u16.to_le_bytes()); // internal attrs
        central.extend(0u32.to_le_bytes()); // external attrs
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

fn lines(b: &[u8]) -> Vec<Vec<u8>> {
    b.split_inclusive(|c| *c == b'\n').map(<[u8]>::to_vec).collect()
}

/// One content-level mutation of one file, from `r`. Returns a name.
pub fn mutate_file(r: &mut Rng, bytes: &mut Vec<u8>) -> &'static str {
    let op = r.below(7);
    match op {
        0 if !bytes.is_empty() => {
            let i = r.below(bytes.len());
            bytes[i] ^= 1 + r.below(255) as u8;
            "alter-byte"
        }
        1 => {
            let mut ls = lines(bytes);
            if !ls.is_empty() {
                let i = r.below(ls.len());
                ls.remove(i);
            }
            *bytes = ls.concat();
            "remove-line"
        }
        2 => {
            let mut ls = lines(bytes);
            if !ls.is_empty() {
                let i = r.below(ls.len());
                let l = ls[i].clone();
                ls.insert(i, l);
            }
            *bytes = ls.concat();
            "duplicate-line"
        }
        3 => {
            let mut ls = lines(bytes);
            if ls.len() > 1 {
                let i = r.below(ls.len());
                let j = r.below(ls.len());
                ls.swap(i, j);
            }
            *bytes = ls.concat();
            "reorder-lines"
        }
        4 => {
            let mut ls = lines(bytes);
            let i = r.below(ls.len() + 1);
            ls.insert(i, format!("{{\"junk\":{}}}\n", r.next()).into_bytes());
            *bytes = ls.concat();
            "insert-line"
        }
        5 => {
            let n = r.below(bytes.len());
            bytes.truncate(n);
            "truncate"
        }
        _ => {
            let i = r.below(bytes.len() + 1);
            bytes.insert(i, b' ');
            "insert-byte"
        }
    }
}

/// Fuzz body 1: arbitrary bytes. Never panics; `ok` only if the archive
/// holds exactly the pristine files.
pub fn fuzz_raw(data: &[u8], pristine: &[u8]) {
    let r = pack::verify(data, &VerifyOptions::default());
    if r.ok {
        assert_eq!(sorted(unzip(data)), sorted(unzip(pristine)), "a different pack verified");
    }
    // As the older pack of a good one (worth it once the zip reads).
    if r.failure.as_ref().is_some_and(|f| f.rule.starts_with("zip.")) {
        return;
    }
    let opts = VerifyOptions {
        previous: Some(data.to_vec()),
        ..VerifyOptions::default()
    };
    let _ = pack::verify(pristine, &opts);
}

fn sorted(mut e: Entries) -> Entries {
    e.sort();
    e
}

/// Fuzz body 2: a valid pack mutated under the control of `data`: either
/// one of its files (content-level, rezipped) or its zip bytes.
/// Asserts no panic and that a changed pack never verifies.
pub fn fuzz_mutated(data: &[u8], pristine: &[u8]) {
    if data.len() < 9 {
        return;
    }
    let mut seed = [0u8; 8];
    seed.copy_from_slice(&data[1..9]);
    let mut r = Rng(u64::from_le_bytes(seed));
    let base = unzip(pristine);
    let candidate = if data[0] & 1 == 0 {
        // Content-level: mutate files, splice the fuzzer's bytes into one.
        let mut e = base.clone();
        let rounds = 1 + (data[0] >> 1) as usize % 3;
        for _ in 0..rounds {
            let i = r.below(e.len());
            if r.below(4) == 0 && data.len() > 9 {
                let at = r.below(e[i].1.len() + 1);
                let tail = e[i].1.split_off(at);
                e[i].1.extend_from_slice(&data[9..]);
                e[i].1.extend(tail);
            } else {
                mutate_file(&mut r, &mut e[i].1);
            }
        }
        if sorted(e.clone()) == sorted(base.clone()) {
            return;
        }
        let z = rezip(&e);
        let rep = pack::verify(&z, &VerifyOptions::default());
        assert!(!rep.ok, "a mutated pack verified");
        return;
    } else {
        let mut z = pristine.to_vec();
        for k in 9..data.len().min(64) {
            let i = r.below(z.len());
            z[i] ^= data[k] | 1;
        }
        z
    };
    let rep = pack::verify(&candidate, &VerifyOptions::default());
    if rep.ok {
        assert_eq!(sorted(unzip(&candidate)), sorted(base), "a different pack verified");
    }
}
