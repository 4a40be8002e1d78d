//! RFC 6962 known-answer tests for `aigis_core::tlog`.
//!
//! The eight leaves, the roots of the trees of 1..=8 leaves, the audit paths
//! and the consistency proofs are the reference vectors of Certificate
//! Transparency (google/certificate-transparency, cpp/merkletree/
//! merkle_tree_test.cc: kInputs, kSHA256Roots, kSHA256Paths, kSHA256Proofs)
//! as carried on by transparency-dev/merkle (proof/verify_test.go, which
//! adds the 6 -> 7 consistency proof). Leaf numbers in those files are
//! 1-based; here they are 0-based indexes.

use aigis_core::tlog::{
    self, Frontier, Hash, MemTree, TlogError, consistency_proof, frontier_at, inclusion_proof,
    root_at, verify_consistency, verify_inclusion,
};

/// SHA-256 of the empty string: the root of the empty tree.
const EMPTY_ROOT: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The reference leaves (hex of the leaf data, not of its hash).
const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

/// `ROOTS[n - 1]` is the root of the tree of the first `n` leaves.
const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// (leaf index, tree size, audit path).
const INCLUSION: [(u64, u64, &[&str]); 5] = [
    (0, 1, &[]),
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// (old size, new size, consistency proof).
const CONSISTENCY: [(u64, u64, &[&str]); 5] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

fn h(s: &str) -> Hash {
    tlog::from_hex(s).unwrap()
}

fn bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

fn root(size: u64) -> Hash {
    h(ROOTS[size as usize - 1])
}

fn leaf(i: u64) -> Hash {
    tlog::leaf_hash(&bytes(LEAVES[i as usize]))
}

/// The reference tree through `Frontier::push`, and its root after each leaf.
fn reference_tree() -> (MemTree, Vec<Frontier>) {
    let mut mem = MemTree::default();
    let mut frontiers = vec![mem.frontier.clone()];
    for i in 0..8u64 {
        let done = mem.push(leaf(i)).unwrap();
        assert_eq!(done.len() as u32, i.trailing_ones() + 1);
        frontiers.push(mem.frontier.clone());
    }
    (mem, frontiers)
}

fn hashes(list: &[&str]) -> Vec<Hash> {
    list.iter().map(|s| h(s)).collect()
}

#[test]
fn empty_tree_root_is_sha256_of_nothing() {
    assert_eq!(tlog::hex(&Frontier::empty().root().unwrap()), EMPTY_ROOT);
    let (mem, _) = reference_tree();
    assert_eq!(tlog::hex(&root_at(&mem, 0).unwrap()), EMPTY_ROOT);
}

#[test]
fn first_root_is_the_leaf_hash_of_the_empty_leaf() {
    // RFC 6962: MTH({d0}) = SHA-256(0x00 || d0), here with d0 empty.
    assert_eq!(tlog::hex(&tlog::leaf_hash(b"")), ROOTS[0]);
}

#[test]
fn frontier_roots_match_the_reference_roots() {
    let (mem, frontiers) = reference_tree();
    for size in 1..=8u64 {
        let f = &frontiers[size as usize];
        assert_eq!(f.size, size);
        assert_eq!(f.hashes.len() as u32, size.count_ones());
        assert_eq!(tlog::hex(&f.root().unwrap()), ROOTS[size as usize - 1]);
        assert_eq!(root_at(&mem, size).unwrap(), root(size), "root_at {size}");
        assert_eq!(&frontier_at(&mem, size).unwrap(), f, "frontier_at {size}");
    }
}

#[test]
fn extend_in_chunks_matches_pushing_one_by_one() {
    let (_, frontiers) = reference_tree();
    let mut f = Frontier::empty();
    f.extend((0..3).map(leaf)).unwrap();
    assert_eq!(f, frontiers[3]);
    f.extend((3..8).map(leaf)).unwrap();
    assert_eq!(f, frontiers[8]);
}

#[test]
fn inclusion_proofs_match_the_reference_paths_and_verify() {
    let (mem, _) = reference_tree();
    for (index, size, path) in INCLUSION {
        let want = hashes(path);
        let got = inclusion_proof(&mem, index, size).unwrap();
        assert_eq!(got, want, "path of leaf {index} in {size}");
        verify_inclusion(&want, index, size, leaf(index), root(size)).unwrap();
    }
}

#[test]
fn consistency_proofs_match_the_reference_proofs_and_verify() {
    let (mem, _) = reference_tree();
    for (old, new, path) in CONSISTENCY {
        let want = hashes(path);
        let got = consistency_proof(&mem, old, new).unwrap();
        assert_eq!(got, want, "proof {old} -> {new}");
        verify_consistency(&want, old, root(old), new, root(new)).unwrap();
    }
}

#[test]
fn every_proof_in_the_reference_tree_verifies() {
    let (mem, _) = reference_tree();
    for size in 1..=8u64 {
        for index in 0..size {
            let p = inclusion_proof(&mem, index, size).unwrap();
            verify_inclusion(&p, index, size, leaf(index), root(size)).unwrap();
        }
        for old in 1..=size {
            let p = consistency_proof(&mem, old, size).unwrap();
            verify_consistency(&p, old, root(old), size, root(size)).unwrap();
        }
    }
}

/// The CT and transparency-dev verifiers treat the empty tree as a prefix
/// of every tree; this API refuses to prove or check anything about size 0
/// (a checkpoint of size 0 commits to nothing) and says so, as an error.
#[test]
fn size_zero_is_refused_not_accepted() {
    let (mem, _) = reference_tree();
    let empty = h(EMPTY_ROOT);
    assert!(matches!(
        verify_consistency(&[], 0, empty, 0, empty),
        Err(TlogError::Invalid(_))
    ));
    assert!(matches!(
        verify_consistency(&[], 0, empty, 1, root(1)),
        Err(TlogError::Invalid(_))
    ));
    assert!(consistency_proof(&mem, 0, 8).is_err());
    assert!(inclusion_proof(&mem, 0, 0).is_err());
    assert!(matches!(
        verify_inclusion(&[], 0, 0, leaf(0), empty),
        Err(TlogError::Invalid(_))
    ));
}

/// transparency-dev TestVerifyConsistency: equal sizes need equal roots and
/// an empty proof; a shrinking tree and an empty proof for growth fail.
#[test]
fn trivial_consistency_cases() {
    let a = tlog::leaf_hash(b"don't care 1");
    let b = tlog::leaf_hash(b"don't care 2");
    let empty = h(EMPTY_ROOT);
    verify_consistency(&[], 1, b, 1, b).unwrap();
    assert!(verify_consistency(&[], 1, a, 1, b).is_err());
    assert!(verify_consistency(&[], 1, empty, 1, b).is_err());
    assert!(verify_consistency(&[empty], 1, empty, 1, empty).is_err());
    assert!(verify_consistency(&[], 1, a, 0, b).is_err());
    assert!(verify_consistency(&[], 2, a, 1, b).is_err());
    assert!(verify_consistency(&[], 1, a, 2, b).is_err());
}

/// transparency-dev TestVerifyInclusionSingleEntry: in a tree of one leaf
/// the root is the leaf hash and the proof is empty.
#[test]
fn single_entry_inclusion() {
    let data = tlog::leaf_hash(b"data");
    verify_inclusion(&[], 0, 1, data, data).unwrap();
    let other = h(EMPTY_ROOT);
    assert!(verify_inclusion(&[], 0, 1, data, other).is_err());
    assert!(verify_inclusion(&[], 0, 1, other, data).is_err());
    for (index, size) in [(0, 0), (1, 0), (2, 1), (1, 1)] {
        assert!(verify_inclusion(&[], index, size, data, data).is_err());
    }
}
