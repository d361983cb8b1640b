//! Applies call events: run the pure transition on the call as read, save it
//! if nobody else wrote in between (else read again and re-apply), then carry
//! out the effects: live events, timers, media commands, the chat summary.
//!
//! Every statement costs a hop to SQLite's worker thread, so the engine
//! reuses what the caller already read (the call, its channel) and returns
//! the view it built for the live event.

use super::{timers, views};
use crate::calls::ids::{CallId, MessageId, UserId};
use crate::calls::{apply, CallEvent, Effect, Transition};
use crate::contract::call_types::CallView;
use crate::contract::events::LiveEvent;
use crate::contract::types::{MessageKind, MessageView};
use crate::media::control::MediaCommand;
use crate::server::db::calls::{self as calls_db, StoredCall};
use crate::server::db::channels::{self, ChannelRow};
use crate::server::db::{self, messages};
use crate::server::error::{AppError, AppResult};
use crate::server::state::AppState;

/// Attempts before a transition gives up on a call too busy to write.
const MAX_ATTEMPTS: usize = 16;

/// A call after a transition, and its view.
pub struct Outcome {
    pub call: StoredCall,
    pub view: CallView,
}

pub async fn load(state: &AppState, call: CallId) -> AppResult<StoredCall> {
    calls_db::load(&state.db, call)
        .await?
        .ok_or_else(|| AppError::not_found("No such call."))
}

async fn channel_of(state: &AppState, call: &StoredCall) -> AppResult<ChannelRow> {
    channels::find(&state.db, call.state.channel)
        .await?
        .ok_or_else(|| AppError::internal(format!("call {} has no channel", call.state.id)))
}

/// Applies `event` to the call (reading it first).
pub async fn transition(state: &AppState, call: CallId, event: CallEvent) -> AppResult<Outcome> {
    let stored = load(state, call).await?;
    let channel = channel_of(state, &stored).await?;
    transition_from(state, stored, &channel, None, event).await
}

/// Applies `event` to a call the caller has just read (with the channel's
/// members, when the caller read those too).
pub async fn transition_from(
    state: &AppState,
    mut stored: StoredCall,
    channel: &ChannelRow,
    members: Option<&[UserId]>,
    event: CallEvent,
) -> AppResult<Outcome> {
    for _ in 0..MAX_ATTEMPTS {
        let t = apply(&stored.state, &event, db::now_ms())?;
        if t.changes.is_empty() && t.effects.is_empty() {
            let view = views::call_view(state, &stored.state, channel).await?;
            return Ok(Outcome { call: stored, view });
        }
        let changed: Vec<_> = (t.state.participants.iter())
            .filter(|p| !stored.state.participants.contains(p))
            .cloned()
            .collect();
        let summary = t
            .effects
            .contains(&Effect::PostSummary)
            .then(|| crate::calls::summary::timeline_text(&t.state))
            .flatten()
            .map(|body| Posted {
                id: None,
                body,
                at: db::now_ms(),
            });
        let request = summary.as_ref().map(|s| calls_db::Summary {
            author: t.state.initiator,
            body: &s.body,
            at: s.at,
        });
        let saved = calls_db::save(&state.db, &t.state, stored.version, &changed, request).await?;
        if let Some(saved) = saved {
            let posted = summary.map(|s| Posted {
                id: saved.summary,
                ..s
            });
            let call = StoredCall {
                state: t.state.clone(),
                version: stored.version + 1,
                room_name: stored.room_name,
            };
            let view = carry_out(state, &call, channel, &t, members, posted).await?;
            return Ok(Outcome { call, view });
        }
        // Another transition won the race: read again and re-apply.
        stored = load(state, stored.state.id).await?;
    }
    Err(AppError::internal(format!(
        "call {} stayed contended",
        stored.state.id
    )))
}

/// The chat summary a save wrote with the call (`id` is `None` when the
/// call already had one).
pub struct Posted {
    pub id: Option<MessageId>,
    pub body: String,
    pub at: i64,
}

/// Carries out a saved transition: tells everyone involved and everyone in
/// the channel, then the other effects. The state is already committed, so
/// a failing side effect is logged rather than undoing anything.
pub async fn carry_out(
    state: &AppState,
    call: &StoredCall,
    channel: &ChannelRow,
    t: &Transition,
    members: Option<&[UserId]>,
    mut posted: Option<Posted>,
) -> AppResult<CallView> {
    let view = views::call_view(state, &call.state, channel).await?;
    let mut recipients = call.state.involved();
    match members {
        Some(members) => recipients.extend_from_slice(members),
        None => recipients.extend(channels::member_ids(&state.db, channel).await?),
    }
    recipients.sort();
    recipients.dedup();
    if !t.changes.is_empty() {
        state.live.publish(
            recipients.iter().copied(),
            LiveEvent::Call {
                call: Box::new(view.clone()),
                changes: t.changes.clone(),
            },
        );
        // Host apps' webhooks, queued in order with the change.
        let over = (t.changes.iter()).any(|c| matches!(c, crate::calls::CallChange::Ended { .. }));
        crate::server::webhooks::call_event(state, &view, &t.changes, over).await;
    }
    for effect in &t.effects {
        match effect {
            // The live event rings open tabs; web push rings closed ones.
            Effect::Ring { users } => {
                let deadlines = (users.iter())
                    .map(|u| (*u, call.state.participant(*u).and_then(|p| p.ring_deadline)))
                    .collect();
                state.push.ring(&view, deadlines);
            }
            Effect::StopRinging { users } => {
                if !users.is_empty() {
                    state.push.stop(&view, users.clone());
                }
            }
            Effect::ScheduleExpiry { at } => timers::schedule(state.clone(), call.state.id, *at),
            Effect::Evict { user } => state.media.send(MediaCommand::Evict {
                room: call.room_name.clone(),
                user: *user,
            }),
            Effect::CloseRoom => state.media.send(MediaCommand::CloseRoom {
                room: call.room_name.clone(),
            }),
            Effect::PostSummary => {
                let posted = match posted.take() {
                    Some(posted) => Ok(Some(posted)),
                    None => insert_summary(state, call).await,
                };
                match posted {
                    Ok(Some(p)) => announce_summary(state, call, &view, &recipients, p),
                    Ok(None) => {}
                    Err(e) => tracing::warn!(call = %call.state.id, "posting a call summary: {e}"),
                }
            }
        }
    }
    Ok(view)
}

/// Posts the summary of a call whose save did not (a call that ended as it
/// started, such as a 1:1 call to someone busy).
async fn insert_summary(state: &AppState, call: &StoredCall) -> AppResult<Option<Posted>> {
    let c = &call.state;
    let Some(body) = crate::calls::summary::timeline_text(c) else {
        return Ok(None);
    };
    let inserted =
        messages::insert_call_summary(&state.db, c.channel, c.initiator, &body, c.id).await?;
    Ok(inserted.map(|(id, at)| Posted {
        id: Some(id),
        body,
        at,
    }))
}

/// Tells the channel's members about a summary message just written.
fn announce_summary(
    state: &AppState,
    call: &StoredCall,
    view: &CallView,
    members: &[UserId],
    posted: Posted,
) {
    let Some(id) = posted.id else {
        return;
    };
    let c = &call.state;
    let message = MessageView {
        id,
        channel_id: c.channel,
        author: Some(view.initiator.clone()),
        body: posted.body,
        created_at: posted.at,
        client_nonce: None,
        kind: MessageKind::Call,
        call_id: Some(c.id),
    };
    state.live.publish(
        members.iter().copied(),
        LiveEvent::MessagePosted { message },
    );
}
