//! The call lifecycle, transition by transition, with a fake clock (plain
//! numbers), including the races the server resolves by re-applying.

use super::fixtures::*;
use super::ids::{CallId, ChannelId};
use super::machine::CallChange;
use super::summary::timeline_text;
use super::*;

#[test]
fn initiate_creates_a_ringing_call_with_its_participants() {
    let t = start(
        CallId(7),
        ChannelId(3),
        CallKind::OneToOne,
        ALICE,
        &[BOB, ALICE, BOB],
        &[],
        T0,
        T0 + RING,
    )
    .unwrap();
    assert_eq!(t.state.status, CallStatus::Ringing);
    assert_eq!(
        t.state.participants.len(),
        2,
        "the caller and bob, once each"
    );
    assert_eq!(status_of(&t.state, ALICE), ParticipantStatus::Connected);
    assert_eq!(status_of(&t.state, BOB), ParticipantStatus::Ringing);
    assert_eq!(
        t.state.participant(BOB).unwrap().ring_deadline,
        Some(T0 + RING)
    );
    assert_eq!(t.changes, vec![CallChange::Incoming { users: vec![BOB] }]);
    assert!(t.effects.contains(&Effect::Ring { users: vec![BOB] }));
    assert!(t
        .effects
        .contains(&Effect::ScheduleExpiry { at: T0 + RING }));
    assert_eq!(t.state.started_at, None, "not started until answered");
}

#[test]
fn initiate_needs_someone_to_call() {
    let e = start(
        CallId(1),
        ChannelId(1),
        CallKind::Group,
        ALICE,
        &[ALICE],
        &[],
        T0,
        T0 + RING,
    )
    .unwrap_err();
    assert_eq!(e, CallError::NoInvitees);
}

#[test]
fn answer_makes_the_call_active_and_sets_started_at() {
    let t = step(&one_to_one(), CallEvent::Answer { user: BOB }, T0 + 4_000);
    assert_eq!(t.state.status, CallStatus::Active);
    assert_eq!(t.state.started_at, Some(T0 + 4_000));
    assert_eq!(status_of(&t.state, BOB), ParticipantStatus::Connected);
    assert_eq!(
        t.state.participant(BOB).unwrap().joined_at,
        Some(T0 + 4_000)
    );
    assert_eq!(t.changes, vec![CallChange::Answered { user: BOB }]);
    assert_eq!(
        t.effects,
        vec![Effect::StopRinging { users: vec![BOB] }],
        "stop bob's other tabs"
    );
}

#[test]
fn two_tabs_answering_at_once_one_wins_the_other_is_told() {
    let first = step(&one_to_one(), CallEvent::Answer { user: BOB }, T0 + 1_000);
    let second = apply(&first.state, &CallEvent::Answer { user: BOB }, T0 + 1_001);
    assert_eq!(second, Err(CallError::AlreadyAnswered));
}

#[test]
fn only_invitees_may_answer_or_decline() {
    let call = one_to_one();
    assert_eq!(
        apply(&call, &CallEvent::Answer { user: CAROL }, T0),
        Err(CallError::NotInvited)
    );
    assert_eq!(
        apply(&call, &CallEvent::Decline { user: CAROL }, T0),
        Err(CallError::NotInvited)
    );
}

#[test]
fn the_only_invitee_declining_declines_the_call() {
    let t = step(&one_to_one(), CallEvent::Decline { user: BOB }, T0 + 2_000);
    assert_eq!(t.state.status, CallStatus::Declined);
    assert_eq!(t.state.end_reason, Some(EndReason::Declined));
    assert_eq!(t.state.ended_at, Some(T0 + 2_000));
    assert_eq!(status_of(&t.state, ALICE), ParticipantStatus::Disconnected);
    assert!(t.effects.contains(&Effect::PostSummary) && t.effects.contains(&Effect::CloseRoom));
    assert_eq!(timeline_text(&t.state).unwrap(), "Declined voice call");
}

