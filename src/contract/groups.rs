//! The Groups page: the group channels of my community that I am in, who
//! is in each, and (for coordinators and admins) whom a group can take.

use serde::{Deserialize, Serialize};

use super::types::{ChannelSummary, CommunityView, UserView};

/// A group channel and its members, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct GroupView {
    pub channel: ChannelSummary,
    pub members: Vec<UserView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct GroupsOverview {
    pub community: CommunityView,
    /// Coordinators and admins create groups and change their members.
    pub manages: bool,
    pub groups: Vec<GroupView>,
    /// The community's members, to choose from (empty unless `manages`).
    pub people: Vec<UserView>,
}

/// The longest group name, in characters.
pub const MAX_GROUP_NAME: usize = 64;
