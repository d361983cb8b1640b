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
}
