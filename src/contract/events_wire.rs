//! Reading live frames and events. They are written as internally tagged JSON
//! (`{"frame": "event", "seq": 3, "event": {"type": "spaces_changed"}}`), and
//! serde reads that form by first copying the whole object into a generic
//! buffer and then reading the variant from it. Doing so for every type a
//! frame carries doubled their decoding code in the browser's WASM. These
//! flat forms read the same JSON in one pass: the tag is a field like the
//! others, and each variant takes the fields it needs.
//!
//! They are also the postcard form of frames (`api::wire`), for the tabs
//! that ask for it: postcard has no field names, so there the server writes
//! every field, in this order ([`LiveFrame::to_postcard`]).

use serde::{Deserialize, Serialize};

use super::call_types::CallView;
use super::events::{LiveEvent, LiveFrame};
use super::ids::ChannelId;
use super::types::MessageView;
use crate::calls::{CallChange, ChangeWire};

/// "`<kind>` needs `<field>`": a frame without a field its variant requires.
fn needs<T>(value: Option<T>, kind: &str, field: &str) -> Result<T, String> {
    value.ok_or_else(|| format!("a {kind} needs \"{field}\""))
}

#[derive(Clone, Copy, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
enum FrameKind {
    Hello,
    Event,
    Heartbeat,
}

/// A frame; its event is read as a [`LiveEvent`], and written for postcard
/// as an [`EventWire`].
#[derive(Deserialize, Serialize)]
pub(super) struct FrameWire<E = LiveEvent> {
    frame: FrameKind,
    epoch: Option<u64>,
    head: Option<u64>,
    resync: Option<bool>,
    seq: Option<u64>,
    event: Option<E>,
}

impl TryFrom<FrameWire> for LiveFrame {
    type Error = String;

    fn try_from(w: FrameWire) -> Result<Self, String> {
        Ok(match w.frame {
            FrameKind::Hello => LiveFrame::Hello {
                epoch: needs(w.epoch, "hello frame", "epoch")?,
                head: needs(w.head, "hello frame", "head")?,
                resync: needs(w.resync, "hello frame", "resync")?,
            },
            FrameKind::Event => LiveFrame::Event {
                seq: needs(w.seq, "event frame", "seq")?,
                event: needs(w.event, "event frame", "event")?,
            },
            FrameKind::Heartbeat => LiveFrame::Heartbeat,
        })
    }
}

#[derive(Clone, Copy, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
enum EventKind {
    MessagePosted,
    SpacesChanged,
    Call,
    ChannelRead,
}

/// An event; its changes are read as [`CallChange`]s, and written for
/// postcard as [`ChangeWire`]s.
#[derive(Deserialize, Serialize)]
pub(super) struct EventWire<C = CallChange> {
    r#type: EventKind,
    message: Option<MessageView>,
    call: Option<Box<CallView>>,
    changes: Option<Vec<C>>,
    /// A read channel, and how much of it is still unread.
    channel_id: Option<ChannelId>,
    unread: Option<u32>,
}

impl TryFrom<EventWire> for LiveEvent {
    type Error = String;

    fn try_from(w: EventWire) -> Result<Self, String> {
        Ok(match w.r#type {
            EventKind::MessagePosted => LiveEvent::MessagePosted {
                message: needs(w.message, "message_posted event", "message")?,
            },
            EventKind::SpacesChanged => LiveEvent::SpacesChanged,
            EventKind::Call => LiveEvent::Call {
                call: needs(w.call, "call event", "call")?,
                changes: needs(w.changes, "call event", "changes")?,
            },
            EventKind::ChannelRead => {
                let channel_id = needs(w.channel_id, "channel_read event", "channel_id")?;
                let unread = needs(w.unread, "channel_read event", "unread")?;
                LiveEvent::ChannelRead { channel_id, unread }
            }
        })
    }
}

impl LiveFrame {
    /// The frame in postcard, for tabs that asked for it.
    pub fn to_postcard(&self) -> Vec<u8> {
        let mut wire = FrameWire::<EventWire<ChangeWire>> {
            frame: FrameKind::Heartbeat,
            epoch: None,
            head: None,
            resync: None,
            seq: None,
            event: None,
        };
        match self {
            LiveFrame::Hello {
                epoch,
                head,
                resync,
            } => {
                wire.frame = FrameKind::Hello;
                (wire.epoch, wire.head, wire.resync) = (Some(*epoch), Some(*head), Some(*resync));
            }
            LiveFrame::Event { seq, event } => {
                wire.frame = FrameKind::Event;
                wire.seq = Some(*seq);
                wire.event = Some(EventWire::from(event));
            }
            LiveFrame::Heartbeat => {}
        }
        // Writing into a Vec fails only when out of memory.
        postcard::to_allocvec(&wire).unwrap_or_default()
    }
}

