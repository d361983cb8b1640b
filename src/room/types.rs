//! What the call UI shows about a media room.

use super::signal::code;

/// The link to the media room, as the person in the call should see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RoomPhase {
    /// Not in a room.
    #[default]
    Idle,
    /// Joining for the first time.
    Connecting,
    /// Audio can flow.
    Connected,
    /// Lost the link; trying again (attempt 1, 2, ...).
    Reconnecting { attempt: u32 },
    /// Out of the room for good, and why.
    Closed(CloseReason),
}

impl RoomPhase {
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Connecting | Self::Connected | Self::Reconnecting { .. }
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// We left.
    Left,
    /// A moderator removed us, or we left the call from elsewhere.
    Removed,
    /// The call ended for everyone.
    RoomClosed,
    /// The same person joined from another tab or device.
    Replaced,
    /// The media server refused the token.
    Refused,
    /// Every reconnection attempt failed.
    Failed,
}

impl CloseReason {
    /// From the reason of a server-sent leave.
    pub fn from_leave(reason: i32) -> Self {
        match reason {
            code::PARTICIPANT_REMOVED => Self::Removed,
            code::ROOM_DELETED | code::ROOM_CLOSED => Self::RoomClosed,
            code::DUPLICATE_IDENTITY => Self::Replaced,
            code::JOIN_FAILURE | code::STATE_MISMATCH | code::SIGNAL_CLOSE => Self::Failed,
            _ => Self::Left,
        }
    }

    /// What to tell the person, or nothing when they chose it.
    pub fn message(self) -> Option<&'static str> {
        match self {
            Self::Left | Self::RoomClosed => None,
            Self::Removed => Some("A moderator removed you from the call."),
            Self::Replaced => Some("You joined this call from another tab or device."),
            Self::Refused => Some("The media server did not let you in. Try joining again."),
            Self::Failed => {
                Some("The call's audio connection was lost. Check your network and join again.")
            }
        }
    }
}

/// How well a participant's audio is getting through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Quality {
    #[default]
    Unknown,
    Excellent,
    Good,
    Poor,
    Lost,
}

impl Quality {
    pub fn from_lk(quality: i32) -> Self {
        match quality {
            code::QUALITY_EXCELLENT => Self::Excellent,
            code::QUALITY_GOOD => Self::Good,
            code::QUALITY_POOR => Self::Poor,
            code::QUALITY_LOST => Self::Lost,
            _ => Self::Unknown,
        }
    }

    /// The CSS class that draws it.
    pub fn class(self) -> &'static str {
        match self {
            Self::Unknown => "quality q-unknown",
            Self::Excellent => "quality q-excellent",
            Self::Good => "quality q-good",
            Self::Poor => "quality q-poor",
            Self::Lost => "quality q-lost",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Unknown => "",
            Self::Excellent => "Excellent connection",
            Self::Good => "Good connection",
            Self::Poor => "Poor connection",
            Self::Lost => "Connection lost",
        }
    }
}

/// One person in the media room (ourselves included).
#[derive(Debug, Clone, PartialEq)]
pub struct RoomPeer {
    pub sid: String,
    /// The Belfry user id, as the token's identity.
    pub identity: String,
    pub name: String,
    pub is_local: bool,
    /// Publishes a microphone.
    pub has_audio: bool,
    /// Its connections to the media server are up (the server says
    /// ACTIVE): its audio can flow. Not yet, or never, when its network
    /// blocks them.
    pub media: bool,
    pub muted: bool,
    pub speaking: bool,
    /// 0..1, from the server's speaker updates.
    pub level: f32,
    pub quality: Quality,
}

/// A microphone or speaker the browser offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioDevice {
    pub id: String,
    pub label: String,
}

/// Our own side of the call: the microphone and where the sound goes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LocalAudio {
    pub muted: bool,
    /// Muted by a moderator (unmuting is still ours to do).
    pub muted_by_moderator: bool,
    /// Why there is no microphone, if there is none.
    pub mic_error: Option<String>,
    pub microphones: Vec<AudioDevice>,
    pub speakers: Vec<AudioDevice>,
    pub microphone: Option<String>,
    pub speaker: Option<String>,
    /// The browser can send audio to a chosen output (`setSinkId`).
    pub can_choose_speaker: bool,
}
