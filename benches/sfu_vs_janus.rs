//! Belfry's SFU and Janus side by side, in one run, on the same synthetic
//! str0m peers (sfu/peers.rs) over the same veth pair (sfu/netns.rs):
//! - Belfry: `belfry media` (this binary again, as the media role's own
//!   process), joined over LiveKit's signalling (sfu/livekit_driver.rs);
//! - Janus 1.1.2 from Debian, VideoRoom, audio-only Opus rooms, joined over
//!   its HTTP API (sfu/janus.rs).
//!
//! Each server runs alone on core 0 (the peers on core 1), started afresh
//! for each room shape: rooms of 50 with 10 speaking, and rooms of 6 all
//! speaking. Each server's CPU is its whole process's (all threads, from
//! /proc), its memory the process's resident set; forwarding latency is
//! timed by probe subscribers from the sender's write to the kernel's
//! arrival stamp. Prints a table with Belfry/Janus per shape.
//!
//! Rooms are added a step at a time (one room of 50, five of 6), each step
//! measured, until the server's core passes 80 % (or the peers' core 90 %):
//! the last step held is reported, measured, not extrapolated.
//! `make bench-sfu-vs-janus` (root; installs Janus). BENCH_ROOMS_50 (12) and
//! BENCH_ROOMS_6 (150) cap the load, BENCH_SECS (5) is each step's
//! measurement.

#[path = "sfu/janus.rs"]
mod janus;
#[path = "sfu/livekit_driver.rs"]
mod livekit_driver;
#[path = "sfu/netns.rs"]
mod netns;
#[path = "sfu/peers.rs"]
mod peers;
#[path = "sfu/procfs.rs"]
mod procfs;
#[path = "../tests/it/voice_peer.rs"]
mod voice_peer;

use std::net::IpAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use belfry::media::token::{MediaKeys, RoomGrant};
use tokio::sync::{mpsc, oneshot};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const KEY: &str = "APIbench";
const SECRET: &str = "bench-secret-bench-secret-bench-secret";
const BELFRY_PORT: u16 = 7880;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Shape {
    name: &'static str,
    /// The most rooms tried.
    rooms: usize,
    /// Rooms added per step.
    step: usize,
    size: usize,
    speaking: usize,
}

impl Shape {
    fn down_tracks(&self, rooms: usize) -> usize {
        rooms * self.speaking * (self.size - 1)
    }
}

#[derive(Clone, Copy)]
enum Sfu {
    Belfry,
    Janus,
}

impl Sfu {
    fn name(self) -> &'static str {
        match self {
            Sfu::Belfry => "Belfry",
            Sfu::Janus => "Janus 1.1.2",
        }
    }
}

fn main() {
    if std::env::var("BENCH_CHILD").is_ok_and(|v| v == "media") {
        return media_child();
    }
    str0m::crypto::from_feature_flags().install_process_default();
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let secs = env("BENCH_SECS", 5) as u64;
    let shapes = [
        Shape {
            name: "rooms of 50, 10 speaking",
            rooms: env("BENCH_ROOMS_50", 12),
            step: 1,
            size: 50,
            speaking: 10,
        },
        Shape {
            name: "rooms of 6, all speaking",
            rooms: env("BENCH_ROOMS_6", 150),
            step: 5,
            size: 6,
            speaking: 6,
        },
    ];
    let net = netns::Net::create(1).expect("a veth pair: run as root with iproute2");
    let (ns, link) = net.sfu_namespace();
    let (ns, link) = (ns.to_owned(), link.to_owned());
    let sfu_ip = net.sfu_ip;
    net.enter_peers().expect("the peers' namespace");
    procfs::pin_to(1);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut table = Vec::new();
    rt.block_on(async {
        for shape in &shapes {
            for sfu in servers() {
                println!(
                    "{}, {}: {} room(s) added at a time until its core passes 80 %",
                    sfu.name(),
                    shape.name,
                    shape.step
                );
                match run(sfu, shape, &ns, &link, sfu_ip, net.peers_ip, secs).await {
                    Ok(steps) => {
                        println!("  highest load held at <= 80 % of a core:");
                        steps[steps.len() - 1].print();
                        table.push((shape.name, sfu, steps));
                    }
                    Err(e) => println!("  failed: {e}"),
                }
            }
        }
    });
    report(&shapes, &table);
}

