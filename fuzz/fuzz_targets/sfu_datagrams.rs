//! Datagrams into the SFU core: two str0m peers connected to a sans-IO SFU
//! in simulated time (`tests/it/sfu_world`), then the fuzzer's datagrams
//! from their addresses (STUN, DTLS, RTP, RTCP or junk, RFC 7983's first
//! byte picks which the SFU tries), and audio frames with any payload
//! through the peers' own encrypted RTP, RED included. Nothing panics.
#![no_main]

#[allow(dead_code, unused_imports)]
#[path = "../../tests/it/sfu_world/mod.rs"]
mod sfu_world;

use std::cell::RefCell;
use std::time::Duration;

use arbitrary::Arbitrary;
use belfry::media::sfu::Datagram;
use libfuzzer_sys::fuzz_target;
use str0m::media::{Frequency, MediaTime};
use str0m::net::Protocol;

use sfu_world::{World, SFU};

#[derive(Arbitrary, Debug)]
enum Op {
    /// A datagram from a peer's publisher or subscriber address; the first
    /// byte chosen from STUN/DTLS/RTP ranges when `kind` says so.
    Datagram {
        peer: bool,
        subscriber: bool,
        kind: u8,
        data: Vec<u8>,
    },
    /// An audio frame with this payload, under the payload type picked.
    Speak {
        peer: bool,
        pt: u8,
        payload: Vec<u8>,
    },
    /// Time passes (up to 255 ms), packets cross.
    Run(u8),
}

fn world() -> World {
    let mut w = World::new();
    w.red_clients = true;
    w.join("room", "alice");
    w.join("room", "bob");
    w.run(3_000, &[0, 1]);
    assert!(w.heard(0, 1) > 0 && w.heard(1, 0) > 0, "the world connects");
    w
}

thread_local! {
    static WORLD: RefCell<Option<World>> = const { RefCell::new(None) };
}

fuzz_target!(|ops: Vec<Op>| {
    WORLD.with(|cell| {
        let mut cell = cell.borrow_mut();
        let w = cell.get_or_insert_with(world);
        for op in ops.into_iter().take(64) {
            apply(w, op);
        }
        w.run(20, &[0, 1]);
    });
});

fn apply(w: &mut World, op: Op) {
    match op {
        Op::Datagram {
            peer,
            subscriber,
            kind,
            mut data,
        } => {
            let p = &w.peers[peer as usize];
            let source = if subscriber { p.sub_addr } else { p.pub_addr };
            if let Some(first) = data.first_mut() {
                *first = match kind % 4 {
                    0 => *first % 4,        // STUN
                    1 => 20 + *first % 44,  // DTLS
                    2 => 128 + *first % 64, // RTP / RTCP
                    _ => *first,
                };
            }
            let d = Datagram {
                proto: Protocol::Udp,
                source,
                destination: SFU.parse().unwrap(),
                data: &data,
            };
            let now = w.now;
            w.sfu.handle_receive(now, d);
        }
        Op::Speak { peer, pt, payload } => {
            let now = w.now;
            let p = &mut w.peers[peer as usize];
            let Some(mid) = p.mid else { return };
            if let Some(writer) = p.publisher.writer(mid) {
                let pts: Vec<_> = writer.payload_params().map(|p| p.pt()).collect();
                let pt = pts[pt as usize % pts.len()];
                let ms = p.sent as u64 * 20;
                p.sent += 1;
                let time = MediaTime::new(ms * 48, Frequency::FORTY_EIGHT_KHZ);
                let _ = writer.write(pt, now, time, payload);
            }
        }
        Op::Run(ms) => {
            let end = w.now + Duration::from_millis(ms as u64);
            while w.now < end {
                w.step(&[]);
            }
        }
    }
}
