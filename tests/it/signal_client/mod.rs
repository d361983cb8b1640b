//! A LiveKit signalling client over a real WebSocket, for the tests of the
//! embedded SFU's signalling: connect (or resume), read frames, send
//! requests.
#![allow(dead_code)]

use std::time::Duration;

use belfry::contract::call_types::{CallView, RoomAccess};
use futures_util::{SinkExt, StreamExt};
use livekit_protocol as lk;
use lk::signal_request::Message as Req;
use lk::signal_response::Message as Res;
use prost::Message as _;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::common::Parish;

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub const WAIT: Duration = Duration::from_secs(5);

pub struct Client {
    pub ws: Ws,
    pub join: lk::JoinResponse,
}

pub async fn connect(access: &RoomAccess) -> Client {
    let (ws, first) = open(access, "").await;
    let Res::Join(join) = first else {
        panic!("the first frame must be a join response, got {first:?}");
    };
    Client { ws, join }
}

/// Opens a resume of participant `sid`'s session: the socket and the first
/// frame the server sent on it.
pub async fn resume(access: &RoomAccess, sid: &str) -> (Ws, Res) {
    open(access, &format!("&reconnect=1&sid={sid}")).await
}

/// A resume that gives LiveKit's `reconnect_reason` (2 and 3: a peer
/// connection failed).
pub async fn resume_for(access: &RoomAccess, sid: &str, reason: i32) -> (Ws, Res) {
    open(
        access,
        &format!("&reconnect=1&sid={sid}&reconnect_reason={reason}"),
    )
    .await
}

/// A resume of session `sid` that the server accepts (its first frame is
/// the reconnect response), with LiveKit's `reconnect_reason` if given.
pub async fn resumed(access: &RoomAccess, sid: &str, reason: Option<i32>) -> Client {
    let (ws, first) = match reason {
        Some(reason) => resume_for(access, sid, reason).await,
        None => resume(access, sid).await,
    };
    assert!(
        matches!(first, Res::Reconnect(_)),
        "a resume is answered with a reconnect response, got {first:?}"
    );
    Client {
        ws,
        join: Default::default(),
    }
}

/// Closes the link as a browser does, with close `code` (1001: the page
/// went away; 4001: Belfry's client closing to resume).
pub async fn close_with(ws: &mut Ws, code: u16) {
    use tokio_tungstenite::tungstenite::protocol::{frame::coding::CloseCode, CloseFrame};
    let frame = CloseFrame {
        code: CloseCode::from(code),
        reason: "".into(),
    };
    ws.close(Some(frame)).await.expect("close");
}

/// Asserts a resume was refused as a new join would be welcome: a leave
/// asking for RECONNECT, then the close.
pub async fn assert_refused(mut ws: Ws, first: Res) {
    let Res::Leave(leave) = first else {
        panic!("the resume must be refused, got {first:?}");
    };
    assert_eq!(leave.action, lk::leave_request::Action::Reconnect as i32);
    assert!(next(&mut ws).await.is_none(), "closed after the leave");
}

