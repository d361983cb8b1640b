//! The hand-written codec held against prost's, LiveKit's own generated
//! types: what prost writes, it reads to the same values; what it writes,
//! prost writes byte for byte; and on frames mangled at random, whenever
//! prost reads a message it agrees with prost.

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

#[test]
fn reads_what_prost_writes() {
    for message in samples() {
        let expected = project(message.clone());
        assert_eq!(decode(&frame(message.clone())), expected, "{message:?}");
    }
}

#[test]
fn kinds_the_client_does_not_act_on_read_as_none() {
    assert_eq!(decode(&frame(LkRx::Pong(5))), None);
    assert_eq!(decode(&frame(LkRx::RoomUpdate(Default::default()))), None);
    assert_eq!(decode(&[]), None, "an empty frame");
    assert_eq!(decode(b"{\"json\":1}"), None, "a text frame");
}

#[test]
fn every_truncation_and_wrong_type_reads_as_none() {
    let whole = frame(samples().remove(0));
    for cut in 0..whole.len() {
        assert_eq!(decode(&whole[..cut]), None, "cut at {cut}");
    }
    // The offer's `sdp` (2) as a varint instead of a string.
    assert_eq!(decode(&[0x1a, 2, 0x10, 1]), None);
    // A participant's name that is not UTF-8.
    assert_eq!(decode(&[0x2a, 5, 0x0a, 3, 0x4a, 1, 0xff]), None);
}

/// xorshift64*: the same "random" frames on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Whether prost would read a map field (a participant's `attributes`, a
/// description's `mid_to_track_id`) of the wrong wire type: it reads any as
/// length-delimited, where the client reads the wire type the key gives.
fn mistyped_map(frame: &[u8]) -> bool {
    use super::super::wire::{fields, Value};
    fn bad(message: &[u8], map: u32) -> bool {
        fields(message)
            .flatten()
            .any(|(n, v)| n == map && !matches!(v, Value::Bytes(_)))
    }
    fn participants(list: &[u8], numbers: &[u32]) -> bool {
        fields(list)
            .flatten()
            .any(|(n, v)| numbers.contains(&n) && v.bytes().is_some_and(|p| bad(p, 15)))
    }
    fields(frame).flatten().any(|(n, v)| {
        let Some(body) = v.bytes() else { return false };
        match n {
            1 => participants(body, &[2, 3]),
            5 => participants(body, &[1]),
            2 | 3 => bad(body, 4),
            _ => false,
        }
    })
}

/// Frames mangled at random (bytes replaced, bits flipped, cut short):
/// whatever the client reads, prost reads to the same values or refuses
/// (it checks fields the client skips); nothing panics. The client is
/// stricter where prost is lenient: a group (wire type 3 or 4, dropped from
/// protobuf long ago) in an unknown field, and a mistyped map field.
#[test]
fn agrees_with_prost_on_mangled_frames() {
    let mut rng = Rng(0x5eed_be11);
    let (mut both, mut neither, mut stricter) = (0, 0, 0);
    for sample in samples() {
        let whole = frame(sample);
        for _ in 0..3_000 {
            let mut bytes = whole.clone();
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(bytes.len());
                match rng.below(3) {
                    0 => bytes[at] = rng.next() as u8,
                    1 => bytes[at] ^= 1 << rng.below(8),
                    _ => bytes.truncate(at),
                }
                if bytes.is_empty() {
                    break;
                }
            }
            // Two messages in one frame: prost merges two of a kind, the
            // client takes the last (a server never sends either).
            if super::super::wire::fields(&bytes).flatten().count() > 1 || mistyped_map(&bytes) {
                continue;
            }
            let ours = decode(&bytes);
            let theirs =
                lk::SignalResponse::decode(bytes.as_slice()).map(|r| r.message.and_then(project));
            match (&ours, theirs) {
                (Some(_), Ok(theirs)) => {
                    assert_eq!(ours, theirs, "{bytes:02x?}");
                    both += 1;
                }
                (None, Ok(None) | Err(_)) => neither += 1,
                (None, Ok(Some(_))) => stricter += 1,
                (Some(_), Err(_)) => {}
            }
        }
    }
    assert!(
        both > 5_000 && neither > 5_000,
        "{both} read by both, {neither} by neither"
    );
    assert!(
        stricter * 100 < both,
        "{stricter} read by prost alone, {both} by both"
    );
}

#[test]
fn a_group_where_a_message_belongs_is_refused() {
    // ParticipantUpdate { participants: [{ sid: "P", attributes: <group> }] }
    let group = [0x2a, 7, 0x0a, 5, 0x0a, 1, b'P', 0x7b, 0x00];
    assert_eq!(decode(&group), None);
}

