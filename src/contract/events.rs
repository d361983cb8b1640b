//! The live event stream: one WebSocket per open tab at `/api/events`,
//! carrying every event that concerns the signed-in user. Chat messages ride
//! on it now; call events (incoming, answered, ended...) will ride on it next.
//!
//! Resuming: each event has a sequence number within the server's `epoch`.
//! A tab that reconnects sends `?epoch=E&after=S` and the server replays what
//! it missed; when it cannot (another epoch, or the gap is older than its
//! buffer) the hello frame says `missed: true` and the tab refetches.

use serde::{Deserialize, Serialize};

use super::call_types::CallView;
use super::ids::ChannelId;
use super::types::MessageView;
use crate::calls::CallChange;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    try_from = "super::events_wire::EventWire"
)]
pub enum LiveEvent {
    /// A message was posted in a channel the user belongs to.
    MessagePosted { message: MessageView },
    /// The user's channels, studios or communities changed; refetch them.
    SpacesChanged,
    /// The user read a channel (in one of their tabs): this many of its
    /// messages are still unread.
    ChannelRead { channel_id: ChannelId, unread: u32 },
    /// A call the user is in, is rung by, or can see in a channel changed.
    Call {
        call: Box<CallView>,
        changes: Vec<CallChange>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "frame",
    rename_all = "snake_case",
    try_from = "super::events_wire::FrameWire"
)]
pub enum LiveFrame {
    /// First frame on every connection.
    Hello {
        epoch: u64,
        /// The newest sequence number so far, to resume from next time.
        head: u64,
        /// True when the tab must refetch: events may have passed it by.
        resync: bool,
    },
    Event {
        seq: u64,
        event: LiveEvent,
    },
    /// Sent every few seconds so a tab can tell a dead link from a quiet one.
    Heartbeat,
}

/// How the browser's link to the live stream is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum LinkState {
    #[default]
    Connecting,
    Open,
    Reconnecting,
    /// Closed for good (signed out, or the page is going away).
    Closed,
}

/// Seconds between heartbeats; a tab that hears nothing for three of them
/// reconnects.
pub const HEARTBEAT_SECS: u64 = 15;
