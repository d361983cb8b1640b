//! Server functions for calls: the lifecycle, moderation, tokens, history.
//! Each is also a JSON endpoint at `POST /api/<name>`.

use crate::contract::Wire;
use leptos::prelude::*;

use crate::calls::ids::{CallId, ChannelId, StudioId, UserId};
use crate::contract::call_types::{Answered, CallHistoryPage, CallState, CallView, RoomAccess};
use crate::contract::ApiError;

/// Starts a call in the channel (or joins its live one). DIRECT rings the
/// other member, GROUP every member, PARISH the `invitees` given.
#[server(prefix = "/api", endpoint = "initiate_call", input = Wire, output = Wire)]
pub async fn initiate_call(
    channel_id: ChannelId,
    invitees: Option<Vec<UserId>>,
) -> Result<CallView, ApiError> {
    use crate::server::{calls::ops, request};
    let (state, me) = request::viewer().await?;
    Ok(ops::initiate_call(&state, &me.user, channel_id, invitees).await?)
}

#[server(prefix = "/api", endpoint = "answer_call", input = Wire, output = Wire)]
pub async fn answer_call(call_id: CallId) -> Result<CallView, ApiError> {
    use crate::server::{calls::ops, request};
    let (state, me) = request::viewer().await?;
    Ok(ops::answer_call(&state, &me.user, call_id).await?)
}

/// Answers, and returns the token for the call's room with the call: what
/// a client does next anyway, without a second round trip before its
/// audio can start.
#[server(prefix = "/api", endpoint = "answer_and_join", input = Wire, output = Wire)]
pub async fn answer_and_join(call_id: CallId) -> Result<Answered, ApiError> {
    use crate::server::calls::{ops, rooms};
    use crate::server::request;
    let (state, me) = request::viewer().await?;
    let call = ops::answer_call(&state, &me.user, call_id).await?;
    let access = rooms::call_token(&state, &me.user, call_id, &request::headers()?).await?;
    Ok(Answered { call, access })
}

#[server(prefix = "/api", endpoint = "decline_call", input = Wire, output = Wire)]
pub async fn decline_call(call_id: CallId) -> Result<CallView, ApiError> {
    use crate::server::{calls::ops, request};
    let (state, me) = request::viewer().await?;
    Ok(ops::decline_call(&state, &me.user, call_id).await?)
}

/// The caller hangs up before anyone answered.
#[server(prefix = "/api", endpoint = "cancel_call", input = Wire, output = Wire)]
pub async fn cancel_call(call_id: CallId) -> Result<CallView, ApiError> {
    use crate::server::{calls::ops, request};
    let (state, me) = request::viewer().await?;
    Ok(ops::cancel_call(&state, &me.user, call_id).await?)
}

/// I leave; the call goes on for the others if it can.
#[server(prefix = "/api", endpoint = "leave_call", input = Wire, output = Wire)]
pub async fn leave_call(call_id: CallId) -> Result<CallView, ApiError> {
    use crate::server::{calls::ops, request};
    let (state, me) = request::viewer().await?;
    Ok(ops::leave_call(&state, &me.user, call_id).await?)
}

/// Ends the call for everyone: the caller, or a coordinator/admin.
#[server(prefix = "/api", endpoint = "end_call", input = Wire, output = Wire)]
pub async fn end_call(call_id: CallId) -> Result<CallView, ApiError> {
    use crate::server::{calls::ops, request};
    let (state, me) = request::viewer().await?;
    Ok(ops::end_call(&state, &me.user, call_id).await?)
}

#[server(prefix = "/api", endpoint = "add_participant", input = Wire, output = Wire)]
pub async fn add_participant(call_id: CallId, user_id: UserId) -> Result<CallView, ApiError> {
    use crate::server::{calls::ops, request};
    let (state, me) = request::viewer().await?;
    Ok(ops::add_participant(&state, &me.user, call_id, user_id).await?)
}

/// A coordinator/admin mutes (default) or unmutes someone.
#[server(prefix = "/api", endpoint = "mute_participant", input = Wire, output = Wire)]
pub async fn mute_participant(
    call_id: CallId,
    user_id: UserId,
    muted: Option<bool>,
) -> Result<CallView, ApiError> {
    use crate::server::{calls::ops, request};
    let (state, me) = request::viewer().await?;
    Ok(ops::mute_participant(&state, &me.user, call_id, user_id, muted.unwrap_or(true)).await?)
}

#[server(prefix = "/api", endpoint = "remove_participant", input = Wire, output = Wire)]
pub async fn remove_participant(call_id: CallId, user_id: UserId) -> Result<CallView, ApiError> {
    use crate::server::{calls::ops, request};
    let (state, me) = request::viewer().await?;
    Ok(ops::remove_participant(&state, &me.user, call_id, user_id).await?)
}

