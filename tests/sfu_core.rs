//! The embedded SFU's sans-IO core, driven by real in-memory str0m peers
//! (two and three of them) over a simulated network with simulated time:
//! join, publish, forward, mute, leave, and peers that misbehave.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use belfry::media::sfu::{ParticipantInfo, SessionId, Sfu, SfuOutput, Signal};
use str0m::change::{SdpAnswer, SdpOffer};
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive, Transmit};
use str0m::{Candidate, Event, Input, Output, Rtc};

const SFU: &str = "10.0.0.1:7882";

/// A browser stand-in: a publisher and a subscriber peer connection.
struct Peer {
    session: SessionId,
    marker: u8,
    publisher: Rtc,
    subscriber: Rtc,
    pub_addr: SocketAddr,
    sub_addr: SocketAddr,
    mid: Option<Mid>,
    /// Frames received, by the marker of who sent them.
    heard: HashMap<u8, usize>,
    others: Vec<ParticipantInfo>,
    disconnected: Option<String>,
    /// What the server last said of this peer's own tracks' mute.
    told_muted: Option<bool>,
    speaking_seen: Vec<String>,
}

fn client_rtc(now: Instant, addr: SocketAddr) -> Rtc {
    let mut rtc = Rtc::builder()
        .clear_codecs()
        .enable_opus(true, false)
        .build(now);
    rtc.add_local_candidate(Candidate::host(addr, "udp").unwrap());
    rtc
}

struct World {
    now: Instant,
    sfu: Sfu,
    peers: Vec<Peer>,
    /// Packets in flight, delivered on the next step.
    wire: Vec<Transmit>,
}

impl World {
    fn new() -> Self {
        static CRYPTO: std::sync::Once = std::sync::Once::new();
        CRYPTO.call_once(|| str0m::crypto::from_feature_flags().install_process_default());
        let now = Instant::now();
        Self {
            now,
            sfu: Sfu::new(SFU.parse().unwrap()),
            peers: Vec::new(),
            wire: Vec::new(),
        }
    }

    /// A peer joins `room` and publishes its microphone.
    fn join(&mut self, room: &str, name: &str) -> usize {
        let index = self.peers.len();
        let marker = index as u8 + 1;
        let pub_addr: SocketAddr = format!("10.0.1.{marker}:5000").parse().unwrap();
        let sub_addr: SocketAddr = format!("10.0.1.{marker}:5001").parse().unwrap();
        let session = self.sfu.join(self.now, room, name, name);
        self.peers.push(Peer {
            session,
            marker,
            publisher: client_rtc(self.now, pub_addr),
            subscriber: client_rtc(self.now, sub_addr),
            pub_addr,
            sub_addr,
            mid: None,
            heard: HashMap::new(),
            others: Vec::new(),
            disconnected: None,
            told_muted: None,
            speaking_seen: Vec::new(),
        });
        self.signals();
        let cid = format!("mic-{name}");
        let track = self.sfu.add_track(session, &cid, false).expect("a track");
        assert!(track.sid.starts_with("TR_"));
        let peer = &mut self.peers[index];
        let mut change = peer.publisher.sdp_api();
        let mid = change.add_media(
            MediaKind::Audio,
            Direction::SendOnly,
            Some("stream".into()),
            Some(cid),
            None,
        );
        let (offer, pending) = change.apply().unwrap();
        peer.mid = Some(mid);
        let answer = self
            .sfu
            .publisher_offer(self.now, session, &offer.to_sdp_string())
            .expect("the SFU answers");
        let answer = SdpAnswer::from_sdp_string(&answer).unwrap();
        self.peers[index]
            .publisher
            .sdp_api()
            .accept_answer(pending, answer)
            .unwrap();
        self.signals();
        index
    }

    /// Carries out the SFU's signalling toward the peers, until it has
    /// nothing more to say (an answer may bring the next queued offer).
    fn signals(&mut self) {
        loop {
            let outs = self.sfu.take_outputs();
            if outs.is_empty() {
                return;
            }
            for out in outs {
                match out {
                    SfuOutput::Transmit(t) => self.wire.push(t),
                    SfuOutput::Signal(session, signal) => self.signal(session, signal),
                }
            }
        }
    }

