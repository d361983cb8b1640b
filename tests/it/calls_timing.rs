//! Timing rules run on the server: the ring timeout, and settling calls a
//! previous process left live.

use crate::common;

use std::time::Duration;

use belfry::calls::{CallChange, CallStatus, EndReason, ParticipantStatus};
use belfry::contract::call_types::{CallState, CallView};
use belfry::server::db;
use common::{Parish, TestApp};
use serde_json::json;

async fn parish_with_ring(ring: Duration) -> Parish {
    let mut p = Parish::new().await;
    // The same database and people, served by a process with a short ring.
    p.app = p.app.restart(|c| c.ring_timeout = ring).await;
    for who in [&mut p.alice, &mut p.bob, &mut p.carol, &mut p.dave] {
        who.base = p.app.url("");
    }
    p
}

#[tokio::test]
async fn an_unanswered_call_becomes_missed_after_the_ring_timeout() {
    let p = parish_with_ring(Duration::from_millis(400)).await;
    let mut alice_tab = p.alice.listen().await;
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let (missed, changes) = alice_tab
        .call_change(|c| matches!(c, CallChange::Missed { .. }))
        .await;
    assert_eq!(missed.id, call.id);
    assert_eq!(
        (missed.status, missed.end_reason),
        (CallStatus::Missed, Some(EndReason::Timeout))
    );
    assert!(changes.contains(&CallChange::Missed {
        users: vec![p.bob.id()]
    }));
    assert_eq!(p.bob.last_message(p.direct).await.body, "Missed voice call");
    let (status, _) = p
        .bob
        .fails("answer_call", json!({"call_id": call.id}))
        .await;
    assert_eq!(status, 409, "too late to answer");
}

#[tokio::test]
async fn in_a_group_call_only_those_who_did_not_answer_miss_it() {
    let p = parish_with_ring(Duration::from_millis(400)).await;
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.choir}))
        .await;
    let _: CallView = p.bob.ok("answer_call", json!({"call_id": call.id})).await;
    let mut alice_tab = p.alice.listen().await;
    let (after, _) = alice_tab
        .call_change(|c| matches!(c, CallChange::Missed { .. }))
        .await;
    assert_eq!(after.status, CallStatus::Active);
    assert_eq!(
        after.participant(p.carol.id()).unwrap().status,
        ParticipantStatus::Missed
    );
}

async fn call_status(
    app: &TestApp,
    call: belfry::contract::ids::CallId,
) -> (String, Option<String>) {
    {
        let db = &app.state.db;
        belfry::on_db!(db => sqlx::query_as("SELECT status, end_reason FROM voice_calls WHERE id = $1")
        .bind(call)
        .fetch_one(db)
        .await)
    }
        .unwrap()
}

#[tokio::test]
async fn a_restart_settles_calls_the_previous_process_left_live() {
    let p = Parish::new().await;
    let db = &p.app.state.db;
    // 1. ringing, and its time ran out while the server was down;
    let overdue: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    belfry::on_db!(db => sqlx::query(
        "UPDATE call_participants SET ring_deadline = $2 WHERE call_id = $1 AND status = 'RINGING'",
    )
    .bind(overdue.id)
    .bind(db::now_ms() - 1_000)
    .execute(db)
    .await.map(|r| r.rows_affected()))
    .unwrap();
    // 2. active, but nobody is connected any more;
    let abandoned: CallView = p
        .bob
        .ok("initiate_call", json!({"channel_id": p.choir}))
        .await;
    let _: CallView = p
        .carol
        .ok("answer_call", json!({"call_id": abandoned.id}))
        .await;
    belfry::on_db!(db => sqlx::query("UPDATE call_participants SET status = 'DISCONNECTED' WHERE call_id = $1 AND status = 'CONNECTED'")
        .bind(abandoned.id)
        .execute(db)
        .await.map(|r| r.rows_affected()))
        .unwrap();
    belfry::on_db!(db => sqlx::query(
        "UPDATE call_participants SET status = 'MISSED' WHERE call_id = $1 AND status = 'RINGING'",
    )
    .bind(abandoned.id)
    .execute(db)
    .await.map(|r| r.rows_affected()))
    .unwrap();
    // 3. ringing, with time left: it must still time out after the restart.
    let pending: CallView = p
        .dave
        .ok(
            "initiate_call",
            json!({"channel_id": p.hall, "invitees": [p.carol.id()]}),
        )
        .await;
    belfry::on_db!(db => sqlx::query(
        "UPDATE call_participants SET ring_deadline = $2 WHERE call_id = $1 AND status = 'RINGING'",
    )
    .bind(pending.id)
    .bind(db::now_ms() + 600)
    .execute(db)
    .await.map(|r| r.rows_affected()))
    .unwrap();

    let restarted = p.app.restart(|_| {}).await;
    assert_eq!(
        call_status(&restarted, overdue.id).await,
        ("MISSED".into(), Some("timeout".into()))
    );
    assert_eq!(
        call_status(&restarted, abandoned.id).await,
        ("ENDED".into(), Some("restart".into()))
    );
    assert_eq!(
        call_status(&restarted, pending.id).await.0,
        "RINGING",
        "still within its time"
    );
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(
        call_status(&restarted, pending.id).await,
        ("MISSED".into(), Some("timeout".into()))
    );
}

