//! The LiveKit signalling messages the browser client reads and writes,
//! with the fields it uses and LiveKit's field numbers
//! (`livekit_models.proto`, `livekit_rtc.proto`). Fields it does not use are
//! skipped when read; messages it does not use read as `None`. The server
//! keeps prost's full types (`livekit-protocol`); the tests hold the two
//! against each other, byte for byte.

use super::wire::{fields, Value, Writer};

/// LiveKit's enum values that the client reads or sends.
pub mod code {
    pub const TRACK_AUDIO: i32 = 0;
    pub const SOURCE_MICROPHONE: i32 = 2;
    pub const TARGET_PUBLISHER: i32 = 0;
    pub const TARGET_SUBSCRIBER: i32 = 1;
    pub const STATE_DISCONNECTED: i32 = 3;
    pub const ACTION_DISCONNECT: i32 = 0;
    pub const ACTION_RESUME: i32 = 1;
    pub const ACTION_RECONNECT: i32 = 2;
    pub const CLIENT_INITIATED: i32 = 1;
    pub const DUPLICATE_IDENTITY: i32 = 2;
    pub const PARTICIPANT_REMOVED: i32 = 4;
    pub const ROOM_DELETED: i32 = 5;
    pub const STATE_MISMATCH: i32 = 6;
    pub const JOIN_FAILURE: i32 = 7;
    pub const SIGNAL_CLOSE: i32 = 9;
    pub const ROOM_CLOSED: i32 = 10;
    pub const QUALITY_POOR: i32 = 0;
    pub const QUALITY_GOOD: i32 = 1;
    pub const QUALITY_EXCELLENT: i32 = 2;
    pub const QUALITY_LOST: i32 = 3;
    pub const RR_SIGNAL_DISCONNECTED: i32 = 1;
    pub const RR_SUBSCRIBER_FAILED: i32 = 3;
}

/// A server message (`SignalResponse`), of the kinds the client acts on.
#[derive(Debug, Clone, PartialEq)]
pub enum Rx {
    Join(JoinResponse),
    Answer(SessionDescription),
    Offer(SessionDescription),
    Trickle(TrickleRequest),
    Update(Vec<ParticipantInfo>),
    TrackPublished(TrackPublished),
    Leave(LeaveRequest),
    Mute(MuteTrackRequest),
    SpeakersChanged(Vec<SpeakerInfo>),
    ConnectionQuality(Vec<ConnectionQualityInfo>),
    RefreshToken(String),
    Reconnect,
    /// `pong_resp`: the `last_ping_timestamp` it answers.
    PongResp(i64),
}

