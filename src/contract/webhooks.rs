//! Call-event webhooks, as a community's admins see them: each URL with
//! how its last delivery went.

use serde::{Deserialize, Serialize};

use super::ids::CommunityId;

/// The events a hook receives (all of them).
pub const EVENTS: [&str; 7] = [
    "call.ringing",
    "call.answered",
    "call.declined",
    "call.missed",
    "call.ended",
    "studio.voice.joined",
    "studio.voice.left",
];
/// The most hooks one community may have.
pub const MAX_HOOKS: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct WebhookView {
    pub id: i64,
    pub url: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// The last event tried, when, and how it went: the HTTP status (none
    /// when no answer came) or why it failed.
    pub last_event: Option<String>,
    pub last_attempt_at: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub last_delivered_at: Option<i64>,
    /// Deliveries waiting for a first try or a retry.
    pub pending: i64,
    /// Deliveries given up on (after every retry failed).
    pub failed: i64,
}

/// A hook just made: the only time its signing secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct NewWebhook {
    pub webhook: WebhookView,
    pub secret: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Webhooks {
    pub community_id: CommunityId,
    pub webhooks: Vec<WebhookView>,
}
