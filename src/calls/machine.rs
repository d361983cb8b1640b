//! Every change to a call is `apply(state, event, now)`: a pure function that
//! returns the new state, what changed (for the live stream) and the effects
//! the server must carry out, or a `CallError` saying why the event does not
//! apply. Races resolve here: the server re-reads the state and re-applies,
//! so the loser of two answers is told "already answered".

use serde::{Deserialize, Serialize};

use super::ids::{CallId, ChannelId, UserId};
use super::state::{
    CallKind, CallState, CallStatus, EndReason, Participant, ParticipantStatus as P,
};
use super::steps::{answer, cancel, decline, expire, finish, invite, join, leave, remove};
use super::Millis;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallEvent {
    /// An invitee picks up.
    Answer { user: UserId },
    /// An invitee declines.
    Decline { user: UserId },
    /// The caller hangs up before anyone answered.
    Cancel { by: UserId },
    /// One participant leaves; the call goes on if it can.
    Leave { user: UserId },
    /// Ends the call for everyone (the caller, or a moderator).
    End { by: UserId, moderator: bool },
    /// A channel member joins the live call without being rung. `open`
    /// when every member of the channel may (a group's or a direct call);
    /// a parish call takes only its invitees and the people added to it.
    Join { user: UserId, open: bool },
    /// Rings more people into a live group call; `busy` are in another call.
    /// Someone a moderator removed comes back only if `by_moderator`.
    Invite {
        users: Vec<UserId>,
        busy: Vec<UserId>,
        ring_deadline: Millis,
        by_moderator: bool,
    },
    /// Time has passed: ring deadlines at or before `now` expire.
    Expire,
    /// The media server saw the participant connect.
    MediaJoined { user: UserId },
    /// The media server saw the participant go (left, or their tab died).
    MediaLeft { user: UserId },
    /// A moderator removed them, or they lost membership of the channel.
    Remove { user: UserId },
    /// The server restarted: settle what the old process left behind.
    Reconcile,
}

/// What happened, as the live stream tells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    try_from = "super::change_wire::ChangeWire"
)]
pub enum CallChange {
    /// These people are now being rung.
    Incoming {
        users: Vec<UserId>,
    },
    /// These people were in another call and were not rung.
    Busy {
        users: Vec<UserId>,
    },
    Answered {
        user: UserId,
    },
    Declined {
        user: UserId,
    },
    Joined {
        user: UserId,
    },
    Left {
        user: UserId,
    },
    Removed {
        user: UserId,
    },
    /// These stopped ringing unanswered.
    Missed {
        users: Vec<UserId>,
    },
    Cancelled,
    Ended {
        by: Option<UserId>,
    },
}

/// What the server must do after saving the new state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Start ringing these people (live stream now, web push later).
    Ring { users: Vec<UserId> },
    /// Stop ringing these people, in every tab.
    StopRinging { users: Vec<UserId> },
    /// Wake up at this time to expire ring deadlines.
    ScheduleExpiry { at: Millis },
    /// Take this person out of the media room now.
    Evict { user: UserId },
    /// The call is over: close its media room.
    CloseRoom,
    /// The call is over: post its summary in the channel.
    PostSummary,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub state: CallState,
    pub changes: Vec<CallChange>,
    pub effects: Vec<Effect>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error("This call is already over.")]
    CallOver,
    #[error("You were not invited to this call.")]
    NotInvited,
    #[error("This call was already answered.")]
    AlreadyAnswered,
    #[error("This call is no longer ringing for you.")]
    NotRinging,
    #[error("Only the caller can cancel a call.")]
    NotInitiator,
    #[error("Only the caller or a coordinator can end this call for everyone.")]
    NotAllowed,
    #[error("Choose at least one person to call.")]
    NoInvitees,
    #[error("A one-to-one call cannot take more people.")]
    NotGroupCall,
    #[error("You are not in this call.")]
    NotInCall,
    #[error("You are already in this call.")]
    AlreadyInCall,
    #[error("You were removed from this call.")]
    Removed,
    #[error(
        "A moderator removed them from this call; only a coordinator or admin can add them back."
    )]
    RemovedByModerator,
}

