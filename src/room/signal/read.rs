//! Reading a server frame (`SignalResponse`) into the kinds the client acts on.

use super::super::wire::{fields, Value};
use super::*;

/// A server frame, or `None` for one that is malformed or not a kind the
/// client acts on. A frame holds one message; were there several, the last
/// would count, as in a protobuf oneof.
pub fn decode(frame: &[u8]) -> Option<Rx> {
    let mut message = None;
    for field in fields(frame) {
        let (number, v) = field?;
        message = match number {
            1 => Some(Rx::Join(fresh(v, join)?)),
            2 => Some(Rx::Answer(fresh(v, description)?)),
            3 => Some(Rx::Offer(fresh(v, description)?)),
            4 => Some(Rx::Trickle(fresh(v, trickle)?)),
            5 => Some(Rx::Update(fresh(v, |list, b| {
                each(b, 1, list, participant)
            })?)),
            6 => Some(Rx::TrackPublished(fresh(v, published)?)),
            8 => Some(Rx::Leave(fresh(v, leave)?)),
            9 => Some(Rx::Mute(fresh(v, mute)?)),
            10 => Some(Rx::SpeakersChanged(fresh(v, |list, b| {
                each(b, 1, list, speaker)
            })?)),
            12 => Some(Rx::ConnectionQuality(fresh(v, |list, b| {
                each(b, 1, list, quality)
            })?)),
            16 => Some(Rx::RefreshToken(v.string()?)),
            19 => v.bytes().map(|_| Rx::Reconnect),
            20 => Some(Rx::PongResp(fresh(v, pong)?)),
            _ => None,
        };
    }
    message
}

/// A message value read into a new `T` by `merge`.
fn fresh<T: Default>(v: Value, merge: impl Fn(&mut T, &[u8]) -> Option<()>) -> Option<T> {
    let mut value = T::default();
    merge(&mut value, v.bytes()?)?;
    Some(value)
}

/// Reads a message's fields onto `value` by `set(value, number, field)`,
/// which answers `None` for a known field of the wrong type. Reading a
/// second copy onto the first merges them, as protobuf does.
fn merge<T>(
    value: &mut T,
    bytes: &[u8],
    set: impl Fn(&mut T, u32, Value) -> Option<()>,
) -> Option<()> {
    for field in fields(bytes) {
        let (number, v) = field?;
        set(value, number, v)?;
    }
    Some(())
}

/// Appends the messages in repeated field `number` of a wrapper message.
fn each<T: Default>(
    bytes: &[u8],
    number: u32,
    list: &mut Vec<T>,
    item: fn(&mut T, &[u8]) -> Option<()>,
) -> Option<()> {
    merge(list, bytes, |list, n, v| {
        if n == number {
            list.push(fresh(v, item)?);
        }
        Some(())
    })
}

fn join(j: &mut JoinResponse, bytes: &[u8]) -> Option<()> {
    merge(j, bytes, |j, n, v| {
        match n {
            2 => participant(
                j.participant.get_or_insert_with(Default::default),
                v.bytes()?,
            )?,
            3 => j.other_participants.push(fresh(v, participant)?),
            5 => j.ice_servers.push(fresh(v, ice_server)?),
            10 => j.ping_timeout = v.int32()?,
            11 => j.ping_interval = v.int32()?,
            _ => {}
        }
        Some(())
    })
}

fn participant(p: &mut ParticipantInfo, bytes: &[u8]) -> Option<()> {
    merge(p, bytes, |p, n, v| {
        match n {
            1 => p.sid = v.string()?,
            2 => p.identity = v.string()?,
            3 => p.state = v.int32()?,
            4 => p.tracks.push(fresh(v, track)?),
            9 => p.name = v.string()?,
            10 => p.version = v.uint32()?,
            _ => {}
        }
        Some(())
    })
}

fn track(t: &mut TrackInfo, bytes: &[u8]) -> Option<()> {
    merge(t, bytes, |t, n, v| {
        match n {
            1 => t.sid = v.string()?,
            2 => t.kind = v.int32()?,
            4 => t.muted = v.bool()?,
            _ => {}
        }
        Some(())
    })
}

fn ice_server(s: &mut IceServer, bytes: &[u8]) -> Option<()> {
    merge(s, bytes, |s, n, v| {
        match n {
            1 => s.urls.push(v.string()?),
            2 => s.username = v.string()?,
            3 => s.credential = v.string()?,
            _ => {}
        }
        Some(())
    })
}

fn description(d: &mut SessionDescription, bytes: &[u8]) -> Option<()> {
    merge(d, bytes, |d, n, v| {
        match n {
            1 => d.kind = v.string()?,
            2 => d.sdp = v.string()?,
            3 => d.id = v.uint32()?,
            _ => {}
        }
        Some(())
    })
}

fn trickle(t: &mut TrickleRequest, bytes: &[u8]) -> Option<()> {
    merge(t, bytes, |t, n, v| {
        match n {
            1 => t.candidate_init = v.string()?,
            2 => t.target = v.int32()?,
            _ => {}
        }
        Some(())
    })
}

fn published(p: &mut TrackPublished, bytes: &[u8]) -> Option<()> {
    merge(p, bytes, |p, n, v| {
        match n {
            1 => p.cid = v.string()?,
            2 => track(p.track.get_or_insert_with(Default::default), v.bytes()?)?,
            _ => {}
        }
        Some(())
    })
}

fn leave(l: &mut LeaveRequest, bytes: &[u8]) -> Option<()> {
    merge(l, bytes, |l, n, v| {
        match n {
            2 => l.reason = v.int32()?,
            3 => l.action = v.int32()?,
            _ => {}
        }
        Some(())
    })
}

fn mute(m: &mut MuteTrackRequest, bytes: &[u8]) -> Option<()> {
    merge(m, bytes, |m, n, v| {
        match n {
            1 => m.sid = v.string()?,
            2 => m.muted = v.bool()?,
            _ => {}
        }
        Some(())
    })
}

fn speaker(s: &mut SpeakerInfo, bytes: &[u8]) -> Option<()> {
    merge(s, bytes, |s, n, v| {
        match n {
            1 => s.sid = v.string()?,
            2 => s.level = v.float()?,
            3 => s.active = v.bool()?,
            _ => {}
        }
        Some(())
    })
}

fn quality(q: &mut ConnectionQualityInfo, bytes: &[u8]) -> Option<()> {
    merge(q, bytes, |q, n, v| {
        match n {
            1 => q.participant_sid = v.string()?,
            2 => q.quality = v.int32()?,
            _ => {}
        }
        Some(())
    })
}

/// A `Pong`'s `last_ping_timestamp`.
fn pong(last_ping: &mut i64, bytes: &[u8]) -> Option<()> {
    merge(last_ping, bytes, |last_ping, n, v| {
        if n == 1 {
            *last_ping = v.int64()?;
        }
        Some(())
    })
}
