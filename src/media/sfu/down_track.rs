//! A track forwarded to a subscriber, and how its packets are numbered.

use str0m::media::Mid;

/// A track of someone else's forwarded to this participant.
#[derive(Debug, Clone, Copy)]
pub struct DownTrack {
    /// The subscriber m-line carrying it.
    pub mid: Mid,
    /// The last (publisher, forwarded) sequence numbers: forwarded numbers
    /// start at 1 (in the rollover period a new receiver expects, however
    /// long the publisher has been talking) and follow the publisher's.
    pub last: Option<(u64, u64)>,
    /// Its peer connection has sent one of its packets: str0m reports on
    /// a stream (the listener's receiver reports) only once it has, so
    /// the first goes that way and the rest are sealed by the SFU.
    pub primed: bool,
}

impl DownTrack {
    /// Largest step between the publisher's numbers taken as loss or
    /// reordering; a bigger one (a new source) continues from the last.
    const JUMP: i64 = 3_000;

    /// The number to forward publisher packet `seq` with; `None` for one
    /// too old to have one (sent before this subscriber's first).
    pub fn number(&mut self, seq: u64) -> Option<u64> {
        let Some((last_in, last_out)) = self.last else {
            self.last = Some((seq, 1));
            return Some(1);
        };
        let step = seq as i64 - last_in as i64;
        if step.abs() > Self::JUMP {
            self.last = Some((seq, last_out + 1));
            return Some(last_out + 1);
        }
        let out = u64::try_from(last_out as i64 + step)
            .ok()
            .filter(|n| *n > 0)?;
        if step > 0 {
            self.last = Some((seq, out));
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::DownTrack;

    #[test]
    fn forwarded_numbers_follow_the_publisher_from_1_and_survive_a_new_source() {
        let mut down = DownTrack {
            mid: "0".into(),
            last: None,
            primed: false,
        };
        // Joined mid-stream, past a rollover of the publisher's numbers.
        assert_eq!(down.number(70_000), Some(1));
        assert_eq!(down.number(70_001), Some(2));
        // A loss stays a gap (the receiver conceals it and reports it).
        assert_eq!(down.number(70_005), Some(6));
        // A late packet keeps its place and does not move the mapping.
        assert_eq!(down.number(70_003), Some(4));
        assert_eq!(down.number(70_006), Some(7));
        // One sent before this subscriber's first has no number.
        assert_eq!(down.number(69_999), None);
        // A new source (another SSRC, numbered afresh) continues the run,
        // backwards or forwards.
        assert_eq!(down.number(12), Some(8));
        assert_eq!(down.number(13), Some(9));
        assert_eq!(down.number(900_000), Some(10));
        assert_eq!(down.number(900_001), Some(11));
    }
}
