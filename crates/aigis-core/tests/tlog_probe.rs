//! Proof probing in the manner of transparency-dev/merkle (proof/
//! verify_test.go: corruptInclusionProof, corruptConsistencyProof) and of
//! Certificate Transparency's MerkleVerifierTest: every valid proof is
//! mutated in every way a forger or a buggy log could, and each mutation
//! must be rejected. Hostile sizes, indexes and proof lengths must give an
//! error, never a panic. Everything is deterministic (fixed seed).

use aigis_core::tlog::{
    self, Frontier, Hash, MemTree, TlogError, consistency_proof, frontier_at, inclusion_proof,
    node_home, root_at, verify_consistency, verify_inclusion,
};

/// SplitMix64: a tiny seeded generator, so the tests need no RNG crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn hash(&mut self) -> Hash {
        let mut out = [0u8; 32];
        for chunk in out.chunks_mut(8) {
            chunk.copy_from_slice(&self.next().to_le_bytes());
        }
        Hash(out)
    }
}

/// A tree of `n` leaves `"leaf {i}"`: stored nodes, leaf hashes, and the
/// root after every size (`roots[0]` is the empty root).
fn tree(n: u64) -> (MemTree, Vec<Hash>, Vec<Hash>) {
    let mut mem = MemTree::default();
    let mut leaves = Vec::new();
    let mut roots = vec![mem.frontier.root().unwrap()];
    for i in 0..n {
        let l = tlog::leaf_hash(format!("leaf {i}").as_bytes());
        leaves.push(l);
        mem.push(l).unwrap();
        roots.push(mem.frontier.root().unwrap());
    }
    (mem, leaves, roots)
}

fn some_hash() -> Hash {
    tlog::from_hex("abacaba000000000000000000000000000000000000000000060061e00123456").unwrap()
}

fn empty_root() -> Hash {
    Frontier::empty().root().unwrap()
}

