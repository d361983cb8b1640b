//! A server restarted while a call is live (a new process with its own
//! embedded SFU on the same database; the old one never says goodbye, as
//! in a crash): whoever comes back within the rejoin grace is in the call;
//! whoever does not has left, and a 1:1 call with one person left ends.
//! The record is the one call, with its two people.

use std::time::{Duration, Instant};

use belfry::calls::{CallStatus, ParticipantStatus};
use belfry::contract::call_types::RoomAccess;
use belfry::server::db;
use serde_json::json;

use crate::common::{Parish, TestApp};
use crate::signal_client::{answered, connect, two_in_a_room};
use crate::voice_peer::VoicePeer;

const GRACE: Duration = Duration::from_millis(1500);

/// The call's status and each person's, as stored.
async fn stored(
    p: &Parish,
    id: belfry::calls::ids::CallId,
) -> (CallStatus, Vec<ParticipantStatus>) {
    let call = db::calls::load(&p.app.state.db, id).await.unwrap().unwrap();
    let people = (call.state.participants.iter()).map(|x| x.status).collect();
    (call.state.status, people)
}

/// Until both are connected in the call's record.
async fn both_connected(p: &Parish, id: belfry::calls::ids::CallId) {
    for _ in 0..50 {
        let (_, people) = stored(p, id).await;
        if people.iter().all(|s| *s == ParticipantStatus::Connected) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("both connected");
}

/// The server restarts: the people now talk to the new process.
async fn restart(p: &mut Parish) -> TestApp {
    let new = p.app.restart_with_sfu(|c| c.rejoin_grace = GRACE).await;
    let old = std::mem::replace(&mut p.app, new);
    for who in [&mut p.alice, &mut p.bob, &mut p.carol, &mut p.dave] {
        who.base = p.app.url("");
    }
    old
}

#[tokio::test]
async fn after_a_restart_who_does_not_come_back_has_left_and_the_1to1_call_ends() {
    let mut p = Parish::in_app(TestApp::with_sfu(|_| {}).await).await;
    if !p.app.database_url.starts_with("sqlite:") {
        return; // Several instances: LiveKit's webhooks say who is in a room.
    }
    let room = two_in_a_room(&p).await;
    let id = room.call.id;
    both_connected(&p, id).await;
    let _old = restart(&mut p).await;

    // Bob's browser comes back to the new server; Alice's never does.
    let access: RoomAccess = p.bob.ok("call_token", json!({"call_id": id})).await;
    let _bob = connect(&access).await;
    tokio::time::sleep(GRACE / 2).await;
    assert_eq!(
        stored(&p, id).await.0,
        CallStatus::Active,
        "within the grace, still live"
    );
    tokio::time::sleep(GRACE + Duration::from_millis(800)).await;

    let (status, people) = stored(&p, id).await;
    assert_eq!(status, CallStatus::Ended);
    let call = db::calls::load(&p.app.state.db, id).await.unwrap().unwrap();
    let alice = call.state.participant(p.alice.id()).unwrap();
    assert_eq!(
        alice.status,
        ParticipantStatus::Disconnected,
        "alice has left"
    );
    assert_eq!(people.len(), 2, "the same two people");
    assert!(db::calls::live_ids(&p.app.state.db)
        .await
        .unwrap()
        .is_empty());
    drop(room);
}

#[tokio::test]
async fn after_a_restart_both_are_back_within_10_s_hearing_each_other_in_the_one_call() {
    let mut p = Parish::in_app(TestApp::with_sfu(|_| {}).await).await;
    let (call, a, b) = answered(&p).await;
    let id = call.id;
    let (alice, bob) = (join(&a).await, join(&b).await);
    hear_each_other(&alice, &bob, "before the restart").await;
    both_connected(&p, id).await;

    let _old = restart(&mut p).await;
    let back = Instant::now();
    // Their links went down with the old process. As the browser client
    // does: a fresh room token, then the room again.
    drop((alice, bob));
    let a: RoomAccess = p.alice.ok("call_token", json!({"call_id": id})).await;
    let b: RoomAccess = p.bob.ok("call_token", json!({"call_id": id})).await;
    let (alice, bob) = (join(&a).await, join(&b).await);
    hear_each_other(&alice, &bob, "after the restart").await;
    let took = back.elapsed();
    assert!(
        took < Duration::from_secs(10),
        "back with audio in {took:?}"
    );

    // Past the grace: still the one live call, both in it, nobody added.
    tokio::time::sleep(GRACE + Duration::from_millis(800)).await;
    let (status, people) = stored(&p, id).await;
    assert_eq!(status, CallStatus::Active);
    assert_eq!(people, vec![ParticipantStatus::Connected; 2]);
    assert_eq!(
        db::calls::live_ids(&p.app.state.db).await.unwrap(),
        vec![id]
    );
    assert!(!alice.gone() && !bob.gone());
    alice.leave().await;
    bob.leave().await;
}

/// Each hears at least half a second of the other within 10 s.
async fn hear_each_other(alice: &VoicePeer, bob: &VoicePeer, when: &str) {
    let ten = Duration::from_secs(10);
    let (a, b) = tokio::join!(alice.hears(25, ten), bob.hears(25, ten));
    assert!(a && b, "{when}: alice hears bob {a}, bob hears alice {b}");
}

async fn join(access: &RoomAccess) -> VoicePeer {
    VoicePeer::join(access).await.expect("joins the room")
}
