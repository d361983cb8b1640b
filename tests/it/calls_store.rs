//! The call store's writes, against a real SQLite file: a transition's update
//! and its participants commit together or not at all, a stale version writes
//! nothing, and a failed batch leaves the pool usable.

use crate::common;

use belfry::calls::ids::CallId;
use belfry::calls::{apply, start, CallEvent, CallKind, CallStatus, ParticipantStatus};
use belfry::server::db::{self, calls};
use common::Parish;

async fn ringing_call(p: &Parish) -> calls::StoredCall {
    let now = db::now_ms();
    let t = start(
        CallId(0),
        p.choir,
        CallKind::Group,
        p.alice.id(),
        &[p.bob.id(), p.carol.id()],
        &[],
        now,
        now + 30_000,
    )
    .expect("a call starts");
    let id = calls::insert(&p.app.state.db, &t.state, "room-store-test")
        .await
        .expect("inserted");
    calls::load(&p.app.state.db, id)
        .await
        .expect("loads")
        .expect("exists")
}

fn status_of(call: &calls::StoredCall, who: belfry::calls::ids::UserId) -> ParticipantStatus {
    call.state
        .participants
        .iter()
        .find(|p| p.user == who)
        .map(|p| p.status)
        .expect("a participant")
}

#[tokio::test]
async fn insert_stores_the_call_and_every_participant_under_its_new_id() {
    let p = Parish::new().await;
    let call = ringing_call(&p).await;
    assert_ne!(call.state.id, CallId(0));
    assert_eq!(call.version, 0);
    assert_eq!(call.state.status, CallStatus::Ringing);
    let mut users: Vec<_> = call.state.participants.iter().map(|x| x.user).collect();
    users.sort();
    let mut expected = vec![p.alice.id(), p.bob.id(), p.carol.id()];
    expected.sort();
    assert_eq!(users, expected);
}

#[tokio::test]
async fn a_save_at_a_stale_version_writes_neither_the_call_nor_its_participants() {
    let p = Parish::new().await;
    let db = &p.app.state.db;
    let call = ringing_call(&p).await;
    let now = db::now_ms();
    let bob_answers = apply(&call.state, &CallEvent::Answer { user: p.bob.id() }, now).unwrap();
    let carol_declines =
        apply(&call.state, &CallEvent::Decline { user: p.carol.id() }, now).unwrap();

    assert!(calls::save(
        db,
        &bob_answers.state,
        call.version,
        &bob_answers.state.participants,
        None
    )
    .await
    .unwrap()
    .is_some());
    // Carol's transition was computed from the same version: it loses.
    assert!(calls::save(
        db,
        &carol_declines.state,
        call.version,
        &carol_declines.state.participants,
        None
    )
    .await
    .unwrap()
    .is_none());

    let stored = calls::load(db, call.state.id).await.unwrap().unwrap();
    assert_eq!(stored.version, 1);
    assert_eq!(stored.state.status, CallStatus::Active);
    assert_eq!(status_of(&stored, p.bob.id()), ParticipantStatus::Connected);
    // Carol's decline did not leak into the participants.
    assert_eq!(status_of(&stored, p.carol.id()), ParticipantStatus::Ringing);
}

#[tokio::test]
async fn a_failed_insert_rolls_back_and_the_pool_stays_usable() {
    let p = Parish::new().await;
    let db = &p.app.state.db;
    let first = ringing_call(&p).await;
    let now = db::now_ms();
    let second = start(
        CallId(0),
        p.choir,
        CallKind::Group,
        p.bob.id(),
        &[p.alice.id()],
        &[],
        now,
        now + 30_000,
    )
    .unwrap();
    // One live call per channel: the database refuses the second.
    let err = calls::insert(db, &second.state, "room-second")
        .await
        .expect_err("a second live call in the channel");
    assert!(db::is_unique_violation(&err), "{err}");

    // No connection is left inside the failed transaction: that would hold
    // the write lock (other writers time out) or refuse the next BEGIN.
    let mut current = first;
    for round in 0..12 {
        let event = if round == 0 {
            CallEvent::Answer { user: p.bob.id() }
        } else if round % 2 == 0 {
            CallEvent::Join {
                user: p.bob.id(),
                open: true,
            }
        } else {
            CallEvent::Leave { user: p.bob.id() }
        };
        let t = apply(&current.state, &event, db::now_ms()).expect("bob comes and goes");
        assert!(
            calls::save(db, &t.state, current.version, &t.state.participants, None)
                .await
                .unwrap()
                .is_some()
        );
        current = calls::load(db, current.state.id).await.unwrap().unwrap();
    }
    assert_eq!(current.version, 12);
    assert_eq!(calls::live_ids(db).await.unwrap(), vec![current.state.id]);
    let refused: Option<i64> =
        belfry::on_db!(db => sqlx::query_scalar("SELECT id FROM voice_calls WHERE room_name = 'room-second'")
            .fetch_optional(db)
            .await)
            .unwrap();
    assert_eq!(refused, None, "nothing of the refused call was kept");
}

async fn summaries_of(db: &db::Db, call: CallId) -> Vec<(i64, String)> {
    belfry::on_db!(db => sqlx::query_as("SELECT id, body FROM messages WHERE call_id = $1")
        .bind(call)
        .fetch_all(db)
        .await)
    .unwrap()
}

#[tokio::test]
async fn the_end_and_its_summary_commit_together_and_only_once() {
    let p = Parish::new().await;
    let db = &p.app.state.db;
    let call = ringing_call(&p).await;
    let now = db::now_ms();
    let cancel = apply(&call.state, &CallEvent::Cancel { by: p.alice.id() }, now).unwrap();
    let summary = || calls::Summary {
        author: p.alice.id(),
        body: "Missed voice call",
        at: now,
    };

    // Stale: neither the end nor its summary is written.
    let stale = calls::save(db, &cancel.state, call.version + 1, &[], Some(summary()))
        .await
        .unwrap();
    assert!(stale.is_none());
    assert!(summaries_of(db, call.state.id).await.is_empty());
    assert_eq!(
        calls::load(db, call.state.id)
            .await
            .unwrap()
            .unwrap()
            .state
            .status,
        CallStatus::Ringing
    );

    // Current: both land, and the save names the message it posted.
    let changed: Vec<_> = (cancel.state.participants.iter())
        .filter(|x| !call.state.participants.contains(x))
        .cloned()
        .collect();
    let saved = calls::save(db, &cancel.state, call.version, &changed, Some(summary()))
        .await
        .unwrap()
        .expect("saved");
    let posted = summaries_of(db, call.state.id).await;
    assert_eq!(posted.len(), 1);
    assert_eq!(saved.summary.map(|m| m.0), Some(posted[0].0));
    let stored = calls::load(db, call.state.id).await.unwrap().unwrap();
    assert_eq!(
        stored.state, cancel.state,
        "the changed rows were all written"
    );

    // A later save cannot post a second summary for the same call.
    let again = calls::save(db, &stored.state, stored.version, &[], Some(summary()))
        .await
        .unwrap()
        .expect("saved");
    assert!(again.summary.is_none());
    assert_eq!(summaries_of(db, call.state.id).await.len(), 1);
}
