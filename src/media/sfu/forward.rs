//! Forwarding: a publisher's audio to everyone else in the room, and the
//! speaking levels heard on the way.

use std::collections::HashMap;
use std::time::Instant;

use str0m::rtp::{Extension, ExtensionValues, RtpPacket, RtpWrite};

use super::egress::Packet;
use super::participant::Participant;
use super::red::{self, Body, Frame};

use super::{RoomId, SessionId, Sfu, SfuOutput, Signal, TrackSid, SPEAKERS_EVERY, SPEAKING_LEVEL};

/// RFC 6464's level for silence (-dBov; 0 is loudest).
const SILENCE_DBOV: i8 = -127;

impl Sfu {
    /// A publisher's RTP packet, to every subscriber of its track: the same
    /// payload (shared, not copied), timestamp and marker, renumbered for
    /// each subscriber, with the audio level kept. A RED packet also fills
    /// the packets lost before it from its redundant frames (red.rs).
    pub(super) fn forward(&mut self, id: SessionId, now: Instant, packet: RtpPacket) {
        let Some(p) = self.participants.get_mut(&id) else {
            return;
        };
        let ssrc = packet.header.ssrc;
        let Some(mid) = p.publisher.direct_api().stream_rx(&ssrc).map(|s| s.mid()) else {
            return;
        };
        let red_in = (p.publisher.codec_config().params().iter())
            .find_map(|c| c.red())
            .is_some_and(|pt| pt == packet.header.payload_type);
        let Some(track) = p.tracks.iter_mut().find(|t| t.mid == Some(mid)) else {
            return;
        };
        let red = red_in.then(|| red::parse(&packet.payload)).flatten();
        if red_in && red.is_none() {
            return; // Malformed: nothing in it can be trusted.
        }
        let repairs = match (&red, track.muted) {
            (Some(red), false) => red::repairs(red, *packet.seq_no, &track.seen),
            _ => Vec::new(),
        };
        if !track.seen.mark(*packet.seq_no) {
            return; // A duplicate.
        }
        if track.muted {
            track.held_back += 1;
            return;
        }
        for (number, _) in &repairs {
            track.seen.mark(*number);
        }
        let held_back = track.held_back;
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
        let Some(members) = self.rooms.get(&room) else {
            return;
        };
        let mut out = Downstream {
            participants: &mut self.participants,
            outputs: &mut self.outputs,
            dirty: &mut self.dirty,
            own_egress: self.own_egress,
            members,
            from: id,
            track_sid: &track_sid,
            now,
        };
        let down = |seq: u64| seq.saturating_sub(held_back);
        for (number, block) in &repairs {
            let frame = Frame {
                seq: down(*number),
                timestamp: packet.header.timestamp.wrapping_sub(block.offset),
                marker: false,
                level: None,
                payload: Body::Opus(block.data),
            };
            out.send(&frame);
        }
        let frame = Frame {
            seq: down(*packet.seq_no),
            timestamp: packet.header.timestamp,
            marker: packet.header.marker,
            level: ext
                .audio_level
                .map(|dbov| (dbov, ext.voice_activity.unwrap_or(true))),
            payload: match &red {
                Some(red) => Body::Red(&packet.payload, red.primary),
                None => Body::Shared(&packet.payload),
            },
        };
        out.send(&frame);
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

/// Where one publisher's frames go: the other members of its room.
struct Downstream<'a> {
    participants: &'a mut HashMap<SessionId, Participant>,
    outputs: &'a mut Vec<SfuOutput>,
    dirty: &'a mut Vec<SessionId>,
    own_egress: bool,
    members: &'a [SessionId],
    from: SessionId,
    track_sid: &'a TrackSid,
    now: Instant,
}

impl Downstream<'_> {
    /// One frame to every other member subscribed to the track.
    fn send(&mut self, frame: &Frame<'_>) {
        for other in self.members.iter().filter(|o| **o != self.from) {
            let Some(q) = self.participants.get_mut(other) else {
                continue;
            };
            // Not connected yet: dropped, not queued to arrive stale.
            if !q.subscriber.is_connected() {
                continue;
            }
            let Some(down) = q.down.get_mut(self.track_sid) else {
                continue;
            };
            let media = q.subscriber.media(down.mid);
            let Some(opus) = media.and_then(|m| m.remote_pts().first().copied()) else {
                continue; // Not negotiated yet.
            };
            let level_id = media.and_then(|m| m.remote_extmap().id_of(Extension::AudioLevel));
            let red_out = (q.subscriber.codec_config().params().iter())
                .find(|c| c.pt() == opus)
                .and_then(|c| c.red());
            let (pt, payload) = frame.payload.for_subscriber(opus, red_out);
            // Older than this subscriber's first packet: nothing to number it.
            let Some(number) = down.number(frame.seq) else {
                continue;
            };
            let mid = down.mid;
            let mut api = q.subscriber.direct_api();
            let Some(stream) = api.stream_tx_by_mid(mid, None) else {
                continue;
            };
            let seal_here = self.own_egress && down.primed;
            down.primed = true;
            let sealed = seal_here.then(|| {
                q.egress.seal(&Packet {
                    pt: *pt,
                    marker: frame.marker,
                    seq: number,
                    timestamp: frame.timestamp,
                    ssrc: *stream.ssrc(),
                    level: level_id
                        .zip(frame.level)
                        .map(|(id, (dbov, voice))| (id, dbov.unsigned_abs(), voice)),
                    payload: payload.bytes(),
                })
            });
            if let Some(transmit) = sealed.flatten() {
                self.outputs.push(SfuOutput::Transmit(transmit));
                continue;
            }
            let ext_vals = ExtensionValues {
                audio_level: frame.level.map(|(dbov, _)| dbov),
                voice_activity: frame.level.map(|(_, voice)| voice),
                ..Default::default()
            };
            let write = RtpWrite::new(
                pt,
                number.into(),
                frame.timestamp,
                self.now,
                payload.shared(),
            )
            .marker(frame.marker)
            .ext_vals(ext_vals);
            stream.write_rtp(write);
            if !q.written {
                q.written = true;
                self.dirty.push(*other);
            }
        }
    }
}
