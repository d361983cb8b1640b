//! The state machine's rules: busy, invitations, removal, media reports,
//! restart reconciliation, and the words of summaries.

use super::fixtures::*;
use super::ids::{CallId, ChannelId, UserId};
use super::machine::CallChange;
use super::summary::{format_duration, timeline_text};
use super::*;

#[test]
fn a_busy_callee_declines_a_one_to_one_call_at_once() {
    let t = start(
        CallId(9),
        ChannelId(3),
        CallKind::OneToOne,
        ALICE,
        &[BOB],
        &[BOB],
        T0,
        T0 + RING,
    )
    .unwrap();
    assert_eq!(t.state.status, CallStatus::Declined);
    assert_eq!(t.state.end_reason, Some(EndReason::Busy));
    let bob = t.state.participant(BOB).unwrap();
    assert_eq!(
        (bob.status, bob.decline_reason),
        (ParticipantStatus::Declined, Some(DeclineReason::Busy))
    );
    assert_eq!(t.changes[0], CallChange::Busy { users: vec![BOB] });
    assert!(
        !t.effects.iter().any(|e| matches!(e, Effect::Ring { .. })),
        "bob is not rung"
    );
    assert_eq!(timeline_text(&t.state).unwrap(), "Voice call · busy");
}

#[test]
fn busy_invitees_are_skipped_in_a_group_call() {
    let t = start(
        CallId(9),
        ChannelId(2),
        CallKind::Group,
        ALICE,
        &[BOB, CAROL],
        &[CAROL],
        T0,
        T0 + RING,
    )
    .unwrap();
    assert_eq!(t.state.status, CallStatus::Ringing);
    assert_eq!(status_of(&t.state, CAROL), ParticipantStatus::Declined);
    assert!(t.effects.contains(&Effect::Ring { users: vec![BOB] }));
}

#[test]
fn adding_a_participant_rings_them_with_their_own_deadline() {
    let active = step(&group(), CallEvent::Answer { user: BOB }, T0).state;
    let expired = step(&active, CallEvent::Expire, T0 + RING).state;
    let later = T0 + RING + 10_000;
    let t = step(
        &expired,
        CallEvent::Invite {
            users: vec![CAROL, UserId(5)],
            busy: vec![UserId(5)],
            ring_deadline: later + RING,
            by_moderator: false,
        },
        later,
    );
    assert_eq!(status_of(&t.state, CAROL), ParticipantStatus::Ringing);
    assert_eq!(
        t.state.participant(CAROL).unwrap().ring_deadline,
        Some(later + RING)
    );
    assert_eq!(status_of(&t.state, UserId(5)), ParticipantStatus::Declined);
    assert!(t
        .effects
        .contains(&Effect::ScheduleExpiry { at: later + RING }));
    let dup = apply(
        &t.state,
        &CallEvent::Invite {
            users: vec![CAROL],
            busy: vec![],
            ring_deadline: later + RING,
            by_moderator: false,
        },
        later,
    );
    assert_eq!(dup, Err(CallError::AlreadyInCall));
    let solo = apply(
        &one_to_one(),
        &CallEvent::Invite {
            users: vec![CAROL],
            busy: vec![],
            ring_deadline: T0,
            by_moderator: false,
        },
        T0,
    );
    assert_eq!(solo, Err(CallError::NotGroupCall));
}

#[test]
fn removal_evicts_and_blocks_rejoining() {
    let mut call = group();
    call = step(&call, CallEvent::Answer { user: BOB }, T0).state;
    call = step(&call, CallEvent::Answer { user: CAROL }, T0).state;
    let t = step(&call, CallEvent::Remove { user: BOB }, T0 + 10);
    assert!(t.effects.contains(&Effect::Evict { user: BOB }));
    assert_eq!(status_of(&t.state, BOB), ParticipantStatus::Disconnected);
    assert_eq!(t.state.status, CallStatus::Active);
    assert_eq!(
        apply(
            &t.state,
            &CallEvent::Join {
                user: BOB,
                open: true
            },
            T0 + 20
        ),
        Err(CallError::Removed)
    );
    assert_eq!(
        apply(&t.state, &CallEvent::MediaJoined { user: BOB }, T0 + 20),
        Err(CallError::NotInCall)
    );
    // A ringing invitee removed stops ringing.
    let r = step(&t.state, CallEvent::Remove { user: DAVE }, T0 + 30);
    assert!(r
        .effects
        .contains(&Effect::StopRinging { users: vec![DAVE] }));
    // Removing one side of a one-to-one call ends it.
    let one = step(&one_to_one(), CallEvent::Answer { user: BOB }, T0).state;
    assert_eq!(
        step(&one, CallEvent::Remove { user: BOB }, T0 + 5)
            .state
            .status,
        CallStatus::Ended
    );
}

#[test]
fn media_reports_follow_reality() {
    let active = step(&group(), CallEvent::Answer { user: BOB }, T0).state;
    let dropped = step(&active, CallEvent::MediaLeft { user: BOB }, T0 + 100);
    assert_eq!(
        status_of(&dropped.state, BOB),
        ParticipantStatus::Disconnected
    );
    assert_eq!(
        dropped.state.status,
        CallStatus::Active,
        "alice is still there"
    );
    let back = step(
        &dropped.state,
        CallEvent::MediaJoined { user: BOB },
        T0 + 200,
    );
    assert_eq!(status_of(&back.state, BOB), ParticipantStatus::Connected);
    assert_eq!(back.changes, vec![CallChange::Joined { user: BOB }]);
    let again = step(&back.state, CallEvent::MediaJoined { user: BOB }, T0 + 300);
    assert!(
        again.changes.is_empty(),
        "a repeated report changes nothing"
    );
}

