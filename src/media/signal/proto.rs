//! The SFU's view of a room, in LiveKit's protobuf messages.

use livekit_protocol as lk;

use crate::media::sfu::ParticipantInfo;

/// What the join response says the server is (clients refuse an empty one).
pub const SERVER_VERSION: &str = concat!("1.9.0-belfry.", env!("CARGO_PKG_VERSION"));
/// The protocol version we speak (livekit-client 2.x sends 16 or 17).
pub const PROTOCOL: i32 = 16;
/// Seconds between the client's pings, and before it gives up on us.
pub const PING_INTERVAL: i32 = 5;
pub const PING_TIMEOUT: i32 = 15;

pub fn track(sid: &str, muted: bool) -> lk::TrackInfo {
    lk::TrackInfo {
        sid: sid.to_string(),
        r#type: lk::TrackType::Audio as i32,
        source: lk::TrackSource::Microphone as i32,
        name: "microphone".into(),
        muted,
        mime_type: "audio/opus".into(),
        ..Default::default()
    }
}

pub fn participant(p: &ParticipantInfo, joined_at: i64) -> lk::ParticipantInfo {
    // JOINED: in the room, its connections still coming up (or never
    // coming: a network that blocks them); ACTIVE: its audio can flow.
    let state = match (p.connected, p.media) {
        (false, _) => lk::participant_info::State::Disconnected,
        (true, false) => lk::participant_info::State::Joined,
        (true, true) => lk::participant_info::State::Active,
    };
    lk::ParticipantInfo {
        sid: p.sid.clone(),
        identity: p.identity.clone(),
        name: p.name.clone(),
        state: state as i32,
        tracks: p
            .tracks
            .iter()
            .map(|(sid, muted)| track(sid, *muted))
            .collect(),
        version: p.version,
        joined_at: joined_at / 1000,
        joined_at_ms: joined_at,
        is_publisher: !p.tracks.is_empty(),
        permission: Some(lk::ParticipantPermission {
            can_subscribe: true,
            can_publish: true,
            can_publish_data: true,
            ..Default::default()
        }),
        ..Default::default()
    }
}

pub fn join(
    room: &str,
    me: &ParticipantInfo,
    others: &[ParticipantInfo],
    now_ms: i64,
) -> lk::signal_response::Message {
    lk::signal_response::Message::Join(lk::JoinResponse {
        room: Some(lk::Room {
            sid: room_sid(room),
            name: room.to_string(),
            num_participants: others.len() as u32 + 1,
            ..Default::default()
        }),
        participant: Some(participant(me, now_ms)),
        other_participants: others.iter().map(|p| participant(p, now_ms)).collect(),
        server_version: SERVER_VERSION.into(),
        server_info: Some(lk::ServerInfo {
            edition: lk::server_info::Edition::Standard as i32,
            version: SERVER_VERSION.into(),
            protocol: PROTOCOL,
            node_id: "belfry".into(),
            ..Default::default()
        }),
        subscriber_primary: true,
        ping_interval: PING_INTERVAL,
        ping_timeout: PING_TIMEOUT,
        // A dropped signal connection is resumed (reconnect=1&sid=..).
        client_configuration: Some(lk::ClientConfiguration {
            resume_connection: lk::ClientConfigSetting::Enabled as i32,
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// A room's sid: stable for its name.
pub fn room_sid(room: &str) -> String {
    let hash = room.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    format!("RM_{hash:016x}")
}

pub fn leave(
    reason: lk::DisconnectReason,
    action: lk::leave_request::Action,
) -> lk::signal_response::Message {
    lk::signal_response::Message::Leave(lk::LeaveRequest {
        can_reconnect: action == lk::leave_request::Action::Reconnect,
        reason: reason as i32,
        action: action as i32,
        ..Default::default()
    })
}

pub fn encode(message: lk::signal_response::Message) -> Vec<u8> {
    use prost::Message;
    lk::SignalResponse {
        message: Some(message),
    }
    .encode_to_vec()
}
