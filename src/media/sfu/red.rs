//! Redundant audio (RFC 2198 RED), as browsers and LiveKit's SDKs send
//! Opus: each packet carries the previous frame(s) again before its own.
//!
//! The SFU reads a publisher's RED packets three ways: whole, for
//! subscribers that negotiated RED; cut down to the primary frame, for
//! those that did not; and for the frames of packets lost between the
//! publisher and the SFU, which it forwards in their place before the
//! packet that carried them (the repair a subscriber cannot make when it
//! receives plain Opus).

use std::sync::Arc;

use str0m::media::Pt;

/// Header of a redundant block: F bit, PT, 14-bit timestamp offset,
/// 10-bit length (RFC 2198 section 3).
const BLOCK_HEADER: usize = 4;

/// One frame inside a RED payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block<'a> {
    /// How far before the packet's timestamp this frame starts (0 for the
    /// primary).
    pub offset: u32,
    pub data: &'a [u8],
}

/// A RED payload, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Red<'a> {
    /// Redundant frames, oldest first.
    pub redundant: Vec<Block<'a>>,
    pub primary: &'a [u8],
}

/// Reads a RED payload; `None` if it is malformed (a block running past the
/// end, or offsets that do not go back in time in order).
pub fn parse(payload: &[u8]) -> Option<Red<'_>> {
    let mut headers = Vec::new();
    let mut at = 0;
    loop {
        let first = *payload.get(at)?;
        if first & 0x80 == 0 {
            at += 1;
            break;
        }
        let h = payload.get(at..at + BLOCK_HEADER)?;
        let offset = (u32::from(h[1]) << 6) | (u32::from(h[2]) >> 2);
        let len = (usize::from(h[2] & 0x03) << 8) | usize::from(h[3]);
        headers.push((offset, len));
        at += BLOCK_HEADER;
    }
    let mut redundant = Vec::with_capacity(headers.len());
    let mut previous = u32::MAX;
    for (offset, len) in headers {
        if offset == 0 || offset >= previous {
            return None;
        }
        previous = offset;
        let data = payload.get(at..at + len)?;
        redundant.push(Block { offset, data });
        at += len;
    }
    Some(Red {
        redundant,
        primary: &payload[at..],
    })
}

/// The payload with each block's payload type set to `pt` (the Opus type
/// the subscriber negotiated, when it differs from the publisher's).
pub fn retag(payload: &[u8], pt: u8) -> Vec<u8> {
    let mut out = payload.to_vec();
    let mut at = 0;
    while let Some(b) = out.get_mut(at) {
        let more = *b & 0x80 != 0;
        *b = (*b & 0x80) | (pt & 0x7f);
        if !more {
            break;
        }
        at += BLOCK_HEADER;
    }
    out
}

/// The payload type of a RED payload's primary frame.
pub fn primary_pt(payload: &[u8]) -> Option<u8> {
    let mut at = 0;
    loop {
        let b = *payload.get(at)?;
        if b & 0x80 == 0 {
            return Some(b & 0x7f);
        }
        at += BLOCK_HEADER;
    }
}

/// Which of a publisher's recent sequence numbers the SFU has forwarded
/// (or held back): the last 64 below the newest.
#[derive(Debug, Clone, Copy, Default)]
pub struct Seen {
    top: Option<u64>,
    /// Bit k: `top - k` was seen.
    bits: u64,
}

impl Seen {
    /// Marks `seq` seen; `false` if it already was (a duplicate) or is too
    /// old to tell.
    pub fn mark(&mut self, seq: u64) -> bool {
        let Some(top) = self.top else {
            self.top = Some(seq);
            self.bits = 1;
            return true;
        };
        if seq > top {
            let shift = seq - top;
            self.bits = if shift >= 64 { 0 } else { self.bits << shift };
            self.bits |= 1;
            self.top = Some(seq);
            return true;
        }
        let back = top - seq;
        if back >= 64 || self.bits & (1 << back) != 0 {
            return false;
        }
        self.bits |= 1 << back;
        true
    }

    /// Whether `seq` is missing: after the first packet, within the window,
    /// and not seen.
    pub fn missing(&self, seq: u64) -> bool {
        let Some(top) = self.top else {
            return false;
        };
        if seq > top {
            return true;
        }
        let back = top - seq;
        back < 64 && self.bits & (1 << back) == 0
    }
}

