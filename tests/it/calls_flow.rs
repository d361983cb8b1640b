//! Call lifecycles over HTTP with real SQLite and live streams: one-to-one,
//! group, cancel, decline, joining a live call, and the races.

use crate::common;

use belfry::calls::{CallChange, CallStatus, EndReason, ParticipantStatus};
use belfry::contract::call_types::{CallHistoryPage, CallView};
use belfry::contract::types::MessageKind;
use belfry::media::control::MediaCommand;
use common::Parish;
use serde_json::json;

fn status_of(call: &CallView, user: belfry::contract::ids::UserId) -> ParticipantStatus {
    call.participant(user).expect("a participant").status
}

#[tokio::test]
async fn a_one_to_one_call_rings_is_answered_and_ends_with_its_duration_and_the_recording_media_double_closes_the_room(
) {
    let p = Parish::new().await;
    let mut alice_tab = p.alice.listen().await;
    let mut bob_tab = p.bob.listen().await;
    let mut carol_tab = p.carol.listen().await;

    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    assert_eq!(call.status, CallStatus::Ringing);
    assert_eq!(status_of(&call, p.alice.id()), ParticipantStatus::Connected);
    assert_eq!(status_of(&call, p.bob.id()), ParticipantStatus::Ringing);

    let (incoming, changes) = bob_tab.next_call().await;
    assert_eq!(incoming.id, call.id);
    assert!(incoming.rings(p.bob.id()), "bob's tab rings");
    assert_eq!(
        changes,
        vec![CallChange::Incoming {
            users: vec![p.bob.id()]
        }]
    );
    assert_eq!(incoming.initiator.display_name, "Alice Test");

    let answered: CallView = p.bob.ok("answer_call", json!({"call_id": call.id})).await;
    assert_eq!(answered.status, CallStatus::Active);
    assert!(answered.started_at.is_some());
    let (_, changes) = alice_tab
        .call_change(|c| matches!(c, CallChange::Answered { .. }))
        .await;
    assert_eq!(changes, vec![CallChange::Answered { user: p.bob.id() }]);

    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let ended: CallView = p.alice.ok("end_call", json!({"call_id": call.id})).await;
    assert_eq!(ended.status, CallStatus::Ended);
    assert_eq!(ended.end_reason, Some(EndReason::Hangup));
    assert!(
        ended.duration_ms >= 50,
        "duration {} covers the talk time",
        ended.duration_ms
    );
    assert_eq!(
        ended.duration_ms,
        ended.ended_at.unwrap() - ended.started_at.unwrap()
    );
    bob_tab
        .call_change(|c| matches!(c, CallChange::Ended { .. }))
        .await;
    assert_eq!(
        carol_tab
            .next_within(std::time::Duration::from_millis(200))
            .await,
        None,
        "not carol's call"
    );

    // The channel's timeline says so, and the room was closed.
    let last = p.bob.last_message(p.direct).await;
    assert_eq!(last.kind, MessageKind::Call);
    assert_eq!(last.call_id, Some(call.id));
    assert!(last.body.starts_with("Voice call · "), "{}", last.body);
    assert!(p
        .app
        .media
        .commands()
        .iter()
        .any(|c| matches!(c, MediaCommand::CloseRoom { .. })));

    let history: CallHistoryPage = p.bob.ok("call_history", json!({})).await;
    assert_eq!(history.calls.len(), 1);
    assert_eq!(history.calls[0].status, CallStatus::Ended);
}

#[tokio::test]
async fn a_declined_call_is_declined_and_says_so() {
    let p = Parish::new().await;
    let mut alice_tab = p.alice.listen().await;
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let declined: CallView = p.bob.ok("decline_call", json!({"call_id": call.id})).await;
    assert_eq!(declined.status, CallStatus::Declined);
    let (_, changes) = alice_tab
        .call_change(|c| matches!(c, CallChange::Declined { .. }))
        .await;
    assert!(changes.contains(&CallChange::Declined { user: p.bob.id() }));
    assert_eq!(
        p.alice.last_message(p.direct).await.body,
        "Declined voice call"
    );
    let (status, _) = p
        .bob
        .fails("answer_call", json!({"call_id": call.id}))
        .await;
    assert_eq!(status, 409, "a declined call cannot be answered");
}

#[tokio::test]
async fn the_caller_cancels_before_an_answer_and_the_callee_stops_ringing() {
    let p = Parish::new().await;
    let mut bob_tab = p.bob.listen().await;
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    bob_tab.next_call().await;
    let (status, _) = p
        .bob
        .fails("cancel_call", json!({"call_id": call.id}))
        .await;
    assert_eq!(status, 403, "only the caller cancels");
    let cancelled: CallView = p.alice.ok("cancel_call", json!({"call_id": call.id})).await;
    assert_eq!(
        (cancelled.status, cancelled.end_reason),
        (CallStatus::Missed, Some(EndReason::Cancelled))
    );
    let (seen, _) = bob_tab.call_change(|c| *c == CallChange::Cancelled).await;
    assert!(!seen.rings(p.bob.id()));
    assert_eq!(status_of(&seen, p.bob.id()), ParticipantStatus::Missed);
    assert_eq!(p.bob.last_message(p.direct).await.body, "Missed voice call");
}

