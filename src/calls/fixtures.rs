//! Shared fixtures for the state machine's tests: four people, a fake clock
//! (plain numbers), a one-to-one call and a group call.

use super::ids::{CallId, ChannelId, UserId};
use super::*;

pub const ALICE: UserId = UserId(1);
pub const BOB: UserId = UserId(2);
pub const CAROL: UserId = UserId(3);
pub const DAVE: UserId = UserId(4);
pub const T0: Millis = 1_000_000;
pub const RING: Millis = 30_000;

pub fn one_to_one() -> CallState {
    start(
        CallId(7),
        ChannelId(3),
        CallKind::OneToOne,
        ALICE,
        &[BOB],
        &[],
        T0,
        T0 + RING,
    )
    .unwrap()
    .state
}

pub fn group() -> CallState {
    start(
        CallId(8),
        ChannelId(2),
        CallKind::Group,
        ALICE,
        &[BOB, CAROL, DAVE],
        &[],
        T0,
        T0 + RING,
    )
    .unwrap()
    .state
}

pub fn status_of(call: &CallState, user: UserId) -> ParticipantStatus {
    call.participant(user).unwrap().status
}

pub fn step(call: &CallState, event: CallEvent, at: Millis) -> Transition {
    apply(call, &event, at).unwrap_or_else(|e| panic!("{event:?} at {at}: {e}"))
}
