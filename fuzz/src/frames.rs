//! Signal requests as the fuzzer makes them: LiveKit's request types with
//! arbitrary fields (so the fuzzer reaches the handler's logic, not only
//! the protobuf decoder), or raw bytes. SDP comes whole or as a real
//! str0m offer with lines replaced.

use arbitrary::Arbitrary;
use livekit_protocol as lk;
use lk::signal_request::Message as Req;
use prost::Message as _;

#[derive(Arbitrary, Debug)]
pub enum Sdp {
    Text(String),
    /// A publisher offer as a browser makes it, then (line, text) edits.
    Edited(Vec<(u8, String)>),
}

#[derive(Arbitrary, Debug)]
pub enum Frame {
    Raw(Vec<u8>),
    Offer(Sdp, u32),
    Answer(Sdp, u32),
    Trickle(String, i32, bool),
    AddTrack(String, i32, i32, bool, String),
    Mute(String, bool),
    Subscription(Vec<String>, bool),
    TrackSetting(Vec<String>, bool, i32),
    Leave(i32, i32),
    Ping(i64),
    PingReq(i64, i64),
    Metadata(String, String),
}

/// A real publisher offer (str0m's, audio send-only with Opus and RED).
pub fn real_offer() -> String {
    use std::time::Instant;
    use str0m::media::{Direction, MediaKind};
    let mut rtc = str0m::Rtc::builder()
        .clear_codecs()
        .enable_opus(true, true)
        .build(Instant::now());
    let host = str0m::Candidate::host("127.0.0.1:5000".parse().unwrap(), "udp").unwrap();
    rtc.add_local_candidate(host);
    let mut change = rtc.sdp_api();
    change.add_media(
        MediaKind::Audio,
        Direction::SendOnly,
        Some("s".into()),
        Some("mic".into()),
        None,
    );
    change.apply().expect("an offer").0.to_sdp_string()
}

impl Sdp {
    pub fn text(&self, base: &str) -> String {
        match self {
            Sdp::Text(t) => t.clone(),
            Sdp::Edited(edits) => {
                let mut lines: Vec<String> = base.split("\r\n").map(str::to_string).collect();
                for (at, text) in edits {
                    let at = *at as usize % lines.len().max(1);
                    lines[at] = text.clone();
                }
                lines.join("\r\n")
            }
        }
    }
}

impl Frame {
    /// The frame's bytes on the WebSocket.
    pub fn bytes(&self, offer: &str) -> Vec<u8> {
        let description = |kind: &str, sdp: &Sdp, id: u32| lk::SessionDescription {
            r#type: kind.into(),
            sdp: sdp.text(offer),
            id,
            ..Default::default()
        };
        let message = match self {
            Frame::Raw(bytes) => return bytes.clone(),
            Frame::Offer(sdp, id) => Req::Offer(description("offer", sdp, *id)),
            Frame::Answer(sdp, id) => Req::Answer(description("answer", sdp, *id)),
            Frame::Trickle(candidate, target, last) => Req::Trickle(lk::TrickleRequest {
                candidate_init: candidate.clone(),
                target: *target,
                r#final: *last,
            }),
            Frame::AddTrack(cid, kind, source, muted, name) => Req::AddTrack(lk::AddTrackRequest {
                cid: cid.clone(),
                r#type: *kind,
                source: *source,
                muted: *muted,
                name: name.clone(),
                ..Default::default()
            }),
            Frame::Mute(sid, muted) => Req::Mute(lk::MuteTrackRequest {
                sid: sid.clone(),
                muted: *muted,
            }),
            Frame::Subscription(sids, subscribe) => Req::Subscription(lk::UpdateSubscription {
                track_sids: sids.clone(),
                subscribe: *subscribe,
                ..Default::default()
            }),
            Frame::TrackSetting(sids, disabled, quality) => {
                Req::TrackSetting(lk::UpdateTrackSettings {
                    track_sids: sids.clone(),
                    disabled: *disabled,
                    quality: *quality,
                    ..Default::default()
                })
            }
            Frame::Leave(reason, action) => Req::Leave(lk::LeaveRequest {
                reason: *reason,
                action: *action,
                ..Default::default()
            }),
            Frame::Ping(t) => Req::Ping(*t),
            Frame::PingReq(t, rtt) => Req::PingReq(lk::Ping {
                timestamp: *t,
                rtt: *rtt,
            }),
            Frame::Metadata(metadata, name) => Req::UpdateMetadata(lk::UpdateParticipantMetadata {
                metadata: metadata.clone(),
                name: name.clone(),
                ..Default::default()
            }),
        };
        lk::SignalRequest {
            message: Some(message),
        }
        .encode_to_vec()
    }
}
