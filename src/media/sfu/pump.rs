//! Draining peer connections: after a packet, only the connection it was for
//! and the subscribers its media was forwarded to; on a timer, only those
//! whose time has come; after a negotiation, everyone. Finding a packet's
//! connection is a map lookup once its source address is known.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use str0m::media::MediaKind;
use str0m::{Event, IceConnectionState, Input, Output};

use super::{Pc, SessionId, Sfu, SfuError, SfuOutput};

/// Times a connection asking for time at once is given it in one drain.
const MAX_SPINS: u32 = 4;
/// The longest the SFU sleeps (speaker updates need a regular beat).
const MAX_SLEEP: Duration = Duration::from_millis(100);

impl Sfu {
    /// The peer connection a packet from `source` is for: by the learned
    /// route, else by asking each (a first STUN check names its session).
    /// A learned route the connection no longer takes (its browser moved
    /// on after an ICE restart, and someone else now has that address) is
    /// learned again.
    pub(super) fn route(&mut self, source: SocketAddr, input: &Input) -> Option<(SessionId, Pc)> {
        let cached = self.routes.get(&source).copied();
        if let Some((id, pc)) = cached {
            match self.participants.get(&id) {
                Some(p) if p.rtc(pc).accepts(input) => return Some((id, pc)),
                Some(_) => {}
                None => {
                    self.routes.remove(&source);
                }
            }
        }
        let found = self.participants.iter().find_map(|(id, p)| {
            if p.publisher.accepts(input) {
                Some((*id, Pc::Publisher))
            } else if p.subscriber.accepts(input) {
                Some((*id, Pc::Subscriber))
            } else {
                None
            }
        });
        match found {
            Some(found) => {
                self.routes.insert(source, found);
                Some(found)
            }
            // Nobody takes it: the learned route, as before (str0m drops
            // what it does not expect).
            None => cached.filter(|(id, _)| self.participants.contains_key(id)),
        }
    }

    /// Whether packets from `source` were accepted by some session's peer
    /// connection (its STUN check named that session's credentials).
    pub fn is_routed(&self, source: SocketAddr) -> bool {
        self.routes.contains_key(&source)
    }

    /// Forgets the routes of a session that is gone.
    pub(super) fn forget_routes(&mut self, id: SessionId) {
        self.routes.retain(|_, (session, _)| *session != id);
    }

    /// The earliest time any peer connection wants to be woken.
    pub(super) fn next_wake(&self, now: Instant) -> Instant {
        let cap = now + MAX_SLEEP;
        self.participants
            .values()
            .flat_map(|p| p.wake)
            .fold(cap, Instant::min)
    }

    /// Drains every peer connection (after a negotiation).
    pub(super) fn pump(&mut self, now: Instant) -> Instant {
        let ids: Vec<SessionId> = self.participants.keys().copied().collect();
        for pc in Pc::BOTH {
            for id in &ids {
                self.drain_one(*id, pc, now);
            }
        }
        self.settle(now)
    }

    /// After any input: sends what forwarding wrote, reports speakers, and
    /// says when to be called next.
    pub fn settle(&mut self, now: Instant) -> Instant {
        while self.drain_written(now, usize::MAX) {}
        self.speakers(now);
        self.next_wake(now)
    }

    /// Drains up to `budget` of the subscribers media was written to (each
    /// once, however many packets it got), in the order they were first
    /// written to; true while more wait. A driver sends between calls, so
    /// the audio of the first packet received leaves first, before the
    /// subscribers of packets that came after it are drained.
    pub fn drain_written(&mut self, now: Instant, budget: usize) -> bool {
        // Draining a subscriber forwards nothing: the queue does not grow.
        let take = budget.min(self.dirty.len());
        let batch: Vec<SessionId> = self.dirty.drain(..take).collect();
        for id in batch {
            let Some(p) = self.participants.get_mut(&id) else {
                continue;
            };
            p.written = false;
            // Written media wants time at once (to queue it for sending):
            // give it now, rather than after a poll that would only ask.
            match p.subscriber.handle_input(Input::Timeout(now)) {
                Err(e) => self.drop_session(id, &e.to_string()),
                Ok(()) => self.drain_one(id, Pc::Subscriber, now),
            }
        }
        !self.dirty.is_empty()
    }

    pub(super) fn drain_one(&mut self, id: SessionId, pc: Pc, now: Instant) {
        if let Err(e) = self.drain(id, pc, now) {
            self.drop_session(id, &e.to_string());
        }
    }

    fn drain(&mut self, id: SessionId, pc: Pc, now: Instant) -> Result<(), SfuError> {
        // Written media asks for time at once (to packetize it): give it
        // here rather than on another pass, a few times at most.
        let mut spins = 0;
        loop {
            let Some(p) = self.participants.get_mut(&id) else {
                return Ok(());
            };
            if !(p.publisher.is_alive() && p.subscriber.is_alive()) {
                return Err(SfuError::Closed);
            }
            let rtc = p.rtc_mut(pc);
            let failed = |e: str0m::RtcError| SfuError::PeerConnection(e.to_string());
            match rtc.poll_output().map_err(failed)? {
                Output::Timeout(at) if at <= now && spins < MAX_SPINS => {
                    spins += 1;
                    rtc.handle_input(Input::Timeout(now)).map_err(failed)?;
                }
                Output::Timeout(at) => {
                    p.wake[pc.index()] = at;
                    return Ok(());
                }
                Output::Transmit(t) => {
                    if pc == Pc::Subscriber {
                        p.egress.saw(&t);
                    }
                    self.outputs.push(SfuOutput::Transmit(t));
                }
                Output::Event(e) => self.on_event(id, pc, now, e),
            }
        }
    }

    fn on_event(&mut self, id: SessionId, pc: Pc, now: Instant, event: Event) {
        let publisher = pc == Pc::Publisher;
        match event {
            // Only an m-line the client sends on carries a track: LiveKit's
            // native SDKs also add receive-only audio and video m-lines to
            // their publisher connection, which must not take the track.
            Event::MediaAdded(added)
                if publisher
                    && added.kind == MediaKind::Audio
                    && added.direction.is_receiving() =>
            {
                self.track_live(id, added.mid)
            }
            Event::MediaChanged(changed) if publisher && changed.direction.is_receiving() => {
                self.track_live(id, changed.mid)
            }
            // A connection came up: once both have, the room hears that this
            // participant's audio can flow (LiveKit's ACTIVE state).
            Event::Connected => {
                let room = self.participants.get_mut(&id).and_then(|p| {
                    let up = p.media_up();
                    (up && !p.media_told).then(|| {
                        p.media_told = true;
                        p.version += 1;
                        p.room.clone()
                    })
                });
                if let Some(room) = room {
                    self.tell_room(&room);
                }
            }
            Event::RtpPacket(packet) if publisher => self.forward(id, now, packet),
            Event::MediaIngressStats(stats) if publisher => self.ingress_stats(id, now, stats),
            Event::MediaEgressStats(stats) if !publisher => self.egress_stats(id, now, stats),
            Event::IceConnectionStateChange(state) => {
                if let Some(p) = self.participants.get_mut(&id) {
                    p.nominated[pc.index()] = matches!(
                        state,
                        IceConnectionState::Connected | IceConnectionState::Completed
                    );
                    if !publisher {
                        p.egress.lost_route();
                    }
                }
            }
            _ => {}
        }
    }
}
