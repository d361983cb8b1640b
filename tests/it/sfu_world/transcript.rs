//! What crossed the wire during connection setup: ICE checks (and whether
//! they nominate) and DTLS, in the order sent.

use std::net::SocketAddr;
use std::time::Instant;

use str0m::net::Transmit;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Setup {
    /// A STUN binding request; true if it carries USE-CANDIDATE.
    Check {
        nominating: bool,
    },
    /// Any other STUN message (a response).
    Stun,
    Dtls,
}

#[derive(Debug, Clone, Copy)]
pub struct Sent {
    pub at: Instant,
    pub from: SocketAddr,
    pub to: SocketAddr,
    pub what: Setup,
}

impl Sent {
    /// The datagram, if it is connection setup (RFC 7983's first byte).
    pub fn of(at: Instant, t: &Transmit) -> Option<Self> {
        let data = &t.contents[..];
        let what = match data.first()? {
            0..=3 if data.len() >= 20 => {
                if data[0..2] == [0, 1] {
                    Setup::Check {
                        nominating: has_attribute(data, 0x0025),
                    }
                } else {
                    Setup::Stun
                }
            }
            20..=63 => Setup::Dtls,
            _ => return None,
        };
        Some(Self {
            at,
            from: t.source,
            to: t.destination,
            what,
        })
    }
}

fn has_attribute(message: &[u8], kind: u16) -> bool {
    let mut at = 20;
    while at + 4 <= message.len() {
        let k = u16::from_be_bytes([message[at], message[at + 1]]);
        let len = u16::from_be_bytes([message[at + 2], message[at + 3]]) as usize;
        if k == kind {
            return true;
        }
        at += 4 + len.div_ceil(4) * 4;
    }
    false
}
