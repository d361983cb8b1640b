//! Group channels after they are made: the Groups page, renaming and adding
//! members (coordinators and admins of the group's community who are in
//! it). Creating is `chat::create_group`; removing a member, which also
//! takes them out of the live call, is `calls::membership`.

use super::chat::channel_row_for;
use super::db::channels::{self, ChannelRow};
use super::db::communities;
use super::error::{AppError, AppResult};
use super::state::AppState;
use crate::contract::events::LiveEvent;
use crate::contract::groups::{GroupView, GroupsOverview, MAX_GROUP_NAME};
use crate::contract::ids::{ChannelId, UserId};
use crate::contract::types::{ChannelKind, ChannelSummary, UserView};

/// The most members a group channel has.
pub const MAX_GROUP_MEMBERS: usize = 500;

/// A group's name, trimmed, if it is 1 to 64 characters.
pub fn valid_name(name: &str) -> AppResult<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_GROUP_NAME {
        return Err(AppError::bad_request(format!(
            "A group's name is 1 to {MAX_GROUP_NAME} characters."
        )));
    }
    Ok(name)
}

/// My community (the first, as the navigation shows it), its groups that I
/// am in with their members, and whom I may add if I manage groups.
pub async fn my_groups(state: &AppState, viewer: &UserView) -> AppResult<GroupsOverview> {
    let community = super::directory::my_community(state, viewer).await?;
    let manages = community.role.moderates();
    let mut groups = Vec::new();
    for channel in channels::for_user(&state.db, viewer.id).await? {
        if channel.kind != ChannelKind::Group || channel.community_id != community.id {
            continue;
        }
        let row = ChannelRow {
            id: channel.id,
            community_id: channel.community_id,
            kind: channel.kind,
            name: channel.name.clone(),
        };
        let members = channels::members(&state.db, &row).await?;
        groups.push(GroupView { channel, members });
    }
    // Archived groups after the ones in use (each part keeps its order).
    groups.sort_by_key(|g| g.channel.archived);
    let people = if manages {
        communities::members(&state.db, community.id).await?
    } else {
        Vec::new()
    };
    Ok(GroupsOverview {
        community,
        manages,
        groups,
        people,
    })
}

/// The group channel, if the viewer is in it and moderates its community.
async fn managed_group(
    state: &AppState,
    viewer: &UserView,
    id: ChannelId,
) -> AppResult<ChannelRow> {
    let channel = channel_row_for(state, viewer, id).await?;
    if channel.kind != ChannelKind::Group {
        return Err(AppError::bad_request("This is not a group channel."));
    }
    let role = communities::role_of(&state.db, channel.community_id, viewer.id).await?;
    if !role.is_some_and(|r| r.moderates()) {
        return Err(AppError::forbidden(
            "Only coordinators and admins change groups.",
        ));
    }
    Ok(channel)
}

/// A group that is managed and in use: an archived one is restored first.
async fn open_group(state: &AppState, viewer: &UserView, id: ChannelId) -> AppResult<ChannelRow> {
    let channel = managed_group(state, viewer, id).await?;
    if channels::is_archived(&state.db, id).await? {
        return Err(AppError::conflict(
            "This group is archived: restore it to change it.",
        ));
    }
    Ok(channel)
}

pub async fn rename_group(
    state: &AppState,
    viewer: &UserView,
    id: ChannelId,
    name: &str,
) -> AppResult<ChannelSummary> {
    let channel = open_group(state, viewer, id).await?;
    let name = valid_name(name)?;
    channels::rename(&state.db, id, name).await?;
    let members = channels::member_ids(&state.db, &channel).await?;
    state.live.publish(members, LiveEvent::SpacesChanged);
    channels::summary_for(&state.db, viewer.id, id)
        .await?
        .ok_or_else(|| AppError::internal("renamed group not visible to its member"))
}

/// Adds people of the group's community; those already in it are left as
/// they are. Answers the members now.
pub async fn add_group_members(
    state: &AppState,
    viewer: &UserView,
    id: ChannelId,
    users: &[UserId],
) -> AppResult<Vec<UserView>> {
    let channel = open_group(state, viewer, id).await?;
    let mut users = users.to_vec();
    users.sort();
    users.dedup();
    if users.is_empty() {
        return Err(AppError::bad_request("Choose someone to add."));
    }
    if communities::count_members_among(&state.db, channel.community_id, &users).await?
        != users.len()
    {
        return Err(AppError::bad_request(
            "Every member must belong to the community.",
        ));
    }
    let mut members = channels::member_ids(&state.db, &channel).await?;
    let new: Vec<UserId> = users.into_iter().filter(|u| !members.contains(u)).collect();
    if members.len() + new.len() > MAX_GROUP_MEMBERS {
        return Err(AppError::conflict(format!(
            "A group channel has at most {MAX_GROUP_MEMBERS} members."
        )));
    }
    for user in &new {
        channels::add_member(&state.db, id, *user).await?;
    }
    members.extend(new);
    state.live.publish(members, LiveEvent::SpacesChanged);
    Ok(channels::members(&state.db, &channel).await?)
}

/// Archives a group (its live call ends; its messages stay to be read) or
/// restores it. Archiving what is archived, or restoring what is in use,
/// is 409.
pub async fn archive_group(
    state: &AppState,
    viewer: &UserView,
    id: ChannelId,
    archived: bool,
) -> AppResult<ChannelSummary> {
    let channel = managed_group(state, viewer, id).await?;
    if !channels::set_archived(&state.db, id, archived).await? {
        return Err(AppError::conflict(if archived {
            "This group is archived already."
        } else {
            "This group is not archived."
        }));
    }
    if archived {
        super::calls::membership::end_channel_call(state, viewer, id).await?;
    }
    let members = channels::member_ids(&state.db, &channel).await?;
    state.live.publish(members, LiveEvent::SpacesChanged);
    channels::summary_for(&state.db, viewer.id, id)
        .await?
        .ok_or_else(|| AppError::internal("archived group not visible to its member"))
}
