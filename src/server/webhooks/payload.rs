//! What each event says: the call (or studio room) in the roadmaps'
//! camelCase, and who it is about.

use serde_json::{json, Value};

use super::emit;
use crate::calls::CallChange;
use crate::contract::call_types::CallView;
use crate::contract::ids::{CommunityId, StudioId, UserId};
use crate::contract::types::UserView;
use crate::server::db::webhooks as hooks_db;
use crate::server::state::AppState;

fn person(u: &UserView) -> Value {
    json!({"id": u.id, "username": u.username, "displayName": u.display_name})
}

fn call_json(call: &CallView) -> Value {
    json!({
        "id": call.id,
        "channelId": call.channel_id,
        "kind": call.kind,
        "status": call.status,
        "initiator": person(&call.initiator),
        "createdAt": call.created_at,
        "startedAt": call.started_at,
        "endedAt": call.ended_at,
        "durationMs": call.duration_ms,
        "endReason": call.end_reason,
        "participants": call.participants.iter().map(|p| json!({
            "user": person(&p.user),
            "status": p.status,
            "joinedAt": p.joined_at,
            "leftAt": p.left_at,
        })).collect::<Vec<_>>(),
    })
}

fn people(call: &CallView, users: &[UserId]) -> Vec<Value> {
    users
        .iter()
        .filter_map(|u| call.participant(*u).map(|p| person(&p.user)))
        .collect()
}

/// The webhook events a call's transition makes: one per change that a
/// host app follows, and `call.ended` when the call is over.
pub async fn call_event(state: &AppState, call: &CallView, changes: &[CallChange], over: bool) {
    // A deployment without hooks (most) reads nothing more for them.
    if !state.webhooks.any(state).await {
        return;
    }
    let mut events: Vec<(&str, Vec<Value>)> = Vec::new();
    for change in changes {
        match change {
            CallChange::Incoming { users } => events.push(("call.ringing", people(call, users))),
            CallChange::Answered { user } => events.push(("call.answered", people(call, &[*user]))),
            CallChange::Declined { user } => events.push(("call.declined", people(call, &[*user]))),
            CallChange::Missed { users } => events.push(("call.missed", people(call, users))),
            _ => {}
        }
    }
    if over {
        events.push(("call.ended", Vec::new()));
    }
    if events.is_empty() {
        return;
    }
    let community = match hooks_db::community_of_channel(&state.db, call.channel_id).await {
        Ok(Some(c)) => c,
        Ok(None) => return,
        Err(e) => return tracing::warn!(call = %call.id, "webhook community: {e}"),
    };
    for (event, users) in events {
        let data = json!({"call": call_json(call), "users": users});
        emit(state, &[community], event, data).await;
    }
}

/// `studio.voice.joined` or `.left`: to the hooks of the communities the
/// studio's owner is in (a studio belongs to its owner, not a community).
pub async fn studio_event(
    state: &AppState,
    studio: StudioId,
    room: &str,
    owner: UserId,
    who: UserId,
    joined: bool,
) {
    if !state.webhooks.any(state).await {
        return;
    }
    let communities: Vec<CommunityId> = match hooks_db::communities_of_user(&state.db, owner).await
    {
        Ok(c) => c,
        Err(e) => return tracing::warn!(%studio, "webhook communities: {e}"),
    };
    let user = match state.people.get_many(&state.db, &[who]).await {
        Ok(found) => found.get(&who).map(person),
        Err(_) => None,
    };
    let event = if joined {
        "studio.voice.joined"
    } else {
        "studio.voice.left"
    };
    let data = json!({"studioId": studio, "roomName": room, "user": user});
    emit(state, &communities, event, data).await;
}
