//! Test helper: checks that work grows linearly with its input, by a ratio of CPU times, not a time budget.

use std::time::Duration;

/// CPU time this thread has used: unlike wall time, it does not grow while other processes have the
/// machine, so a loaded machine does not distort a ratio of two measurements.
fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec for the duration of the call.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// Fails unless `work` scales linearly: it runs on inputs of size `n` and `10 n` (built by `make`,
/// outside the measurement) and the larger may take at most 30 times the CPU time — linear work takes
/// about 10 times, quadratic about 100. The best of five runs on each side keeps cache and scheduler
/// noise out, and the small side counts as at least 200 µs so that constant-time work cannot fail on
/// the clock's jitter.
#[track_caller]
pub(crate) fn assert_linear<T>(what: &str, n: usize, make: impl Fn(usize) -> T, work: impl Fn(&T)) {
    let best = |size: usize| {
        let input = make(size);
        (0..5)
            .map(|_| {
                let start = thread_cpu_time();
                work(std::hint::black_box(&input));
                thread_cpu_time().saturating_sub(start)
            })
            .min()
            .unwrap_or_default()
    };
    let small = best(n).max(Duration::from_micros(200));
    let large = best(10 * n);
    let ratio = large.as_secs_f64() / small.as_secs_f64();
    assert!(
        ratio < 30.0,
        "{what}: 10 times the input took {ratio:.1} times the CPU time ({small:?} → {large:?})"
    );
}

#[cfg(test)]
mod tests {
    /// The check itself tells quadratic work from linear work.
    #[test]
    #[should_panic(expected = "10 times the input took")]
    fn quadratic_work_fails() {
        super::assert_linear(
            "every pair",
            500,
            |n| (0..n as u64).collect::<Vec<_>>(),
            |items| {
                let mut sum = 0u64;
                for a in items {
                    for b in items {
                        sum = sum.wrapping_add(a ^ b);
                    }
                }
                std::hint::black_box(sum);
            },
        );
    }

    #[test]
    fn linear_work_passes() {
        super::assert_linear(
            "a sum",
            100_000,
            |n| (0..n as u64).collect::<Vec<_>>(),
            |items| {
                std::hint::black_box(items.iter().fold(0u64, |s, x| s.wrapping_add(*x)));
            },
        );
    }
}
