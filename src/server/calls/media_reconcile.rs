//! LiveKit mode's reconcile pass: webhooks are late, out of order or lost,
//! so every few seconds while calls are live each live call's room is
//! listed (ListParticipants) and call control corrected: someone it counts
//! as connected who is not in the room has left; someone in the room whom
//! it does not count has joined; someone in the room whom it does not
//! admit is removed, their tokens for the room revoked; someone a
//! moderator muted is muted again if their track came back on.

use std::collections::HashSet;

use livekit_protocol::participant_info::State as LiveState;

use super::admission::CallGate;
use crate::calls::ParticipantStatus;
use crate::media::admission::{Admission, Gate, Refusal};
use crate::server::db::calls as calls_db;
use crate::server::livekit_webhook::tell;
use crate::server::media_link::LiveKitLink;
use crate::server::state::AppState;

type Key = (String, String);

/// Someone who answered has this long to appear in the room before a pass
/// that never saw them there counts them gone (a slow phone still
/// connecting is not a departure).
const TO_APPEAR_MS: i64 = 30_000;

/// What the passes remember between them.
#[derive(Default)]
pub struct Memory {
    /// Departures already reported (so each is reported once, and its
    /// grace is not restarted by every pass).
    gone: HashSet<Key>,
    /// People a pass has seen in their room.
    seen: HashSet<Key>,
}

/// Runs the pass every `BELFRY_LIVEKIT_RECONCILE_SECONDS`, for as long as
/// the server runs.
pub fn start(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(state.config.media.reconcile_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut memory = Memory::default();
        loop {
            tick.tick().await;
            if let Err(e) = pass(&state, &mut memory).await {
                tracing::warn!("reconciling calls with LiveKit: {e}");
            }
        }
    });
}

/// One pass over every live call.
pub async fn pass(state: &AppState, memory: &mut Memory) -> Result<(), String> {
    let Some(link) = state.livekit.clone() else {
        return Ok(());
    };
    let ids = calls_db::live_ids(&state.db)
        .await
        .map_err(|e| e.to_string())?;
    let mut live_rooms = HashSet::new();
    for id in ids {
        let Ok(Some(call)) = calls_db::load(&state.db, id).await else {
            continue;
        };
        let room = call.room_name.clone();
        live_rooms.insert(room.clone());
        let people = match link.service.list_participants(&room).await {
            Ok(people) => people,
            Err(e) if e.is_not_found() => Vec::new(),
            Err(e) => {
                tracing::debug!(room, "listing a room's participants: {e}");
                continue;
            }
        };
        let here: HashSet<String> = (people.iter())
            .filter(|p| p.state != LiveState::Disconnected as i32)
            .map(|p| p.identity.clone())
            .collect();
        let gate = CallGate {
            db: state.db.clone(),
        };
        for person in people.iter().filter(|p| here.contains(&p.identity)) {
            let identity = &person.identity;
            let key = (room.clone(), identity.clone());
            // Seen in the room, whatever call control answers below (a
            // moment's database trouble included): their leaving is then
            // noticed at once, not only after TO_APPEAR_MS.
            memory.seen.insert(key.clone());
            match gate.admit(&room, identity).await {
                Admission::Refused(Refusal::Unavailable) => continue,
                Admission::Refused(why) => {
                    link.turn_away(&room, identity, why).await;
                    continue;
                }
                Admission::Admitted { held } => {
                    if held {
                        hold(&link, &room, person).await;
                    }
                }
            }
            let connected = identity
                .parse::<i64>()
                .ok()
                .and_then(|u| call.state.participant(crate::calls::ids::UserId(u)))
                .is_some_and(|p| p.status == ParticipantStatus::Connected);
            if memory.gone.remove(&key) || !connected {
                tell(state, room.clone(), identity.clone(), true);
            }
        }
        let now = crate::server::db::now_ms();
        for p in &call.state.participants {
            let identity = p.user.to_string();
            let key = (room.clone(), identity.clone());
            let expected =
                memory.seen.contains(&key) || p.joined_at.is_some_and(|at| now - at > TO_APPEAR_MS);
            if p.status == ParticipantStatus::Connected
                && !here.contains(&identity)
                && expected
                && memory.gone.insert(key)
            {
                tell(state, room.clone(), identity, false);
            }
        }
    }
    memory.gone.retain(|(room, _)| live_rooms.contains(room));
    memory.seen.retain(|(room, _)| live_rooms.contains(room));
    Ok(())
}

/// A moderator's mute holds in LiveKit too: LiveKit lets a participant
/// unmute a track the server muted, so each pass mutes again any audio
/// track of a held participant that is live.
async fn hold(link: &LiveKitLink, room: &str, person: &livekit_protocol::ParticipantInfo) {
    let audio = livekit_protocol::TrackType::Audio as i32;
    for track in (person.tracks.iter()).filter(|t| t.r#type == audio && !t.muted) {
        tracing::info!(
            room,
            identity = person.identity,
            "muting a held participant again"
        );
        if let Err(e) = (link.service)
            .mute_track(room, &person.identity, &track.sid, true)
            .await
        {
            tracing::debug!(room, "muting a held participant: {e}");
        }
    }
}
