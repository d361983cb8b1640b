//! The media server admits only whom call control admits: removed people,
//! ended calls, uninvited members and made-up rooms are refused at `/rtc`
//! with any token they kept; a moderator's mute holds against the muted
//! person's own unmute and rejoin.

use belfry::calls::CallStatus;
use belfry::contract::call_types::{CallView, RoomAccess};
use belfry::contract::types::{ChannelSummary, UserView};
use livekit_protocol as lk;
use lk::signal_request::Message as Req;
use lk::signal_response::Message as Res;
use serde_json::json;

use crate::common::{Parish, Person, TestApp};
use crate::signal_client::{connect, refused_at_the_door, resume_refused, Client};

async fn token(who: &Person, call: &CallView) -> RoomAccess {
    who.ok("call_token", json!({"call_id": call.id})).await
}

fn sid_of(c: &Client) -> String {
    c.join.participant.clone().expect("participant").sid
}

/// The choir's call with everyone in, on the real SFU, and carol's link
/// to its room open.
struct CarolIn {
    p: Parish,
    call: CallView,
    access: RoomAccess,
    carol: Client,
    sid: String,
}

async fn carol_in_the_choir_call() -> CarolIn {
    let p = Parish::in_app(TestApp::with_sfu(|_| {}).await).await;
    let call = p.choir_call_all_in().await;
    let access = token(&p.carol, &call).await;
    let carol = connect(&access).await;
    let sid = sid_of(&carol);
    CarolIn {
        p,
        call,
        access,
        carol,
        sid,
    }
}

#[tokio::test]
async fn a_removed_participant_cannot_come_back_with_her_old_token() {
    let CarolIn {
        p,
        call,
        access: carol_access,
        mut carol,
        sid: carol_sid,
    } = carol_in_the_choir_call().await;
    let alice_access = token(&p.alice, &call).await;
    let mut alice = connect(&alice_access).await;
    alice.update_about(&p.carol.id().to_string()).await;

    let _: CallView = p
        .alice
        .ok(
            "remove_participant",
            json!({"call_id": call.id, "user_id": p.carol.id()}),
        )
        .await;
    let leave = carol.dropped().await;
    assert_eq!(
        leave.reason,
        lk::DisconnectReason::ParticipantRemoved as i32
    );

    // Every door back: the old token, a resume of her session, a fresh
    // token, and joining the channel's call again.
    refused_at_the_door(&carol_access, 403).await;
    resume_refused(&carol_access, &carol_sid, 403).await;
    let (status, _) = p
        .carol
        .fails("call_token", json!({"call_id": call.id}))
        .await;
    assert_eq!(status, 409, "no fresh token for someone not in the call");
    let (status, e) = p
        .carol
        .fails("initiate_call", json!({"channel_id": p.choir}))
        .await;
    assert_eq!(
        (status, e.message.as_str()),
        (403, "You were removed from this call.")
    );
    // The others' call goes on.
    alice.pings_back().await;
}

#[tokio::test]
async fn removal_from_the_channel_closes_the_room_to_her_old_token() {
    let CarolIn {
        p,
        call: _,
        access: carol_access,
        mut carol,
        sid: carol_sid,
    } = carol_in_the_choir_call().await;
    let _: serde_json::Value = p
        .alice
        .ok(
            "remove_channel_member",
            json!({"channel_id": p.choir, "user_id": p.carol.id()}),
        )
        .await;
    carol.dropped().await;
    refused_at_the_door(&carol_access, 403).await;
    resume_refused(&carol_access, &carol_sid, 403).await;
}

#[tokio::test]
async fn an_ended_call_is_closed_for_good_to_everyone_in_it() {
    let p = Parish::in_app(TestApp::with_sfu(|_| {}).await).await;
    let call = p.choir_call_all_in().await;
    let mut access = Vec::new();
    for who in [&p.alice, &p.bob, &p.carol] {
        access.push(token(who, &call).await);
    }
    let mut bob = connect(&access[1]).await;
    let bob_sid = sid_of(&bob);
    let ended: CallView = p.alice.ok("end_call", json!({"call_id": call.id})).await;
    assert_eq!(ended.status, CallStatus::Ended);
    assert_eq!(
        bob.dropped().await.reason,
        lk::DisconnectReason::RoomClosed as i32
    );
    for a in &access {
        refused_at_the_door(a, 404).await;
    }
    resume_refused(&access[1], &bob_sid, 404).await;
}

