//! After a restart with the embedded SFU: the people a live call had
//! connected were connected to the previous process's SFU, which is gone.
//! Their browsers rejoin by themselves (told to, on SIGTERM; or on their
//! own, after a crash); whoever is not back in the room within
//! `rejoin_grace` has left, and a call with too few left ends, as when
//! anyone drops (`presence.rs`). Only with SQLite: one process is the whole
//! server, so an empty SFU here means nobody is in the call. (With
//! PostgreSQL and LiveKit, LiveKit's webhooks and the reconcile pass say who
//! is in a room.)

use super::engine::transition;
use crate::calls::{CallEvent, CallStatus, ParticipantStatus};
use crate::media::driver::{Admin, Command};
use crate::server::db::{self, calls as calls_db};
use crate::server::state::AppState;

pub fn await_returns(state: AppState) {
    let Some(host) = state.host.clone() else {
        return;
    };
    if !matches!(state.db, db::Db::Sqlite(_)) {
        return;
    }
    tokio::spawn(async move {
        let ids = match calls_db::live_ids(&state.db).await {
            Ok(ids) if !ids.is_empty() => ids,
            Ok(_) => return,
            Err(e) => {
                tracing::warn!("finding the calls left live by the previous run: {e}");
                return;
            }
        };
        tokio::time::sleep(state.config.rejoin_grace).await;
        for id in ids {
            let Ok(Some(call)) = calls_db::load(&state.db, id).await else {
                continue;
            };
            if call.state.status != CallStatus::Active {
                continue;
            }
            let room = call.room_name.clone();
            let present = host
                .server
                .ask(|reply| Command::Admin(Admin::Participants { room, reply }))
                .await
                .unwrap_or_default();
            let gone = (call.state.participants.iter())
                .filter(|p| p.status == ParticipantStatus::Connected)
                .filter(|p| !present.iter().any(|q| q.identity == p.user.to_string()))
                .map(|p| p.user);
            for user in gone.collect::<Vec<_>>() {
                if let Err(e) = transition(&state, id, CallEvent::MediaLeft { user }).await {
                    tracing::debug!(call = %id, %user, "not back after the restart: {e}");
                }
            }
        }
    });
}
