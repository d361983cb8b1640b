//! Messages as a LiveKit server writes them (prost's own types), and what
//! the client must keep of each: the fixtures of the codec's tests and of
//! the room model's.

use super::*;
use livekit_protocol as lk;
use lk::signal_response::Message as LkRx;
use prost::Message as _;

/// What the client keeps of a prost message: the projection `decode` must
/// produce from its frame.
pub fn project(message: LkRx) -> Option<Rx> {
    Some(match message {
        LkRx::Join(j) => Rx::Join(JoinResponse {
            participant: j.participant.map(participant_of),
            other_participants: j
                .other_participants
                .into_iter()
                .map(participant_of)
                .collect(),
            ice_servers: j
                .ice_servers
                .into_iter()
                .map(|s| IceServer {
                    urls: s.urls,
                    username: s.username,
                    credential: s.credential,
                })
                .collect(),
            ping_timeout: j.ping_timeout,
            ping_interval: j.ping_interval,
        }),
        LkRx::Answer(d) => Rx::Answer(description_of(d)),
        LkRx::Offer(d) => Rx::Offer(description_of(d)),
        LkRx::Trickle(t) => Rx::Trickle(TrickleRequest {
            candidate_init: t.candidate_init,
            target: t.target,
        }),
        LkRx::Update(u) => Rx::Update(u.participants.into_iter().map(participant_of).collect()),
        LkRx::TrackPublished(p) => Rx::TrackPublished(TrackPublished {
            cid: p.cid,
            track: p.track.map(track_of),
        }),
        LkRx::Leave(l) => Rx::Leave(LeaveRequest {
            reason: l.reason,
            action: l.action,
        }),
        LkRx::Mute(m) => Rx::Mute(MuteTrackRequest {
            sid: m.sid,
            muted: m.muted,
        }),
        LkRx::SpeakersChanged(s) => Rx::SpeakersChanged(
            s.speakers
                .into_iter()
                .map(|s| SpeakerInfo {
                    sid: s.sid,
                    level: s.level,
                    active: s.active,
                })
                .collect(),
        ),
        LkRx::ConnectionQuality(q) => Rx::ConnectionQuality(
            q.updates
                .into_iter()
                .map(|q| ConnectionQualityInfo {
                    participant_sid: q.participant_sid,
                    quality: q.quality,
                })
                .collect(),
        ),
        LkRx::RefreshToken(t) => Rx::RefreshToken(t),
        LkRx::Reconnect(_) => Rx::Reconnect,
        LkRx::PongResp(p) => Rx::PongResp(p.last_ping_timestamp),
        _ => return None,
    })
}

fn participant_of(p: lk::ParticipantInfo) -> ParticipantInfo {
    ParticipantInfo {
        sid: p.sid,
        identity: p.identity,
        state: p.state,
        tracks: p.tracks.into_iter().map(track_of).collect(),
        name: p.name,
        version: p.version,
    }
}

fn track_of(t: lk::TrackInfo) -> TrackInfo {
    TrackInfo {
        sid: t.sid,
        kind: t.r#type,
        muted: t.muted,
    }
}

fn description_of(d: lk::SessionDescription) -> SessionDescription {
    SessionDescription {
        kind: d.r#type,
        sdp: d.sdp,
        id: d.id,
    }
}

pub fn frame(message: LkRx) -> Vec<u8> {
    lk::SignalResponse {
        message: Some(message),
    }
    .encode_to_vec()
}

/// A participant with every field the client skips filled in too.
fn full_participant(sid: &str, version: u32) -> lk::ParticipantInfo {
    lk::ParticipantInfo {
        sid: sid.into(),
        identity: format!("id-{sid}"),
        state: lk::participant_info::State::Active as i32,
        tracks: vec![
            lk::TrackInfo {
                sid: format!("TR_{sid}"),
                r#type: lk::TrackType::Audio as i32,
                name: "microphone".into(),
                muted: true,
                source: lk::TrackSource::Microphone as i32,
                mime_type: "audio/opus".into(),
                mid: "0".into(),
                ..Default::default()
            },
            lk::TrackInfo {
                sid: format!("TR_{sid}v"),
                r#type: lk::TrackType::Video as i32,
                width: 640,
                height: 480,
                ..Default::default()
            },
        ],
        metadata: "{\"role\":\"member\"}".into(),
        joined_at: 1_790_000_000,
        name: "Brother Cadfael ✝".into(),
        version,
        permission: Some(lk::ParticipantPermission {
            can_subscribe: true,
            can_publish: true,
            ..Default::default()
        }),
        attributes: [("pew".to_string(), "3".to_string())].into(),
        disconnect_reason: lk::DisconnectReason::ClientInitiated as i32,
        ..Default::default()
    }
}

