//! Invitation links to a community: what their makers see of them, and
//! what a person arriving through one sees before signing up.

use serde::{Deserialize, Serialize};

use super::ids::InvitationId;
use super::types::{CommunityView, UserView};

/// How long a new link lasts, in hours: a day, a week or a month.
pub const EXPIRY_HOURS: [u32; 3] = [24, 24 * 7, 24 * 30];
/// The most people one link lets in.
pub const MAX_USES: u32 = 100;
/// The query parameter of the sign-up page that carries a link's code.
pub const QUERY: &str = "invite";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub enum InvitationState {
    Open,
    Expired,
    UsedUp,
    Revoked,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct InvitationView {
    pub id: InvitationId,
    /// The link's last characters, to tell links apart (the link itself is
    /// shown once, when it is made).
    pub hint: String,
    pub made_by: Option<UserView>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub expires_at: i64,
    pub max_uses: u32,
    pub uses: u32,
    pub state: InvitationState,
    /// Who joined through it, first first.
    pub joined: Vec<UserView>,
}

/// A link just made: the only time its code is seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct NewInvitation {
    pub invitation: InvitationView,
    /// The sign-up address with the code, from the site's root ("/signup?invite=…").
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct InvitationsOverview {
    pub community: CommunityView,
    /// Newest first.
    pub invitations: Vec<InvitationView>,
}

/// What the sign-up page shows for a link before anyone signs up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct InvitationPreview {
    pub community_name: String,
}

/// The sign-up address for a code.
pub fn path_for(code: &str) -> String {
    format!("/signup?{QUERY}={code}")
}
