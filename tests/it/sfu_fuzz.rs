//! Property tests over what a peer may send the SFU: hundreds of seeded
//! mutations of a real publisher offer, of a subscriber answer and of a
//! trickled candidate. Whatever arrives, nothing panics, an offer is either
//! answered with usable SDP or refused (and only that peer is dropped), and
//! the two people already talking in the room keep hearing each other.

use crate::sfu_world;

use belfry::media::signal::candidate;
use str0m::change::SdpAnswer;
use str0m::media::{Direction, MediaKind};

use sfu_world::{client_rtc, World};

/// xorshift64: deterministic, so a failure names its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One to four random edits: byte flips, cuts, duplicated or dropped
/// lines, junk lines, absurd numbers.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = text.split("\r\n").map(str::to_string).collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(lines.len());
        match rng.below(7) {
            0 => {
                let mut bytes = lines[at].clone().into_bytes();
                if !bytes.is_empty() {
                    let i = rng.below(bytes.len());
                    bytes[i] = (rng.next() % 128) as u8;
                }
                lines[at] = String::from_utf8_lossy(&bytes).into_owned();
            }
            1 => {
                let cut = rng.below(lines[at].len() + 1);
                let cut = lines[at].floor_char_boundary(cut);
                lines[at].truncate(cut);
            }
            2 => {
                let line = lines[at].clone();
                lines.insert(at, line);
            }
            3 => {
                lines.remove(at);
            }
            4 => lines.insert(at, "a=candidate:0 1 udp 9 999.1.1.1 99999 typ host".into()),
            5 => {
                lines[at] = lines[at]
                    .split(' ')
                    .map(|w| {
                        if w.parse::<u64>().is_ok() {
                            "18446744073709551615"
                        } else {
                            w
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            _ => lines.truncate(at.max(1)),
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
    }
    lines.join("\r\n")
}

fn valid_offer(w: &World) -> String {
    let mut rtc = client_rtc(w.now, "10.0.9.1:5000".parse().unwrap());
    let mut change = rtc.sdp_api();
    change.add_media(
        MediaKind::Audio,
        Direction::SendOnly,
        Some("s".into()),
        Some("mic".into()),
        None,
    );
    change.apply().unwrap().0.to_sdp_string()
}

#[test]
fn mutated_offers_and_answers_are_answered_or_refused_and_the_room_goes_on() {
    let mut w = World::new();
    let a = w.join("room", "alice");
    let b = w.join("room", "bob");
    w.run(1_500, &[a, b]);
    let offer = valid_offer(&w);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut answered, mut refused) = (0, 0);
    for case in 0..400 {
        let sdp = mutate(&offer, &mut rng);
        let session = w.sfu.join(w.now, "room", &format!("m{case}"), "Mallory");
        w.sfu.add_track(session, "mic", false);
        match w.sfu.publisher_offer(w.now, session, &sdp) {
            Ok(answer) => {
                SdpAnswer::from_sdp_string(&answer)
                    .unwrap_or_else(|e| panic!("case {case}: an unusable answer ({e})"));
                answered += 1;
                // And a mangled answer to our subscriber offer.
                let junk = mutate(&answer, &mut rng);
                let _ = w.sfu.subscriber_answer(w.now, session, &junk);
                w.sfu.leave(session, None);
            }
            Err(_) => {
                assert!(
                    w.sfu.info(session).is_none(),
                    "case {case}: a refused peer is dropped"
                );
                refused += 1;
            }
        }
        w.signals();
    }
    assert!(
        answered > 0 && refused > 0,
        "both outcomes seen: {answered} answered, {refused} refused"
    );
    let before = (w.heard(a, b), w.heard(b, a));
    w.run(1_000, &[a, b]);
    assert!(w.heard(a, b) > before.0 + 50, "alice still hears bob");
    assert!(w.heard(b, a) > before.1 + 50, "bob still hears alice");
    assert!(w.peers[a].disconnected.is_none() && w.peers[b].disconnected.is_none());
    assert_eq!(
        w.sfu.sessions_in("room").len(),
        2,
        "no mallory is left behind"
    );
}

#[test]
fn mutated_candidates_never_panic_and_good_ones_pass() {
    let good = r#"{"candidate":"candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag EsAw network-cost 999","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"EsAw"}"#;
    assert!(candidate::check(good).is_ok());
    assert!(
        candidate::check(r#"{"candidate":"","sdpMid":"0"}"#).is_ok(),
        "end of candidates"
    );
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut refused = 0;
    for _ in 0..2_000 {
        let mut bytes = good.as_bytes().to_vec();
        for _ in 0..1 + rng.below(6) {
            let i = rng.below(bytes.len());
            match rng.below(3) {
                0 => bytes[i] = (rng.next() % 256) as u8,
                1 => {
                    bytes.remove(i);
                }
                _ => bytes.truncate(i),
            }
            if bytes.is_empty() {
                break;
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        if candidate::check(&text).is_err() {
            refused += 1;
        }
    }
    assert!(refused > 1_000, "most mutations are refused ({refused})");
}
