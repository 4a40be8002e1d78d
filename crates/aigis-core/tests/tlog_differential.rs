//! Differential tests: `aigis_core::tlog` (proofs from tlog_tiles, roots
//! from `Frontier`) against ct-merkle, an independent RFC 6962
//! implementation. Roots for every size 1..=4096; inclusion and
//! consistency proofs exhaustively for small trees and for seeded samples
//! beyond, each proof compared hash by hash and checked by both verifiers.
//!
//! Native only: it is the heaviest test of the crate, and its
//! dev-dependencies are not built for wasm.
#![cfg(not(target_arch = "wasm32"))]

use aigis_core::tlog::{
    self, Frontier, Hash, MemTree, consistency_proof, frontier_at, inclusion_proof, root_at,
    verify_consistency, verify_inclusion,
};
use ct_merkle::mem_backed_tree::MemoryBackedTree;
use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
use sha2_011::Sha256;

const MAX: u64 = 4096;
/// Below this size every index and every old size is checked.
const EXHAUSTIVE: u64 = 64;

/// SplitMix64, seeded: the samples are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

type Ct = MemoryBackedTree<Sha256, Vec<u8>>;
type Digest = ct_merkle::digest::Output<Sha256>;

/// Leaf data of varied lengths (including empty), seeded.
fn leaf_data(i: u64, rng: &mut Rng) -> Vec<u8> {
    let len = (rng.below(48)) as usize;
    let mut v: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
    if i.is_multiple_of(7) {
        v.clear();
    }
    v.extend_from_slice(&i.to_be_bytes()[..(i % 3) as usize]);
    v
}

fn to_digest(h: &Hash) -> Digest {
    Digest::from(h.0)
}

fn from_bytes(b: &[u8]) -> Vec<Hash> {
    assert_eq!(b.len() % 32, 0);
    b.chunks_exact(32)
        .map(|c| {
            let mut a = [0u8; 32];
            a.copy_from_slice(c);
            Hash(a)
        })
        .collect()
}

fn ct_root(ct: &Ct) -> Hash {
    let r = ct.root();
    let mut a = [0u8; 32];
    a.copy_from_slice(r.as_bytes());
    Hash(a)
}

fn ct_root_hash(h: Hash, size: u64) -> RootHash<Sha256> {
    RootHash::new(to_digest(&h), size)
}

struct Fixture {
    rng: Rng,
    data: Vec<Vec<u8>>,
    roots: Vec<Hash>,
    mem: MemTree,
    ct: Ct,
    inclusion_checked: usize,
    consistency_checked: usize,
}

impl Fixture {
    fn check_inclusion(&mut self, index: u64, size: u64) {
        let ours = inclusion_proof(&self.mem, index, size).unwrap();
        let theirs = self.ct.prove_inclusion(index as usize);
        assert_eq!(
            ours,
            from_bytes(theirs.as_bytes()),
            "inclusion proof of {index} in {size}"
        );
        let data = &self.data[index as usize];
        let root = self.roots[size as usize];
        // Our proof through their verifier, theirs through ours.
        let ours_for_them = InclusionProof::<Sha256>::from_digests(
            ours.iter().map(to_digest).collect::<Vec<_>>().iter(),
        );
        ct_root_hash(root, size)
            .verify_inclusion(data, index, &ours_for_them)
            .unwrap_or_else(|e| panic!("ct-merkle rejects our proof {index}/{size}: {e:?}"));
        verify_inclusion(
            &from_bytes(theirs.as_bytes()),
            index,
            size,
            tlog::leaf_hash(data),
            root,
        )
        .unwrap();
        // Both refuse the proof against the previous root.
        if size > 1 {
            let prev = self.roots[size as usize - 1];
            assert!(
                ct_root_hash(prev, size)
                    .verify_inclusion(data, index, &ours_for_them)
                    .is_err()
            );
            assert!(verify_inclusion(&ours, index, size, tlog::leaf_hash(data), prev).is_err());
        }
        self.inclusion_checked += 1;
    }

