//! Reading calls: the channel's live call, what rings for me, history.

use super::engine::load;
use super::views::call_view;
use crate::calls::ids::{CallId, ChannelId};
use crate::calls::ParticipantStatus;
use crate::contract::call_types::{CallHistoryPage, CallState, CallView};
use crate::contract::types::UserView;
use crate::server::chat::channel_row_for;
use crate::server::db::{self, calls as calls_db, channels};
use crate::server::error::{AppError, AppResult};
use crate::server::state::AppState;

pub const DEFAULT_HISTORY: u32 = 20;
pub const MAX_HISTORY: u32 = 100;

/// The channel's live call, if any.
pub async fn active_call(
    state: &AppState,
    viewer: &UserView,
    channel: ChannelId,
) -> AppResult<Option<CallView>> {
    let row = channel_row_for(state, viewer, channel).await?;
    match calls_db::live_in_channel(&state.db, channel).await? {
        None => Ok(None),
        Some(id) => Ok(Some(
            call_view(state, &load(state, id).await?.state, &row).await?,
        )),
    }
}

async fn views(state: &AppState, ids: Vec<CallId>) -> AppResult<Vec<CallView>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let call = load(state, id).await?;
        let channel = channels::find(&state.db, call.state.channel)
            .await?
            .ok_or_else(|| AppError::internal(format!("call {id} has no channel")))?;
        out.push(call_view(state, &call.state, &channel).await?);
    }
    Ok(out)
}

/// Calls ringing for the viewer right now, newest first.
pub async fn incoming_calls(state: &AppState, viewer: &UserView) -> AppResult<Vec<CallView>> {
    views(
        state,
        calls_db::live_for_user(&state.db, viewer.id, true).await?,
    )
    .await
}

/// Live calls the viewer is in or rung by (the polling fallback).
pub async fn my_live_calls(state: &AppState, viewer: &UserView) -> AppResult<Vec<CallView>> {
    views(
        state,
        calls_db::live_for_user(&state.db, viewer.id, false).await?,
    )
    .await
}

/// How many calls the calls page lists.
const CALLS_PAGE_LENGTH: u32 = 50;

/// The calls page's list: the viewer's latest calls, and first, if those
/// do not hold it, the call a link pointed at (when the viewer may see it).
pub async fn calls_page(
    state: &AppState,
    viewer: &UserView,
    linked: Option<CallId>,
) -> AppResult<CallHistoryPage> {
    let mut page = call_history(state, viewer, None, None, Some(CALLS_PAGE_LENGTH)).await?;
    if let Some(id) = linked.filter(|id| !page.calls.iter().any(|c| c.id == *id)) {
        if let Ok(call) = get_call(state, viewer, id).await {
            page.calls.insert(0, call);
        }
    }
    Ok(page)
}

/// A channel's calls, or (without a channel) the viewer's own, newest first.
pub async fn call_history(
    state: &AppState,
    viewer: &UserView,
    channel: Option<ChannelId>,
    before: Option<CallId>,
    limit: Option<u32>,
) -> AppResult<CallHistoryPage> {
    let limit = limit.unwrap_or(DEFAULT_HISTORY);
    if !(1..=MAX_HISTORY).contains(&limit) {
        return Err(AppError::bad_request(format!(
            "A page holds 1 to {MAX_HISTORY} calls."
        )));
    }
    if let Some(channel) = channel {
        channel_row_for(state, viewer, channel).await?;
    }
    let ids = calls_db::history(&state.db, channel, viewer.id, before, limit).await?;
    let next_before = if ids.len() == limit as usize {
        ids.last().copied()
    } else {
        None
    };
    Ok(CallHistoryPage {
        calls: views(state, ids).await?,
        next_before,
    })
}

/// What rings me, my missed-calls count, and the live call I am connected
/// in, for a tab whose live link has just opened: one read of my live calls
/// gives the first and the last.
pub async fn call_state(state: &AppState, viewer: &UserView) -> AppResult<CallState> {
    let (incoming, others): (Vec<_>, Vec<_>) = my_live_calls(state, viewer)
        .await?
        .into_iter()
        .partition(|c| c.rings(viewer.id));
    let current = others.into_iter().find(|c| {
        c.participant(viewer.id)
            .is_some_and(|p| p.status == ParticipantStatus::Connected)
    });
    Ok(CallState {
        incoming,
        missed: missed_unseen(state, viewer).await?,
        current,
    })
}

/// How many calls rang me unanswered since I last looked at my calls.
pub async fn missed_unseen(state: &AppState, viewer: &UserView) -> AppResult<u32> {
    let n = db::missed::unseen(&state.db, viewer.id).await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// I looked at my calls: the missed ones so far are seen.
pub async fn mark_calls_seen(state: &AppState, viewer: &UserView) -> AppResult<()> {
    db::missed::mark_seen(&state.db, viewer.id, db::now_ms()).await?;
    Ok(())
}

/// One call, for its deep link (`/?callId=`): anyone who may see its
/// channel may see it.
pub async fn get_call(state: &AppState, viewer: &UserView, call: CallId) -> AppResult<CallView> {
    let access = super::ops::visible_call(state, viewer, call).await?;
    call_view(state, &access.call.state, &access.channel).await
}
