//! Signalling links: each session's current one, and sessions whose link
//! dropped, parked until their browser resumes them or goes silent.

use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::super::sfu::{SessionId, Signal};
use super::Driver;

/// How long a session whose signalling link dropped waits for the browser
/// to resume it, at most.
const PARK_LIMIT: Duration = Duration::from_secs(20);
/// A parked session from whose browser nothing (audio, RTCP, ICE checks,
/// which come every 2.5 s at the least) has come for this long is gone: the
/// tab died with its link.
const MEDIA_SILENCE: Duration = Duration::from_secs(4);

/// A session whose link dropped.
pub(super) struct Parked {
    since: Instant,
    /// The browser said it is coming back (it closed the link to resume,
    /// its media path broken): its silence says nothing of a dead tab.
    resuming: bool,
    /// What it was to be told meanwhile, sent on resuming.
    pub missed: Vec<Signal>,
}

impl Parked {
    pub fn new(since: Instant, resuming: bool) -> Self {
        Parked {
            since,
            resuming,
            missed: Vec::new(),
        }
    }
}

impl Driver {
    /// Gives a session a new signalling link; returns its number.
    pub(super) fn link(
        &mut self,
        session: SessionId,
        signals: mpsc::UnboundedSender<Signal>,
    ) -> u64 {
        let link = self.next_link;
        self.next_link += 1;
        self.sessions.insert(session, (link, signals));
        link
    }

    /// Whether `link` is the session's current link: a link replaced by a
    /// resume has no say any more.
    pub(super) fn is_current(&self, session: SessionId, link: u64) -> bool {
        self.sessions.get(&session).is_some_and(|(l, _)| *l == link)
    }

    /// Ends parked sessions not resumed in time, or whose browser went
    /// silent (a dead tab), so the room and call control see them leave.
    pub(super) fn expire_parked(&mut self, now: Instant) {
        if self.parked.is_empty() {
            return;
        }
        let sfu = &self.sfu;
        let expired: Vec<SessionId> = (self.parked.iter())
            .filter(|(session, parked)| {
                now.duration_since(parked.since) > PARK_LIMIT
                    || (!parked.resuming
                        && sfu
                            .silent_for(**session, now)
                            .is_none_or(|s| s > MEDIA_SILENCE))
            })
            .map(|(session, _)| *session)
            .collect();
        for session in expired {
            self.parked.remove(&session);
            tracing::debug!(session, "a dropped signalling link was not resumed");
            self.sfu.leave(session, None);
        }
    }
}