#[test]
fn a_group_call_is_declined_only_when_every_invitee_declines() {
    let mut call = group();
    for (i, user) in [BOB, CAROL].into_iter().enumerate() {
        call = step(&call, CallEvent::Decline { user }, T0 + i as Millis).state;
        assert_eq!(call.status, CallStatus::Ringing, "dave is still ringing");
    }
    let t = step(&call, CallEvent::Decline { user: DAVE }, T0 + 5);
    assert_eq!(t.state.status, CallStatus::Declined);
    assert_eq!(timeline_text(&t.state).unwrap(), "Declined group call");
}

#[test]
fn end_sets_the_duration_from_started_at_to_ended_at() {
    let answered = step(&one_to_one(), CallEvent::Answer { user: BOB }, T0 + 5_000).state;
    let t = step(
        &answered,
        CallEvent::End {
            by: ALICE,
            moderator: false,
        },
        T0 + 5_000 + 154_000,
    );
    assert_eq!(t.state.status, CallStatus::Ended);
    assert_eq!(t.state.duration_ms(), 154_000);
    assert_eq!(t.state.end_reason, Some(EndReason::Hangup));
    assert_eq!(t.changes, vec![CallChange::Ended { by: Some(ALICE) }]);
    assert_eq!(timeline_text(&t.state).unwrap(), "Voice call · 2m 34s");
    assert!(t
        .state
        .participants
        .iter()
        .all(|p| p.status == ParticipantStatus::Disconnected));
}

#[test]
fn only_the_caller_or_a_moderator_ends_a_call_for_everyone() {
    let answered = step(&group(), CallEvent::Answer { user: BOB }, T0 + 1).state;
    assert_eq!(
        apply(
            &answered,
            &CallEvent::End {
                by: BOB,
                moderator: false
            },
            T0 + 2
        ),
        Err(CallError::NotAllowed)
    );
    let t = step(
        &answered,
        CallEvent::End {
            by: CAROL,
            moderator: true,
        },
        T0 + 2,
    );
    assert_eq!(t.state.status, CallStatus::Ended);
}

#[test]
fn thirty_seconds_without_an_answer_is_missed() {
    let call = one_to_one();
    let early = step(&call, CallEvent::Expire, T0 + RING - 1);
    assert!(
        early.changes.is_empty(),
        "nothing expires before the deadline"
    );
    assert_eq!(early.state, call);
    let t = step(&call, CallEvent::Expire, T0 + RING);
    assert_eq!(t.state.status, CallStatus::Missed);
    assert_eq!(t.state.end_reason, Some(EndReason::Timeout));
    assert_eq!(status_of(&t.state, BOB), ParticipantStatus::Missed);
    assert_eq!(t.changes[0], CallChange::Missed { users: vec![BOB] });
    assert!(t
        .effects
        .contains(&Effect::StopRinging { users: vec![BOB] }));
    assert_eq!(timeline_text(&t.state).unwrap(), "Missed voice call");
}

#[test]
fn in_an_active_group_call_those_who_never_answer_are_missed_and_the_call_goes_on() {
    let answered = step(&group(), CallEvent::Answer { user: BOB }, T0 + 1_000).state;
    let t = step(&answered, CallEvent::Expire, T0 + RING);
    assert_eq!(t.state.status, CallStatus::Active);
    assert_eq!(status_of(&t.state, CAROL), ParticipantStatus::Missed);
    assert_eq!(status_of(&t.state, DAVE), ParticipantStatus::Missed);
    assert!(!t.effects.contains(&Effect::PostSummary));
}

#[test]
fn an_answer_after_the_timeout_is_refused() {
    let missed = step(&one_to_one(), CallEvent::Expire, T0 + RING).state;
    assert_eq!(
        apply(&missed, &CallEvent::Answer { user: BOB }, T0 + RING + 1),
        Err(CallError::CallOver)
    );
    // In a group call that went on, the late answer is no longer ringing.
    let active = step(&group(), CallEvent::Answer { user: BOB }, T0).state;
    let expired = step(&active, CallEvent::Expire, T0 + RING).state;
    assert_eq!(
        apply(&expired, &CallEvent::Answer { user: CAROL }, T0 + RING + 5),
        Err(CallError::NotRinging)
    );
    // ...but she may still join it.
    let joined = step(
        &expired,
        CallEvent::Join {
            user: CAROL,
            open: true,
        },
        T0 + RING + 5,
    );
    assert_eq!(
        status_of(&joined.state, CAROL),
        ParticipantStatus::Connected
    );
}

