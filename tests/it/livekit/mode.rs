//! Belfry A in LiveKit mode, driving Belfry M's media role through
//! LiveKit's RoomService and hearing it through its webhooks: start-up
//! checks, rooms made with Belfry's settings, removal that ends the
//! session and revokes the token, presence by webhook, and the reconcile
//! pass that corrects call state when webhooks are lost. Participants are
//! real LiveKit signalling clients on M's `/rtc`.

use std::time::Duration;

use belfry::calls::ids::{CallId, UserId};
use belfry::calls::{CallStatus, ParticipantStatus};
use belfry::contract::call_types::{CallView, RoomAccess};
use belfry::server::app;
use belfry::server::config::Config;
use livekit_protocol as lk;
use lk::signal_request::Message as Req;
use serde_json::json;

use super::{app_on, keys, livekit_mode, within, MediaRole};
use crate::common::{Parish, Person};
use crate::signal_client::{answered, connect, refused_at_the_door, resume_refused};

async fn status(p: &Parish, call: CallId, who: UserId) -> (CallStatus, ParticipantStatus) {
    let stored = belfry::server::db::calls::load(&p.app.state.db, call)
        .await
        .unwrap()
        .unwrap();
    let mine = stored.state.participant(who).map(|x| x.status).unwrap();
    (stored.state.status, mine)
}

async fn token(who: &Person, call: &CallView) -> RoomAccess {
    who.ok("call_token", json!({"call_id": call.id})).await
}

#[tokio::test]
async fn start_up_reaches_the_livekit_server_and_names_what_is_wrong() {
    let m = MediaRole::start().await;
    let dir = tempfile::tempdir().unwrap();
    let base = |c: &mut Config| {
        c.database_url = format!("sqlite://{}", dir.path().join("a.db").display());
        c.media.udp_bind = "127.0.0.1:0".parse().unwrap();
        c.media.tcp_bind = None;
    };
    let mut wrong_key = Config::from_lookup(|_| None).unwrap();
    base(&mut wrong_key);
    livekit_mode(&mut wrong_key, &m.url());
    wrong_key.livekit_api_secret = Some("not-the-media-hosts-secret-at-all".into());
    let e = app::prepare(wrong_key)
        .await
        .err()
        .expect("a wrong key stops start-up");
    assert!(e.contains("refused Belfry's key"), "{e}");
    assert!(e.contains("BELFRY_LIVEKIT_API_SECRET"), "{e}");

    let mut nowhere = Config::from_lookup(|_| None).unwrap();
    base(&mut nowhere);
    livekit_mode(&mut nowhere, "ws://127.0.0.1:9");
    let e = app::prepare(nowhere)
        .await
        .err()
        .expect("no server stops start-up");
    assert!(e.contains("BELFRY_MEDIA_URL"), "{e}");
}

#[tokio::test]
async fn a_call_makes_its_room_on_the_media_host_and_presence_comes_back_by_webhook() {
    let m = MediaRole::start().await;
    let p = app_on(&m, 300.0).await;
    let (call, a, b) = answered(&p).await;
    assert_eq!(a.room_url, m.url(), "clients are sent to the media host");

    // CreateRoom made the room with Belfry's shape.
    let service = m.service();
    let room = a.room_name.clone();
    within(Duration::from_secs(3), "CreateRoom reaches M", || async {
        service.list_rooms(vec![room.clone()]).await.unwrap().len() == 1
    })
    .await;
    let made = &service.list_rooms(vec![room.clone()]).await.unwrap()[0];
    assert_eq!(made.max_participants, 50);
    assert_eq!(made.empty_timeout, 60);

    let _alice = connect(&a).await;
    let mut bob = connect(&b).await;
    let people = service.list_participants(&room).await.unwrap();
    let mut identities: Vec<_> = people.iter().map(|x| x.identity.clone()).collect();
    identities.sort();
    let mut expected = vec![p.alice.id().to_string(), p.bob.id().to_string()];
    expected.sort();
    assert_eq!(identities, expected);

    // Bob leaves the media host: M's webhook reaches A, and after the
    // grace for a reconnect, call control counts him gone.
    let hooks_before = m.relay.passed.load(std::sync::atomic::Ordering::SeqCst);
    bob.send(Req::Leave(lk::LeaveRequest::default())).await;
    // About 5 s (the reconnect grace) when the machine is idle; the bound
    // is generous because the whole suite shares two cores (speed is the
    // bench's to measure).
    let took = within(
        Duration::from_secs(20),
        "bob disconnected by webhook",
        || async { status(&p, call.id, p.bob.id()).await.1 != ParticipantStatus::Connected },
    )
    .await;
    assert!(m.relay.passed.load(std::sync::atomic::Ordering::SeqCst) > hooks_before);
    eprintln!("measured: leave -> DISCONNECTED by webhook in {took:?}");
    // A call of two with one gone is over, and its room goes with it.
    within(Duration::from_secs(3), "the call ends", || async {
        status(&p, call.id, p.alice.id()).await.0 == CallStatus::Ended
    })
    .await;
    within(Duration::from_secs(3), "DeleteRoom reaches M", || async {
        service
            .list_rooms(vec![room.clone()])
            .await
            .unwrap()
            .is_empty()
    })
    .await;
}

