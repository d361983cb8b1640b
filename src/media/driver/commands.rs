//! What signalling handlers (and call control) ask of the SFU driver, and
//! what it answers.

use std::time::Instant;

use tokio::sync::oneshot;

use super::super::control::MediaCommand;
use super::super::sfu::{ParticipantInfo, Peers, Presence, SessionId, SfuError, Signal, Track};
use super::LinkId;

/// Why call control took someone out: removed, or the call ended.
pub const REMOVED: &str = "removed from the call";
pub const ROOM_CLOSED: &str = "the call has ended";
/// Said to everyone when the server stops (SIGTERM): come back, to this
/// server once it is up again or to another.
pub const RESTARTING: &str = "the server is restarting";

pub enum Command {
    /// Sent by `MediaServer::join`, which makes the peer connections first.
    Join {
        room: String,
        identity: String,
        name: String,
        peers: Box<Peers>,
        signals: super::Signals,
        reply: oneshot::Sender<Joined>,
    },
    /// A new signalling link for the session `sid` of `identity` in `room`
    /// (LiveKit's resume): its media never stopped, unless `path_lost` (the
    /// browser's peer connections lost their path: ICE is restarted).
    Resume {
        room: String,
        identity: String,
        sid: String,
        path_lost: bool,
        signals: super::Signals,
        reply: oneshot::Sender<Option<Resumed>>,
    },
    AddTrack {
        session: SessionId,
        cid: String,
        muted: bool,
        reply: oneshot::Sender<Option<Track>>,
    },
    PublisherOffer {
        session: SessionId,
        sdp: String,
        reply: oneshot::Sender<Result<String, SfuError>>,
    },
    SubscriberAnswer {
        session: SessionId,
        sdp: String,
    },
    Mute {
        session: SessionId,
        track: String,
        muted: bool,
    },
    /// Call control holds this session muted (a moderator's mute, kept
    /// across joins): its own unmute is refused.
    Hold {
        session: SessionId,
    },
    /// The participant left (or was dropped) on signalling link `link`.
    Leave {
        session: SessionId,
        link: LinkId,
    },
    /// Signalling link `link` dropped without a leave: the session stays,
    /// its media flowing, until the browser resumes it or goes silent.
    /// The link dropped; `resuming` when the browser said it is coming
    /// back on a new one.
    Park {
        session: SessionId,
        link: LinkId,
        resuming: bool,
    },
    Control(MediaCommand),
    /// LiveKit's server API (`driver::admin`).
    Admin(super::admin::Admin),
}

/// A session just joined: who they are, and who is already there.
pub struct Joined {
    pub session: SessionId,
    /// This signalling link's number (a later resume gets another).
    pub link: LinkId,
    pub me: ParticipantInfo,
    pub others: Vec<ParticipantInfo>,
}

/// A session taken over by a new signalling link.
pub struct Resumed {
    pub session: SessionId,
    pub link: LinkId,
    pub others: Vec<ParticipantInfo>,
    /// The subscriber offer still unanswered: the old link may have lost it.
    pub offer: Option<(String, u32)>,
    /// What was said while no link was there and still holds (mutes).
    pub missed: Vec<Signal>,
}

/// Someone came into a room or went out of it, for call control.
#[derive(Debug, Clone, PartialEq)]
pub struct PresenceChange {
    pub presence: Presence,
    pub joined: bool,
}

/// Call control's commands, queued to the SFU's task like any other.
impl super::super::control::MediaControl for super::MediaServer {
    fn send(&self, command: MediaCommand) {
        self.command(Command::Control(command));
    }
}

impl super::MediaServer {
    /// Joins `identity` to `room` and links `signals` to the session. The
    /// peer connections are made on a blocking thread first, so a join (or a
    /// whole choir joining at once) never holds up the audio being forwarded.
    pub async fn join(
        &self,
        room: &str,
        identity: &str,
        name: &str,
        signals: super::Signals,
    ) -> Option<Joined> {
        let addrs = (self.udp, self.tcp);
        let peers = tokio::task::spawn_blocking(move || Peers::new(Instant::now(), addrs))
            .await
            .ok()?;
        self.ask(|reply| Command::Join {
            room: room.into(),
            identity: identity.into(),
            name: name.into(),
            peers: Box::new(peers),
            signals,
            reply,
        })
        .await
    }
}

impl super::Driver {
    /// Call control's orders: carried out at once.
    pub(super) fn on_control(&mut self, command: MediaCommand) {
        match command {
            MediaCommand::Evict { room, user } => {
                if let Some(session) = self.sfu.find(&room, &user.to_string()) {
                    self.sfu.leave(session, Some(REMOVED));
                }
            }
            MediaCommand::Mute { room, user, muted } => {
                if let Some(session) = self.sfu.find(&room, &user.to_string()) {
                    self.sfu.server_mute(session, muted);
                }
            }
            MediaCommand::OpenRoom { .. } => {} // Rooms appear on the first join.
            MediaCommand::CloseRoom { room } => {
                for session in self.sfu.sessions_in(&room) {
                    self.sfu.leave(session, Some(ROOM_CLOSED));
                }
            }
        }
    }
}
