//! What the media server's socket has carried since it started, read by
//! `/metrics` without asking the SFU's task.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Counters {
    pub datagrams_in: AtomicU64,
    pub bytes_in: AtomicU64,
    pub datagrams_out: AtomicU64,
    pub bytes_out: AtomicU64,
}

impl Counters {
    pub fn received(&self, bytes: usize) {
        self.datagrams_in.fetch_add(1, Ordering::Relaxed);
        self.bytes_in.fetch_add(bytes as u64, Ordering::Relaxed);
    }

    pub fn sent(&self, datagrams: usize, bytes: usize) {
        self.datagrams_out
            .fetch_add(datagrams as u64, Ordering::Relaxed);
        self.bytes_out.fetch_add(bytes as u64, Ordering::Relaxed);
    }

    /// (datagrams in, bytes in, datagrams out, bytes out).
    pub fn read(&self) -> (u64, u64, u64, u64) {
        (
            self.datagrams_in.load(Ordering::Relaxed),
            self.bytes_in.load(Ordering::Relaxed),
            self.datagrams_out.load(Ordering::Relaxed),
            self.bytes_out.load(Ordering::Relaxed),
        )
    }
}