#[tokio::test]
async fn a_validly_signed_token_for_a_room_call_control_never_opened_is_refused() {
    let p = Parish::in_app(TestApp::with_sfu(|_| {}).await).await;
    let carol: UserView = p.carol.user.clone().expect("carol");
    let (_, real, _) = crate::signal_client::answered(&p).await;
    for room in ["call-made-up", "studio-1-guessed", &real.room_name] {
        let minted = p
            .app
            .state
            .keys
            .mint(room, &carol, belfry::media::token::TOKEN_TTL)
            .expect("minted");
        let access = RoomAccess {
            token: minted,
            room_name: room.to_string(),
            ..real.clone()
        };
        // The made-up rooms do not exist; the real one is not hers.
        let status = if room == real.room_name { 403 } else { 404 };
        refused_at_the_door(&access, status).await;
    }
}

#[tokio::test]
async fn only_a_moderator_brings_back_someone_a_moderator_removed() {
    let p = Parish::in_app(TestApp::with_sfu(|_| {}).await).await;
    // A group of alice (admin), carol and dave (plain members).
    let spaces: serde_json::Value = p.alice.ok("my_spaces", json!({})).await;
    let community = spaces["communities"][0]["id"].as_i64().expect("community");
    let group: ChannelSummary = p
        .alice
        .ok(
            "create_group_channel",
            json!({"community_id": community, "name": "Flowers", "member_ids": [p.carol.id(), p.dave.id()]}),
        )
        .await;
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": group.id}))
        .await;
    for who in [&p.carol, &p.dave] {
        let _: CallView = who.ok("answer_call", json!({"call_id": call.id})).await;
    }
    let old = token(&p.carol, &call).await;
    let _: CallView = p
        .alice
        .ok(
            "remove_participant",
            json!({"call_id": call.id, "user_id": p.carol.id()}),
        )
        .await;

    // Dave, a plain member in the call, tries to ring her back in.
    let (status, e) = p
        .dave
        .fails(
            "add_participant",
            json!({"call_id": call.id, "user_id": p.carol.id()}),
        )
        .await;
    assert_eq!(status, 403);
    assert!(e.message.contains("only a coordinator or admin"), "{e:?}");
    let (status, _) = p
        .carol
        .fails("answer_call", json!({"call_id": call.id}))
        .await;
    assert_eq!(
        status, 403,
        "nothing rings her, so there is nothing to answer"
    );
    refused_at_the_door(&old, 403).await;

    // The admin may; then she answers, and only then is she let in.
    let _: CallView = p
        .alice
        .ok(
            "add_participant",
            json!({"call_id": call.id, "user_id": p.carol.id()}),
        )
        .await;
    refused_at_the_door(&old, 403).await;
    let _: CallView = p.carol.ok("answer_call", json!({"call_id": call.id})).await;
    let fresh = token(&p.carol, &call).await;
    let back = connect(&fresh).await;
    assert!(back.join.participant.is_some());
}

#[tokio::test]
async fn a_moderators_mute_holds_against_her_own_unmute_and_her_rejoin() {
    let p = Parish::in_app(TestApp::with_sfu(|_| {}).await).await;
    let call = p.choir_call_all_in().await;
    let access = token(&p.carol, &call).await;
    let mut carol = connect(&access).await;
    let track = carol.publish_mic("carol-mic").await;
    let mut alice = connect(&token(&p.alice, &call).await).await;
    alice.update_about(&p.carol.id().to_string()).await;

    hold(&p.alice, &call, &p.carol, true).await;
    let told = next_mute(&mut carol).await;
    assert!(told.muted);

    // She presses M: the SFU refuses and tells her she is still muted.
    send_mute(&mut carol, &track.sid, false).await;
    let again = next_mute(&mut carol).await;
    assert_eq!(
        (again.sid.as_str(), again.muted),
        (track.sid.as_str(), true)
    );
    // She cannot lift it through call control either.
    let (status, _) = p
        .carol
        .fails(
            "mute_participant",
            json!({"call_id": call.id, "user_id": p.carol.id(), "muted": false}),
        )
        .await;
    assert_eq!(status, 403);

    // Nor by leaving the room and coming back: the new session is held.
    drop(carol);
    let mut carol = connect(&token(&p.carol, &call).await).await;
    let republished = carol.publish_mic("carol-mic-2").await;
    assert!(republished.muted, "her track comes back muted");
    send_mute(&mut carol, &republished.sid, false).await;
    assert_eq!(
        mutes_within_a_moment(&mut carol).await,
        vec![true],
        "refused again"
    );

    // A coordinator lets her speak; then her own unmute is hers again.
    hold(&p.bob, &call, &p.carol, false).await;
    let lifted = next_mute(&mut carol).await;
    assert!(!lifted.muted);
    for muted in [true, false] {
        send_mute(&mut carol, &republished.sid, muted).await;
        assert_eq!(
            mutes_within_a_moment(&mut carol).await,
            Vec::<bool>::new(),
            "accepted, not answered"
        );
    }
    alice.pings_back().await;
}

/// A moderator (or not) mutes `who` in `call`, or lets them speak.
async fn hold(by: &Person, call: &CallView, who: &Person, muted: bool) {
    let _: CallView = by
        .ok(
            "mute_participant",
            json!({"call_id": call.id, "user_id": who.id(), "muted": muted}),
        )
        .await;
}