/// A client message (`SignalRequest`), of the kinds the client sends.
#[derive(Debug, Clone, PartialEq)]
pub enum Tx {
    Offer(SessionDescription),
    Answer(SessionDescription),
    Trickle(TrickleRequest),
    AddTrack(AddTrackRequest),
    Mute(MuteTrackRequest),
    Leave(LeaveRequest),
    /// The old bare ping: a timestamp, ms.
    Ping(i64),
    PingReq {
        timestamp: i64,
        rtt: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct JoinResponse {
    pub participant: Option<ParticipantInfo>,
    pub other_participants: Vec<ParticipantInfo>,
    pub ice_servers: Vec<IceServer>,
    pub ping_timeout: i32,
    pub ping_interval: i32,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParticipantInfo {
    pub sid: String,
    pub identity: String,
    pub state: i32,
    pub tracks: Vec<TrackInfo>,
    pub name: String,
    pub version: u32,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrackInfo {
    pub sid: String,
    pub kind: i32,
    pub muted: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct IceServer {
    pub urls: Vec<String>,
    pub username: String,
    pub credential: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionDescription {
    /// "offer" or "answer".
    pub kind: String,
    pub sdp: String,
    pub id: u32,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrickleRequest {
    /// The candidate's `RTCIceCandidateInit`, as JSON.
    pub candidate_init: String,
    pub target: i32,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrackPublished {
    pub cid: String,
    pub track: Option<TrackInfo>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LeaveRequest {
    pub reason: i32,
    pub action: i32,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct MuteTrackRequest {
    pub sid: String,
    pub muted: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpeakerInfo {
    pub sid: String,
    pub level: f32,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConnectionQualityInfo {
    pub participant_sid: String,
    pub quality: i32,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AddTrackRequest {
    pub cid: String,
    pub name: String,
    pub kind: i32,
    pub muted: bool,
    pub source: i32,
}

/// A server frame, or `None` for one that is malformed or not a kind the
/// client acts on. A frame holds one message; were there several, the last
/// would count, as in a protobuf oneof.
pub fn decode(frame: &[u8]) -> Option<Rx> {
    let mut message = None;
    for field in fields(frame) {
        let (number, v) = field?;
        message = match number {
            1 => Some(Rx::Join(fresh(v, join)?)),
            2 => Some(Rx::Answer(fresh(v, description)?)),
            3 => Some(Rx::Offer(fresh(v, description)?)),
            4 => Some(Rx::Trickle(fresh(v, trickle)?)),
            5 => Some(Rx::Update(fresh(v, |list, b| {
                each(b, 1, list, participant)
            })?)),
            6 => Some(Rx::TrackPublished(fresh(v, published)?)),
            8 => Some(Rx::Leave(fresh(v, leave)?)),
            9 => Some(Rx::Mute(fresh(v, mute)?)),
            10 => Some(Rx::SpeakersChanged(fresh(v, |list, b| {
                each(b, 1, list, speaker)
            })?)),
            12 => Some(Rx::ConnectionQuality(fresh(v, |list, b| {
                each(b, 1, list, quality)
            })?)),
            16 => Some(Rx::RefreshToken(v.string()?)),
            19 => v.bytes().map(|_| Rx::Reconnect),
            20 => Some(Rx::PongResp(fresh(v, pong)?)),
            _ => None,
        };
    }
    message
}

/// A message value read into a new `T` by `merge`.
fn fresh<T: Default>(v: Value, merge: impl Fn(&mut T, &[u8]) -> Option<()>) -> Option<T> {
    let mut value = T::default();
    merge(&mut value, v.bytes()?)?;
    Some(value)
}

/// Reads a message's fields onto `value` by `set(value, number, field)`,
/// which answers `None` for a known field of the wrong type. Reading a
/// second copy onto the first merges them, as protobuf does.
fn merge<T>(
    value: &mut T,
    bytes: &[u8],
    set: impl Fn(&mut T, u32, Value) -> Option<()>,
) -> Option<()> {
    for field in fields(bytes) {
        let (number, v) = field?;
        set(value, number, v)?;
    }
    Some(())
}

/// Appends the messages in repeated field `number` of a wrapper message.
fn each<T: Default>(
    bytes: &[u8],
    number: u32,
    list: &mut Vec<T>,
    item: fn(&mut T, &[u8]) -> Option<()>,
) -> Option<()> {
    merge(list, bytes, |list, n, v| {
        if n == number {
            list.push(fresh(v, item)?);
        }
        Some(())
    })
}

fn join(j: &mut JoinResponse, bytes: &[u8]) -> Option<()> {
    merge(j, bytes, |j, n, v| {
        match n {
            2 => participant(
                j.participant.get_or_insert_with(Default::default),
                v.bytes()?,
            )?,
            3 => j.other_participants.push(fresh(v, participant)?),
            5 => j.ice_servers.push(fresh(v, ice_server)?),
            10 => j.ping_timeout = v.int32()?,
            11 => j.ping_interval = v.int32()?,
            _ => {}
        }
        Some(())
    })
}

fn participant(p: &mut ParticipantInfo, bytes: &[u8]) -> Option<()> {
    merge(p, bytes, |p, n, v| {
        match n {
            1 => p.sid = v.string()?,
            2 => p.identity = v.string()?,
            3 => p.state = v.int32()?,
            4 => p.tracks.push(fresh(v, track)?),
            9 => p.name = v.string()?,
            10 => p.version = v.uint32()?,
            _ => {}
        }
        Some(())
    })
}

fn track(t: &mut TrackInfo, bytes: &[u8]) -> Option<()> {
    merge(t, bytes, |t, n, v| {
        match n {
            1 => t.sid = v.string()?,
            2 => t.kind = v.int32()?,
            4 => t.muted = v.bool()?,
            _ => {}
        }
        Some(())
    })
}

fn ice_server(s: &mut IceServer, bytes: &[u8]) -> Option<()> {
    merge(s, bytes, |s, n, v| {
        match n {
            1 => s.urls.push(v.string()?),
            2 => s.username = v.string()?,
            3 => s.credential = v.string()?,
            _ => {}
        }
        Some(())
    })
}

fn description(d: &mut SessionDescription, bytes: &[u8]) -> Option<()> {
    merge(d, bytes, |d, n, v| {
        match n {
            1 => d.kind = v.string()?,
            2 => d.sdp = v.string()?,
            3 => d.id = v.uint32()?,
            _ => {}
        }
        Some(())
    })
}

fn trickle(t: &mut TrickleRequest, bytes: &[u8]) -> Option<()> {
    merge(t, bytes, |t, n, v| {
        match n {
            1 => t.candidate_init = v.string()?,
            2 => t.target = v.int32()?,
            _ => {}
        }
        Some(())
    })
}

fn published(p: &mut TrackPublished, bytes: &[u8]) -> Option<()> {
    merge(p, bytes, |p, n, v| {
        match n {
            1 => p.cid = v.string()?,
            2 => track(p.track.get_or_insert_with(Default::default), v.bytes()?)?,
            _ => {}
        }
        Some(())
    })
}

fn leave(l: &mut LeaveRequest, bytes: &[u8]) -> Option<()> {
    merge(l, bytes, |l, n, v| {
        match n {
            2 => l.reason = v.int32()?,
            3 => l.action = v.int32()?,
            _ => {}
        }
        Some(())
    })
}

fn mute(m: &mut MuteTrackRequest, bytes: &[u8]) -> Option<()> {
    merge(m, bytes, |m, n, v| {
        match n {
            1 => m.sid = v.string()?,
            2 => m.muted = v.bool()?,
            _ => {}
        }
        Some(())
    })
}

fn speaker(s: &mut SpeakerInfo, bytes: &[u8]) -> Option<()> {
    merge(s, bytes, |s, n, v| {
        match n {
            1 => s.sid = v.string()?,
            2 => s.level = v.float()?,
            3 => s.active = v.bool()?,
            _ => {}
        }
        Some(())
    })
}

fn quality(q: &mut ConnectionQualityInfo, bytes: &[u8]) -> Option<()> {
    merge(q, bytes, |q, n, v| {
        match n {
            1 => q.participant_sid = v.string()?,
            2 => q.quality = v.int32()?,
            _ => {}
        }
        Some(())
    })
}

/// A `Pong`'s `last_ping_timestamp`.
fn pong(last_ping: &mut i64, bytes: &[u8]) -> Option<()> {
    merge(last_ping, bytes, |last_ping, n, v| {
        if n == 1 {
            *last_ping = v.int64()?;
        }
        Some(())
    })
}

/// A client message as a `SignalRequest` frame.
pub fn encode(message: &Tx) -> Vec<u8> {
    let mut w = Writer::default();
    match message {
        Tx::Offer(d) => w.oneof_message(1, |w| write_description(w, d)),
        Tx::Answer(d) => w.oneof_message(2, |w| write_description(w, d)),
        Tx::Trickle(t) => w.oneof_message(3, |w| {
            w.string(1, &t.candidate_init);
            w.int32(2, t.target);
        }),
        Tx::AddTrack(a) => w.oneof_message(4, |w| {
            w.string(1, &a.cid);
            w.string(2, &a.name);
            w.int32(3, a.kind);
            w.bool(6, a.muted);
            w.int32(8, a.source);
        }),
        Tx::Mute(m) => w.oneof_message(5, |w| {
            w.string(1, &m.sid);
            w.bool(2, m.muted);
        }),
        Tx::Leave(l) => w.oneof_message(8, |w| {
            w.int32(2, l.reason);
            w.int32(3, l.action);
        }),
        Tx::Ping(timestamp) => w.oneof_varint(14, *timestamp as u64),
        Tx::PingReq { timestamp, rtt } => w.oneof_message(16, |w| {
            w.int64(1, *timestamp);
            w.int64(2, *rtt);
        }),
    }
    w.finish()
}

fn write_description(w: &mut Writer, d: &SessionDescription) {
    w.string(1, &d.kind);
    w.string(2, &d.sdp);
    w.varint_field(3, u64::from(d.id));
}

#[cfg(all(test, feature = "ssr"))]
#[path = "signal_tests.rs"]
pub(crate) mod tests;