/// One of each kind the client reads, and some it does not.
pub fn samples() -> Vec<LkRx> {
    vec![
        LkRx::Join(lk::JoinResponse {
            room: Some(lk::Room {
                sid: "RM_1".into(),
                name: "call-7".into(),
                num_participants: 2,
                ..Default::default()
            }),
            participant: Some(full_participant("PA_me", 1)),
            other_participants: vec![full_participant("PA_b", 4), full_participant("PA_c", 2)],
            server_version: "1.9.0".into(),
            ice_servers: vec![
                lk::IceServer {
                    urls: vec!["stun:127.0.0.1:3478".into(), "turn:127.0.0.1:3478".into()],
                    username: "u".into(),
                    credential: "c".into(),
                },
                lk::IceServer::default(),
            ],
            subscriber_primary: true,
            ping_timeout: 15,
            ping_interval: 5,
            server_info: Some(lk::ServerInfo {
                version: "belfry".into(),
                ..Default::default()
            }),
            ..Default::default()
        }),
        LkRx::Join(lk::JoinResponse::default()),
        LkRx::Answer(lk::SessionDescription {
            r#type: "answer".into(),
            sdp: "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n".into(),
            id: 3,
            mid_to_track_id: [("0".to_string(), "TR_x".to_string())].into(),
        }),
        LkRx::Offer(lk::SessionDescription {
            r#type: "offer".into(),
            sdp: "v=0".repeat(500),
            id: u32::MAX,
            ..Default::default()
        }),
        LkRx::Trickle(lk::TrickleRequest {
            candidate_init: r#"{"candidate":"candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host","sdpMid":"0"}"#.into(),
            target: lk::SignalTarget::Subscriber as i32,
            r#final: true,
        }),
        LkRx::Update(lk::ParticipantUpdate {
            participants: vec![
                full_participant("PA_b", 5),
                lk::ParticipantInfo {
                    sid: "PA_c".into(),
                    state: lk::participant_info::State::Disconnected as i32,
                    ..Default::default()
                },
            ],
        }),
        LkRx::TrackPublished(lk::TrackPublishedResponse {
            cid: "mic-1".into(),
            track: full_participant("PA_me", 1).tracks.pop(),
        }),
        LkRx::TrackPublished(lk::TrackPublishedResponse {
            cid: "mic-2".into(),
            track: None,
        }),
        LkRx::Leave(lk::LeaveRequest {
            can_reconnect: true,
            reason: lk::DisconnectReason::DuplicateIdentity as i32,
            action: lk::leave_request::Action::Resume as i32,
            ..Default::default()
        }),
        LkRx::Mute(lk::MuteTrackRequest {
            sid: "TR_PA_me".into(),
            muted: true,
        }),
        LkRx::SpeakersChanged(lk::SpeakersChanged {
            speakers: vec![
                lk::SpeakerInfo {
                    sid: "PA_b".into(),
                    level: 0.625,
                    active: true,
                },
                lk::SpeakerInfo {
                    sid: "PA_c".into(),
                    level: 0.0,
                    active: false,
                },
            ],
        }),
        LkRx::ConnectionQuality(lk::ConnectionQualityUpdate {
            updates: vec![lk::ConnectionQualityInfo {
                participant_sid: "PA_b".into(),
                quality: lk::ConnectionQuality::Lost as i32,
                score: 1.5,
            }],
        }),
        LkRx::RefreshToken("eyJ.a.b".into()),
        LkRx::Reconnect(lk::ReconnectResponse {
            ice_servers: vec![lk::IceServer::default()],
            ..Default::default()
        }),
        LkRx::PongResp(lk::Pong {
            last_ping_timestamp: 1_790_000_000_123,
            timestamp: 1_790_000_000_130,
        }),
        LkRx::Pong(-1),
        LkRx::RoomUpdate(lk::RoomUpdate {
            room: Some(lk::Room::default()),
        }),
    ]
}
