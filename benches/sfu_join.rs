//! What a join costs the thread that forwards everyone's audio: the SFU core
//! adding a participant to a room of 50, with its two peer connections made
//! on that thread (`Sfu::join`) or beforehand elsewhere (`Sfu::join_with`, as
//! `MediaServer::join` does). `cargo bench --features ssr --bench sfu_join`.

use std::time::{Duration, Instant};

use belfry::media::sfu::{Peers, Sfu};

const ROOM: usize = 50;
const ROUNDS: usize = 200;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p) as usize]
}

fn report(label: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "  {label}: p50 {:.3} ms, p99 {:.3} ms of the SFU thread per join",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
    );
}

fn main() {
    let addr = "127.0.0.1:7882".parse().expect("addr");
    let mut sfu = Sfu::new(addr);
    let now = Instant::now();
    for i in 0..ROOM - 1 {
        sfu.join(now, "choir", &format!("member-{i}"), "Member");
    }
    println!(
        "sfu join: a room of {ROOM}, one member leaving and joining again, {ROUNDS} times each way"
    );
    let (mut inline, mut prepared) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        // The same identity again replaces the last session: the room stays at 50.
        let start = Instant::now();
        sfu.join(Instant::now(), "choir", "late", "Late");
        inline.push(start.elapsed());

        let peers = Peers::new(Instant::now(), sfu.addrs());
        let start = Instant::now();
        sfu.join_with(Instant::now(), "choir", "late", "Late", peers);
        prepared.push(start.elapsed());
        let _ = sfu.take_outputs();
        if round == 0 {
            assert_eq!(
                sfu.room_members("choir", belfry::media::sfu::SessionId(u64::MAX))
                    .len(),
                ROOM
            );
        }
    }
    report("peer connections made on it (before)", inline);
    report("peer connections made beforehand (now)", prepared);
}
