//! Redundant audio (RFC 2198 RED) through the embedded SFU, with simulated
//! str0m peers: RED in, RED out to a subscriber that negotiated it, plain
//! Opus out to one that did not, and packets lost between a publisher and
//! the SFU repaired from the redundancy of the packets after them.

use std::net::SocketAddr;

use crate::sfu_world::{self, World};

/// The RED and Opus payload types the SFU's offers use.
const RED: u8 = 63;
const OPUS: u8 = 111;
/// Frames sent in the first second.
const SETTLED: u32 = 100;

/// The payload types of the RTP packets from `from` to `to`.
fn pts(w: &World, from: SocketAddr, to: SocketAddr) -> Vec<u8> {
    (w.pts.iter())
        .filter(|(s, d, _)| *s == from && *d == to)
        .map(|(_, _, pt)| *pt)
        .collect()
}

/// The frame counts `listener` received from `speaker`, in the order
/// their (forwarded) numbers say, and whether number and count kept step.
fn frames(w: &World, listener: usize, speaker: usize) -> (Vec<u32>, bool) {
    let marker = w.peers[speaker].marker;
    let mut got = w.peers[listener]
        .frames
        .get(&marker)
        .cloned()
        .unwrap_or_default();
    got.sort();
    let in_step = got
        .windows(2)
        .all(|p| p[1].0 - p[0].0 == u64::from(p[1].1 - p[0].1));
    (got.into_iter().map(|(_, count)| count).collect(), in_step)
}

/// The counts missing between the first and last received, once the call
/// has settled (the world loses the first packets of a stream while the
/// connections come up).
fn gaps(counts: &[u32]) -> usize {
    let settled: Vec<u32> = counts.iter().copied().filter(|c| *c >= SETTLED).collect();
    settled
        .windows(2)
        .map(|p| (p[1] - p[0]).saturating_sub(1) as usize)
        .sum()
}

#[test]
fn red_reaches_a_red_subscriber_as_red_and_an_opus_only_one_as_plain_opus() {
    let mut w = World::new();
    w.red_clients = true;
    let alice = w.join("choir", "alice");
    let bob = w.join("choir", "bob");
    w.red_clients = false;
    let carol = w.join("choir", "carol");
    w.run(2_000, &[alice]);
    let sfu = sfu_world::SFU.parse().unwrap();
    let up = pts(&w, w.peers[alice].pub_addr, sfu);
    assert!(up.len() > 150, "alice sent {} packets", up.len());
    assert!(up.iter().all(|pt| *pt == RED), "alice sends RED: {up:?}");
    // Bob is sent RED; the packets lost while the call came up go to him
    // as Opus, repaired from the RED after them.
    let to_bob = pts(&w, sfu, w.peers[bob].sub_addr);
    let red = to_bob.iter().filter(|pt| **pt == RED).count();
    assert!(red > 150, "{to_bob:?}");
    assert!(to_bob.iter().all(|pt| *pt == RED || *pt == OPUS));
    let to_carol = pts(&w, sfu, w.peers[carol].sub_addr);
    assert!(to_carol.len() > 150 && to_carol.iter().all(|pt| *pt == OPUS));
    for listener in [bob, carol] {
        let (counts, in_step) = frames(&w, listener, alice);
        assert!(counts.len() > 150, "{listener} heard {}", counts.len());
        assert!(in_step, "each frame under its own number");
        assert_eq!(gaps(&counts), 0, "nothing lost");
    }
}

/// Alice's uplink loses every fifth packet; Carol receives plain Opus, so
/// only the SFU can give her the lost frames back. With `red` off, the
/// same loss reaches her as gaps.
fn uplink_loss(red: bool) -> (Vec<u32>, bool, usize) {
    let mut w = World::new();
    w.red_clients = red;
    let alice = w.join("choir", "alice");
    w.red_clients = false;
    let carol = w.join("choir", "carol");
    w.run(1_000, &[alice]);
    w.lossy = Some((w.peers[alice].pub_addr, 5));
    w.run(3_000, &[alice]);
    let lost = w.sent_by_lossy / 5;
    let (counts, in_step) = frames(&w, carol, alice);
    (counts, in_step, lost)
}

#[test]
fn packets_lost_on_a_red_publishers_uplink_are_repaired_at_the_sfu() {
    let (counts, in_step, lost) = uplink_loss(true);
    assert!(lost > 40, "the uplink lost {lost} packets");
    assert!(counts.len() > 350, "carol heard {}", counts.len());
    assert_eq!(gaps(&counts), 0, "every lost frame was filled: {counts:?}");
    assert!(in_step, "each repaired frame is the one lost, in its place");
    // The same loss without RED: the frames stay lost.
    let (counts, _, lost) = uplink_loss(false);
    assert!(lost > 40);
    assert!(
        gaps(&counts) > 30,
        "without RED {} were missing",
        gaps(&counts)
    );
}
