//! The client's side of the LiveKit signalling subset: the join URL and
//! each request it sends, as protobuf frames.

use super::signal::{code, AddTrackRequest, LeaveRequest, MuteTrackRequest, SessionDescription};
use super::signal::{TrickleRequest, Tx};

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
        code::RR_SUBSCRIBER_FAILED
    } else {
        code::RR_SIGNAL_DISCONNECTED
    };
    format!(
        "{}&reconnect=1&sid={}&reconnect_reason={}",
        join_url(room_url, token),
        query_escape(sid),
        reason
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

pub fn add_microphone(cid: &str, muted: bool) -> Tx {
    Tx::AddTrack(AddTrackRequest {
        cid: cid.to_string(),
        name: "microphone".into(),
        kind: code::TRACK_AUDIO,
        source: code::SOURCE_MICROPHONE,
        muted,
    })
}

pub fn offer(sdp: String, id: u32) -> Tx {
    Tx::Offer(description("offer", sdp, id))
}

pub fn answer(sdp: String, id: u32) -> Tx {
    Tx::Answer(description("answer", sdp, id))
}

fn description(kind: &str, sdp: String, id: u32) -> SessionDescription {
    SessionDescription {
        kind: kind.into(),
        sdp,
        id,
    }
}

/// A local candidate, as the JSON of its `RTCIceCandidateInit`.
pub fn trickle(candidate_init: String, subscriber: bool) -> Tx {
    let target = if subscriber {
        code::TARGET_SUBSCRIBER
    } else {
        code::TARGET_PUBLISHER
    };
    Tx::Trickle(TrickleRequest {
        candidate_init,
        target,
    })
}

pub fn mute(track_sid: &str, muted: bool) -> Tx {
    Tx::Mute(MuteTrackRequest {
        sid: track_sid.to_string(),
        muted,
    })
}

pub fn leave() -> Tx {
    Tx::Leave(LeaveRequest {
        reason: code::CLIENT_INITIATED,
        action: code::ACTION_DISCONNECT,
    })
}

/// The ping pair LiveKit clients send: the old bare one and `ping_req`.
pub fn pings(now_ms: i64, rtt: i64) -> [Tx; 2] {
    [
        Tx::Ping(now_ms),
        Tx::PingReq {
            timestamp: now_ms,
            rtt,
        },
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

    #[cfg(feature = "ssr")]
    #[test]
    fn requests_read_back_through_prost() {
        use livekit_protocol as lk;
        use lk::signal_request::Message as LkTx;
        use prost::Message as _;
        let read = |tx: &Tx| {
            lk::SignalRequest::decode(super::super::signal::encode(tx).as_slice())
                .unwrap()
                .message
        };
        match read(&offer("v=0".into(), 7)) {
            Some(LkTx::Offer(d)) => assert_eq!(
                (d.r#type.as_str(), d.sdp.as_str(), d.id),
                ("offer", "v=0", 7)
            ),
            other => panic!("not an offer: {other:?}"),
        }
        match read(&trickle("{}".into(), true)) {
            Some(LkTx::Trickle(t)) => assert_eq!(t.target, lk::SignalTarget::Subscriber as i32),
            other => panic!("not a trickle: {other:?}"),
        }
        match read(&add_microphone("mic-1", true)) {
            Some(LkTx::AddTrack(a)) => assert_eq!(
                (a.cid.as_str(), a.name.as_str(), a.muted, a.source, a.r#type),
                (
                    "mic-1",
                    "microphone",
                    true,
                    lk::TrackSource::Microphone as i32,
                    lk::TrackType::Audio as i32
                )
            ),
            other => panic!("not an add track: {other:?}"),
        }
        match read(&leave()) {
            Some(LkTx::Leave(l)) => {
                assert_eq!(l.reason, lk::DisconnectReason::ClientInitiated as i32)
            }
            other => panic!("not a leave: {other:?}"),
        }
        let [bare, req] = pings(1_790_000_000_000, 9);
        assert_eq!(read(&bare), Some(LkTx::Ping(1_790_000_000_000)));
        assert_eq!(
            read(&req),
            Some(LkTx::PingReq(lk::Ping {
                timestamp: 1_790_000_000_000,
                rtt: 9
            }))
        );
    }
}
