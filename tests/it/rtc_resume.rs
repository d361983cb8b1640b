//! Resuming a signalling link (LiveKit's `reconnect=1&sid=..`) on the
//! embedded SFU, over real WebSockets on loopback: a dropped link keeps its
//! session for the browser to take back; a session nobody resumes, or whose
//! browser went silent, leaves; a resume naming someone else's session is
//! refused.

use crate::common;
use crate::signal_client;

use std::time::Duration;

use belfry::contract::call_types::CallView;
use belfry::media::control::{MediaCommand, MediaControl};
use common::Parish;
use livekit_protocol as lk;
use lk::signal_request::Message as Req;
use lk::signal_response::Message as Res;
use serde_json::json;
use signal_client::{
    assert_refused, close_with, connect, resume, resumed, two_in_a_room, Client, TwoInARoom,
};

const GONE: i32 = lk::participant_info::State::Disconnected as i32;

#[tokio::test]
async fn a_dropped_link_is_resumed_and_the_room_never_sees_a_leave() {
    let p = Parish::new().await;
    let TwoInARoom {
        call,
        b,
        mut alice,
        mut bob,
        bob_id,
        bob_sid,
        ..
    } = two_in_a_room(&p).await;
    // His first subscriber offer, which he does not get to answer.
    let offer = bob.offer().await;

    // Bob's link drops without a word (a network hiccup).
    drop(bob);
    let mut bob = resumed(&b, &bob_sid, None).await;
    // He is told who is there now, and the link works.
    let alice_id = p.alice.id().to_string();
    let seen = bob.update_about(&alice_id).await;
    // Present (no media connection here: JOINED, not ACTIVE).
    assert_eq!(seen.state, lk::participant_info::State::Joined as i32);
    // The unanswered offer comes again, the same one, to be answered now.
    let again = bob.offer().await;
    assert_eq!((again.id, &again.sdp), (offer.id, &offer.sdp));
    bob.pings_back().await;

    // Alice never saw him go, and he is still in the call.
    let updates = alice.updates_until_pong().await;
    assert!(
        updates
            .iter()
            .all(|u| u.identity != bob_id || u.state != GONE),
        "alice saw bob leave: {updates:?}"
    );
    let live: Option<CallView> = p
        .alice
        .ok("active_call", json!({"channel_id": p.direct}))
        .await;
    assert_eq!(live.map(|c| c.id), Some(call.id));

    // A leave on the new link is final, as on the first.
    bob.send(Req::Leave(lk::LeaveRequest::default())).await;
    let gone = alice.update_about(&bob_id).await;
    assert_eq!(gone.state, GONE);
}

#[tokio::test]
async fn a_link_nobody_resumes_leaves_once_the_browser_is_silent_and_cannot_be_resumed_after() {
    let p = Parish::new().await;
    let TwoInARoom {
        b,
        mut alice,
        bob,
        bob_id,
        bob_sid,
        ..
    } = two_in_a_room(&p).await;

    drop(bob);
    // Not at once: he may be back in a moment.
    let updates = alice.updates_until_pong().await;
    assert!(updates
        .iter()
        .all(|u| u.identity != bob_id || u.state != GONE));
    // No datagram comes from his browser (it has none here): he is gone
    // within seconds, and the room is told.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let updates = alice.updates_until_pong().await;
        if updates
            .iter()
            .any(|u| u.identity == bob_id && u.state == GONE)
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "bob's silent session never ended"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Too late to resume: a leave that asks for a full rejoin.
    let (ws, first) = resume(&b, &bob_sid).await;
    assert_refused(ws, first).await;
    // And a full rejoin works.
    let again = connect(&b).await;
    assert_ne!(again.join.participant.unwrap().sid, bob_sid);
}

#[tokio::test]
async fn a_resume_naming_another_session_is_refused_and_that_session_goes_on() {
    let p = Parish::new().await;
    let TwoInARoom {
        a,
        b,
        mut alice,
        mut bob,
        bob_id,
        bob_sid,
        ..
    } = two_in_a_room(&p).await;

    // Alice's token, Bob's session.
    let (ws, first) = resume(&a, &bob_sid).await;
    assert_refused(ws, first).await;
    // A sid that names nothing, with a garbage value, likewise.
    let (ws, first) = resume(&b, "PA_%00nothing").await;
    assert_refused(ws, first).await;

    // Bob's session is untouched; Alice's link still works.
    bob.pings_back().await;
    let updates = alice.updates_until_pong().await;
    assert!(updates
        .iter()
        .all(|u| u.identity != bob_id || u.state != GONE));
    let _ = bob.ws.close(None).await;
}

