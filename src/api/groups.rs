//! Server functions for group channels after they are made (creating one is
//! `create_group_channel`, removing a member `remove_channel_member`).

use crate::contract::Wire;
use leptos::prelude::*;

use crate::contract::groups::GroupsOverview;
use crate::contract::ids::{ChannelId, UserId};
use crate::contract::types::{ChannelSummary, UserView};
use crate::contract::ApiError;

/// The Groups page: my community's groups that I am in, with their members.
#[server(prefix = "/api", endpoint = "my_groups", input = Wire, output = Wire)]
pub async fn my_groups() -> Result<GroupsOverview, ApiError> {
    use crate::server::{groups, request};
    let (state, me) = request::viewer().await?;
    Ok(groups::my_groups(&state, &me.user).await?)
}

#[server(prefix = "/api", endpoint = "rename_group", input = Wire, output = Wire)]
pub async fn rename_group(channel_id: ChannelId, name: String) -> Result<ChannelSummary, ApiError> {
    use crate::server::{groups, request};
    let (state, me) = request::viewer().await?;
    Ok(groups::rename_group(&state, &me.user, channel_id, &name).await?)
}

/// Adds people to a group; answers its members now.
#[server(prefix = "/api", endpoint = "add_group_members", input = Wire, output = Wire)]
pub async fn add_group_members(
    channel_id: ChannelId,
    user_ids: Vec<UserId>,
) -> Result<Vec<UserView>, ApiError> {
    use crate::server::{groups, request};
    let (state, me) = request::viewer().await?;
    Ok(groups::add_group_members(&state, &me.user, channel_id, &user_ids).await?)
}

/// Archives a group (`archived: true`; its live call ends) or restores it.
#[server(prefix = "/api", endpoint = "archive_group", input = Wire, output = Wire)]
pub async fn archive_group(
    channel_id: ChannelId,
    archived: bool,
) -> Result<ChannelSummary, ApiError> {
    use crate::server::{groups, request};
    let (state, me) = request::viewer().await?;
    Ok(groups::archive_group(&state, &me.user, channel_id, archived).await?)
}
