//! A simulated world for the embedded SFU's sans-IO core: real in-memory
//! str0m peers (a publisher and a subscriber each), a network that can lose
//! packets, and simulated time.
#![allow(dead_code)]

mod transcript;
mod wire;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use belfry::media::sfu::{Grade, ParticipantInfo, SessionId, Sfu, SfuOutput, Signal};
use str0m::change::{SdpAnswer, SdpOffer};
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid};
use str0m::net::Transmit;
use str0m::{Candidate, Rtc};

pub use transcript::{Sent, Setup};

pub const SFU: &str = "10.0.0.1:7882";

/// A browser stand-in: a publisher and a subscriber peer connection.
pub struct Peer {
    pub session: SessionId,
    pub marker: u8,
    pub publisher: Rtc,
    pub subscriber: Rtc,
    pub pub_addr: SocketAddr,
    pub sub_addr: SocketAddr,
    pub mid: Option<Mid>,
    /// Frames received, by the marker of who sent them.
    pub heard: HashMap<u8, usize>,
    /// The sequence numbers of those frames, in order of arrival.
    pub numbers: HashMap<u8, Vec<u64>>,
    pub others: Vec<ParticipantInfo>,
    pub disconnected: Option<String>,
    /// What the server last said of this peer's own tracks' mute.
    pub told_muted: Option<bool>,
    pub speaking_seen: Vec<String>,
    /// The connection quality the SFU last told this peer, by sid.
    pub quality: HashMap<String, Grade>,
    /// The subscriber offers the SFU made this peer, as sent.
    pub offers: Vec<String>,
    /// The audio level (-dBov) of each frame received, by sender's marker.
    pub levels: HashMap<u8, Vec<Option<i8>>>,
    /// Frames sent so far: each carries its count after the marker.
    pub sent: u32,
    /// (sequence number, count) of each frame received, by sender's marker.
    pub frames: HashMap<u8, Vec<(u64, u32)>>,
}

pub fn client_rtc(now: Instant, addr: SocketAddr) -> Rtc {
    client_rtc_red(now, addr, false)
}

/// A peer connection that offers (and so sends) RED, as browsers do.
pub fn client_rtc_red(now: Instant, addr: SocketAddr, red: bool) -> Rtc {
    let mut rtc = Rtc::builder()
        .clear_codecs()
        .enable_opus(true, red)
        .build(now);
    rtc.add_local_candidate(Candidate::host(addr, "udp").unwrap());
    rtc
}

pub struct World {
    pub now: Instant,
    pub sfu: Sfu,
    pub peers: Vec<Peer>,
    /// Packets in flight, delivered on the next step.
    pub wire: Vec<Transmit>,
    /// Every nth packet from this address to the SFU is lost.
    pub lossy: Option<(SocketAddr, usize)>,
    pub sent_by_lossy: usize,
    /// Every nth RTP packet from the SFU to this address is lost.
    pub lossy_down: Option<(SocketAddr, usize)>,
    pub sent_to_lossy: usize,
    /// Addresses that stopped working (a network left behind): packets
    /// from or to them are lost.
    pub dead: Vec<SocketAddr>,
    /// ICE checks and DTLS as they crossed the wire.
    pub transcript: Vec<Sent>,
    /// Until then, checks that nominate are lost on the way to the SFU
    /// (a browser that nominates late), and how many were.
    pub lose_nominations_until: Option<Instant>,
    pub nominations_lost: usize,
    /// Peers joining from now on offer RED (RFC 2198).
    pub red_clients: bool,
    /// The payload type of every RTP packet delivered, by (from, to).
    pub pts: Vec<(SocketAddr, SocketAddr, u8)>,
}

impl World {
    pub fn new() -> Self {
        static CRYPTO: std::sync::Once = std::sync::Once::new();
        CRYPTO.call_once(|| str0m::crypto::from_feature_flags().install_process_default());
        let now = Instant::now();
        Self {
            now,
            sfu: Sfu::new(SFU.parse().unwrap()),
            peers: Vec::new(),
            wire: Vec::new(),
            lossy: None,
            sent_by_lossy: 0,
            lossy_down: None,
            sent_to_lossy: 0,
            dead: Vec::new(),
            transcript: Vec::new(),
            lose_nominations_until: None,
            nominations_lost: 0,
            red_clients: false,
            pts: Vec::new(),
        }
    }

    /// A world whose SFU leaves all sealing to its peer connections.
    pub fn through_str0m() -> Self {
        let mut w = Self::new();
        w.sfu = Sfu::new(SFU.parse().unwrap()).with_egress_through_str0m();
        w
    }

