//! Forwarding: a publisher's audio to everyone else in the room, and the
//! speaking levels heard on the way.

use std::collections::HashMap;
use std::time::Instant;

use str0m::rtp::{Extension, ExtensionValues, RtpPacket, RtpWrite};

use super::egress::Packet;

use super::{RoomId, SessionId, Sfu, SfuOutput, Signal, SPEAKERS_EVERY, SPEAKING_LEVEL};

/// RFC 6464's level for silence (-dBov; 0 is loudest).
const SILENCE_DBOV: i8 = -127;

impl Sfu {
    /// A publisher's RTP packet, to every subscriber of its track: the same
    /// payload (shared, not copied), timestamp and marker, renumbered for
    /// each subscriber, with the audio level kept.
    pub(super) fn forward(&mut self, id: SessionId, now: Instant, packet: RtpPacket) {
        let Some(p) = self.participants.get_mut(&id) else {
            return;
        };
        let ssrc = packet.header.ssrc;
        let Some(mid) = p.publisher.direct_api().stream_rx(&ssrc).map(|s| s.mid()) else {
            return;
        };
        let Some(track) = p.tracks.iter_mut().find(|t| t.mid == Some(mid)) else {
            return;
        };
        if track.muted {
            track.held_back += 1;
            return;
        }
        let seq = packet.seq_no.saturating_sub(track.held_back);
        let track_sid = track.sid.clone();
        let room = p.room.clone();
        let ext = packet.header.ext_vals;
        // RFC 6464: -dBov, 0 loudest, 127 silence.
        let dbov = ext.audio_level.unwrap_or(SILENCE_DBOV);
        let level = 10f32.powf(f32::from(dbov) / 20.0);
        if level > p.level
            || p.heard_at
                .is_none_or(|t| now.duration_since(t) > SPEAKERS_EVERY)
        {
            p.level = level;
            p.heard_at = Some(now);
        }
        let forwarded = ExtensionValues {
            audio_level: ext.audio_level,
            voice_activity: ext.audio_level.map(|_| ext.voice_activity.unwrap_or(true)),
            ..Default::default()
        };
        let own_egress = self.own_egress;
        let Some(members) = self.rooms.get(&room) else {
            return;
        };
        for other in members.iter().filter(|o| **o != id) {
            let Some(q) = self.participants.get_mut(other) else {
                continue;
            };
            // Not connected yet: dropped, not queued to arrive stale.
            if !q.subscriber.is_connected() {
                continue;
            }
            let Some(down) = q.down.get_mut(&track_sid) else {
                continue;
            };
            let media = q.subscriber.media(down.mid);
            let Some(pt) = media.and_then(|m| m.remote_pts().first().copied()) else {
                continue; // Not negotiated yet.
            };
            let level_id = media.and_then(|m| m.remote_extmap().id_of(Extension::AudioLevel));
            // Older than this subscriber's first packet: nothing to number it.
            let Some(number) = down.number(seq) else {
                continue;
            };
            let mid = down.mid;
            let mut api = q.subscriber.direct_api();
            let Some(stream) = api.stream_tx_by_mid(mid, None) else {
                continue;
            };
            let seal_here = own_egress && down.primed;
            down.primed = true;
            let sealed = seal_here.then(|| {
                q.egress.seal(&Packet {
                    pt: *pt,
                    marker: packet.header.marker,
                    seq: number,
                    timestamp: packet.header.timestamp,
                    ssrc: *stream.ssrc(),
                    level: level_id.zip(ext.audio_level).map(|(id, dbov)| {
                        let voice = forwarded.voice_activity.unwrap_or(true);
                        (id, dbov.unsigned_abs(), voice)
                    }),
                    payload: &packet.payload,
                })
            });
            if let Some(transmit) = sealed.flatten() {
                self.outputs.push(SfuOutput::Transmit(transmit));
                continue;
            }
            let write = RtpWrite::new(
                pt,
                number.into(),
                packet.header.timestamp,
                packet.timestamp,
                packet.payload.clone(),
            )
            .marker(packet.header.marker)
            .ext_vals(forwarded.clone());
            stream.write_rtp(write);
            if !q.written {
                q.written = true;
                self.dirty.push(*other);
            }
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
        let mut rooms: HashMap<RoomId, Vec<(String, f32, bool)>> = HashMap::new();
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
