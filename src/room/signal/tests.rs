//! The hand-written codec held against prost's, LiveKit's own generated
//! types: what prost writes, it reads to the same values; what it writes,
//! prost writes byte for byte; and on frames mangled at random, whenever
//! prost reads a message it agrees with prost.

use super::samples::{frame, project, samples};
use super::*;
use livekit_protocol as lk;
use lk::signal_response::Message as LkRx;
use prost::Message as _;

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