#[test]
fn writes_what_prost_writes() {
    use lk::signal_request::Message as LkTx;
    let description = |kind: &str, id| SessionDescription {
        kind: kind.into(),
        sdp: "v=0\r\n".into(),
        id,
    };
    let lk_description = |kind: &str, id| lk::SessionDescription {
        r#type: kind.into(),
        sdp: "v=0\r\n".into(),
        id,
        ..Default::default()
    };
    let pairs = [
        (
            Tx::Offer(description("offer", 1)),
            LkTx::Offer(lk_description("offer", 1)),
        ),
        (
            Tx::Answer(description("answer", 0)),
            LkTx::Answer(lk_description("answer", 0)),
        ),
        (
            Tx::Trickle(TrickleRequest {
                candidate_init: "{}".into(),
                target: code::TARGET_SUBSCRIBER,
            }),
            LkTx::Trickle(lk::TrickleRequest {
                candidate_init: "{}".into(),
                target: lk::SignalTarget::Subscriber as i32,
                r#final: false,
            }),
        ),
        (
            Tx::AddTrack(AddTrackRequest {
                cid: "mic".into(),
                name: "microphone".into(),
                kind: code::TRACK_AUDIO,
                muted: true,
                source: code::SOURCE_MICROPHONE,
            }),
            LkTx::AddTrack(lk::AddTrackRequest {
                cid: "mic".into(),
                name: "microphone".into(),
                r#type: lk::TrackType::Audio as i32,
                muted: true,
                source: lk::TrackSource::Microphone as i32,
                ..Default::default()
            }),
        ),
        (
            Tx::Mute(MuteTrackRequest {
                sid: "TR_1".into(),
                muted: false,
            }),
            LkTx::Mute(lk::MuteTrackRequest {
                sid: "TR_1".into(),
                muted: false,
            }),
        ),
        (
            Tx::Leave(LeaveRequest {
                reason: code::CLIENT_INITIATED,
                action: code::ACTION_DISCONNECT,
            }),
            LkTx::Leave(lk::LeaveRequest {
                reason: lk::DisconnectReason::ClientInitiated as i32,
                action: lk::leave_request::Action::Disconnect as i32,
                ..Default::default()
            }),
        ),
        (Tx::Ping(0), LkTx::Ping(0)),
        (Tx::Ping(-7), LkTx::Ping(-7)),
        (
            Tx::PingReq {
                timestamp: 1_790_000_000_000,
                rtt: 12,
            },
            LkTx::PingReq(lk::Ping {
                timestamp: 1_790_000_000_000,
                rtt: 12,
            }),
        ),
    ];
    for (ours, theirs) in pairs {
        let expected = lk::SignalRequest {
            message: Some(theirs),
        }
        .encode_to_vec();
        assert_eq!(encode(&ours), expected, "{ours:?}");
    }
}

#[test]
fn the_codes_are_livekits() {
    use lk::DisconnectReason as D;
    let pairs = [
        (code::TRACK_AUDIO, lk::TrackType::Audio as i32),
        (code::SOURCE_MICROPHONE, lk::TrackSource::Microphone as i32),
        (code::TARGET_PUBLISHER, lk::SignalTarget::Publisher as i32),
        (code::TARGET_SUBSCRIBER, lk::SignalTarget::Subscriber as i32),
        (
            code::STATE_DISCONNECTED,
            lk::participant_info::State::Disconnected as i32,
        ),
        (
            code::ACTION_DISCONNECT,
            lk::leave_request::Action::Disconnect as i32,
        ),
        (
            code::ACTION_RESUME,
            lk::leave_request::Action::Resume as i32,
        ),
        (
            code::ACTION_RECONNECT,
            lk::leave_request::Action::Reconnect as i32,
        ),
        (code::CLIENT_INITIATED, D::ClientInitiated as i32),
        (code::DUPLICATE_IDENTITY, D::DuplicateIdentity as i32),
        (code::PARTICIPANT_REMOVED, D::ParticipantRemoved as i32),
        (code::ROOM_DELETED, D::RoomDeleted as i32),
        (code::STATE_MISMATCH, D::StateMismatch as i32),
        (code::JOIN_FAILURE, D::JoinFailure as i32),
        (code::SIGNAL_CLOSE, D::SignalClose as i32),
        (code::ROOM_CLOSED, D::RoomClosed as i32),
        (code::QUALITY_POOR, lk::ConnectionQuality::Poor as i32),
        (code::QUALITY_GOOD, lk::ConnectionQuality::Good as i32),
        (
            code::QUALITY_EXCELLENT,
            lk::ConnectionQuality::Excellent as i32,
        ),
        (code::QUALITY_LOST, lk::ConnectionQuality::Lost as i32),
        (
            code::RR_SIGNAL_DISCONNECTED,
            lk::ReconnectReason::RrSignalDisconnected as i32,
        ),
        (
            code::RR_SUBSCRIBER_FAILED,
            lk::ReconnectReason::RrSubscriberFailed as i32,
        ),
    ];
    for (i, (ours, theirs)) in pairs.into_iter().enumerate() {
        assert_eq!(ours, theirs, "pair {i}");
    }
}