#[tokio::test]
async fn a_group_call_rings_every_member_and_lasts_while_anyone_stays() {
    let p = Parish::new().await;
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.choir}))
        .await;
    assert_eq!(status_of(&call, p.bob.id()), ParticipantStatus::Ringing);
    assert_eq!(status_of(&call, p.carol.id()), ParticipantStatus::Ringing);
    assert!(
        call.participant(p.dave.id()).is_none(),
        "dave is not in the choir"
    );
    let _: CallView = p.bob.ok("answer_call", json!({"call_id": call.id})).await;
    let after_decline: CallView = p
        .carol
        .ok("decline_call", json!({"call_id": call.id}))
        .await;
    assert_eq!(after_decline.status, CallStatus::Active);
    let after_alice: CallView = p.alice.ok("leave_call", json!({"call_id": call.id})).await;
    assert_eq!(after_alice.status, CallStatus::Active, "bob is still there");
    let over: CallView = p.bob.ok("leave_call", json!({"call_id": call.id})).await;
    assert_eq!(
        (over.status, over.end_reason),
        (CallStatus::Ended, Some(EndReason::Empty))
    );
    let summary = p.carol.last_message(p.choir).await.body;
    assert!(summary.starts_with("Group call · 2 people · "), "{summary}");
}

#[tokio::test]
async fn starting_a_call_in_a_channel_with_a_live_one_joins_it() {
    let p = Parish::new().await;
    let first: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.choir}))
        .await;
    let second: CallView = p
        .carol
        .ok("initiate_call", json!({"channel_id": p.choir}))
        .await;
    assert_eq!(second.id, first.id, "the same call");
    assert_eq!(second.status, CallStatus::Active);
    assert_eq!(
        status_of(&second, p.carol.id()),
        ParticipantStatus::Connected
    );
    let live: i64 = {
        let db = &p.app.state.db;
        belfry::on_db!(db => sqlx::query_scalar(
        "SELECT COUNT(*) FROM voice_calls WHERE status IN ('RINGING', 'ACTIVE')",
    )
    .fetch_one(db)
    .await)
    }
    .unwrap();
    assert_eq!(live, 1);
}

#[tokio::test]
async fn the_database_itself_refuses_a_second_live_call_in_a_channel() {
    let p = Parish::new().await;
    let _: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.choir}))
        .await;
    let direct = {
        let db = &p.app.state.db;
        belfry::on_db!(db => sqlx::query(
        "INSERT INTO voice_calls (channel_id, initiator_id, room_name, kind, status, created_at)
         VALUES ($1, $2, 'another-room', 'group', 'RINGING', 0)",
    )
    .bind(p.choir)
    .bind(p.bob.id())
    .execute(db)
    .await.map(|r| r.rows_affected()))
    };
    assert!(direct.is_err(), "the unique index must refuse it");
}

#[tokio::test]
async fn two_tabs_answering_at_once_one_wins_and_both_stop_ringing() {
    let p = Parish::new().await;
    let mut tab1 = p.bob.listen().await;
    let mut tab2 = p.bob.listen().await;
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let args = json!({"call_id": call.id});
    let (a, b) = tokio::join!(
        p.bob.call::<CallView>("answer_call", args.clone()),
        p.bob.call::<CallView>("answer_call", args)
    );
    let outcomes = [a.is_ok(), b.is_ok()];
    assert_eq!(
        outcomes.iter().filter(|ok| **ok).count(),
        1,
        "exactly one answer wins: {a:?} {b:?}"
    );
    let loser = a.err().or(b.err()).expect("one answer lost");
    assert_eq!(loser.0, 409);
    assert!(
        loser.1.message.contains("already answered"),
        "{}",
        loser.1.message
    );
    for tab in [&mut tab1, &mut tab2] {
        let (seen, _) = tab
            .call_change(|c| matches!(c, CallChange::Answered { .. }))
            .await;
        assert!(!seen.rings(p.bob.id()), "every tab stops ringing");
    }
}

#[tokio::test]
async fn two_people_calling_each_other_at_once_end_up_in_one_call() {
    let p = Parish::new().await;
    let (a, b) = tokio::join!(
        p.alice
            .call::<CallView>("initiate_call", json!({"channel_id": p.direct})),
        p.bob
            .call::<CallView>("initiate_call", json!({"channel_id": p.direct}))
    );
    let (a, b) = (a.expect("alice's call"), b.expect("bob's call"));
    assert_eq!(a.id, b.id);
    let now: CallView = p
        .alice
        .ok("active_call", json!({"channel_id": p.direct}))
        .await;
    assert_eq!(
        now.status,
        CallStatus::Active,
        "the second caller picked up the first call"
    );
}

#[tokio::test]
async fn a_cancel_after_the_answer_is_refused() {
    let p = Parish::new().await;
    let call: CallView = p
        .alice
        .ok("initiate_call", json!({"channel_id": p.direct}))
        .await;
    let _: CallView = p.bob.ok("answer_call", json!({"call_id": call.id})).await;
    let (status, err) = p
        .alice
        .fails("cancel_call", json!({"call_id": call.id}))
        .await;
    assert_eq!(status, 409);
    assert!(err.message.contains("already answered"));
}