/// The frames of `red` (from the packet numbered `seq`) that fill packets
/// not yet seen, with their sequence numbers, oldest first. The n redundant
/// frames of a packet are the n packets before it, in order.
pub fn repairs<'a>(red: &Red<'a>, seq: u64, seen: &Seen) -> Vec<(u64, Block<'a>)> {
    let n = red.redundant.len() as u64;
    red.redundant
        .iter()
        .enumerate()
        .filter_map(|(i, block)| {
            let number = seq.checked_sub(n - i as u64)?;
            (seen.missing(number) && !block.data.is_empty()).then_some((number, *block))
        })
        .collect()
}

/// A frame to forward: a publisher's packet, or one repaired from the
/// redundancy of the packet after it.
pub struct Frame<'a> {
    /// The publisher's extended sequence number (less what was held back).
    pub seq: u64,
    pub timestamp: u32,
    pub marker: bool,
    /// The audio level: -dBov and the voice flag.
    pub level: Option<(i8, bool)>,
    pub payload: Body<'a>,
}

/// A frame's payload as the publisher sent it.
#[derive(Clone, Copy)]
pub enum Body<'a> {
    /// Plain Opus, shared by every subscriber.
    Shared(&'a Arc<[u8]>),
    /// RED, with its primary frame.
    Red(&'a Arc<[u8]>, &'a [u8]),
    /// A frame taken out of RED.
    Opus(&'a [u8]),
}

/// What one subscriber is sent.
pub enum Out<'a> {
    Shared(&'a Arc<[u8]>),
    Slice(&'a [u8]),
    Owned(Vec<u8>),
}

impl Out<'_> {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Out::Shared(a) => a,
            Out::Slice(s) => s,
            Out::Owned(v) => v,
        }
    }

    /// For a write through the subscriber's peer connection.
    pub fn shared(&self) -> Arc<[u8]> {
        match self {
            Out::Shared(a) => Arc::clone(a),
            Out::Slice(s) => Arc::from(*s),
            Out::Owned(v) => Arc::from(&v[..]),
        }
    }
}

impl<'a> Body<'a> {
    /// The payload type and payload for a subscriber whose Opus type is
    /// `opus` and whose RED type, if it negotiated RED, is `red`: RED stays
    /// RED (its blocks retagged if the Opus types differ), or is cut down
    /// to its primary frame.
    pub fn for_subscriber(&self, opus: Pt, red: Option<Pt>) -> (Pt, Out<'a>) {
        match (*self, red) {
            (Body::Red(whole, _), Some(red)) => {
                let body = match primary_pt(whole) {
                    Some(pt) if pt == *opus => Out::Shared(whole),
                    _ => Out::Owned(retag(whole, *opus)),
                };
                (red, body)
            }
            (Body::Red(_, primary), None) => (opus, Out::Slice(primary)),
            (Body::Shared(whole), _) => (opus, Out::Shared(whole)),
            (Body::Opus(frame), _) => (opus, Out::Slice(frame)),
        }
    }
}

