//! Resuming a dropped signalling link: the peer connections, and the audio,
//! stay while a new link asks the server for the session back.

use web_sys::RtcPeerConnectionState;

use super::super::js;
use super::super::run::Ctx;
use super::super::socket::Socket;
use super::{End, Session};
use crate::room::{backoff, requests, RoomPhase};

/// A dropped link is resumed (the peer connections and the audio stay)
/// for this long; then the room is joined again from scratch.
const RESUME_WINDOW_MS: f64 = 15_000.0;
/// A resume attempt not answered this long after opening has failed.
const RESUME_TIMEOUT_MS: f64 = 5_000.0;

/// A dropped link being resumed.
pub(super) struct Resuming {
    since: f64,
    attempt: u32,
    /// A peer connection lost its path (not only the link): ICE restarts
    /// once resumed.
    pub(super) path_lost: bool,
    /// When to open the next attempt; `None` while one is open.
    next_try: Option<f64>,
}

impl Session {
    /// The once-a-second check while resuming: the next attempt when its
    /// time comes, another when one goes unanswered, a full rejoin when
    /// resuming has taken too long.
    pub(super) fn resume_tick(&mut self, now: f64, ctx: &mut Ctx) -> Option<End> {
        let resuming = self.resuming.as_ref()?;
        match resuming.next_try {
            _ if now - resuming.since > RESUME_WINDOW_MS => self.lost(),
            Some(at) if now >= at => self.try_resume(ctx),
            None if now - self.opened_at > RESUME_TIMEOUT_MS => self.link_lost(ctx),
            _ => None,
        }
    }

    pub(super) fn awaiting_resume(&self) -> bool {
        self.resuming.as_ref().is_some_and(|r| r.next_try.is_none())
    }

    /// The signalling link dropped. Once in the room with audio flowing,
    /// the session is resumed on a new link (the peer connections, and the
    /// audio, go on meanwhile); before that, or too late, it ends.
    pub(super) fn link_lost(&mut self, ctx: &Ctx) -> Option<End> {
        self.resume(false, ctx)
    }

    /// A peer connection lost its path (the network changed under it, or
    /// went away for a while): the session is resumed on a new link and
    /// ICE restarted on both connections, rather than waiting for the
    /// browser to call the connection failed and joining again from
    /// scratch.
    pub(super) fn path_lost(&mut self, ctx: &Ctx) -> Option<End> {
        if let Some(resuming) = &mut self.resuming {
            // Already resuming for the link: the next attempt says why.
            resuming.path_lost = true;
            return None;
        }
        self.resume(true, ctx)
    }

    fn resume(&mut self, path_lost: bool, ctx: &Ctx) -> Option<End> {
        let peers_up = [&self.publisher, &self.subscriber].iter().all(|p| {
            p.as_ref()
                .is_some_and(|p| p.pc.connection_state() != RtcPeerConnectionState::Failed)
        });
        if !(self.joined && self.reached && peers_up) {
            return self.lost();
        }
        let now = js::now_ms();
        if path_lost {
            self.socket.close_to_resume();
        } else {
            self.socket.close();
        }
        let resuming = self.resuming.get_or_insert(Resuming {
            since: now,
            attempt: 0,
            path_lost,
            next_try: None,
        });
        resuming.attempt += 1;
        let attempt = resuming.attempt;
        let delay = match attempt {
            1 => 0.0,
            n => f64::from(backoff::delay_ms(n - 1).unwrap_or(2_000).min(2_000)),
        };
        resuming.next_try = Some(now + delay);
        ctx.phase(RoomPhase::Reconnecting { attempt });
        if delay == 0.0 {
            return self.try_resume(ctx);
        }
        None
    }

    /// Opens a link that asks for our session back.
    pub(super) fn try_resume(&mut self, ctx: &Ctx) -> Option<End> {
        let path_lost = self.resuming.as_ref().is_some_and(|r| r.path_lost);
        let sid = self.model.local_sid();
        let url = requests::resume_url(&self.room_url, &ctx.token, sid, path_lost);
        self.link += 1;
        self.opened_at = js::now_ms();
        if let Some(resuming) = &mut self.resuming {
            resuming.next_try = None;
        }
        match Socket::open(&url, self.link, &ctx.tx) {
            Ok(socket) => {
                self.socket = socket;
                None
            }
            Err(_) => self.link_lost(ctx),
        }
    }
}