/// Two tables: each server's highest load held, and both at the highest
/// load both held (the same rooms, the same peers).
fn report(shapes: &[Shape], table: &[(&str, Sfu, Vec<Reading>)]) {
    println!();
    println!("Highest load held at <= 80 % of one core:");
    println!();
    println!("| Shape | Server | Down-tracks flowing | CPU | Down-tracks per core at 80 % | Latency p50 / p99 | Memory (RSS, idle) |");
    println!("|---|---|---|---|---|---|---|");
    for (shape, sfu, steps) in table {
        let r = &steps[steps.len() - 1];
        println!(
            "| {shape} | {} | {:.0} | {:.1} % | {:.0} | {:.2} / {:.2} ms | {:.1} MiB ({:.1}) |",
            sfu.name(),
            r.flowing(),
            r.cpu * 100.0,
            r.per_core(),
            r.p50,
            r.p99,
            r.rss_kib as f64 / 1024.0,
            r.idle_kib as f64 / 1024.0
        );
    }
    println!();
    println!("At the same load (the highest both held):");
    println!();
    println!("| Shape | Down-tracks | Belfry CPU / Janus CPU | Belfry p50 / p99 | Janus p50 / p99 | Belfry / Janus RSS | Belfry/Janus down-tracks per core |");
    println!("|---|---|---|---|---|---|---|");
    for shape in shapes {
        let of = |want: &str| {
            table
                .iter()
                .find(|(s, sfu, _)| *s == shape.name && sfu.name() == want)
                .map(|(_, _, steps)| steps)
        };
        let (Some(b), Some(j)) = (of(Sfu::Belfry.name()), of(Sfu::Janus.name())) else {
            continue;
        };
        let both = b.len().min(j.len());
        let (rb, rj) = (&b[both - 1], &j[both - 1]);
        let (cb, cj) = (&b[b.len() - 1], &j[j.len() - 1]);
        println!(
            "| {} | {} | {:.1} % / {:.1} % | {:.2} / {:.2} ms | {:.2} / {:.2} ms | {:.1} / {:.1} MiB | {:.2}x |",
            shape.name,
            rb.down_tracks,
            rb.cpu * 100.0,
            rj.cpu * 100.0,
            rb.p50,
            rb.p99,
            rj.p50,
            rj.p99,
            rb.rss_kib as f64 / 1024.0,
            rj.rss_kib as f64 / 1024.0,
            cb.per_core() / cj.per_core().max(1e-9)
        );
    }
}

/// BENCH_SERVERS=belfry or =janus runs one of them only.
fn servers() -> Vec<Sfu> {
    let only = std::env::var("BENCH_SERVERS").unwrap_or_default();
    [Sfu::Belfry, Sfu::Janus]
        .into_iter()
        .filter(|s| only.is_empty() || s.name().to_lowercase().starts_with(&only))
        .collect()
}

/// The media role, as `belfry media` runs it, in this process.
fn media_child() {
    let config = belfry::server::config::Config::from_env().expect("the media role's settings");
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(belfry::server::media_role::run(config))
        .expect("the media role runs");
}

/// A process's CPU seconds (all its threads) and resident set in KiB.
fn usage(pid: u32) -> (f64, u64) {
    (
        procfs::cpu_seconds(&format!("/proc/{pid}/stat")),
        procfs::rss_kib(pid),
    )
}

struct Belfry {
    child: Child,
}

