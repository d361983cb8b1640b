//! The room as signalling describes it, and what each server message asks
//! the client to do next.

pub use super::signal::IceServer;
use super::signal::{self, code, Rx};
use super::types::{CloseReason, Quality, RoomPeer};

/// What the client must do after a server message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Joined: make both peer connections and announce the microphone.
    /// Pings go every `ping_interval` s; silence for `ping_timeout` s is a
    /// lost link (0: no pings).
    Joined {
        ice_servers: Vec<IceServer>,
        ping_interval: u32,
        ping_timeout: u32,
    },
    /// The microphone announced as `cid` is track `sid`: add it and offer.
    Publish { cid: String, sid: String },
    /// Take the server's offer on the subscriber and answer with `id`.
    SubscriberOffer { sdp: String, id: u32 },
    /// The server's answer to our publisher offer `id`.
    PublisherAnswer { sdp: String, id: u32 },
    /// A remote ICE candidate (its JSON `RTCIceCandidateInit`).
    Candidate { subscriber: bool, init: String },
    /// Who is in the room, or how they are, changed.
    PeersChanged,
    /// A moderator muted (or let unmute) our microphone.
    ModeratorMute { muted: bool },
    /// The server took our session back on a new link (a resume).
    Resumed,
    /// Drop this connection and join again.
    Reconnect,
    /// Out of the room for good.
    Close(CloseReason),
    /// Join with this token next time.
    Token(String),
    /// Round-trip time to the server, ms.
    Rtt(i64),
}

struct Entry {
    peer: RoomPeer,
    version: u32,
}

/// The people in the room, ourselves first.
#[derive(Default)]
pub struct RoomModel {
    local_sid: String,
    local_track: Option<String>,
    entries: Vec<Entry>,
}

impl RoomModel {
    pub fn local_sid(&self) -> &str {
        &self.local_sid
    }

    /// Our microphone's track sid, once the server has named it.
    pub fn local_track(&self) -> Option<&str> {
        self.local_track.as_deref()
    }

    pub fn peers(&self) -> Vec<RoomPeer> {
        self.entries.iter().map(|e| e.peer.clone()).collect()
    }

    pub fn peer(&self, sid: &str) -> Option<&RoomPeer> {
        self.entries.iter().map(|e| &e.peer).find(|p| p.sid == sid)
    }

    /// The participant whose track arrives in stream `PA_x|TR_y`.
    pub fn stream_owner(stream_id: &str) -> Option<&str> {
        let (owner, track) = stream_id.split_once('|')?;
        (owner.starts_with("PA_") && track.starts_with("TR")).then_some(owner)
    }

    /// Our own mute, as we set it; returns whether it changed.
    pub fn set_local_muted(&mut self, muted: bool) -> bool {
        let Some(local) = self.entries.iter_mut().find(|e| e.peer.is_local) else {
            return false;
        };
        let changed = local.peer.muted != muted;
        local.peer.muted = muted;
        if muted {
            local.peer.speaking = false;
            local.peer.level = 0.0;
        }
        changed
    }

    /// Applies one server message; `now_ms` dates round trips.
    pub fn apply(&mut self, message: Rx, now_ms: i64) -> Vec<Step> {
        match message {
            Rx::Join(join) => self.join(join),
            Rx::TrackPublished(published) => {
                let Some(track) = published.track else {
                    return vec![];
                };
                self.local_track = Some(track.sid.clone());
                if let Some(local) = self.entries.iter_mut().find(|e| e.peer.is_local) {
                    local.peer.has_audio = true;
                }
                vec![
                    Step::Publish {
                        cid: published.cid,
                        sid: track.sid,
                    },
                    Step::PeersChanged,
                ]
            }
            Rx::Offer(offer) => vec![Step::SubscriberOffer {
                sdp: offer.sdp,
                id: offer.id,
            }],
            Rx::Answer(answer) => vec![Step::PublisherAnswer {
                sdp: answer.sdp,
                id: answer.id,
            }],
            Rx::Trickle(trickle) => vec![Step::Candidate {
                subscriber: trickle.target == code::TARGET_SUBSCRIBER,
                init: trickle.candidate_init,
            }],
            Rx::Update(participants) => self.update(&participants),
            Rx::SpeakersChanged(speakers) => self.speakers(&speakers),
            Rx::ConnectionQuality(updates) => self.quality(&updates),
            Rx::Mute(mute) => self.moderator_mute(&mute),
            Rx::Leave(leave) => match leave.action {
                code::ACTION_RECONNECT | code::ACTION_RESUME => vec![Step::Reconnect],
                _ => vec![Step::Close(CloseReason::from_leave(leave.reason))],
            },
            Rx::Reconnect => vec![Step::Resumed],
            Rx::RefreshToken(token) => vec![Step::Token(token)],
            Rx::PongResp(last_ping) => vec![Step::Rtt((now_ms - last_ping).max(0))],
        }
    }

