//! Builds the `CallView`s the browser sees.

use std::collections::HashMap;

use crate::calls::ids::UserId;
use crate::calls::CallState;
use crate::contract::call_types::{CallParticipantView, CallView};
use crate::contract::types::{ChannelKind, UserView};
use crate::server::db::channels::ChannelRow;
use crate::server::error::{AppError, AppResult};
use crate::server::state::AppState;

pub async fn call_view(
    state: &AppState,
    call: &CallState,
    channel: &ChannelRow,
) -> AppResult<CallView> {
    let mut ids: Vec<UserId> = call.participants.iter().map(|p| p.user).collect();
    ids.push(call.initiator);
    let people: HashMap<UserId, UserView> = state.people.get_many(&state.db, &ids).await?;
    let person = |id: UserId| {
        people
            .get(&id)
            .cloned()
            .ok_or_else(|| AppError::internal(format!("call {} names unknown user {id}", call.id)))
    };
    let participants = call
        .participants
        .iter()
        .map(|p| {
            Ok(CallParticipantView {
                user: person(p.user)?,
                status: p.status,
                decline_reason: p.decline_reason,
                joined_at: p.joined_at,
                left_at: p.left_at,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(CallView {
        id: call.id,
        channel_id: call.channel,
        channel_kind: channel.kind,
        channel_name: if channel.kind == ChannelKind::Direct {
            String::new()
        } else {
            channel.name.clone()
        },
        kind: call.kind,
        status: call.status,
        initiator: person(call.initiator)?,
        created_at: call.created_at,
        started_at: call.started_at,
        ended_at: call.ended_at,
        duration_ms: call.duration_ms(),
        end_reason: call.end_reason,
        participants,
    })
}
