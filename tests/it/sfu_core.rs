//! The embedded SFU's sans-IO core, driven by real in-memory str0m peers
//! (two and three of them) over a simulated network with simulated time:
//! join, publish, forward, mute, leave, and peers that misbehave.

use crate::sfu_world;

use str0m::net::Protocol;

use belfry::media::sfu::{Datagram, SfuOutput};
use sfu_world::{World, SFU};

#[test]
fn two_peers_hear_each_other_and_not_themselves() {
    let mut w = World::new();
    let a = w.join("room-1", "alice");
    let b = w.join("room-1", "bob");
    w.run(3_000, &[a, b]);
    assert!(
        w.heard(a, b) > 100,
        "alice heard bob {} times",
        w.heard(a, b)
    );
    assert!(
        w.heard(b, a) > 100,
        "bob heard alice {} times",
        w.heard(b, a)
    );
    assert_eq!(w.heard(a, a), 0, "no echo of one's own voice");
    assert_eq!(w.heard(b, b), 0);
    // Each sees the other with one live, unmuted track.
    let seen = &w.peers[a].others;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].identity, "bob");
    assert_eq!(seen[0].tracks.len(), 1);
    assert!(!seen[0].tracks[0].1, "not muted");
    // Both are reported as speaking.
    let bob_sid = w.sfu.info(w.peers[b].session).unwrap().sid;
    assert!(w.peers[a].speaking_seen.contains(&bob_sid));
}

#[test]
fn three_peers_each_hear_the_other_two_and_rooms_stay_apart() {
    let mut w = World::new();
    let a = w.join("choir", "alice");
    let b = w.join("choir", "bob");
    let c = w.join("choir", "carol");
    let d = w.join("elsewhere", "dave");
    w.run(3_000, &[a, b, c, d]);
    for (listener, speakers) in [(a, [b, c]), (b, [a, c]), (c, [a, b])] {
        for speaker in speakers {
            assert!(
                w.heard(listener, speaker) > 100,
                "{listener} heard {speaker} {} times",
                w.heard(listener, speaker)
            );
        }
        assert_eq!(w.heard(listener, d), 0, "another room is not heard");
    }
    assert!(w.peers[d].heard.is_empty(), "dave is alone in his room");
    assert_eq!(w.peers[a].others.len(), 2);
}

#[test]
fn a_subscriber_is_offered_only_the_audio_level_extension_and_gets_each_level() {
    let mut w = World::new();
    let a = w.join("room-1", "alice");
    let b = w.join("room-1", "bob");
    w.run(1_000, &[a, b]);
    let offers = &w.peers[a].offers;
    assert!(!offers.is_empty(), "alice was offered bob's track");
    for offer in offers {
        let extmaps: Vec<&str> = offer
            .lines()
            .filter(|l| l.starts_with("a=extmap:"))
            .collect();
        assert!(!extmaps.is_empty(), "no extension at all in {offer}");
        for line in extmaps {
            assert!(
                line.ends_with("urn:ietf:params:rtp-hdrext:ssrc-audio-level"),
                "{line}"
            );
        }
    }
    // The publisher's level (-10 dBov in the world) reaches the listener.
    let bob = w.peers[b].marker;
    let levels = &w.peers[a].levels[&bob];
    assert!(levels.len() > 50, "{} frames", levels.len());
    assert!(levels.iter().all(|l| *l == Some(-10)), "{levels:?}");
}

#[test]
fn a_muted_track_is_not_forwarded_and_everyone_is_told() {
    let mut w = World::new();
    let a = w.join("room", "alice");
    let b = w.join("room", "bob");
    w.run(2_000, &[a, b]);
    let before = w.heard(b, a);
    assert!(before > 50);
    let alice = w.peers[a].session;
    assert!(w.sfu.set_muted(alice, None, true));
    w.signals();
    let version_muted = w.peers[b].others[0].version;
    assert!(w.peers[b].others[0].tracks[0].1, "bob sees alice muted");
    w.run(1_000, &[a, b]);
    // A few frames may be in flight when the mute lands.
    assert!(w.heard(b, a) <= before + 5, "muted audio kept flowing");
    assert!(w.heard(a, b) > 100, "bob is still heard");
    assert_eq!(
        w.peers[a].told_muted, None,
        "her own mute: nothing to tell her"
    );
    assert!(w.sfu.set_muted(alice, None, false));
    w.signals();
    assert!(w.peers[b].others[0].version > version_muted);
    w.run(1_000, &[a, b]);
    assert!(w.heard(b, a) > before + 50, "unmuted audio flows again");
}