#[test]
fn cancel_before_an_answer_makes_it_missed_for_the_callee() {
    let t = step(&one_to_one(), CallEvent::Cancel { by: ALICE }, T0 + 3_000);
    assert_eq!(t.state.status, CallStatus::Missed);
    assert_eq!(t.state.end_reason, Some(EndReason::Cancelled));
    assert_eq!(status_of(&t.state, BOB), ParticipantStatus::Missed);
    assert_eq!(
        t.changes,
        vec![CallChange::Cancelled, CallChange::Ended { by: Some(ALICE) }]
    );
    assert_eq!(
        apply(&one_to_one(), &CallEvent::Cancel { by: BOB }, T0),
        Err(CallError::NotInitiator)
    );
}

#[test]
fn a_cancel_arriving_after_the_answer_is_refused() {
    let answered = step(&one_to_one(), CallEvent::Answer { user: BOB }, T0 + 1).state;
    assert_eq!(
        apply(&answered, &CallEvent::Cancel { by: ALICE }, T0 + 2),
        Err(CallError::AlreadyAnswered)
    );
}

#[test]
fn a_second_initiate_in_a_live_channel_joins_the_call() {
    // The server turns a second initiate into Join.
    let call = one_to_one();
    let t = step(
        &call,
        CallEvent::Join {
            user: BOB,
            open: true,
        },
        T0 + 500,
    );
    assert_eq!(
        t.state.status,
        CallStatus::Active,
        "bob calling back while rung answers"
    );
    assert_eq!(t.changes, vec![CallChange::Answered { user: BOB }]);
    let again = apply(
        &t.state,
        &CallEvent::Join {
            user: BOB,
            open: true,
        },
        T0 + 600,
    );
    assert_eq!(again, Err(CallError::AlreadyInCall));
}

#[test]
fn one_side_leaving_ends_a_one_to_one_call() {
    let answered = step(&one_to_one(), CallEvent::Answer { user: BOB }, T0).state;
    let t = step(&answered, CallEvent::Leave { user: BOB }, T0 + 60_000);
    assert_eq!(t.state.status, CallStatus::Ended);
    assert_eq!(
        t.changes,
        vec![
            CallChange::Left { user: BOB },
            CallChange::Ended { by: Some(BOB) }
        ]
    );
    assert_eq!(t.state.duration_ms(), 60_000);
}

#[test]
fn a_group_call_goes_on_until_the_last_one_leaves() {
    let mut call = group();
    call = step(&call, CallEvent::Answer { user: BOB }, T0).state;
    call = step(&call, CallEvent::Answer { user: CAROL }, T0).state;
    call = step(&call, CallEvent::Leave { user: ALICE }, T0 + 1_000).state;
    assert_eq!(
        call.status,
        CallStatus::Active,
        "the caller may leave a group call"
    );
    call = step(&call, CallEvent::Leave { user: BOB }, T0 + 2_000).state;
    let t = step(&call, CallEvent::Leave { user: CAROL }, T0 + 720_000);
    assert_eq!(t.state.status, CallStatus::Ended);
    assert_eq!(t.state.end_reason, Some(EndReason::Empty));
    assert_eq!(
        status_of(&t.state, DAVE),
        ParticipantStatus::Missed,
        "dave never answered"
    );
    assert_eq!(
        timeline_text(&t.state).unwrap(),
        "Group call · 3 people · 12m"
    );
    assert_eq!(
        apply(&t.state, &CallEvent::Leave { user: CAROL }, T0),
        Err(CallError::CallOver)
    );
}

#[test]
fn the_caller_hanging_up_while_ringing_cancels() {
    let t = step(&one_to_one(), CallEvent::Leave { user: ALICE }, T0 + 100);
    assert_eq!(t.state.status, CallStatus::Missed);
    assert_eq!(t.state.end_reason, Some(EndReason::Cancelled));
}
