//! Typed ids shared by every layer, so a channel id cannot be passed where a
//! user id is meant.

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    )*};
}

id_type!(
    /// A person with an account.
    UserId,
    /// A parish or other community.
    CommunityId,
    /// A chat channel (direct, group or parish-wide).
    ChannelId,
    /// A studio: a collaboration space with its own members.
    StudioId,
    /// A chat message; ids grow with time within the whole database.
    MessageId,
    /// A voice call in a channel.
    CallId,
    /// An invitation link to a community.
    InvitationId,
);
