//! The client's side of the LiveKit signalling subset: the join URL and
//! each request it sends, as protobuf frames.

use livekit_protocol as lk;
use lk::signal_request::Message as Tx;
use prost::Message as _;

/// The signalling protocol version the client speaks.
pub const PROTOCOL: u32 = 16;

/// `wss://host/rtc?access_token=..`, from the room URL the server handed out.
pub fn join_url(room_url: &str, token: &str) -> String {
    let base = room_url.trim_end_matches('/');
    format!(
        "{base}/rtc?access_token={}&auto_subscribe=1&adaptive_stream=0&sdk=rust&version={}&protocol={PROTOCOL}",
        query_escape(token),
        env!("CARGO_PKG_VERSION"),
    )
}

/// The join URL asking to resume session `sid` (LiveKit's
/// `reconnect=1&sid=..`), and why: `path_lost` when a peer connection lost
/// its path (the server then restarts ICE), else only the link dropped.
pub fn resume_url(room_url: &str, token: &str, sid: &str, path_lost: bool) -> String {
    let reason = if path_lost {
        lk::ReconnectReason::RrSubscriberFailed
    } else {
        lk::ReconnectReason::RrSignalDisconnected
    };
    format!(
        "{}&reconnect=1&sid={}&reconnect_reason={}",
        join_url(room_url, token),
        query_escape(sid),
        reason as i32
    )
}

/// `https://host/rtc/validate?access_token=..`: asks whether the server
/// would admit this token (what a failed join is asked before retrying).
pub fn validate_url(room_url: &str, token: &str) -> String {
    let base = room_url.trim_end_matches('/');
    let base = match base.split_once("://") {
        Some(("wss", rest)) => format!("https://{rest}"),
        Some(("ws", rest)) => format!("http://{rest}"),
        _ => base.to_string(),
    };
    format!("{base}/rtc/validate?access_token={}", query_escape(token))
}

fn query_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn encode(message: Tx) -> Vec<u8> {
    lk::SignalRequest {
        message: Some(message),
    }
    .encode_to_vec()
}

/// A server frame, or `None` for one that is not a `SignalResponse`.
pub fn decode(frame: &[u8]) -> Option<lk::signal_response::Message> {
    lk::SignalResponse::decode(frame).ok()?.message
}

pub fn add_microphone(cid: &str, muted: bool) -> Tx {
    Tx::AddTrack(lk::AddTrackRequest {
        cid: cid.to_string(),
        name: "microphone".into(),
        r#type: lk::TrackType::Audio as i32,
        source: lk::TrackSource::Microphone as i32,
        muted,
        ..Default::default()
    })
}

pub fn offer(sdp: String, id: u32) -> Tx {
    Tx::Offer(description("offer", sdp, id))
}

pub fn answer(sdp: String, id: u32) -> Tx {
    Tx::Answer(description("answer", sdp, id))
}

fn description(kind: &str, sdp: String, id: u32) -> lk::SessionDescription {
    lk::SessionDescription {
        r#type: kind.into(),
        sdp,
        id,
        ..Default::default()
    }
}

/// A local candidate, as the JSON of its `RTCIceCandidateInit`.
pub fn trickle(candidate_init: String, subscriber: bool) -> Tx {
    let target = if subscriber {
        lk::SignalTarget::Subscriber
    } else {
        lk::SignalTarget::Publisher
    };
    Tx::Trickle(lk::TrickleRequest {
        candidate_init,
        target: target as i32,
        ..Default::default()
    })
}

pub fn mute(track_sid: &str, muted: bool) -> Tx {
    Tx::Mute(lk::MuteTrackRequest {
        sid: track_sid.to_string(),
        muted,
    })
}

pub fn leave() -> Tx {
    Tx::Leave(lk::LeaveRequest {
        reason: lk::DisconnectReason::ClientInitiated as i32,
        action: lk::leave_request::Action::Disconnect as i32,
        ..Default::default()
    })
}

/// The ping pair LiveKit clients send: the old bare one and `ping_req`.
pub fn pings(now_ms: i64, rtt: i64) -> [Tx; 2] {
    [
        Tx::Ping(now_ms),
        Tx::PingReq(lk::Ping {
            timestamp: now_ms,
            rtt,
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_url_carries_the_token_escaped_and_the_protocol() {
        let url = join_url("ws://127.0.0.1:3000/", "a.b-c_d e&f");
        assert!(url.starts_with("ws://127.0.0.1:3000/rtc?access_token=a.b-c_d%20e%26f&"));
        assert!(url.contains("&protocol=16"));
        assert!(url.contains("auto_subscribe=1"));
    }

    #[test]
    fn resume_url_is_the_join_url_naming_the_session() {
        let url = resume_url("ws://127.0.0.1:3000", "t", "PA_1a&b", false);
        assert!(url.starts_with(&join_url("ws://127.0.0.1:3000", "t")));
        assert!(
            url.ends_with("&reconnect=1&sid=PA_1a%26b&reconnect_reason=1"),
            "{url}"
        );
        let lost = resume_url("ws://127.0.0.1:3000", "t", "PA_1", true);
        assert!(lost.ends_with("&sid=PA_1&reconnect_reason=3"), "{lost}");
    }

    #[test]
    fn validate_url_speaks_http_to_the_same_host() {
        assert_eq!(
            validate_url("wss://media.example.org/", "a b"),
            "https://media.example.org/rtc/validate?access_token=a%20b"
        );
        assert_eq!(
            validate_url("ws://127.0.0.1:3000", "t"),
            "http://127.0.0.1:3000/rtc/validate?access_token=t"
        );
    }

    #[test]
    fn requests_round_trip_through_protobuf() {
        let frame = encode(offer("v=0".into(), 7));
        let back = lk::SignalRequest::decode(frame.as_slice()).unwrap();
        match back.message {
            Some(Tx::Offer(d)) => assert_eq!(
                (d.r#type.as_str(), d.sdp.as_str(), d.id),
                ("offer", "v=0", 7)
            ),
            other => panic!("not an offer: {other:?}"),
        }
        let frame = encode(trickle("{}".into(), true));
        match lk::SignalRequest::decode(frame.as_slice()).unwrap().message {
            Some(Tx::Trickle(t)) => assert_eq!(t.target, lk::SignalTarget::Subscriber as i32),
            other => panic!("not a trickle: {other:?}"),
        }
        assert_eq!(decode(&[0xff, 0xff, 0xff]), None);
    }
}