/// Opens `/rtc` with the room token and `extra` query: the socket and the
/// first frame.
async fn open(access: &RoomAccess, extra: &str) -> (Ws, Res) {
    let url = format!(
        "{}/rtc?access_token={}&protocol=16{extra}",
        access.room_url, access.token
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("upgrade");
    let first = next(&mut ws).await.expect("a first frame");
    (ws, first)
}

/// The next signal response within `WAIT`; None when the socket closed.
pub async fn next(ws: &mut Ws) -> Option<Res> {
    loop {
        let frame = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("a frame in time");
        match frame {
            Some(Ok(Message::Binary(bytes))) => {
                let res = lk::SignalResponse::decode(bytes.as_ref()).expect("protobuf");
                return Some(res.message.expect("a message"));
            }
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => continue,
        }
    }
}

impl Client {
    pub async fn send(&mut self, message: Req) {
        let bytes = lk::SignalRequest {
            message: Some(message),
        }
        .encode_to_vec();
        self.ws
            .send(Message::Binary(bytes.into()))
            .await
            .expect("send");
    }

    /// Reads until a frame matches, skipping others (offers, speakers).
    /// Fails after 12 s without one (frames like speaker levels keep
    /// coming meanwhile).
    pub async fn until<T>(&mut self, mut pick: impl FnMut(Res) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(12);
        loop {
            let res = next(&mut self.ws).await.expect("socket still open");
            if let Some(found) = pick(res) {
                return found;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the awaited frame never came"
            );
        }
    }

    /// The next subscriber offer.
    pub async fn offer(&mut self) -> lk::SessionDescription {
        self.until(|r| match r {
            Res::Offer(o) => Some(o),
            _ => None,
        })
        .await
    }

    /// The next update that tells about `identity`, and what it says.
    pub async fn update_about(&mut self, identity: &str) -> lk::ParticipantInfo {
        self.until(|r| match r {
            Res::Update(u) => u.participants.into_iter().find(|o| o.identity == identity),
            _ => None,
        })
        .await
    }

    /// The leave frame, then the close.
    pub async fn dropped(&mut self) -> lk::LeaveRequest {
        let leave = self
            .until(|r| match r {
                Res::Leave(l) => Some(l),
                _ => None,
            })
            .await;
        assert!(next(&mut self.ws).await.is_none(), "closed after leave");
        leave
    }

    /// Every update read until the answer to a ping: what the server said
    /// before then.
    pub async fn updates_until_pong(&mut self) -> Vec<lk::ParticipantInfo> {
        self.send(Req::Ping(99)).await;
        let mut seen = Vec::new();
        self.until(|r| match r {
            Res::Update(u) => {
                seen.extend(u.participants);
                None
            }
            Res::Pong(99) => Some(()),
            _ => None,
        })
        .await;
        seen
    }

    /// Announces a microphone as `cid`; the track the server published.
    pub async fn publish_mic(&mut self, cid: &str) -> lk::TrackInfo {
        self.send(Req::AddTrack(lk::AddTrackRequest {
            cid: cid.into(),
            r#type: lk::TrackType::Audio as i32,
            source: lk::TrackSource::Microphone as i32,
            ..Default::default()
        }))
        .await;
        self.until(|r| match r {
            Res::TrackPublished(t) => t.track,
            _ => None,
        })
        .await
    }

    pub async fn pings_back(&mut self) {
        self.send(Req::PingReq(lk::Ping {
            timestamp: 4242,
            rtt: 0,
        }))
        .await;
        let pong = self
            .until(|r| match r {
                Res::PongResp(p) => Some(p),
                _ => None,
            })
            .await;
        assert_eq!(pong.last_ping_timestamp, 4242);
        assert!(pong.timestamp > 0);
    }
}

/// Alice and Bob connected to their call's room, Alice having seen Bob.
pub struct TwoInARoom {
    pub call: CallView,
    pub a: RoomAccess,
    pub b: RoomAccess,
    pub alice: Client,
    pub bob: Client,
    /// Bob's identity and participant sid.
    pub bob_id: String,
    pub bob_sid: String,
}

pub async fn two_in_a_room(p: &Parish) -> TwoInARoom {
    let (call, a, b) = answered(p).await;
    let mut alice = connect(&a).await;
    let bob = connect(&b).await;
    let bob_id = p.bob.id().to_string();
    let bob_sid = bob.join.participant.clone().expect("participant").sid;
    alice.update_about(&bob_id).await;
    TwoInARoom {
        call,
        a,
        b,
        alice,
        bob,
        bob_id,
        bob_sid,
    }
}

/// Alice calls Bob, Bob answers; both get room access.
pub async fn answered(p: &Parish) -> (CallView, RoomAccess, RoomAccess) {
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let _: CallView = p.bob.ok("answer_call", json!({"call_id": call.id})).await;
    let a: RoomAccess = p.alice.ok("call_token", json!({"call_id": call.id})).await;
    let b: RoomAccess = p.bob.ok("call_token", json!({"call_id": call.id})).await;
    (call, a, b)
}

/// Opening `/rtc` with this access must fail before any upgrade, with
/// `status`; `/rtc/validate` says the same.
pub async fn refused_at_the_door(access: &RoomAccess, status: u16) {
    let url = format!(
        "{}/rtc?access_token={}&protocol=16",
        access.room_url, access.token
    );
    match tokio_tungstenite::connect_async(url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
            assert_eq!(res.status(), status, "the join is refused")
        }
        other => panic!("the old token must not get in: {:?}", other.map(|_| ())),
    }
    let validate = format!(
        "{}/rtc/validate?access_token={}",
        access.room_url.replacen("ws", "http", 1),
        access.token
    );
    let res = reqwest::get(validate).await.expect("validate");
    assert_eq!(res.status(), status, "validate agrees");
}

/// A resume of session `sid` with this access is refused too.
pub async fn resume_refused(access: &RoomAccess, sid: &str, status: u16) {
    let url = format!(
        "{}/rtc?access_token={}&protocol=16&reconnect=1&sid={sid}",
        access.room_url, access.token
    );
    match tokio_tungstenite::connect_async(url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => assert_eq!(res.status(), status),
        other => panic!("the resume must not get in: {:?}", other.map(|_| ())),
    }
}