impl Drop for Belfry {
    fn drop(&mut self) {
        // The process this benchmark started, by its PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_belfry(ns: &str, ip: IpAddr) -> Result<Belfry, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let child = Command::new("ip")
        .args(["netns", "exec", ns, "taskset", "-c", "0"])
        .arg(exe)
        .env("BENCH_CHILD", "media")
        .env("BELFRY_ADDR", format!("{ip}:{BELFRY_PORT}"))
        .env("BELFRY_MEDIA_UDP", format!("{ip}:7882"))
        .env("BELFRY_MEDIA_TCP", "off")
        .env("BELFRY_LIVEKIT_API_KEY", KEY)
        .env("BELFRY_LIVEKIT_API_SECRET", SECRET)
        .env("BELFRY_LOG", "warn")
        .env("BELFRY_RTC_SESSIONS_PER_IDENTITY", "1000")
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    Ok(Belfry { child })
}

/// The server under test, stopped when dropped.
enum Server {
    Belfry(Belfry),
    Janus(janus::Janus),
}

async fn run(
    sfu: Sfu,
    shape: &Shape,
    ns: &str,
    link: &str,
    sfu_ip: IpAddr,
    peers_ip: IpAddr,
    secs: u64,
) -> Result<Vec<Reading>, String> {
    let load = peers::Load::new(peers_ip);
    let mut keep = Vec::new();
    let server = match sfu {
        Sfu::Belfry => {
            let b = start_belfry(ns, sfu_ip)?;
            let http = reqwest::Client::builder().no_proxy().build().unwrap();
            let ready = format!("http://{sfu_ip}:{BELFRY_PORT}/healthz");
            let mut up = false;
            for _ in 0..100 {
                if http.get(&ready).send().await.is_ok() {
                    up = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            if !up {
                return Err("belfry media did not start".into());
            }
            Server::Belfry(b)
        }
        Sfu::Janus => Server::Janus(janus::Janus::start(ns, link, sfu_ip, 0).await?),
    };
    let pid = match &server {
        Server::Belfry(b) => b.child.id(),
        Server::Janus(j) => j.pid,
    };
    let idle_kib = usage(pid).1;
    let mut steps: Vec<Reading> = Vec::new();
    let mut rooms = 0;
    while rooms < shape.rooms {
        let next = (rooms + shape.step).min(shape.rooms);
        match &server {
            Server::Belfry(_) => {
                let base = format!("ws://{sfu_ip}:{BELFRY_PORT}");
                join_belfry(&load, shape, rooms..next, &base).await?
            }
            Server::Janus(j) => join_janus(&load, shape, rooms..next, j, &mut keep).await?,
        }
        rooms = next;
        let mut reading = measure(&load, pid, shape.down_tracks(rooms), secs).await;
        reading.idle_kib = idle_kib;
        println!(
            "  {rooms:>3} rooms, {:>5} down-tracks: CPU {:>5.1} % (peers {:>5.1} %), delivered {:>5.1} %, p50 {:.2} ms, p99 {:.2} ms",
            reading.down_tracks,
            reading.cpu * 100.0,
            reading.peers_cpu * 100.0,
            reading.delivered() * 100.0,
            reading.p50,
            reading.p99
        );
        if reading.cpu > 0.8 || reading.delivered() < 0.99 {
            break;
        }
        let saturated = reading.peers_cpu > 0.9;
        steps.push(reading);
        if saturated {
            // Past this the peers' own core, not the server, sets the pace.
            println!("  the synthetic peers' core is saturated: stopping here");
            break;
        }
    }
    drop(server);
    if steps.is_empty() {
        return Err("not even the first step fits under 80 % of a core".into());
    }
    Ok(steps)
}

async fn join_belfry(
    load: &peers::Load,
    shape: &Shape,
    rooms: std::ops::Range<usize>,
    base: &str,
) -> Result<(), String> {
    let keys = MediaKeys::new(KEY.into(), SECRET.into());
    for room in rooms {
        for member in 0..shape.size {
            let grant = RoomGrant {
                identity: format!("{room}-{member}"),
                name: format!("Peer {member}"),
                room: format!("bench-{room}"),
                not_before: 0,
            };
            let token = keys.mint_grant(&grant, Duration::from_secs(3600))?;
            livekit_driver::join(
                base,
                &token,
                member < shape.speaking,
                peers::is_probe(member, shape.size),
                load.tally(),
            )
            .await?;
        }
    }
    Ok(())
}

async fn join_janus(
    load: &peers::Load,
    shape: &Shape,
    rooms: std::ops::Range<usize>,
    janus: &janus::Janus,
    keep: &mut Vec<mpsc::Sender<peers::Offer>>,
) -> Result<(), String> {
    let admin = janus.attach().await?;
    let feed = |room: usize, member: usize| (room * 1000 + member + 1) as u64;
    let tally = load.tally();
    // Publishers first: a subscription names feeds that publish.
    for room in rooms.clone() {
        let id = room as u64 + 1;
        janus.create_room(admin, id, shape.speaking).await?;
        for member in 0..shape.speaking {
            let (offer_tx, mut offer_rx) = mpsc::channel::<(String, oneshot::Sender<String>)>(1);
            tokio::spawn(peers::publisher(
                tally.epoch,
                tally.ip,
                format!("mic-{room}-{member}"),
                move |sdp| async move {
                    let (answer, answered) = oneshot::channel();
                    offer_tx.send((sdp, answer)).await.ok()?;
                    answered.await.ok()
                },
            ));
            let (sdp, answer) = offer_rx.recv().await.ok_or("no publisher offer")?;
            let _ = answer.send(janus.publish(id, feed(room, member), sdp).await?);
        }
    }
    // Time for the publishers' ICE and DTLS to finish.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for room in rooms {
        for member in 0..shape.size {
            let feeds: Vec<u64> = (0..shape.speaking)
                .filter(|&m| m != member)
                .map(|m| feed(room, m))
                .collect();
            let (handle, offer) = janus.subscribe(room as u64 + 1, &feeds).await?;
            let (offers_tx, offers) = mpsc::channel(4);
            tokio::spawn(peers::subscriber(
                load.tally(),
                peers::is_probe(member, shape.size),
                offers,
            ));
            let (answer, answered) = oneshot::channel();
            offers_tx
                .send(peers::Offer { sdp: offer, answer })
                .await
                .map_err(|_| "the subscriber stopped")?;
            let sdp = answered.await.map_err(|_| "no subscriber answer")?;
            janus.start_subscription(handle, sdp).await?;
            keep.push(offers_tx);
        }
    }
    Ok(())
}

struct Reading {
    down_tracks: usize,
    rate: f64,
    cpu: f64,
    /// The synthetic peers' thread, on the other core.
    peers_cpu: f64,
    p50: f64,
    p99: f64,
    rss_kib: u64,
    idle_kib: u64,
    disconnected: u64,
}

impl Reading {
    fn delivered(&self) -> f64 {
        self.rate / (self.down_tracks as f64 * 50.0)
    }

    fn flowing(&self) -> f64 {
        self.rate / 50.0
    }

    fn per_core(&self) -> f64 {
        self.flowing() * 0.8 / self.cpu.max(1e-9)
    }

    fn print(&self) {
        println!(
            "  {:.0} of {} down-tracks flowing; CPU {:.1} % of a core => {:.0} down-tracks per core at 80 %; p50 {:.2} ms, p99 {:.2} ms; RSS {:.1} MiB; disconnected {}",
            self.flowing(),
            self.down_tracks,
            self.cpu * 100.0,
            self.per_core(),
            self.p50,
            self.p99,
            self.rss_kib as f64 / 1024.0,
            self.disconnected
        );
    }
}

/// Waits until every down-track flows, then measures the server process
/// for `secs`.
async fn measure(load: &peers::Load, pid: u32, down_tracks: usize, secs: u64) -> Reading {
    load.settle(down_tracks).await;
    let me = std::process::id();
    let (cpu0, _) = usage(pid);
    let peers0 = usage(me).0;
    let t0 = Instant::now();
    let rate = load.rate(Duration::from_secs(secs)).await;
    let wall = t0.elapsed().as_secs_f64();
    let (cpu1, rss_kib) = usage(pid);
    let peers1 = usage(me).0;
    let lat = load.take_latencies();
    Reading {
        down_tracks,
        rate,
        cpu: (cpu1 - cpu0) / wall,
        peers_cpu: (peers1 - peers0) / wall,
        p50: lat.ms(0.5),
        p99: lat.ms(0.99),
        rss_kib,
        idle_kib: 0,
        disconnected: load.disconnected.load(Ordering::Relaxed),
    }
}