#[test]
fn forwarded_packets_are_numbered_without_gaps_across_a_mute_and_from_1_for_a_late_joiner() {
    let mut w = World::new();
    let a = w.join("room", "alice");
    let b = w.join("room", "bob");
    w.run(1_000, &[a]);
    let alice = w.peers[a].session;
    assert!(w.sfu.set_muted(alice, None, true));
    w.signals();
    // She keeps sending while muted (as a browser does); none of it is
    // forwarded, and none of it may look lost to bob afterwards.
    w.run(1_000, &[a]);
    let c = w.join("room", "carol");
    assert!(w.sfu.set_muted(alice, None, false));
    w.signals();
    w.run(1_000, &[a]);
    let to_bob = w.numbers(b, a);
    assert!(to_bob.len() > 150, "bob heard {} packets", to_bob.len());
    assert!(
        to_bob.windows(2).all(|p| p[1] == p[0] + 1),
        "a gap or a repeat in what bob received: {to_bob:?}"
    );
    // Carol joined after alice had sent ~200 packets from a random number.
    let to_carol = w.numbers(c, a);
    assert!(
        to_carol.len() > 50,
        "carol heard {} packets",
        to_carol.len()
    );
    assert_eq!(to_carol[0], 1, "carol's first packet is not number 1");
    assert!(to_carol.windows(2).all(|p| p[1] == p[0] + 1));
}

/// Alice, bob and carol in a room, connected; then alice's two next
/// frames reach the SFU (and nothing else: it is not asked to settle).
/// Returns the world and the subscribers' addresses, bob's first.
fn two_frames_from_alice(mut w: World) -> (World, [std::net::SocketAddr; 2]) {
    use std::time::Duration;
    use str0m::media::{Frequency, MediaTime};
    use str0m::net::Transmit;

    let a = w.join("room", "alice");
    let b = w.join("room", "bob");
    let c = w.join("room", "carol");
    w.run(2_000, &[a, b, c]);
    let from = w.peers[a].pub_addr;
    w.sfu.take_outputs();
    w.wire.clear();
    for n in 0..2u64 {
        w.now += Duration::from_millis(10);
        let now = w.now;
        let peer = &mut w.peers[a];
        let writer = peer.publisher.writer(peer.mid.unwrap()).unwrap();
        let pt = writer.payload_params().next().unwrap().pt();
        let time = MediaTime::new(n * 480, Frequency::FORTY_EIGHT_KHZ);
        writer.write(pt, now, time, vec![peer.marker; 60]).unwrap();
        w.poll_peers();
    }
    let wire: Vec<Transmit> = std::mem::take(&mut w.wire);
    for t in wire.iter().filter(|t| t.source == from) {
        let d = Datagram {
            proto: Protocol::Udp,
            source: t.source,
            destination: t.destination,
            data: &t.contents,
        };
        w.sfu.receive(w.now, d);
    }
    let subscribers = [w.peers[b].sub_addr, w.peers[c].sub_addr];
    (w, subscribers)
}