    /// A peer joins `room` and publishes its microphone.
    pub fn join(&mut self, room: &str, name: &str) -> usize {
        let marker = self.peers.len() as u8 + 1;
        let pub_addr: SocketAddr = format!("10.0.1.{marker}:5000").parse().unwrap();
        let sub_addr: SocketAddr = format!("10.0.1.{marker}:5001").parse().unwrap();
        self.join_from(room, name, pub_addr, sub_addr)
    }

    /// A peer joins from the given addresses.
    pub fn join_from(
        &mut self,
        room: &str,
        name: &str,
        pub_addr: SocketAddr,
        sub_addr: SocketAddr,
    ) -> usize {
        self.join_offering(room, name, pub_addr, sub_addr, 0)
    }

    /// A peer joins as LiveKit's native SDKs do: their publisher offer
    /// carries `receive_only` receive-only audio m-lines before the one
    /// that sends the microphone.
    pub fn join_native(&mut self, room: &str, name: &str, receive_only: usize) -> usize {
        let marker = self.peers.len() as u8 + 1;
        let pub_addr: SocketAddr = format!("10.0.1.{marker}:5000").parse().unwrap();
        let sub_addr: SocketAddr = format!("10.0.1.{marker}:5001").parse().unwrap();
        self.join_offering(room, name, pub_addr, sub_addr, receive_only)
    }

    fn join_offering(
        &mut self,
        room: &str,
        name: &str,
        pub_addr: SocketAddr,
        sub_addr: SocketAddr,
        receive_only: usize,
    ) -> usize {
        let index = self.peers.len();
        let marker = index as u8 + 1;
        let session = self.sfu.join(self.now, room, name, name);
        self.peers.push(Peer {
            session,
            marker,
            publisher: client_rtc_red(self.now, pub_addr, self.red_clients),
            subscriber: client_rtc_red(self.now, sub_addr, self.red_clients),
            pub_addr,
            sub_addr,
            mid: None,
            heard: HashMap::new(),
            numbers: HashMap::new(),
            others: Vec::new(),
            disconnected: None,
            told_muted: None,
            speaking_seen: Vec::new(),
            quality: HashMap::new(),
            offers: Vec::new(),
            levels: HashMap::new(),
            sent: 0,
            frames: HashMap::new(),
        });
        self.signals();
        let cid = format!("mic-{name}");
        let track = self.sfu.add_track(session, &cid, false).expect("a track");
        assert!(track.sid.starts_with("TR_"));
        let peer = &mut self.peers[index];
        let mut change = peer.publisher.sdp_api();
        for _ in 0..receive_only {
            change.add_media(MediaKind::Audio, Direction::RecvOnly, None, None, None);
        }
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
    pub fn signals(&mut self) {
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

    pub fn signal(&mut self, session: SessionId, signal: Signal) {
        let Some(i) = self.peers.iter().position(|p| p.session == session) else {
            return;
        };
        let me = self.sfu.info(session).map(|info| info.sid);
        let peer = &mut self.peers[i];
        match signal {
            Signal::SubscriberOffer { sdp, .. } => {
                peer.offers.push(sdp.clone());
                let offer = SdpOffer::from_sdp_string(&sdp).unwrap();
                let answer = peer.subscriber.sdp_api().accept_offer(offer).unwrap();
                let _ = self
                    .sfu
                    .subscriber_answer(self.now, session, &answer.to_sdp_string());
            }
            // Every link is sent the whole room and leaves itself out.
            Signal::Participants(everyone) => {
                peer.others = everyone
                    .iter()
                    .filter(|p| Some(&p.sid) != me.as_ref())
                    .cloned()
                    .collect()
            }
            Signal::Disconnected { reason } => peer.disconnected = Some(reason),
            Signal::TrackMuted { muted, .. } => peer.told_muted = Some(muted),
            Signal::Quality(grades) => peer.quality.extend(grades),
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
    pub fn step(&mut self, talking: &[usize]) {
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
                let mut frame = vec![peer.marker; 60];
                frame[1..5].copy_from_slice(&peer.sent.to_be_bytes());
                peer.sent += 1;
                writer
                    .audio_level(-10, true)
                    .write(pt, now, rtp_time, frame)
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

    pub fn run(&mut self, millis: u64, talking: &[usize]) {
        for _ in 0..millis / 10 {
            self.step(talking);
        }
    }

    /// The sequence numbers `listener` received from `speaker`.
    pub fn numbers(&self, listener: usize, speaker: usize) -> &[u64] {
        let marker = self.peers[speaker].marker;
        (self.peers[listener].numbers.get(&marker)).map_or(&[], |n| &n[..])
    }

    pub fn heard(&self, listener: usize, speaker: usize) -> usize {
        let marker = self.peers[speaker].marker;
        self.peers[listener]
            .heard
            .get(&marker)
            .copied()
            .unwrap_or(0)
    }
}

pub fn peer_epoch() -> Instant {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}
