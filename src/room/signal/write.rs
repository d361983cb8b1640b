//! Writing a client message as a `SignalRequest` frame.

use super::super::wire::Writer;
use super::*;

/// A client message as a `SignalRequest` frame.
pub fn encode(message: &Tx) -> Vec<u8> {
    let mut w = Writer::default();
    match message {
        Tx::Offer(d) => w.oneof_message(1, |w| write_description(w, d)),
        Tx::Answer(d) => w.oneof_message(2, |w| write_description(w, d)),
        Tx::Trickle(t) => w.oneof_message(3, |w| {
            w.string(1, &t.candidate_init);
            w.int32(2, t.target);
        }),
        Tx::AddTrack(a) => w.oneof_message(4, |w| {
            w.string(1, &a.cid);
            w.string(2, &a.name);
            w.int32(3, a.kind);
            w.bool(6, a.muted);
            w.int32(8, a.source);
        }),
        Tx::Mute(m) => w.oneof_message(5, |w| {
            w.string(1, &m.sid);
            w.bool(2, m.muted);
        }),
        Tx::Leave(l) => w.oneof_message(8, |w| {
            w.int32(2, l.reason);
            w.int32(3, l.action);
        }),
        Tx::Ping(timestamp) => w.oneof_varint(14, *timestamp as u64),
        Tx::PingReq { timestamp, rtt } => w.oneof_message(16, |w| {
            w.int64(1, *timestamp);
            w.int64(2, *rtt);
        }),
    }
    w.finish()
}

fn write_description(w: &mut Writer, d: &SessionDescription) {
    w.string(1, &d.kind);
    w.string(2, &d.sdp);
    w.varint_field(3, u64::from(d.id));
}