    fn join(&mut self, join: signal::JoinResponse) -> Vec<Step> {
        self.entries.clear();
        self.local_track = None;
        if let Some(me) = &join.participant {
            self.local_sid = me.sid.clone();
            self.entries.push(Entry {
                peer: peer_from(me, true),
                version: me.version,
            });
        }
        self.update(&join.other_participants);
        vec![
            Step::Joined {
                ice_servers: join.ice_servers,
                ping_interval: join.ping_interval.max(0) as u32,
                ping_timeout: join.ping_timeout.max(0) as u32,
            },
            Step::PeersChanged,
        ]
    }

    fn update(&mut self, participants: &[signal::ParticipantInfo]) -> Vec<Step> {
        let mut changed = false;
        for info in participants {
            if info.sid == self.local_sid || info.sid.is_empty() {
                continue; // our own state is ours to keep
            }
            let gone = info.state == code::STATE_DISCONNECTED;
            match self.entries.iter().position(|e| e.peer.sid == info.sid) {
                Some(i) if info.version < self.entries[i].version => {}
                Some(i) if gone => {
                    self.entries.remove(i);
                    changed = true;
                }
                Some(i) => {
                    let entry = &mut self.entries[i];
                    let fresh = peer_from(info, false);
                    entry.peer = RoomPeer {
                        speaking: entry.peer.speaking && !fresh.muted,
                        level: entry.peer.level,
                        quality: entry.peer.quality,
                        ..fresh
                    };
                    entry.version = info.version;
                    changed = true;
                }
                None if gone => {}
                None => {
                    // The same person rejoining replaces their old session.
                    self.entries
                        .retain(|e| e.peer.is_local || e.peer.identity != info.identity);
                    self.entries.push(Entry {
                        peer: peer_from(info, false),
                        version: info.version,
                    });
                    changed = true;
                }
            }
        }
        changed_step(changed)
    }

    fn speakers(&mut self, speakers: &[signal::SpeakerInfo]) -> Vec<Step> {
        let mut changed = false;
        for speaker in speakers {
            if let Some(entry) = self.entries.iter_mut().find(|e| e.peer.sid == speaker.sid) {
                let speaking = speaker.active && !entry.peer.muted;
                changed |= entry.peer.speaking != speaking;
                entry.peer.speaking = speaking;
                entry.peer.level = if speaking {
                    speaker.level.clamp(0.0, 1.0)
                } else {
                    0.0
                };
            }
        }
        changed_step(changed)
    }

    fn quality(&mut self, updates: &[signal::ConnectionQualityInfo]) -> Vec<Step> {
        let mut changed = false;
        for update in updates {
            if let Some(entry) = self
                .entries
                .iter_mut()
                .find(|e| e.peer.sid == update.participant_sid)
            {
                let quality = Quality::from_lk(update.quality);
                changed |= entry.peer.quality != quality;
                entry.peer.quality = quality;
            }
        }
        changed_step(changed)
    }

    fn moderator_mute(&mut self, mute: &signal::MuteTrackRequest) -> Vec<Step> {
        if self.local_track.as_deref() != Some(mute.sid.as_str()) {
            return vec![];
        }
        self.set_local_muted(mute.muted);
        vec![
            Step::ModeratorMute { muted: mute.muted },
            Step::PeersChanged,
        ]
    }
}

fn changed_step(changed: bool) -> Vec<Step> {
    if changed {
        vec![Step::PeersChanged]
    } else {
        vec![]
    }
}

fn peer_from(info: &signal::ParticipantInfo, is_local: bool) -> RoomPeer {
    let audio = info.tracks.iter().find(|t| t.kind == code::TRACK_AUDIO);
    RoomPeer {
        sid: info.sid.clone(),
        identity: info.identity.clone(),
        name: info.name.clone(),
        is_local,
        has_audio: audio.is_some(),
        media: info.state == code::STATE_ACTIVE,
        muted: audio.is_some_and(|t| t.muted),
        speaking: false,
        level: 0.0,
        quality: Quality::Unknown,
    }
}

#[cfg(all(test, feature = "ssr"))]
#[path = "model_tests.rs"]
mod tests;
