//! Who is in each room: letting a participant in, telling a room about its
//! members, and taking a participant out (leaving, replaced, or dropped for
//! misbehaving).

use std::net::SocketAddr;
use std::time::Instant;

use super::participant::{Participant, Peers};
use super::{
    rand_suffix, ParticipantInfo, Presence, Roster, SessionId, Sfu, SfuOutput, Signal, REPLACED,
};

impl Sfu {
    /// A publisher m-line was negotiated: match it to a declared track (by
    /// the msid track id, else the first waiting one) and subscribe the room.
    pub(super) fn track_live(&mut self, id: SessionId, mid: str0m::media::Mid) {
        let Some(p) = self.participants.get_mut(&id) else {
            return;
        };
        let Some(media) = p.publisher.media(mid) else {
            return;
        };
        if media.kind() != str0m::media::MediaKind::Audio
            || p.tracks.iter().any(|t| t.mid == Some(mid))
        {
            return; // Not audio, or already carrying its track.
        }
        let msid_track = Some(media.track_id().to_string());
        let index = p
            .tracks
            .iter()
            .position(|t| t.mid.is_none() && msid_track.as_deref() == Some(t.cid.as_str()))
            .or_else(|| p.tracks.iter().position(|t| t.mid.is_none()));
        let Some(index) = index else {
            return; // An m-line nobody declared: nothing to forward.
        };
        p.tracks[index].mid = Some(mid);
        p.version += 1;
        let (room, publisher_sid, track_sid) =
            (p.room.clone(), p.sid.clone(), p.tracks[index].sid.clone());
        let others: Vec<SessionId> = self
            .participants
            .iter()
            .filter(|(o, q)| **o != id && q.room == room)
            .map(|(o, _)| *o)
            .collect();
        for other in others {
            if let Some(q) = self.participants.get_mut(&other) {
                q.subscribe(&publisher_sid, &track_sid);
            }
            self.offer_if_needed(other);
        }
        self.tell_room(&room);
    }

    /// Adds a participant. An identity already in the room is disconnected
    /// first (one session per identity and room).
    pub fn join(&mut self, now: Instant, room: &str, identity: &str, name: &str) -> SessionId {
        let peers = Peers::new(now, self.addrs());
        self.join_with(now, room, identity, name, peers)
    }

    /// Where browsers reach this SFU: its UDP address, and its ICE-TCP one.
    pub fn addrs(&self) -> (SocketAddr, Option<SocketAddr>) {
        (self.addr, self.tcp)
    }

    /// Joins with peer connections made beforehand (`Peers::new` with
    /// `addrs()`), off the thread that runs the SFU.
    pub fn join_with(
        &mut self,
        now: Instant,
        room: &str,
        identity: &str,
        name: &str,
        peers: Peers,
    ) -> SessionId {
        if let Some(twin) = self.find(room, identity) {
            self.drop_session(twin, REPLACED);
        }
        let session = self.next_session;
        self.next_session = SessionId(session.0 + 1);
        let sid = format!("PA_{session:x}{:08x}", rand_suffix(session.0));
        let mut me = Participant::new(now, peers, sid, room, identity, name);
        let room = me.room.clone();
        for other in self.participants.values().filter(|p| p.room == room) {
            for track in other.tracks.iter().filter(|t| t.mid.is_some()) {
                me.subscribe(&other.sid, &track.sid);
            }
        }
        self.participants.insert(session, me);
        self.rooms.entry(room.clone()).or_default().push(session);
        self.offer_if_needed(session);
        self.tell_room(&room);
        self.tell_grades(session, &room);
        session
    }

    /// The session whose identity is `identity` in `room`.
    pub fn find(&self, room: &str, identity: &str) -> Option<SessionId> {
        self.rooms.get(room)?.iter().copied().find(|id| {
            self.participants
                .get(id)
                .is_some_and(|p| p.identity == identity)
        })
    }

    /// The participant's own mute or unmute of one of their tracks. An
    /// unmute while a moderator holds them muted is refused: the track stays
    /// muted and the client is told so again. False when refused or there
    /// is no such track.
    pub fn client_mute(&mut self, session: SessionId, track: &str, muted: bool) -> bool {
        let held = self.participants.get(&session).is_some_and(|p| p.held);
        if held && !muted {
            self.outputs.push(SfuOutput::Signal(
                session,
                Signal::TrackMuted {
                    track: track.to_string(),
                    muted: true,
                },
            ));
            return false;
        }
        self.set_muted(session, Some(track), muted)
    }

    /// Every session in a room.
    pub fn sessions_in(&self, room: &str) -> Vec<SessionId> {
        self.rooms.get(room).cloned().unwrap_or_default()
    }

    /// Everyone in the room.
    pub fn room_members_all(&self, room: &str) -> Vec<ParticipantInfo> {
        self.room_infos(room, None)
    }

