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
    let call = match calls_db::live_by_room(&state.db, room).await {
        Ok(Some(call)) => call,
        Ok(None) => return, // A studio room, or a call already over.
        Err(e) => {
            tracing::warn!(room, "finding the call of a media room: {e}");
            return;
        }
    };
    let event = if joined {
        CallEvent::MediaJoined { user }
    } else {
        CallEvent::MediaLeft { user }
    };
    if let Err(e) = engine::transition(state, call, event).await {
        tracing::debug!(%call, %user, joined, "media presence not applied: {e}");
    }
}
