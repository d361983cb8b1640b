//! Connection quality from the SFU's own statistics, over the simulated
//! network: a lossy uplink or downlink grades that participant down for the
//! whole room,
//! a microphone that falls silent while unmuted is graded lost (and muting
//! is not), a clean link is never graded down.

use crate::sfu_world;

use belfry::media::sfu::Grade;
use sfu_world::World;

fn sid(w: &World, peer: usize) -> String {
    w.sfu.info(w.peers[peer].session).unwrap().sid
}

/// What `listener` was last told of `subject` (every grade is told at
/// least once, so `None` means nothing arrived).
fn told(w: &World, listener: usize, subject: usize) -> Option<Grade> {
    let subject = sid(w, subject);
    w.peers[listener].quality.get(&subject).copied()
}

#[test]
fn a_lossy_uplink_is_graded_down_for_everyone_in_the_room() {
    let mut w = World::new();
    let a = w.join("room", "alice");
    let b = w.join("room", "bob");
    let c = w.join("room", "carol");
    // One in five of bob's packets never reaches the SFU.
    w.lossy = Some((w.peers[b].pub_addr, 5));
    w.run(10_000, &[a, b, c]);
    assert!(w.heard(a, b) > 200, "bob is still heard, patchily");
    for listener in [a, b, c] {
        assert_eq!(
            told(&w, listener, b),
            Some(Grade::Poor),
            "peer {listener} on bob"
        );
    }
    assert_eq!(
        told(&w, b, a),
        Some(Grade::Excellent),
        "alice's link is clean"
    );
    assert_eq!(
        told(&w, b, c),
        Some(Grade::Excellent),
        "carol's link is clean"
    );
}

#[test]
fn a_lossy_downlink_is_graded_down_from_what_the_listener_reports() {
    let mut w = World::new();
    let a = w.join("room", "alice");
    let b = w.join("room", "bob");
    let c = w.join("room", "carol");
    // One in five packets the SFU sends bob is lost on the way: only his
    // receiver reports (RTCP) can tell.
    w.lossy_down = Some((w.peers[b].sub_addr, 5));
    w.run(10_000, &[a, b, c]);
    assert!(w.sent_to_lossy > 500, "audio flowed to bob");
    assert_eq!(told(&w, a, b), Some(Grade::Poor), "alice on bob");
    assert_eq!(told(&w, c, b), Some(Grade::Poor), "carol on bob");
    assert_eq!(
        told(&w, b, a),
        Some(Grade::Excellent),
        "alice's link is clean"
    );
}

#[test]
fn a_silent_unmuted_microphone_is_lost_and_muting_is_not() {
    let mut w = World::new();
    let a = w.join("room", "alice");
    let b = w.join("room", "bob");
    w.run(4_000, &[a, b]);
    assert_eq!(told(&w, a, b), Some(Grade::Excellent));
    // Bob's audio stops arriving though he never muted.
    w.run(12_000, &[a]);
    assert_eq!(told(&w, a, b), Some(Grade::Lost));
    assert_eq!(told(&w, b, b), Some(Grade::Lost), "bob is told too");
    // It comes back.
    w.run(7_000, &[a, b]);
    assert_eq!(told(&w, a, b), Some(Grade::Excellent));
    // Muted and silent is just muted.
    let bob = w.peers[b].session;
    assert!(w.sfu.set_muted(bob, None, true));
    w.signals();
    w.run(12_000, &[a]);
    assert_eq!(told(&w, a, b), Some(Grade::Excellent));
    assert_eq!(told(&w, b, a), Some(Grade::Excellent));
}

#[test]
fn everyone_hears_a_first_grade_and_a_newcomer_hears_the_room() {
    let mut w = World::new();
    let a = w.join("room", "alice");
    let b = w.join("room", "bob");
    w.run(4_000, &[a, b]);
    let bob = sid(&w, b);
    assert_eq!(
        w.peers[a].quality.get(&bob),
        Some(&Grade::Excellent),
        "told once, unprompted"
    );
    let c = w.join("room", "carol");
    assert_eq!(
        w.peers[c].quality.get(&bob),
        Some(&Grade::Excellent),
        "carol hears it on joining"
    );
}