impl From<&LiveEvent> for EventWire<ChangeWire> {
    fn from(event: &LiveEvent) -> Self {
        let mut wire = EventWire {
            r#type: EventKind::SpacesChanged,
            message: None,
            call: None,
            changes: None,
            channel_id: None,
            unread: None,
        };
        match event {
            LiveEvent::MessagePosted { message } => {
                wire.r#type = EventKind::MessagePosted;
                wire.message = Some(message.clone());
            }
            LiveEvent::SpacesChanged => {}
            LiveEvent::Call { call, changes } => {
                wire.r#type = EventKind::Call;
                wire.call = Some(call.clone());
                wire.changes = Some(changes.iter().map(ChangeWire::from).collect());
            }
            LiveEvent::ChannelRead { channel_id, unread } => {
                wire.r#type = EventKind::ChannelRead;
                (wire.channel_id, wire.unread) = (Some(*channel_id), Some(*unread));
            }
        }
        wire
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::{CallStatus, ParticipantStatus};
    use crate::contract::call_fixture::{carol, hall_call};
    use crate::contract::call_types::CallParticipantView;
    use crate::contract::ids::{ChannelId, MessageId, UserId};
    use crate::contract::types::MessageKind;
    use crate::contract::wire::from_postcard;

    fn read(json: &str) -> Result<LiveFrame, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn frames_read_back_what_the_server_writes() {
        let message = MessageView {
            id: MessageId(9),
            channel_id: ChannelId(2),
            author: None,
            body: "Evensong at six".into(),
            created_at: 1_700_000_000_000,
            client_nonce: Some("n-1".into()),
            kind: MessageKind::Text,
            call_id: None,
        };
        let frames = [
            LiveFrame::Hello {
                epoch: 5,
                head: 7,
                resync: true,
            },
            LiveFrame::Heartbeat,
            LiveFrame::Event {
                seq: 8,
                event: LiveEvent::SpacesChanged,
            },
            LiveFrame::Event {
                seq: 9,
                event: LiveEvent::MessagePosted {
                    message: message.clone(),
                },
            },
            LiveFrame::Event {
                seq: 10,
                event: LiveEvent::Call {
                    call: Box::new(a_call()),
                    changes: vec![
                        CallChange::Joined { user: UserId(3) },
                        CallChange::Missed {
                            users: vec![UserId(4), UserId(5)],
                        },
                        CallChange::Ended { by: None },
                    ],
                },
            },
            LiveFrame::Event {
                seq: 11,
                event: LiveEvent::ChannelRead {
                    channel_id: ChannelId(2),
                    unread: 3,
                },
            },
        ];
        for frame in frames {
            let json = serde_json::to_string(&frame).expect("written");
            assert_eq!(read(&json), Ok(frame.clone()), "{json}");
            let bytes = frame.to_postcard();
            assert_eq!(from_postcard::<LiveFrame>(&bytes).ok(), Some(frame.clone()));
            // Cut short, it is refused rather than misread.
            assert!(from_postcard::<LiveFrame>(&bytes[..bytes.len() - 1]).is_err());
        }
    }

    fn a_call() -> CallView {
        let mut call = hall_call(CallStatus::Active);
        call.created_at = 1_700_000_000_000;
        call.started_at = Some(1_700_000_001_000);
        call.participants = vec![CallParticipantView {
            user: carol(),
            status: ParticipantStatus::Connected,
            decline_reason: None,
            joined_at: Some(1_700_000_001_000),
            left_at: None,
        }];
        call
    }

    #[test]
    fn the_written_form_is_still_tagged() {
        let json = serde_json::to_string(&LiveFrame::Event {
            seq: 1,
            event: LiveEvent::SpacesChanged,
        })
        .expect("written");
        assert_eq!(
            json,
            r#"{"frame":"event","seq":1,"event":{"type":"spaces_changed"}}"#
        );
    }

    #[test]
    fn a_frame_missing_what_its_kind_needs_or_of_no_known_kind_is_refused_by_name() {
        let err = read(r#"{"frame":"hello","epoch":1,"resync":false}"#).expect_err("no head");
        assert!(err.contains("hello frame needs \"head\""), "{err}");
        let err = read(r#"{"frame":"event","seq":1}"#).expect_err("no event");
        assert!(err.contains("\"event\""), "{err}");
        let err = read(r#"{"frame":"goodbye"}"#).expect_err("unknown");
        assert!(err.contains("goodbye"), "{err}");
        assert!(read(r#"{"seq":1}"#).is_err());
        let json = r#"{"type":"call","changes":[{"type":"joined","user":3}],"call":null}"#;
        let err = serde_json::from_str::<LiveEvent>(json).expect_err("a call event with no call");
        assert!(
            err.to_string().contains("call event needs \"call\""),
            "{err}"
        );
        // Fields it does not know are ignored, as before.
        assert_eq!(
            read(r#"{"frame":"heartbeat","extra":[1,2]}"#),
            Ok(LiveFrame::Heartbeat)
        );
    }
}
