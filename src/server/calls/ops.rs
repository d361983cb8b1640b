//! The call operations, each with its permission check. Unknown calls are
//! 404; calls in a channel the viewer cannot see are 403; the state machine
//! refuses what the call's state does not allow (409) or the viewer's part
//! in it does not allow (403).

use super::engine::{self, load, transition_from};
use super::views::call_view;
use crate::calls::ids::{CallId, ChannelId, UserId};
use crate::calls::{start, CallEvent, CallKind, Transition};
use crate::contract::call_types::CallView;
use crate::contract::types::{ChannelKind, UserView};
use crate::media::control::MediaCommand;
use crate::server::db::admission;
use crate::server::db::call_access::{self, CallAccess};
use crate::server::db::calls::{self as calls_db, StoredCall};
use crate::server::db::channels::ChannelRow;
use crate::server::db::{self, communities};
use crate::server::error::{AppError, AppResult};
use crate::server::state::AppState;

/// The call, if the viewer may see its channel, with the channel's members
/// and whether the viewer is busy elsewhere (one query).
pub async fn visible_call(
    state: &AppState,
    viewer: &UserView,
    call: CallId,
) -> AppResult<CallAccess> {
    match call_access::load_for(&state.db, call, viewer.id).await? {
        None => Err(AppError::not_found("No such call.")),
        Some(access) if !access.visible => Err(AppError::forbidden(
            "You are not a member of this call's channel.",
        )),
        Some(access) => Ok(access),
    }
}

pub async fn is_moderator(
    state: &AppState,
    viewer: &UserView,
    channel: &ChannelRow,
) -> AppResult<bool> {
    Ok(
        communities::role_of(&state.db, channel.community_id, viewer.id)
            .await?
            .is_some_and(|r| r.moderates()),
    )
}

/// Applies `event` to a call just read with its access.
async fn apply_to(state: &AppState, a: CallAccess, event: CallEvent) -> AppResult<CallView> {
    let outcome = transition_from(state, a.call, &a.channel, Some(&a.members), event).await?;
    Ok(outcome.view)
}

fn refuse_if_busy(busy: bool) -> AppResult<()> {
    if busy {
        return Err(AppError::conflict(
            "You are in another call. Leave it first.",
        ));
    }
    Ok(())
}

/// Why an archived group's call button does nothing.
pub const ARCHIVED_NO_CALLS: &str = "This group is archived: it takes no calls.";