/// The answer to a publisher, with `usedtx=1` on Opus where its offer asked
/// for DTX (as LiveKit's clients do, and Belfry's): the browser encodes
/// silence as a packet every 400 ms only when the answer says so. The SFU
/// forwards what comes either way.
pub fn echo_dtx(offer: &str, answer: &str) -> String {
    let wants_dtx = offer
        .lines()
        .any(|l| l.starts_with("a=fmtp:") && l.contains("usedtx=1"));
    if !wants_dtx {
        return answer.to_string();
    }
    let opus: Vec<&str> = (answer.lines())
        .filter_map(|l| l.strip_prefix("a=rtpmap:"))
        .filter_map(|l| l.split_once(' '))
        .filter(|(_, codec)| codec.to_ascii_lowercase().starts_with("opus/"))
        .map(|(pt, _)| pt)
        .collect();
    let mut out = String::with_capacity(answer.len() + 16);
    for line in answer.split_inclusive("\r\n") {
        let body = line.trim_end_matches("\r\n");
        let is_opus_fmtp = (body.strip_prefix("a=fmtp:"))
            .and_then(|l| l.split_once(' '))
            .is_some_and(|(pt, params)| opus.contains(&pt) && !params.contains("usedtx"));
        if is_opus_fmtp {
            out.push_str(body);
            out.push_str(";usedtx=1");
            out.push_str(&line[body.len()..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two redundant frames (offsets 1920 and 960) before the primary.
    fn sample() -> Vec<u8> {
        let mut p = vec![0x80 | 111, (1920 >> 6) as u8, ((1920 & 0x3f) << 2) as u8, 3];
        p.extend([0x80 | 111, (960 >> 6) as u8, ((960 & 0x3f) << 2) as u8, 2]);
        p.push(111);
        p.extend([1, 1, 1, 2, 2, 3, 3, 3, 3]);
        p
    }

    #[test]
    fn a_red_payload_reads_as_its_frames_oldest_first() {
        let payload = sample();
        let red = parse(&payload).unwrap();
        assert_eq!(
            red.redundant,
            vec![
                Block {
                    offset: 1920,
                    data: &[1, 1, 1]
                },
                Block {
                    offset: 960,
                    data: &[2, 2]
                }
            ]
        );
        assert_eq!(red.primary, &[3, 3, 3, 3]);
        assert_eq!(primary_pt(&payload), Some(111));
        let plain = parse(&[111, 9, 9]).unwrap();
        assert!(plain.redundant.is_empty());
        assert_eq!(plain.primary, &[9, 9]);
    }

    #[test]
    fn malformed_red_payloads_are_refused_not_read_past() {
        let payload = sample();
        // Cut inside the second block's data.
        assert_eq!(parse(&payload[..10]), None);
        // Cut inside a header, or nothing at all.
        assert_eq!(parse(&payload[..2]), None);
        assert_eq!(parse(&[]), None);
        assert_eq!(parse(&[0x80 | 111]), None);
        // Offsets that go forward in time.
        let mut swapped = payload.clone();
        swapped.swap(1, 5);
        swapped.swap(2, 6);
        assert_eq!(parse(&swapped), None);
    }

    #[test]
    fn retagging_rewrites_every_block_type_and_nothing_else() {
        let payload = sample();
        let out = retag(&payload, 109);
        assert_eq!(out[0], 0x80 | 109);
        assert_eq!(out[4], 0x80 | 109);
        assert_eq!(out[8], 109);
        assert_eq!(&out[9..], &payload[9..]);
        assert_eq!(parse(&out).unwrap().primary, &[3, 3, 3, 3]);
    }

    #[test]
    fn dtx_is_answered_only_where_offered() {
        let answer = "m=audio 9 UDP/TLS/RTP/SAVPF 63 111\r\na=rtpmap:111 opus/48000/2\r\n\
            a=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:63 red/48000/2\r\n\
            a=fmtp:63 111/111\r\n";
        let offer = "a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1\r\n";
        let out = echo_dtx(offer, answer);
        assert!(out.contains("a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1\r\n"));
        assert!(
            out.contains("a=fmtp:63 111/111\r\n"),
            "RED's line is not Opus's"
        );
        assert_eq!(out.len(), answer.len() + ";usedtx=1".len());
        assert_eq!(echo_dtx(offer, &out), out, "said once");
        let without = "a=fmtp:111 minptime=10;useinbandfec=1\r\n";
        assert_eq!(echo_dtx(without, answer), answer);
    }

    #[test]
    fn seen_tells_missing_from_duplicate() {
        let mut seen = Seen::default();
        assert!(!seen.missing(10), "nothing is missing before the first");
        assert!(seen.mark(10));
        assert!(seen.mark(13));
        assert!(seen.missing(11) && seen.missing(12));
        assert!(!seen.missing(10) && !seen.missing(13));
        assert!(!seen.mark(13), "a duplicate");
        assert!(seen.mark(11), "a late one");
        assert!(!seen.missing(11));
        assert!(seen.mark(200));
        assert!(!seen.missing(100), "too old to tell");
        assert!(!seen.mark(100));
    }

    #[test]
    fn repairs_fill_only_the_packets_not_seen() {
        let payload = sample();
        let red = parse(&payload).unwrap();
        let mut seen = Seen::default();
        seen.mark(40);
        // 41 lost, 42 arrived: packet 43 carries 41 and 42 again.
        seen.mark(42);
        let fixes = repairs(&red, 43, &seen);
        assert_eq!(fixes.len(), 1);
        assert_eq!(fixes[0].0, 41);
        assert_eq!(fixes[0].1.data, &[1, 1, 1]);
        assert_eq!(fixes[0].1.offset, 1920);
        // Both lost.
        let mut seen = Seen::default();
        seen.mark(40);
        let fixes = repairs(&red, 43, &seen);
        assert_eq!(fixes.iter().map(|f| f.0).collect::<Vec<_>>(), vec![41, 42]);
    }
}
