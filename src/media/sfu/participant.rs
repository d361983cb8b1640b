//! One participant of the embedded SFU: their two peer connections (the
//! publisher, which the browser offers, and the subscriber, which the SFU
//! offers), their published tracks, and the tracks forwarded to them.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

use str0m::change::SdpPendingOffer;
use str0m::media::{Direction, MediaKind, Mid};
use str0m::net::TcpType;
use str0m::rtp::Extension;
use str0m::{Candidate, Rtc};

use super::down_track::DownTrack;
use super::egress::Egress;
use super::error::SfuError;
use super::ids::{RoomId, TrackSid};
use super::keys::KeySlot;

/// Which of a participant's two peer connections: the publisher, which the
/// browser offers and sends its microphone on, or the subscriber, which the
/// SFU offers and forwards the others' audio on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pc {
    Publisher,
    Subscriber,
}

impl Pc {
    pub const BOTH: [Pc; 2] = [Pc::Publisher, Pc::Subscriber];

    /// Its place in per-connection pairs (`wake`, `nominated`).
    pub fn index(self) -> usize {
        match self {
            Pc::Publisher => 0,
            Pc::Subscriber => 1,
        }
    }
}

/// The first two bytes of a STUN Binding request (RFC 5389).
const STUN_BINDING_REQUEST: [u8; 2] = [0x00, 0x01];

/// A published audio track.
#[derive(Debug, Clone)]
pub struct Track {
    /// The SFU's id for it (`TR_...`).
    pub sid: TrackSid,
    /// The browser's id for it (the MediaStreamTrack id).
    pub cid: String,
    /// The publisher m-line carrying it, once negotiated.
    pub mid: Option<Mid>,
    pub muted: bool,
    /// Packets held back while muted: taken off the sequence numbers
    /// forwarded after, so subscribers see no loss where there was silence.
    pub held_back: u64,
    /// The publisher's recent packets already forwarded or held back.
    pub seen: super::red::Seen,
}

/// What others are told about a participant.
#[derive(Debug, Clone, PartialEq)]
pub struct ParticipantInfo {
    pub sid: String,
    pub identity: String,
    pub name: String,
    /// Bumped on every change; clients ignore older versions.
    pub version: u32,
    /// Tracks that are live (negotiated), with their mute state.
    pub tracks: Vec<(String, bool)>,
    pub connected: bool,
    /// Both its peer connections are up (ICE and DTLS): audio can flow
    /// both ways. Until then it is in the room but cannot hear or be heard.
    pub media: bool,
}

pub struct Participant {
    pub sid: String,
    pub identity: String,
    pub name: String,
    pub room: RoomId,
    pub version: u32,
    pub publisher: Rtc,
    pub subscriber: Rtc,
    /// The subscriber connection's own path for forwarded audio.
    pub egress: Egress,
    pub tracks: Vec<Track>,
    /// Muted by a moderator: the participant's own unmute is refused until
    /// a moderator lets them speak (call control keeps this across joins).
    pub held: bool,
    /// Tracks of others forwarded to this participant, by track sid.
    pub down: HashMap<TrackSid, DownTrack>,
    /// Loudest recent audio level (0..=1) and when it was heard.
    pub level: f32,
    pub heard_at: Option<Instant>,
    /// What the statistics say of this participant's connection.
    pub readings: super::quality::Readings,
    /// When each peer connection next wants time (by `Pc::index`).
    pub wake: [Instant; 2],
    /// Media was written to the subscriber connection since it was last
    /// drained (it is queued in the SFU's `dirty`).
    pub written: bool,
    /// When a datagram last came from the browser (on either connection).
    pub last_packet: Instant,
    /// Whether each peer connection (by `Pc::index`) has a nominated
    /// pair to send on (their ICE state is connected or completed).
    pub nominated: [bool; 2],
    /// The room was told this participant's media is up.
    pub media_told: bool,
    /// Subscriber changes wait while an offer is out: one offer at a time.
    queued_add: Vec<(String, String)>,
    queued_remove: Vec<String>,
    /// The first offer is still to be made (see `next_offer`).
    first_offer: bool,
    /// The next offer restarts ICE (the browser's path changed).
    restart_ice: bool,
    pending_offer: Option<SdpPendingOffer>,
    /// The outstanding offer as sent, to send again after a resume.
    offer_out: Option<(String, u32)>,
    offers_made: u32,
}

