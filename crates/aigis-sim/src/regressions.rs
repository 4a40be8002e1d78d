//! Seeds the simulator found bugs with, kept as regression cases
//! (`cargo test -p aigis-sim` replays each).

/// One kept case: the seed, the length of its generated list, the indices
/// its failure shrank to (empty: the whole list), and what it found.
pub struct Regression {
    pub seed: u64,
    pub ops: usize,
    pub keep: &'static [usize],
    pub found: &'static str,
}

pub const REGRESSIONS: &[Regression] = &[Regression {
    seed: 3,
    ops: 50,
    keep: &[1, 3, 7, 9, 12, 13, 14, 15, 17, 18, 19],
    found: "a conflicting transaction while storing a checkpoint was taken for one signed by \
            another invocation: the retention sweep failed with an internal error (checkpoint vanished)",
}];
