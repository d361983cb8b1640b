//! The embedded audio SFU, sans-IO: rooms of participants, each with a
//! publisher and a subscriber peer connection (str0m), forwarding every
//! live, unmuted audio track to everyone else in the room.
//!
//! Nothing here opens a socket, spawns a thread or reads a clock: the
//! driver passes packets and time in and carries out what comes back
//! ([`SfuOutput`]). A participant whose peer connection fails, or who sends
//! something unusable, is disconnected alone.

mod down_track;
mod egress;
mod error;
mod forward;
mod ids;
mod keys;
mod nominate;
mod participant;
mod pump;
mod quality;
mod red;
mod resume;
mod roster;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use str0m::change::SdpOffer;
use str0m::net::{Protocol, Receive, Transmit};
use str0m::Input;

pub use error::SfuError;
pub use ids::{RoomId, SessionId, TrackSid};
use participant::Participant;
pub use participant::{ParticipantInfo, Pc, Peers, Track};
pub use quality::Grade;
pub use roster::Gauges;

/// Why a session was dropped when the same person joined the room again.
pub const REPLACED: &str = "joined again elsewhere";

/// A room's members, shared by every link it is sent to.
pub type Roster = Arc<[ParticipantInfo]>;

/// Tracks one participant may publish: an audio-only room has no use for
/// more than a microphone or two.
const MAX_TRACKS: usize = 4;

/// How often speaking levels are reported at most.
const SPEAKERS_EVERY: Duration = Duration::from_millis(500);
/// Audio quieter than this (0..=1) is not speaking.
const SPEAKING_LEVEL: f32 = 0.05;

/// What the driver must carry out.
#[derive(Debug)]
pub enum SfuOutput {
    Transmit(Transmit),
    Signal(SessionId, Signal),
}

/// Signalling toward one participant.
#[derive(Debug, Clone, PartialEq)]
pub enum Signal {
    /// A subscriber offer with its number.
    SubscriberOffer { sdp: String, id: u32 },
    /// Who is in the room changed: everyone (full info, versioned), the
    /// receiver included, as one list shared by all the room's links, each
    /// of which leaves itself out. Building a list per member made every
    /// join cost the SFU's thread the room's size squared.
    Participants(Roster),
    /// Who is speaking now, with levels (only those that changed).
    Speakers(Vec<(String, f32, bool)>),
    /// Connection quality changed for these participants (by sid).
    Quality(Vec<(String, Grade)>),
    /// The server muted (or unmuted) one of the participant's tracks.
    TrackMuted { track: String, muted: bool },
    /// The participant was disconnected by the SFU.
    Disconnected { reason: String },
}

/// The room and identity a session belongs to, for reporting.
#[derive(Debug, Clone, PartialEq)]
pub struct Presence {
    pub room: String,
    pub identity: String,
    /// The session's LiveKit sid (`PA_…`) and display name, for webhooks.
    pub sid: String,
    pub name: String,
}

/// A datagram as it arrived: from UDP, or one ICE-TCP frame.
#[derive(Clone, Copy, Debug)]
pub struct Datagram<'a> {
    pub proto: Protocol,
    pub source: SocketAddr,
    pub destination: SocketAddr,
    pub data: &'a [u8],
}

pub struct Sfu {
    addr: SocketAddr,
    /// The passive ICE-TCP address, if offered.
    tcp: Option<SocketAddr>,
    participants: HashMap<SessionId, Participant>,
    next_session: SessionId,
    outputs: Vec<SfuOutput>,
    /// Sessions that left or were dropped since the last call (reported to
    /// call control by the driver).
    departed: Vec<(SessionId, Presence)>,
    last_speakers: Option<Instant>,
    /// Which peer connection a remote address belongs to (publisher?),
    /// learned from the first packet each accepted.
    routes: HashMap<SocketAddr, (SessionId, Pc)>,
    /// The sessions of each room.
    rooms: HashMap<RoomId, Vec<SessionId>>,
    /// Subscribers written to since they were last drained, in the order
    /// they were first written to (each once: `Participant::written`).
    dirty: Vec<SessionId>,
    /// Forwarded audio is sealed here once a subscriber's keys and route
    /// are known (egress.rs), rather than by its peer connection.
    own_egress: bool,
}

