//! A participant's network changes mid-call (Wi-Fi to mobile data, or a NAT
//! that rebinds): the addresses their peer connections used stop working.
//! ICE restarts on both connections bring the audio back both ways, with
//! the SFU still sealing it itself, to the new addresses; without the
//! SFU's restart of the subscriber connection, the participant hears
//! nothing.

use crate::sfu_world;

use std::net::SocketAddr;

use sfu_world::World;
use str0m::change::SdpAnswer;
use str0m::Candidate;

/// The `a=ice-ufrag` of an SDP.
fn ufrag(sdp: &str) -> &str {
    sdp.lines()
        .find_map(|l| l.strip_prefix("a=ice-ufrag:"))
        .expect("an ice-ufrag")
}

/// Bob's device moves to another network: his old addresses die, and his
/// peer connections gain host candidates on the new one.
fn move_network(w: &mut World, peer: usize, publisher: SocketAddr, subscriber: SocketAddr) {
    let p = &mut w.peers[peer];
    w.dead.extend([p.pub_addr, p.sub_addr]);
    p.pub_addr = publisher;
    p.sub_addr = subscriber;
    p.subscriber
        .add_local_candidate(Candidate::host(subscriber, "udp").unwrap());
}

/// The browser's side of a publisher ICE restart: an offer with new
/// credentials from the new address, answered by the SFU.
fn restart_publisher(w: &mut World, peer: usize) {
    let now = w.now;
    let session = w.peers[peer].session;
    let addr = w.peers[peer].pub_addr;
    let rtc = &mut w.peers[peer].publisher;
    rtc.add_local_candidate(Candidate::host(addr, "udp").unwrap());
    let mut change = rtc.sdp_api();
    change.ice_restart(true);
    let (offer, pending) = change.apply().expect("an offer");
    let answer = w
        .sfu
        .publisher_offer(now, session, &offer.to_sdp_string())
        .expect("the SFU takes the restart");
    let answer = SdpAnswer::from_sdp_string(&answer).unwrap();
    w.peers[peer]
        .publisher
        .sdp_api()
        .accept_answer(pending, answer)
        .unwrap();
    w.signals();
}

#[test]
fn after_a_network_change_ice_restarts_bring_the_audio_back_both_ways() {
    let mut w = World::new();
    let a = w.join("room", "alice");
    let b = w.join("room", "bob");
    w.run(1_000, &[a, b]);
    assert!(
        w.heard(a, b) > 40 && w.heard(b, a) > 40,
        "a call to begin with"
    );

    move_network(
        &mut w,
        b,
        "10.0.9.2:6000".parse().unwrap(),
        "10.0.9.2:6001".parse().unwrap(),
    );
    w.run(1_000, &[a, b]);
    let (to_bob, from_bob) = (w.heard(b, a), w.heard(a, b));
    w.run(1_000, &[a, b]);
    assert_eq!(w.heard(b, a), to_bob, "the old path is dead");
    assert_eq!(w.heard(a, b), from_bob);

    // The browser restarts its publisher's ICE: Alice hears Bob again...
    restart_publisher(&mut w, b);
    w.run(1_000, &[a, b]);
    let from_bob = w.heard(a, b);
    w.run(1_000, &[a, b]);
    assert!(w.heard(a, b) - from_bob > 80, "alice hears bob again");
    // ...but the SFU's offers still go to where Bob was.
    assert_eq!(
        w.heard(b, a),
        to_bob,
        "not without the subscriber's restart"
    );

    // The SFU restarts ICE on Bob's subscriber connection.
    let offers = w.peers[b].offers.len();
    assert!(w.sfu.restart_ice(w.now, w.peers[b].session));
    w.signals();
    let sent = &w.peers[b].offers;
    assert_eq!(sent.len(), offers + 1, "a restart offer");
    assert_ne!(
        ufrag(&sent[offers]),
        ufrag(&sent[offers - 1]),
        "new ICE credentials"
    );
    w.run(1_000, &[a, b]);
    let to_bob = w.heard(b, a);
    w.run(1_000, &[a, b]);
    assert!(w.heard(b, a) - to_bob > 80, "bob hears alice again");
    // Sealed by the SFU and numbered on from before: no gap but the outage.
    let numbers = w.numbers(b, a);
    let last = &numbers[numbers.len() - 50..];
    assert!(last.windows(2).all(|p| p[1] == p[0] + 1), "{last:?}");
    assert_eq!(
        w.sfu.sealed_to(w.peers[b].session),
        Some(w.peers[b].sub_addr),
        "the SFU seals to the new path itself"
    );
}

#[test]
fn a_restart_asked_while_an_offer_is_out_follows_its_answer() {
    let mut w = World::new();
    let a = w.join("room", "alice");
    w.run(500, &[a]);
    let session = w.peers[a].session;
    let first = w.peers[a].offers.last().unwrap().clone();
    // A restart offer goes out, and is not answered yet...
    assert!(w.sfu.restart_ice(w.now, session));
    let held = w.sfu.take_outputs();
    // ...when another restart is asked for: it waits for that answer.
    assert!(w.sfu.restart_ice(w.now, session));
    assert!(w.sfu.take_outputs().iter().all(|o| !matches!(
        o,
        belfry::media::sfu::SfuOutput::Signal(
            _,
            belfry::media::sfu::Signal::SubscriberOffer { .. }
        )
    )));
    let before = w.peers[a].offers.len();
    for out in held {
        if let belfry::media::sfu::SfuOutput::Signal(s, signal) = out {
            w.signal(s, signal);
        }
    }
    w.signals();
    let sent = &w.peers[a].offers[before..];
    assert_eq!(sent.len(), 2, "the held offer, then the next restart");
    assert_ne!(ufrag(&sent[0]), ufrag(&first));
    assert_ne!(ufrag(&sent[1]), ufrag(&sent[0]));
    w.run(1_000, &[a]);
    assert!(w.peers[a].subscriber.is_connected());
    assert!(!w
        .sfu
        .restart_ice(w.now, belfry::media::sfu::SessionId(u64::MAX)));
}

#[test]
fn an_address_left_behind_then_taken_by_someone_else_reaches_them() {
    let mut w = World::new();
    let a = w.join("room", "alice");
    let b = w.join("room", "bob");
    w.run(1_000, &[a, b]);
    let (old_pub, old_sub) = (w.peers[b].pub_addr, w.peers[b].sub_addr);
    move_network(
        &mut w,
        b,
        "10.0.9.2:6000".parse().unwrap(),
        "10.0.9.2:6001".parse().unwrap(),
    );
    restart_publisher(&mut w, b);
    assert!(w.sfu.restart_ice(w.now, w.peers[b].session));
    w.signals();
    w.run(1_000, &[a, b]);
    // Bob's old addresses come back to life, as someone else's: Carol's
    // browser is given the very ports Bob's had.
    w.dead.retain(|d| *d != old_pub && *d != old_sub);
    let c = w.join_from("room", "carol", old_pub, old_sub);
    w.run(2_000, &[a, b, c]);
    let heard = [w.heard(a, c), w.heard(c, a), w.heard(c, b), w.heard(b, c)];
    assert!(
        heard.iter().all(|n| *n > 100),
        "carol hears and is heard: {heard:?}"
    );
    let bob_hears = w.heard(b, a);
    w.run(500, &[a, b, c]);
    assert!(w.heard(b, a) - bob_hears > 20, "bob still hears alice");
}