#[test]
fn forwarded_audio_leaves_sealed_as_it_arrives_in_the_rooms_order_and_is_heard() {
    let (mut w, [bob, carol]) = two_frames_from_alice(World::new());
    let outputs = w.sfu.take_outputs();
    // Sealed by the SFU itself as each packet came: nothing waits for a
    // pass through the subscribers' peer connections.
    assert!(!w.sfu.drain_written(w.now, usize::MAX), "nothing waits");
    let sent: Vec<_> = outputs
        .into_iter()
        .filter_map(|o| match o {
            SfuOutput::Transmit(t) if [bob, carol].contains(&t.destination) => Some(t),
            _ => None,
        })
        .collect();
    let order: Vec<_> = sent.iter().map(|t| t.destination).collect();
    assert_eq!(order, [bob, carol, bob, carol]);
    // And the listeners' own SRTP opens them, in order, numbered on.
    let (a, b) = (0, 1);
    let before = w.numbers(b, a).to_vec();
    for t in sent {
        w.deliver(t);
    }
    w.poll_peers();
    let after = w.numbers(b, a);
    assert_eq!(after.len(), before.len() + 2, "bob opened both packets");
    let last = *before.last().unwrap();
    assert_eq!(after[after.len() - 2..], [last + 1, last + 2]);
}

#[test]
fn forwarded_media_is_drained_a_budget_of_subscribers_at_a_time_each_once() {
    use std::collections::HashSet;

    // Sealing left to the peer connections (the path until a subscriber's
    // keys and route are known).
    let (mut w, [bob, carol]) = two_frames_from_alice(World::through_str0m());
    let subscribers: HashSet<_> = [bob, carol].into();
    let reached = |outputs: Vec<SfuOutput>| -> HashSet<_> {
        outputs
            .into_iter()
            .filter_map(|o| match o {
                SfuOutput::Transmit(t) => Some(t.destination),
                _ => None,
            })
            .filter(|d| subscribers.contains(d))
            .collect()
    };
    // Two subscribers written to (twice each): one drained per call, in
    // the order alice's first packet was written to them (the room's).
    assert!(w.sfu.drain_written(w.now, 1), "one more waits");
    let first = reached(w.sfu.take_outputs());
    assert_eq!(first, [bob].into(), "bob first");
    assert!(!w.sfu.drain_written(w.now, 1), "none waits");
    let second = reached(w.sfu.take_outputs());
    assert_eq!(second, [carol].into(), "then carol");
    assert!(!w.sfu.drain_written(w.now, 1));
    assert!(
        reached(w.sfu.take_outputs()).is_empty(),
        "drained once each"
    );
}

#[test]
fn a_moderator_mute_silences_the_track_and_tells_its_owner() {
    let mut w = World::new();
    let a = w.join("room", "alice");
    let b = w.join("room", "bob");
    w.run(2_000, &[a, b]);
    let before = w.heard(a, b);
    let bob = w.peers[b].session;
    w.sfu.server_mute(bob, true);
    w.signals();
    assert_eq!(w.peers[b].told_muted, Some(true), "bob's client is told");
    assert!(w.peers[a].others[0].tracks[0].1, "alice sees bob muted");
    w.run(1_000, &[a, b]);
    assert!(w.heard(a, b) <= before + 5, "bob's audio kept flowing");
}

#[test]
fn a_leaver_stops_being_forwarded_and_is_reported() {
    let mut w = World::new();
    let a = w.join("room", "alice");
    let b = w.join("room", "bob");
    let c = w.join("room", "carol");
    w.run(2_000, &[a, b, c]);
    let alice = w.peers[a].session;
    w.sfu.leave(alice, None);
    w.peers[a].disconnected = Some("left".into());
    w.signals();
    // Bob and carol see alice disconnected.
    let seen: Vec<_> = w.peers[b]
        .others
        .iter()
        .filter(|p| p.identity == "alice")
        .collect();
    assert_eq!(seen.len(), 1);
    assert!(!seen[0].connected);
    let departed = w.sfu.take_departed();
    assert_eq!(departed.len(), 1);
    assert_eq!(departed[0].1.identity, "alice");
    let (b_heard, c_heard) = (w.heard(b, c), w.heard(c, b));
    w.run(1_000, &[a, b, c]);
    assert!(w.heard(b, c) > b_heard + 50 && w.heard(c, b) > c_heard + 50);
    assert_eq!(w.sfu.sessions_in("room").len(), 2);
}

