//! The JSON the REST routes (`voice_routes`) answer, in the roadmaps'
//! camelCase, exactly as host apps written for them read it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::calls::ids::{CallId, ChannelId, UserId};
use crate::calls::{CallStatus, Millis};
use crate::contract::call_types::CallView;
use crate::contract::types::UserView;

/// `GET /api/voice/active`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Active {
    /// The newest call ringing me, or `null`.
    pub call: Option<ActiveCall>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActiveCall {
    pub id: CallId,
    pub channel_id: ChannelId,
    pub initiator: Person,
    /// `RINGING`, or `ACTIVE` when others have answered already (a group
    /// call still ringing me).
    pub status: CallStatus,
    /// Unix milliseconds.
    pub created_at: Millis,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
}

impl From<CallView> for ActiveCall {
    fn from(call: CallView) -> Self {
        ActiveCall {
            id: call.id,
            channel_id: call.channel_id,
            initiator: Person::from(call.initiator),
            status: call.status,
            created_at: call.created_at,
        }
    }
}

impl From<UserView> for Person {
    fn from(u: UserView) -> Self {
        Person {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
        }
    }
}

/// `GET /api/voice/token?callId=`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct CallToken {
    /// A LiveKit access token for the call's room only, valid 10 minutes.
    pub token: String,
    /// The media server's WebSocket URL, for LiveKit's `room.connect(url, token)`.
    pub url: String,
}

/// `DELETE /api/studio/{id}/voice`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Deleted {
    pub success: bool,
    pub message: String,
}

/// `?callId=`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenQuery {
    pub call_id: CallId,
}