/// Starts a call in the channel, or joins the one already live there.
/// DIRECT rings the other member, GROUP every member, PARISH the chosen ones.
pub async fn initiate_call(
    state: &AppState,
    viewer: &UserView,
    channel_id: ChannelId,
    invitees: Option<Vec<UserId>>,
) -> AppResult<CallView> {
    if state.stopping.is_stopping() {
        return Err(AppError::unavailable(crate::server::stopping::REFUSED));
    }
    for _ in 0..4 {
        let found = call_access::find_for_call(&state.db, viewer.id, channel_id).await?;
        let Some(found) = found else {
            return Err(AppError::not_found("No such channel."));
        };
        if !found.visible {
            return Err(AppError::forbidden("You are not a member of this channel."));
        }
        if found.archived {
            return Err(AppError::conflict(ARCHIVED_NO_CALLS));
        }
        let (channel, members) = (found.row, found.members);
        if let Some(live) = found.live_call {
            let me_busy = match &found.busy_members {
                Some(busy) => busy.contains(&viewer.id),
                None => !calls_db::busy_among(&state.db, &[viewer.id], Some(channel_id))
                    .await?
                    .is_empty(),
            };
            refuse_if_busy(me_busy)?;
            let stored = load(state, live).await?;
            // A parish call takes only its invitees; a group's or a direct
            // channel's call, any member.
            let open = channel.kind != ChannelKind::Parish;
            let join = CallEvent::Join {
                user: viewer.id,
                open,
            };
            let outcome = transition_from(state, stored, &channel, Some(&members), join).await?;
            return Ok(outcome.view);
        }
        let invitees = choose_invitees(viewer, &channel, &members, invitees.as_deref())?;
        let busy = match found.busy_members {
            Some(busy) => busy,
            // A parish's members are the whole community: ask about the
            // chosen few and the caller only.
            None => {
                let mut ask = invitees.clone();
                ask.push(viewer.id);
                calls_db::busy_among(&state.db, &ask, Some(channel_id)).await?
            }
        };
        refuse_if_busy(busy.contains(&viewer.id))?;
        // Rings a caller may make, and a callee may receive, a minute.
        state.limits.ring(viewer.id, &invitees)?;
        let kind = if channel.kind == ChannelKind::Direct {
            CallKind::OneToOne
        } else {
            CallKind::Group
        };
        let now = db::now_ms();
        let deadline = now + state.config.ring_timeout.as_millis() as i64;
        let t = start(
            CallId(0),
            channel_id,
            kind,
            viewer.id,
            &invitees,
            &busy,
            now,
            deadline,
        )?;
        let room = format!(
            "call-{}",
            crate::server::auth::new_token()[..16].to_lowercase()
        );
        match calls_db::insert(&state.db, &t.state, &room).await {
            Ok(id) => {
                let stored = StoredCall {
                    state: crate::calls::CallState {
                        id,
                        ..t.state.clone()
                    },
                    version: 0,
                    room_name: room,
                };
                let t = Transition {
                    state: stored.state.clone(),
                    ..t
                };
                return engine::carry_out(state, &stored, &channel, &t, Some(&members), None).await;
            }
            // Someone started one at the same moment: join theirs.
            Err(e) if db::is_unique_violation(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict(
        "The channel's call is changing too fast; try again.",
    ))
}

fn choose_invitees(
    viewer: &UserView,
    channel: &ChannelRow,
    members: &[UserId],
    chosen: Option<&[UserId]>,
) -> AppResult<Vec<UserId>> {
    let invitees: Vec<UserId> = match channel.kind {
        ChannelKind::Direct | ChannelKind::Group => members.to_vec(),
        ChannelKind::Parish => {
            let chosen = chosen.unwrap_or_default();
            if chosen.is_empty() {
                return Err(AppError::bad_request(
                    "Choose who to call in a parish channel.",
                ));
            }
            if let Some(stranger) = chosen.iter().find(|u| !members.contains(u)) {
                return Err(AppError::bad_request(format!(
                    "User {stranger} is not in this parish."
                )));
            }
            chosen.to_vec()
        }
    };
    let invitees: Vec<UserId> = invitees.into_iter().filter(|u| *u != viewer.id).collect();
    if invitees.is_empty() {
        return Err(AppError::bad_request(
            "There is nobody else in this channel to call.",
        ));
    }
    Ok(invitees)
}

pub async fn answer_call(state: &AppState, viewer: &UserView, call: CallId) -> AppResult<CallView> {
    let a = visible_call(state, viewer, call).await?;
    refuse_if_busy(a.viewer_busy)?;
    apply_to(state, a, CallEvent::Answer { user: viewer.id }).await
}

/// Applies an event that needs only channel visibility (the state machine
/// checks the viewer's part in the call).
async fn simple(
    state: &AppState,
    viewer: &UserView,
    call: CallId,
    event: CallEvent,
) -> AppResult<CallView> {
    let a = visible_call(state, viewer, call).await?;
    apply_to(state, a, event).await
}

pub async fn decline_call(
    state: &AppState,
    viewer: &UserView,
    call: CallId,
) -> AppResult<CallView> {
    simple(state, viewer, call, CallEvent::Decline { user: viewer.id }).await
}

pub async fn cancel_call(state: &AppState, viewer: &UserView, call: CallId) -> AppResult<CallView> {
    simple(state, viewer, call, CallEvent::Cancel { by: viewer.id }).await
}

pub async fn leave_call(state: &AppState, viewer: &UserView, call: CallId) -> AppResult<CallView> {
    simple(state, viewer, call, CallEvent::Leave { user: viewer.id }).await
}

pub async fn end_call(state: &AppState, viewer: &UserView, call: CallId) -> AppResult<CallView> {
    let a = visible_call(state, viewer, call).await?;
    // The caller ends their own call without a role lookup.
    let moderator =
        a.call.state.initiator != viewer.id && is_moderator(state, viewer, &a.channel).await?;
    let event = CallEvent::End {
        by: viewer.id,
        moderator,
    };
    apply_to(state, a, event).await
}

/// Rings someone new into a live group call. Any connected participant may.
pub async fn add_participant(
    state: &AppState,
    viewer: &UserView,
    call: CallId,
    user: UserId,
) -> AppResult<CallView> {
    let a = visible_call(state, viewer, call).await?;
    let connected = a.call.state.participant(viewer.id).map(|p| p.status)
        == Some(crate::calls::ParticipantStatus::Connected);
    if !connected {
        return Err(AppError::forbidden(
            "Only people in the call can add someone.",
        ));
    }
    if !a.members.contains(&user) {
        return Err(AppError::bad_request(
            "They are not a member of this channel.",
        ));
    }
    state.limits.ring(viewer.id, &[user])?;
    let busy = calls_db::busy_among(&state.db, &[user], Some(a.channel.id)).await?;
    let deadline = db::now_ms() + state.config.ring_timeout.as_millis() as i64;
    let removed = a
        .call
        .state
        .participant(user)
        .and_then(|p| p.decline_reason)
        == Some(crate::calls::DeclineReason::Removed);
    // The role is looked up only when it matters: bringing back someone a
    // moderator removed.
    let by_moderator = removed && is_moderator(state, viewer, &a.channel).await?;
    let event = CallEvent::Invite {
        users: vec![user],
        busy,
        ring_deadline: deadline,
        by_moderator,
    };
    apply_to(state, a, event).await
}

async fn moderated(
    state: &AppState,
    viewer: &UserView,
    call: CallId,
    user: UserId,
) -> AppResult<CallAccess> {
    let a = visible_call(state, viewer, call).await?;
    if !is_moderator(state, viewer, &a.channel).await? {
        return Err(AppError::forbidden(
            "Only coordinators and admins moderate calls.",
        ));
    }
    if !a.call.state.status.is_live() {
        return Err(AppError::conflict("This call is already over."));
    }
    if a.call.state.participant(user).is_none() {
        return Err(AppError::not_found("They are not in this call."));
    }
    Ok(a)
}

/// A moderator mutes (or unmutes) someone's microphone from the server.
pub async fn mute_participant(
    state: &AppState,
    viewer: &UserView,
    call: CallId,
    user: UserId,
    muted: bool,
) -> AppResult<CallView> {
    let a = moderated(state, viewer, call, user).await?;
    // Kept by call control first, so a rejoin or resume stays muted (the
    // media server asks on every join), then carried out in the room.
    admission::set_held(&state.db, call, user, viewer.id, muted).await?;
    state.media.send(MediaCommand::Mute {
        room: a.call.room_name.clone(),
        user,
        muted,
    });
    call_view(state, &a.call.state, &a.channel).await
}

pub async fn remove_participant(
    state: &AppState,
    viewer: &UserView,
    call: CallId,
    user: UserId,
) -> AppResult<CallView> {
    let a = moderated(state, viewer, call, user).await?;
    let event = CallEvent::Remove { user };
    apply_to(state, a, event).await
}