    fn signal(&mut self, session: SessionId, signal: Signal) {
        let Some(i) = self.peers.iter().position(|p| p.session == session) else {
            return;
        };
        let peer = &mut self.peers[i];
        match signal {
            Signal::SubscriberOffer { sdp, .. } => {
                let offer = SdpOffer::from_sdp_string(&sdp).unwrap();
                let answer = peer.subscriber.sdp_api().accept_offer(offer).unwrap();
                let _ = self
                    .sfu
                    .subscriber_answer(self.now, session, &answer.to_sdp_string());
            }
            Signal::Participants(others) => peer.others = others,
            Signal::Disconnected { reason } => peer.disconnected = Some(reason),
            Signal::TrackMuted { muted, .. } => peer.told_muted = Some(muted),
            Signal::Speakers(levels) => peer.speaking_seen.extend(
                levels
                    .into_iter()
                    .filter(|(_, _, active)| *active)
                    .map(|(sid, _, _)| sid),
            ),
        }
    }

    /// 10 ms of simulated time: every connected, talking peer sends a frame
    /// (loud when `talking`), packets cross the wire, timers fire.
    fn step(&mut self, talking: &[usize]) {
        self.now += Duration::from_millis(10);
        let now = self.now;
        for (i, peer) in self.peers.iter_mut().enumerate() {
            if peer.disconnected.is_some() || !talking.contains(&i) {
                continue;
            }
            let Some(mid) = peer.mid else { continue };
            if !peer.publisher.is_connected() {
                continue;
            }
            if let Some(writer) = peer.publisher.writer(mid) {
                let pt = writer.payload_params().next().unwrap().pt();
                let rtp_time = MediaTime::new(
                    now.duration_since(peer_epoch()).as_millis() as u64 * 48,
                    Frequency::FORTY_EIGHT_KHZ,
                );
                writer
                    .audio_level(-10, true)
                    .write(pt, now, rtp_time, vec![peer.marker; 60])
                    .unwrap();
            }
        }
        for _ in 0..4 {
            self.poll_peers();
            let wire = std::mem::take(&mut self.wire);
            for t in wire {
                self.deliver(t);
            }
            self.sfu.handle_timeout(now);
            self.signals();
        }
    }

    fn poll_peers(&mut self) {
        let now = self.now;
        for peer in &mut self.peers {
            if peer.disconnected.is_some() {
                continue;
            }
            for publisher in [true, false] {
                let rtc = if publisher {
                    &mut peer.publisher
                } else {
                    &mut peer.subscriber
                };
                let _ = rtc.handle_input(Input::Timeout(now));
                while let Ok(out) = rtc.poll_output() {
                    match out {
                        Output::Timeout(_) => break,
                        Output::Transmit(t) => self.wire.push(t),
                        Output::Event(Event::MediaData(d)) if !publisher => {
                            *peer.heard.entry(d.data[0]).or_default() += 1;
                        }
                        Output::Event(_) => {}
                    }
                }
            }
        }
    }

    fn deliver(&mut self, t: Transmit) {
        fn receive(t: &Transmit) -> Receive<'_> {
            Receive {
                proto: Protocol::Udp,
                source: t.source,
                destination: t.destination,
                contents: (&t.contents[..]).try_into().unwrap(),
            }
        }
        if t.destination == SFU.parse().unwrap() {
            self.sfu.handle_receive(self.now, receive(&t));
            return;
        }
        for peer in &mut self.peers {
            let rtc = if t.destination == peer.pub_addr {
                &mut peer.publisher
            } else if t.destination == peer.sub_addr {
                &mut peer.subscriber
            } else {
                continue;
            };
            let _ = rtc.handle_input(Input::Receive(self.now, receive(&t)));
        }
    }

    fn run(&mut self, millis: u64, talking: &[usize]) {
        for _ in 0..millis / 10 {
            self.step(talking);
        }
    }

    fn heard(&self, listener: usize, speaker: usize) -> usize {
        let marker = self.peers[speaker].marker;
        self.peers[listener]
            .heard
            .get(&marker)
            .copied()
            .unwrap_or(0)
    }
}

fn peer_epoch() -> Instant {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

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
        let t = Receive {
            proto: Protocol::Udp,
            source: source.parse().unwrap(),
            destination: SFU.parse().unwrap(),
            contents: match (&bytes[..]).try_into() {
                Ok(c) => c,
                Err(_) => continue,
            },
        };
        w.sfu.handle_receive(w.now, t);
    }
    // A third peer joins and offers nonsense.
    let session = w.sfu.join(w.now, "room", "mallory", "Mallory");
    let err = w
        .sfu
        .publisher_offer(w.now, session, "v=0\r\nthis is not sdp")
        .expect_err("bad SDP is refused");
    assert!(err.contains("offer"), "{err}");
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