/// An ICE-lite, Opus-only peer connection (with RED, RFC 2198, where the
/// other side offers or accepts it: red.rs) reachable at the UDP address, and
/// over passive ICE-TCP when there is a TCP address. In RTP mode: packets
/// are forwarded as they came, never reassembled into frames and cut again.
///
/// A subscriber connection offers one header extension, the audio level.
/// Without transport-wide sequence numbers and send times, no down-track is
/// numbered for congestion control or fed back about by the browser (the
/// SFU sends audio at the rate it comes: there is no bandwidth to
/// estimate); without the MID, browsers tell the tracks apart by the SSRCs
/// the offer lists, and no packet carries a string to write.
pub fn new_rtc(
    now: Instant,
    (udp, tcp): (SocketAddr, Option<SocketAddr>),
    subscriber: bool,
) -> (Rtc, Option<KeySlot>) {
    let mut config = Rtc::builder()
        .set_ice_lite(true)
        .set_rtp_mode(true)
        .clear_codecs()
        .enable_opus(true, true)
        .set_stats_interval(Some(super::quality::STATS_EVERY));
    if subscriber {
        config = config
            .clear_extension_map()
            .set_extension(1, Extension::AudioLevel);
    }
    // The subscriber's keys are caught to seal forwarded audio (egress.rs).
    let (mut rtc, keys) = if subscriber {
        super::keys::build(config, now)
    } else {
        (config.build(now), None)
    };
    if let Ok(candidate) = Candidate::host(udp, "udp") {
        rtc.add_local_candidate(candidate);
    }
    let passive = tcp.and_then(|addr| {
        Candidate::builder()
            .tcp()
            .host(addr)
            .tcptype(TcpType::Passive)
            .build()
            .ok()
    });
    if let Some(candidate) = passive {
        rtc.add_local_candidate(candidate);
    }
    (rtc, keys)
}

/// A participant's two peer connections, made before it joins. Making one
/// costs about a millisecond of key generation and seeding in str0m's DTLS,
/// so the driver has them made on a blocking thread, never on the thread
/// that forwards everyone's audio.
pub struct Peers {
    publisher: Rtc,
    subscriber: Rtc,
    keys: Option<KeySlot>,
}

impl Peers {
    pub fn new(now: Instant, addrs: (SocketAddr, Option<SocketAddr>)) -> Self {
        let (subscriber, keys) = new_rtc(now, addrs, true);
        Self {
            publisher: new_rtc(now, addrs, false).0,
            subscriber,
            keys,
        }
    }
}

impl Participant {
    pub fn new(
        now: Instant,
        peers: Peers,
        sid: String,
        room: &str,
        identity: &str,
        name: &str,
    ) -> Self {
        Self {
            sid,
            identity: identity.into(),
            name: name.into(),
            room: room.into(),
            version: 1,
            publisher: peers.publisher,
            subscriber: peers.subscriber,
            egress: Egress::new(peers.keys),
            tracks: Vec::new(),
            held: false,
            down: HashMap::new(),
            level: 0.0,
            written: false,
            heard_at: None,
            queued_add: Vec::new(),
            queued_remove: Vec::new(),
            first_offer: true,
            restart_ice: false,
            pending_offer: None,
            offer_out: None,
            offers_made: 0,
            readings: Default::default(),
            wake: [now; 2],
            last_packet: now,
            nominated: [false; 2],
            media_told: false,
        }
    }

    pub fn info(&self, connected: bool) -> ParticipantInfo {
        ParticipantInfo {
            sid: self.sid.clone(),
            identity: self.identity.clone(),
            name: self.name.clone(),
            version: self.version,
            tracks: self
                .tracks
                .iter()
                .filter(|t| t.mid.is_some())
                .map(|t| (t.sid.to_string(), t.muted))
                .collect(),
            connected,
            media: self.media_up(),
        }
    }

    /// Both peer connections are up.
    pub fn media_up(&self) -> bool {
        self.publisher.is_connected() && self.subscriber.is_connected()
    }

    /// Asks to forward someone else's track to this participant.
    pub fn subscribe(&mut self, publisher_sid: &str, track_sid: &str) {
        if !self.down.contains_key(track_sid) {
            self.queued_remove.retain(|t| t != track_sid);
            self.queued_add
                .push((publisher_sid.to_string(), track_sid.to_string()));
        }
    }

