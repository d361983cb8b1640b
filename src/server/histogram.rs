//! Latency histograms for `/metrics`, counted without locks: how long the
//! database takes per statement, and how long after a call started its
//! ring reached each callee's tab. One set per process (every request of
//! every instance in it adds to the same counts).

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the buckets, in seconds (Prometheus's `le`).
const BOUNDS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

pub struct Histogram {
    /// Observations at most `BOUNDS[i]`, not cumulative; the last counts
    /// those above every bound.
    buckets: [AtomicU64; BOUNDS.len() + 1],
    sum_micros: AtomicU64,
}

/// Statements sent to the database, timed from the call to the answer.
pub static DATABASE: Histogram = Histogram::new();
/// From a call's start to its incoming event written to a callee's tab.
pub static RING_DELIVERY: Histogram = Histogram::new();

impl Histogram {
    pub const fn new() -> Self {
        Self {
            buckets: [const { AtomicU64::new(0) }; BOUNDS.len() + 1],
            sum_micros: AtomicU64::new(0),
        }
    }

    pub fn observe(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        let at = BOUNDS.iter().position(|b| seconds <= *b);
        self.buckets[at.unwrap_or(BOUNDS.len())].fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    pub fn count(&self) -> u64 {
        (self.buckets.iter())
            .map(|b| b.load(Ordering::Relaxed))
            .sum()
    }

    /// The family in Prometheus's text format, as `belfry_{name}`.
    pub fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP belfry_{name} {help}");
        let _ = writeln!(out, "# TYPE belfry_{name} histogram");
        let mut total = 0;
        for (bound, bucket) in BOUNDS.iter().zip(&self.buckets) {
            total += bucket.load(Ordering::Relaxed);
            let _ = writeln!(out, "belfry_{name}_bucket{{le=\"{bound}\"}} {total}");
        }
        total += self.buckets[BOUNDS.len()].load(Ordering::Relaxed);
        let _ = writeln!(out, "belfry_{name}_bucket{{le=\"+Inf\"}} {total}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "belfry_{name}_sum {sum}");
        let _ = writeln!(out, "belfry_{name}_count {total}");
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_and_the_sum_is_in_seconds() {
        let h = Histogram::new();
        h.observe(Duration::from_micros(300)); // <= 0.0005
        h.observe(Duration::from_millis(20)); // <= 0.025
        h.observe(Duration::from_secs(9)); // above every bound
        let mut out = String::new();
        h.render(&mut out, "x_seconds", "test");
        assert!(out.contains("belfry_x_seconds_bucket{le=\"0.0005\"} 1\n"));
        assert!(out.contains("belfry_x_seconds_bucket{le=\"0.01\"} 1\n"));
        assert!(out.contains("belfry_x_seconds_bucket{le=\"0.025\"} 2\n"));
        assert!(out.contains("belfry_x_seconds_bucket{le=\"2.5\"} 2\n"));
        assert!(out.contains("belfry_x_seconds_bucket{le=\"+Inf\"} 3\n"));
        assert!(out.contains("belfry_x_seconds_count 3\n"));
        assert!(out.contains("belfry_x_seconds_sum 9.0203\n"), "{out}");
        assert_eq!(h.count(), 3);
    }
}
