//! Signalling links: each session's current one, and sessions whose link
//! dropped, parked until their browser resumes them or goes silent.

use std::time::{Duration, Instant};

use super::super::sfu::{SessionId, Signal};
use super::{Driver, Resumed};
use tokio::sync::mpsc;

/// Signals queued toward one session's signalling link. A browser that stops
/// reading its socket fills it, and that session alone is dropped.
pub const SIGNAL_QUEUE: usize = 1024;
/// Why a session whose signalling link stopped reading was dropped.
pub const TOO_SLOW: &str = "the signalling link fell behind";

/// One signalling link of a session (a resume gives the session another):
/// a link replaced by a newer one has no say any more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LinkId(pub u64);

/// Where the SFU sends a session's signals, and where its link reads them.
pub type Signals = mpsc::Sender<Signal>;

/// A bounded channel for one session's signals.
pub fn signal_channel() -> (Signals, mpsc::Receiver<Signal>) {
    mpsc::channel(SIGNAL_QUEUE)
}

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

/// A resume from a browser nothing has come from for this long restarts
/// ICE, whatever the browser says. (A muted browser, sending only RTCP and
/// consent checks, may be restarted needlessly: that costs it a moment.)
const RESUME_QUIET: Duration = Duration::from_secs(2);

impl Driver {
    /// A new link takes over session `sid` of `identity` in `room`, if it
    /// is there: the link is attached, anything told while it was parked
    /// is handed over, and a browser whose path broke (it says so, or
    /// nothing has come from it for a while) gets new ICE credentials on
    /// its subscriber connection, to check from where it is now. A link
    /// that dropped alone keeps its path.
    pub(super) fn resume(
        &mut self,
        now: Instant,
        room: &str,
        identity: &str,
        sid: &str,
        path_lost: bool,
        signals: super::Signals,
    ) -> Option<Resumed> {
        let session = self.sfu.find_resumable(room, identity, sid)?;
        // A link still open (the browser gave up on it first) ends when its
        // channel does; its leave is ignored.
        let missed = self.parked.remove(&session).map(|p| p.missed);
        let resumed = Resumed {
            session,
            link: self.link(session, signals),
            others: self.sfu.room_members(room, session),
            offer: self.sfu.outstanding_offer(session),
            missed: missed.unwrap_or_default(),
        };
        let quiet = self.sfu.silent_for(session, now);
        if path_lost || quiet.is_none_or(|q| q > RESUME_QUIET) {
            tracing::debug!(%session, path_lost, "ICE restart");
            self.sfu.restart_ice(now, session);
        }
        Some(resumed)
    }

    /// Gives a session a new signalling link; returns its number.
    pub(super) fn link(&mut self, session: SessionId, signals: super::Signals) -> LinkId {
        let link = self.next_link;
        self.next_link = LinkId(link.0 + 1);
        self.sessions.insert(session, (link, signals));
        link
    }

    /// Whether `link` is the session's current link: a link replaced by a
    /// resume has no say any more.
    pub(super) fn is_current(&self, session: SessionId, link: LinkId) -> bool {
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
            tracing::debug!(%session, "a dropped signalling link was not resumed");
            self.sfu.leave(session, None);
        }
    }
}
