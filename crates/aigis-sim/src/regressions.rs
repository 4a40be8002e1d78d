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

pub const REGRESSIONS: &[Regression] = &[];
