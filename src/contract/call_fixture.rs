//! A call to test with: Carol's group call in the parish hall.

use super::call_types::CallView;
use super::types::{ChannelKind, UserView};
use crate::calls::ids::{CallId, ChannelId, UserId};
use crate::calls::{CallKind, CallStatus};

pub fn carol() -> UserView {
    UserView {
        id: UserId(3),
        username: "carol".into(),
        display_name: "Carol Nguyen".into(),
        avatar_color: "#5b3a8c".into(),
    }
}

/// Rung or held by Carol, with nobody listed in it yet.
pub fn hall_call(status: CallStatus) -> CallView {
    CallView {
        id: CallId(9),
        channel_id: ChannelId(4),
        channel_kind: ChannelKind::Parish,
        channel_name: "Parish hall".into(),
        kind: CallKind::Group,
        status,
        initiator: carol(),
        created_at: 0,
        started_at: None,
        ended_at: None,
        duration_ms: 0,
        end_reason: None,
        participants: vec![],
    }
}
