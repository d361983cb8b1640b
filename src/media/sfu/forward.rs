//! Forwarding: a publisher's audio to everyone else in the room, and the
//! speaking levels heard on the way.

use std::collections::HashMap;
use std::time::Instant;

use str0m::media::MediaData;

use super::{SessionId, Sfu, SfuOutput, Signal, SPEAKERS_EVERY, SPEAKING_LEVEL};

impl Sfu {
    pub(super) fn forward(&mut self, id: SessionId, now: Instant, data: MediaData) {
        let Some(p) = self.participants.get_mut(&id) else {
            return;
        };
        let Some(track) = p.tracks.iter().find(|t| t.mid == Some(data.mid)) else {
            return;
        };
        if track.muted {
            return;
        }
        let track_sid = track.sid.clone();
        let room = p.room.clone();
        // RFC 6464: -dBov, 0 loudest, 127 silence.
        let dbov = data.ext_vals.audio_level.unwrap_or(-127);
        let level = 10f32.powf(f32::from(dbov) / 20.0);
        if level > p.level
            || p.heard_at
                .is_none_or(|t| now.duration_since(t) > SPEAKERS_EVERY)
        {
            p.level = level;
            p.heard_at = Some(now);
        }
        let Some(members) = self.rooms.get(&room) else {
            return;
        };
        for other in members.iter().filter(|o| **o != id) {
            let Some(q) = self.participants.get_mut(other) else {
                continue;
            };
            let Some(mid) = q.down.get(&track_sid).copied() else {
                continue;
            };
            let Some(writer) = q.subscriber.writer(mid) else {
                continue;
            };
            let Some(pt) = writer.match_params(data.params) else {
                continue;
            };
            let writer = match data.ext_vals.audio_level {
                Some(l) => writer.audio_level(l, data.ext_vals.voice_activity.unwrap_or(true)),
                None => writer,
            };
            // A subscriber not connected yet drops the packet; that is fine.
            let _ = writer.write(pt, data.network_time, data.time, data.data.clone());
            self.dirty.push(*other);
        }
    }

    /// Reports speaking levels to each room, at most every 500 ms.
    pub(super) fn speakers(&mut self, now: Instant) {
        if self
            .last_speakers
            .is_some_and(|t| now.duration_since(t) < SPEAKERS_EVERY)
        {
            return;
        }
        self.last_speakers = Some(now);
        let mut rooms: HashMap<String, Vec<(String, f32, bool)>> = HashMap::new();
        for p in self.participants.values_mut() {
            let fresh = p
                .heard_at
                .is_some_and(|t| now.duration_since(t) <= SPEAKERS_EVERY * 2);
            let level = if fresh { p.level } else { 0.0 };
            p.level = 0.0;
            rooms.entry(p.room.clone()).or_default().push((
                p.sid.clone(),
                level,
                level >= SPEAKING_LEVEL,
            ));
        }
        for (room, levels) in rooms {
            for id in self.sessions_in(&room) {
                self.outputs
                    .push(SfuOutput::Signal(id, Signal::Speakers(levels.clone())));
            }
        }
    }
}