/// Alice rings Bob in their direct channel and nobody answers: returns the
/// call once she hears it was missed.
async fn bob_misses_a_call(p: &Parish, alice_tab: &mut common::LiveSocket) -> CallView {
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    alice_tab
        .call_change(|c| matches!(c, CallChange::Missed { .. }))
        .await;
    call
}

#[tokio::test]
async fn missed_calls_count_until_seen_and_only_for_whoever_missed_them() {
    async fn unseen(who: &common::Person) -> u32 {
        who.ok("missed_calls", json!({})).await
    }
    let p = parish_with_ring(Duration::from_millis(300)).await;
    assert_eq!(unseen(&p.bob).await, 0);
    let mut alice_tab = p.alice.listen().await;
    for _ in 0..2 {
        bob_misses_a_call(&p, &mut alice_tab).await;
    }
    assert_eq!(unseen(&p.bob).await, 2, "bob missed two calls");
    assert_eq!(unseen(&p.alice).await, 0, "the caller missed nothing");
    let _: () = p.bob.ok("mark_calls_seen", json!({})).await;
    assert_eq!(unseen(&p.bob).await, 0, "seen clears the count");
    // A call answered is not missed.
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let _: CallView = p.bob.ok("answer_call", json!({"call_id": call.id})).await;
    let _: CallView = p.bob.ok("leave_call", json!({"call_id": call.id})).await;
    assert_eq!(unseen(&p.bob).await, 0);
    // Anyone else's count is theirs alone; a visitor gets a 401.
    let (status, _) = p.app.visitor().fails("missed_calls", json!({})).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn my_calls_tells_a_new_tab_what_rings_the_missed_count_and_the_call_it_is_in() {
    async fn now(who: &common::Person) -> CallState {
        who.ok("my_calls", json!({})).await
    }
    // A ring long enough for the checks below, short enough to miss one.
    let p = parish_with_ring(Duration::from_secs(2)).await;
    let mut alice_tab = p.alice.listen().await;
    let missed = bob_misses_a_call(&p, &mut alice_tab).await;

    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.choir}))
        .await;
    assert_ne!(call.id, missed.id);
    let bob = now(&p.bob).await;
    let ringing: Vec<_> = bob.incoming.iter().map(|c| c.id).collect();
    assert_eq!(ringing, vec![call.id], "the choir call rings bob");
    assert_eq!(bob.missed, 1, "bob missed the direct call");
    assert_eq!(bob.current, None, "being rung is not being in the call");
    let alice = now(&p.alice).await;
    assert_eq!(
        alice.current.map(|c| c.id),
        Some(call.id),
        "the caller is in her call"
    );
    assert!(alice.incoming.is_empty());
    assert_eq!(alice.missed, 0);

    // Bob answers: the call is his, and rings him no more.
    let _: CallView = p.bob.ok("answer_call", json!({"call_id": call.id})).await;
    let bob = now(&p.bob).await;
    assert_eq!(bob.current.map(|c| c.id), Some(call.id));
    assert!(bob.incoming.is_empty());
    // Carol, still rung, is not in it.
    let carol = now(&p.carol).await;
    assert_eq!(carol.current, None);
    assert_eq!(carol.incoming.len(), 1);
    // Bob leaves: he is in no call; seen, his badge clears.
    let _: CallView = p.bob.ok("leave_call", json!({"call_id": call.id})).await;
    let _: () = p.bob.ok("mark_calls_seen", json!({})).await;
    let bob = now(&p.bob).await;
    assert_eq!((bob.current, bob.missed), (None, 0));
    let (status, _) = p.app.visitor().fails("my_calls", json!({})).await;
    assert_eq!(status, 401);
}

/// Another process holds SQLite's write lock across a ring deadline for
/// longer than the 5 s busy timeout: the timer's write fails, and is tried
/// again until it lands, so the call still becomes missed, once. (On
/// PostgreSQL, the sweep of overdue rings is the same net: instances.rs.)
#[tokio::test]
async fn a_ring_timeout_whose_write_fails_is_retried_until_it_lands() {
    let p = parish_with_ring(Duration::from_millis(300)).await;
    if !p.app.database_url.starts_with("sqlite:") {
        return;
    }
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let mut lock = crate::common::sqlite_write_lock(&p.app.database_url).await;
    tokio::time::sleep(Duration::from_millis(6_000)).await;
    let status = |db: db::Db| async move {
        (db::calls::load(&db, call.id).await.unwrap().unwrap())
            .state
            .status
    };
    assert_eq!(
        status(p.app.state.db.clone()).await,
        CallStatus::Ringing,
        "the write is still held off"
    );
    sqlx::query("COMMIT").execute(&mut lock).await.unwrap();
    let mut now = CallStatus::Ringing;
    for _ in 0..100 {
        now = status(p.app.state.db.clone()).await;
        if now != CallStatus::Ringing {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(now, CallStatus::Missed);
}
