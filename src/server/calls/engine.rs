//! Applies call events: read the call, run the pure transition, save it if
//! nobody else wrote in between (else read again and re-apply), then carry
//! out the effects: live events, timers, media commands, the chat summary.

use super::{timers, views};
use crate::api::events::LiveEvent;
use crate::calls::ids::CallId;
use crate::calls::{apply, CallEvent, Effect, Transition};
use crate::media::control::MediaCommand;
use crate::server::db::calls::{self as calls_db, StoredCall};
use crate::server::db::{self, channels, messages};
use crate::server::error::{AppError, AppResult};
use crate::server::state::AppState;

/// Attempts before a transition gives up on a call too busy to write.
const MAX_ATTEMPTS: usize = 16;

pub async fn load(state: &AppState, call: CallId) -> AppResult<StoredCall> {
    calls_db::load(&state.db, call)
        .await?
        .ok_or_else(|| AppError::not_found("No such call."))
}

/// Applies `event` to the call and returns the call as saved.
pub async fn transition(state: &AppState, call: CallId, event: CallEvent) -> AppResult<StoredCall> {
    for _ in 0..MAX_ATTEMPTS {
        let stored = load(state, call).await?;
        let t = apply(&stored.state, &event, db::now_ms())?;
        if t.changes.is_empty() && t.effects.is_empty() {
            return Ok(stored);
        }
        if calls_db::save(&state.db, &t.state, stored.version).await? {
            let saved = StoredCall {
                state: t.state.clone(),
                version: stored.version + 1,
                room_name: stored.room_name,
            };
            carry_out(state, &saved, &t).await;
            return Ok(saved);
        }
        // Another transition won the race: read again and re-apply.
        tokio::task::yield_now().await;
    }
    Err(AppError::internal(format!("call {call} stayed contended")))
}

/// Carries out a saved transition's effects. Failures here are logged: the
/// call's state is already committed and is what matters.
pub async fn carry_out(state: &AppState, call: &StoredCall, t: &Transition) {
    if !t.changes.is_empty() {
        if let Err(e) = notify(state, call, t).await {
            tracing::warn!(call = %call.state.id, "notifying a call change: {e}");
        }
    }
    for effect in &t.effects {
        match effect {
            // The live event carries these to open tabs; web push will too.
            Effect::Ring { .. } | Effect::StopRinging { .. } => {}
            Effect::ScheduleExpiry { at } => timers::schedule(state.clone(), call.state.id, *at),
            Effect::Evict { user } => state.media.send(MediaCommand::Evict {
                room: call.room_name.clone(),
                user: *user,
            }),
            Effect::CloseRoom => state.media.send(MediaCommand::CloseRoom {
                room: call.room_name.clone(),
            }),
            Effect::PostSummary => {
                if let Err(e) = post_summary(state, call).await {
                    tracing::warn!(call = %call.state.id, "posting a call summary: {e}");
                }
            }
        }
    }
}

/// Everyone involved, and everyone who can see the channel, hears of it.
async fn notify(state: &AppState, call: &StoredCall, t: &Transition) -> AppResult<()> {
    let view = views::call_view(state, &call.state).await?;
    let mut recipients = call.state.involved();
    if let Some(channel) = channels::find(&state.db, call.state.channel).await? {
        recipients.extend(channels::member_ids(&state.db, &channel).await?);
    }
    recipients.sort();
    recipients.dedup();
    state.live.publish(
        recipients,
        LiveEvent::Call {
            call: Box::new(view),
            changes: t.changes.clone(),
        },
    );
    Ok(())
}

async fn post_summary(state: &AppState, call: &StoredCall) -> AppResult<()> {
    let Some(text) = crate::calls::summary::timeline_text(&call.state) else {
        return Ok(());
    };
    let c = &call.state;
    let posted =
        messages::insert_call_summary(&state.db, c.channel, c.initiator, &text, c.id).await?;
    if let (Some(message), Some(channel)) = (posted, channels::find(&state.db, c.channel).await?) {
        let members = channels::member_ids(&state.db, &channel).await?;
        state
            .live
            .publish(members, LiveEvent::MessagePosted { message });
    }
    Ok(())
}
