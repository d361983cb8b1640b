//! Audio forwarding under load: the embedded SFU (its real UDP driver, alone
//! on its own thread) forwards Opus-sized packets between synthetic str0m
//! peers on loopback. Each participant publishes one track at 50 packets/s
//! and receives everyone else's; a few receivers per run decrypt to time
//! each packet, the rest count datagrams only, so the peers' side stays
//! light. Prints down-tracks forwarded, the SFU thread's CPU, what one core
//! would carry at 80 %, and the forwarding latency.
//!
//! `make bench-sfu`; BENCH_ROOMS x BENCH_SIZE participants (default 20 x 6),
//! BENCH_PUBLISHERS of each room publishing (default all), BENCH_SECS of
//! measurement (default 10).

#[path = "sfu/peers.rs"]
mod peers;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use belfry::media::driver::MediaServer;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// CPU seconds a thread of this process has used (user + system).
fn thread_cpu(tid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).unwrap_or_default();
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

fn this_thread_id() -> u32 {
    std::fs::read_link("/proc/thread-self")
        .ok()
        .and_then(|p| p.file_name()?.to_str()?.parse().ok())
        .expect("a Linux /proc")
}

fn main() {
    str0m::crypto::from_feature_flags().install_process_default();
    let rooms = env("BENCH_ROOMS", 20);
    let size = env("BENCH_SIZE", 6).max(2);
    let secs = env("BENCH_SECS", 10) as u64;
    // Members who publish; the rest only listen (a big studio session).
    let publishers = env("BENCH_PUBLISHERS", size).clamp(1, size);

    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("sfu".into())
        .spawn(move || {
            let tid = this_thread_id();
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let (server, presence) = MediaServer::start(
                    "127.0.0.1:0".parse().unwrap(),
                    None,
                    "127.0.0.1".parse().unwrap(),
                )
                .await
                .expect("the SFU starts");
                tx.send((server, tid)).unwrap();
                let _presence = presence;
                std::future::pending::<()>().await;
            });
        })
        .unwrap();
    let (server, sfu_tid) = rx.recv().unwrap();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let load = peers::Load::start(&server, rooms, size, publishers).await;
        let down_tracks = rooms * publishers * (size - 1);
        let expected = down_tracks as f64 * 50.0;
        println!(
            "sfu forwarding: {rooms} rooms x {size} ({publishers} publishing) = {} participants, {down_tracks} down-tracks",
            rooms * size
        );
        // Warm up until nearly every down-track is flowing (or give up).
        let started = Instant::now();
        loop {
            let rate = load.rate(Duration::from_secs(1)).await;
            if rate >= expected * 0.97 || started.elapsed() > Duration::from_secs(60) {
                break;
            }
        }
        load.latencies.lock().unwrap().clear();
        let cpu0 = thread_cpu(sfu_tid);
        let t0 = Instant::now();
        let rate = load.rate(Duration::from_secs(secs)).await;
        let wall = t0.elapsed().as_secs_f64();
        let cpu = (thread_cpu(sfu_tid) - cpu0) / wall;
        let flowing = rate / 50.0;
        let mut lat = std::mem::take(&mut *load.latencies.lock().unwrap());
        lat.sort_unstable();
        let pct = |p: f64| {
            lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
                .map_or(f64::NAN, |us| *us as f64 / 1000.0)
        };
        println!("  forwarded: {rate:.0} packets/s of {expected:.0} expected ({flowing:.0} down-tracks flowing)");
        println!("  SFU thread CPU: {:.1} % of one core", cpu * 100.0);
        println!(
            "  => {:.0} audio down-tracks per core at 80 % CPU",
            flowing * 0.8 / cpu.max(1e-9)
        );
        println!(
            "  forwarding latency, sender's write to receiver's socket ({} packets): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
            lat.len(),
            pct(0.50),
            pct(0.99),
            pct(1.0)
        );
        println!(
            "  disconnected peers: {}",
            load.disconnected.load(Ordering::Relaxed)
        );
    });
}
