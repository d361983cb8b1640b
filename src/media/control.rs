//! `MediaControl`: the commands call control sends to the media server.
//! The embedded SFU carries them out (`driver::MediaServer`), LiveKit mode
//! sends them to LiveKit's RoomService (`livekit::LiveKitMedia`), and tests
//! use `RecordingMedia` to see what was asked.

use std::sync::Mutex;

use crate::calls::ids::UserId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaCommand {
    /// A room is about to be used: make it (LiveKit's CreateRoom, audio
    /// only, with a participant cap); nothing to do where rooms appear on
    /// the first join.
    OpenRoom { room: String },
    /// Take this participant out of the room now.
    Evict { room: String, user: UserId },
    /// Mute (or unmute) this participant's microphone track from the server.
    Mute {
        room: String,
        user: UserId,
        muted: bool,
    },
    /// The call is over: disconnect everyone and forget the room.
    CloseRoom { room: String },
}

/// Fire-and-forget: commands must not block call control, so an
/// implementation queues them and carries them out on its own time.
pub trait MediaControl: Send + Sync + 'static {
    fn send(&self, command: MediaCommand);
}

/// A test double that records every command.
#[derive(Debug, Default)]
pub struct RecordingMedia {
    commands: Mutex<Vec<MediaCommand>>,
}

impl RecordingMedia {
    pub fn commands(&self) -> Vec<MediaCommand> {
        self.commands
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl MediaControl for RecordingMedia {
    fn send(&self, command: MediaCommand) {
        self.commands
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(command);
    }
}