    fn check_consistency(&mut self, old: u64, new: u64) {
        let ours = consistency_proof(&self.mem, old, new).unwrap();
        let theirs = self.ct.prove_consistency((new - old) as usize);
        assert_eq!(
            ours,
            from_bytes(theirs.as_bytes()),
            "consistency proof {old} -> {new}"
        );
        let (r1, r2) = (self.roots[old as usize], self.roots[new as usize]);
        let ours_for_them = ConsistencyProof::<Sha256>::from_digests(
            ours.iter().map(to_digest).collect::<Vec<_>>().iter(),
        );
        ct_root_hash(r2, new)
            .verify_consistency(&ct_root_hash(r1, old), &ours_for_them)
            .unwrap_or_else(|e| panic!("ct-merkle rejects our proof {old} -> {new}: {e:?}"));
        verify_consistency(&from_bytes(theirs.as_bytes()), old, r1, new, r2).unwrap();
        // Both refuse swapped roots (distinct trees have distinct roots).
        if old != new {
            assert!(
                ct_root_hash(r1, new)
                    .verify_consistency(&ct_root_hash(r2, old), &ours_for_them)
                    .is_err()
            );
            assert!(verify_consistency(&ours, old, r2, new, r1).is_err());
        }
        self.consistency_checked += 1;
    }
}

#[test]
fn roots_and_proofs_agree_with_ct_merkle() {
    let mut f = Fixture {
        rng: Rng(0x6962_0409_6000),
        data: Vec::new(),
        roots: vec![Frontier::empty().root().unwrap()],
        mem: MemTree::default(),
        ct: Ct::new(),
        inclusion_checked: 0,
        consistency_checked: 0,
    };
    for size in 1..=MAX {
        let i = size - 1;
        let data = leaf_data(i, &mut f.rng);
        f.ct.push(data.clone());
        f.mem.push(tlog::leaf_hash(&data)).unwrap();
        f.data.push(data);

        // Roots: Frontier, the stored nodes, and ct-merkle agree at every size.
        let root = f.mem.frontier.root().unwrap();
        assert_eq!(root, ct_root(&f.ct), "root of {size}");
        assert_eq!(f.ct.root().num_leaves(), size);
        f.roots.push(root);
        if size <= EXHAUSTIVE || size % 61 == 0 || size.is_power_of_two() {
            assert_eq!(root_at(&f.mem, size).unwrap(), root, "root_at {size}");
            assert_eq!(frontier_at(&f.mem, size).unwrap(), f.mem.frontier);
        }

        // Proofs: ct-merkle proves from its current size only, so every
        // proof for this size is taken now.
        let (indexes, olds): (Vec<u64>, Vec<u64>) = if size <= EXHAUSTIVE {
            ((0..size).collect(), (1..=size).collect())
        } else if size % 8 == 0 || size.is_power_of_two() || (size + 1).is_power_of_two() {
            let mut idx = vec![0, size - 1, size / 2];
            idx.extend((0..3).map(|_| f.rng.below(size)));
            let mut olds = vec![1, size - 1, size, size.next_power_of_two() / 2];
            olds.extend((0..3).map(|_| 1 + f.rng.below(size)));
            (idx, olds)
        } else {
            (vec![f.rng.below(size)], vec![1 + f.rng.below(size)])
        };
        for index in indexes {
            f.check_inclusion(index, size);
        }
        for old in olds {
            f.check_consistency(old, size);
        }
    }
    assert!(f.inclusion_checked > 8_000, "{}", f.inclusion_checked);
    assert!(f.consistency_checked > 8_000, "{}", f.consistency_checked);
}

/// The leaf and node hash functions agree with ct-merkle's, checked through
/// single-leaf and two-leaf trees on edge-case leaves.
#[test]
fn hash_functions_agree() {
    for data in [
        vec![],
        vec![0u8],
        vec![1u8],
        vec![0u8; 64],
        vec![0xffu8; 1000],
    ] {
        let mut ct = Ct::new();
        ct.push(data.clone());
        assert_eq!(ct_root(&ct), tlog::leaf_hash(&data));
        ct.push(data.clone());
        let l = tlog::leaf_hash(&data);
        assert_eq!(ct_root(&ct), tlog::node_hash(l, l));
    }
}
