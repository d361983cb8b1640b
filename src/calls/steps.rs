//! The steps `apply` is made of: each edits a transition in place, adding
//! what changed and the effects to carry out.

use super::ids::UserId;
use super::machine::{CallChange, CallError, Effect, Transition};
use super::state::{
    CallKind, CallStatus, DeclineReason, EndReason, Participant, ParticipantStatus as P,
};
use super::Millis;

pub(super) fn answer(t: &mut Transition, user: UserId, now: Millis) -> Result<(), CallError> {
    let p = t.state.participant_mut(user).ok_or(CallError::NotInvited)?;
    match p.status {
        P::Connected => return Err(CallError::AlreadyAnswered),
        s if s.is_ringing() => {}
        _ if p.decline_reason == Some(DeclineReason::Removed) => return Err(CallError::Removed),
        _ => return Err(CallError::NotRinging),
    }
    p.status = P::Connected;
    p.joined_at = Some(now);
    p.ring_deadline = None;
    if t.state.status == CallStatus::Ringing {
        t.state.status = CallStatus::Active;
        t.state.started_at = Some(now);
    }
    t.changes.push(CallChange::Answered { user });
    t.effects.push(Effect::StopRinging { users: vec![user] });
    Ok(())
}

/// `user` joins the live call. Only an invitee (someone rung, or rung
/// before) makes a ringing call active; a member of an open channel who
/// was never rung is let in and the call rings on.
pub(super) fn join(
    t: &mut Transition,
    user: UserId,
    open: bool,
    now: Millis,
) -> Result<(), CallError> {
    let invitee = t.state.participant(user).is_some();
    match t.state.participant(user) {
        Some(p) if p.status.is_ringing() => return answer(t, user, now),
        Some(p) if p.status == P::Connected => return Err(CallError::AlreadyInCall),
        Some(p) if p.decline_reason == Some(DeclineReason::Removed) => {
            return Err(CallError::Removed)
        }
        Some(_) => {
            let p = t.state.participant_mut(user).expect("present");
            p.status = P::Connected;
            p.joined_at = p.joined_at.or(Some(now));
            p.left_at = None;
            p.decline_reason = None;
        }
        None if open => t.state.participants.push(Participant::connected(user, now)),
        None => return Err(CallError::NotInvited),
    }
    if t.state.status == CallStatus::Ringing && invitee {
        t.state.status = CallStatus::Active;
        t.state.started_at = Some(now);
    }
    t.changes.push(CallChange::Joined { user });
    Ok(())
}

pub(super) fn decline(t: &mut Transition, user: UserId, now: Millis) -> Result<(), CallError> {
    let p = t.state.participant_mut(user).ok_or(CallError::NotInvited)?;
    if !p.status.is_ringing() {
        return Err(if p.status == P::Connected {
            CallError::AlreadyAnswered
        } else {
            CallError::NotRinging
        });
    }
    p.status = P::Declined;
    p.decline_reason = Some(DeclineReason::Declined);
    p.ring_deadline = None;
    p.left_at = Some(now);
    t.changes.push(CallChange::Declined { user });
    t.effects.push(Effect::StopRinging { users: vec![user] });
    if t.state.status == CallStatus::Ringing && t.state.ringing_count() == 0 {
        finish(t, CallStatus::Declined, EndReason::Declined, now, None);
    }
    Ok(())
}

pub(super) fn cancel(t: &mut Transition, now: Millis) -> Result<(), CallError> {
    if t.state.status == CallStatus::Active {
        return Err(CallError::AlreadyAnswered);
    }
    t.changes.push(CallChange::Cancelled);
    finish(
        t,
        CallStatus::Missed,
        EndReason::Cancelled,
        now,
        Some(t.state.initiator),
    );
    Ok(())
}

/// `user` leaves; a one-to-one call with one side left, or any call with
/// nobody left, ends.
pub(super) fn leave(t: &mut Transition, user: UserId, now: Millis, reason: Option<DeclineReason>) {
    if let Some(p) = t.state.participant_mut(user) {
        p.status = P::Disconnected;
        p.left_at = Some(now);
        p.decline_reason = reason;
    }
    if reason.is_none() {
        t.changes.push(CallChange::Left { user });
    }
    let connected = t.state.count(P::Connected);
    let too_few = match t.state.kind {
        CallKind::OneToOne => connected < 2,
        CallKind::Group => connected == 0,
    };
    if t.state.status == CallStatus::Active && too_few {
        let reason = if connected == 0 {
            EndReason::Empty
        } else {
            EndReason::Hangup
        };
        finish(t, CallStatus::Ended, reason, now, Some(user));
    }
}

