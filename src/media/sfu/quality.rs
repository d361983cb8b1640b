//! Connection quality: graded from what the peer connections' statistics
//! say every few seconds (loss each way, round trip, jitter, and whether a
//! microphone that should be sending is), and told to the room on change.
//! Loss on the way to a listener comes from its receiver reports, less
//! what its publisher's uplink already lost.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use str0m::media::Mid;
use str0m::stats::{MediaEgressStats, MediaIngressStats};

use super::{SessionId, Sfu, SfuOutput, Signal};

/// How often peer connections report statistics.
pub const STATS_EVERY: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Grade {
    #[default]
    Excellent,
    Good,
    Poor,
    /// Nothing arrives from a microphone that should be sending.
    Lost,
}

/// The latest readings for one participant.
#[derive(Debug, Clone, Default)]
pub struct Readings {
    /// Fraction lost on the way to us (their uplink) and to them (downlink).
    pub up_loss: f32,
    pub down_loss: f32,
    pub rtt: Option<Duration>,
    pub jitter_ms: f32,
    /// Packets received from their microphone, and when that last grew.
    pub packets: u64,
    pub packets_grew: Option<Instant>,
    pub grade: Grade,
    /// The grade has been told to the room at least once.
    pub told: bool,
    /// What the listener last reported of each track forwarded to it.
    pub down_reports: HashMap<Mid, DownReport>,
}

/// A listener's receiver reports on one forwarded track: the highest
/// number and the packets lost so far, and the loss between the last two
/// reports that is not the publisher's own (numbers keep its gaps).
#[derive(Debug, Clone, Copy)]
pub struct DownReport {
    seq: u64,
    lost: u64,
    loss: Option<f32>,
    at: Instant,
}

/// Grades readings: the worst of loss, round trip and jitter decides.
pub fn grade(r: &Readings, sending: bool, now: Instant) -> Grade {
    let silent_for = r.packets_grew.map(|t| now.duration_since(t));
    if sending && silent_for.is_some_and(|d| d > STATS_EVERY * 2) {
        return Grade::Lost;
    }
    let loss = r.up_loss.max(r.down_loss);
    let rtt = r.rtt.map_or(0.0, |d| d.as_secs_f32() * 1000.0);
    if loss > 0.10 || rtt > 400.0 || r.jitter_ms > 60.0 {
        Grade::Poor
    } else if loss > 0.03 || rtt > 200.0 || r.jitter_ms > 30.0 {
        Grade::Good
    } else {
        Grade::Excellent
    }
}

impl Sfu {
    pub(super) fn ingress_stats(&mut self, id: SessionId, now: Instant, s: MediaIngressStats) {
        let Some(p) = self.participants.get_mut(&id) else {
            return;
        };
        let q = &mut p.readings;
        q.up_loss = s.loss.unwrap_or(q.up_loss);
        q.rtt = s.rtt.or(q.rtt);
        // RTP jitter is in clock units: 48 per ms for Opus.
        q.jitter_ms = s.jitter as f32 / 48.0;
        if s.packets > q.packets || q.packets_grew.is_none() {
            q.packets_grew = Some(now);
        }
        q.packets = s.packets;
        self.regrade(id, now);
    }

    pub(super) fn egress_stats(&mut self, id: SessionId, now: Instant, s: MediaEgressStats) {
        let upstream = self.upstream_loss(id, s.mid);
        let Some(p) = self.participants.get_mut(&id) else {
            return;
        };
        let q = &mut p.readings;
        q.rtt = s.rtt.or(q.rtt);
        if let Some(remote) = &s.remote {
            let (seq, lost) = (*remote.maximum_sequence_number, remote.packets_lost);
            // Forwarded numbers start at 1: the first report covers all.
            let report = q.down_reports.entry(s.mid).or_insert(DownReport {
                seq: 0,
                lost: 0,
                loss: None,
                at: now,
            });
            if seq > report.seq {
                let lost_now = lost.saturating_sub(report.lost) as f32;
                let loss = lost_now / (seq - report.seq) as f32 - upstream;
                *report = DownReport {
                    seq,
                    lost,
                    loss: Some(loss.clamp(0.0, 1.0)),
                    at: now,
                };
            }
            // One clean track means a clean link: loss on the others
            // happened before the SFU. Reports gone quiet do not count.
            let fresh = |r: &&DownReport| now.duration_since(r.at) <= STATS_EVERY * 2;
            let losses = q.down_reports.values().filter(fresh);
            if let Some(least) = losses.filter_map(|r| r.loss).reduce(f32::min) {
                q.down_loss = least;
            }
        }
        self.regrade(id, now);
    }

    /// The uplink loss of whoever publishes the track `id` hears on `mid`.
    fn upstream_loss(&self, id: SessionId, mid: Mid) -> f32 {
        let Some(p) = self.participants.get(&id) else {
            return 0.0;
        };
        let Some(sid) = p
            .down
            .iter()
            .find(|(_, d)| d.mid == mid)
            .map(|(sid, _)| sid)
        else {
            return 0.0;
        };
        self.participants
            .values()
            .find(|o| o.tracks.iter().any(|t| &t.sid == sid))
            .map_or(0.0, |o| o.readings.up_loss)
    }

    fn regrade(&mut self, id: SessionId, now: Instant) {
        let Some(p) = self.participants.get_mut(&id) else {
            return;
        };
        let sending = p.tracks.iter().any(|t| t.mid.is_some() && !t.muted);
        let grade = grade(&p.readings, sending, now);
        if grade == p.readings.grade && p.readings.told {
            return;
        }
        p.readings.grade = grade;
        p.readings.told = true;
        let update = vec![(p.sid.clone(), grade)];
        let room = p.room.clone();
        for member in self.sessions_in(&room) {
            self.outputs
                .push(SfuOutput::Signal(member, Signal::Quality(update.clone())));
        }
    }

    /// A newcomer hears the grades already told in its room.
    pub(super) fn tell_grades(&mut self, to: SessionId, room: &str) {
        let grades: Vec<(String, Grade)> = self
            .sessions_in(room)
            .iter()
            .filter_map(|id| self.participants.get(id))
            .filter(|p| p.readings.told)
            .map(|p| (p.sid.clone(), p.readings.grade))
            .collect();
        if !grades.is_empty() {
            self.outputs
                .push(SfuOutput::Signal(to, Signal::Quality(grades)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_follow_the_worst_reading() {
        let now = Instant::now();
        let fine = Readings {
            packets_grew: Some(now),
            rtt: Some(Duration::from_millis(40)),
            ..Default::default()
        };
        assert_eq!(grade(&fine, true, now), Grade::Excellent);
        let lossy = Readings {
            down_loss: 0.05,
            ..fine.clone()
        };
        assert_eq!(grade(&lossy, true, now), Grade::Good);
        let far = Readings {
            rtt: Some(Duration::from_millis(600)),
            ..fine.clone()
        };
        assert_eq!(grade(&far, true, now), Grade::Poor);
        let jittery = Readings {
            jitter_ms: 45.0,
            ..fine.clone()
        };
        assert_eq!(grade(&jittery, true, now), Grade::Good);
        let later = now + STATS_EVERY * 3;
        assert_eq!(
            grade(&fine, true, later),
            Grade::Lost,
            "a silent microphone"
        );
        assert_eq!(
            grade(&fine, false, later),
            Grade::Excellent,
            "muted is not lost"
        );
    }
}