/// A short-lived token for the call's room, for a participant in the call.
#[server(prefix = "/api", endpoint = "call_token", input = Wire, output = Wire)]
pub async fn call_token(call_id: CallId) -> Result<RoomAccess, ApiError> {
    use crate::server::{calls::rooms, request};
    let (state, me) = request::viewer().await?;
    Ok(rooms::call_token(&state, &me.user, call_id, &request::headers()?).await?)
}

#[server(prefix = "/api", endpoint = "active_call", input = Wire, output = Wire)]
pub async fn active_call(channel_id: ChannelId) -> Result<Option<CallView>, ApiError> {
    use crate::server::{calls::queries, request};
    let (state, me) = request::viewer().await?;
    Ok(queries::active_call(&state, &me.user, channel_id).await?)
}

#[server(prefix = "/api", endpoint = "incoming_calls", input = Wire, output = Wire)]
pub async fn incoming_calls() -> Result<Vec<CallView>, ApiError> {
    use crate::server::{calls::queries, request};
    let (state, me) = request::viewer().await?;
    Ok(queries::incoming_calls(&state, &me.user).await?)
}

/// What rings me, the missed-calls badge, and the call I am connected in:
/// what a tab asks for when its live link opens.
#[server(prefix = "/api", endpoint = "my_calls", input = Wire, output = Wire)]
pub async fn my_calls() -> Result<CallState, ApiError> {
    use crate::server::{calls::queries, request};
    let (state, me) = request::viewer().await?;
    Ok(queries::call_state(&state, &me.user).await?)
}

/// The calls page's list: my latest calls, and first, if it is older than
/// those, the call a link pointed at (`/calls?callId=`).
#[server(prefix = "/api", endpoint = "calls_page", input = Wire, output = Wire)]
pub async fn calls_page(linked: Option<CallId>) -> Result<CallHistoryPage, ApiError> {
    use crate::server::{calls::queries, request};
    let (state, me) = request::viewer().await?;
    Ok(queries::calls_page(&state, &me.user, linked).await?)
}

/// A channel's calls, or mine without a channel; newest first.
#[server(prefix = "/api", endpoint = "call_history", input = Wire, output = Wire)]
pub async fn call_history(
    channel_id: Option<ChannelId>,
    before: Option<CallId>,
    limit: Option<u32>,
) -> Result<CallHistoryPage, ApiError> {
    use crate::server::{calls::queries, request};
    let (state, me) = request::viewer().await?;
    Ok(queries::call_history(&state, &me.user, channel_id, before, limit).await?)
}

#[server(prefix = "/api", endpoint = "remove_channel_member", input = Wire, output = Wire)]
pub async fn remove_channel_member(channel_id: ChannelId, user_id: UserId) -> Result<(), ApiError> {
    use crate::server::{calls::membership, request};
    let (state, me) = request::viewer().await?;
    Ok(membership::remove_channel_member(&state, &me.user, channel_id, user_id).await?)
}

#[server(prefix = "/api", endpoint = "remove_studio_member", input = Wire, output = Wire)]
pub async fn remove_studio_member(studio_id: StudioId, user_id: UserId) -> Result<(), ApiError> {
    use crate::server::{calls::membership, request};
    let (state, me) = request::viewer().await?;
    Ok(membership::remove_studio_member(&state, &me.user, studio_id, user_id).await?)
}

/// A token for the studio's drop-in voice room (opened on first join), for
/// a member of the studio.
#[server(prefix = "/api", endpoint = "join_studio_voice", input = Wire, output = Wire)]
pub async fn join_studio_voice(studio_id: StudioId) -> Result<RoomAccess, ApiError> {
    use crate::server::{calls::rooms, request};
    let (state, me) = request::viewer().await?;
    Ok(rooms::join_studio_room(&state, &me.user, studio_id, &request::headers()?).await?)
}

/// Calls that rang me unanswered since I last looked (the badge).
#[server(prefix = "/api", endpoint = "missed_calls", input = Wire, output = Wire)]
pub async fn missed_calls() -> Result<u32, ApiError> {
    use crate::server::{calls::queries, request};
    let (state, me) = request::viewer().await?;
    Ok(queries::missed_unseen(&state, &me.user).await?)
}

/// I have seen my calls: the badge clears.
#[server(prefix = "/api", endpoint = "mark_calls_seen", input = Wire, output = Wire)]
pub async fn mark_calls_seen() -> Result<(), ApiError> {
    use crate::server::{calls::queries, request};
    let (state, me) = request::viewer().await?;
    Ok(queries::mark_calls_seen(&state, &me.user).await?)
}

/// One call by id (a notification's deep link): its state now.
#[server(prefix = "/api", endpoint = "get_call", input = Wire, output = Wire)]
pub async fn get_call(call_id: CallId) -> Result<CallView, ApiError> {
    use crate::server::{calls::queries, request};
    let (state, me) = request::viewer().await?;
    Ok(queries::get_call(&state, &me.user, call_id).await?)
}
