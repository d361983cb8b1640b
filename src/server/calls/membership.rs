//! Losing membership takes a person out of the live call or room at once.

use super::engine::transition;
use crate::calls::ids::{ChannelId, CommunityId, StudioId, UserId};
use crate::calls::CallEvent;
use crate::contract::events::LiveEvent;
use crate::contract::types::{ChannelKind, UserView};
use crate::media::control::MediaCommand;
use crate::server::chat::channel_row_for;
use crate::server::db::{calls as calls_db, channels, studio_rooms, studios};
use crate::server::error::{AppError, AppResult};
use crate::server::state::AppState;

/// A moderator removes someone from a group channel; if they are in its live
/// call, they leave it (and its media room) now.
pub async fn remove_channel_member(
    state: &AppState,
    viewer: &UserView,
    channel_id: ChannelId,
    user: UserId,
) -> AppResult<()> {
    let channel = channel_row_for(state, viewer, channel_id).await?;
    if channel.kind != ChannelKind::Group {
        return Err(AppError::bad_request(
            "Only group channels have members to remove.",
        ));
    }
    if !super::ops::is_moderator(state, viewer, &channel).await? {
        return Err(AppError::forbidden(
            "Only coordinators and admins remove members.",
        ));
    }
    if !channels::remove_member(&state.db, channel_id, user).await? {
        return Err(AppError::not_found(
            "They are not a member of this channel.",
        ));
    }
    if let Some(call) = calls_db::live_in_channel(&state.db, channel_id).await? {
        match transition(state, call, CallEvent::Remove { user }).await {
            Ok(_) | Err(AppError::Rejected(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let mut told = channels::member_ids(&state.db, &channel).await?;
    told.push(user);
    state.live.publish(told, LiveEvent::SpacesChanged);
    Ok(())
}

/// The channel's live call, if any, ends now: a moderator archived it.
pub async fn end_channel_call(
    state: &AppState,
    viewer: &UserView,
    channel: ChannelId,
) -> AppResult<()> {
    if let Some(call) = calls_db::live_in_channel(&state.db, channel).await? {
        let end = CallEvent::End {
            by: viewer.id,
            moderator: true,
        };
        match transition(state, call, end).await {
            Ok(_) | Err(AppError::Rejected(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Someone has left (or been removed from) a community: they leave every
/// live call in its channels now, whether connected or still being rung.
pub async fn leave_community_calls(
    state: &AppState,
    community: CommunityId,
    user: UserId,
) -> AppResult<()> {
    for call in calls_db::live_for_user_in(&state.db, community, user).await? {
        match transition(state, call, CallEvent::Remove { user }).await {
            Ok(_) | Err(AppError::Rejected(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Someone has left (or been removed from) a community: the studios they
/// were in through it (their owner shares no community with them now) let
/// them go, drop-in room included.
pub async fn leave_stranded_studios(state: &AppState, user: UserId) -> AppResult<()> {
    for studio in studios::stranded(&state.db, user).await? {
        if studios::remove_member(&state.db, studio, user).await? {
            evict_from_studio_room(state, studio, user).await?;
            let mut told = studios::member_ids(&state.db, studio).await?;
            told.push(user);
            state.live.publish(told, LiveEvent::SpacesChanged);
        }
    }
    Ok(())
}

async fn evict_from_studio_room(state: &AppState, studio: StudioId, user: UserId) -> AppResult<()> {
    if let Some(room) = studio_rooms::find(&state.db, studio).await? {
        state.media.send(MediaCommand::Evict {
            room: room.room_name,
            user,
        });
    }
    Ok(())
}

/// A studio's owner removes a member; they lose the drop-in room at once.
pub async fn remove_studio_member(
    state: &AppState,
    viewer: &UserView,
    studio: StudioId,
    user: UserId,
) -> AppResult<()> {
    if studios::find(&state.db, studio).await?.is_none() {
        return Err(AppError::not_found("No such studio."));
    }
    if !studios::is_owner(&state.db, studio, viewer.id).await? {
        return Err(AppError::forbidden(
            "Only the studio's owner removes members.",
        ));
    }
    if user == viewer.id {
        return Err(AppError::conflict(
            "The owner stays in the studio: it would have nobody to manage it.",
        ));
    }
    if !studios::remove_member(&state.db, studio, user).await? {
        return Err(AppError::not_found("They are not a member of this studio."));
    }
    evict_from_studio_room(state, studio, user).await?;
    state
        .live
        .publish([user, viewer.id], LiveEvent::SpacesChanged);
    Ok(())
}