#[tokio::test]
async fn a_moderators_removal_ends_the_session_on_the_media_host_and_revokes_her_token() {
    let m = MediaRole::start().await;
    let p = app_on(&m, 300.0).await;
    let call = p.choir_call_all_in().await;
    let old = token(&p.carol, &call).await;
    let mut carol = connect(&old).await;
    let sid = carol.join.participant.clone().expect("participant").sid;
    let _alice = connect(&token(&p.alice, &call).await).await;

    let asked = std::time::Instant::now();
    let _: CallView = p
        .alice
        .ok(
            "remove_participant",
            json!({"call_id": call.id, "user_id": p.carol.id()}),
        )
        .await;
    let leave = carol.dropped().await;
    let took = asked.elapsed();
    eprintln!("measured: removal on A -> session ended on M in {took:?}");
    assert!(took < Duration::from_secs(1), "{took:?}");
    assert_eq!(
        leave.reason,
        lk::DisconnectReason::ParticipantRemoved as i32
    );

    // Her old token no longer opens the room on M (revoked), by any door:
    // a join, /rtc/validate, or a resume of the session she had.
    refused_at_the_door(&old, 403).await;
    resume_refused(&old, &sid, 403).await;
    // And A gives her no new one.
    let (status, _) = p
        .carol
        .fails("call_token", json!({"call_id": call.id}))
        .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn someone_the_media_host_lets_in_but_call_control_does_not_admit_is_removed() {
    let m = MediaRole::start().await;
    let p = app_on(&m, 300.0).await;
    let call = p.choir_call_all_in().await;
    let real = token(&p.alice, &call).await;
    let _alice = connect(&real).await;
    // Dave was never in this call; a token for its room (a leaked key, a
    // bug elsewhere) gets him past M, which admits by token alone.
    let dave = p.dave.user.clone().unwrap();
    let minted = keys()
        .mint(&real.room_name, &dave, belfry::media::token::TOKEN_TTL)
        .unwrap();
    let access = RoomAccess {
        token: minted,
        ..real.clone()
    };
    let mut intruder = connect(&access).await;
    // A hears participant_joined, asks its gate, and removes him.
    let leave = tokio::time::timeout(Duration::from_secs(3), intruder.dropped())
        .await
        .expect("removed within 3 s");
    assert_eq!(
        leave.reason,
        lk::DisconnectReason::ParticipantRemoved as i32
    );
    refused_at_the_door(&access, 403).await;
}

#[tokio::test]
async fn with_webhooks_lost_the_reconcile_pass_still_ends_the_call() {
    let m = MediaRole::start().await;
    let p = app_on(&m, 1.0).await;
    m.relay.block(true);
    let (call, a, b) = answered(&p).await;
    let mut alice = connect(&a).await;
    let mut bob = connect(&b).await;
    // A pass sees them in the room (a stay shorter than one pass, with
    // every webhook lost, is noticed only when the 30 s to appear are up).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        status(&p, call.id, p.alice.id()).await,
        (CallStatus::Active, ParticipantStatus::Connected)
    );

    let left = std::time::Instant::now();
    for c in [&mut alice, &mut bob] {
        c.send(Req::Leave(lk::LeaveRequest::default())).await;
    }
    within(
        Duration::from_secs(15),
        "the call ends by reconcile",
        || async { status(&p, call.id, p.alice.id()).await.0 == CallStatus::Ended },
    )
    .await;
    eprintln!(
        "measured: leave -> call ended by reconcile alone (1 s passes) in {:?}",
        left.elapsed()
    );
    assert_eq!(m.relay.passed.load(std::sync::atomic::Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_reconcile_pass_gives_someone_who_answered_time_to_connect() {
    let m = MediaRole::start().await;
    let p = app_on(&m, 0.2).await;
    m.relay.block(true);
    let (call, a, b) = answered(&p).await;
    // Neither has reached the media host yet (a slow phone): many passes
    // and more than the grace later, the call is still on.
    tokio::time::sleep(belfry::server::calls::presence::GRACE + Duration::from_secs(1)).await;
    assert_eq!(
        status(&p, call.id, p.bob.id()).await,
        (CallStatus::Active, ParticipantStatus::Connected)
    );
    // Once seen in the room, a departure is noticed.
    let mut bob = connect(&b).await;
    let _alice = connect(&a).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    bob.send(Req::Leave(lk::LeaveRequest::default())).await;
    within(
        Duration::from_secs(8),
        "bob's departure noticed by reconcile",
        || async { status(&p, call.id, p.bob.id()).await.1 != ParticipantStatus::Connected },
    )
    .await;
}

/// The media host stopping (SIGTERM): everyone in its rooms is told to
/// reconnect, and a join is refused with 503 until it is back.
#[tokio::test]
async fn a_stopping_media_host_tells_its_rooms_to_reconnect_and_refuses_joins() {
    let m = MediaRole::start().await;
    let p = app_on(&m, 300.0).await;
    let (_call, a, b) = answered(&p).await;
    let mut alice = connect(&a).await;
    m.draining.drain().await;
    let leave = alice.dropped().await;
    assert_eq!(leave.reason, lk::DisconnectReason::ServerShutdown as i32);
    assert_eq!(leave.action, lk::leave_request::Action::Reconnect as i32);
    crate::signal_client::refused_at_the_door(&b, 503).await;
}
