//! The embedded SFU's LiveKit signalling over a real WebSocket on loopback:
//! tokens, join, participant updates, tracks, pings, call control's orders,
//! presence reported back to call control, and peers that send garbage.

use crate::common;
use crate::signal_client;

use std::time::Duration;

use belfry::calls::CallStatus;
use belfry::contract::call_types::{CallHistoryPage, CallView};
use belfry::media::control::{MediaCommand, MediaControl};
use common::Parish;
use futures_util::SinkExt;
use livekit_protocol as lk;
use lk::signal_request::Message as Req;
use lk::signal_response::Message as Res;
use prost::Message as _;
use serde_json::json;
use signal_client::{answered, connect};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn the_endpoints_check_the_room_token_and_answer_cors() {
    let p = Parish::new().await;
    let (_, a, _) = answered(&p).await;
    let http = reqwest::Client::new();
    let get = |path: String| http.get(p.app.url(&path)).send();

    let none = get("/rtc/validate".into()).await.unwrap();
    assert_eq!(none.status(), 401);
    assert_eq!(none.headers()["access-control-allow-origin"], "*");
    let good = get(format!("/rtc/validate?access_token={}", a.token))
        .await
        .unwrap();
    assert_eq!(good.status(), 200);
    let mut forged = a.token.clone();
    forged.pop();
    forged.push(if a.token.ends_with('A') { 'B' } else { 'A' });
    let bad = get(format!("/rtc/validate?access_token={forged}"))
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    let bearer = http
        .get(p.app.url("/rtc/validate"))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        bearer.status(),
        200,
        "the token may come as a bearer header"
    );

    for path in ["/rtc/v1", "/rtc/v1/validate"] {
        let res = get(format!("{path}?access_token={}", a.token))
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{path}");
        assert_eq!(res.headers()["access-control-allow-origin"], "*");
        let body = res.text().await.unwrap();
        assert!(!body.contains("requested room does not exist"), "{body}");
    }

    let url = format!("{}/rtc?access_token={forged}", a.room_url);
    let refused = tokio_tungstenite::connect_async(url).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => assert_eq!(res.status(), 401),
        other => panic!("a forged token must not upgrade: {other:?}"),
    }
}

#[tokio::test]
async fn joiners_learn_about_each_other_and_leaving_is_seen() {
    let p = Parish::new().await;
    let (call, a, b) = answered(&p).await;
    assert_eq!(a.room_name, b.room_name);

    let mut alice = connect(&a).await;
    let me = alice.join.participant.clone().expect("participant");
    assert_eq!(me.identity, p.alice.id().to_string());
    assert_eq!(me.name, "Alice Test");
    assert!(me.sid.starts_with("PA_"));
    assert!(me
        .permission
        .as_ref()
        .is_some_and(|x| x.can_publish && x.can_subscribe));
    assert!(!alice.join.server_version.is_empty());
    assert!(alice.join.subscriber_primary);
    assert_eq!(
        alice.join.room.as_ref().map(|r| r.name.as_str()),
        Some(a.room_name.as_str())
    );
    assert!(alice.join.other_participants.is_empty());

    let mut bob = connect(&b).await;
    let others: Vec<_> = bob
        .join
        .other_participants
        .iter()
        .map(|o| o.identity.clone())
        .collect();
    assert_eq!(others, vec![p.alice.id().to_string()]);
    let bob_id = p.bob.id().to_string();
    // Updates list the others, never the one they are sent to.
    let alice_id = p.alice.id().to_string();
    let seen = alice
        .until(|r| match r {
            Res::Update(u) => {
                assert!(u.participants.iter().all(|o| o.identity != alice_id));
                u.participants.into_iter().find(|o| o.identity == bob_id)
            }
            _ => None,
        })
        .await;
    // In the room, with no media connection (this client only signals):
    // JOINED, not ACTIVE.
    assert_eq!(seen.state, lk::participant_info::State::Joined as i32);

    bob.send(Req::Leave(lk::LeaveRequest {
        reason: lk::DisconnectReason::ClientInitiated as i32,
        ..Default::default()
    }))
    .await;
    let bob_info = alice.update_about(&bob_id).await;
    assert!(bob_info.version > seen.version);
    assert_eq!(
        bob_info.state,
        lk::participant_info::State::Disconnected as i32
    );

    // Call control follows: Bob's media is gone for good, so the 1:1 call ends.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let now: Option<CallView> = p
            .alice
            .ok("active_call", json!({"channel_id": p.direct}))
            .await;
        match now {
            None => break,
            Some(c) if tokio::time::Instant::now() < deadline => {
                assert_eq!(c.id, call.id);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Some(c) => panic!("the call stayed {:?} after bob's media left", c.status),
        }
    }
    let history: CallHistoryPage = p
        .alice
        .ok("call_history", json!({"channel_id": p.direct}))
        .await;
    let ended = history
        .calls
        .iter()
        .find(|c| c.id == call.id)
        .expect("in history");
    assert_eq!(ended.status, CallStatus::Ended);
}

