//! Call control follows the media server: someone who connects to a call's
//! room is in the call; someone whose connection is gone (left, or their tab
//! died) and who does not come back within `GRACE` has left it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::engine;
use crate::calls::ids::UserId;
use crate::calls::CallEvent;
use crate::media::driver::PresenceChange;
use crate::server::db::calls as calls_db;
use crate::server::error::AppError;
use crate::server::state::AppState;

/// How long a dropped connection has to come back (a full reconnect takes a
/// few seconds) before the call counts the person as gone.
pub const GRACE: Duration = Duration::from_secs(5);

type Key = (String, String);

/// Applies the media server's reports to calls, for as long as it runs.
pub fn follow(state: AppState, mut changes: mpsc::UnboundedReceiver<PresenceChange>) {
    tokio::spawn(async move {
        // Each coming or going bumps the person's generation in that room: a
        // departure is applied only if nothing happened since. A second
        // report of the same departure (a webhook and the reconcile pass)
        // leaves the first one's grace running.
        let generations: Arc<Mutex<HashMap<Key, (u64, bool)>>> = Arc::default();
        while let Some(change) = changes.recv().await {
            let key = (
                change.presence.room.clone(),
                change.presence.identity.clone(),
            );
            let generation = {
                let mut all = generations.lock().unwrap_or_else(|e| e.into_inner());
                let (g, leaving) = all.entry(key.clone()).or_default();
                if *leaving && !change.joined {
                    continue;
                }
                *g += 1;
                *leaving = !change.joined;
                *g
            };
            if change.joined {
                apply(&state, &key, true).await;
                continue;
            }
            let (state, generations) = (state.clone(), generations.clone());
            tokio::spawn(async move {
                tokio::time::sleep(GRACE).await;
                let current = {
                    let mut all = generations.lock().unwrap_or_else(|e| e.into_inner());
                    let current = all.get(&key).map(|(g, _)| *g);
                    if current == Some(generation) {
                        all.remove(&key);
                    }
                    current
                };
                if current == Some(generation) {
                    apply(&state, &key, false).await;
                }
            });
        }
    });
}

async fn apply(state: &AppState, (room, identity): &Key, joined: bool) {
    let Ok(user) = identity.parse::<i64>().map(UserId) else {
        return; // Not one of ours (a studio guest, a test client).
    };
    // A write that fails (the database busy or away) is tried again a few
    // times with backoff: a departure dropped here would leave someone
    // counted as in the call.
    const TRIES: u32 = 6;
    let mut wait = Duration::from_millis(250);
    for attempt in 1..=TRIES {
        let Err(e) = try_apply(state, room, user, joined).await else {
            return;
        };
        if attempt == TRIES {
            tracing::warn!(room, %user, joined, "media presence given up after {TRIES} tries: {e}");
            return;
        }
        if attempt == 1 {
            tracing::warn!(room, %user, joined, "media presence not applied yet; retrying: {e}");
        }
        tokio::time::sleep(wait).await;
        wait *= 2;
    }
}

/// Someone came to or left a studio's voice room (or a room of a call
/// already over, which says nothing): the studio's webhooks hear it.
async fn studio_presence(
    state: &AppState,
    room: &str,
    user: UserId,
    joined: bool,
) -> Result<(), String> {
    let found = crate::server::db::studio_rooms::by_room(&state.db, room)
        .await
        .map_err(|e| format!("finding the studio of a media room: {e}"))?;
    if let Some((studio, owner)) = found {
        crate::server::webhooks::studio_event(state, studio, room, owner, user, joined).await;
    }
    Ok(())
}

/// Applies one coming or going; `Err` only for a failure worth retrying
/// (a refusal by the call's rules is final).
async fn try_apply(state: &AppState, room: &str, user: UserId, joined: bool) -> Result<(), String> {
    let call = match calls_db::live_by_room(&state.db, room).await {
        Ok(Some(call)) => call,
        Ok(None) => return studio_presence(state, room, user, joined).await,
        Err(e) => return Err(format!("finding the call of a media room: {e}")),
    };
    let event = if joined {
        CallEvent::MediaJoined { user }
    } else {
        CallEvent::MediaLeft { user }
    };
    match engine::transition(state, call, event).await {
        Ok(_) => Ok(()),
        Err(AppError::Rejected(e)) => {
            tracing::debug!(%call, %user, joined, "media presence not applied: {}", e.message);
            Ok(())
        }
        Err(e) => Err(e.to_string()),
    }
}
