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

pub const REGRESSIONS: &[Regression] = &[
    Regression {
        seed: 3,
        ops: 50,
        keep: &[1, 3, 7, 9, 12, 13, 14, 15, 17, 18, 19],
        found: "a conflicting transaction while storing a checkpoint was taken for one signed by \
            another invocation: the retention sweep failed with an internal error (checkpoint vanished)",
    },
    Regression {
        seed: 1155,
        ops: 200,
        keep: &[
            0, 6, 11, 12, 13, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33,
            34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57,
            58, 59, 60, 61, 62, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86,
            87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100,
        ],
        found: "an export read a stale log head and then the list of states holding a newer one \
                (committed by a retention sweep that pruned behind it): it folded from a pruned seq and \
                failed with an internal error (the log from seq 52 is not stored)",
    },
    Regression {
        seed: 10,
        ops: 200,
        keep: &[
            0, 3, 5, 7, 8, 9, 10, 12, 26, 41, 42, 43, 44, 45, 46, 47, 48, 49, 75, 77, 113, 116,
            117, 119, 120, 121,
        ],
        found: "connected mode: the removal for a revoked grant, retried after the person's new grant was \
                provisioned, took the new grant's membership away",
    },
    Regression {
        seed: 42,
        ops: 200,
        keep: &[
            6, 14, 15, 27, 28, 30, 31, 32, 33, 34, 35, 36, 38, 39, 40, 41, 42, 46, 48, 49, 51, 54,
            55, 56, 57, 58, 60, 61, 62, 63, 64, 65, 67, 84, 85,
        ],
        found: "connected mode: a provisioning job claimed before its grant was revoked (so not cancelled) \
                crashed, was taken over after the removal had run, and added the revoked grant's person",
    },
];