    /// Asks to stop forwarding a track (its publisher left).
    pub fn unsubscribe(&mut self, track_sid: &str) {
        self.queued_add.retain(|(_, t)| t != track_sid);
        if self.down.contains_key(track_sid) {
            self.queued_remove.push(track_sid.to_string());
        }
    }

    /// The next subscriber offer, if changes wait and none is outstanding:
    /// its SDP and its number (the client echoes it in the answer).
    pub fn next_offer(&mut self) -> Option<(String, u32)> {
        let nothing_new = !self.first_offer
            && !self.restart_ice
            && self.queued_add.is_empty()
            && self.queued_remove.is_empty();
        if self.pending_offer.is_some() || nothing_new {
            return None;
        }
        let mut change = self.subscriber.sdp_api();
        if std::mem::take(&mut self.restart_ice) && !self.first_offer {
            // New credentials, the same host candidates: the browser checks
            // them from wherever it is now, and nominates a new pair.
            change.ice_restart(true);
        }
        if self.first_offer {
            // The subscriber connects at once, before there is anything to
            // hear (the client waits for it; the first words then need no
            // handshake): one inactive m-line carries the connection. Not
            // data channels, as LiveKit's server offers: the SFU sends no
            // data, and an SCTP association polled on every forwarded
            // packet cost ~15 % of its CPU.
            change.add_media(MediaKind::Audio, Direction::Inactive, None, None, None);
        }
        for (publisher, track) in self.queued_add.drain(..) {
            let mid = change.add_media(
                MediaKind::Audio,
                Direction::SendOnly,
                Some(format!("{publisher}|{track}")),
                Some(track.clone()),
                None,
            );
            self.down.insert(
                TrackSid::from(track),
                DownTrack {
                    mid,
                    last: None,
                    primed: false,
                },
            );
        }
        for track in self.queued_remove.drain(..) {
            if let Some(down) = self.down.remove(track.as_str()) {
                change.stop_media(down.mid);
                self.readings.down_reports.remove(&down.mid);
            }
        }
        self.first_offer = false;
        let (offer, pending) = change.apply()?;
        self.pending_offer = Some(pending);
        self.offers_made += 1;
        let sent = (offer.to_sdp_string(), self.offers_made);
        self.offer_out = Some(sent.clone());
        Some(sent)
    }

    /// One of the two peer connections.
    pub fn rtc(&self, pc: Pc) -> &Rtc {
        match pc {
            Pc::Publisher => &self.publisher,
            Pc::Subscriber => &self.subscriber,
        }
    }

    /// The same, to drive.
    pub fn rtc_mut(&mut self, pc: Pc) -> &mut Rtc {
        match pc {
            Pc::Publisher => &mut self.publisher,
            Pc::Subscriber => &mut self.subscriber,
        }
    }

    /// `datagram` nominating its pair, if it is an authenticated check for
    /// a connection with nothing nominated yet (see `nominate`).
    pub fn nominating(&mut self, pc: Pc, datagram: &[u8]) -> Option<Vec<u8>> {
        if self.nominated[pc.index()] || !datagram.starts_with(&STUN_BINDING_REQUEST) {
            return None;
        }
        let password = self.rtc_mut(pc).direct_api().local_ice_credentials().pass;
        super::nominate::nominating(datagram, &password)
    }

    /// Asks for an ICE restart in the next subscriber offer (made at once
    /// unless one is still out: then right after its answer).
    pub fn want_ice_restart(&mut self) {
        self.restart_ice = true;
    }

    /// The subscriber offer still waiting for its answer, if any.
    pub fn outstanding_offer(&self) -> Option<(String, u32)> {
        self.offer_out.clone()
    }

    /// The browser's answer to the outstanding subscriber offer.
    pub fn accept_answer(&mut self, sdp: &str) -> Result<(), SfuError> {
        let pending = self
            .pending_offer
            .take()
            .ok_or(SfuError::AnswerWithoutOffer)?;
        self.offer_out = None;
        let answer = str0m::change::SdpAnswer::from_sdp_string(sdp)
            .map_err(|e| SfuError::UnreadableAnswer(e.to_string()))?;
        self.subscriber
            .sdp_api()
            .accept_answer(pending, answer)
            .map_err(|e| SfuError::AnswerRefused(e.to_string()))
    }
}