pub(super) fn remove(t: &mut Transition, user: UserId, now: Millis) -> Result<(), CallError> {
    let p = t.state.participant(user).ok_or(CallError::NotInvited)?;
    let status = p.status;
    t.changes.push(CallChange::Removed { user });
    if status == P::Connected {
        t.effects.push(Effect::Evict { user });
        leave(t, user, now, Some(DeclineReason::Removed));
    } else {
        let p = t.state.participant_mut(user).expect("present");
        if status.is_ringing() {
            p.status = P::Declined;
            p.ring_deadline = None;
            p.left_at = Some(now);
            t.effects.push(Effect::StopRinging { users: vec![user] });
        }
        p.decline_reason = Some(DeclineReason::Removed);
        if t.state.status == CallStatus::Ringing && t.state.ringing_count() == 0 {
            finish(t, CallStatus::Declined, EndReason::Declined, now, None);
        }
    }
    Ok(())
}

pub(super) fn invite(
    t: &mut Transition,
    users: &[UserId],
    busy: &[UserId],
    now: Millis,
    ring_deadline: Millis,
    by_moderator: bool,
) -> Result<(), CallError> {
    if t.state.kind == CallKind::OneToOne {
        return Err(CallError::NotGroupCall);
    }
    let removed = |u: &UserId| {
        t.state
            .participant(*u)
            .is_some_and(|p| p.decline_reason == Some(DeclineReason::Removed))
    };
    if !by_moderator && users.iter().any(removed) {
        return Err(CallError::RemovedByModerator);
    }
    let mut rung = Vec::new();
    let mut skipped = Vec::new();
    for &user in users {
        if let Some(p) = t.state.participant(user) {
            if p.status == P::Connected || p.status.is_ringing() {
                continue;
            }
        }
        let fresh = if busy.contains(&user) {
            skipped.push(user);
            Participant::busy(user, now)
        } else {
            rung.push(user);
            Participant::ringing(user, now, ring_deadline)
        };
        match t.state.participant_mut(user) {
            Some(p) => {
                *p = Participant {
                    joined_at: p.joined_at,
                    ..fresh
                }
            }
            None => t.state.participants.push(fresh),
        }
    }
    if rung.is_empty() && skipped.is_empty() {
        return Err(CallError::AlreadyInCall);
    }
    if !skipped.is_empty() {
        t.changes.push(CallChange::Busy { users: skipped });
    }
    if !rung.is_empty() {
        t.changes.push(CallChange::Incoming {
            users: rung.clone(),
        });
        t.effects.push(Effect::Ring { users: rung });
        t.effects.push(Effect::ScheduleExpiry { at: ring_deadline });
    }
    Ok(())
}

/// Ringing past its deadline becomes missed; a call nobody answered ends.
pub(super) fn expire(t: &mut Transition, now: Millis) {
    let mut missed = Vec::new();
    for p in &mut t.state.participants {
        if p.status.is_ringing() && p.ring_deadline.is_some_and(|d| d <= now) {
            p.status = P::Missed;
            p.ring_deadline = None;
            p.left_at = Some(now);
            missed.push(p.user);
        }
    }
    if missed.is_empty() {
        return;
    }
    t.changes.push(CallChange::Missed {
        users: missed.clone(),
    });
    t.effects.push(Effect::StopRinging { users: missed });
    if t.state.status == CallStatus::Ringing && t.state.ringing_count() == 0 {
        finish(t, CallStatus::Missed, EndReason::Timeout, now, None);
    } else if let Some(at) = t.state.next_deadline() {
        t.effects.push(Effect::ScheduleExpiry { at });
    }
}

/// Ends the call: whoever is still ringing missed it, whoever is connected
/// is disconnected; the room closes and the summary is posted.
pub(super) fn finish(
    t: &mut Transition,
    status: CallStatus,
    reason: EndReason,
    now: Millis,
    by: Option<UserId>,
) {
    let mut stop = Vec::new();
    for p in &mut t.state.participants {
        if p.status.is_ringing() {
            p.status = P::Missed;
            p.ring_deadline = None;
            p.left_at = Some(now);
            stop.push(p.user);
        } else if p.status == P::Connected {
            p.status = P::Disconnected;
            p.left_at = Some(now);
        }
    }
    t.state.status = status;
    t.state.end_reason = Some(reason);
    t.state.ended_at = Some(now);
    if !stop.is_empty() {
        t.effects.push(Effect::StopRinging { users: stop });
    }
    t.effects.push(Effect::CloseRoom);
    t.effects.push(Effect::PostSummary);
    t.changes.push(CallChange::Ended { by });
}
