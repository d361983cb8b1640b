//! The call views the server sends: one call with its people, a page of
//! history, a room token.

use serde::{Deserialize, Serialize};

use super::types::{ChannelKind, UserView};
use crate::calls::ids::{CallId, ChannelId};
use crate::calls::{CallKind, CallStatus, DeclineReason, EndReason, Millis, ParticipantStatus};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct CallParticipantView {
    pub user: UserView,
    pub status: ParticipantStatus,
    pub decline_reason: Option<DeclineReason>,
    pub joined_at: Option<Millis>,
    pub left_at: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct CallView {
    pub id: CallId,
    pub channel_id: ChannelId,
    pub channel_kind: ChannelKind,
    /// The channel's own name (empty for direct channels: name them after
    /// the other participant).
    pub channel_name: String,
    pub kind: CallKind,
    pub status: CallStatus,
    pub initiator: UserView,
    pub created_at: Millis,
    pub started_at: Option<Millis>,
    pub ended_at: Option<Millis>,
    pub duration_ms: Millis,
    pub end_reason: Option<EndReason>,
    pub participants: Vec<CallParticipantView>,
}

impl CallView {
    pub fn participant(&self, user: crate::calls::ids::UserId) -> Option<&CallParticipantView> {
        self.participants.iter().find(|p| p.user.id == user)
    }

    /// Whether `user` is being rung by this call right now.
    pub fn rings(&self, user: crate::calls::ids::UserId) -> bool {
        self.status.is_live()
            && self
                .participant(user)
                .is_some_and(|p| p.status.is_ringing())
    }
}

/// Calls newest first; pass `next_before` back as `before` for older ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct CallHistoryPage {
    pub calls: Vec<CallView>,
    pub next_before: Option<CallId>,
}

/// What a tab needs to know about my calls when its live link opens, in
/// one round trip: what rings me, the missed-calls badge, and the call I am
/// connected in (a reloaded tab rejoins it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct CallState {
    pub incoming: Vec<CallView>,
    pub missed: u32,
    pub current: Option<CallView>,
}

/// An answered call and the token for its room, in one round trip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Answered {
    pub call: CallView,
    pub access: RoomAccess,
}

/// What a client needs to join a media room. The REST shape is camelCase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RoomAccess {
    pub room_url: String,
    pub token: String,
    pub room_name: String,
    /// When the token stops admitting new joins (Unix ms).
    pub expires_at: Millis,
}