impl Sfu {
    /// An SFU whose peer connections all use `addr` (the one UDP port).
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            tcp: None,
            participants: HashMap::new(),
            next_session: SessionId(1),
            outputs: Vec::new(),
            departed: Vec::new(),
            last_speakers: None,
            routes: HashMap::new(),
            rooms: HashMap::new(),
            dirty: Vec::new(),
            own_egress: true,
        }
    }

    /// Leaves all sealing to the peer connections (the path a subscriber
    /// takes until its keys and route are known): for comparison.
    pub fn with_egress_through_str0m(mut self) -> Self {
        self.own_egress = false;
        self
    }

    /// Also offers passive ICE-TCP at `addr` (for networks that block UDP).
    pub fn with_ice_tcp(mut self, addr: SocketAddr) -> Self {
        self.tcp = Some(addr);
        self
    }

    pub fn info(&self, session: SessionId) -> Option<ParticipantInfo> {
        self.participants.get(&session).map(|p| p.info(true))
    }

    /// Declares a track the browser is about to publish; returns its sid.
    pub fn add_track(&mut self, session: SessionId, cid: &str, muted: bool) -> Option<Track> {
        let p = self.participants.get_mut(&session)?;
        if let Some(t) = p.tracks.iter().find(|t| t.cid == cid) {
            return Some(t.clone());
        }
        if p.tracks.len() >= MAX_TRACKS {
            // An audio-only room has no use for more: refuse, keep the peer.
            return None;
        }
        let muted = muted || p.held;
        let track = Track {
            sid: format!(
                "TR_{session:x}{:08x}",
                rand_suffix(p.tracks.len() as u64 + 7)
            )
            .into(),
            cid: cid.to_string(),
            mid: None,
            muted,
            held_back: 0,
            seen: red::Seen::default(),
        };
        p.tracks.push(track.clone());
        Some(track)
    }

    /// The browser's publisher offer; returns the answer. An offer that
    /// cannot be used disconnects that participant alone.
    pub fn publisher_offer(
        &mut self,
        now: Instant,
        session: SessionId,
        sdp: &str,
    ) -> Result<String, SfuError> {
        let result = {
            let p = self
                .participants
                .get_mut(&session)
                .ok_or(SfuError::NoSession)?;
            SdpOffer::from_sdp_string(sdp)
                .map_err(|e| SfuError::UnreadableOffer(e.to_string()))
                .and_then(|offer| {
                    p.publisher
                        .sdp_api()
                        .accept_offer(offer)
                        .map_err(|e| SfuError::OfferRefused(e.to_string()))
                })
        };
        match result {
            Ok(answer) => {
                self.pump(now);
                tracing::debug!(%session, offer = sdp, answer = %answer.to_sdp_string(), "publisher SDP");
                Ok(red::echo_dtx(sdp, &answer.to_sdp_string()))
            }
            Err(e) => {
                self.drop_session(session, &e.to_string());
                Err(e)
            }
        }
    }

    /// The browser's answer to our subscriber offer.
    pub fn subscriber_answer(
        &mut self,
        now: Instant,
        session: SessionId,
        sdp: &str,
    ) -> Result<(), SfuError> {
        let p = self
            .participants
            .get_mut(&session)
            .ok_or(SfuError::NoSession)?;
        tracing::debug!(%session, answer = sdp, offer = ?p.outstanding_offer().map(|o| o.0), "subscriber SDP");
        if let Err(e) = p.accept_answer(sdp) {
            self.drop_session(session, &e.to_string());
            return Err(e);
        }
        self.offer_if_needed(session);
        self.pump(now);
        Ok(())
    }

    /// Mutes or unmutes a participant's track (the client's own mute, or a
    /// moderator's). False when there is no such track.
    pub fn set_muted(&mut self, session: SessionId, track_sid: Option<&str>, muted: bool) -> bool {
        let Some(p) = self.participants.get_mut(&session) else {
            return false;
        };
        let mut changed = false;
        for t in p
            .tracks
            .iter_mut()
            .filter(|t| track_sid.is_none_or(|sid| t.sid == sid))
        {
            changed |= t.muted != muted;
            t.muted = muted;
        }
        if changed {
            p.version += 1;
            let room = p.room.clone();
            self.tell_room(&room);
        }
        changed || track_sid.is_none()
    }

    /// The participant leaves (or is evicted, with a reason).
    pub fn leave(&mut self, session: SessionId, reason: Option<&str>) {
        match reason {
            Some(reason) => self.drop_session(session, reason),
            None => self.remove(session),
        }
    }

    /// A UDP (or ICE-TCP) packet for one of our peer connections. Packets
    /// nobody accepts are dropped. Returns when to call `handle_timeout`.
    pub fn handle_receive(&mut self, now: Instant, d: Datagram) -> Instant {
        self.receive(now, d);
        self.settle(now)
    }

    /// A datagram for one of the peer connections, without sending what it
    /// forwarded yet: for a batch of datagrams, call [`Sfu::settle`] once
    /// after them, so a subscriber written to by several is drained once.
    pub fn receive(&mut self, now: Instant, d: Datagram) {
        let Ok(r) = Receive::new(d.proto, d.source, d.destination, d.data) else {
            return;
        };
        let input = Input::Receive(now, r);
        let Some((session, pc)) = self.route(d.source, &input) else {
            return;
        };
        let Some(p) = self.participants.get_mut(&session) else {
            return;
        };
        p.last_packet = now;
        // A connection's first authenticated check nominates its pair.
        let nominating = p.nominating(pc, d.data);
        let input = match nominating
            .as_deref()
            .map(|data| Receive::new(d.proto, d.source, d.destination, data))
        {
            Some(Ok(r)) => Input::Receive(now, r),
            _ => input,
        };
        let failed = p.rtc_mut(pc).handle_input(input).err();
        match failed {
            Some(e) => self.drop_session(session, &format!("bad packet: {e}")),
            None => self.drain_one(session, pc, now),
        }
    }

    /// Advances time for the peer connections that asked for it; returns
    /// when to be called next.
    pub fn handle_timeout(&mut self, now: Instant) -> Instant {
        let mut due = Vec::new();
        for (id, p) in &self.participants {
            for pc in Pc::BOTH {
                if p.wake[pc.index()] <= now {
                    due.push((*id, pc));
                }
            }
        }
        for (id, pc) in due {
            let failed = self.participants.get_mut(&id).and_then(|p| {
                let rtc = p.rtc_mut(pc);
                rtc.handle_input(Input::Timeout(now)).err()
            });
            match failed {
                Some(e) => self.drop_session(id, &e.to_string()),
                None => self.drain_one(id, pc, now),
            }
        }
        self.settle(now)
    }

    /// How many outputs wait to be taken.
    pub fn pending_outputs(&self) -> usize {
        self.outputs.len()
    }

    /// What to carry out, in order.
    pub fn take_outputs(&mut self) -> Vec<SfuOutput> {
        std::mem::take(&mut self.outputs)
    }

    /// Sessions that ended since the last call.
    pub fn take_departed(&mut self) -> Vec<(SessionId, Presence)> {
        std::mem::take(&mut self.departed)
    }

    fn offer_if_needed(&mut self, id: SessionId) {
        if let Some((sdp, offer_id)) = self.participants.get_mut(&id).and_then(|p| p.next_offer()) {
            self.outputs.push(SfuOutput::Signal(
                id,
                Signal::SubscriberOffer { sdp, id: offer_id },
            ));
        }
    }
}

/// A few bits of variety for sids, from the session number (sids need to be
/// unique, not secret).
fn rand_suffix(n: u64) -> u32 {
    let x = n
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .rotate_left(17)
        .wrapping_add(std::process::id() as u64);
    (x >> 32) as u32
}