#[tokio::test]
async fn a_page_that_goes_away_leaves_at_once_and_is_not_kept_for_a_resume() {
    let p = Parish::new().await;
    let TwoInARoom {
        b,
        mut alice,
        mut bob,
        bob_id,
        bob_sid,
        ..
    } = two_in_a_room(&p).await;

    // What a browser sends when its tab closes.
    let closed = tokio::time::Instant::now();
    close_with(&mut bob.ws, 1001).await;
    let gone = alice.update_about(&bob_id).await;
    assert_eq!(gone.state, GONE, "the next word about bob is his leave");
    // A leave, not a parked link ended by silence (which takes 4 s).
    assert!(
        closed.elapsed() < Duration::from_secs(3),
        "bob's leave took {:?}",
        closed.elapsed()
    );
    let (ws, first) = resume(&b, &bob_sid).await;
    assert_refused(ws, first).await;
}

#[tokio::test]
async fn a_moderator_mute_while_the_link_is_down_is_told_on_resuming() {
    let p = Parish::new().await;
    let sfu = p.app.state.host.clone().expect("embedded SFU").server;
    let TwoInARoom {
        b,
        mut bob,
        bob_sid,
        ..
    } = two_in_a_room(&p).await;
    let track = bob.publish_mic("bob-mic").await;
    drop(bob);
    // Parked (the leave or park reaches the SFU before the mute does).
    tokio::time::sleep(Duration::from_millis(200)).await;
    sfu.send(MediaCommand::Mute {
        room: b.room_name.clone(),
        user: p.bob.id(),
        muted: true,
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut bob = resumed(&b, &bob_sid, None).await;
    let muted = bob
        .until(|r| match r {
            Res::Mute(m) => Some(m),
            _ => None,
        })
        .await;
    assert_eq!((muted.sid, muted.muted), (track.sid, true));
}

/// The `a=ice-ufrag` of an SDP.
fn ufrag(sdp: &str) -> String {
    sdp.lines()
        .find_map(|l| l.strip_prefix("a=ice-ufrag:"))
        .expect("an ice-ufrag")
        .to_string()
}

/// Answers a subscriber offer as a browser would (a str0m peer here).
async fn answer(bob: &mut Client, offer: lk::SessionDescription) {
    let mut rtc = str0m::Rtc::builder().build(std::time::Instant::now());
    let local = str0m::Candidate::host("127.0.0.1:9".parse().unwrap(), "udp").unwrap();
    rtc.add_local_candidate(local);
    let parsed = str0m::change::SdpOffer::from_sdp_string(&offer.sdp).unwrap();
    let answer = rtc.sdp_api().accept_offer(parsed).unwrap();
    bob.send(Req::Answer(lk::SessionDescription {
        r#type: "answer".into(),
        sdp: answer.to_sdp_string(),
        id: offer.id,
        ..Default::default()
    }))
    .await;
}

#[tokio::test]
async fn a_resume_after_a_failed_peer_connection_restarts_ice_on_the_subscriber() {
    static CRYPTO: std::sync::Once = std::sync::Once::new();
    CRYPTO.call_once(|| str0m::crypto::from_feature_flags().install_process_default());
    let p = Parish::new().await;
    let TwoInARoom {
        b,
        mut bob,
        bob_sid,
        ..
    } = two_in_a_room(&p).await;
    let first = bob.offer().await;
    let before = ufrag(&first.sdp);
    answer(&mut bob, first.clone()).await;
    bob.pings_back().await;

    // His subscriber connection failed (he moved networks): he resumes
    // saying so, and is offered new ICE credentials to check with.
    drop(bob);
    let failed = lk::ReconnectReason::RrSubscriberFailed as i32;
    let mut bob = resumed(&b, &bob_sid, Some(failed)).await;
    let restart = bob.offer().await;
    assert!(restart.id > first.id, "a new offer, not the old one again");
    assert_ne!(ufrag(&restart.sdp), before, "new ICE credentials");
    answer(&mut bob, restart).await;
    bob.pings_back().await;
}

#[tokio::test]
async fn a_link_closed_to_resume_waits_for_its_resume_however_quiet_the_media() {
    let p = Parish::new().await;
    let TwoInARoom {
        b,
        mut alice,
        mut bob,
        bob_id,
        bob_sid,
        ..
    } = two_in_a_room(&p).await;

    // Bob's client closes its link to resume on another (close code 4001):
    // no datagram comes from his browser meanwhile, yet his session waits,
    // past the silence that ends a dead tab's.
    use futures_util::StreamExt;
    close_with(&mut bob.ws, 4001).await;
    // The closing handshake, as a browser does it.
    while bob.ws.next().await.is_some() {}
    let until = tokio::time::Instant::now() + Duration::from_secs(6);
    while tokio::time::Instant::now() < until {
        let updates = alice.updates_until_pong().await;
        assert!(
            updates
                .iter()
                .all(|u| u.identity != bob_id || u.state != GONE),
            "bob was taken for gone: {updates:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let (_ws, first) = resume(&b, &bob_sid).await;
    assert!(matches!(first, Res::Reconnect(_)), "resumed, got {first:?}");
}
