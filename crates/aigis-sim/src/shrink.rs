//! Shrinking a failure to a short operation list: delta debugging (ddmin)
//! over the indices of the generated list, with the same seed, so the
//! faults and the interleaving come from the same stream.

use crate::run::{Config, run};

/// The smallest list of indices found that still breaks `invariant`, within
/// `budget` runs. `upto`: the failing operation, if known (what follows it
/// cannot matter).
pub fn shrink(
    seed: u64,
    ops: usize,
    invariant: &str,
    upto: Option<usize>,
    budget: usize,
) -> Vec<usize> {
    let runs = std::cell::Cell::new(0usize);
    let fails = |keep: &[usize]| {
        runs.set(runs.get() + 1);
        run(&Config {
            seed,
            ops,
            keep: Some(keep.to_vec()),
        })
        .failure
        .is_some_and(|f| f.violation.invariant == invariant)
    };
    let mut keep: Vec<usize> = (0..ops).collect();
    if let Some(last) = upto {
        let cut: Vec<usize> = (0..=last.min(ops.saturating_sub(1))).collect();
        if fails(&cut) {
            keep = cut;
        }
    }
    let mut n = 2usize;
    while keep.len() >= 2 && runs.get() < budget {
        let chunk = keep.len().div_ceil(n);
        let mut reduced = false;
        for i in 0..n {
            let lo = i * chunk;
            if lo >= keep.len() {
                break;
            }
            let hi = (lo + chunk).min(keep.len());
            let complement: Vec<usize> = keep[..lo].iter().chain(&keep[hi..]).copied().collect();
            if !complement.is_empty() && fails(&complement) {
                keep = complement;
                reduced = true;
                break;
            }
            if runs.get() >= budget {
                break;
            }
        }
        if reduced {
            n = (n - 1).max(2);
        } else {
            if n >= keep.len() {
                break;
            }
            n = (n * 2).min(keep.len());
        }
    }
    keep
}
