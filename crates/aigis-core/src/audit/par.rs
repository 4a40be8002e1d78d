//! Data-parallel map over a slice with `std::thread::scope`, results in
//! input order. Std scoped threads rather than `rayon`: one call site that
//! maps a batch in a few contiguous chunks needs no work stealing or global
//! pool, and no new dependency (rayon would also have to be switched off on
//! wasm). On wasm targets (Forge components, the offline verifier built for
//! wasm32-unknown-unknown) there are no threads: the map runs on the caller.

/// Below this many items per thread the spawn costs more than it saves.
const MIN_PER_THREAD: usize = 256;

/// How many threads a map may use: the available cores (1 on wasm).
pub(super) fn available() -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::thread::available_parallelism().map_or(1, usize::from)
    }
    #[cfg(target_arch = "wasm32")]
    {
        1
    }
}

/// `items.iter().map(f).collect()`, on up to `threads` threads.
pub(super) fn map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.min(items.len() / MIN_PER_THREAD).max(1);
    if threads == 1 || cfg!(target_arch = "wasm32") {
        return items.iter().map(f).collect();
    }
    spawn_chunks(items, threads, &f)
}

#[cfg(not(target_arch = "wasm32"))]
fn spawn_chunks<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: &(impl Fn(&T) -> R + Sync),
) -> Vec<R> {
    let chunk = items.len().div_ceil(threads);
    let mut chunks = items.chunks(chunk);
    let first = chunks.next().unwrap_or_default();
    std::thread::scope(|s| {
        let spawned: Vec<_> = chunks
            .map(|c| {
                let job = move || c.iter().map(f).collect::<Vec<R>>();
                // A thread that cannot be started leaves its chunk to the caller.
                std::thread::Builder::new()
                    .spawn_scoped(s, job)
                    .map_err(|_| c)
            })
            .collect();
        let mut out: Vec<R> = first.iter().map(f).collect();
        out.reserve(items.len() - out.len());
        for h in spawned {
            match h {
                Ok(h) => match h.join() {
                    Ok(part) => out.extend(part),
                    Err(panic) => std::panic::resume_unwind(panic),
                },
                Err(c) => out.extend(c.iter().map(f)),
            }
        }
        out
    })
}

#[cfg(target_arch = "wasm32")]
fn spawn_chunks<T: Sync, R: Send>(
    items: &[T],
    _threads: usize,
    f: &(impl Fn(&T) -> R + Sync),
) -> Vec<R> {
    items.iter().map(f).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn map_keeps_input_order_on_any_thread_count() {
        let items: Vec<u64> = (0..10_007).collect();
        let want: Vec<u64> = items.iter().map(|i| i * 3 + 1).collect();
        for threads in [1, 2, 3, 8, 64] {
            assert_eq!(super::map(&items, threads, |i| i * 3 + 1), want);
        }
        assert!(super::map(&[] as &[u64], 4, |i| *i).is_empty());
    }
}