#[test]
fn restart_reconciliation_settles_what_was_left() {
    // Ringing past its time: missed.
    let t = step(&one_to_one(), CallEvent::Reconcile, T0 + RING + 5);
    assert_eq!(t.state.status, CallStatus::Missed);
    // Ringing within its time: keeps ringing, with a timer.
    let t = step(&one_to_one(), CallEvent::Reconcile, T0 + 1_000);
    assert_eq!(t.state.status, CallStatus::Ringing);
    assert_eq!(t.state.next_deadline(), Some(T0 + RING));
    // Active with nobody connected: ended.
    let mut active = step(&one_to_one(), CallEvent::Answer { user: BOB }, T0).state;
    for p in &mut active.participants {
        p.status = ParticipantStatus::Disconnected;
    }
    let t = step(&active, CallEvent::Reconcile, T0 + 60_000);
    assert_eq!(
        (t.state.status, t.state.end_reason),
        (CallStatus::Ended, Some(EndReason::Restart))
    );
    // Active with people connected: left alone.
    let live = step(&one_to_one(), CallEvent::Answer { user: BOB }, T0).state;
    assert!(step(&live, CallEvent::Reconcile, T0 + 60_000)
        .changes
        .is_empty());
}

#[test]
fn every_finished_call_refuses_further_events() {
    let over = step(&one_to_one(), CallEvent::Cancel { by: ALICE }, T0).state;
    for event in [
        CallEvent::Answer { user: BOB },
        CallEvent::Decline { user: BOB },
        CallEvent::Expire,
        CallEvent::Join {
            user: CAROL,
            open: true,
        },
        CallEvent::End {
            by: ALICE,
            moderator: true,
        },
    ] {
        assert_eq!(
            apply(&over, &event, T0 + 1),
            Err(CallError::CallOver),
            "{event:?}"
        );
    }
}

#[test]
fn durations_read_like_people_say_them() {
    assert_eq!(format_duration(0), "0s");
    assert_eq!(format_duration(45_400), "45s");
    assert_eq!(format_duration(154_000), "2m 34s");
    assert_eq!(format_duration(12 * 60_000 + 20_000), "12m");
    assert_eq!(format_duration(3_900_000), "1h 05m");
}

#[test]
fn states_round_trip_through_their_stored_names() {
    for s in ["RINGING", "ACTIVE", "ENDED", "MISSED", "DECLINED"] {
        assert_eq!(CallStatus::parse(s).unwrap().as_str(), s);
    }
    for s in [
        "INVITED",
        "RINGING",
        "CONNECTED",
        "DISCONNECTED",
        "DECLINED",
        "MISSED",
    ] {
        assert_eq!(ParticipantStatus::parse(s).unwrap().as_str(), s);
    }
    assert_eq!(CallStatus::parse("ringing"), None);
}

#[test]
fn a_parish_call_takes_only_its_invitees_and_only_they_make_it_active() {
    // group(): alice rings bob, carol and dave. Eve was never rung.
    let eve = UserId(5);
    let ringing = group();
    assert_eq!(
        apply(
            &ringing,
            &CallEvent::Join {
                user: eve,
                open: false
            },
            T0 + 1
        ),
        Err(CallError::NotInvited),
        "a parish member who was not invited cannot join"
    );
    // In a group channel she may join, but the call rings on for the
    // invitees: her arrival does not answer in their place.
    let t = step(
        &ringing,
        CallEvent::Join {
            user: eve,
            open: true,
        },
        T0 + 1,
    );
    assert_eq!(t.state.status, CallStatus::Ringing);
    assert_eq!(status_of(&t.state, eve), ParticipantStatus::Connected);
    assert_eq!(status_of(&t.state, BOB), ParticipantStatus::Ringing);
    // An invitee's join is an answer, in either kind of channel.
    let answered = step(
        &ringing,
        CallEvent::Join {
            user: BOB,
            open: false,
        },
        T0 + 2,
    );
    assert_eq!(answered.state.status, CallStatus::Active);
}

#[test]
fn only_a_moderator_brings_back_someone_a_moderator_removed() {
    let mut call = step(&group(), CallEvent::Answer { user: BOB }, T0).state;
    call = step(&call, CallEvent::Answer { user: CAROL }, T0).state;
    let removed = step(&call, CallEvent::Remove { user: CAROL }, T0 + 10).state;
    let invite = |by_moderator| CallEvent::Invite {
        users: vec![CAROL],
        busy: vec![],
        ring_deadline: T0 + 20 + RING,
        by_moderator,
    };
    assert_eq!(
        apply(&removed, &invite(false), T0 + 20),
        Err(CallError::RemovedByModerator)
    );
    let back = step(&removed, invite(true), T0 + 20);
    assert_eq!(status_of(&back.state, CAROL), ParticipantStatus::Ringing);
    let answered = step(&back.state, CallEvent::Answer { user: CAROL }, T0 + 30);
    assert_eq!(
        status_of(&answered.state, CAROL),
        ParticipantStatus::Connected
    );
}
