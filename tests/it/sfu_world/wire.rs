//! The simulated network: peers polled for what they send and hear, and
//! datagrams delivered (or lost) on their way.

use str0m::net::{Protocol, Receive, Transmit};
use str0m::{Event, Input, Output};

use belfry::media::sfu::Datagram;

use super::{Sent, Setup, World, SFU};

impl World {
    pub fn poll_peers(&mut self) {
        let now = self.now;
        for peer in &mut self.peers {
            if peer.disconnected.is_some() {
                continue;
            }
            for publisher in [true, false] {
                let rtc = if publisher {
                    &mut peer.publisher
                } else {
                    &mut peer.subscriber
                };
                let _ = rtc.handle_input(Input::Timeout(now));
                while let Ok(out) = rtc.poll_output() {
                    match out {
                        Output::Timeout(_) => break,
                        Output::Transmit(t) => self.wire.push(t),
                        Output::Event(Event::MediaData(d)) if !publisher => {
                            *peer.heard.entry(d.data[0]).or_default() += 1;
                            (peer.numbers.entry(d.data[0]).or_default())
                                .push(**d.seq_range.start());
                            (peer.levels.entry(d.data[0]).or_default())
                                .push(d.ext_vals.audio_level);
                            if let Some(count) = d.data.get(1..5) {
                                let count = u32::from_be_bytes(count.try_into().unwrap());
                                (peer.frames.entry(d.data[0]).or_default())
                                    .push((**d.seq_range.start(), count));
                            }
                        }
                        Output::Event(_) => {}
                    }
                }
            }
        }
    }

    pub fn deliver(&mut self, t: Transmit) {
        fn datagram(t: &Transmit) -> Datagram<'_> {
            Datagram {
                proto: Protocol::Udp,
                source: t.source,
                destination: t.destination,
                data: &t.contents,
            }
        }
        fn receive(t: &Transmit) -> Receive<'_> {
            Receive {
                proto: Protocol::Udp,
                source: t.source,
                destination: t.destination,
                contents: (&t.contents[..]).try_into().unwrap(),
            }
        }
        if self.dead.contains(&t.source) || self.dead.contains(&t.destination) {
            return;
        }
        let sent = Sent::of(self.now, &t);
        if let (
            Some(until),
            Some(Sent {
                what: Setup::Check { nominating: true },
                ..
            }),
        ) = (self.lose_nominations_until, sent)
        {
            if self.now < until {
                self.nominations_lost += 1;
                return;
            }
        }
        self.transcript.extend(sent);
        // RTP (not RTCP, RFC 5761: payload types 64-95 with the marker).
        let rtp = t.contents.len() > 1
            && t.contents[0] >> 6 == 2
            && !(192..=223).contains(&t.contents[1]);
        if rtp {
            self.pts
                .push((t.source, t.destination, t.contents[1] & 0x7f));
        }
        if t.destination == SFU.parse().unwrap() {
            if let Some((from, nth)) = self.lossy {
                if t.source == from {
                    self.sent_by_lossy += 1;
                    if self.sent_by_lossy.is_multiple_of(nth) {
                        return;
                    }
                }
            }
            self.sfu.handle_receive(self.now, datagram(&t));
            return;
        }
        if let Some((to, nth)) = self.lossy_down {
            if t.destination == to && rtp {
                self.sent_to_lossy += 1;
                if self.sent_to_lossy.is_multiple_of(nth) {
                    return;
                }
            }
        }
        for peer in &mut self.peers {
            let rtc = if t.destination == peer.pub_addr {
                &mut peer.publisher
            } else if t.destination == peer.sub_addr {
                &mut peer.subscriber
            } else {
                continue;
            };
            let _ = rtc.handle_input(Input::Receive(self.now, receive(&t)));
        }
    }
}
