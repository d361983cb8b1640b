//! Channels, studios and messages, with every access rule: a user sees only
//! the communities, channels and studios they belong to. Unknown ids are 404;
//! existing ones the user may not see are 403.

use super::db::channels::{self, ChannelRow};
use super::db::{communities, messages, studios};
use super::error::{AppError, AppResult};
use super::state::AppState;
use crate::contract::events::LiveEvent;
use crate::contract::ids::{ChannelId, CommunityId, MessageId, StudioId, UserId};
use crate::contract::types::{
    ChannelDetail, ChannelKind, ChannelSummary, MessagePage, MessageView, Spaces, StudioDetail,
    UserView, DEFAULT_PAGE, MAX_MESSAGE_CHARS, MAX_PAGE,
};

pub async fn spaces(state: &AppState, viewer: &UserView) -> AppResult<Spaces> {
    Ok(Spaces {
        communities: communities::for_user(&state.db, viewer.id).await?,
        channels: channels::for_user(&state.db, viewer.id).await?,
        studios: studios::for_user(&state.db, viewer.id).await?,
    })
}

/// The channel, if the viewer belongs to it.
pub async fn channel_for(
    state: &AppState,
    viewer: &UserView,
    id: ChannelId,
) -> AppResult<(ChannelRow, ChannelSummary)> {
    let row = channel_row_for(state, viewer, id).await?;
    let summary = channels::summary_for(&state.db, viewer.id, id)
        .await?
        .ok_or_else(|| AppError::forbidden("You are not a member of this channel."))?;
    Ok((row, summary))
}

/// The channel's row, if the viewer belongs to it (one query; for callers
/// that need no summary).
pub async fn channel_row_for(
    state: &AppState,
    viewer: &UserView,
    id: ChannelId,
) -> AppResult<ChannelRow> {
    match channels::find_for(&state.db, viewer.id, id).await? {
        None => Err(AppError::not_found("No such channel.")),
        Some((_, false)) => Err(AppError::forbidden("You are not a member of this channel.")),
        Some((row, true)) => Ok(row),
    }
}

pub async fn channel_detail(
    state: &AppState,
    viewer: &UserView,
    id: ChannelId,
) -> AppResult<ChannelDetail> {
    let (row, channel) = channel_for(state, viewer, id).await?;
    Ok(ChannelDetail {
        channel,
        members: channels::members(&state.db, &row).await?,
    })
}

pub async fn list_messages(
    state: &AppState,
    viewer: &UserView,
    id: ChannelId,
    before: Option<MessageId>,
    limit: Option<u32>,
) -> AppResult<MessagePage> {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(AppError::bad_request(format!(
            "A page holds 1 to {MAX_PAGE} messages."
        )));
    }
    channel_for(state, viewer, id).await?;
    let (messages, has_more) = messages::page(&state.db, id, before, limit).await?;
    Ok(MessagePage { messages, has_more })
}

/// Posts a message and pushes it to every member's open tabs. A retry with
/// the same `nonce` returns the first message and posts nothing new.
pub async fn send_message(
    state: &AppState,
    viewer: &UserView,
    id: ChannelId,
    body: &str,
    nonce: Option<&str>,
) -> AppResult<MessageView> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::bad_request("The message is empty."));
    }
    if body.chars().count() > MAX_MESSAGE_CHARS {
        return Err(AppError::bad_request(format!(
            "The message is too long: at most {MAX_MESSAGE_CHARS} characters."
        )));
    }
    if nonce.is_some_and(|n| n.is_empty() || n.len() > 64) {
        return Err(AppError::bad_request("client_nonce is 1 to 64 characters."));
    }
    let (row, summary) = channel_for(state, viewer, id).await?;
    if summary.archived {
        return Err(AppError::conflict(
            "This group is archived: its messages are read, nothing new is posted.",
        ));
    }
    state.limits.message(viewer.id)?;
    let (message, created) = messages::insert(&state.db, id, viewer.id, body, nonce).await?;
    if message.channel_id != id {
        return Err(AppError::conflict(
            "That client_nonce was already used for another channel.",
        ));
    }
    if created {
        let members = channels::member_ids(&state.db, &row).await?;
        state.live.publish(
            members,
            LiveEvent::MessagePosted {
                message: message.clone(),
            },
        );
    }
    Ok(message)
}

/// The viewer has read the channel up to this message (a tab showing it):
/// their mark moves on, and every tab of theirs hears how much is left.
pub async fn mark_read(
    state: &AppState,
    viewer: &UserView,
    id: ChannelId,
    up_to: MessageId,
) -> AppResult<u32> {
    channel_row_for(state, viewer, id).await?;
    let unread = super::db::reads::mark(&state.db, id, viewer.id, up_to).await?;
    state.live.publish(
        [viewer.id],
        LiveEvent::ChannelRead {
            channel_id: id,
            unread,
        },
    );
    Ok(unread)
}

