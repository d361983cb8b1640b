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
//! measurement (default 10). With BENCH_RAMP=1 (`make bench-sfu-capacity`)
//! it adds one room at a time, measuring each step, up to BENCH_ROOMS, and
//! stops once the SFU's core passes 80 % (or the peers' own core passes
//! 90 %, when the load generator is the limit): the last step held is
//! measured, not extrapolated. The SFU and the load are pinned to separate cores.
//! With BENCH_NET=veth the peers sit in their own network (sfu/netns.rs),
//! so their kernel receive work is not counted on the SFU's core. Probes
//! time each packet from the sender's write to the kernel's arrival stamp
//! on their socket, whatever their own thread was busy with.

#[path = "sfu/netns.rs"]
mod netns;
#[path = "sfu/peers.rs"]
mod peers;
#[path = "sfu/procfs.rs"]
mod procfs;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use belfry::media::driver::MediaServer;

/// The allocator the server binary runs with (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// CPU seconds a thread of this process has used (user + system).
fn thread_cpu(tid: u32) -> f64 {
    procfs::cpu_seconds(&format!("/proc/self/task/{tid}/stat"))
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
    let ramp = env("BENCH_RAMP", 0) == 1;
    // BENCH_NET=veth: the peers in their own network (netns.rs).
    let veth = std::env::var("BENCH_NET").is_ok_and(|v| v == "veth");
    let net = veth.then(|| netns::Net::create(1).expect("BENCH_NET=veth needs root and iproute2"));
    let net = net.map(std::sync::Arc::new);
    let sfu_net = net.clone();
    let (sfu_ip, peers_ip) = net.as_ref().map_or(
        ("127.0.0.1".parse().unwrap(), "127.0.0.1".parse().unwrap()),
        |n| (n.sfu_ip, n.peers_ip),
    );
    match &net {
        Some(_) => println!("network: a veth pair; the peers' kernel work on their own core"),
        None => println!("network: loopback; the peers' kernel receive work on the SFU's core"),
    }

    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("sfu".into())
        .spawn(move || {
            let tid = this_thread_id();
            procfs::pin_to(0);
            if let Some(net) = sfu_net {
                net.enter_sfu().expect("the SFU's namespace");
            }
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let (server, presence) =
                    MediaServer::start(std::net::SocketAddr::new(sfu_ip, 0), None, sfu_ip)
                        .await
                        .expect("the SFU starts");
                tx.send((server, tid)).unwrap();
                let _presence = presence;
                std::future::pending::<()>().await;
            });
        })
        .unwrap();
    let (server, sfu_tid) = rx.recv().unwrap();
    procfs::pin_to(1);
    if let Some(net) = &net {
        net.enter_peers().expect("the peers' namespace");
    }

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let load = peers::Load::new(peers_ip);
        if !ramp {
            load.add_rooms(&server, 0..rooms, size, publishers).await;
            let reading = measure(&load, sfu_tid, rooms * publishers * (size - 1), secs).await;
            println!(
                "sfu forwarding: {rooms} rooms x {size} ({publishers} publishing) = {} participants, {} down-tracks",
                rooms * size,
                reading.down_tracks
            );
            reading.print();
            return;
        }
        // Add a room at a time until the SFU's core passes 80 %, packets go
        // missing, or the rooms run out: the last load held is its capacity.
        println!("sfu capacity: rooms of {size} ({publishers} publishing), added one at a time");
        let mut held: Option<Reading> = None;
        for room in 0..rooms {
            load.add_rooms(&server, room..room + 1, size, publishers).await;
            let reading = measure(&load, sfu_tid, (room + 1) * publishers * (size - 1), secs).await;
            println!(
                "  {:>2} rooms, {:>5} down-tracks: CPU {:>5.1} % (peers {:>5.1} %), delivered {:>5.1} %, p50 {:.3} ms, p99 {:.3} ms",
                room + 1,
                reading.down_tracks,
                reading.cpu * 100.0,
                reading.load_cpu * 100.0,
                reading.delivered() * 100.0,
                reading.p50,
                reading.p99
            );
            if reading.cpu > 0.8 || reading.delivered() < 0.99 {
                break;
            }
            if reading.load_cpu > 0.9 {
                // Past this the peers' own core, not the SFU, sets the pace
                // and the latency: the step is not taken as held.
                println!(
                    "  the synthetic peers' core is saturated ({:.0} %): stopping here",
                    reading.load_cpu * 100.0
                );
                break;
            }
            held = Some(reading);
        }
        match held {
            Some(reading) => {
                println!("  highest load held at <= 80 % of a core:");
                reading.print();
            }
            None => println!("  not even one room fits under 80 % of a core"),
        }
    });
}

/// One measured load.
struct Reading {
    down_tracks: usize,
    /// RTP packets per second received by the subscribers.
    rate: f64,
    /// The SFU thread's share of one core.
    cpu: f64,
    /// The load generator's (the synthetic peers' thread).
    load_cpu: f64,
    p50: f64,
    p99: f64,
    max: f64,
    timed: usize,
    disconnected: u64,
}

impl Reading {
    fn delivered(&self) -> f64 {
        self.rate / (self.down_tracks as f64 * 50.0)
    }

    fn print(&self) {
        let expected = self.down_tracks as f64 * 50.0;
        let flowing = self.rate / 50.0;
        println!(
            "  forwarded: {:.0} packets/s of {expected:.0} expected ({flowing:.0} down-tracks flowing)",
            self.rate
        );
        println!(
            "  SFU thread CPU: {:.1} % of one core (synthetic peers: {:.1} % of the other)",
            self.cpu * 100.0,
            self.load_cpu * 100.0
        );
        println!(
            "  => {:.0} audio down-tracks per core at 80 % CPU",
            flowing * 0.8 / self.cpu.max(1e-9)
        );
        println!(
            "  forwarding latency, sender's write to receiver's socket ({} packets): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
            self.timed, self.p50, self.p99, self.max
        );
        println!("  disconnected peers: {}", self.disconnected);
    }
}

/// Waits until every down-track flows, then measures for `secs`.
async fn measure(load: &peers::Load, sfu_tid: u32, down_tracks: usize, secs: u64) -> Reading {
    let load_tid = this_thread_id();
    load.settle(down_tracks).await;
    let cpu0 = thread_cpu(sfu_tid);
    let load0 = thread_cpu(load_tid);
    let t0 = Instant::now();
    let rate = load.rate(Duration::from_secs(secs)).await;
    let wall = t0.elapsed().as_secs_f64();
    let cpu = (thread_cpu(sfu_tid) - cpu0) / wall;
    let load_cpu = (thread_cpu(load_tid) - load0) / wall;
    let lat = load.take_latencies();
    Reading {
        down_tracks,
        rate,
        cpu,
        load_cpu,
        p50: lat.ms(0.50),
        p99: lat.ms(0.99),
        max: lat.ms(1.0),
        timed: lat.len(),
        disconnected: load.disconnected.load(Ordering::Relaxed),
    }
}
