//! What the benchmarks read of processes and threads from /proc, and
//! pinning the calling thread to a core.
// Each benchmark that includes this file uses part of it.
#![allow(dead_code)]

/// CPU seconds (user + system) in a /proc `stat` file: a process's
/// (`/proc/PID/stat`, all its threads) or a thread's
/// (`/proc/self/task/TID/stat`).
pub fn cpu_seconds(stat_path: &str) -> f64 {
    let stat = std::fs::read_to_string(stat_path).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 (1-based), 11 and 12 here.
    (ticks(11) + ticks(12)) / 100.0
}

/// A process's resident memory, in KiB.
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    (status.lines())
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Keeps the calling thread on one core, when the machine has it.
pub fn pin_to(core: usize) -> bool {
    use nix::sched::{sched_setaffinity, CpuSet};
    let mut set = CpuSet::new();
    set.set(core).is_ok() && sched_setaffinity(nix::unistd::Pid::from_raw(0), &set).is_ok()
}