    /// Every room with someone in it, and how many.
    /// What is in the SFU now, for `/metrics`.
    pub fn gauges(&self) -> Gauges {
        let mut g = Gauges {
            rooms: self.rooms.len(),
            participants: self.participants.len(),
            ..Gauges::default()
        };
        let mut loss = 0.0;
        for p in self.participants.values() {
            g.tracks += p.tracks.iter().filter(|t| t.mid.is_some()).count();
            loss += p.readings.up_loss.max(p.readings.down_loss);
            g.jitter_ms = g.jitter_ms.max(p.readings.jitter_ms);
        }
        if g.participants > 0 {
            g.loss = loss / g.participants as f32;
        }
        g
    }

    pub fn room_sizes(&self) -> Vec<(String, usize)> {
        let mut sizes: Vec<(String, usize)> = (self.rooms.iter())
            .map(|(room, sessions)| (room.to_string(), sessions.len()))
            .collect();
        sizes.sort();
        sizes
    }

    /// Everyone in the room but `except`, as the joiner is told.
    pub fn room_members(&self, room: &str, except: SessionId) -> Vec<ParticipantInfo> {
        self.room_infos(room, Some(except))
    }

    /// A moderator mutes (or unmutes) every track of a participant: the
    /// room is told, and so is the participant, whose client stops sending.
    /// While muted so, the participant's own unmute is refused.
    pub fn server_mute(&mut self, session: SessionId, muted: bool) {
        if let Some(p) = self.participants.get_mut(&session) {
            p.held = muted;
        }
        self.set_muted(session, None, muted);
        let tracks: Vec<String> = (self.participants.get(&session))
            .map(|p| p.tracks.iter().map(|t| t.sid.to_string()).collect())
            .unwrap_or_default();
        for track in tracks {
            self.outputs.push(SfuOutput::Signal(
                session,
                Signal::TrackMuted { track, muted },
            ));
        }
    }

    pub(super) fn room_infos(&self, room: &str, except: Option<SessionId>) -> Vec<ParticipantInfo> {
        let members = self.rooms.get(room).map(Vec::as_slice).unwrap_or_default();
        let mut infos: Vec<ParticipantInfo> = members
            .iter()
            .filter(|id| Some(**id) != except)
            .filter_map(|id| self.participants.get(id))
            .map(|p| p.info(true))
            .collect();
        infos.sort_by(|a, b| a.sid.cmp(&b.sid));
        infos
    }

    /// Tells everyone in the room about the others.
    pub(super) fn tell_room(&mut self, room: &str) {
        let everyone: Roster = self.room_infos(room, None).into();
        for id in self.sessions_in(room) {
            self.outputs.push(SfuOutput::Signal(
                id,
                Signal::Participants(everyone.clone()),
            ));
        }
    }

    pub(super) fn drop_session(&mut self, id: SessionId, reason: &str) {
        if self.participants.contains_key(&id) {
            self.outputs.push(SfuOutput::Signal(
                id,
                Signal::Disconnected {
                    reason: reason.to_string(),
                },
            ));
            self.remove(id);
        }
    }

    pub(super) fn remove(&mut self, id: SessionId) {
        let Some(mut gone) = self.participants.remove(&id) else {
            return;
        };
        self.forget_routes(id);
        if let Some(members) = self.rooms.get_mut(&gone.room) {
            members.retain(|m| *m != id);
            if members.is_empty() {
                self.rooms.remove(&gone.room);
            }
        }
        gone.publisher.disconnect();
        gone.subscriber.disconnect();
        for track in &gone.tracks {
            let others: Vec<SessionId> = self.sessions_in(&gone.room);
            for other in others {
                if let Some(q) = self.participants.get_mut(&other) {
                    q.unsubscribe(&track.sid);
                }
                self.offer_if_needed(other);
            }
        }
        // Those who remain see the leaver as disconnected, then gone.
        let mut left = gone.info(false);
        left.version += 1;
        let mut infos = self.room_infos(&gone.room, None);
        infos.push(left);
        let everyone: Roster = infos.into();
        for other in self.sessions_in(&gone.room) {
            self.outputs.push(SfuOutput::Signal(
                other,
                Signal::Participants(everyone.clone()),
            ));
        }
        self.departed.push((
            id,
            Presence {
                room: gone.room.to_string(),
                identity: gone.identity,
                sid: gone.sid,
                name: gone.name,
            },
        ));
    }
}

/// What is in the SFU now: rooms, people, live tracks, and the loss (mean
/// over participants, the worse direction of each) and jitter (the worst)
/// their connections last reported.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Gauges {
    pub rooms: usize,
    pub participants: usize,
    pub tracks: usize,
    pub loss: f32,
    pub jitter_ms: f32,
}