#[test]
fn a_peer_sending_garbage_or_bad_sdp_is_dropped_alone() {
    let mut w = World::new();
    let a = w.join("room", "alice");
    let b = w.join("room", "bob");
    w.run(1_500, &[a, b]);
    // Garbage datagrams from a stranger and from a participant's address.
    for (source, bytes) in [
        ("10.9.9.9:4000", vec![0u8; 3]),
        ("10.9.9.9:4000", vec![0xff; 1200]),
        ("10.0.1.1:5000", vec![0x80, 0x6f, 0, 1, 0, 0, 0, 0, 9, 9]),
    ] {
        let d = Datagram {
            proto: Protocol::Udp,
            source: source.parse().unwrap(),
            destination: SFU.parse().unwrap(),
            data: &bytes,
        };
        w.sfu.handle_receive(w.now, d);
    }
    // A third peer joins and offers nonsense.
    let session = w.sfu.join(w.now, "room", "mallory", "Mallory");
    let err = w
        .sfu
        .publisher_offer(w.now, session, "v=0\r\nthis is not sdp")
        .expect_err("bad SDP is refused");
    assert!(
        matches!(err, belfry::media::sfu::SfuError::UnreadableOffer(_)),
        "{err}"
    );
    assert!(w.sfu.info(session).is_none(), "mallory is gone");
    assert!(w.sfu.subscriber_answer(w.now, session, "junk").is_err());
    w.signals();
    let before = (w.heard(a, b), w.heard(b, a));
    w.run(1_000, &[a, b]);
    assert!(w.heard(a, b) > before.0 + 50, "alice still hears bob");
    assert!(w.heard(b, a) > before.1 + 50, "bob still hears alice");
    assert!(w.peers[a].disconnected.is_none() && w.peers[b].disconnected.is_none());
}

#[test]
fn the_same_identity_joining_again_replaces_the_first_session() {
    let mut w = World::new();
    let a = w.join("room", "alice");
    let first = w.peers[a].session;
    let again = w.sfu.join(w.now, "room", "alice", "Alice");
    assert_ne!(first, again);
    assert!(w.sfu.info(first).is_none());
    assert_eq!(w.sfu.find("room", "alice"), Some(again));
    w.signals();
    assert!(w.peers[a].disconnected.is_some(), "the old tab is told");
}

#[test]
fn a_publisher_offer_with_receive_only_audio_first_is_heard_as_native_sdks_send_it() {
    // LiveKit's native SDKs open their publisher connection with
    // receive-only audio (and video) m-lines, then add the microphone's
    // send-only one: the track is the one the client sends on.
    let mut w = World::new();
    let a = w.join_native("room-1", "native-alice", 3);
    let b = w.join("room-1", "bob");
    let c = w.join_native("room-1", "native-carol", 2);
    w.run(3_000, &[a, b, c]);
    for (listener, speaker) in [(a, b), (a, c), (b, a), (b, c), (c, a), (c, b)] {
        assert!(
            w.heard(listener, speaker) > 100,
            "{listener} heard {speaker} {} times",
            w.heard(listener, speaker)
        );
    }
    // One track each, on the m-line that sends.
    let seen = &w.peers[b].others;
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|p| p.tracks.len() == 1));
}

#[test]
fn the_room_hears_a_participant_is_active_only_once_their_audio_can_flow() {
    // Carol's network loses everything: she joins (signalling works) but
    // her connections never come up. Bob's do.
    let mut w = World::new();
    let a = w.join("room-1", "alice");
    let b = w.join("room-1", "bob");
    let carol_pub: std::net::SocketAddr = "10.0.9.9:5000".parse().unwrap();
    let carol_sub: std::net::SocketAddr = "10.0.9.9:5001".parse().unwrap();
    w.dead.extend([carol_pub, carol_sub]);
    let c = w.join_from("room-1", "carol", carol_pub, carol_sub);
    w.run(3_000, &[a, b, c]);
    let seen = |name: &str| {
        w.peers[a]
            .others
            .iter()
            .find(|p| p.identity == name)
            .unwrap_or_else(|| panic!("alice sees {name}"))
            .clone()
    };
    assert!(seen("bob").media, "bob's audio flows: he is active");
    assert!(!seen("carol").media, "carol is in the room, not active");
    assert!(w.heard(a, b) > 100 && w.heard(a, c) == 0);
}
