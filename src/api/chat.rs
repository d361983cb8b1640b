//! Server functions for chat: where I belong, channels, messages, studios.

use crate::contract::Wire;
use leptos::prelude::*;

use crate::contract::ids::{ChannelId, CommunityId, MessageId, StudioId, UserId};
use crate::contract::types::{
    ChannelDetail, ChannelSummary, MemberDirectory, MessagePage, MessageView, Spaces, StudioDetail,
    UserView,
};
use crate::contract::ApiError;

#[server(prefix = "/api", endpoint = "my_spaces", input = Wire, output = Wire)]
pub async fn my_spaces() -> Result<Spaces, ApiError> {
    use crate::server::{chat, request};
    let (state, me) = request::viewer().await?;
    Ok(chat::spaces(&state, &me.user).await?)
}

#[server(prefix = "/api", endpoint = "get_channel", input = Wire, output = Wire)]
pub async fn get_channel(channel_id: ChannelId) -> Result<ChannelDetail, ApiError> {
    use crate::server::{chat, request};
    let (state, me) = request::viewer().await?;
    Ok(chat::channel_detail(&state, &me.user, channel_id).await?)
}

/// A channel as opening it shows it: header, newest messages, live call.
#[server(prefix = "/api", endpoint = "open_chat", input = Wire, output = Wire)]
pub async fn open_chat(channel_id: ChannelId) -> Result<crate::contract::boot::ChatOpen, ApiError> {
    use crate::server::{boot, request};
    let (state, me) = request::viewer().await?;
    Ok(boot::chat_data(&state, &me.user, channel_id).await?)
}

/// A page of history, oldest first: the newest page without `before`.
#[server(prefix = "/api", endpoint = "list_messages", input = Wire, output = Wire)]
pub async fn list_messages(
    channel_id: ChannelId,
    before: Option<MessageId>,
    limit: Option<u32>,
) -> Result<MessagePage, ApiError> {
    use crate::server::{chat, request};
    let (state, me) = request::viewer().await?;
    Ok(chat::list_messages(&state, &me.user, channel_id, before, limit).await?)
}

/// Posts a message. `client_nonce` makes retries safe: the same nonce posts once.
#[server(prefix = "/api", endpoint = "send_message", input = Wire, output = Wire)]
pub async fn send_message(
    channel_id: ChannelId,
    body: String,
    client_nonce: Option<String>,
) -> Result<MessageView, ApiError> {
    use crate::server::{chat, request};
    let (state, me) = request::viewer().await?;
    Ok(chat::send_message(&state, &me.user, channel_id, &body, client_nonce.as_deref()).await?)
}

/// I have read the channel up to `message_id`: answers how many of its
/// messages are still unread; my other tabs hear it too.
#[server(prefix = "/api", endpoint = "mark_read", input = Wire, output = Wire)]
pub async fn mark_read(channel_id: ChannelId, message_id: MessageId) -> Result<u32, ApiError> {
    use crate::server::{chat, request};
    let (state, me) = request::viewer().await?;
    Ok(chat::mark_read(&state, &me.user, channel_id, message_id).await?)
}

#[server(prefix = "/api", endpoint = "open_direct_channel", input = Wire, output = Wire)]
pub async fn open_direct_channel(user_id: UserId) -> Result<ChannelSummary, ApiError> {
    use crate::server::{chat, request};
    let (state, me) = request::viewer().await?;
    Ok(chat::open_direct(&state, &me.user, user_id).await?)
}

#[server(prefix = "/api", endpoint = "create_group_channel", input = Wire, output = Wire)]
pub async fn create_group_channel(
    community_id: CommunityId,
    name: String,
    member_ids: Vec<UserId>,
) -> Result<ChannelSummary, ApiError> {
    use crate::server::{chat, request};
    let (state, me) = request::viewer().await?;
    Ok(chat::create_group(&state, &me.user, community_id, &name, &member_ids).await?)
}

#[server(prefix = "/api", endpoint = "community_members", input = Wire, output = Wire)]
pub async fn community_members(community_id: CommunityId) -> Result<Vec<UserView>, ApiError> {
    use crate::server::{chat, request};
    let (state, me) = request::viewer().await?;
    Ok(chat::community_members(&state, &me.user, community_id).await?)
}

/// The People page: my community's members, their roles, who is online
/// and who is in a call.
#[server(prefix = "/api", endpoint = "people_page", input = Wire, output = Wire)]
pub async fn people_page() -> Result<MemberDirectory, ApiError> {
    use crate::server::{directory, request};
    let (state, me) = request::viewer().await?;
    Ok(directory::people_page(&state, &me.user).await?)
}

#[server(prefix = "/api", endpoint = "get_studio", input = Wire, output = Wire)]
pub async fn get_studio(studio_id: StudioId) -> Result<StudioDetail, ApiError> {
    use crate::server::{chat, request};
    let (state, me) = request::viewer().await?;
    Ok(chat::studio_detail(&state, &me.user, studio_id).await?)
}
