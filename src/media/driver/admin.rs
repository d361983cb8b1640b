//! The server API's questions and orders (LiveKit's RoomService on the
//! embedded SFU), by room and identity as LiveKit names them.

use tokio::sync::oneshot;

use super::super::sfu::ParticipantInfo;
use super::{Driver, REMOVED, RESTARTING};

pub enum Admin {
    /// Who is in `room` now.
    Participants {
        room: String,
        reply: oneshot::Sender<Vec<ParticipantInfo>>,
    },
    /// The server is stopping: everyone is told to reconnect (LiveKit's
    /// leave with the reconnect action), and goes.
    Shutdown { reply: oneshot::Sender<usize> },
    /// What is in the SFU now (`/metrics`).
    Stats {
        reply: oneshot::Sender<super::super::sfu::Gauges>,
    },
    /// Every room with anyone in it, and how many.
    Rooms {
        reply: oneshot::Sender<Vec<(String, usize)>>,
    },
    /// Takes `identity` out of `room`; false when they were not there.
    Remove {
        room: String,
        identity: String,
        reply: oneshot::Sender<bool>,
    },
    /// Holds `identity` muted in `room` (or lets them speak again), as a
    /// moderator's mute; `track` must be theirs when named. Their info
    /// after, or None when there is no such participant or track.
    Mute {
        room: String,
        identity: String,
        track: Option<String>,
        muted: bool,
        reply: oneshot::Sender<Option<ParticipantInfo>>,
    },
}

impl Driver {
    pub(super) fn on_admin(&mut self, admin: Admin) {
        match admin {
            Admin::Participants { room, reply } => {
                let _ = reply.send(self.sfu.room_members_all(&room));
            }
            Admin::Shutdown { reply } => {
                let rooms = self.sfu.room_sizes();
                let mut told = 0;
                for (room, _) in rooms {
                    for session in self.sfu.sessions_in(&room) {
                        self.sfu.leave(session, Some(RESTARTING));
                        told += 1;
                    }
                }
                let _ = reply.send(told);
            }
            Admin::Stats { reply } => {
                let _ = reply.send(self.sfu.gauges());
            }
            Admin::Rooms { reply } => {
                let _ = reply.send(self.sfu.room_sizes());
            }
            Admin::Remove {
                room,
                identity,
                reply,
            } => {
                let session = self.sfu.find(&room, &identity);
                if let Some(session) = session {
                    self.sfu.leave(session, Some(REMOVED));
                }
                let _ = reply.send(session.is_some());
            }
            Admin::Mute {
                room,
                identity,
                track,
                muted,
                reply,
            } => {
                let session = self.sfu.find(&room, &identity);
                let info = session.and_then(|s| self.sfu.info(s));
                let owns = |info: &ParticipantInfo| match &track {
                    None => true,
                    Some(t) => info.tracks.iter().any(|(sid, _)| sid == t),
                };
                let answer = match (session, info) {
                    (Some(session), Some(info)) if owns(&info) => {
                        self.sfu.server_mute(session, muted);
                        self.sfu.info(session)
                    }
                    _ => None,
                };
                let _ = reply.send(answer);
            }
        }
    }
}