/// Opens a call: the initiator is connected, invitees ring until
/// `ring_deadline`, busy invitees are skipped. If nobody can be rung (a
/// one-to-one call to someone busy) the call ends at once as DECLINED/busy.
#[allow(clippy::too_many_arguments)]
pub fn start(
    id: CallId,
    channel: ChannelId,
    kind: CallKind,
    initiator: UserId,
    invitees: &[UserId],
    busy: &[UserId],
    now: Millis,
    ring_deadline: Millis,
) -> Result<Transition, CallError> {
    let mut invitees: Vec<UserId> = invitees
        .iter()
        .copied()
        .filter(|u| *u != initiator)
        .collect();
    invitees.sort();
    invitees.dedup();
    if invitees.is_empty() {
        return Err(CallError::NoInvitees);
    }
    let (busy_users, ringing): (Vec<UserId>, Vec<UserId>) =
        invitees.iter().partition(|u| busy.contains(u));
    let mut participants = vec![Participant::connected(initiator, now)];
    participants.extend(
        ringing
            .iter()
            .map(|u| Participant::ringing(*u, now, ring_deadline)),
    );
    participants.extend(busy_users.iter().map(|u| Participant::busy(*u, now)));
    let mut t = Transition {
        state: CallState {
            id,
            channel,
            kind,
            initiator,
            status: CallStatus::Ringing,
            created_at: now,
            started_at: None,
            ended_at: None,
            end_reason: None,
            participants,
        },
        changes: Vec::new(),
        effects: Vec::new(),
    };
    if !busy_users.is_empty() {
        t.changes.push(CallChange::Busy { users: busy_users });
    }
    if ringing.is_empty() {
        finish(&mut t, CallStatus::Declined, EndReason::Busy, now, None);
    } else {
        t.changes.push(CallChange::Incoming {
            users: ringing.clone(),
        });
        t.effects.push(Effect::Ring { users: ringing });
        t.effects.push(Effect::ScheduleExpiry { at: ring_deadline });
    }
    Ok(t)
}

pub fn apply(state: &CallState, event: &CallEvent, now: Millis) -> Result<Transition, CallError> {
    if !state.status.is_live() {
        return Err(CallError::CallOver);
    }
    let mut t = Transition {
        state: state.clone(),
        changes: Vec::new(),
        effects: Vec::new(),
    };
    match *event {
        CallEvent::Answer { user } => answer(&mut t, user, now)?,
        CallEvent::Decline { user } => decline(&mut t, user, now)?,
        CallEvent::Cancel { by } => {
            if by != t.state.initiator {
                return Err(CallError::NotInitiator);
            }
            cancel(&mut t, now)?;
        }
        CallEvent::Leave { user } => {
            let connected = t.state.participant(user).map(|p| p.status) == Some(P::Connected);
            if !connected {
                return Err(CallError::NotInCall);
            }
            if user == t.state.initiator && t.state.status == CallStatus::Ringing {
                cancel(&mut t, now)?;
            } else {
                leave(&mut t, user, now, None);
            }
        }
        CallEvent::End { by, moderator } => {
            if by != t.state.initiator && !moderator {
                return Err(CallError::NotAllowed);
            }
            if t.state.status == CallStatus::Ringing {
                cancel(&mut t, now)?;
            } else {
                finish(&mut t, CallStatus::Ended, EndReason::Hangup, now, Some(by));
            }
        }
        CallEvent::Join { user, open } => join(&mut t, user, open, now)?,
        CallEvent::Invite {
            ref users,
            ref busy,
            ring_deadline,
            by_moderator,
        } => invite(&mut t, users, busy, now, ring_deadline, by_moderator)?,
        CallEvent::Expire => expire(&mut t, now),
        CallEvent::MediaJoined { user } => match t.state.participant(user).map(|p| p.status) {
            Some(P::Connected) => {}
            Some(P::Disconnected)
                if t.state
                    .participant(user)
                    .and_then(|p| p.decline_reason)
                    .is_none() =>
            {
                let p = t.state.participant_mut(user).expect("present");
                p.status = P::Connected;
                p.left_at = None;
                t.changes.push(CallChange::Joined { user });
            }
            _ => return Err(CallError::NotInCall),
        },
        CallEvent::MediaLeft { user } => {
            if t.state.participant(user).map(|p| p.status) == Some(P::Connected) {
                leave(&mut t, user, now, None);
            }
        }
        CallEvent::Remove { user } => remove(&mut t, user, now)?,
        CallEvent::Reconcile => {
            expire(&mut t, now);
            let nobody = t.state.count(P::Connected) == 0;
            if t.state.status == CallStatus::Active && nobody {
                finish(&mut t, CallStatus::Ended, EndReason::Restart, now, None);
            }
        }
    }
    Ok(t)
}