/// The left/right pattern an RFC 9162 (section 2.1.3.2) verifier follows for
/// an audit path of `index` in a tree of `size` leaves: `true` where the
/// proof element is the left child. `None` where this API refuses the
/// input (index not below size, sizes of 2^62 and up).
///
/// The recomputed root depends on the proof, the leaf and this pattern
/// only, so a valid proof also verifies for any other (index, size) with
/// the same pattern: a root commits to its size only through the signed
/// checkpoint that pairs them. RFC 6962 verifiers, transparency-dev's and
/// ct-merkle's included, all behave so ("verification success does NOT
/// imply that the size of the tree that produced the proof equals
/// num_leaves", ct-merkle). The probes below therefore expect a wrong size
/// or index to verify exactly when its pattern is the original one.
fn inclusion_shape(index: u64, size: u64) -> Option<Vec<bool>> {
    if index >= size || size >= 1 << 62 {
        return None;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut out = Vec::new();
    while s > 0 {
        if f & 1 == 1 || f == s {
            out.push(true);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            out.push(false);
        }
        f >>= 1;
        s >>= 1;
    }
    Some(out)
}

/// The same for a consistency proof (RFC 9162 section 2.1.4.2): whether the
/// old root seeds the walk (old size a power of two) or the proof's first
/// element does, then per further element whether it extends both roots
/// from the left (`true`) or the new root only from the right. Equal sizes
/// are their own shape (empty proof, equal roots).
fn consistency_shape(old: u64, new: u64) -> Option<(u8, Vec<bool>)> {
    if old == 0 || old > new || new >= 1 << 62 {
        return None;
    }
    if old == new {
        return Some((0, vec![]));
    }
    let kind = if old.is_power_of_two() { 1 } else { 2 };
    let (mut f, mut s) = (old - 1, new - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let mut out = Vec::new();
    while s > 0 {
        if f & 1 == 1 || f == s {
            out.push(true);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            out.push(false);
        }
        f >>= 1;
        s >>= 1;
    }
    Some((kind, out))
}

/// Sizes far from any real tree: the verifier must answer, not panic.
const HUGE: [u64; 8] = [
    (1 << 62) - 1,
    1 << 62,
    (1 << 62) + 1,
    1 << 63,
    (1 << 63) + 1,
    u64::MAX - 1,
    u64::MAX,
    u32::MAX as u64 + 1,
];

/// Proof variants that must all fail: truncated, extended at either end,
/// an element inserted or duplicated, emptied, reversed.
fn structural_mutations(p: &[Hash], extra: &[Hash]) -> Vec<(String, Vec<Hash>)> {
    let mut out = Vec::new();
    if !p.is_empty() {
        out.push(("empty proof".into(), vec![]));
        out.push(("removed last".into(), p[..p.len() - 1].to_vec()));
        out.push(("removed first".into(), p[1..].to_vec()));
        out.push((
            "preceding first".into(),
            [&[p[0]], p].concat().into_iter().collect(),
        ));
    }
    if p.len() > 1 {
        let mut inserted = vec![p[0], some_hash()];
        inserted.extend_from_slice(&p[1..]);
        out.push(("inserted component".into(), inserted));
        let mut rev = p.to_vec();
        rev.reverse();
        if rev != p {
            out.push(("reversed".into(), rev));
        }
        let mut swapped = p.to_vec();
        swapped.swap(0, 1);
        if swapped != p {
            out.push(("swapped first two".into(), swapped));
        }
    }
    for (i, x) in extra.iter().enumerate() {
        let mut a = p.to_vec();
        a.push(*x);
        out.push((format!("trailing extra[{i}]"), a));
        let mut b = vec![*x];
        b.extend_from_slice(p);
        out.push((format!("preceding extra[{i}]"), b));
    }
    out
}

/// Every proof element with one bit flipped: all 256 bits if `all_bits`,
/// else bit 3 of byte 0 (transparency-dev's choice), bit 4 of byte 0 (CT's
/// consistency probe), and the extreme bits of the middle and last bytes.
fn bit_flips(p: &[Hash], all_bits: bool) -> Vec<(String, Vec<Hash>)> {
    let mut positions = Vec::new();
    if all_bits {
        for byte in 0..32 {
            for bit in 0..8u8 {
                positions.push((byte, bit));
            }
        }
    } else {
        positions.extend([(0, 3), (0, 4), (15, 0), (16, 7), (31, 0), (31, 7)]);
    }
    let mut out = Vec::new();
    for i in 0..p.len() {
        for &(byte, bit) in &positions {
            let mut q = p.to_vec();
            q[i].0[byte] ^= 1 << bit;
            out.push((format!("proof[{i}] byte {byte} bit {bit}"), q));
        }
    }
    out
}

fn check_inclusion_probes(
    mem: &MemTree,
    leaves: &[Hash],
    roots: &[Hash],
    index: u64,
    size: u64,
    all_bits: bool,
) -> usize {
    let p = inclusion_proof(mem, index, size).unwrap();
    let leaf = leaves[index as usize];
    let root = roots[size as usize];
    verify_inclusion(&p, index, size, leaf, root).unwrap();
    let shape = inclusion_shape(index, size).unwrap();
    assert_eq!(p.len(), shape.len(), "proof length of {index} in {size}");
    let ctx = format!("leaf {index} in {size}");
    let n = std::cell::Cell::new(0usize);
    let reject = |what: &str, p: &[Hash], i: u64, s: u64, l: Hash, r: Hash| {
        n.set(n.get() + 1);
        assert!(
            verify_inclusion(p, i, s, l, r).is_err(),
            "{ctx}: accepted {what}"
        );
    };

    // Wrong index or size: rejected unless the verifier would walk the very
    // same path (see `inclusion_shape`).
    let moved = [
        ("index - 1", index.wrapping_sub(1), size),
        ("index + 1", index + 1, size),
        ("index ^ 2", index ^ 2, size),
        ("index = size", size, size),
        ("index = u64::MAX", u64::MAX, size),
        ("size - 1", index, size - 1),
        ("size + 1", index, size + 1),
        ("size * 2", index, size * 2),
        ("size / 2", index, size / 2),
        ("size 0", index, 0),
    ];
    for (what, i, s) in moved
        .into_iter()
        .chain(HUGE.iter().map(|&s| ("huge size", index, s)))
    {
        if (i, s) == (index, size) {
            continue;
        }
        n.set(n.get() + 1);
        let same = inclusion_shape(i, s).as_ref() == Some(&shape);
        assert_eq!(
            verify_inclusion(&p, i, s, leaf, root).is_ok(),
            same,
            "{ctx}: {what} ({i}, {s})"
        );
        // With the leaf moved the walk is the same; with any other leaf or
        // root it fails whatever the claimed position.
        assert!(verify_inclusion(&p, i, s, some_hash(), root).is_err());
    }
    // Wrong leaf or root.
    reject(
        "wrong leaf",
        &p,
        index,
        size,
        tlog::leaf_hash(b"WrongLeaf"),
        root,
    );
    reject("empty root", &p, index, size, leaf, empty_root());
    reject("random root", &p, index, size, leaf, some_hash());
    if size > 1 {
        // In a tree of one leaf the root is the leaf hash.
        reject("root as the leaf", &p, index, size, root, root);
        reject("swapped leaf and root", &p, index, size, root, leaf);
    }
    if size > 1 {
        reject(
            "previous root",
            &p,
            index,
            size,
            leaf,
            roots[size as usize - 1],
        );
    }
    // Structural damage and single bit flips.
    for (what, q) in structural_mutations(&p, &[Hash([0; 32]), root, leaf, some_hash()]) {
        reject(&what, &q, index, size, leaf, root);
    }
    for (what, q) in bit_flips(&p, all_bits) {
        reject(&what, &q, index, size, leaf, root);
    }
    n.get()
}

fn check_consistency_probes(
    mem: &MemTree,
    roots: &[Hash],
    old: u64,
    new: u64,
    all_bits: bool,
) -> usize {
    let p = consistency_proof(mem, old, new).unwrap();
    let (r1, r2) = (roots[old as usize], roots[new as usize]);
    verify_consistency(&p, old, r1, new, r2).unwrap();
    let shape = consistency_shape(old, new).unwrap();
    let want_len = shape.1.len() + usize::from(shape.0 == 2);
    assert_eq!(p.len(), want_len, "proof length of {old} -> {new}");
    let ctx = format!("{old} -> {new}");
    let n = std::cell::Cell::new(0usize);
    let reject = |what: &str, p: &[Hash], o: u64, a: Hash, s: u64, b: Hash| {
        n.set(n.get() + 1);
        assert!(
            verify_consistency(p, o, a, s, b).is_err(),
            "{ctx}: accepted {what}"
        );
    };
    if old == new {
        // Equal sizes: only the empty proof and equal roots.
        reject("other root", &[], old, r1, new, some_hash());
        reject("non-empty proof", &[r1], old, r1, new, r2);
        reject("old - 1", &[], old - 1, r1, new, r2);
        reject("new - 1", &[], old, r1, new - 1, r2);
        return n.get();
    }
    for (what, o, s) in [
        ("old - 1", old - 1, new),
        ("old + 1", old + 1, new),
        ("old ^ 2", old ^ 2, new),
        ("old 0", 0, new),
        ("new - 1", old, new - 1),
        ("new + 1", old, new + 1),
        ("new * 2", old, new * 2),
        ("new / 2", old, new / 2),
        ("new 0", old, 0),
        ("old = new", new, new),
        ("old > new", new + 1, new),
        ("sizes swapped", new, old),
    ]
    .into_iter()
    .chain(HUGE.iter().map(|&s| ("huge new", old, s)))
    .chain(HUGE.iter().map(|&s| ("huge old", s, new)))
    .chain(HUGE.iter().map(|&s| ("huge both", s, s)))
    {
        if (o, s) == (old, new) {
            continue;
        }
        // Rejected unless the verifier would walk the very same path (see
        // `consistency_shape`).
        n.set(n.get() + 1);
        let same = consistency_shape(o, s).as_ref() == Some(&shape);
        assert_eq!(
            verify_consistency(&p, o, r1, s, r2).is_ok(),
            same,
            "{ctx}: {what} ({o}, {s})"
        );
        assert!(verify_consistency(&p, o, r1, s, some_hash()).is_err());
    }
    reject("wrong root1", &p, old, some_hash(), new, r2);
    reject("wrong root2", &p, old, r1, new, some_hash());
    reject("swapped roots", &p, old, r2, new, r1);
    reject("root1 twice", &p, old, r1, new, r1);
    reject("root2 twice", &p, old, r2, new, r2);
    reject("empty roots", &p, old, empty_root(), new, empty_root());
    for (what, q) in structural_mutations(&p, &[Hash([0; 32]), r1, r2, p[0]]) {
        reject(&what, &q, old, r1, new, r2);
    }
    for (what, q) in bit_flips(&p, all_bits) {
        reject(&what, &q, old, r1, new, r2);
    }
    n.get()
}

#[test]
fn corrupted_inclusion_proofs_are_rejected() {
    let (mem, leaves, roots) = tree(70);
    let mut probes = 0;
    // Every leaf of every tree up to 8 leaves, every bit of every element.
    for size in 1..=8u64 {
        for index in 0..size {
            probes += check_inclusion_probes(&mem, &leaves, &roots, index, size, true);
        }
    }
    // Larger trees: edges and a seeded sample, one bit per byte.
    let mut rng = Rng(0x1e50_f1ea);
    for size in 9..=70u64 {
        let mut idx = vec![0, size - 1, size / 2];
        idx.extend((0..3).map(|_| rng.next() % size));
        for index in idx {
            probes += check_inclusion_probes(&mem, &leaves, &roots, index, size, false);
        }
    }
    assert!(probes > 10_000, "{probes}");
}

#[test]
fn corrupted_consistency_proofs_are_rejected() {
    let (mem, _, roots) = tree(70);
    let mut probes = 0;
    for new in 1..=8u64 {
        for old in 1..=new {
            probes += check_consistency_probes(&mem, &roots, old, new, true);
        }
    }
    let mut rng = Rng(0xc051_57e9);
    for new in 9..=70u64 {
        let mut olds = vec![1, new - 1, new, new / 2, new.next_power_of_two() / 2];
        olds.extend((0..3).map(|_| 1 + rng.next() % new));
        for old in olds {
            probes += check_consistency_probes(&mem, &roots, old, new, false);
        }
    }
    assert!(probes > 10_000, "{probes}");
}

/// Arbitrary sizes, indexes and proofs of every length up to past the
/// accepted maximum: an error every time (none of these is a real proof),
/// and no panic, overflow or runaway recursion.
#[test]
fn hostile_inputs_never_panic() {
    let mut rng = Rng(0xbad5_eed0);
    let mut sizes = vec![0u64, 1, 2, 3, 4, 5, 7, 8, 9, 255, 256, 257];
    sizes.extend(HUGE);
    sizes.extend((0..8).map(|_| rng.next()));
    sizes.extend((0..8).map(|_| rng.next() >> 2));
    let leaf = rng.hash();
    let root = rng.hash();
    for len in [
        0usize, 1, 2, 3, 31, 32, 61, 62, 63, 64, 65, 66, 127, 128, 129, 130, 131, 500,
    ] {
        let proof: Vec<Hash> = (0..len).map(|_| rng.hash()).collect();
        for &size in &sizes {
            let indexes = [
                0,
                1,
                size.wrapping_sub(1),
                size,
                size.wrapping_add(1),
                size / 2,
                u64::MAX,
            ];
            for index in indexes {
                assert!(verify_inclusion(&proof, index, size, leaf, root).is_err());
            }
            for &other in &sizes {
                assert!(verify_consistency(&proof, other, root, size, leaf).is_err());
                assert!(verify_consistency(&proof, other, root, size, root).is_err() || len == 0);
            }
        }
    }
    // The one accepted shape for equal sizes: empty proof, equal roots.
    verify_consistency(&[], 5, root, 5, root).unwrap();
    // ... but not for sizes the verifier refuses.
    assert!(verify_consistency(&[], u64::MAX, root, u64::MAX, root).is_err());
    assert!(verify_consistency(&[], 0, root, 0, root).is_err());
}

#[test]
fn proofs_from_a_store_with_missing_or_wrong_nodes_fail_cleanly() {
    let (mem, leaves, roots) = tree(40);
    let empty = MemTree::default();
    for size in [1u64, 2, 5, 8, 40] {
        assert!(frontier_at(&empty, size).is_err());
        assert!(root_at(&empty, size).is_err());
        if size > 1 {
            assert!(inclusion_proof(&empty, 0, size).is_err());
            assert!(consistency_proof(&empty, 1, size).is_err());
        }
    }
    // Beyond the stored tree: a missing node, reported as an error.
    assert!(inclusion_proof(&mem, 3, 41).is_err());
    assert!(consistency_proof(&mem, 40, 64).is_err());
    assert!(root_at(&mem, 1000).is_err());
    // Refused sizes.
    for size in HUGE {
        assert!(root_at(&mem, size).is_err() || size < 1 << 62);
        assert!(inclusion_proof(&mem, 0, size).is_err());
        assert!(inclusion_proof(&mem, size, size).is_err());
        assert!(consistency_proof(&mem, 1, size).is_err());
        // A tree is consistent with itself: the empty proof, no reads.
        if size < 1 << 62 {
            assert_eq!(consistency_proof(&mem, size, size).unwrap(), vec![]);
        } else {
            assert!(consistency_proof(&mem, size, size).is_err());
        }
        assert!(frontier_at(&mem, size).is_err());
    }
    assert!(inclusion_proof(&mem, 5, 3).is_err());
    assert!(consistency_proof(&mem, 5, 3).is_err());
    assert!(consistency_proof(&mem, 0, 3).is_err());
    // A store that lies about a node yields a proof that does not verify.
    let mut forged = mem.clone();
    forged.nodes.insert((0, 1), tlog::leaf_hash(b"forged"));
    let p = inclusion_proof(&forged, 0, 8).unwrap();
    assert!(verify_inclusion(&p, 0, 8, leaves[0], roots[8]).is_err());
}

#[test]
fn hostile_frontiers_give_errors() {
    let h = tlog::hex(&tlog::leaf_hash(b"x"));
    // Wrong number of hashes for the size.
    for (size, n) in [(1u64, 0usize), (1, 2), (3, 1), (0, 1), (u64::MAX, 63)] {
        let f = Frontier {
            size,
            hashes: vec![h.clone(); n],
        };
        assert!(f.decode().is_err(), "size {size} with {n}");
        assert!(f.root().is_err());
        assert!(f.clone().push(tlog::leaf_hash(b"y")).is_err());
    }
    // A full tree (size u64::MAX, 64 subtrees) has a root but no room.
    let mut full = Frontier {
        size: u64::MAX,
        hashes: vec![h.clone(); 64],
    };
    full.root().unwrap();
    let before = full.clone();
    assert!(matches!(
        full.push(tlog::leaf_hash(b"y")),
        Err(TlogError::Invalid(_))
    ));
    assert_eq!(full, before, "a failed push leaves the frontier unchanged");
    // Malformed hex: upper case, short, long, non-hex, multi-byte UTF-8.
    for bad in [
        h.to_uppercase(),
        h[..63].to_owned(),
        format!("{h}0"),
        format!("{}g", &h[..63]),
        format!("{}é", &h[..62]),
        " ".repeat(64),
        String::new(),
    ] {
        assert!(tlog::from_hex(&bad).is_err(), "{bad:?}");
        let f = Frontier {
            size: 1,
            hashes: vec![bad],
        };
        assert!(f.root().is_err());
    }
}

#[test]
fn hex_round_trips_and_is_canonical() {
    let mut rng = Rng(42);
    for _ in 0..1000 {
        let x = rng.hash();
        let s = tlog::hex(&x);
        assert_eq!(s.len(), 64);
        assert!(
            s.bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        );
        assert_eq!(tlog::from_hex(&s).unwrap(), x);
    }
    assert_eq!(
        tlog::hex(&Hash([0xff; 32])),
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    );
}

#[test]
fn node_home_never_overflows() {
    for level in 0..=255u8 {
        for index in [0, 1, 2, u64::MAX >> 1, u64::MAX - 1, u64::MAX] {
            if let Some((seq, pos)) = node_home(level, index) {
                assert_eq!(pos, usize::from(level));
                assert_eq!(seq >> level, index + 1);
                assert!(seq.trailing_zeros() >= u32::from(level));
            }
        }
    }
    assert_eq!(node_home(0, u64::MAX), None);
    assert_eq!(node_home(64, 0), None);
    assert_eq!(node_home(63, 0), Some((1 << 63, 63)));
    assert_eq!(node_home(63, 1), None);
}

/// The documented limit of every RFC 6962 verifier (see `inclusion_shape`):
/// a proof binds a leaf to a root, and the root binds the size only through
/// the signed checkpoint. Two concrete cases, so that a change in this
/// behaviour is noticed.
#[test]
fn a_proof_does_not_by_itself_bind_the_tree_size() {
    let (mem, leaves, roots) = tree(8);
    // Leaf 0 in the tree of 3: path [leaf 1, leaf 2]; the path of leaf 0 in
    // a tree of 4 has the same shape, so the pair (4, root of 3) passes.
    let p = inclusion_proof(&mem, 0, 3).unwrap();
    assert_eq!(inclusion_shape(0, 3), inclusion_shape(0, 4));
    verify_inclusion(&p, 0, 4, leaves[0], roots[3]).unwrap();
    // ... but never against the real root of 4.
    assert!(verify_inclusion(&p, 0, 4, leaves[0], roots[4]).is_err());
    // Consistency 2 -> 3 is the single hash of leaf 2; 2 -> 4 has the same
    // shape, so (2, 4, root of 3) passes, and the real root of 4 does not.
    let p = consistency_proof(&mem, 2, 3).unwrap();
    assert_eq!(consistency_shape(2, 3), consistency_shape(2, 4));
    verify_consistency(&p, 2, roots[2], 4, roots[3]).unwrap();
    assert!(verify_consistency(&p, 2, roots[2], 4, roots[4]).is_err());
}