#[tokio::test]
async fn tracks_are_published_and_pings_answered() {
    let p = Parish::new().await;
    let (_, a, _) = answered(&p).await;
    let mut alice = connect(&a).await;
    alice
        .send(Req::AddTrack(lk::AddTrackRequest {
            cid: "mic-1".into(),
            r#type: lk::TrackType::Audio as i32,
            source: lk::TrackSource::Microphone as i32,
            ..Default::default()
        }))
        .await;
    let published = alice
        .until(|r| match r {
            Res::TrackPublished(t) => Some(t),
            _ => None,
        })
        .await;
    assert_eq!(published.cid, "mic-1");
    let track = published.track.expect("track info");
    assert!(track.sid.starts_with("TR_"));
    assert_eq!(track.r#type, lk::TrackType::Audio as i32);

    alice.send(Req::Ping(77)).await;
    let pong = alice
        .until(|r| match r {
            Res::Pong(at) => Some(at),
            _ => None,
        })
        .await;
    assert_eq!(pong, 77);
    alice.pings_back().await;
}

#[tokio::test]
async fn call_control_evicts_and_mutes_through_the_sfu() {
    let p = Parish::new().await;
    let (_, a, b) = answered(&p).await;
    let sfu = p.app.state.host.clone().expect("embedded SFU").server;
    let mut alice = connect(&a).await;
    let mut bob = connect(&b).await;
    let track = bob.publish_mic("bob-mic").await;

    sfu.send(MediaCommand::Mute {
        room: b.room_name.clone(),
        user: p.bob.id(),
        muted: true,
    });
    let muted = bob
        .until(|r| match r {
            Res::Mute(m) => Some(m),
            _ => None,
        })
        .await;
    assert_eq!(
        (muted.sid.as_str(), muted.muted),
        (track.sid.as_str(), true)
    );

    sfu.send(MediaCommand::Evict {
        room: b.room_name.clone(),
        user: p.bob.id(),
    });
    let leave = bob.dropped().await;
    assert_eq!(
        leave.reason,
        lk::DisconnectReason::ParticipantRemoved as i32
    );
    assert_eq!(leave.action, lk::leave_request::Action::Disconnect as i32);
    alice.pings_back().await;

    sfu.send(MediaCommand::CloseRoom {
        room: a.room_name.clone(),
    });
    assert_eq!(
        alice.dropped().await.reason,
        lk::DisconnectReason::RoomClosed as i32
    );
}

#[tokio::test]
async fn a_peer_sending_garbage_is_dropped_and_the_others_go_on() {
    let p = Parish::new().await;
    let (_, a, b) = answered(&p).await;
    let mut alice = connect(&a).await;

    // A small deterministic generator of junk frames.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut junk = |len: usize| -> Vec<u8> {
        (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect()
    };
    let mut cases: Vec<Message> = (0..12)
        .map(|i| Message::Binary(junk(1 + i * 37).into()))
        .filter(|m| match m {
            // Skip the rare junk that happens to decode as a valid request.
            Message::Binary(b) => lk::SignalRequest::decode(b.as_ref()).is_err(),
            _ => true,
        })
        .collect();
    cases.push(Message::Text("{\"offer\":{}}".into()));
    let bad_requests = [
        Req::Offer(lk::SessionDescription {
            r#type: "offer".into(),
            sdp: "v=0\r\nthis is not sdp".into(),
            id: 1,
            ..Default::default()
        }),
        Req::Trickle(lk::TrickleRequest {
            candidate_init: "{\"candidate\":\"candidate:x y z\"}".into(),
            ..Default::default()
        }),
        Req::Trickle(lk::TrickleRequest {
            candidate_init: "not json".into(),
            ..Default::default()
        }),
    ];
    for req in bad_requests {
        let bytes = lk::SignalRequest { message: Some(req) }.encode_to_vec();
        cases.push(Message::Binary(bytes.into()));
    }
    assert!(cases.len() >= 10);

    for case in cases {
        let mut bob = connect(&b).await;
        bob.ws.send(case.clone()).await.expect("send");
        let leave = bob.dropped().await;
        assert_eq!(
            leave.action,
            lk::leave_request::Action::Disconnect as i32,
            "{case:?}"
        );
        // Alice is untouched and still answered.
        alice.pings_back().await;
    }
    assert!(alice.join.participant.is_some());
}