/// The direct channel between the viewer and `other`, created on first use.
/// Both must share a community.
pub async fn open_direct(
    state: &AppState,
    viewer: &UserView,
    other: UserId,
) -> AppResult<ChannelSummary> {
    if other == viewer.id {
        return Err(AppError::bad_request(
            "A direct channel needs someone else.",
        ));
    }
    let community = communities::shared(&state.db, viewer.id, other)
        .await?
        .ok_or_else(|| AppError::not_found("No such person in your communities."))?;
    let (low, high) = if viewer.id < other {
        (viewer.id, other)
    } else {
        (other, viewer.id)
    };
    let key = format!("{low}:{high}");
    let id = match channels::find_direct(&state.db, &key).await? {
        Some(id) => id,
        None => {
            let id = match channels::insert(
                &state.db,
                community,
                ChannelKind::Direct,
                "",
                Some(&key),
                Some(viewer.id),
            )
            .await
            {
                Ok(id) => id,
                // Both opened it at once: the other insert won.
                Err(e) if super::db::is_unique_violation(&e) => {
                    channels::find_direct(&state.db, &key)
                        .await?
                        .ok_or_else(|| AppError::internal("direct channel vanished"))?
                }
                Err(e) => return Err(e.into()),
            };
            channels::add_member(&state.db, id, low).await?;
            channels::add_member(&state.db, id, high).await?;
            state.live.publish([low, high], LiveEvent::SpacesChanged);
            id
        }
    };
    channels::summary_for(&state.db, viewer.id, id)
        .await?
        .ok_or_else(|| AppError::internal("direct channel not visible to its member"))
}

/// A group channel with chosen members. Coordinators and admins create them.
pub async fn create_group(
    state: &AppState,
    viewer: &UserView,
    community: CommunityId,
    name: &str,
    members: &[UserId],
) -> AppResult<ChannelSummary> {
    let name = super::groups::valid_name(name)?;
    if !communities::exists(&state.db, community).await? {
        return Err(AppError::not_found("No such community."));
    }
    let role = communities::role_of(&state.db, community, viewer.id)
        .await?
        .ok_or_else(|| AppError::forbidden("You are not a member of this community."))?;
    if !role.moderates() {
        return Err(AppError::forbidden(
            "Only coordinators and admins create group channels.",
        ));
    }
    let mut everyone: Vec<UserId> = members.iter().copied().chain([viewer.id]).collect();
    everyone.sort();
    everyone.dedup();
    if everyone.len() > super::groups::MAX_GROUP_MEMBERS {
        return Err(AppError::bad_request(format!(
            "A group channel has at most {} members.",
            super::groups::MAX_GROUP_MEMBERS
        )));
    }
    if communities::count_members_among(&state.db, community, &everyone).await? != everyone.len() {
        return Err(AppError::bad_request(
            "Every member must belong to the community.",
        ));
    }
    let id = channels::insert(
        &state.db,
        community,
        ChannelKind::Group,
        name,
        None,
        Some(viewer.id),
    )
    .await?;
    for user in &everyone {
        channels::add_member(&state.db, id, *user).await?;
    }
    state.live.publish(everyone, LiveEvent::SpacesChanged);
    channels::summary_for(&state.db, viewer.id, id)
        .await?
        .ok_or_else(|| AppError::internal("group channel not visible to its creator"))
}

pub async fn community_members(
    state: &AppState,
    viewer: &UserView,
    community: CommunityId,
) -> AppResult<Vec<UserView>> {
    if !communities::exists(&state.db, community).await? {
        return Err(AppError::not_found("No such community."));
    }
    if communities::role_of(&state.db, community, viewer.id)
        .await?
        .is_none()
    {
        return Err(AppError::forbidden(
            "You are not a member of this community.",
        ));
    }
    Ok(communities::members(&state.db, community).await?)
}

pub async fn studio_detail(
    state: &AppState,
    viewer: &UserView,
    id: StudioId,
) -> AppResult<StudioDetail> {
    let studio = studios::find(&state.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("No such studio."))?;
    if !studios::is_member(&state.db, id, viewer.id).await? {
        return Err(AppError::forbidden("You are not a member of this studio."));
    }
    Ok(StudioDetail {
        studio,
        members: studios::members(&state.db, id).await?,
        manages: studios::is_owner(&state.db, id, viewer.id).await?,
    })
}
