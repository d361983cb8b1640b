//! A server restarted while a call is live (a new process with its own
//! embedded SFU on the same database; the old one never says goodbye, as
//! in a crash): whoever comes back within the rejoin grace is in the call;
//! whoever does not has left, and a 1:1 call with one person left ends.
//! The record is the one call, with its two people.

use std::time::Duration;

use belfry::calls::{CallStatus, ParticipantStatus};
use belfry::contract::call_types::RoomAccess;
use belfry::server::db;
use serde_json::json;

use crate::common::{Parish, TestApp};
use crate::signal_client::{connect, two_in_a_room};

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
async fn after_a_restart_a_call_both_come_back_to_stays_live() {
    let mut p = Parish::in_app(TestApp::with_sfu(|_| {}).await).await;
    let room = two_in_a_room(&p).await;
    let id = room.call.id;
    both_connected(&p, id).await;
    let _old = restart(&mut p).await;
    let a: RoomAccess = p.alice.ok("call_token", json!({"call_id": id})).await;
    let b: RoomAccess = p.bob.ok("call_token", json!({"call_id": id})).await;
    let (_alice, _bob) = (connect(&a).await, connect(&b).await);
    tokio::time::sleep(GRACE + Duration::from_millis(800)).await;
    let (status, people) = stored(&p, id).await;
    assert_eq!(status, CallStatus::Active);
    assert_eq!(people, vec![ParticipantStatus::Connected; 2]);
    drop(room);
}
