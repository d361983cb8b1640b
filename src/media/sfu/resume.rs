//! What resuming a signalling link needs of the SFU: the session a browser
//! names, whether its media still flows, and the offer it may have missed.

use std::time::{Duration, Instant};

use super::{SessionId, Sfu};

impl Sfu {
    /// The session of `identity` in `room`, if its participant sid is `sid`
    /// (a resume names the session it had).
    pub fn find_resumable(&self, room: &str, identity: &str, sid: &str) -> Option<SessionId> {
        let session = self.find(room, identity)?;
        (self.participants.get(&session)?.sid == sid).then_some(session)
    }

    /// How long since a datagram came from the session's browser; `None`
    /// for a session that is gone.
    pub fn silent_for(&self, session: SessionId, now: Instant) -> Option<Duration> {
        let p = self.participants.get(&session)?;
        Some(now.saturating_duration_since(p.last_packet))
    }

    /// The subscriber offer the session has not answered (its SDP and id):
    /// sent again on a resume, since the link it went out on is gone.
    pub fn outstanding_offer(&self, session: SessionId) -> Option<(String, u32)> {
        self.participants.get(&session)?.outstanding_offer()
    }

    /// Restarts ICE on the session's subscriber connection: its browser's
    /// path changed (a new network, or a NAT that rebound), so the pair in
    /// use is dead. The publisher side restarts when the browser offers new
    /// credentials. False for a session that is gone.
    pub fn restart_ice(&mut self, now: Instant, session: SessionId) -> bool {
        let Some(p) = self.participants.get_mut(&session) else {
            return false;
        };
        p.want_ice_restart();
        // Sealed audio waits for the new pair (str0m carries it meanwhile).
        p.egress.lost_route();
        self.offer_if_needed(session);
        self.pump(now);
        true
    }

    /// Where the SFU itself seals the session's forwarded audio to: `None`
    /// until it knows the keys and the path (str0m seals meanwhile).
    pub fn sealed_to(&self, session: SessionId) -> Option<std::net::SocketAddr> {
        self.participants.get(&session)?.egress.sealed_to()
    }
}