/// The participant's own mute or unmute, as a client sends it.
async fn send_mute(c: &mut Client, track: &str, muted: bool) {
    c.send(Req::Mute(lk::MuteTrackRequest {
        sid: track.to_string(),
        muted,
    }))
    .await;
}

/// The next mute order the server sends.
async fn next_mute(c: &mut Client) -> lk::MuteTrackRequest {
    c.until(|r| match r {
        Res::Mute(m) => Some(m),
        _ => None,
    })
    .await
}

/// The server's mute orders that reach `c` within the next 800 ms (they
/// come from the SFU's task, not in step with the signalling link's own
/// answers, so a ping's pong does not mark their end).
async fn mutes_within_a_moment(c: &mut Client) -> Vec<bool> {
    use futures_util::StreamExt;
    use prost::Message as _;
    let mut seen = Vec::new();
    let until = tokio::time::Instant::now() + std::time::Duration::from_millis(800);
    while let Ok(Some(Ok(frame))) = tokio::time::timeout_at(until, c.ws.next()).await {
        if let tokio_tungstenite::tungstenite::Message::Binary(bytes) = frame {
            let res = lk::SignalResponse::decode(bytes.as_ref()).expect("protobuf");
            if let Some(Res::Mute(m)) = res.message {
                seen.push(m.muted);
            }
        }
    }
    seen
}

#[tokio::test]
async fn a_parish_call_takes_only_its_invitees_and_a_stranger_does_not_answer_it() {
    let p = Parish::in_app(TestApp::with_sfu(|_| {}).await).await;
    let call: CallView = p
        .alice
        .ok(
            "initiate_call",
            json!({"channel_id": p.hall, "invitees": [p.bob.id()]}),
        )
        .await;
    let (status, e) = p
        .dave
        .fails("initiate_call", json!({"channel_id": p.hall}))
        .await;
    assert_eq!(
        (status, e.message.as_str()),
        (403, "You were not invited to this call.")
    );
    let (status, _) = p
        .dave
        .fails("answer_call", json!({"call_id": call.id}))
        .await;
    assert_eq!(status, 403);
    let (status, _) = p
        .dave
        .fails("call_token", json!({"call_id": call.id}))
        .await;
    assert_eq!(status, 403);
    let now: CallView = p.alice.ok("get_call", json!({"call_id": call.id})).await;
    assert_eq!(
        now.status,
        CallStatus::Ringing,
        "dave did not answer in bob's place"
    );

    // A participant may add him; then he is rung, and may answer.
    let _: CallView = p
        .alice
        .ok(
            "add_participant",
            json!({"call_id": call.id, "user_id": p.dave.id()}),
        )
        .await;
    let answered: CallView = p.dave.ok("answer_call", json!({"call_id": call.id})).await;
    assert_eq!(answered.status, CallStatus::Active);
}

#[tokio::test]
async fn a_parked_session_removed_meanwhile_cannot_resume() {
    let CarolIn {
        p,
        call,
        access,
        carol,
        sid,
    } = carol_in_the_choir_call().await;
    drop(carol); // the link drops without a leave: her session is parked
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let _: CallView = p
        .bob
        .ok(
            "remove_participant",
            json!({"call_id": call.id, "user_id": p.carol.id()}),
        )
        .await;
    resume_refused(&access, &sid, 403).await;
}

#[tokio::test]
async fn a_session_the_eviction_missed_is_refused_its_next_token() {
    // Call control's commands go to a recorder here, so removing carol
    // does not reach the SFU: only the refresh-time check can end her
    // session (as in LiveKit mode, or if an eviction were lost).
    let app =
        TestApp::with_config(|c| c.media.token_refresh = std::time::Duration::from_secs(1)).await;
    let p = Parish::in_app(app).await;
    let call = p.choir_call_all_in().await;
    let mut carol = connect(&token(&p.carol, &call).await).await;
    let mut alice = connect(&token(&p.alice, &call).await).await;
    let fresh = carol
        .until(|r| match r {
            Res::RefreshToken(t) => Some(t),
            _ => None,
        })
        .await;
    assert!(!fresh.is_empty(), "while admitted she is sent fresh tokens");
    let _: CallView = p
        .alice
        .ok(
            "remove_participant",
            json!({"call_id": call.id, "user_id": p.carol.id()}),
        )
        .await;
    let leave = carol
        .until(|r| match r {
            Res::Leave(l) => Some(l),
            Res::RefreshToken(_) => panic!("a removed participant got a fresh token"),
            _ => None,
        })
        .await;
    assert_eq!(
        leave.reason,
        lk::DisconnectReason::ParticipantRemoved as i32
    );
    alice.pings_back().await;
}
