//! The LiveKit signalling messages the browser client reads and writes,
//! with the fields it uses and LiveKit's field numbers
//! (`livekit_models.proto`, `livekit_rtc.proto`). Fields it does not use are
//! skipped when read; messages it does not use read as `None`. The server
//! keeps prost's full types (`livekit-protocol`); the tests hold the two
//! against each other, byte for byte.

mod read;
mod write;

pub use read::decode;
pub use write::encode;

/// LiveKit's enum values that the client reads or sends.
pub mod code {
    pub const TRACK_AUDIO: i32 = 0;
    pub const SOURCE_MICROPHONE: i32 = 2;
    pub const TARGET_PUBLISHER: i32 = 0;
    pub const TARGET_SUBSCRIBER: i32 = 1;
    pub const STATE_ACTIVE: i32 = 2;
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

/// A STUN/TURN server from the join response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
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

#[cfg(all(test, feature = "ssr"))]
pub(crate) mod samples;
#[cfg(all(test, feature = "ssr"))]
mod tests;
